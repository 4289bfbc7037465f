"""Tuning each width on the validation split: the settings that minimise the energy to target, found
by Optuna (Akiba et al., KDD 2019), then retrained with fresh seeds and scored on the test split.

For every cell (programming scheme × pulse width × strategy) one Optuna study searches the learning
rate and the strategy's own settings (:data:`SEARCH_SPACES`: the pulse trains' bit length; mixed
precision's threshold and transfer interval; symmetry point shifting's variant) for the least total
energy to the target, judged on the **validation** split and averaged over the tuning seeds. A
setting that does not reach the target with every tuning seed is *infeasible* (a constraint of the
sampler), not a large number. The sampler is TPE with a fixed seed per cell; the trials of a batch
train side by side in one engine call (Optuna's ask-and-tell interface).

The studies live in an SQLite file in the output folder (``studies.db``; any SQLAlchemy URL with
``storage``), so a killed tuning resumes where it stopped and several processes — or machines, with a
database server — can work on the same studies: each asks for trials until the study holds enough,
and a trial whose process stopped sending heartbeats is marked failed and asked again.

The chosen setting of each cell is then trained again with fresh seeds
(``TunePlan.retrain_seeds``); the book reports those runs, judged on validation and scored on
the test split — never the tuning's own numbers.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..common import storage
from ..common.files import check_output_folder
from ..common.scale import Scale, current
from ..device.stack import PULSE_WIDTHS_S
from .measured import MEASURED, campaign_models, campaign_record, campaign_widths
from .plan import DATA_SETS, SCHEMES, STRATEGIES, check_plan, device_models, require_choice
from .readpath import READ_PATHS, read_path_columns
from .sweep import energy_parts
from .tradeoff import DEFAULT_DIGITAL, RUN_KEYS, summary
from .tuned import CHOSEN_FILE, SHIPPED_TUNE

#: The strategies a tuning searches, and the references symmetry point shifting may choose from.
TUNED_STRATEGIES: dict[str, str] = {"sgd": "plain SGD", "sps": "symmetry point shifting",
                                    "mp": "mixed precision", "ttv2": "Tiki-Taka v2",
                                    "c-ttv2": "chopped Tiki-Taka v2", "agad": "AGAD"}

#: The strategies a paper-scale tuning searches unless told otherwise: the study's (the transfer
#: algorithms join with ``--strategies``)
STUDY_STRATEGIES: tuple[str, ...] = ("sgd", "sps", "mp")

SPS_VARIANTS: dict[str, str] = {"symmetry_point": "per device", "global_symmetry_point": "global w*"}

#: The search space of each strategy: parameter → (kind, low, high) or ("choice", options).
#: Learning rates span the range over which Chapter 3's pilot saw the devices learn; bit lengths
#: the engine's 1 … 62 slots (log scale, like the learning rate); thresholds in units of dw_min.
SEARCH_SPACES: dict[str, dict[str, tuple]] = {
    "sgd": {"lr": ("log", 0.005, 0.4), "desired_bl": ("int-log", 1, 62)},
    "sps": {"lr": ("log", 0.005, 0.4), "desired_bl": ("int-log", 1, 62),
            "reference": ("choice", tuple(SPS_VARIANTS))},
    "mp": {"lr": ("log", 0.005, 0.4), "threshold": ("log", 0.5, 4.0),
           "transfer_every": ("int-log", 1, 16)},
    # the transfer algorithms: lr scales the transfer (lr_t = lr), fast_lr the fast array's
    # pulse trains; the chopper's probability spans AIHWKit's presets (0.001 … 0.02) and beyond
    "ttv2": {"lr": ("log", 0.05, 5.0), "fast_lr": ("log", 0.005, 0.5),
             "n_reads": ("int-log", 1, 64)},
    "c-ttv2": {"lr": ("log", 0.05, 5.0), "fast_lr": ("log", 0.005, 0.5),
               "n_reads": ("int-log", 1, 64), "in_chop_prob": ("log", 0.001, 0.2)},
    "agad": {"lr": ("log", 0.05, 5.0), "fast_lr": ("log", 0.005, 0.5),
             "n_reads": ("int-log", 1, 64), "in_chop_prob": ("log", 0.001, 0.2)},
}

#: Files of a tuning folder.
PLAN_FILE = "tune_plan.json"
STUDIES_FILE = "studies.db"
LOCK_FILE = ".lock"
TRIALS_FILE = "trials.csv"
RETRAINED_FILE = "retrained.csv"
RETRAINED_DIR = "retrained"
TABLES = (PLAN_FILE, TRIALS_FILE, CHOSEN_FILE, RETRAINED_FILE)

#: Seconds between heartbeats of a running trial, and how long without one makes it stale.
HEARTBEAT_S = 10
GRACE_S = 60


@dataclass(frozen=True)
class TunePlan:
    """What a tuning searches and how hard.

    Attributes
    ----------
    scale : str
        The scale it was made for (``quick``, ``book``, ``paper``).
    widths_s : tuple of float
        Pulse widths (s), each one of the campaign's.
    strategies : tuple of str
        Names of :data:`TUNED_STRATEGIES`.
    schemes : tuple of str
        Programming schemes, names of :data:`fetrain.study.plan.SCHEMES`.
    trials : int
        Trials per cell (counts).
    batch : int
        Trials trained side by side (counts).
    tuning_seeds : tuple of int
        Seeds every trial trains with; its energy is the mean over them.
    retrain_seeds : tuple of int
        Fresh seeds the chosen setting is trained with (none of ``tuning_seeds``).
    epochs : int
        Epoch limit of every run (counts): the target must be reached within it.
    evaluations_per_epoch : int
        Evaluations per epoch (counts).
    n_train : int or None
        Training digits (counts; None: the whole embedded training split).
    target : float
        Target validation accuracy (fraction, 0 … 1).
    read_path : str
        Read-path setting of the energy minimised (``none``, ``low``, ``high``).
    digital : str
        Hardware model of mixed precision's digital work.
    sampler_seed : int
        Seed of the samplers (each cell's sampler is seeded from it and the cell's name).
    data : str
        The data set, a name of :data:`fetrain.study.plan.DATA_SETS`; targets are judged on its
        validation split.
    campaign : str
        A reader's measured campaign (:mod:`fetrain.study.measured`) whose fitted models replace
        the synthetic device, under its one scheme ``measured``; empty: none.

    Raises
    ------
    ValueError
        If a field is out of range or names an unknown width, strategy, scheme or setting.
    """

    scale: str = "book"
    widths_s: tuple[float, ...] = (20e-9, 200e-9)
    strategies: tuple[str, ...] = ("sgd",)
    schemes: tuple[str, ...] = ("iso-3.8",)
    trials: int = 8
    batch: int = 4
    tuning_seeds: tuple[int, ...] = (0,)
    retrain_seeds: tuple[int, ...] = (100, 101)
    epochs: int = 4
    evaluations_per_epoch: int = 2
    n_train: int | None = None
    target: float = 0.70
    read_path: str = "low"
    digital: str = DEFAULT_DIGITAL
    sampler_seed: int = 0
    data: str = "embedded"
    campaign: str = ""

    def __post_init__(self) -> None:
        require_choice("data", self.data, DATA_SETS)
        schemes, widths = SCHEMES, PULSE_WIDTHS_S
        if self.campaign:
            schemes, widths = (MEASURED,), campaign_widths(self.campaign)
        check_plan(self.scale, self.widths_s, {"strategies": (self.strategies, TUNED_STRATEGIES),
                                               "schemes": (self.schemes, schemes)},
                   seeds={"tuning_seeds": self.tuning_seeds,
                          "retrain_seeds": self.retrain_seeds},
                   counts={"trials": self.trials, "batch": self.batch, "epochs": self.epochs,
                           "evaluations_per_epoch": self.evaluations_per_epoch},
                   n_train=self.n_train, target=self.target, allowed_widths_s=widths)
        require_choice("read_path", self.read_path, READ_PATHS)
        if set(self.tuning_seeds) & set(self.retrain_seeds):
            raise ValueError(f"retrain_seeds must be fresh: none of tuning_seeds "
                             f"{self.tuning_seeds}; got {self.retrain_seeds}")

    @classmethod
    def for_scale(cls, scale: str | Scale | None = None, **changes) -> "TunePlan":
        """The plan of a scale (``None``: the current one), with ``changes``.

        * quick — 20 and 200 ns, plain SGD, the main scheme, 4 trials on 300 digits, 2 epochs,
          a 12% target (a smoke test: the devices barely leave chance that early);
        * book — 20 and 200 ns, plain SGD, the main scheme, 8 trials, 4 epochs (Chapter 7's
          live study, a few minutes);
        * paper — 20 ns, 200 ns and 2 µs, every strategy and scheme, 8 trials of two tuning
          seeds, 6 epochs (a setting must reach the target within them; the fixed sweep's runs
          reach it in 1–4 where they reach it at all), three fresh seeds for the chosen setting
          (the shipped results). The two longest widths are left out: at fixed settings they
          lose every cell of the map by a wide margin (Chapter 7 computes it), and their energy
          per weight change is tens of times the shortest width's.

        Parameters
        ----------
        scale : str or Scale, optional
            The scale; None: the current one.
        **changes
            Fields to change.

        Returns
        -------
        TunePlan
            The plan.
        """
        from .pilot import TARGET_ACCURACY

        s = current(scale) if not isinstance(scale, Scale) else scale
        data = changes.get("data", "embedded")
        require_choice("data", data, DATA_SETS)
        base = dict(scale=s.name, target=s.pick(quick=0.12, book=TARGET_ACCURACY[data],
                                                paper=TARGET_ACCURACY[data]),
                    widths_s=s.pick(quick=(20e-9, 200e-9), book=(20e-9, 200e-9),
                                    paper=PULSE_WIDTHS_S[:3]),
                    strategies=s.pick(quick=("sgd",), book=("sgd",), paper=STUDY_STRATEGIES),
                    schemes=s.pick(quick=("iso-3.8",), book=("iso-3.8",), paper=tuple(SCHEMES)),
                    trials=s.pick(quick=4, book=8, paper=8),
                    batch=s.pick(quick=2, book=4, paper=4),
                    tuning_seeds=s.pick(quick=(0,), book=(0,), paper=(0, 1)),
                    retrain_seeds=s.pick(quick=(100,), book=(100, 101), paper=(100, 101, 102)),
                    epochs=s.pick(quick=2, book=4, paper=6),
                    n_train=s.pick(quick=300, book=None, paper=None))
        if changes.get("campaign"):
            base.update(schemes=(MEASURED,), widths_s=campaign_widths(changes["campaign"]))
        base.update(changes)
        return cls(**base)

    def cells(self) -> list[tuple[str, float, str]]:
        """Every (scheme, width in s, strategy) the plan tunes, in a fixed order."""
        return [(scheme, float(t), strategy) for scheme in self.schemes for t in self.widths_s
                for strategy in self.strategies]

    def describe(self) -> dict:
        """Plain data (``tune_plan.json``), with the search spaces."""
        d = asdict(self)
        d["widths_s"] = [float(t) for t in self.widths_s]
        if self.campaign:
            d["campaign"] = campaign_record(self.campaign)
        d["search_spaces"] = {s: {k: list(v) for k, v in SEARCH_SPACES[s].items()}
                              for s in self.strategies}
        return d


def _optuna():
    """The optuna module, imported without the warning its progress bars (tqdm.auto) give in a
    notebook without ipywidgets."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import optuna
    return optuna


