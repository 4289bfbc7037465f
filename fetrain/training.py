"""Training runs: the loop over epochs, evaluations, the history, and results as plain files.

This module's room: driving :class:`fetrain.engine.Engine` through epochs on a data set, recording
accuracy, pulses and joules at every evaluation, and writing/reading results and checkpoints as
plain data (CSV, JSON, safetensors) — never pickle.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .algorithms import COUNTER_COLUMNS
from .crossbar import SUM_COLUMNS
from .data import MNIST
from .energy import ledger_energy
from .engine import Engine, TrainConfig, data_order

#: Chosen once, on the validation split, by the pilot (``fetrain/data/pilot``) with the rule
#: :func:`choose_from_pilot` — before any sweep, and never moved afterwards (Chapter 3).
DEFAULT_LR: float = 0.1
DEFAULT_EPOCHS: int = 10
#: Target test accuracy per data set (the embedded subset's from the pilot; full MNIST's is the
#: study's 95%).
TARGET_ACCURACY: dict[str, float] = {"embedded": 0.70, "full": 0.95}


@dataclass(frozen=True, eq=False)
class RunResult:
    """The outcome of one configuration.

    Attributes
    ----------
    config : TrainConfig
        The configuration (its ``describe()`` is written to the results).
    data_set : str
        The data set's label.
    history : pandas.DataFrame
        One row per evaluation: epoch (fractional), samples (counts), validation and test
        accuracy (fractions, 0 … 1), cumulative up/down pulses per layer and in total (counts),
        cumulative analog write energy (J; study and complete forms: ``energy_study_J``,
        ``energy_complete_J``; NaN when the device model's data cannot give joules, see
        ``DeviceModel.energy_available``), mixed precision's cumulative digital work
        (``chi_updates``, ``chi_scans``, ``chi_rewrites``: χ elements, counts) and its energy at
        the default per-operation costs of :class:`fetrain.energy.DigitalCosts`
        (``energy_digital_J``, J; 0 for plain SGD).
    weights : list of array of float32
        The final device states w per layer, out × in (w units).
    references : list of array of float32
        The reference states per layer (w units).
    pulse_counts : list of tuple of array of int32
        Per layer, (up, down) pulses per device, out × in (counts).
    symmetry_points : list of array of float
        Per layer, each device's symmetry point (w units; NaN for the float baseline).
    seconds : float
        Wall time of the run (s), shared when configurations train side by side.
    """

    config: TrainConfig
    data_set: str
    history: pd.DataFrame
    weights: list
    references: list
    pulse_counts: list
    symmetry_points: list
    seconds: float

    @property
    def final(self) -> pd.Series:
        """The last row of ``history`` (the end of training), in its columns' units."""
        return self.history.iloc[-1]


def _snapshot(engine: Engine, c: int, epoch: float, samples: int, val: float, test: float) -> dict:
    cfg = engine.configs[c]
    snap = engine.snapshot(c)
    row = {"epoch": epoch, "samples": samples, "val_accuracy": val, "test_accuracy": test}
    total = {name: 0.0 for name in SUM_COLUMNS}
    for li in range(len(engine.sizes) - 1):
        t = snap[f"L{li + 1}"]
        row[f"pulses_up_L{li + 1}"] = t["n_up"]
        row[f"pulses_down_L{li + 1}"] = t["n_down"]
        for key in total:
            total[key] += t[key]
    row["pulses"] = total["n_up"] + total["n_down"]
    # every rule's counters are columns of every history (0 where a rule does not count them)
    for name in COUNTER_COLUMNS:
        row[name] = float(snap["counters"].get(name, 0))
    row["energy_digital_J"] = cfg.algorithm.digital_energy_J(snap["counters"])
    if cfg.analog:
        e = ledger_energy(cfg.model, **total)
        row["energy_study_J"] = e["study"]
        row["energy_complete_J"] = e["complete"]
    else:
        row["energy_study_J"] = row["energy_complete_J"] = float("nan")
    return row


