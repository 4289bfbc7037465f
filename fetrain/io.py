"""Reading characterisation data: the embedded synthetic campaign, or a reader's files.

This module's room: files in, tidy tables out, with clear errors. It reads plain CSV and JSON only
(never pickle). The format is that of :mod:`fetrain.synthetic` (its ``PULSE_COLUMNS`` and
``IV_COLUMNS``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .synthetic import IV_COLUMNS, IV_FILE, META_FILE, PULSE_COLUMNS, PULSES_FILE

#: The folder of the embedded data set, found relative to this module.
DATA_DIR: Path = Path(__file__).resolve().parent / "data" / "synthetic_hzo"


@dataclass(frozen=True)
class CharacterisationData:
    """A characterisation campaign as tables.

    Attributes
    ----------
    pulses : one row per read after a pulse (columns of ``PULSE_COLUMNS``).
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
        return tuple(sorted(self.pulses["pulse_width_s"].unique()))


def _read_table(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found (expected columns: {', '.join(columns)})")
    frame = pd.read_csv(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; the format needs "
                         f"{list(columns)} (see fetrain.synthetic.PULSE_COLUMNS / IV_COLUMNS)")
    return frame[list(columns)]


def load_campaign(folder: str | Path | None = None) -> CharacterisationData:
    """Load a campaign folder holding ``pulses.csv``, optionally ``iv_sweeps.csv`` and ``campaign.json``.

    ``folder=None`` loads the embedded synthetic data set.
    """
    folder = DATA_DIR if folder is None else Path(folder)
    pulses = _read_table(folder / PULSES_FILE, PULSE_COLUMNS)
    iv_path = folder / IV_FILE
    iv = _read_table(iv_path, IV_COLUMNS) if iv_path.exists() else pd.DataFrame(columns=list(IV_COLUMNS))
    meta_path = folder / META_FILE
    metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return CharacterisationData(pulses=pulses, iv=iv, metadata=metadata, source=folder)


def load_embedded() -> CharacterisationData:
    """The embedded synthetic characterisation data set (see :mod:`fetrain.synthetic`)."""
    return load_campaign(None)