def fixed_setting(strategy: str) -> dict:
    """The book's fixed setting of a strategy (Chapter 6's sweep), as search-space values."""
    from .pilot import DEFAULT_LR

    rule = STRATEGIES[strategy].rule
    setting = {"lr": DEFAULT_LR}
    setting.update({name: getattr(rule, name) for name in SEARCH_SPACES[strategy]
                    if hasattr(rule, name)})
    if strategy == "sps":
        setting["reference"] = "symmetry_point"
    return setting


def cell_name(scheme: str, width_s: float, strategy: str) -> str:
    """The study name of a cell, e.g. ``iso-3.8_20ns_sgd``."""
    return f"{scheme}_{width_s * 1e9:g}ns_{strategy}"


def suggest(trial, strategy: str) -> dict:
    """The setting a trial tries, drawn from :data:`SEARCH_SPACES` of ``strategy``."""
    out = {}
    for name, (kind, *spec) in SEARCH_SPACES[strategy].items():
        if kind == "log":
            out[name] = trial.suggest_float(name, spec[0], spec[1], log=True)
        elif kind == "int-log":
            out[name] = trial.suggest_int(name, spec[0], spec[1], log=True)
        else:
            out[name] = trial.suggest_categorical(name, list(spec[0]))
    return out


def train_config(plan: TunePlan, scheme: str, width_s: float, strategy: str, setting: dict,
                 seed: int):
    """The :class:`fetrain.train.config.TrainConfig` of a setting of a cell, with ``seed``.

    Parameters
    ----------
    plan : TunePlan
        The plan (epochs, evaluations).
    scheme, width_s, strategy : str, float, str
        The cell (width in s).
    setting : dict
        Values of the strategy's search space.
    seed : int
        Seed.

    Returns
    -------
    TrainConfig
        The configuration.
    """
    from ..train.config import TrainConfig

    models = (campaign_models(plan.campaign) if plan.campaign
              else device_models(scheme, tuple(plan.widths_s)))
    model = models[float(width_s)]
    rule = STRATEGIES[strategy].rule_with(setting)
    reference = setting.get("reference", STRATEGIES[strategy].reference)
    return TrainConfig(model=model, lr=float(setting["lr"]), epochs=plan.epochs, seed=int(seed),
                       reference=reference, algorithm=rule,
                       evaluations_per_epoch=plan.evaluations_per_epoch)


