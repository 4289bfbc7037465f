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
import torch

from .data import MNIST
from .energy import digital_energy, ledger_energy
from .engine import Engine, TrainConfig, data_order

#: Chosen once, on the validation split, by the pilot (``fetrain/data/pilot``) with the rule
#: :func:`choose_from_pilot` — before any sweep, and never moved afterwards (Chapter 3).
DEFAULT_LR: float = 0.1
DEFAULT_EPOCHS: int = 10
#: Target test accuracy per data set: the embedded subset's from the pilot; full MNIST's is the
#: study's 95%.
TARGET_ACCURACY: dict[str, float] = {"embedded": 0.70, "full": 0.95}


@dataclass(frozen=True, eq=False)
class RunResult:
    """The outcome of one configuration.

    Attributes
    ----------
    config : the configuration (its ``describe()`` is written to the results).
    data_set : the data set's label.
    history : one row per evaluation: epoch (fractional), samples, validation and test accuracy,
        cumulative up/down pulses per layer and in total, cumulative analog write energy, J (study
        and complete forms: ``energy_study_J``, ``energy_complete_J``), mixed precision's
        cumulative digital work (``chi_updates``, ``chi_scans``, ``chi_rewrites``: χ elements) and
        its energy at the default per-operation costs of :class:`fetrain.energy.DigitalCosts`
        (``energy_digital_J``, J; 0 for plain SGD).
    weights : the final device states w per layer (numpy, out × in).
    references : the reference states per layer.
    pulse_counts : per layer, (up, down) pulses per device (numpy int64, out × in).
    symmetry_points : per layer, each device's symmetry point (NaN for the float baseline).
    seconds : wall time of the run (shared when configurations train side by side).
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
        return self.history.iloc[-1]


def _snapshot(engine: Engine, c: int, epoch: float, samples: int, val: float, test: float) -> dict:
    cfg = engine.configs[c]
    row = {"epoch": epoch, "samples": samples, "val_accuracy": val, "test_accuracy": test}
    total = {"n_up": 0.0, "n_down": 0.0, "w_up": 0.0, "w_down": 0.0, "dw_up": 0.0, "dw_down": 0.0}
    for li, layer in enumerate(engine.layers):
        t = layer.ledger.totals(c)
        row[f"pulses_up_L{li + 1}"] = t["n_up"]
        row[f"pulses_down_L{li + 1}"] = t["n_down"]
        for key in total:
            total[key] += t[key]
    row["pulses"] = total["n_up"] + total["n_down"]
    row["chi_updates"] = float(engine.chi_updates[c])
    row["chi_scans"] = float(engine.chi_scans[c])
    row["chi_rewrites"] = float(engine.chi_rewrites[c])
    # mixed precision's digital work at the default per-operation energies (Horowitz 2014, 45 nm)
    row["energy_digital_J"] = digital_energy(row["chi_updates"], row["chi_scans"], row["chi_rewrites"])
    if cfg.analog:
        e = ledger_energy(cfg.model, **total)
        row["energy_study_J"] = e["study"]
        row["energy_complete_J"] = e["complete"]
    else:
        row["energy_study_J"] = row["energy_complete_J"] = float("nan")
    return row


def train(configs: list[TrainConfig], data: MNIST, device: str = "cpu",
          progress: bool = False, checkpoint_dir: str | Path | None = None) -> list[RunResult]:
    """Train configurations side by side on ``data``; every configuration the same number of epochs.

    Each configuration sees its own data order (seeded by its seed). Evaluations on the validation
    and test splits happen ``evaluations_per_epoch`` times per epoch (the first configuration's
    value is used for all) and once before training.

    With ``checkpoint_dir``, the whole state (device states, biases, ledger, generators, history)
    is written there as plain files after every epoch (``state.safetensors``, ``history.json``),
    and a run that finds a checkpoint of the same configurations resumes after its last epoch: an
    interruption loses at most the epoch in progress, and the result is the same as uninterrupted.
    """
    epochs = {cfg.epochs for cfg in configs}
    if len(epochs) != 1:
        raise ValueError(f"configurations trained together need the same epochs; got {sorted(epochs)}")
    n_epochs = epochs.pop()
    evals = configs[0].evaluations_per_epoch
    engine = Engine(configs, device=device)
    xs, ys = data.train.x.to(engine.device), data.train.y.to(engine.device)
    n = len(data.train)
    engine.samples_per_epoch = n
    marks = {int(round(n * (k + 1) / evals)) for k in range(evals)}
    rows: list[list[dict]] = [[] for _ in configs]
    # what a checkpoint must match to be resumed (the number of epochs may grow: a run can be
    # extended from its checkpoint)
    signature = json.dumps({"configs": [{k: v for k, v in cfg.describe().items() if k != "epochs"}
                                        for cfg in configs], "data": data.label}, sort_keys=True)

    def record(epoch: float) -> None:
        val = engine.evaluate(data.validation.x, data.validation.y).tolist()
        test = engine.evaluate(data.test.x, data.test.y).tolist()
        for c in range(len(configs)):
            rows[c].append(_snapshot(engine, c, epoch, engine.samples_seen, val[c], test[c]))

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
    for epoch in range(first_epoch, n_epochs):
        orders = torch.as_tensor(np.stack([data_order(cfg.seed, n, epoch) for cfg in configs]),
                                 device=engine.device)
        for s in range(n):
            idx = orders[:, s]
            engine.train_step(xs[idx], ys[idx])
            if (s + 1) in marks:
                record(epoch + (s + 1) / n)
            if bar is not None and (s + 1) % 250 == 0:
                bar.update(250)
        if bar is not None:
            bar.update(n % 250)
        if checkpoint_dir is not None:
            _save_checkpoint(Path(checkpoint_dir), signature, engine, epoch + 1, rows)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - start
    results = []
    for c, cfg in enumerate(configs):
        results.append(RunResult(
            config=cfg, data_set=data.label, history=pd.DataFrame(rows[c]),
            weights=[layer.w[c].cpu().numpy() for layer in engine.layers],
            references=[layer.ref[c].cpu().numpy() for layer in engine.layers],
            pulse_counts=[(layer.ledger.up[c].cpu().numpy(), layer.ledger.down[c].cpu().numpy())
                          for layer in engine.layers],
            symmetry_points=[layer.device_symmetry_points(c).cpu().numpy() if cfg.analog
                             else np.full(layer.shape, np.nan) for layer in engine.layers],
            seconds=seconds))
    return results


def _save_checkpoint(folder: Path, signature: str, engine: Engine, epochs_done: int,
                     rows: list[list[dict]]) -> None:
    """Write the state atomically: a crash while writing leaves the previous checkpoint intact."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tmp_state = folder / "state.safetensors.tmp"
    tmp_meta = folder / "history.json.tmp"
    save_file(engine.state_tensors(), str(tmp_state))
    tmp_meta.write_text(json.dumps({"signature": signature, "epochs_done": epochs_done,
                                    "history": rows}) + "\n", encoding="utf-8")
    tmp_state.replace(folder / "state.safetensors")
    tmp_meta.replace(folder / "history.json")


