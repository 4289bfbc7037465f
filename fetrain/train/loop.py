"""Training runs: the loop over epochs, evaluations, the history and checkpoints.

:func:`train` drives :class:`~fetrain.train.engine.Engine` through epochs on a data set, recording
accuracy, pulses and joules (:func:`fetrain.device.energy.ledger_energy`) at every evaluation in a
:class:`RunResult`; given a checkpoint folder, it saves its whole state after every epoch
(:mod:`~fetrain.train.checkpoint`, never pickle) and resumes from it. :func:`layer_summary` says
where each layer's weights went. Results as files, and the run cache, are :mod:`~fetrain.train.store`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.storage import DamagedFile, notice
from ..device.energy import ledger_energy
from .checkpoint import load_checkpoint, remove_checkpoint, save_checkpoint
from .config import TrainConfig, data_order
from .crossbar import SUM_COLUMNS
from .data import MNIST
from .engine import Engine
from .rules import counter_columns


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
        the default per-operation costs of :class:`fetrain.train.hardware.DigitalCosts`
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
    array_counts : dict of str to list of tuple of array of int32
        The rule's further device arrays (a transfer rule's ``fast``): per ledger name, per
        layer, (up, down) pulses per device, out × in (counts); empty for a rule with one array.
    """

    config: TrainConfig
    data_set: str
    history: pd.DataFrame
    weights: list
    references: list
    pulse_counts: list
    symmetry_points: list
    seconds: float
    array_counts: dict = field(default_factory=dict)

    @property
    def final(self) -> pd.Series:
        """The last row of ``history`` (the end of training), in its columns' units."""
        return self.history.iloc[-1]


def _snapshot(engine: Engine, c: int, epoch: float, samples: int, val: float, test: float) -> dict:
    cfg = engine.configs[c]
    snap = engine.snapshot(c)
    row = {"epoch": epoch, "samples": samples, "val_accuracy": val, "test_accuracy": test}
    # the weights' devices and each further device array of the rule (a transfer rule's fast
    # array), each summed over layers and priced on its own
    arrays = ("",) + tuple(f".{name}" for name in cfg.algorithm.ledgers)
    totals = {a: {name: 0.0 for name in SUM_COLUMNS} for a in arrays}
    for li in range(len(engine.sizes) - 1):
        up = down = 0.0
        for a in arrays:
            t = snap[f"L{li + 1}{a}"]
            up, down = up + t["n_up"], down + t["n_down"]
            for key in totals[a]:
                totals[a][key] += t[key]
        row[f"pulses_up_L{li + 1}"] = up
        row[f"pulses_down_L{li + 1}"] = down
    row["pulses"] = sum(t["n_up"] + t["n_down"] for t in totals.values())
    for name in cfg.algorithm.ledgers:
        t = totals[f".{name}"]
        row[f"pulses_{name}"] = t["n_up"] + t["n_down"]
    # every rule's counters are columns of every history (0 where a rule does not count them)
    for name in counter_columns(cfg.algorithm):
        row[name] = float(snap["counters"].get(name, 0))
    row["energy_digital_J"] = cfg.algorithm.digital_energy_J(snap["counters"])
    if cfg.analog:
        parts = [ledger_energy(cfg.model, **t) for t in totals.values()]
        row["energy_study_J"] = sum(e["study"] for e in parts)
        row["energy_complete_J"] = sum(e["complete"] for e in parts)
    else:
        row["energy_study_J"] = row["energy_complete_J"] = float("nan")
    return row


def train(configs: list[TrainConfig], data: MNIST, progress: bool = False,
          checkpoint_dir: str | Path | None = None, workers: int | None = None) -> list[RunResult]:
    """Train configurations side by side on ``data``; every configuration the same number of epochs.

    Each configuration sees its own data order (seeded by its seed) and trains in its own compiled
    loop; the configurations are spread over ``workers`` threads (default
    :func:`fetrain.train.config.default_workers`: the cores), and each result is the same whichever
    configurations train beside it and however many threads there are. Evaluations on the
    validation and test splits happen ``evaluations_per_epoch`` times per epoch and once before
    training; configurations trained together must share that rate.

    With ``checkpoint_dir``, the whole state (device states, biases, ledger, rule state,
    generators, history) is written there as one file after every epoch
    (:mod:`~fetrain.train.checkpoint`), and a run that finds a checkpoint of the same
    configurations resumes after its last epoch: an interruption loses at most the epoch in
    progress, and the result is the same as uninterrupted. A damaged checkpoint is set aside
    with a notice and the runs start afresh.

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
        Threads (counts); None: :func:`fetrain.train.config.default_workers`.

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
        resumed = _resume(Path(checkpoint_dir), signature, engine)
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
            arrays, meta = engine.state_arrays()
            save_checkpoint(checkpoint_dir, signature, arrays, meta, epoch + 1, rows)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - start
    results = []
    for c, cfg in enumerate(configs):
        arrays = engine.device_arrays(c)
        results.append(RunResult(config=cfg, data_set=data.label, history=pd.DataFrame(rows[c]),
                                 seconds=seconds, **arrays))
    return results


def _resume(folder: Path, signature: str, engine: Engine):
    """(epochs done, history rows) after restoring the engine from the checkpoint in ``folder``,
    or None if there is none. A damaged checkpoint is removed and the runs start afresh (with a
    notice); a checkpoint of other configurations is an error, never silently overwritten."""
    try:
        found = load_checkpoint(folder)
    except DamagedFile as err:
        notice(f"{err}; starting those runs afresh")
        remove_checkpoint(folder)
        return None
    if found is None:
        return None
    if found["signature"] != signature:
        raise ValueError(f"{folder}: the checkpoint belongs to other configurations or data; "
                         "use another checkpoint_dir or delete it")
    try:
        engine.load_state_arrays(found["arrays"], found["engine"])
    except ValueError as err:
        notice(f"{folder}: the checkpoint cannot be resumed ({err}); starting those runs afresh")
        remove_checkpoint(folder)
        return None
    return found["epochs_done"], found["history"]


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
