"""Reading characterisation data: the embedded synthetic campaign, or a reader's files.

Files in, validated tidy tables out (:class:`CharacterisationData`), with errors that name the
file, the column and the first offending row (:mod:`~fetrain.device.validate`). It reads plain CSV
and JSON only (never pickle).

Two layouts are read (:data:`FORMATS`; the book's appendix "Bring your own device" documents
both):

* ``fetrain`` — the embedded data set's layout, :data:`fetrain.device.formats.PULSE_COLUMNS`: one row
  per read after a pulse, with columns ``device``, ``pulse_width_s``, ``cycle``, ``direction``
  (``potentiation``/``depression``), ``pulse_index`` (1, 2, … within a phase), ``amplitude_V``,
  ``read_voltage_V`` and ``read_current_A``. Instead of the read voltage and current, a
  ``conductance_S`` column (S) or a ``conductance`` column (normalized, no unit, any offset) may
  be given; ``pulse_width_s`` and ``amplitude_V`` may be left out when unknown. Optional beside
  ``pulses.csv``: ``iv_sweeps.csv`` (:data:`fetrain.device.formats.IV_COLUMNS`) and a
  ``campaign.json`` of provenance (``"area_m2"`` there states the device area).
* ``updown`` — the layout of AIHWKit's device-fitting example: two columns, the reads after
  consecutive up (potentiation) pulses and the reads after the down (depression) pulses that
  follow, one read per row, normalized conductance; an optional header row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.checks import plain
from ..common.files import SHIPPED_DIR
from .curves import DEGREE
from .formats import IV_COLUMNS, IV_FILE, META_FILE, PULSES_FILE
from .model import Quantities
from .stack import HZOStack
from .validate import (
    _DIRECTIONS,
    _TEXT_COLUMNS,
    MAX_CONDUCTANCE_PER_AREA_S_M2,
    MAX_PULSE_WIDTH_S,
    MAX_VOLTAGE_V,
    MIN_PULSES_PER_PHASE,
    DeviceFileError,
    _pulse_columns,
    _read_csv,
    _read_text_table,
    validate_iv,
    validate_pulses,
)

#: The folder of the embedded data set, found relative to this module.
DATA_DIR: Path = SHIPPED_DIR / "synthetic_hzo"


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
        (:class:`fetrain.device.model.Quantities`).
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
            high = MAX_PULSE_WIDTH_S if col == "pulse_width_s" else MAX_VOLTAGE_V
            if not (np.isfinite(value) and 0 < value <= high):
                what = ("the pulse width" if col == "pulse_width_s" else
                        "the pulse amplitude, a magnitude (the polarity follows each read's "
                        "direction)")
                raise ValueError(f"{col} is {what}: a number > 0 and ≤ {high:g} {unit}; got "
                                 f"{plain(value)}")
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

    Raises :class:`~fetrain.device.validate.DeviceFileError` (a ``ValueError``) naming the file, column and first offending
    row for: a missing or empty file, a missing column (with a hint for a misspelt one), a column
    named twice in the header, a conductance given twice (``conductance_S`` and read current over
    read voltage) that disagrees,
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
        If ``width_s`` is not in (0, 1] s, or ``amplitude_V`` not in (0, 20] V.
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
                fail(i, f"negative conductance {plain(values[i])} S; conductances in S must be ≥ 0 "
                        "(for normalized data, leave out conductance_unit)")
            ceiling = MAX_CONDUCTANCE_PER_AREA_S_M2 * area
            if (values > ceiling).any():
                i = int(np.argmax(values > ceiling))
                fail(i, f"conductance {plain(values[i])} S is implausible for a device of "
                        f"{plain(area * 1e12)} µm² (at most {plain(ceiling)} S): nS or µS written "
                        "as S? (area_m2 states another area)")
        if values.size < MIN_PULSES_PER_PHASE:
            raise DeviceFileError(path, f"{values.size} {direction} reads; a degree-{DEGREE} fit of "
                                        f"the curve needs at least {MIN_PULSES_PER_PHASE}", column=name)
        if np.ptp(values) == 0:
            raise DeviceFileError(path, f"the conductance never changes under the {direction} "
                                        f"pulses (every read is {plain(values[0])}); no step can be "
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


def load_embedded() -> CharacterisationData:
    """The embedded synthetic characterisation data set (see :mod:`fetrain.device.campaign`).

    Returns
    -------
    CharacterisationData
        The embedded campaign (conductances from currents in A and read voltages in V).
    """
    return load_campaign(None)