def _data(plan: "TunePlan"):
    from .sweep import _data as sweep_data

    return sweep_data(plan.n_train, plan.data)


def _histories(plan: TunePlan, configs: list, keys: list[dict], workers) -> pd.DataFrame:
    """Train ``configs`` side by side; their histories with every energy part and the run keys."""
    from ..train.loop import train

    results = train(configs, _data(plan), workers=workers)
    frames = []
    for cfg, key, r in zip(configs, keys, results):
        h = read_path_columns(energy_parts(r.history, cfg), cfg.model, cfg.algorithm)
        for k, v in reversed(key.items()):
            h.insert(0, k, v)
        frames.append(h)
    return pd.concat(frames, ignore_index=True)


def _score(plan: TunePlan, histories: pd.DataFrame) -> pd.DataFrame:
    """The tuning's reading of runs: one row per run, judged on validation."""
    return summary(histories, plan.target, plan.digital, read_path=plan.read_path,
                   split="validation")


def _storage(url: str | None, out: Path):
    optuna = _optuna()

    url = url or f"sqlite:///{out / STUDIES_FILE}"
    # SQLite: wait for another process's lock instead of failing at once
    kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    for attempt in range(10):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")      # heartbeats are marked experimental
                return optuna.storages.RDBStorage(url, engine_kwargs=kwargs,
                                                  heartbeat_interval=HEARTBEAT_S,
                                                  grace_period=GRACE_S), url
        except Exception:                    # two processes creating the same tables at once
            if attempt == 9:
                raise
            time.sleep(0.5 + attempt)