def train(configs: list[TrainConfig], data: MNIST, progress: bool = False,
          checkpoint_dir: str | Path | None = None, workers: int | None = None) -> list[RunResult]:
    """Train configurations side by side on ``data``; every configuration the same number of epochs.

    Each configuration sees its own data order (seeded by its seed) and trains in its own compiled
    loop; the configurations are spread over ``workers`` threads (default
    :func:`fetrain.engine.default_workers`: the cores), and each result is the same whichever
    configurations train beside it and however many threads there are. Evaluations on the
    validation and test splits happen ``evaluations_per_epoch`` times per epoch and once before
    training; configurations trained together must share that rate.

    With ``checkpoint_dir``, the whole state (device states, biases, ledger, rule state,
    generators, history) is written there as plain files after every epoch
    (``state.safetensors``, ``history.json``), and a run that finds a checkpoint of the same
    configurations resumes after its last epoch: an interruption loses at most the epoch in
    progress, and the result is the same as uninterrupted.

    Parameters
    ----------
    configs : list of TrainConfig
        The configurations, with equal ``epochs`` and ``evaluations_per_epoch``.
    data : MNIST
        The data set.
    progress : bool
        Show a progress bar.
    checkpoint_dir : str or pathlib.Path, optional
        Folder of the checkpoint; None: none.
    workers : int, optional
        Threads (counts); None: :func:`fetrain.engine.default_workers`.

    Returns
    -------
    list of RunResult
        One result per configuration, in order (accuracies as fractions, energies in J, weights
        in w units).

    Raises
    ------
    ValueError
        If ``configs`` is empty, the configurations differ in epochs or evaluation rate, or the
        checkpoint belongs to other configurations or data.
    """
    if not configs:
        raise ValueError("configs must hold at least one TrainConfig")
    epochs = {cfg.epochs for cfg in configs}
    if len(epochs) != 1:
        raise ValueError(f"configurations trained together need the same epochs; got {sorted(epochs)}")
    rates = {cfg.evaluations_per_epoch for cfg in configs}
    if len(rates) != 1:
        raise ValueError("configurations trained together need the same evaluations_per_epoch; "
                         f"got {sorted(rates)}")
    n_epochs = epochs.pop()
    evals = rates.pop()
    n = len(data.train)
    engine = Engine(configs, samples_per_epoch=n, workers=workers)
    xs, ys = data.train.x.numpy(), data.train.y.numpy()
    val_x, val_y = data.validation.x.numpy(), data.validation.y.numpy()
    test_x, test_y = data.test.x.numpy(), data.test.y.numpy()
    marks = sorted({int(round(n * (k + 1) / evals)) for k in range(evals)})
    rows: list[list[dict]] = [[] for _ in configs]
    # what a checkpoint must match to be resumed (the number of epochs may grow: a run can be
    # extended from its checkpoint)
    signature = json.dumps({"configs": [{k: v for k, v in cfg.describe().items() if k != "epochs"}
                                        for cfg in configs], "data": data.label}, sort_keys=True)

    def record(epoch: float) -> None:
        val = engine.evaluate(val_x, val_y)
        test = engine.evaluate(test_x, test_y)
        for c in range(len(configs)):
            rows[c].append(_snapshot(engine, c, epoch, engine.samples_seen, float(val[c]),
                                     float(test[c])))

    start = time.perf_counter()
    first_epoch = 0
    if checkpoint_dir is not None:
        resumed = _load_checkpoint(Path(checkpoint_dir), signature, engine)
        if resumed is not None:
            first_epoch, rows = resumed
    if first_epoch == 0:
        rows = [[] for _ in configs]
        record(0.0)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=n_epochs * n, initial=first_epoch * n, unit="sample",
                   desc=f"{len(configs)} configuration(s)")
    chunk = 500                                   # samples per compiled call (progress bar)
    for epoch in range(first_epoch, n_epochs):
        orders = np.stack([data_order(cfg.seed, n, epoch) for cfg in configs])
        done = 0
        for mark in marks:
            while done < mark:
                stop = min(mark, done + chunk) if bar is not None else mark
                engine.train(xs, ys, orders, done, stop)
                if bar is not None:
                    bar.update(stop - done)
                done = stop
            record(epoch + mark / n)
        if checkpoint_dir is not None:
            _save_checkpoint(Path(checkpoint_dir), signature, engine, epoch + 1, rows)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - start
    results = []
    for c, cfg in enumerate(configs):
        arrays = engine.device_arrays(c)
        results.append(RunResult(config=cfg, data_set=data.label, history=pd.DataFrame(rows[c]),
                                 seconds=seconds, **arrays))
    return results


