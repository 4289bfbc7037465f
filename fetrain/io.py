"""Reading characterisation data: the embedded synthetic campaign, or a reader's files.

This module's room: files in, validated tidy tables out, with errors that name the file, the column
and the first offending row. It reads plain CSV and JSON only (never pickle).

Two layouts are read (:data:`FORMATS`; the book's appendix "Bring your own device" documents
both):

* ``fetrain`` — the embedded data set's layout, :data:`fetrain.synthetic.PULSE_COLUMNS`: one row
  per read after a pulse, with columns ``device``, ``pulse_width_s``, ``cycle``, ``direction``
  (``potentiation``/``depression``), ``pulse_index`` (1, 2, … within a phase), ``amplitude_V``,
  ``read_voltage_V`` and ``read_current_A``. Instead of the read voltage and current, a
  ``conductance_S`` column (S) or a ``conductance`` column (normalized, no unit, any offset) may
  be given; ``pulse_width_s`` and ``amplitude_V`` may be left out when unknown. Optional beside
  ``pulses.csv``: ``iv_sweeps.csv`` (:data:`fetrain.synthetic.IV_COLUMNS`) and a
  ``campaign.json`` of provenance (``"area_m2"`` there states the device area).
* ``updown`` — the layout of AIHWKit's device-fitting example: two columns, the reads after
  consecutive up (potentiation) pulses and the reads after the down (depression) pulses that
  follow, one read per row, normalized conductance; an optional header row.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .devicemodel import DEGREE, Quantities
from .physics import HZOStack
from .synthetic import IV_COLUMNS, IV_FILE, META_FILE, PULSE_COLUMNS, PULSES_FILE

#: The folder of the embedded data set, found relative to this module.
DATA_DIR: Path = Path(__file__).resolve().parent / "data" / "synthetic_hzo"

#: Fewest pulses a phase needs for a 5th-degree fit and one step from it.
MIN_PULSES_PER_PHASE = DEGREE + 2

#: The layouts a device file can have, for ``load_device_file`` and the command line.
FORMATS: dict[str, str] = {
    "fetrain": "a folder with pulses.csv, or that CSV file: one row per read after a pulse; columns "
               "device, cycle, direction (potentiation/depression), pulse_index, and either "
               "read_voltage_V + read_current_A, or conductance_S (S), or conductance (normalized, "
               "no unit); pulse_width_s and amplitude_V when known",
    "updown": "AIHWKit's fitting-example layout: a CSV of two columns, the reads after consecutive "
              "up pulses, then the reads after the down pulses that follow (one read per row, "
              "normalized conductance, optional header row)",
}

#: Largest plausible conductance per device area, S/m² (1 S for a 1 µm² device; beyond it the
#: numbers are almost surely in the wrong unit, e.g. nA written as A).
MAX_CONDUCTANCE_PER_AREA_S_M2 = 1.0 / 1e-12
#: Largest plausible read current (A), read voltage (V), pulse amplitude (V), pulse width (s).
MAX_READ_CURRENT_A = 0.1
MAX_VOLTAGE_V = 20.0
MAX_PULSE_WIDTH_S = 1.0

_TEXT_COLUMNS = {"device", "direction", "state"}
_INTEGER_COLUMNS = {"cycle", "pulse_index"}
_DIRECTIONS = ("potentiation", "depression")


class DeviceFileError(ValueError):
    """A characterisation file that cannot be used; the message names file, column and row.

    ``row`` is the 1-based data row; the file's line number is ``row + header_lines`` (one
    header line unless said otherwise).

    Parameters
    ----------
    path : str or pathlib.Path
        The offending file.
    message : str
        What is wrong (values quoted with their unit).
    column : str, optional
        The offending column.
    row : int, optional
        The 1-based data row of the first offending value.
    header_lines : int
        Lines before the first data row (counts).

    Attributes
    ----------
    path : pathlib.Path
        The offending file.
    column : str or None
        The offending column.
    row : int or None
        The 1-based data row.
    """

    def __init__(self, path, message: str, column: str | None = None, row: int | None = None,
                 header_lines: int = 1):
        where = [str(path)]
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row} (line {row + header_lines})")
        super().__init__(f"{', '.join(where)}: {message}")
        self.path, self.column, self.row = Path(path), column, row


@dataclass(frozen=True)
class CharacterisationData:
    """A characterisation campaign as validated tables.

    Attributes
    ----------
    pulses : pandas.DataFrame
        One row per read after a pulse (columns of ``PULSE_COLUMNS``: widths in s, voltages in V,
        currents in A; or ``conductance_S`` in S, or a normalized ``conductance``), in file order.
    iv : pandas.DataFrame
        One row per I–V sweep point (columns of ``IV_COLUMNS``: K, V, A); may be empty.
    metadata : dict
        Units and provenance (``campaign.json``; ``area_m2`` in m²), or an empty dict.
    source : pathlib.Path
        The folder (or file) the data came from.
    quantities : Quantities
        How conductance, pulse width, amplitude and geometry are known
        (:class:`fetrain.devicemodel.Quantities`).
    """

    pulses: pd.DataFrame
    iv: pd.DataFrame
    metadata: dict
    source: Path
    quantities: Quantities = Quantities()

    @property
    def synthetic(self) -> bool:
        """Whether the data set declares itself synthetic."""
        return bool(self.metadata.get("synthetic", False))

    @property
    def widths_s(self) -> tuple[float, ...]:
        """The pulse widths present, ascending, s (NaN where unknown)."""
        return tuple(sorted(float(t) for t in self.pulses["pulse_width_s"].unique()))

    @property
    def stack(self) -> HZOStack | None:
        """The device geometry the data state (an area given as an option or in
        ``campaign.json``), for the energy of a pulse; None when they state none."""
        area = self.metadata.get("area_m2")
        return HZOStack(area_m2=float(area)) if area is not None else None

    @property
    def normalized(self) -> bool:
        """Whether the conductance is normalized (no unit), so that no energy can be computed."""
        return self.quantities.conductance == "unknown"

    @property
    def label(self) -> str:
        """How the book names this data set."""
        if self.source.resolve() == DATA_DIR:
            return "embedded synthetic data set"
        return f"{'synthetic ' if self.synthetic else ''}data set {self.source}"


def _plain(x) -> str:
    """A number as plain text for messages (``-1e-06``), never a numpy repr."""
    return f"{float(x):.4g}"


def _first_row(mask) -> int:
    """1-based data row of the first True in ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 1