def _study(storage, plan: TunePlan, cell: tuple):
    optuna = _optuna()

    name = cell_name(*cell)
    seed = (plan.sampler_seed * 1_000_003 + zlib.crc32(name.encode())) % 2**31
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(1, plan.trials // 2),
                                         multivariate=True, constant_liar=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # multivariate TPE is marked experimental
        study = optuna.create_study(study_name=name, storage=storage, sampler=sampler,
                                    direction="minimize", load_if_exists=True)
        if not study.get_trials(deepcopy=False) and not study.user_attrs.get("seeded"):
            # the first trial is the book's fixed setting, so the tuned one is never worse on
            # the tuning seeds than what Chapter 6 trains
            study.set_user_attr("seeded", True)
            study.enqueue_trial(fixed_setting(cell[2]))
        return study


class _Heartbeat:
    """Records a heartbeat for the running trials every :data:`HEARTBEAT_S` seconds, so that
    other processes sharing the study can tell a live trial from one whose process died."""

    def __init__(self, storage, trial_ids):
        self.storage, self.ids = storage, list(trial_ids)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self):
        while True:
            for tid in self.ids:
                self.storage.record_heartbeat(tid)
            if self.stop.wait(HEARTBEAT_S):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _count(study, state) -> int:
    return len(study.get_trials(deepcopy=False, states=(state,)))