def _save_checkpoint(folder: Path, signature: str, engine: Engine, epochs_done: int,
                     rows: list[list[dict]]) -> None:
    """Write the state atomically: a crash while writing leaves the previous checkpoint intact."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tmp_state = folder / "state.safetensors.tmp"
    tmp_meta = folder / "history.json.tmp"
    arrays, meta = engine.state_arrays()
    save_file(arrays, str(tmp_state))
    tmp_meta.write_text(json.dumps({"signature": signature, "epochs_done": epochs_done,
                                    "engine": meta, "history": rows}) + "\n", encoding="utf-8")
    tmp_state.replace(folder / "state.safetensors")
    tmp_meta.replace(folder / "history.json")


def _load_checkpoint(folder: Path, signature: str, engine: Engine):
    """(epochs done, history rows) after restoring the engine, or None if there is no matching
    checkpoint. A checkpoint of other configurations is an error, not silently overwritten."""
    from safetensors.numpy import load_file

    meta_path, state_path = folder / "history.json", folder / "state.safetensors"
    if not (meta_path.exists() and state_path.exists()):
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["signature"] != signature:
        raise ValueError(f"{folder}: the checkpoint belongs to other configurations or data; "
                         "use another checkpoint_dir or delete it")
    engine.load_state_arrays(load_file(str(state_path)), meta["engine"])
    return int(meta["epochs_done"]), meta["history"]


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
        The result (its units as in :class:`RunResult`).

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


def code_fingerprint() -> str:
    """SHA-256 (first 12 hex digits) over fetrain's source and data files: the code version.

    Returns
    -------
    str
        12 hexadecimal digits.
    """
    import hashlib

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_cache_dir() -> Path:
    """Where :func:`train_cached` keeps runs: ``$FETRAIN_CACHE`` or ``~/.cache/fetrain``.

    Returns
    -------
    pathlib.Path
        The ``runs`` folder under that root.
    """
    import os

    return Path(os.environ.get("FETRAIN_CACHE", Path.home() / ".cache" / "fetrain")) / "runs"


def train_cached(configs: list[TrainConfig], data: MNIST, cache_dir: str | Path | None = None,
                 progress: bool = False) -> list[RunResult]:
    """Like :func:`train`, but each configuration's result is kept as plain files, keyed by the
    configuration, the data set and the fetrain code fingerprint; configurations found there are
    read back instead of trained again (so chapters can share runs). A change to fetrain's code
    or data changes the key: nothing is served from other code. What is missing is trained with
    :func:`train`, grouped by epochs and evaluation rate.

    Parameters
    ----------
    configs : list of TrainConfig
        The configurations.
    data : MNIST
        The data set.
    cache_dir : str or pathlib.Path, optional
        Cache folder; None: :func:`default_cache_dir`.
    progress : bool
        Show a progress bar.

    Returns
    -------
    list of RunResult
        One result per configuration, in order.
    """
    import hashlib

    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    code = code_fingerprint()

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
        The history (columns as in :class:`RunResult`).
    meta : dict
        ``config`` (its description), ``data_set`` and ``seconds`` (s).
    """
    folder = Path(folder)
    return (pd.read_csv(folder / "history.csv"),
            json.loads((folder / "config.json").read_text(encoding="utf-8")))


def layer_summary(result: RunResult) -> pd.DataFrame:
    """Per layer: the devices that received pulses, the median of their states and of their
    symmetry points, the layer's share of up pulses f, and the *balance point* of that share — where
    f·Δw↑(w) = (1 − f)·Δw↓(w) on the device model's table (the symmetry point when f = ½).

    Parameters
    ----------
    result : RunResult
        A training result.

    Returns
    -------
    pandas.DataFrame
        One row per layer: ``devices`` and ``pulsed`` (counts), ``median w (pulsed)``,
        ``median w* (pulsed)`` and ``balance point`` (w units), ``pulses up`` and ``pulses down``
        (counts), ``up fraction`` (dimensionless).
    """
    model = result.config.model
    rows = []
    for li, (w, (up, down), sp) in enumerate(zip(result.weights, result.pulse_counts,
                                                result.symmetry_points)):
        pulsed = (up + down) > 0
        n_up, n_down = int(up.sum()), int(down.sum())
        f = n_up / (n_up + n_down) if n_up + n_down else np.nan
        rows.append({"layer": f"L{li + 1} ({w.shape[1]}→{w.shape[0]})",
                     "devices": w.size, "pulsed": int(pulsed.sum()),
                     "median w (pulsed)": float(np.median(w[pulsed])) if pulsed.any() else np.nan,
                     "median w* (pulsed)": float(np.median(sp[pulsed])) if pulsed.any() else np.nan,
                     "pulses up": n_up, "pulses down": n_down, "up fraction": f,
                     "balance point": (model.balance_point(f) if model is not None and np.isfinite(f)
                                       else np.nan)})
    return pd.DataFrame(rows)