def _read_text_table(path: Path, what: str, **kwargs) -> pd.DataFrame:
    """A CSV file as a table of stripped strings; a clear error for a missing, empty or
    unreadable file."""
    if not path.exists():
        raise DeviceFileError(path, f"file not found ({what})")
    if path.is_dir():
        raise DeviceFileError(path, f"is a folder, not a file ({what})")
    with open(path, "rb") as handle:
        if not handle.read(4096).strip():
            raise DeviceFileError(path, f"the file is empty ({what})")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                            encoding="utf-8-sig", **kwargs)
    except pd.errors.EmptyDataError:
        raise DeviceFileError(path, f"the file is empty ({what})") from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as err:
        raise DeviceFileError(path, f"not a readable CSV file ({err})") from None
    return frame


def _signal_columns(frame_columns) -> tuple[str, ...]:
    """The columns that carry the conductance, by what the file has (a conductance column wins
    over a read voltage or current left beside it)."""
    if "conductance_S" in frame_columns:
        return ("conductance_S",)
    if "conductance" in frame_columns:
        return ("conductance",)
    return ("read_voltage_V", "read_current_A")


def _pulse_columns(frame_columns) -> dict[str, str]:
    """The pulse table's columns for a file with these columns: the fixed ones, the width and
    amplitude when present, and the conductance's carriers (read voltage and current, or
    ``conductance_S``, or ``conductance``)."""
    others = [c for c in frame_columns if c not in PULSE_COLUMNS]

    def wanted(c):
        # an optional column is wanted when present, or when a misspelt version of it is
        return c in frame_columns or bool(difflib.get_close_matches(c, others, n=1, cutoff=0.8))

    out = {c: m for c, m in PULSE_COLUMNS.items()
           if c not in ("read_voltage_V", "read_current_A", "pulse_width_s", "amplitude_V")
           or (c in ("pulse_width_s", "amplitude_V") and wanted(c))}
    for c in _signal_columns(frame_columns):
        out[c] = PULSE_COLUMNS.get(c, "conductance, S" if c == "conductance_S"
                                   else "conductance, normalized (no unit)")
    return out