def tune_cell(plan: TunePlan, storage, cell: tuple, workers=None, own_storage: bool = False,
              on_trials=None) -> int:
    """Run one cell's study until it holds ``plan.trials`` finished trials.

    Parameters
    ----------
    plan : TunePlan
        The plan.
    storage : optuna storage
        Where the study lives.
    cell : tuple
        (scheme, width in s, strategy).
    workers : int, optional
        Threads of the engine.
    own_storage : bool
        The storage is this process's alone (the output folder's, under its lock): trials left
        running by a killed process are failed at once instead of after the grace period.
    on_trials : callable, optional
        Called with the number of trials just finished.

    Returns
    -------
    int
        Trials this call trained (counts).
    """
    optuna = _optuna()
    from optuna.trial import TrialState

    study = _study(storage, plan, cell)
    if own_storage:
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
    trained = 0
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optuna.storages.fail_stale_trials(study)
        done = _count(study, TrialState.COMPLETE)
        running = _count(study, TrialState.RUNNING)
        n = min(plan.batch, plan.trials - done - running)
        if n <= 0:
            if done >= plan.trials and running == 0:
                return trained
            # another process is finishing trials of this study: wait for them, so that every
            # process's tables hold every trial (a dead process's trials fail after the grace)
            time.sleep(1.0)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeats are recorded here, not by optimize()
            trials = [study.ask() for _ in range(n)]
        settings = [suggest(t, cell[2]) for t in trials]
        configs, keys = [], []
        for t, setting in zip(trials, settings):
            for seed in plan.tuning_seeds:
                configs.append(train_config(plan, *cell, setting, seed))
                keys.append({"scheme": cell[0], "width_s": cell[1], "strategy": cell[2],
                             "seed": int(seed), "trial": t.number})
        with _Heartbeat(storage, [t._trial_id for t in trials]):
            start = time.perf_counter()
            histories = _histories(plan, configs, keys, workers)
            seconds = time.perf_counter() - start
        for t in trials:
            rows = _score(plan, histories[histories["trial"] == t.number].drop(columns="trial"))
            reached = int(rows["reached"].sum())
            t.set_user_attr("seeds", len(rows))
            t.set_user_attr("seeds_reached", reached)
            t.set_user_attr("seconds", seconds / len(trials))
            # the constraint (> 0: infeasible) is the tuning seeds that missed the target
            t.set_constraint("seeds_missing", float(len(rows) - reached))
            for col in ("epochs_to_target", "test_at_target", "final_accuracy"):
                t.set_user_attr(col, float(rows[col].mean()))
            # an infeasible setting still needs a number for the sampler's ranking inside the
            # infeasible group; its constraint, not this value, keeps it from being chosen
            value = (rows["total_to_target_J"].mean() if reached == len(rows)
                     else rows["total_final_J"].mean())
            study.tell(t, float(value))
        trained += n
        if on_trials:
            on_trials(n)


# ---- reading the studies -------------------------------------------------------------------------


def trials_table(storage, plan: TunePlan) -> pd.DataFrame:
    """Every finished trial of every cell of ``plan``: the cell, the trial number, its setting,
    the mean energy to target over the tuning seeds (``energy_J``, J, with the plan's read path;
    NaN where infeasible), ``feasible``, and the tuning's own epochs to target and accuracies
    (fractions; the tuning's, never reported as results).

    Parameters
    ----------
    storage : optuna storage or str
        The studies' storage (an object or a URL).
    plan : TunePlan
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per completed trial.
    """
    optuna = _optuna()
    from optuna.trial import TrialState

    rows = []
    for cell in plan.cells():
        try:
            study = optuna.load_study(study_name=cell_name(*cell), storage=storage)
        except KeyError:
            continue
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            a = t.user_attrs
            feasible = a.get("seeds_reached", 0) == a.get("seeds", -1)
            rows.append({"scheme": cell[0], "width_s": cell[1], "strategy": cell[2],
                         "trial": t.number, **{f"param_{k}": v for k, v in t.params.items()},
                         "feasible": feasible, "energy_J": t.value if feasible else np.nan,
                         "seeds": a.get("seeds"), "seeds_reached": a.get("seeds_reached"),
                         "epochs_to_target": a.get("epochs_to_target"),
                         "test_at_target": a.get("test_at_target"),
                         "final_accuracy": a.get("final_accuracy"), "seconds": a.get("seconds")})
    return pd.DataFrame(rows)