def choose_from_pilot(pilot: pd.DataFrame, smooth: int = 3, tolerance: float = 0.01,
                      target_step: float = 0.05) -> dict:
    """The rule that turns the validation pilot into the book's learning rate, epochs and target.

    Only validation accuracies of the analog runs on the default device are used (both references,
    all seeds; the test split is never looked at):

    1. **lr**: the rate with the highest mean validation accuracy over the last ``smooth`` epochs
       of the pilot (ties: the smaller rate);
    2. **epochs**: at that rate, the mean validation accuracy per epoch is smoothed with a
       ``smooth``-epoch running mean; the epochs are the first at which it comes within
       ``tolerance`` of its maximum over the pilot;
    3. **target** (embedded data): at that rate and epoch, the better reference's smoothed mean
       validation accuracy, rounded down to a multiple of ``target_step``.

    Parameters
    ----------
    pilot : pandas.DataFrame
        The pilot's table (``kind``, ``lr``, ``reference``, ``epoch``, ``val_accuracy``).
    smooth : int
        Epochs of the running mean (counts).
    tolerance : float
        Accuracy below the maximum that counts as reached (fraction).
    target_step : float
        Grid of the target accuracy (fraction).

    Returns
    -------
    dict
        ``lr`` (learning rate), ``epochs`` (counts), ``target_accuracy`` (fraction, 0 … 1), and
        the scores behind them (``lr_scores``, ``smoothed_curve``, ``reference_scores``:
        fractions).
    """
    analog = pilot[pilot["kind"] == "analog"]
    last = analog["epoch"].max()
    tail = analog[analog["epoch"] > last - smooth]
    by_lr = tail.groupby("lr")["val_accuracy"].mean()
    lr = float(by_lr[by_lr == by_lr.max()].index.min())
    at_lr = analog[analog["lr"] == lr]
    curve = at_lr.groupby("epoch")["val_accuracy"].mean()
    curve = curve[curve.index > 0].rolling(smooth, min_periods=smooth).mean().dropna()
    epochs = int(curve.index[np.argmax(curve.to_numpy() >= curve.max() - tolerance)])
    per_ref = (at_lr[at_lr["epoch"] > 0].groupby(["reference", "epoch"])["val_accuracy"].mean()
               .groupby(level=0).apply(lambda s: s.droplevel(0).rolling(smooth, min_periods=smooth)
                                       .mean().loc[epochs]))
    target = float(np.floor(per_ref.max() / target_step + 1e-9) * target_step)
    return {"lr": lr, "epochs": epochs, "target_accuracy": round(target, 4),
            "lr_scores": by_lr.to_dict(), "smoothed_curve": curve.to_dict(),
            "reference_scores": per_ref.to_dict()}


#: The folder of the validation pilot's results, shipped with fetrain.
PILOT_DIR = Path(__file__).resolve().parent / "data" / "pilot"


def load_pilot(folder: str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """The validation pilot's table and provenance (``validation_pilot.csv`` and ``.json``).

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        The pilot's folder; None: the one shipped with fetrain.

    Returns
    -------
    table : pandas.DataFrame
        One row per run and evaluation (accuracies as fractions).
    meta : dict
        Provenance.
    """
    folder = PILOT_DIR if folder is None else Path(folder)
    table = pd.read_csv(folder / "validation_pilot.csv")
    meta = json.loads((folder / "validation_pilot.json").read_text(encoding="utf-8"))
    return table, meta