def _read_csv(path: Path, columns) -> pd.DataFrame:
    """Read and type-check a CSV file; ``columns`` is a dict (name → meaning) or a function of the
    file's column names that returns one."""
    frame = _read_text_table(path, "the format needs columns "
                                   f"{list(columns) if isinstance(columns, dict) else list(PULSE_COLUMNS)}")
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame.columns) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs")):
            if sep in frame.columns[0]:
                raise DeviceFileError(path, f"the header is one field with {name} in it: fetrain's "
                                            "layout is comma-separated (save the file as CSV with "
                                            "commas)")
    if not isinstance(columns, dict):
        columns = columns(list(frame.columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(c, [k for k in frame.columns if k not in columns], n=1)
            hints.append(f"{c!r}" + (f" (found {close[0]!r}: misspelt?)" if close else ""))
        alternatives = (" (or conductance_S in S, or conductance for normalized data, instead "
                        "of read_voltage_V and read_current_A)" if "read_current_A" in columns else "")
        raise DeviceFileError(path, f"missing column(s) {', '.join(hints)}; the format needs "
                                    f"{list(columns)}{alternatives} (units in the names: s, V, A, S)",
                              column=missing[0])
    if frame.empty:
        raise DeviceFileError(path, "the file has a header but no data rows")
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        raw = frame[col].str.strip()
        if col in _TEXT_COLUMNS:
            empty = raw == ""
            if empty.any():
                raise DeviceFileError(path, "empty value", column=col, row=_first_row(empty))
            out[col] = raw
            continue
        values = pd.to_numeric(raw, errors="coerce")
        non_numeric = values.isna() & ~raw.str.lower().isin(["nan", ""])
        if non_numeric.any():
            row = _first_row(non_numeric)
            raise DeviceFileError(path, f"non-numeric value {raw.iloc[row - 1]!r}", column=col, row=row)
        not_finite = ~np.isfinite(values.to_numpy(dtype=float))
        if not_finite.any():
            row = _first_row(not_finite)
            shown = raw.iloc[row - 1] or "(empty)"
            raise DeviceFileError(path, f"missing or non-finite value {shown!r} (NaN/inf are not "
                                        "allowed)", column=col, row=row)
        if col in _INTEGER_COLUMNS:
            bad = (values != np.round(values)) | (values < 1)
            if bad.any():
                row = _first_row(bad)
                raise DeviceFileError(path, f"must be an integer ≥ 1; got {raw.iloc[row - 1]!r}",
                                      column=col, row=row)
            values = values.astype(int)
        else:
            values = values.astype(float)
        out[col] = values
    return out


def _check_range(frame, path, col, what, low=None, high=None, hint=""):
    if col not in frame:
        return
    values = frame[col].to_numpy(dtype=float)
    if low is not None:
        bad = values <= low
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"{what} must be > {_plain(low)}; got {_plain(values[r - 1])}",
                                  column=col, row=r)
    if high is not None:
        bad = np.abs(values) > high
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"{what} of {_plain(values[r - 1])} is implausible (at most "
                                        f"{_plain(high)}){hint}", column=col, row=r)


