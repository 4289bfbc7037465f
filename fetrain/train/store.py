"""Training runs as plain files: results written and read back without pickle (CSV, JSON,
safetensors; each written atomically and sealed by a manifest, :mod:`fetrain.common.storage`),
and a run cache keyed by configuration, data and code (:func:`train_cached`). The key
holds the fingerprint of the code that decides a run's numbers
(:func:`fetrain.common.fingerprint.engine_fingerprint`), so a change to that code trains afresh
while a change to the book or the figures does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..common import storage
from ..common.files import default_cache_dir, json_ready
from ..common.fingerprint import engine_fingerprint
from ..common.storage import MANIFEST, DamagedFile
from .config import TrainConfig
from .data import MNIST
from .loop import RunResult, train

#: the files of a stored result (with the manifest that seals them)
RESULT_FILES = ("history.csv", "config.json", "arrays.safetensors")


def save_result(result: RunResult, folder: str | Path) -> Path:
    """Write a result as plain files — history.csv, config.json, arrays.safetensors — each
    atomically, then the manifest that seals them (:func:`fetrain.common.storage.seal`): a
    folder whose manifest is missing or does not match is not a result.

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
    (folder / MANIFEST).unlink(missing_ok=True)      # not done until sealed again
    storage.write_csv(folder / "history.csv", result.history)
    storage.write_json(folder / "config.json",
                       json_ready({"config": result.config.describe(), "data_set": result.data_set,
                                   "seconds": result.seconds}))
    arrays = {}
    for li, (w, ref, (up, down)) in enumerate(zip(result.weights, result.references,
                                                  result.pulse_counts)):
        arrays[f"w_L{li + 1}"] = np.ascontiguousarray(w)
        arrays[f"ref_L{li + 1}"] = np.ascontiguousarray(ref)
        arrays[f"pulses_up_L{li + 1}"] = np.ascontiguousarray(up)
        arrays[f"pulses_down_L{li + 1}"] = np.ascontiguousarray(down)
        arrays[f"symmetry_points_L{li + 1}"] = np.ascontiguousarray(result.symmetry_points[li])
    for name, layers in result.array_counts.items():
        for li, (up, down) in enumerate(layers):
            arrays[f"pulses_up_{name}_L{li + 1}"] = np.ascontiguousarray(up)
            arrays[f"pulses_down_{name}_L{li + 1}"] = np.ascontiguousarray(down)
    with storage.replacing(folder / "arrays.safetensors") as tmp:
        save_file(arrays, str(tmp))
    storage.seal(folder, RESULT_FILES)
    return folder


def load_result(folder: str | Path, config: TrainConfig) -> RunResult:
    """Read a result written by :func:`save_result` back (plain files only, each checked against
    the folder's manifest), for ``config``.

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
    fetrain.common.storage.DamagedFile
        If a file is missing, altered or unreadable.
    """
    from safetensors.numpy import load_file

    folder = Path(folder)
    history, meta = load_history(folder)
    if meta.get("config") != json.loads(json.dumps(json_ready(config.describe()))):
        raise ValueError(f"{folder}: holds the result of another configuration")
    path = folder / "arrays.safetensors"                 # checked with the folder above
    try:
        arrays = load_file(str(path))
        n_layers = sum(1 for k in arrays if k.startswith("w_L"))
        get = lambda name: [arrays[f"{name}_L{li + 1}"] for li in range(n_layers)]
        further = {name: list(zip(get(f"pulses_up_{name}"), get(f"pulses_down_{name}")))
                   for name in config.algorithm.ledgers}
        return RunResult(config=config, data_set=meta["data_set"], history=history,
                         weights=get("w"), references=get("ref"),
                         pulse_counts=list(zip(get("pulses_up"), get("pulses_down"))),
                         symmetry_points=get("symmetry_points"), seconds=float(meta["seconds"]),
                         array_counts=further)
    except Exception as err:  # noqa: BLE001 (a file that matches its manifest but not the format)
        raise DamagedFile(path, f"unreadable ({type(err).__name__}: {err})") from None


def train_cached(configs: list[TrainConfig], data: MNIST, cache_dir: str | Path | None = None,
                 progress: bool = False) -> list[RunResult]:
    """Like :func:`~fetrain.train.loop.train`, but each configuration's result is kept as plain files, keyed by the
    configuration, the data set and the fetrain code fingerprint; configurations found there are
    read back instead of trained again (so chapters can share runs). A change to fetrain's code
    or data changes the key: nothing is served from other code. What is missing is trained with
    :func:`~fetrain.train.loop.train`, grouped by epochs and evaluation rate.

    An entry is used only when its manifest matches its files; a damaged entry is trained again,
    with a one-line notice naming the file. While a process trains entries it holds their locks:
    a second process that needs the same entries waits for them and then reads them back, so no
    run is ever trained twice.

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
    from contextlib import ExitStack

    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    code = engine_fingerprint()

    def folder(cfg: TrainConfig) -> Path:
        key = json.dumps({"config": cfg.describe(), "data": data.label, "code": code},
                         sort_keys=True)
        return root / code / hashlib.sha256(key.encode()).hexdigest()[:20]

    def read(k: int, quiet: bool = False) -> RunResult | None:
        f = folder(configs[k])
        if not f.exists():
            return None
        try:
            return load_result(f, configs[k])
        except (DamagedFile, ValueError) as err:
            if not quiet:
                storage.notice(f"run cache: {err}; training that run again")
            return None

    results: list[RunResult | None] = [read(k, quiet=True) for k in range(len(configs))]
    missing = [k for k, r in enumerate(results) if r is None]
    if not missing:
        return results
    with ExitStack() as stack:
        # one lock per entry, taken in a fixed order (no two processes wait for each other)
        for f in sorted({folder(configs[k]) for k in missing}):
            stack.enter_context(storage.locked(f.with_name(f.name + ".lock"),
                                               f"run cache entry {f}"))
        # another process may have trained some while this one waited
        for k in missing:
            results[k] = read(k)
        missing = [k for k, r in enumerate(results) if r is None]
        for key in sorted({(configs[k].epochs, configs[k].evaluations_per_epoch) for k in missing}):
            group = [k for k in missing
                     if (configs[k].epochs, configs[k].evaluations_per_epoch) == key]
            trained = train([configs[k] for k in group], data, progress=progress)
            for k, result in zip(group, trained):
                save_result(result, folder(configs[k]))
                results[k] = result
    return results


def load_history(folder: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read back a saved result's history and metadata (plain CSV and JSON, each checked
    against the folder's manifest).

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

    Raises
    ------
    fetrain.common.storage.DamagedFile
        If a file is missing, altered or unreadable.
    """
    folder = Path(folder)
    storage.check_folder(folder)                         # every file once, against the manifest
    history = storage.read_csv(folder / "history.csv", verify=False)
    meta = storage.read_json(folder / "config.json")
    if not isinstance(meta, dict):
        raise DamagedFile(folder / "config.json", "is not a stored result's record")
    return history, meta