def chosen_table(trials: pd.DataFrame) -> pd.DataFrame:
    """Each cell's chosen setting: its feasible trial of least energy to target (on the
    validation split); a cell with no feasible trial has none (``chosen`` False).

    Parameters
    ----------
    trials : pandas.DataFrame
        The table of :func:`trials_table`.

    Returns
    -------
    pandas.DataFrame
        One row per cell: the cell keys, ``chosen``, ``trial``, the ``param_*`` columns and
        ``energy_J`` (J, the tuning's), ``feasible_trials`` and ``trials`` (counts).
    """
    rows = []
    params = [c for c in trials.columns if c.startswith("param_")]
    for key, g in trials.groupby(["scheme", "width_s", "strategy"], sort=False):
        ok = g[g["feasible"]].sort_values(["energy_J", "trial"])
        row = dict(zip(["scheme", "width_s", "strategy"], key))
        row.update(trials=len(g), feasible_trials=len(ok), chosen=bool(len(ok)))
        best = ok.iloc[0] if len(ok) else None
        row["trial"] = int(best["trial"]) if best is not None else -1
        row["energy_J"] = float(best["energy_J"]) if best is not None else np.nan
        for p in params:
            row[p] = best[p] if best is not None else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def setting_of(row) -> dict:
    """The setting (search-space values) of a row of :func:`chosen_table`."""
    return {k.removeprefix("param_"): v for k, v in dict(row).items()
            if k.startswith("param_") and not (isinstance(v, float) and np.isnan(v))}


# ---- retraining the chosen settings -------------------------------------------------------------


def _run_key(cell: tuple, seed: int) -> str:
    return f"{cell_name(*cell)}_s{seed}"


def _signature(plan: TunePlan, config) -> dict:
    from ..common.fingerprint import engine_fingerprint
    from .sweep import data_identity

    return {"config": config.describe(), **data_identity(plan),
            "n_train": plan.n_train, "engine": engine_fingerprint()}


def retrain(plan: TunePlan, out: Path, chosen: pd.DataFrame, workers=None, on_runs=None) -> int:
    """Train every cell's chosen setting with the fresh seeds, side by side in batches, each run
    written and sealed in ``out/retrained/<cell>_s<seed>/`` (a finished run is kept).

    Returns
    -------
    int
        Runs trained (counts).
    """
    from .sweep import _done

    pending = []
    for row in chosen[chosen["chosen"]].itertuples(index=False):
        cell = (row.scheme, float(row.width_s), row.strategy)
        setting = setting_of(row._asdict())
        for seed in plan.retrain_seeds:
            config = train_config(plan, *cell, setting, seed)
            folder = out / RETRAINED_DIR / _run_key(cell, seed)
            signature = _signature(plan, config)
            if not _done(folder, signature):
                pending.append((cell, seed, setting, config, folder, signature))
    size = plan.batch * len(plan.retrain_seeds)
    for k in range(0, len(pending), size):
        part = pending[k:k + size]
        keys = [{"scheme": c[0], "width_s": c[1], "strategy": c[2], "seed": int(s)}
                for c, s, *_ in part]
        start = time.perf_counter()
        histories = _histories(plan, [p[3] for p in part], keys, workers)
        seconds = (time.perf_counter() - start) / len(part)
        for (cell, seed, setting, config, folder, signature), key in zip(part, keys):
            h = histories[(histories["width_s"] == cell[1]) & (histories["strategy"] == cell[2])
                          & (histories["scheme"] == cell[0]) & (histories["seed"] == seed)]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / storage.MANIFEST).unlink(missing_ok=True)
            storage.write_csv(folder / "history.csv", h, float_format="%.8g")
            storage.write_json(folder / "run.json", {"run": key, "setting": _plain(setting),
                                                     "signature": signature, "seconds": seconds})
            storage.seal(folder, ["history.csv", "run.json"])
        if on_runs:
            on_runs(len(part))
    return len(pending)


def _plain(setting: dict) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in setting.items()}