def validate_pulses(frame: pd.DataFrame, path, area_m2: float | None = None) -> pd.DataFrame:
    """Check a pulse-response table for the physics and the fit; raise DeviceFileError or return it.

    ``area_m2`` (m², default the synthetic device's 1 µm²) sets the largest plausible conductance
    (:data:`MAX_CONDUCTANCE_PER_AREA_S_M2`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The typed pulse table (widths in s, voltages in V, currents in A, ``conductance_S`` in S,
        or a normalized ``conductance``).
    path : str or pathlib.Path
        The file it came from, for messages.
    area_m2 : float, optional
        Device area (m²); None: 1 µm².

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself, unchanged.

    Raises
    ------
    DeviceFileError
        Naming column and first row: widths or read voltages ≤ 0, values implausible for their
        unit, negative or implausibly large conductances, an unknown direction, pulse indices not
        increasing within a phase, a phase too short for the fit or without change, a width with
        one direction only.
    """
    rows = np.arange(1, len(frame) + 1)
    area = HZOStack().area_m2 if area_m2 is None else float(area_m2)
    _check_range(frame, path, "pulse_width_s", "pulse width (s)", low=0, high=MAX_PULSE_WIDTH_S,
                 hint=": the column is in seconds (ns or µs written as s?)")
    _check_range(frame, path, "read_voltage_V", "read voltage (V)", low=0, high=MAX_VOLTAGE_V,
                 hint=": the column is in volts (mV written as V?)")
    _check_range(frame, path, "amplitude_V", "pulse amplitude (V)", high=MAX_VOLTAGE_V,
                 hint=": the column is in volts (mV written as V?)")
    _check_range(frame, path, "read_current_A", "read current (A)", high=MAX_READ_CURRENT_A,
                 hint=": the column is in amperes (nA or µA written as A?)")
    if "conductance" not in frame:
        if "conductance_S" in frame:
            col, conductance, how = "conductance_S", frame["conductance_S"].to_numpy(), "conductance_S"
        else:
            col, how = "read_current_A", "read_current_A / read_voltage_V"
            conductance = frame["read_current_A"].to_numpy() / frame["read_voltage_V"].to_numpy()
        bad = conductance < 0
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"negative conductance ({_plain(conductance[r - 1])} S = "
                                        f"{how}); conductances must be ≥ 0 (for normalized data, "
                                        "use a 'conductance' column)", column=col, row=r)
        ceiling = MAX_CONDUCTANCE_PER_AREA_S_M2 * area
        bad = conductance > ceiling
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"conductance {_plain(conductance[r - 1])} S ({how}) is "
                                        f"implausible for a device of {_plain(area * 1e12)} µm² (at "
                                        f"most {_plain(ceiling)} S); the column must be in "
                                        f"{'amperes' if col == 'read_current_A' else 'siemens'}: "
                                        f"{'nA or µA written as A' if col == 'read_current_A' else 'nS or µS written as S'}?"
                                        " (campaign.json's \"area_m2\" states another area)",
                                  column=col, row=r)
    bad = ~frame["direction"].isin(_DIRECTIONS).to_numpy()
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"direction must be one of {_DIRECTIONS}; got "
                                    f"{frame['direction'].iloc[r - 1]!r}", column="direction", row=r)
    width_col = frame["pulse_width_s"] if "pulse_width_s" in frame else pd.Series(np.nan, frame.index)
    keys = ["device", "cycle", "direction"]
    groups = [width_col.fillna(-1.0).rename("width")] + [frame[k] for k in keys]
    previous = frame.groupby(groups, sort=False)["pulse_index"].shift()
    bad = (previous.notna() & (frame["pulse_index"] <= previous)).to_numpy()
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"pulse indices must increase within a cycle's phase; "
                                    f"{frame['pulse_index'].iloc[r - 1]} follows {int(previous.iloc[r - 1])} "
                                    f"(device {frame['device'].iloc[r - 1]!r}, cycle "
                                    f"{frame['cycle'].iloc[r - 1]}, {frame['direction'].iloc[r - 1]})",
                              column="pulse_index", row=r)
    signal = _signal_columns(frame.columns)[-1]
    g = (frame["read_current_A"] / frame["read_voltage_V"] if signal == "read_current_A"
         else frame[signal])
    for width, grp in frame.groupby(width_col.fillna(-1.0), sort=False):
        name = f"pulse width {_plain(width)} s" if width > 0 else "the data"
        present = set(grp["direction"])
        for direction in _DIRECTIONS:
            if direction not in present:
                other = (present - {direction}).pop()
                r = int(rows[frame.index.get_loc(grp.index[0])])
                raise DeviceFileError(path, f"{name} has {other} data but no {direction} data; a "
                                            "device model needs both", column="direction", row=r)
        for direction, sub in grp.groupby("direction", sort=False):
            r = int(rows[frame.index.get_loc(sub.index[0])])
            n = sub["pulse_index"].nunique()
            if n < MIN_PULSES_PER_PHASE:
                raise DeviceFileError(path, f"{name}, {direction}: {n} distinct pulse indices; a "
                                            f"degree-{DEGREE} fit of the curve needs at least "
                                            f"{MIN_PULSES_PER_PHASE}", column="pulse_index", row=r)
            values = g.loc[sub.index].to_numpy(dtype=float)
            if np.ptp(values) == 0:
                raise DeviceFileError(path, f"{name}, {direction}: the conductance never changes "
                                            f"(every read is {_plain(values[0])}); no step can be "
                                            "fitted to a phase without change", column=signal, row=r)
    return frame