def _load_checkpoint(folder: Path, signature: str, engine: Engine):
    """(epochs done, history rows) after restoring the engine, or None if there is no matching
    checkpoint. A checkpoint of other configurations is an error, not silently overwritten."""
    from safetensors.torch import load_file

    meta_path, state_path = folder / "history.json", folder / "state.safetensors"
    if not (meta_path.exists() and state_path.exists()):
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["signature"] != signature:
        raise ValueError(f"{folder}: the checkpoint belongs to other configurations or data; "
                         "use another checkpoint_dir or delete it")
    engine.load_state_tensors(load_file(str(state_path)))
    return int(meta["epochs_done"]), meta["history"]


def save_result(result: RunResult, folder: str | Path) -> Path:
    """Write a result as plain files: history.csv, config.json, arrays.safetensors."""
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
    """SHA-256 (first 12 hex digits) over fetrain's source and data files: the code version."""
    import hashlib

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_workers() -> int:
    """Processes :func:`train_parallel` uses by default: ``$FETRAIN_WORKERS``, or the CPU cores
    this process may run on."""
    import os

    env = os.environ.get("FETRAIN_WORKERS")
    if env is not None:
        if not env.strip().isdigit() or int(env) < 1:
            raise ValueError(f"FETRAIN_WORKERS must be an integer ≥ 1; got {env!r}")
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


#: below this many analog configuration-samples a batch trains in this process: starting a
#: worker process (importing torch) costs a few seconds
PARALLEL_MIN_WORK = 50_000


def _train_worker(args):
    """Train one group of configurations in a worker process, on one thread."""
    configs, data = args
    torch.set_num_threads(1)
    return train(configs, data)