def retrained_histories(out: str | Path, plan: TunePlan) -> pd.DataFrame:
    """The histories of the retrained runs of ``plan`` in ``out`` (run keys, energy parts and
    read-path columns, J).

    Raises
    ------
    fetrain.common.storage.DamagedFile
        If a run's files do not match their manifest (rerunning the tuning trains it again).
    """
    out = Path(out)
    frames = []
    for cell in plan.cells():
        for seed in plan.retrain_seeds:
            folder = out / RETRAINED_DIR / _run_key(cell, seed)
            if folder.exists():
                storage.check_folder(folder)
                frames.append(storage.read_csv(folder / "history.csv", verify=False))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def retrained_table(histories: pd.DataFrame, plan: TunePlan) -> pd.DataFrame:
    """The retrained runs judged on validation, one row per run and read-path setting (the
    summary of :func:`fetrain.study.tradeoff.summary`, with ``read_path``)."""
    if histories.empty:
        return pd.DataFrame(columns=[*RUN_KEYS, "target", "split", "reached", "test_at_target",
                                     "total_to_target_J", "read_path"])
    return pd.concat([summary(histories, plan.target, plan.digital, read_path=r,
                              split="validation").assign(read_path=r) for r in READ_PATHS],
                     ignore_index=True)


# ---- the command ---------------------------------------------------------------------------------


class PlanMismatch(ValueError):
    """The output folder holds a tuning of another plan."""


#: The fields of a plan that are not its cells: what every study and retrained run depends on.
CELL_FIELDS = ("widths_s", "strategies", "schemes", "search_spaces")


def _same_training(held: dict | None, wanted: dict) -> bool:
    """Whether two plans differ in their cells only (the search space of every strategy both
    hold included)."""
    if not isinstance(held, dict):
        return False
    rest = [{k: v for k, v in p.items() if k not in CELL_FIELDS} for p in (held, wanted)]
    a, b = held.get("search_spaces", {}), wanted.get("search_spaces", {})
    return rest[0] == rest[1] and all(a[k] == b[k] for k in set(a) & set(b))


def _claim(out: Path, plan: TunePlan, replace: bool) -> dict:
    path = out / PLAN_FILE
    wanted = json.loads(json.dumps(plan.describe()))
    record = None
    if path.exists():
        try:
            record = storage.read_json(path)
            # a tuning written before plans named their data set trained on the embedded subset
            record["plan"] = {"data": "embedded", "campaign": "", **record.get("plan", {})}
        except (storage.DamagedFile, AttributeError, TypeError):
            storage.notice(f"{path} is damaged; writing it again")
            record = None
    if record is not None and record.get("plan") != wanted:
        if _same_training(record.get("plan"), wanted):
            # only the cells differ: each study depends on its cell and these settings alone,
            # so the studies (and retrained runs) of the cells both plans hold are kept
            return {"plan": wanted}
        if not replace:
            raise PlanMismatch(f"{out} holds a tuning of another plan; choose another --out, or "
                               "add --replace to discard it")
        import shutil

        shutil.rmtree(out / RETRAINED_DIR, ignore_errors=True)
        for name in (STUDIES_FILE, *TABLES[1:], storage.MANIFEST):
            (out / name).unlink(missing_ok=True)
        record = None
    return record or {"plan": wanted}


def run_tuning(plan: TunePlan, out: str | Path, storage_url: str | None = None, workers=None,
               progress: bool = False, replace: bool = False) -> dict:
    """Tune every cell of ``plan``, retrain the chosen settings and write the tables (resuming
    whatever a killed run left).

    Parameters
    ----------
    plan : TunePlan
        The plan.
    out : str or pathlib.Path
        The output folder (created; one process at a time: it is locked while the tuning runs).
    storage_url : str, optional
        Where the studies live (an SQLAlchemy URL); default: ``studies.db`` in ``out``. Processes
        given the same URL share the studies (each with its own ``out``).
    workers : int, optional
        Threads of the engine.
    progress : bool
        Show progress bars.
    replace : bool
        Discard a tuning of another plan found in ``out``.

    Returns
    -------
    dict
        ``trials_trained`` and ``runs_trained`` (counts, this call), ``seconds`` (this call, s)
        and the written ``files``.

    Raises
    ------
    PlanMismatch
        If ``out`` holds a tuning of another plan and ``replace`` is False.
    ValueError
        If ``out`` cannot be written.
    """
    optuna = _optuna()

    from ..common.fingerprint import engine_fingerprint

    out = check_output_folder(out)
    start = time.perf_counter()
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with storage.locked(out / LOCK_FILE, f"the tuning in {out}"):
            record = _claim(out, plan, replace)
            storage.write_json(out / PLAN_FILE, record)
            db, url = _storage(storage_url, out)
            bar = _bar(progress, len(plan.cells()) * plan.trials, "trials")
            trained = 0
            for cell in plan.cells():
                trained += tune_cell(plan, db, cell, workers, own_storage=storage_url is None,
                                     on_trials=bar.update)
            bar.close()
            trials = trials_table(db, plan)
            chosen = chosen_table(trials)
            runs = int(chosen["chosen"].sum()) * len(plan.retrain_seeds)
            bar = _bar(progress, runs, "retrained runs")
            n_runs = retrain(plan, out, chosen, workers, on_runs=bar.update)
            bar.close()
            retrained = retrained_table(retrained_histories(out, plan), plan)
            record.update(engine=engine_fingerprint(),
                          storage=url if storage_url else STUDIES_FILE,
                          seconds={"trials": float(trials["seconds"].sum()),
                                   "per_trial": float(trials["seconds"].mean()),
                                   "retrained": _retrain_seconds(out),
                                   "trials_count": int(len(trials))})
            files = {name: storage.write_csv(out / name, table, float_format="%.6g")
                     for name, table in ((TRIALS_FILE, trials), (CHOSEN_FILE, chosen),
                                         (RETRAINED_FILE, retrained))}
            storage.write_json(out / PLAN_FILE, record)
            storage.seal(out, list(TABLES))
    finally:
        optuna.logging.set_verbosity(level)
    return {"trials_trained": trained, "runs_trained": n_runs,
            "seconds": time.perf_counter() - start, "files": files}


