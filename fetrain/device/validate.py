"""Checking characterisation files: pulse-response and I–V tables are read as text, typed, and
checked for the physics and for the fit (enough pulses per phase; plausible currents, voltages,
widths and conductances). Every error (:class:`DeviceFileError`) names the file, the column and
the first offending row. It uses the layouts of :mod:`~fetrain.device.formats`;
:mod:`~fetrain.device.loading` calls it.
"""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from .curves import DEGREE
from .formats import PULSE_COLUMNS
from .stack import HZOStack

#: Fewest pulses a phase needs for a 5th-degree fit and one step from it.
MIN_PULSES_PER_PHASE = DEGREE + 2


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


def plain(x) -> str:
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
    """The columns that carry the conductance, by what the file has (a conductance column wins;
    a read voltage and current beside ``conductance_S`` are read too, to check that they agree)."""
    if "conductance_S" in frame_columns:
        reads = ("read_voltage_V", "read_current_A")
        return ("conductance_S",) + (reads if all(c in frame_columns for c in reads) else ())
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


def _refuse_duplicate_columns(path: Path) -> None:
    """A header that names a column twice is an error: which of the two is meant is unknowable."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = next(csv.reader([handle.readline()]), [])
    names = [name.strip() for name in header]
    for name in names:
        if name and names.count(name) > 1:
            where = [k + 1 for k, n in enumerate(names) if n == name]
            raise DeviceFileError(path, f"the header names column {name!r} {len(where)} times "
                                        f"(columns {', '.join(map(str, where))}); keep one, or "
                                        "rename the others", column=name)


def _read_csv(path: Path, columns) -> pd.DataFrame:
    """Read and type-check a CSV file; ``columns`` is a dict (name → meaning) or a function of the
    file's column names that returns one."""
    frame = _read_text_table(path, "the format needs columns "
                                   f"{list(columns) if isinstance(columns, dict) else list(PULSE_COLUMNS)}")
    frame.columns = [str(c).strip() for c in frame.columns]
    _refuse_duplicate_columns(path)
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
            raise DeviceFileError(path, f"{what} must be > {plain(low)}; got {plain(values[r - 1])}",
                                  column=col, row=r)
    if high is not None:
        bad = np.abs(values) > high
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"{what} of {plain(values[r - 1])} is implausible (at most "
                                        f"{plain(high)}){hint}", column=col, row=r)


#: how far conductance_S and read_current_A / read_voltage_V may disagree in one read (relative):
#: far beyond the noise of a read (0.3 % on the synthetic campaign)
REDUNDANT_TOLERANCE = 0.05


def _check_redundant_conductance(frame: pd.DataFrame, path: Path) -> None:
    """A file that gives the conductance twice (``conductance_S``, and read current over read
    voltage) must give it consistently: otherwise which one is right is unknowable."""
    given = frame["conductance_S"].to_numpy(dtype=float)
    derived = frame["read_current_A"].to_numpy(dtype=float) / frame["read_voltage_V"].to_numpy(dtype=float)
    scale = np.maximum(np.abs(given), np.abs(derived))
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.where(scale > 0, np.abs(given - derived) / scale, 0.0)
    bad = off > REDUNDANT_TOLERANCE
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(
            path, f"columns conductance_S and read_current_A / read_voltage_V disagree: "
                  f"{plain(given[r - 1])} S against {plain(derived[r - 1])} S (by more than "
                  f"{REDUNDANT_TOLERANCE:.0%}, beyond any read noise); give one of them, or correct "
                  "the other", column="conductance_S", row=r)


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
        one direction only; ``conductance_S`` and read current over read voltage, both given, that
        disagree by more than :data:`REDUNDANT_TOLERANCE` (naming both columns).
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
    if "conductance_S" in frame and "read_current_A" in frame:
        _check_redundant_conductance(frame, path)
    if "conductance" not in frame:
        if "conductance_S" in frame:
            col, conductance, how = "conductance_S", frame["conductance_S"].to_numpy(), "conductance_S"
        else:
            col, how = "read_current_A", "read_current_A / read_voltage_V"
            conductance = frame["read_current_A"].to_numpy() / frame["read_voltage_V"].to_numpy()
        bad = conductance < 0
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"negative conductance ({plain(conductance[r - 1])} S = "
                                        f"{how}); conductances must be ≥ 0 (for normalized data, "
                                        "use a 'conductance' column)", column=col, row=r)
        ceiling = MAX_CONDUCTANCE_PER_AREA_S_M2 * area
        bad = conductance > ceiling
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"conductance {plain(conductance[r - 1])} S ({how}) is "
                                        f"implausible for a device of {plain(area * 1e12)} µm² (at "
                                        f"most {plain(ceiling)} S); the column must be in "
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
        name = f"pulse width {plain(width)} s" if width > 0 else "the data"
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
                                            f"(every read is {plain(values[0])}); no step can be "
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
