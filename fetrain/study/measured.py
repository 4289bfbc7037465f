"""A reader's measured campaign as the sweep's device: one device model per measured pulse width,
fitted as Chapter 2 fits them, and the record that names the campaign in a results folder.

The campaign is a folder or file in a layout :func:`fetrain.device.loading.load_device_file`
reads (conductances in siemens, or read currents with the read voltage; width and amplitude per
pulse). Its scheme is the one it was measured with, named :data:`MEASURED` in a sweep. Where the
files lack what energy needs (a normalized conductance, an unknown width or amplitude), the models
say so (``DeviceModel.energy_available``), every energy of its runs is NaN, and the sweep's ranking
falls back to pulses (:func:`fetrain.study.tradeoff.rank_widths`).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

#: the scheme name of a measured campaign in a sweep
MEASURED = "measured"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    return [path]


def campaign_checksum(path: str | Path) -> str:
    """SHA-256 (hex) over a campaign's files (names and bytes, in name order).

    Parameters
    ----------
    path : str or pathlib.Path
        The campaign folder or file.

    Returns
    -------
    str
        64 hexadecimal digits.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"campaign {path}: no such file or folder")
    digest = hashlib.sha256()
    for f in _files(path):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _models(path: str, checksum: str) -> dict:
    from ..device.build import build_device_models
    from ..device.loading import load_device_file

    data = load_device_file(path)
    widths = [t for t in data.widths_s if np.isfinite(t)]
    if not widths:
        raise ValueError(f"campaign {path}: its pulses name no pulse width (pulse_width_s); a "
                         "sweep across widths needs each read's width")
    return build_device_models(data.pulses[np.isfinite(data.pulses["pulse_width_s"])],
                               source=str(data.label), stack=data.stack,
                               quantities=data.quantities)


def campaign_models(path: str | Path) -> dict:
    """The device model of every width of a measured campaign, keyed by width (s), ascending.

    Parameters
    ----------
    path : str or pathlib.Path
        The campaign folder or file.

    Returns
    -------
    dict of float to DeviceModel
        One model per width (s).

    Raises
    ------
    FileNotFoundError
        If the campaign does not exist.
    fetrain.device.validate.DeviceFileError
        If a file is invalid (naming the file, column and row).
    ValueError
        If no read names its pulse width.
    """
    path = Path(path).resolve()
    return _models(str(path), campaign_checksum(path))


def campaign_widths(path: str | Path) -> tuple[float, ...]:
    """The measured pulse widths of a campaign (s), ascending."""
    return tuple(campaign_models(path))


def energy_missing(models: dict) -> tuple[str, ...]:
    """What the campaign's files lack for energy (empty when every width gives joules)."""
    missing: list[str] = []
    for m in models.values():
        for item in m.quantities.missing_for_energy():
            if item not in missing:
                missing.append(item)
    return tuple(missing)


def campaign_record(path: str | Path) -> dict:
    """How a results folder names a measured campaign: its path, checksum, widths and what it
    lacks for energy.

    Parameters
    ----------
    path : str or pathlib.Path
        The campaign folder or file.

    Returns
    -------
    dict
        ``path`` (absolute), ``sha256``, ``widths_s`` (s), ``energy`` (``"available"`` or what
        is missing, in words).
    """
    path = Path(path).resolve()
    models = campaign_models(path)
    missing = energy_missing(models)
    return {"path": str(path), "sha256": campaign_checksum(path),
            "widths_s": [float(t) for t in models],
            "energy": "available" if not missing else "unavailable: the data lack "
                                                       + "; ".join(missing)}