def validate_iv(frame: pd.DataFrame, path) -> pd.DataFrame:
    """Check an I–V sweep table; raise DeviceFileError or return it.

    Parameters
    ----------
    frame : pandas.DataFrame
        The typed I–V table (temperature in K, voltage in V, current in A).
    path : str or pathlib.Path
        The file it came from, for messages.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself, unchanged.

    Raises
    ------
    DeviceFileError
        If a temperature is ≤ 0 K.
    """
    bad = frame["temperature_K"].to_numpy() <= 0
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"temperatures must be > 0 K; got {frame['temperature_K'].iloc[r - 1]!r}",
                              column="temperature_K", row=r)
    return frame


def _read_metadata(meta_path: Path) -> dict:
    if not meta_path.exists():
        return {}
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DeviceFileError(meta_path, f"not valid JSON ({err})") from None
    if not isinstance(metadata, dict):
        raise DeviceFileError(meta_path, "must hold a JSON object")
    return metadata


def _fill_known(pulses: pd.DataFrame, path, width_s, amplitude_V) -> tuple[pd.DataFrame, str, str]:
    """Fill pulse width and amplitude from the options where the file lacks them; say how each
    is known (measured, given, unknown)."""
    how = {}
    for col, value, unit in (("pulse_width_s", width_s, "s"), ("amplitude_V", amplitude_V, "V")):
        if col in pulses:
            if value is not None:
                raise DeviceFileError(path, f"the file has a {col} column; do not also give "
                                            f"{col} as an option", column=col)
            how[col] = "measured"
            continue
        if value is None:
            pulses[col] = np.nan
            how[col] = "unknown"
        else:
            value = float(value)
            if not np.isfinite(value) or (col == "pulse_width_s" and value <= 0):
                raise ValueError(f"{col} must be a finite number{' > 0' if col == 'pulse_width_s' else ''}"
                                 f" ({unit}); got {_plain(value)}")
            if col == "amplitude_V":
                sign = np.where(pulses["direction"] == "potentiation", 1.0, -1.0)
                pulses[col] = sign * abs(value)
            else:
                pulses[col] = value
            how[col] = "given"
    return pulses, how["pulse_width_s"], how["amplitude_V"]


def load_campaign(folder: str | Path | None = None, width_s: float | None = None,
                  amplitude_V: float | None = None, area_m2: float | None = None,
                  ) -> CharacterisationData:
    """Load and validate a campaign: a folder with ``pulses.csv`` (optionally ``iv_sweeps.csv``
    and ``campaign.json``), or a pulses CSV file itself. ``folder=None`` loads the embedded
    synthetic data set.

    ``width_s`` (s) and ``amplitude_V`` (V, the magnitude for both polarities) fill the columns
    ``pulse_width_s`` and ``amplitude_V`` when the file lacks them; otherwise they are unknown
    (NaN) and the energy of a pulse is unavailable. ``area_m2`` (m²; or ``"area_m2"`` in
    ``campaign.json``) is the device area the plausibility of the conductances is judged
    against (default 1 µm²).

    Raises :class:`DeviceFileError` (a ``ValueError``) naming the file, column and first offending
    row for: a missing or empty file, a missing column (with a hint for a misspelt one),
    non-numeric, missing, NaN or infinite values, non-integer cycles or pulse indices, pulse widths
    or read voltages ≤ 0, values implausible for their unit (a conductance above 1 S per µm², a
    read current above 0.1 A, voltages above 20 V, widths above 1 s: a unit slip), negative
    absolute conductances, an unknown direction, pulse indices that do not increase within a
    cycle's phase, a phase with fewer pulses than a 5th-degree fit needs or with no change of
    conductance, and a pulse width with potentiation but no depression data (or the reverse).

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        A campaign folder or a pulses CSV file; None: the embedded data set.
    width_s : float, optional
        Pulse width (s), > 0, when the file has no ``pulse_width_s`` column.
    amplitude_V : float, optional
        Pulse amplitude (V), the magnitude for both polarities, when the file has no
        ``amplitude_V`` column.
    area_m2 : float, optional
        Device area (m²); None: ``campaign.json``'s, else 1 µm² (assumed).

    Returns
    -------
    CharacterisationData
        The validated tables and how each quantity is known.

    Raises
    ------
    DeviceFileError
        For each of the problems above, and for an invalid ``campaign.json``, or a width or
        amplitude given both in the file and as an option.
    ValueError
        If ``width_s`` is not finite and > 0, or ``amplitude_V`` is not finite.
    """
    folder = DATA_DIR if folder is None else Path(folder)
    if folder.is_file():
        pulses_path, folder = folder, folder.parent
        extra = pulses_path.name == PULSES_FILE      # a campaign's own pulses.csv: read its siblings
    else:
        pulses_path = folder / PULSES_FILE
        extra = True
    metadata = _read_metadata(folder / META_FILE) if extra else {}
    if area_m2 is None and "area_m2" in metadata:
        area_m2 = metadata["area_m2"]
        if not (isinstance(area_m2, (int, float)) and area_m2 > 0):
            raise DeviceFileError(folder / META_FILE, f'"area_m2" must be a number > 0 (m²); got '
                                                      f"{area_m2!r}")
    pulses = _read_csv(pulses_path, _pulse_columns)
    pulses = validate_pulses(pulses, pulses_path, area_m2=area_m2)
    pulses, width_how, amplitude_how = _fill_known(pulses, pulses_path, width_s, amplitude_V)
    iv_path = folder / IV_FILE
    if extra and iv_path.exists():
        iv = validate_iv(_read_csv(iv_path, IV_COLUMNS), iv_path)
    else:
        iv = pd.DataFrame({c: pd.Series(dtype=float if c not in _TEXT_COLUMNS else object)
                           for c in IV_COLUMNS})
    quantities = Quantities(
        conductance="unknown" if "conductance" in pulses else "measured",
        pulse_width=width_how, amplitude=amplitude_how,
        geometry="given" if area_m2 is not None else "assumed")
    source = folder if pulses_path.name == PULSES_FILE else pulses_path
    if area_m2 is not None:
        metadata = {**metadata, "area_m2": float(area_m2)}
    pulses.attrs["quantities"] = quantities.as_dict()
    return CharacterisationData(pulses=pulses, iv=iv, metadata=metadata, source=source,
                                quantities=quantities)


