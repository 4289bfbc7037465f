"""Where fetrain reads and writes: the data that ship with the package, the output folder of a
command (checked before any work starts), the results folder of the long sweeps and the run cache
(each can be moved by an environment variable), and plain numbers in JSON. It uses nothing else of
fetrain.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

#: the fetrain package's folder
PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]
#: the data that ship with fetrain (the embedded campaign, and results made by fetrain's commands)
SHIPPED_DIR: Path = PACKAGE_DIR / "data"


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


def results_dir() -> Path:
    """Where the long sweeps write their results: ``$FETRAIN_RESULTS`` or ``results/`` in the
    repository that holds fetrain.

    Returns
    -------
    pathlib.Path
        The results folder.
    """
    import os

    env = os.environ.get("FETRAIN_RESULTS")
    return Path(env) if env else PACKAGE_DIR.parent / "results"


def default_cache_dir() -> Path:
    """Where :func:`~fetrain.train.store.train_cached` keeps runs: ``$FETRAIN_CACHE`` or ``~/.cache/fetrain``.

    Returns
    -------
    pathlib.Path
        The ``runs`` folder under that root.
    """
    import os

    return Path(os.environ.get("FETRAIN_CACHE", Path.home() / ".cache" / "fetrain")) / "runs"


def data_cache_dir() -> Path:
    """Where fetched data sets are kept (full MNIST): ``$FETRAIN_CACHE/data`` or
    ``~/.cache/fetrain/data``.

    Returns
    -------
    pathlib.Path
        The ``data`` folder under that root.
    """
    import os

    return Path(os.environ.get("FETRAIN_CACHE", Path.home() / ".cache" / "fetrain")) / "data"


def json_ready(value):
    """JSON-ready: NaN and inf as None, numpy numbers as Python numbers."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