def train_parallel(configs: list[TrainConfig], data: MNIST, workers: int | None = None,
                   device: str = "cpu") -> list[RunResult]:
    """Like :func:`train`, with the configurations split over ``workers`` processes of one thread
    each (default :func:`default_workers`; ``spawn``, so in a script call it from under
    ``if __name__ == "__main__":``).

    Every configuration draws from its own generators, so its result is the same whichever
    configurations train beside it, in this process or another (tested). Small batches (under
    ``PARALLEL_MIN_WORK`` analog configuration-samples), batches whose configurations evaluate
    at different rates, and GPU runs train in this process. Measured on two cores: 3 + 3
    configurations on 1,750 samples train in 19.5 s per worker against 28.6 s in one process with
    two threads (25 s with the workers' start-up); Chapter 4's book build went from 585 s to 499 s."""
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import replace
    from multiprocessing import get_context

    workers = default_workers() if workers is None else workers
    if not (isinstance(workers, int) and workers >= 1):
        raise ValueError(f"workers must be an integer ≥ 1; got {workers!r}")
    analog = [k for k, cfg in enumerate(configs) if cfg.analog]
    work = sum(configs[k].epochs for k in analog) * len(data.train)
    if (workers == 1 or len(analog) < 2 or work < PARALLEL_MIN_WORK or str(device) != "cpu"
            or len({cfg.evaluations_per_epoch for cfg in configs}) > 1):
        return train(configs, data, device=device)
    # analog configurations in near-equal contiguous groups, sorted by algorithm so that mixed
    # precision trains beside mixed precision where it can (every configuration of an engine
    # pays for its χ update); floating-point ones cost little and join the last, smallest group
    ranked = sorted(analog, key=lambda k: configs[k].algorithm)
    groups = [[int(k) for k in g] for g in np.array_split(ranked, min(workers, len(analog)))]
    groups[-1] += [k for k in range(len(configs)) if not configs[k].analog]
    with ProcessPoolExecutor(max_workers=len(groups), mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(_train_worker, [([configs[k] for k in g], data) for g in groups]))
    results: list[RunResult | None] = [None] * len(configs)
    for group, part in zip(groups, parts):
        for k, result in zip(group, part):
            results[k] = replace(result, config=configs[k])      # the caller's own objects
    return results


def default_cache_dir() -> Path:
    """Where :func:`train_cached` keeps runs: ``$FETRAIN_CACHE`` or ``~/.cache/fetrain``."""
    import os

    return Path(os.environ.get("FETRAIN_CACHE", Path.home() / ".cache" / "fetrain")) / "runs"


def train_cached(configs: list[TrainConfig], data: MNIST, cache_dir: str | Path | None = None,
                 device: str = "cpu", progress: bool = False) -> list[RunResult]:
    """Like :func:`train`, but each configuration's result is kept as plain files, keyed by the
    configuration, the data set and the fetrain code fingerprint; configurations found there are
    read back instead of trained again (so chapters can share runs). A change to fetrain's code
    or data changes the key: nothing is served from other code. What is missing is trained with
    :func:`train_parallel` (with :func:`train` and its progress bar when ``progress``)."""
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
        for epochs in sorted({configs[k].epochs for k in missing}):
            group = [k for k in missing if configs[k].epochs == epochs]
            trained = (train([configs[k] for k in group], data, device=device, progress=True)
                       if progress else train_parallel([configs[k] for k in group], data,
                                                       device=device))
            for k, result in zip(group, trained):
                save_result(result, folder(configs[k]))
                results[k] = result
    return results


def load_history(folder: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read back a saved result's history and metadata (plain CSV and JSON)."""
    folder = Path(folder)
    return (pd.read_csv(folder / "history.csv"),
            json.loads((folder / "config.json").read_text(encoding="utf-8")))


def layer_summary(result: RunResult) -> pd.DataFrame:
    """Per layer: the devices that received pulses, the median of their states and of their
    symmetry points, the layer's share of up pulses f, and the *balance point* of that share — where
    f·Δw↑(w) = (1 − f)·Δw↓(w) on the device model's table (the symmetry point when f = ½)."""
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
    """The validation pilot's table and provenance (``validation_pilot.csv`` and ``.json``)."""
    folder = PILOT_DIR if folder is None else Path(folder)
    table = pd.read_csv(folder / "validation_pilot.csv")
    meta = json.loads((folder / "validation_pilot.json").read_text(encoding="utf-8"))
    return table, meta