def _delimiter(path: Path) -> str | None:
    """The separator of a small text table: the first of , ; tab found in its first data lines,
    else runs of spaces (None: one column)."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        head = [handle.readline() for _ in range(5)]
    text = "".join(head)
    for sep in (",", ";", "\t"):
        if sep in text:
            return sep
    return r"\s+" if any(len(line.split()) > 1 for line in head) else None


def updown_table(up, down) -> pd.DataFrame:
    """The pulse table of one device and one cycle from its reads after up and after down pulses.

    Parameters
    ----------
    up, down : array of float
        Conductance read after each potentiating, then each depressing pulse, in order (any unit,
        or normalized).

    Returns
    -------
    pandas.DataFrame
        One row per read: ``device`` (``"D1"``), ``cycle`` (1), ``direction``, ``pulse_index``
        (from 1 in each phase) and ``conductance`` (as given).
    """
    up, down = np.asarray(up, dtype=float), np.asarray(down, dtype=float)
    return pd.DataFrame({"device": "D1", "cycle": 1,
                         "direction": [_DIRECTIONS[0]] * up.size + [_DIRECTIONS[1]] * down.size,
                         "pulse_index": np.r_[np.arange(1, up.size + 1), np.arange(1, down.size + 1)],
                         "conductance": np.r_[up, down]})


def load_updown(path: str | Path, width_s: float | None = None, amplitude_V: float | None = None,
                conductance_unit: str | None = None,
                area_m2: float | None = None) -> CharacterisationData:
    """Load a device file in AIHWKit's fitting-example layout (:data:`FORMATS` ``updown``).

    Column 1 holds the reads after consecutive up (potentiation) pulses, column 2 the reads after
    the down (depression) pulses that follow; one read per row; the columns may differ in length
    (empty cells at the end of the shorter one). Separators: comma, semicolon, tab or spaces. A
    first row that is not numeric is a header. The conductance is normalized (no unit, values may
    be negative) unless ``conductance_unit="S"``, when it must be ≥ 0 and plausible for a device
    of ``area_m2`` (m², default 1 µm²). ``width_s`` (s) and ``amplitude_V`` (V) are the pulse
    width and amplitude when known. The result has one device, ``D1``, and one cycle.

    Parameters
    ----------
    path : str or pathlib.Path
        The two-column CSV file.
    width_s : float, optional
        Pulse width (s), > 0; None: unknown.
    amplitude_V : float, optional
        Pulse amplitude (V), the magnitude for both polarities; None: unknown.
    conductance_unit : str, optional
        ``"S"`` for absolute conductances (S); None: normalized (no unit).
    area_m2 : float, optional
        Device area (m²), only with ``conductance_unit="S"``; None: 1 µm² (assumed).

    Returns
    -------
    CharacterisationData
        One device, one cycle, a ``conductance`` (normalized) or ``conductance_S`` (S) column.

    Raises
    ------
    DeviceFileError
        Naming column and row: a missing, empty or unreadable file, other than two columns,
        a non-numeric value, a negative or implausible conductance in S, a column too short for
        the fit or without change.
    ValueError
        For an unknown ``conductance_unit``, ``area_m2`` without ``conductance_unit="S"``, or a
        width or amplitude that is not finite (a width not > 0).
    """
    path = Path(path)
    if conductance_unit not in (None, "S"):
        raise ValueError(f"conductance_unit must be one of (None, 'S'); got {conductance_unit!r}")
    if area_m2 is not None and conductance_unit != "S":
        raise ValueError("area_m2 applies to absolute conductance only (conductance_unit='S')")
    what = "the updown format needs two columns: reads after up pulses, reads after down pulses"
    frame = _read_text_table(path, what)                   # missing/empty file first
    sep = _delimiter(path)
    if sep is None:
        raise DeviceFileError(path, f"1 column; {what}")
    frame = _read_text_table(path, what, header=None, sep=sep, engine="python")
    frame = frame.fillna("").apply(lambda c: c.astype(str).str.strip())
    frame = frame.loc[:, ~(frame == "").all()]           # an empty trailing column (trailing comma)
    if frame.shape[1] != 2:
        raise DeviceFileError(path, f"{frame.shape[1]} column(s); {what}")
    first = frame.iloc[0]
    header = all(pd.isna(pd.to_numeric(v, errors="coerce")) for v in first if v != "")
    names = [str(v) or f"column {i + 1}" for i, v in enumerate(first)] if header else ["up", "down"]
    body = frame.iloc[1:] if header else frame
    lines_before = 1 if header else 0                     # a data row's line is row + this
    area = HZOStack().area_m2 if area_m2 is None else float(area_m2)
    rows = []
    for k, (direction, name) in enumerate(zip(_DIRECTIONS, names)):
        raw = body.iloc[:, k].reset_index(drop=True)
        filled = np.flatnonzero((raw != "").to_numpy())
        if filled.size == 0:
            raise DeviceFileError(path, f"no {direction} reads ({what})", column=name)
        raw = raw.iloc[:filled[-1] + 1]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)

        def fail(i, message):
            raise DeviceFileError(path, message, column=name, row=i + 1, header_lines=lines_before)

        for i, v in enumerate(values):
            if not np.isfinite(v):
                fail(i, f"non-numeric, missing or non-finite value {raw.iloc[i] or '(empty)'!r} "
                        "(only trailing cells of a column may be empty)")
        if conductance_unit == "S":
            if (values < 0).any():
                i = int(np.argmax(values < 0))
                fail(i, f"negative conductance {_plain(values[i])} S; conductances in S must be ≥ 0 "
                        "(for normalized data, leave out conductance_unit)")
            ceiling = MAX_CONDUCTANCE_PER_AREA_S_M2 * area
            if (values > ceiling).any():
                i = int(np.argmax(values > ceiling))
                fail(i, f"conductance {_plain(values[i])} S is implausible for a device of "
                        f"{_plain(area * 1e12)} µm² (at most {_plain(ceiling)} S): nS or µS written "
                        "as S? (area_m2 states another area)")
        if values.size < MIN_PULSES_PER_PHASE:
            raise DeviceFileError(path, f"{values.size} {direction} reads; a degree-{DEGREE} fit of "
                                        f"the curve needs at least {MIN_PULSES_PER_PHASE}", column=name)
        if np.ptp(values) == 0:
            raise DeviceFileError(path, f"the conductance never changes under the {direction} "
                                        f"pulses (every read is {_plain(values[0])}); no step can be "
                                        "fitted to a phase without change", column=name)
        rows.append(values)
    pulses = updown_table(*rows)
    if conductance_unit == "S":
        pulses = pulses.rename(columns={"conductance": "conductance_S"})
    pulses, width_how, amplitude_how = _fill_known(pulses, path, width_s, amplitude_V)
    quantities = Quantities(conductance="measured" if conductance_unit == "S" else "unknown",
                            pulse_width=width_how, amplitude=amplitude_how,
                            geometry="given" if area_m2 is not None else "assumed")
    iv = pd.DataFrame({c: pd.Series(dtype=float if c not in _TEXT_COLUMNS else object)
                       for c in IV_COLUMNS})
    pulses.attrs["quantities"] = quantities.as_dict()
    metadata = {"format": "updown"} | ({"area_m2": float(area_m2)} if area_m2 is not None else {})
    return CharacterisationData(pulses=pulses, iv=iv, metadata=metadata, source=path,
                                quantities=quantities)


def detect_format(path: str | Path) -> str:
    """``fetrain`` for a folder, or for a CSV with more than two columns or whose header names
    fetrain's columns; else ``updown``.

    Parameters
    ----------
    path : str or pathlib.Path
        A folder or a CSV file.

    Returns
    -------
    str
        ``"fetrain"`` or ``"updown"``.

    Raises
    ------
    DeviceFileError
        If ``path`` does not exist.
    """
    path = Path(path)
    if path.is_dir():
        return "fetrain"
    if not path.exists():
        raise DeviceFileError(path, "file not found")
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        head = handle.readline()
    if "direction" in head and "pulse_index" in head:
        return "fetrain"
    sep = _delimiter(path)
    n_fields = len(re.split(sep, head.strip())) if sep else 1
    return "fetrain" if n_fields > 2 else "updown"


def load_device_file(path: str | Path, format: str = "auto", width_s: float | None = None,
                     amplitude_V: float | None = None, area_m2: float | None = None,
                     conductance_unit: str | None = None) -> CharacterisationData:
    """Load a reader's device file in one of :data:`FORMATS` (``auto``: by its header).

    ``width_s`` (s), ``amplitude_V`` (V) and ``area_m2`` (m²) are what the file does not say;
    ``conductance_unit`` (``"S"`` or None) applies to the ``updown`` layout only.

    Parameters
    ----------
    path : str or pathlib.Path
        A campaign folder or a CSV file.
    format : str
        ``"auto"``, ``"fetrain"`` or ``"updown"``.
    width_s : float, optional
        Pulse width (s), > 0; None: the file's, else unknown.
    amplitude_V : float, optional
        Pulse amplitude magnitude (V); None: the file's, else unknown.
    area_m2 : float, optional
        Device area (m²); None: the file's, else 1 µm² (assumed).
    conductance_unit : str, optional
        ``"S"`` or None (normalized), for the ``updown`` layout only.

    Returns
    -------
    CharacterisationData
        The validated tables and how each quantity is known.

    Raises
    ------
    DeviceFileError
        If the file is missing or invalid (see :func:`load_campaign` and :func:`load_updown`).
    ValueError
        For an unknown ``format``, ``conductance_unit`` with the ``fetrain`` layout, or invalid
        options.
    """
    if format not in ("auto", *FORMATS):
        raise ValueError(f"format must be one of {('auto', *FORMATS)}; got {format!r}")
    if format == "auto":
        format = detect_format(path)
    if format == "updown":
        return load_updown(path, width_s=width_s, amplitude_V=amplitude_V,
                           conductance_unit=conductance_unit, area_m2=area_m2)
    if conductance_unit is not None:
        raise ValueError("conductance_unit applies to the updown format only (the fetrain format "
                         "names its unit in the column: conductance_S or conductance)")
    return load_campaign(path, width_s=width_s, amplitude_V=amplitude_V, area_m2=area_m2)


def check_output_folder(out: str | Path) -> Path:
    """Create ``out`` if needed and check that files can be written there, before any work.

    Parameters
    ----------
    out : str or pathlib.Path
        The output folder.

    Returns
    -------
    pathlib.Path
        The folder, created.

    Raises
    ------
    ValueError
        If the folder cannot be created or written to.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".fetrain-write-test"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"output folder {out} is not writable: {exc.strerror or exc}") from None
    return out


def load_embedded() -> CharacterisationData:
    """The embedded synthetic characterisation data set (see :mod:`fetrain.synthetic`).

    Returns
    -------
    CharacterisationData
        The embedded campaign (conductances from currents in A and read voltages in V).
    """
    return load_campaign(None)
