"""Reading characterisation data: the embedded synthetic campaign, or a reader's files.

This module's room: files in, validated tidy tables out, with errors that name the file, the column
and the first offending row. It reads plain CSV and JSON only (never pickle).

The format (the book's appendix "Bring your own device" documents it) is that of the embedded data
set, :data:`fetrain.synthetic.PULSE_COLUMNS`: one row per read after a pulse, with columns
``device``, ``pulse_width_s``, ``cycle``, ``direction`` (``potentiation``/``depression``),
``pulse_index`` (1, 2, … within a phase), ``amplitude_V``, ``read_voltage_V`` and
``read_current_A``. Optional: ``iv_sweeps.csv`` (:data:`fetrain.synthetic.IV_COLUMNS`) and a
``campaign.json`` of provenance.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .devicemodel import DEGREE
from .synthetic import IV_COLUMNS, IV_FILE, META_FILE, PULSE_COLUMNS, PULSES_FILE

#: The folder of the embedded data set, found relative to this module.
DATA_DIR: Path = Path(__file__).resolve().parent / "data" / "synthetic_hzo"

#: Fewest pulses a phase needs for a 5th-degree fit and one step from it.
MIN_PULSES_PER_PHASE = DEGREE + 2

_TEXT_COLUMNS = {"device", "direction", "state"}
_INTEGER_COLUMNS = {"cycle", "pulse_index"}
_DIRECTIONS = ("potentiation", "depression")


class DeviceFileError(ValueError):
    """A characterisation file that cannot be used; the message names file, column and row.

    ``row`` is the 1-based data row (the file's line number is ``row + 1``, after the header).
    """

    def __init__(self, path, message: str, column: str | None = None, row: int | None = None):
        where = [str(path)]
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row} (line {row + 1})")
        super().__init__(f"{', '.join(where)}: {message}")
        self.path, self.column, self.row = Path(path), column, row


@dataclass(frozen=True)
class CharacterisationData:
    """A characterisation campaign as validated tables.

    Attributes
    ----------
    pulses : one row per read after a pulse (columns of ``PULSE_COLUMNS``), in file order.
    iv : one row per I–V sweep point (columns of ``IV_COLUMNS``); may be empty.
    metadata : units and provenance (``campaign.json``), or an empty dict.
    source : the folder the data came from.
    """

    pulses: pd.DataFrame
    iv: pd.DataFrame
    metadata: dict
    source: Path

    @property
    def synthetic(self) -> bool:
        """Whether the data set declares itself synthetic."""
        return bool(self.metadata.get("synthetic", False))

    @property
    def widths_s(self) -> tuple[float, ...]:
        """The pulse widths present, ascending, s."""
        return tuple(sorted(float(t) for t in self.pulses["pulse_width_s"].unique()))

    @property
    def label(self) -> str:
        """How the book names this data set."""
        if self.source.resolve() == DATA_DIR:
            return "embedded synthetic data set"
        return f"{'synthetic ' if self.synthetic else ''}data set {self.source}"


def _first_row(mask) -> int:
    """1-based data row of the first True in ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 1


def _read_csv(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    if not path.is_file():
        raise DeviceFileError(path, f"file not found (the format needs columns {list(columns)})")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DeviceFileError(path, f"not a readable CSV file ({err})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(c, [k for k in frame.columns if k not in columns], n=1)
            hints.append(f"{c!r}" + (f" (found {close[0]!r}: misspelt?)" if close else ""))
        raise DeviceFileError(path, f"missing column(s) {', '.join(hints)}; the format needs "
                                    f"{list(columns)} (units in the names: s, V, A)",
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


def validate_pulses(frame: pd.DataFrame, path) -> pd.DataFrame:
    """Check a pulse-response table for the physics and the fit; raise DeviceFileError or return it."""
    rows = np.arange(1, len(frame) + 1)
    for col, what in (("pulse_width_s", "pulse widths"), ("read_voltage_V", "read voltages")):
        bad = frame[col].to_numpy() <= 0
        if bad.any():
            r = _first_row(bad)
            raise DeviceFileError(path, f"{what} must be > 0; got {frame[col].iloc[r - 1]!r}",
                                  column=col, row=r)
    conductance = frame["read_current_A"].to_numpy() / frame["read_voltage_V"].to_numpy()
    bad = conductance < 0
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"negative conductance ({conductance[r - 1]:.3g} S = "
                                    "read_current_A / read_voltage_V); conductances must be ≥ 0",
                              column="read_current_A", row=r)
    bad = ~frame["direction"].isin(_DIRECTIONS).to_numpy()
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"direction must be one of {_DIRECTIONS}; got "
                                    f"{frame['direction'].iloc[r - 1]!r}", column="direction", row=r)
    keys = ["device", "pulse_width_s", "cycle", "direction"]
    previous = frame.groupby(keys, sort=False)["pulse_index"].shift()
    bad = (previous.notna() & (frame["pulse_index"] <= previous)).to_numpy()
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"pulse indices must increase within a cycle's phase; "
                                    f"{frame['pulse_index'].iloc[r - 1]} follows {int(previous.iloc[r - 1])} "
                                    f"(device {frame['device'].iloc[r - 1]!r}, cycle "
                                    f"{frame['cycle'].iloc[r - 1]}, {frame['direction'].iloc[r - 1]})",
                              column="pulse_index", row=r)
    for width, grp in frame.groupby("pulse_width_s", sort=False):
        present = set(grp["direction"])
        for direction in _DIRECTIONS:
            if direction not in present:
                other = (present - {direction}).pop()
                r = int(rows[frame.index.get_loc(grp.index[0])])
                raise DeviceFileError(path, f"pulse width {width:g} s has {other} data but no "
                                            f"{direction} data; a device model needs both",
                                      column="direction", row=r)
        for direction, sub in grp.groupby("direction", sort=False):
            n = sub["pulse_index"].nunique()
            if n < MIN_PULSES_PER_PHASE:
                r = int(rows[frame.index.get_loc(sub.index[0])])
                raise DeviceFileError(path, f"pulse width {width:g} s, {direction}: {n} distinct "
                                            f"pulse indices; a degree-{DEGREE} fit of the curve "
                                            f"needs at least {MIN_PULSES_PER_PHASE}",
                                      column="pulse_index", row=r)
    return frame


def validate_iv(frame: pd.DataFrame, path) -> pd.DataFrame:
    """Check an I–V sweep table; raise DeviceFileError or return it."""
    bad = frame["temperature_K"].to_numpy() <= 0
    if bad.any():
        r = _first_row(bad)
        raise DeviceFileError(path, f"temperatures must be > 0 K; got {frame['temperature_K'].iloc[r - 1]!r}",
                              column="temperature_K", row=r)
    return frame


def load_campaign(folder: str | Path | None = None) -> CharacterisationData:
    """Load and validate a campaign folder: ``pulses.csv``, optionally ``iv_sweeps.csv`` and
    ``campaign.json``. ``folder=None`` loads the embedded synthetic data set.

    Raises :class:`DeviceFileError` (a ``ValueError``) naming the file, column and first offending
    row for: a missing file or column (with a hint for a misspelt one), non-numeric, missing, NaN
    or infinite values, non-integer cycles or pulse indices, pulse widths or read voltages ≤ 0,
    negative conductances, an unknown direction, pulse indices that do not increase within a
    cycle's phase, a phase with fewer pulses than a 5th-degree fit needs, and a pulse width with
    potentiation but no depression data (or the reverse).
    """
    folder = DATA_DIR if folder is None else Path(folder)
    pulses_path = folder / PULSES_FILE
    pulses = validate_pulses(_read_csv(pulses_path, PULSE_COLUMNS), pulses_path)
    iv_path = folder / IV_FILE
    if iv_path.exists():
        iv = validate_iv(_read_csv(iv_path, IV_COLUMNS), iv_path)
    else:
        iv = pd.DataFrame({c: pd.Series(dtype=float if c not in _TEXT_COLUMNS else object)
                           for c in IV_COLUMNS})
    meta_path = folder / META_FILE
    metadata = {}
    if meta_path.exists():
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise DeviceFileError(meta_path, f"not valid JSON ({err})") from None
    return CharacterisationData(pulses=pulses, iv=iv, metadata=metadata, source=folder)


def load_embedded() -> CharacterisationData:
    """The embedded synthetic characterisation data set (see :mod:`fetrain.synthetic`)."""
    return load_campaign(None)