def _retrain_seconds(out: Path) -> float:
    total = 0.0
    for meta in (out / RETRAINED_DIR).glob("*/run.json"):
        total += float(storage.read_json(meta).get("seconds", 0.0))
    return total


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _bar(progress: bool, total: int, unit: str):
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=f" {unit}", leave=False)


#: The paper-scale tuning made by ``fetrain tune --scale paper`` and shipped with fetrain (its
#: tables: plan with the code fingerprint and the time it took, trials, chosen settings and the
#: retrained runs' summary).


def load_tuning(out: str | Path) -> tuple[dict, dict]:
    """The tables of a tuning folder, checked against its manifest.

    Parameters
    ----------
    out : str or pathlib.Path
        The folder (a tuning's output, or :data:`fetrain.study.tuned.SHIPPED_TUNE`).

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        ``trials``, ``chosen`` and ``retrained``.
    record : dict
        The plan record (plan, engine fingerprint, seconds).

    Raises
    ------
    FileNotFoundError
        If the folder holds no finished tuning.
    fetrain.common.storage.DamagedFile
        If a file does not match the manifest.
    """
    out = Path(out)
    if not (out / storage.MANIFEST).is_file():
        raise FileNotFoundError(f"{out} holds no finished tuning ({storage.MANIFEST} missing); "
                                f"run fetrain tune --out {out}")
    storage.check_folder(out)
    record = storage.read_json(out / PLAN_FILE)
    tables = {name.removesuffix(".csv"): storage.read_csv(out / name, verify=False)
              for name in TABLES[1:]}
    return tables, record


def ship_tuning(out: str | Path, dest: str | Path = SHIPPED_TUNE) -> Path:
    """Copy a finished tuning's tables to ``dest`` and seal them (the shipped results).

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    out, dest = Path(out), Path(dest)
    storage.check_folder(out)
    dest.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        storage.write_bytes(dest / name, (out / name).read_bytes())
    storage.seal(dest, list(TABLES))
    return dest


def book_tuning(scale: str | Scale | None = None, **changes) -> tuple[TunePlan, dict, dict]:
    """The tuning of a chapter at a scale (``None``: the current one), run where the run cache
    does not hold it yet: (plan, tables, record) as :func:`load_tuning` reads them. Its studies
    live in the run cache under ``tune/<scale>``.

    Parameters
    ----------
    scale : str or Scale, optional
        The scale; None: the current one.
    **changes
        Fields of the plan to change.

    Returns
    -------
    plan : TunePlan
        The plan.
    tables : dict of str to pandas.DataFrame
        ``trials``, ``chosen``, ``retrained``.
    record : dict
        The plan record (with the seconds the trials and retrained runs took).
    """
    from ..common.files import default_cache_dir

    plan = TunePlan.for_scale(scale, **changes)
    out = default_cache_dir() / "tune" / plan.scale
    run_tuning(plan, out, replace=True)       # the cache follows the book
    tables, record = load_tuning(out)
    return plan, tables, record
