"""The book's main experiment as one resumable command: training runs across pulse widths,
algorithms, programming schemes and seeds, executed here or on a Dask cluster, written as plain
files.

This module's room: *which* runs (:class:`SweepPlan`), the device model of every width under a
programming scheme (:func:`device_models`), *running* them (:func:`run_sweep`: in this process
on the local cores, or through any ``concurrent.futures`` executor such as a Dask cluster's) and
*writing* what each run produced — its history with every energy part — so that an interrupted
sweep resumes where it stopped. What the histories mean (energy to target, the map of where
short pulses win) is :mod:`fetrain.tradeoff`; ``python -m fetrain reproduce`` is the command.

Runs are independent and each draws only from its own seeded generators: a run's numbers are the
same whether it trains here beside others, alone, or on a cluster worker.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import Executor, as_completed
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import algorithms, energy, physics
from .io import check_output_folder  # noqa: F401  (part of this module's interface)
from .physics import shown
from .scale import Scale, current

#: Results files of a sweep folder.
PLAN_FILE = "plan.json"
RUNS_DIR = "runs"
HISTORIES_FILE = "histories.csv"
SUMMARY_FILE = "summary.csv"
ENERGY_CURVES_FILE = "energy_curves.csv"
MAP_FILE = "map.csv"


@dataclass(frozen=True)
class Strategy:
    """A training strategy of the sweep: a rule and where each pair's reference sits.

    Attributes
    ----------
    name : str
        Short name (``sgd``, ``sps``, ``mp``).
    label : str
        Name in figures and tables.
    rule : PulseTrains or MixedPrecision
        The training rule.
    reference : str
        The reference (see :class:`fetrain.engine.TrainConfig`).
    """

    name: str
    label: str
    rule: algorithms.PulseTrains | algorithms.MixedPrecision
    reference: str


#: The three strategies the study compares, by name.
STRATEGIES: dict[str, Strategy] = {s.name: s for s in (
    Strategy("sgd", "plain SGD", algorithms.PulseTrains(), "naive"),
    Strategy("sps", "symmetry point shifting", algorithms.PulseTrains(), "symmetry_point"),
    Strategy("mp", "mixed precision", algorithms.MixedPrecision(), "naive"),
)}

#: Programming schemes of the synthetic campaign, by name (see :mod:`fetrain.physics`):
#: the iso-fraction rule of the embedded data set (3% per pulse, capped at 3.8 V), the same rule
#: with the cap moved, and a fixed ladder (3.8 V at 20 ns, 0.2 V less per decade, set = reset).
SCHEMES: dict[str, physics.IsoFraction | physics.AmplitudeLadder] = {
    "iso-3.8": physics.IsoFraction(),
    "iso-3.5": physics.IsoFraction(cap_V=3.5),
    "iso-4.2": physics.IsoFraction(cap_V=4.2),
    "ladder": physics.AmplitudeLadder(volts_at_reference=3.8, volts_per_decade=0.2),
}
DEFAULT_SCHEME = "iso-3.8"

#: Weight matrices of the book's 784-256-128-10 network, the synapses whose references symmetry
#: point shifting programs once.
N_SYNAPSES = 784 * 256 + 256 * 128 + 128 * 10

#: Tolerance of reference programming (pulse alternately until a pair moves w by less than this
#: fraction of dw_min) (:func:`fetrain.experiments.reference_programming`).
REFERENCE_TOLERANCE = 0.01


def _choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}; got {value!r}")


@dataclass(frozen=True)
class SweepPlan:
    """What the sweep trains: every (scheme, width, strategy, seed) to an epoch limit.

    The main scheme (the first of ``schemes``) runs with ``seeds``; the other schemes (for the
    map of where short pulses win) with ``map_seeds``. The learning rate and pulse settings are
    the same for every width and scheme (Chapter 3's, chosen on the validation split); every run
    trains to ``epochs`` — past the target, so that energy can be read at every target — and is
    evaluated ``evaluations_per_epoch`` times per epoch on the test split.

    Attributes
    ----------
    scale : str
        The scale it was made for (``quick``, ``book``, ``paper``).
    widths_s : tuple of float
        Pulse widths (s), each one of the campaign's.
    strategies : tuple of str
        Names from :data:`STRATEGIES`.
    schemes : tuple of str
        Names from :data:`SCHEMES`, the main one first.
    seeds, map_seeds : tuple of int
        Seeds of the main scheme's runs, and of the other schemes'.
    epochs : int
        The epoch limit (counts).
    evaluations_per_epoch : int
        Evaluations per epoch (counts); energy to target is read at the first one that reaches
        the target.
    lr : float
        Learning rate.
    n_train : int or None
        Training digits (counts; None: the whole embedded training split).
    target : float
        Target test accuracy (fraction, 0 … 1).

    Raises
    ------
    ValueError
        If a field is out of range or names an unknown width, strategy, scheme or scale.
    """

    scale: str = "book"
    widths_s: tuple[float, ...] = physics.PULSE_WIDTHS_S
    strategies: tuple[str, ...] = tuple(STRATEGIES)
    schemes: tuple[str, ...] = tuple(SCHEMES)
    seeds: tuple[int, ...] = (0, 1)
    map_seeds: tuple[int, ...] = (0,)
    epochs: int = 10
    evaluations_per_epoch: int = 2
    lr: float = 0.1
    n_train: int | None = None
    target: float = 0.70

    def __post_init__(self) -> None:
        Scale(self.scale)
        if not self.widths_s:
            raise ValueError("widths_s must name at least one pulse width")
        for t in self.widths_s:
            if not any(np.isclose(t, physics.PULSE_WIDTHS_S, rtol=1e-9, atol=0)):
                raise ValueError(f"widths_s: each width must be one of the campaign's "
                                 f"{physics.PULSE_WIDTHS_S} s; got {shown(t)}")
        for name, values, allowed in (("strategies", self.strategies, STRATEGIES),
                                      ("schemes", self.schemes, SCHEMES)):
            if not values:
                raise ValueError(f"{name} must hold at least one of {tuple(allowed)}")
            for v in values:
                _choice(name, v, allowed)
        for name in ("seeds", "map_seeds"):
            values = getattr(self, name)
            if not values or not all(isinstance(s, (int, np.integer)) and s >= 0 for s in values):
                raise ValueError(f"{name} must be one or more integers ≥ 0; got {values!r}")
        for name in ("epochs", "evaluations_per_epoch"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 1):
                raise ValueError(f"{name} must be an integer ≥ 1; got {v!r}")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr must be a number > 0; got {shown(self.lr)}")
        if self.n_train is not None and not (isinstance(self.n_train, int) and self.n_train >= 10):
            raise ValueError(f"n_train must be None or an integer ≥ 10; got {shown(self.n_train)}")
        if not 0 < self.target < 1:
            raise ValueError(f"target must lie in (0, 1) (a fraction of the test digits); "
                             f"got {shown(self.target)}")

    @classmethod
    def for_scale(cls, scale: str | Scale | None = None, **changes) -> "SweepPlan":
        """The plan of a scale (``None``: :func:`fetrain.scale.current`), with ``changes``.

        * quick — two widths, one seed, 1 epoch on 300 digits (tests);
        * book — five widths, two seeds, 10 epochs (the book's epochs); one seed for the map;
        * paper — five widths, three seeds, 30 epochs; two seeds for the map.

        Parameters
        ----------
        scale : str or Scale, optional
            The scale; None: the current one.
        **changes
            Fields to change.

        Returns
        -------
        SweepPlan
            The plan.

        Raises
        ------
        ValueError
            If the scale is unknown or a change is out of range.
        """
        from .training import DEFAULT_EPOCHS, DEFAULT_LR, TARGET_ACCURACY

        s = current(scale) if not isinstance(scale, Scale) else scale
        base = dict(scale=s.name, lr=DEFAULT_LR, target=TARGET_ACCURACY["embedded"],
                    widths_s=s.pick(quick=(20e-9, 200e-9), book=physics.PULSE_WIDTHS_S,
                                    paper=physics.PULSE_WIDTHS_S),
                    schemes=s.pick(quick=("iso-3.8", "iso-4.2"), book=tuple(SCHEMES),
                                   paper=tuple(SCHEMES)),
                    seeds=s.pick(quick=(0,), book=(0, 1), paper=(0, 1, 2)),
                    map_seeds=s.pick(quick=(0,), book=(0,), paper=(0, 1)),
                    epochs=s.pick(quick=1, book=DEFAULT_EPOCHS, paper=3 * DEFAULT_EPOCHS),
                    evaluations_per_epoch=s.pick(quick=2, book=2, paper=4),
                    n_train=s.pick(quick=300, book=None, paper=None))
        base.update(changes)
        return cls(**base)

    def describe(self) -> dict:
        """Plain data (``plan.json``).

        Returns
        -------
        dict
            The fields (widths in s, target as a fraction), with each scheme's and strategy's
            parameters.
        """
        d = asdict(self)
        d["widths_s"] = [float(t) for t in self.widths_s]
        d["schemes"] = {name: SCHEMES[name].describe() for name in self.schemes}
        d["strategies"] = {name: {"label": STRATEGIES[name].label, "reference":
                                  STRATEGIES[name].reference, **STRATEGIES[name].rule.describe()}
                           for name in self.strategies}
        return d

    def runs(self) -> list["RunSpec"]:
        """Every run of the plan, main scheme first, in a fixed order.

        Returns
        -------
        list of RunSpec
            The runs.
        """
        out = []
        for k, scheme in enumerate(self.schemes):
            for seed in (self.seeds if k == 0 else self.map_seeds):
                for t in self.widths_s:
                    for strategy in self.strategies:
                        out.append(RunSpec(scheme, float(t), strategy, int(seed)))
        return out


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes
    ----------
    scheme : str
        Programming scheme, a name of ``SCHEMES``.
    width_s : float
        Pulse width (s).
    strategy : str
        Strategy, a name of ``STRATEGIES``.
    seed : int
        Seed.
    """

    scheme: str
    width_s: float
    strategy: str
    seed: int

    @property
    def key(self) -> str:
        """A file name for the run, e.g. ``iso-3.8_20ns_sps_s0``."""
        ns = self.width_s * 1e9
        return f"{self.scheme}_{ns:g}ns_{self.strategy}_s{self.seed}"


# ---- device models per programming scheme ---------------------------------------------------

def _rounded_like_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Round the numeric columns as the data files store them (6 significant digits), so that a
    generated campaign and the embedded file give the same model for the same pulses."""
    from .synthetic import _FLOAT_FORMAT

    out = frame.copy()
    for col in ("pulse_width_s", "amplitude_V", "read_voltage_V", "read_current_A"):
        out[col] = np.array([float(_FLOAT_FORMAT % v) for v in out[col].to_numpy()])
    return out


@lru_cache(maxsize=None)
def device_models(scheme: str, widths_s: tuple[float, ...] = physics.PULSE_WIDTHS_S) -> dict:
    """The device model of every width under a programming scheme (a name of :data:`SCHEMES`).

    The synthetic campaign of the embedded data set, measured with the scheme's amplitudes: a
    width whose amplitudes the scheme leaves unchanged *is* the embedded data set's width (same
    devices, seed and pulses), so its model is built from the embedded file; the others are
    generated by :class:`fetrain.synthetic.SyntheticCampaign` with the scheme and fitted the
    same way (Chapter 2). Returns {width (s): DeviceModel}.

    Parameters
    ----------
    scheme : str
        A name of ``SCHEMES``.
    widths_s : tuple of float
        Pulse widths (s), each one of the campaign's.

    Returns
    -------
    dict of float to DeviceModel
        One model per width (keys in s).

    Raises
    ------
    ValueError
        If ``scheme`` is unknown or a width is not one of the campaign's.
    """
    from . import devicemodel, io
    from .synthetic import default_campaign

    _choice("scheme", scheme, SCHEMES)
    base = default_campaign()
    campaign = replace(base, nominal=replace(base.nominal, scheme=SCHEMES[scheme]))
    measured = io.load_embedded()
    models = {}
    for t in widths_s:
        a, b = base.truth(t), campaign.truth(t)
        same = (np.isclose(a.amplitude_set_V, b.amplitude_set_V)
                and np.isclose(a.amplitude_reset_V, b.amplitude_reset_V))
        if same:
            models[float(t)] = devicemodel.build_device_model(measured.pulses, t,
                                                              source=measured.label)
        else:
            pulses = _rounded_like_file(campaign.generate_pulses(widths_s=(t,)))
            models[float(t)] = devicemodel.build_device_model(
                pulses, t, source=f"synthetic campaign, {SCHEMES[scheme].label()}")
    return models


def train_config(plan: SweepPlan, spec: RunSpec):
    """The :class:`fetrain.engine.TrainConfig` of one run.

    Parameters
    ----------
    plan : SweepPlan
        The plan.
    spec : RunSpec
        One of its runs.

    Returns
    -------
    TrainConfig
        The configuration.
    """
    from .engine import TrainConfig

    strategy = STRATEGIES[spec.strategy]
    model = device_models(spec.scheme, tuple(plan.widths_s))[spec.width_s]
    return TrainConfig(model=model, lr=plan.lr, epochs=plan.epochs, seed=spec.seed,
                       reference=strategy.reference, algorithm=strategy.rule,
                       evaluations_per_epoch=plan.evaluations_per_epoch)


# ---- energy parts of a history ----------------------------------------------------------------

@lru_cache(maxsize=None)
def _reference_programming_J(model) -> float:
    from .experiments import reference_programming

    return N_SYNAPSES * reference_programming(model, REFERENCE_TOLERANCE)["complete_J"]


def energy_parts(history: pd.DataFrame, config) -> pd.DataFrame:
    """Every energy part of a run at each evaluation, J (cumulative), as new columns.

    * ``analog_study_J`` — the study's V·I·t of the programming pulses (the ledger);
    * ``analog_complete_J`` — plus C·V² and the switching charge of the programmed devices;
    * ``line_charging_J``, ``half_select_J`` — the lines and the half-selected devices
      (:func:`fetrain.energy.line_energy`, the stated circuit model :class:`fetrain.energy.CircuitCosts`);
    * ``digital_<model>_J`` — mixed precision's digital work under each hardware model of
      :data:`fetrain.energy.DIGITAL_MODELS` (0 for pulse trains);
    * ``references_J`` — symmetry point shifting's one-off programming of every reference
      (pulsing to the symmetry point within 1% of dw_min and copying it, complete form), counted
      from the start; 0 for the other strategies.

    Parameters
    ----------
    history : pandas.DataFrame
        A run's history (see :class:`fetrain.training.RunResult`).
    config : TrainConfig
        The run's configuration (with a device model).

    Returns
    -------
    pandas.DataFrame
        A copy of ``history`` with the parts above (J, cumulative).
    """
    model = config.model
    out = history.copy()
    out["analog_study_J"] = history["energy_study_J"]
    out["analog_complete_J"] = history["energy_complete_J"]
    lines = [energy.line_energy(model, r.line_pulses, r.line_cell_charges, r.pulses)
             for r in history.itertuples()]
    out["line_charging_J"] = [x["line_charging"] for x in lines]
    out["half_select_J"] = [x["half_select_conduction"] for x in lines]
    for name, costs in energy.DIGITAL_MODELS.items():
        out[f"digital_{name}_J"] = [
            config.algorithm.digital_energy_J(dict(r._asdict()), costs) for r in history.itertuples()]
    refs = _reference_programming_J(model) if config.reference == "symmetry_point" else 0.0
    out["references_J"] = refs
    return out


# ---- running ----------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _data(n_train: int | None):
    from . import data as fdata

    return fdata.load_embedded().subset(n_train)


def _train_one(plan: SweepPlan, spec: RunSpec):
    """One run, in whatever process executes it (a cluster worker included): its history."""
    from .training import train

    config = train_config(plan, spec)
    start = time.perf_counter()
    result = train([config], _data(plan.n_train), workers=1)[0]
    return result.history, time.perf_counter() - start


def _run_signature(plan: SweepPlan, config) -> dict:
    """What decides a run's numbers: its configuration, data and code (two runs of the plan
    with the same signature — a scheme that leaves a width unchanged — are trained once)."""
    from .training import code_fingerprint

    return {"config": config.describe(), "data_set": _data(plan.n_train).label,
            "n_train": plan.n_train, "code": code_fingerprint()}


def _done(folder: Path, signature: dict) -> bool:
    meta = folder / "run.json"
    if not (meta.is_file() and (folder / "history.csv").is_file()):
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8"))["signature"] == signature
    except (ValueError, KeyError):
        return False


def _save_run(folder: Path, spec: RunSpec, signature: dict, history: pd.DataFrame, config,
              seconds: float) -> None:
    """Write one run: the history with its energy parts, then ``run.json`` (written last, so a
    run killed while writing counts as not done)."""
    folder.mkdir(parents=True, exist_ok=True)
    energy_parts(history, config).to_csv(folder / "history.csv", index=False, float_format="%.8g")
    tmp = folder / "run.json.tmp"
    tmp.write_text(json.dumps({"run": asdict(spec), "signature": signature, "seconds": seconds},
                              indent=1) + "\n", encoding="utf-8")
    tmp.replace(folder / "run.json")


def run_sweep(plan: SweepPlan, out: str | Path, executor: Executor | None = None,
              progress: bool = False, batch: int = 15, workers: int | None = None,
              tables: bool = True) -> dict:
    """Train every run of ``plan`` that ``out`` does not hold yet, and write the results.

    Each finished run is written to ``out/runs/<key>/`` (its history with every energy part,
    :func:`energy_parts`, and ``run.json`` with its full configuration and the code version);
    a run already there with the same configuration, data and code is not trained again. So a
    sweep killed half way loses at most the runs in progress, and the same call resumes it.

    ``executor`` None: runs train in this process, ``batch`` at a time side by side on the
    local cores (``workers`` threads), each batch checkpointed after every epoch under
    ``out/checkpoints`` (a kill loses at most the epoch in progress). Otherwise each run is one
    task for the executor (for example ``dask.distributed.Client(address).get_executor()``); the
    results are written here as tasks finish.

    Returns {"trained": runs trained now, "written": runs written now (a run shared by several
    schemes is trained once), "reused": runs found done, "seconds": wall time}, and writes the
    tables and figures of :func:`write_results` (unless ``tables`` is False: a caller that
    analyses the runs itself, such as the book's chapters).

    Parameters
    ----------
    plan : SweepPlan
        The plan.
    out : str or pathlib.Path
        The sweep folder, created if missing.
    executor : concurrent.futures.Executor, optional
        Executor of one task per run; None: train here.
    progress : bool
        Show progress bars.
    batch : int
        Runs trained side by side here (counts).
    workers : int, optional
        Threads here (counts); None: the default.
    tables : bool
        Write the tables and figures.

    Returns
    -------
    dict
        ``trained``, ``written`` and ``reused`` (runs, counts), ``seconds`` (s).

    Raises
    ------
    ValueError
        If ``out`` is not writable.
    """
    from .training import train

    out = check_output_folder(out)
    start = time.perf_counter()
    (out / PLAN_FILE).write_text(json.dumps(_plan_record(plan), indent=1) + "\n", encoding="utf-8")
    specs = plan.runs()
    configs = {spec: train_config(plan, spec) for spec in specs}
    signatures = {spec: _run_signature(plan, configs[spec]) for spec in specs}
    missing = [s for s in specs if not _done(out / RUNS_DIR / s.key, signatures[s])]
    # runs with the same signature are trained once and written under each of their names
    same: dict[str, list[RunSpec]] = {}
    for s in missing:
        same.setdefault(json.dumps(signatures[s], sort_keys=True), []).append(s)
    pending = [group[0] for group in same.values()]
    reused = len(specs) - len(missing)

    def save(spec: RunSpec, history: pd.DataFrame, seconds: float) -> None:
        for s in same[json.dumps(signatures[spec], sort_keys=True)]:
            _save_run(out / RUNS_DIR / s.key, s, signatures[s], history, configs[s], seconds)
            if bar is not None:
                bar.update(1)

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(specs), initial=reused, unit="run", desc="sweep")
    if executor is None:
        data = _data(plan.n_train)
        for k in range(0, len(pending), batch):
            group = pending[k:k + batch]
            t0 = time.perf_counter()
            # named by what the batch trains, so a checkpoint is only ever resumed by its batch
            ident = json.dumps([signatures[s] for s in group], sort_keys=True).encode()
            checkpoint = out / "checkpoints" / hashlib.sha256(ident).hexdigest()[:16]
            results = train([configs[s] for s in group], data, progress=progress,
                            checkpoint_dir=checkpoint, workers=workers)
            seconds = time.perf_counter() - t0
            for s, r in zip(group, results):
                save(s, r.history, seconds)
            _remove_tree(checkpoint)
    else:
        futures = {executor.submit(_train_one, plan, s): s for s in pending}
        for fut in as_completed(futures):
            history, seconds = fut.result()
            save(futures[fut], history, seconds)
    if bar is not None:
        bar.close()
    _remove_tree(out / "checkpoints")
    if tables:
        write_results(out, plan)
    return {"trained": len(pending), "written": len(missing), "reused": reused,
            "seconds": time.perf_counter() - start}


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _plan_record(plan: SweepPlan) -> dict:
    from . import __version__
    from .training import code_fingerprint

    return {"what": "energy to target accuracy across pulse widths, algorithms and programming "
                    "schemes (fetrain's main experiment)",
            "fetrain_version": __version__, "code": code_fingerprint(),
            "data_set": _data(plan.n_train).label, "device": "the synthetic HZO device "
            "(fetrain.synthetic), one device model per pulse width and programming scheme",
            "plan": plan.describe(),
            "energy": {"circuit": asdict(energy.CircuitCosts()),
                       "digital_models": {k: asdict(v) for k, v in energy.DIGITAL_MODELS.items()},
                       "reference_tolerance_dw_min": REFERENCE_TOLERANCE,
                       "synapses": N_SYNAPSES}}


def load_histories(out: str | Path, plan: SweepPlan | None = None) -> tuple[pd.DataFrame, dict]:
    """Every finished run's history in ``out`` as one table (columns ``scheme``, ``width_s``,
    ``strategy``, ``seed`` added), and the plan record; with ``plan``, only that plan's runs (a
    folder may also hold runs of an earlier, larger plan).

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep folder.
    plan : SweepPlan, optional
        Keep only this plan's runs.

    Returns
    -------
    histories : pandas.DataFrame
        The histories (``width_s`` in s; accuracies as fractions; energies in J).
    record : dict
        The plan record (``plan.json``).

    Raises
    ------
    FileNotFoundError
        If ``out`` holds no sweep or no finished run.
    """
    out = Path(out)
    plan_path = out / PLAN_FILE
    if not plan_path.is_file():
        raise FileNotFoundError(f"{out} holds no sweep ({PLAN_FILE} missing); run "
                                f"python -m fetrain reproduce --out {out}")
    record = json.loads(plan_path.read_text(encoding="utf-8"))
    frames = []
    for meta in sorted((out / RUNS_DIR).glob("*/run.json")):
        run = json.loads(meta.read_text(encoding="utf-8"))["run"]
        h = pd.read_csv(meta.parent / "history.csv")
        for k, v in run.items():
            h.insert(0, k, v)
        frames.append(h)
    if not frames:
        raise FileNotFoundError(f"{out} holds no finished run")
    histories = pd.concat(frames, ignore_index=True)
    if plan is not None:
        keep = {s.key for s in plan.runs()}
        keys = [RunSpec(*k).key for k in zip(histories["scheme"], histories["width_s"].astype(float),
                                             histories["strategy"], histories["seed"].astype(int))]
        histories = histories[np.isin(keys, list(keep))].reset_index(drop=True)
    return histories, record


def book_runs(scale: str | Scale | None = None) -> tuple[SweepPlan, pd.DataFrame, dict, dict]:
    """The sweep of the book at a scale (``None``: the current one), trained where the run cache
    does not hold it yet: (plan, histories of the plan's runs, plan record, run report). The
    chapters call this; their runs live in the run cache under ``sweep/<scale>``.

    Parameters
    ----------
    scale : str or Scale, optional
        The scale; None: the current one.

    Returns
    -------
    plan : SweepPlan
        The plan.
    histories : pandas.DataFrame
        Its runs' histories (energies in J).
    record : dict
        The plan record.
    report : dict
        What :func:`run_sweep` did.
    """
    from .training import default_cache_dir

    plan = SweepPlan.for_scale(scale)
    out = default_cache_dir() / "sweep" / plan.scale
    report = run_sweep(plan, out, tables=False)
    histories, record = load_histories(out, plan)
    return plan, histories, record, report


def write_results(out: str | Path, plan: SweepPlan) -> dict[str, Path]:
    """The sweep's tables (CSV) and figures (PNG and SVG) from the runs in ``out``.

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep folder.
    plan : SweepPlan
        The plan whose runs are tabulated.

    Returns
    -------
    dict of str to pathlib.Path
        The written files by name.

    Raises
    ------
    FileNotFoundError
        If ``out`` holds no sweep or no finished run.
    """
    from . import tradeoff

    out = Path(out)
    histories, record = load_histories(out, plan)
    paths = {}
    histories.to_csv(out / HISTORIES_FILE, index=False, float_format="%.8g")
    paths["histories"] = out / HISTORIES_FILE
    summary = tradeoff.summary(histories, plan.target)
    summary.to_csv(out / SUMMARY_FILE, index=False, float_format="%.6g")
    paths["summary"] = out / SUMMARY_FILE
    curves = tradeoff.energy_curves(histories)
    curves.to_csv(out / ENERGY_CURVES_FILE, index=False, float_format="%.6g")
    paths["energy_curves"] = out / ENERGY_CURVES_FILE
    win = tradeoff.win_map(histories, plan.target)
    win.to_csv(out / MAP_FILE, index=False, float_format="%.6g")
    paths["map"] = out / MAP_FILE
    paths.update(save_figures(histories, plan, out, record))
    return paths


def scheme_labels(short: bool = False) -> dict[str, str]:
    """A label of every programming scheme, by name (``short``: for a figure's axis).

    Parameters
    ----------
    short : bool
        Short labels (the cap in V, or the ladder's V per decade).

    Returns
    -------
    dict of str to str
        Label by scheme name.
    """
    if short:
        return {name: (f"cap {s.cap(physics.DEFAULT_DEVICE):g} V" if isinstance(s, physics.IsoFraction)
                       else f"ladder −{s.volts_per_decade:g} V/dec.") for name, s in SCHEMES.items()}
    return {name: s.label() for name, s in SCHEMES.items()}


def sweep_figures(histories: pd.DataFrame, plan: SweepPlan, record: dict | None = None) -> dict:
    """The sweep's figures (matplotlib Figures by name): accuracy against epoch per strategy;
    epochs, pulses, energy per pulse and energy to target against width; the energy breakdown;
    the accuracy–energy Pareto front; the map of where short pulses win. The main scheme's runs
    make all but the map.

    Parameters
    ----------
    histories : pandas.DataFrame
        The histories of :func:`load_histories`.
    plan : SweepPlan
        The plan.
    record : dict, optional
        The plan record, for the titles.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        ``accuracy``, ``to_target``, ``breakdown``, ``pareto`` and ``map``.
    """
    import matplotlib.pyplot as plt

    from . import plotting, tradeoff

    labels = {k: s.label for k, s in STRATEGIES.items()}
    main = histories[histories["scheme"] == plan.schemes[0]]
    agg = tradeoff.aggregate(tradeoff.summary(main, plan.target))
    where = ""
    if record is not None:
        where = f" — {record['data_set']}, {record['plan']['scale']} scale"
    figs = {}
    strategies = [s for s in plan.strategies if s in set(main["strategy"])]
    fig, axes = plt.subplots(1, len(strategies), figsize=(3.0 * len(strategies), 3.0),
                             sharey=True, squeeze=False)
    for ax, s in zip(axes[0], strategies):
        plotting.plot_sweep_accuracy(main, s, plan.target, ax=ax, title=labels[s])
    axes[0][0].legend(title="pulse width", fontsize=7)
    fig.suptitle(f"Test accuracy per pulse width{where}", fontsize=9)
    fig.tight_layout()
    figs["accuracy"] = fig
    fig, axes = plt.subplots(2, 2, figsize=(8.0, 6.0))
    plotting.plot_against_width(agg, "epochs_to_target", "epochs to target", labels, ax=axes[0, 0],
                                log_y=False)
    plotting.plot_against_width(agg, "pulses_to_target", "pulses to target", labels, ax=axes[0, 1])
    plotting.plot_against_width(agg, "energy_per_pulse_J", "energy per pulse (pJ, complete)",
                                labels, ax=axes[1, 0], scale=1e12)
    plotting.plot_against_width(agg, "total_to_target_J", "total energy to target (µJ)", labels,
                                ax=axes[1, 1], scale=1e6)
    if agg["reached"].any():
        axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"To the {plan.target * 100:g}% target{where}", fontsize=9)
    fig.tight_layout()
    figs["to_target"] = fig
    fig, ax = plt.subplots(figsize=(8.0, 4.6))
    plotting.plot_energy_breakdown(agg, labels, {p: tradeoff.PART_LABELS[p]
                                                 for p in tradeoff.PARTS if p != "fixed_J"}, ax=ax)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    figs["breakdown"] = fig
    pts = tradeoff.with_totals(main)
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    plotting.plot_pareto(pts, tradeoff.pareto_front(pts[pts["samples"] > 0]), labels, ax=ax)
    fig.tight_layout()
    figs["pareto"] = fig
    win = tradeoff.win_map(histories, plan.target, digital_models=(tradeoff.DEFAULT_DIGITAL,))
    fig, axes = plt.subplots(1, len(strategies), figsize=(3.2 * len(strategies) + 0.8, 2.6),
                             sharey=True, squeeze=False)
    for ax, s in zip(axes[0], strategies):
        plotting.plot_win_map(win, s, list(plan.schemes), scheme_labels(short=True), plan.widths_s,
                              ax=ax, title=labels[s])
    fig.tight_layout()
    figs["map"] = fig
    return figs


def save_figures(histories: pd.DataFrame, plan: SweepPlan, out: Path,
                 record: dict | None = None) -> dict[str, Path]:
    """Write :func:`sweep_figures` as PNG and SVG into ``out/figures``.

    Parameters
    ----------
    histories : pandas.DataFrame
        The histories.
    plan : SweepPlan
        The plan.
    out : pathlib.Path
        The sweep folder.
    record : dict, optional
        The plan record.

    Returns
    -------
    dict of str to pathlib.Path
        The PNG files by name (``figure_<name>``).
    """
    import matplotlib.pyplot as plt

    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, fig in sweep_figures(histories, plan, record).items():
        for ext in ("png", "svg"):
            fig.savefig(folder / f"{name}.{ext}", bbox_inches="tight")
        paths[f"figure_{name}"] = folder / f"{name}.png"
        plt.close(fig)
    return paths


def default_out(scale: str) -> Path:
    """The default results folder of a scale: ``results/reproduce-<scale>`` beside fetrain
    (``$FETRAIN_RESULTS/reproduce-<scale>`` if that is set).

    Parameters
    ----------
    scale : str
        The scale's name.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    from .experiments import results_dir

    return results_dir() / f"reproduce-{scale}"


def width_figures(models: dict) -> pd.DataFrame:
    """What each width's device model costs and does, one row per width: set and reset
    amplitude (V); energy of a set pulse at mid-range, study and complete form (J); dw_min; up
    over down step at w = 0; the symmetry point w*; and the energy per unit weight change at w*
    (a set and a reset pulse there, complete and study form, J per unit of w) and its ratio to
    the shortest width's.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s), with energy available.

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s), ``amplitude_set_V`` and ``amplitude_reset_V`` (V),
        ``energy_per_pulse_study_J`` and ``energy_per_pulse_complete_J`` (J), ``dw_min`` and
        ``symmetry_point`` (w units), ``up_over_down_at_0`` (dimensionless),
        ``energy_per_dw_study_J`` and ``energy_per_dw_complete_J`` (J per w unit), and their
        ``_relative`` ratios (dimensionless).

    Raises
    ------
    EnergyUnavailable
        If a model's data cannot give joules.
    """
    rows = []
    for t, m in sorted(models.items()):
        ws = m.symmetry_point
        e_set, e_reset = m.pulse_energy(ws, "set"), m.pulse_energy(ws, "reset")
        dw = float(m.step_up_at(ws) + m.step_down_at(ws))
        mid = m.pulse_energy(0.0, "set")
        f = m.figures()
        rows.append({"pulse_width_s": t, "amplitude_set_V": m.amplitude_set_V,
                     "amplitude_reset_V": m.amplitude_reset_V,
                     "energy_per_pulse_study_J": float(mid.study_J),
                     "energy_per_pulse_complete_J": float(mid.complete_J),
                     "dw_min": m.dw_min, "up_over_down_at_0": f["asymmetry_up_over_down_at_0"],
                     "symmetry_point": ws,
                     "energy_per_dw_study_J": float(e_set.study_J + e_reset.study_J) / dw,
                     "energy_per_dw_complete_J": float(e_set.complete_J + e_reset.complete_J) / dw})
    out = pd.DataFrame(rows)
    for form in ("study", "complete"):
        out[f"energy_per_dw_{form}_relative"] = (out[f"energy_per_dw_{form}_J"]
                                                 / out[f"energy_per_dw_{form}_J"].iloc[0])
    return out


#: Paper-scale results made by ``python -m fetrain reproduce --scale paper`` and shipped with
#: fetrain (their tables only: plan, per-run summary, map, energy curves).
SHIPPED_PAPER = Path(__file__).resolve().parent / "data" / "reproduce-paper"


def load_tables(out: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The per-run summary, the map and the plan record a sweep wrote into ``out``.

    Parameters
    ----------
    out : str or pathlib.Path
        A finished sweep's folder.

    Returns
    -------
    summary : pandas.DataFrame
        The per-run summary (see :func:`fetrain.tradeoff.summary`).
    win_map : pandas.DataFrame
        The map (see :func:`fetrain.tradeoff.win_map`).
    record : dict
        The plan record.

    Raises
    ------
    FileNotFoundError
        If ``out`` lacks the plan, summary or map file.
    """
    out = Path(out)
    missing = [n for n in (PLAN_FILE, SUMMARY_FILE, MAP_FILE) if not (out / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{out} lacks {', '.join(missing)}: not a finished sweep's folder")
    record = json.loads((out / PLAN_FILE).read_text(encoding="utf-8"))
    return pd.read_csv(out / SUMMARY_FILE), pd.read_csv(out / MAP_FILE), record
