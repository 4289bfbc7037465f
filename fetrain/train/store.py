"""Training runs as plain files: results written and read back without pickle (CSV, JSON,
safetensors), and a run cache keyed by configuration, data and code (:func:`train_cached`). The key
holds the fingerprint of the code that decides a run's numbers
(:func:`fetrain.common.fingerprint.engine_fingerprint`), so a change to that code trains afresh
while a change to the book or the figures does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.files import default_cache_dir
from ..common.fingerprint import engine_fingerprint
from .config import TrainConfig
from .data import MNIST
from .loop import RunResult, train


def save_result(result: RunResult, folder: str | Path) -> Path:
    """Write a result as plain files: history.csv, config.json, arrays.safetensors.

    Parameters
    ----------
    result : RunResult
        The result.
    folder : str or pathlib.Path
        Output folder, created if missing.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    from safetensors.numpy import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    result.history.to_csv(folder / "history.csv", index=False)
    meta = {"config": result.config.describe(), "data_set": result.data_set,
            "seconds": result.seconds}
    (folder / "config.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    arrays = {}
    for li, (w, ref, (up, down)) in enumerate(zip(result.weights, result.references,
                                                  result.pulse_counts)):
        arrays[f"w_L{li + 1}"] = np.ascontiguousarray(w)
        arrays[f"ref_L{li + 1}"] = np.ascontiguousarray(ref)
        arrays[f"pulses_up_L{li + 1}"] = np.ascontiguousarray(up)
        arrays[f"pulses_down_L{li + 1}"] = np.ascontiguousarray(down)
        arrays[f"symmetry_points_L{li + 1}"] = np.ascontiguousarray(result.symmetry_points[li])
    save_file(arrays, str(folder / "arrays.safetensors"))
    return folder


def load_result(folder: str | Path, config: TrainConfig) -> RunResult:
    """Read a result written by :func:`save_result` back (plain files only), for ``config``.

    Raises ``ValueError`` if the folder holds another configuration's result.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder written by :func:`save_result`.
    config : TrainConfig
        The configuration the result must belong to.

    Returns
    -------
    RunResult
        The result (its units as in :class:`~fetrain.train.loop.RunResult`).

    Raises
    ------
    ValueError
        If the folder holds another configuration's result.
    """
    from safetensors.numpy import load_file

    history, meta = load_history(folder)
    if meta["config"] != json.loads(json.dumps(config.describe())):
        raise ValueError(f"{folder}: holds the result of another configuration")
    arrays = load_file(str(Path(folder) / "arrays.safetensors"))
    n_layers = sum(1 for k in arrays if k.startswith("w_L"))
    get = lambda name: [arrays[f"{name}_L{li + 1}"] for li in range(n_layers)]  # noqa: E731
    return RunResult(config=config, data_set=meta["data_set"], history=history,
                     weights=get("w"), references=get("ref"),
                     pulse_counts=list(zip(get("pulses_up"), get("pulses_down"))),
                     symmetry_points=get("symmetry_points"), seconds=float(meta["seconds"]))


def train_cached(configs: list[TrainConfig], data: MNIST, cache_dir: str | Path | None = None,
                 progress: bool = False) -> list[RunResult]:
    """Like :func:`~fetrain.train.loop.train`, but each configuration's result is kept as plain files, keyed by the
    configuration, the data set and the fetrain code fingerprint; configurations found there are
    read back instead of trained again (so chapters can share runs). A change to fetrain's code
    or data changes the key: nothing is served from other code. What is missing is trained with
    :func:`~fetrain.train.loop.train`, grouped by epochs and evaluation rate.

    Parameters
    ----------
    configs : list of TrainConfig
        The configurations.
    data : MNIST
        The data set.
    cache_dir : str or pathlib.Path, optional
        Cache folder; None: :func:`~fetrain.common.files.default_cache_dir`.
    progress : bool
        Show a progress bar.

    Returns
    -------
    list of RunResult
        One result per configuration, in order.
    """
    import hashlib

    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    code = engine_fingerprint()

    def folder(cfg: TrainConfig) -> Path:
        key = json.dumps({"config": cfg.describe(), "data": data.label, "code": code},
                         sort_keys=True)
        return root / code / hashlib.sha256(key.encode()).hexdigest()[:20]

    results: list[RunResult | None] = []
    for cfg in configs:
        f = folder(cfg)
        results.append(load_result(f, cfg) if (f / "arrays.safetensors").exists() else None)
    missing = [k for k, r in enumerate(results) if r is None]
    if missing:
        for key in sorted({(configs[k].epochs, configs[k].evaluations_per_epoch) for k in missing}):
            group = [k for k in missing
                     if (configs[k].epochs, configs[k].evaluations_per_epoch) == key]
            trained = train([configs[k] for k in group], data, progress=progress)
            for k, result in zip(group, trained):
                save_result(result, folder(configs[k]))
                results[k] = result
    return results


def load_history(folder: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read back a saved result's history and metadata (plain CSV and JSON).

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder written by :func:`save_result`.

    Returns
    -------
    history : pandas.DataFrame
        The history (columns as in :class:`~fetrain.train.loop.RunResult`).
    meta : dict
        ``config`` (its description), ``data_set`` and ``seconds`` (s).
    """
    folder = Path(folder)
    return (pd.read_csv(folder / "history.csv"),
            json.loads((folder / "config.json").read_text(encoding="utf-8")))
