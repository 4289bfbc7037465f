"""fetrain's engine against AIHWKit over seeds: the book's cross-checks (:class:`CrossCheck`,
:data:`CROSS_CHECKS`), paired learning curves, and a test, fixed in advance, of whether they agree
(:func:`agreement`). AIHWKit's side is trained once by a command and shipped as plain files
(:func:`make_crosschecks`, :func:`load_crosscheck`); fetrain's side trains through the run cache
(:func:`fetrain_side`).
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..common import storage
from ..common.checks import shown
from ..common.files import SHIPPED_DIR, check_output_folder, json_ready, results_dir
from ..device.stack import DEFAULT_PULSE_WIDTH_S
from ..train.rules import TTv2
from .pilot import DEFAULT_EPOCHS, DEFAULT_LR

#: The level α of one engine cross-check (:func:`agreement`): a correct pair of engines is flagged
#: with probability ≤ α/2 when the per-seed differences are normal.
CROSS_CHECK_ALPHA = 0.001

#: Where the AIHWKit side of the book's cross-checks ships with fetrain.
CROSSCHECK_DIR: Path = SHIPPED_DIR / "crosscheck"

#: The command that makes the AIHWKit side of the cross-checks (:func:`make_crosschecks`).
CROSSCHECK_COMMAND = "fetrain experiments crosscheck"

#: The columns of AIHWKit's learning curves as they are written and read back.
CURVE_COLUMNS: tuple[str, ...] = ("engine", "seed", "epoch", "samples", "val_accuracy",
                                  "test_accuracy")


def _aihwkit_worker(args):
    """One AIHWKit run in a worker process (one thread: the runs are independent); returns the
    curves and the run's wall time (s)."""
    import torch

    torch.set_num_threads(1)
    return _timed_aihwkit_run(args)


def _timed_aihwkit_run(args):
    from ..bridge.networks import train_aihwkit

    config, data, output_bound = args
    start = time.perf_counter()
    curves = train_aihwkit(config, data, output_bound=output_bound)
    return curves, time.perf_counter() - start


def _aihwkit_jobs(jobs, workers: int, progress: bool = False, desc: str = "AIHWKit runs"):
    """AIHWKit runs, each job a (config, data, output_bound) triple, in ``workers`` processes side
    by side (AIHWKit trains one sample at a time on one core, and its runs are independent of one
    another). Yields (job index, curves, seconds) as the runs finish; ``progress`` counts them."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    if not (isinstance(workers, int) and workers >= 1):
        raise ValueError(f"workers must be an integer ≥ 1; got {shown(workers)}")
    jobs = list(jobs)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(jobs), unit="run", desc=desc)
    try:
        if min(len(jobs), workers) <= 1:
            for k, job in enumerate(jobs):
                curves, seconds = _timed_aihwkit_run(job)
                if bar is not None:
                    bar.update(1)
                yield k, curves, seconds
            return
        with ProcessPoolExecutor(max_workers=min(len(jobs), workers),
                                 mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(_aihwkit_worker, job): k for k, job in enumerate(jobs)}
            for future in as_completed(futures):
                curves, seconds = future.result()
                if bar is not None:
                    bar.update(1)
                yield futures[future], curves, seconds
    finally:
        if bar is not None:
            bar.close()


def _aihwkit_runs(configs, data, workers: int, output_bound: float = 0.0, progress: bool = False,
                  desc: str = "AIHWKit runs"):
    """AIHWKit runs of several configurations on ``data``, in ``workers`` processes side by side;
    the curves come back in the order of ``configs``."""
    results = [None] * len(configs)
    for k, curves, _ in _aihwkit_jobs([(c, data, output_bound) for c in configs], workers,
                                      progress, desc):
        results[k] = curves
    return results


def cross_check(model, data, lr: float, epochs: int, seeds=(0, 1, 2, 3, 4),
                reference: str = "naive", evaluations_per_epoch: int = 1,
                progress: bool = False, workers: int = 1, alpha: float = CROSS_CHECK_ALPHA,
                aihwkit_changes: dict | None = None, fetrain_runs=None,
                **config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same configuration trained in fetrain's engine and in AIHWKit 1.1.0, for several seeds.

    Same device model, initial weights, data order, learning rate and pulse settings; ``config``
    holds further :class:`fetrain.train.config.TrainConfig` fields (e.g. ``algorithm``,
    ``device_variation``). ``aihwkit_changes``: TrainConfig fields changed on AIHWKit's side only
    — a negative control, to see that the check detects a mismatch (e.g. ``{"lr": lr / 2}``).
    ``fetrain_runs``: fetrain's results of these very configurations, one per seed (e.g. from
    :func:`fetrain.train.loop.train`, kept for two checks), to pair with new AIHWKit runs
    without training fetrain's again; each is checked to be of the same configuration.

    Returns (curves, summary): ``curves`` has one row per (engine, seed, evaluation) with the test
    accuracy; ``summary`` is :func:`agreement` of the curves at level ``alpha``.

    ``workers``: AIHWKit's runs side by side in this many processes (``spawn``; in a script,
    call from under ``if __name__ == "__main__":``); fetrain's engine spreads its runs over the
    cores by itself. AIHWKit draws its own noise seeds (they differ from
    process to process), so its runs are not reproducible by seed, in one process or several.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    data : MNIST
        The data set.
    lr : float
        Learning rate.
    epochs : int
        Epochs per run (counts).
    seeds : sequence of int
        Seeds.
    reference : str
        The reference (see :class:`fetrain.train.config.TrainConfig`).
    evaluations_per_epoch : int
        Evaluations per epoch (counts).
    progress : bool
        Show a progress bar.
    workers : int
        Processes for AIHWKit's runs (counts).
    alpha : float
        Level of the test (dimensionless, 0 … 1).
    aihwkit_changes : dict, optional
        TrainConfig fields changed on AIHWKit's side only.
    fetrain_runs : list of RunResult, optional
        fetrain's results of these configurations, one per seed.
    **config
        Further TrainConfig fields.

    Returns
    -------
    curves : pandas.DataFrame
        ``engine``, ``seed``, ``epoch`` and ``test_accuracy`` (fraction, 0 … 1).
    summary : pandas.DataFrame
        :func:`agreement` of the curves.

    Raises
    ------
    ValueError
        If ``fetrain_runs`` are not of these configurations, ``workers`` is not an integer ≥ 1,
        the configuration is invalid or has no AIHWKit counterpart, or the curves cannot be
        compared.
    """
    from ..train.config import TrainConfig
    from ..train.loop import train

    configs = [TrainConfig(model=model, lr=lr, epochs=epochs, seed=s, reference=reference,
                           evaluations_per_epoch=evaluations_per_epoch, **config) for s in seeds]
    if fetrain_runs is not None:
        if [r.config.describe() for r in fetrain_runs] != [c.describe() for c in configs]:
            raise ValueError("fetrain_runs: not the results of this cross-check's configurations")
        ours = list(fetrain_runs)
    else:
        ours = train(configs, data, progress=progress)
    theirs = _aihwkit_runs([replace(c, **(aihwkit_changes or {})) for c in configs], data, workers)
    rows = []
    for cfg, res, other in zip(configs, ours, theirs):
        for _, h in res.history.iterrows():
            rows.append({"engine": "fetrain", "seed": cfg.seed, "epoch": h["epoch"],
                         "test_accuracy": h["test_accuracy"]})
        for _, h in other.iterrows():
            rows.append({"engine": "AIHWKit", "seed": cfg.seed, "epoch": h["epoch"],
                         "test_accuracy": h["test_accuracy"]})
    curves = pd.DataFrame(rows)
    return curves, agreement(curves, alpha=alpha)


def curve_means(curves: pd.DataFrame) -> pd.DataFrame:
    """Per evaluation (epoch): each engine's mean test accuracy over the seeds (fraction) and their
    difference fetrain − AIHWKit. Descriptive: the test is :func:`agreement`.

    Parameters
    ----------
    curves : pandas.DataFrame
        The curves of :func:`cross_check`.

    Returns
    -------
    pandas.DataFrame
        ``epoch``, ``fetrain``, ``AIHWKit`` and ``difference`` (fractions of accuracy).

    Raises
    ------
    ValueError
        If the curves lack columns, have missing or duplicate evaluations, or do not hold both
        engines at the same evaluations.
    """
    _check_curves(curves)
    g = curves.groupby(["epoch", "engine"])["test_accuracy"].mean().unstack()
    return pd.DataFrame({"fetrain": g["fetrain"], "AIHWKit": g["AIHWKit"],
                         "difference": g["fetrain"] - g["AIHWKit"]}).reset_index()


def _check_curves(curves: pd.DataFrame) -> None:
    missing = {"engine", "seed", "epoch", "test_accuracy"} - set(curves.columns)
    if missing:
        raise ValueError(f"curves lacks the columns {sorted(missing)}")
    if curves["test_accuracy"].isna().any():
        raise ValueError("curves: test_accuracy has missing values (NaN)")
    if curves.duplicated(["engine", "seed", "epoch"]).any():
        raise ValueError("curves: an (engine, seed, epoch) evaluation appears more than once")
    engines = set(curves["engine"])
    if engines != {"fetrain", "AIHWKit"}:
        raise ValueError(f"curves must hold the engines 'fetrain' and 'AIHWKit'; got {sorted(engines)}")
    per = curves.groupby("engine")[["seed", "epoch"]].apply(lambda g: set(map(tuple, g.values)))
    if per["fetrain"] != per["AIHWKit"]:
        raise ValueError("curves: the two engines must have the same (seed, epoch) evaluations")


def agreement(curves: pd.DataFrame, points: float = 0.03,
              alpha: float = CROSS_CHECK_ALPHA) -> pd.DataFrame:
    """Do two engines' learning curves agree to within ``points``? One test, fixed in advance,
    paired by seed.

    The statistic: for each seed, the mean test accuracy over the learning curve's evaluations after
    epoch 0 (at epoch 0 both engines hold the same initial weights) — about the area under the
    curve divided by the epochs, so it moves if either engine learns faster or slower anywhere
    along the curve. The same seed gives both engines the same initial weights and data order, so
    the test is on the per-seed differences fetrain − AIHWKit: their mean d, its standard error
    SE = sd/√n, and t = t_{1−α/2, n−1}, Student's two-sided critical value for n − 1 degrees of
    freedom. The engines are flagged when |d| > ``points`` + t·SE: when the two-sided 1 − α
    confidence interval of the true difference lies wholly outside ±``points``. So a correct pair of
    engines (true difference within ±``points``, per-seed differences normal) is flagged with
    probability at most α/2; a real mismatch is detected reliably only when it exceeds the margin by
    a few SE — the margin is the check's resolution, and is reported.

    Returns a one-row DataFrame: seeds, evaluations, fetrain and AIHWKit (mean accuracy over the
    curve, fraction), difference, se, t, margin, agree.

    Parameters
    ----------
    curves : pandas.DataFrame
        The curves of :func:`cross_check` (``engine``, ``seed``, ``epoch``, ``test_accuracy``).
    points : float
        Tolerated difference (fraction of accuracy; 0.03 is 3 points), ≥ 0.
    alpha : float
        Level of the test (dimensionless, 0 … 1).

    Returns
    -------
    pandas.DataFrame
        One row: ``seeds`` and ``evaluations`` (counts); ``fetrain``, ``AIHWKit``,
        ``difference``, ``se`` and ``margin`` (fractions of accuracy); ``t`` (dimensionless);
        ``agree`` (bool).

    Raises
    ------
    ValueError
        If ``alpha`` or ``points`` is out of range, the curves are malformed, there is no
        evaluation after epoch 0, or fewer than 2 seeds.
    """
    from scipy import stats

    if not 0 < alpha < 1:
        raise ValueError(f"alpha (the test's level) must lie in (0, 1); got {shown(alpha)}")
    if not points >= 0:
        raise ValueError(f"points (the tolerated difference, fraction of accuracy) must be ≥ 0; got {shown(points)}")
    _check_curves(curves)
    after = curves[curves["epoch"] > 0]
    if after.empty:
        raise ValueError("curves: no evaluation after the start (epoch > 0) to compare")
    per_seed = after.groupby(["seed", "engine"])["test_accuracy"].mean().unstack()
    n = len(per_seed)
    if n < 2:
        raise ValueError(f"agreement needs at least 2 seeds (one gives no spread); got {n}")
    diff = per_seed["fetrain"] - per_seed["AIHWKit"]
    se = float(diff.std(ddof=1) / np.sqrt(n))
    t = float(stats.t.ppf(1 - alpha / 2, n - 1))
    margin = points + t * se
    return pd.DataFrame([{
        "seeds": n, "evaluations": after["epoch"].nunique(),
        "fetrain": float(per_seed["fetrain"].mean()), "AIHWKit": float(per_seed["AIHWKit"].mean()),
        "difference": float(diff.mean()), "se": se, "t": t, "margin": margin,
        "agree": bool(abs(diff.mean()) <= margin)}])


# ---- the book's cross-checks, defined as data -------------------------------------------------


@dataclass(frozen=True)
class CrossCheck:
    """One of the book's cross-checks against AIHWKit, fully specified.

    Both engines train the 784-256-128-10 network on the embedded 5,000-digit MNIST subset, batch
    size 1, with the same device model, initial weights, data order, learning rate and pulse
    settings (Appendix A lists what is the same in both); one configuration per seed.

    Attributes
    ----------
    name : str
        The check's name (its files are ``NAME.csv`` and ``NAME.json``).
    what : str
        What the check is, in words, for its record.
    lr : float
        Learning rate (> 0; w units per unit of the gradient's outer product).
    epochs : int
        Epochs per run (counts, ≥ 1).
    evaluations_per_epoch : int
        Evaluations of the validation and test splits per epoch (counts, ≥ 1), plus one before
        training.
    seeds : tuple of int
        The seeds, one run per seed in each engine (distinct integers ≥ 0).
    symmetrized : bool
        Train on the device with its up and down step tables replaced by their mean
        (:func:`fetrain.device.model.symmetrized`): a device that learns under plain SGD.
    reference : str
        The reference of each differential pair (see :class:`fetrain.train.config.TrainConfig`).
    algorithm : str or Rule
        The training rule: a name (``"sgd"``, ``"mixed_precision"``, with its defaults) or a rule
        object with an AIHWKit counterpart (a transfer algorithm with its settings).
    device_variation : bool
        Draw device-to-device variation.
    n_train : int or None
        Training digits: the first ``n_train`` of the subset's 3,500 (counts); None: all of them.
    width_s : float
        Pulse width of the device, one of the embedded campaign's (s; default 20 ns).
    output_bound : float
        AIHWKit's forward output bound (dimensionless); 0 is perfect I/O without AIHWKit's gradient
        mask, as in fetrain's engine (see :func:`fetrain.bridge.networks.analog_network`).
    aihwkit_changes : tuple of (str, object)
        :class:`~fetrain.train.config.TrainConfig` fields changed on AIHWKit's side only, as
        (field, value) pairs — a negative control; empty for the book's checks.

    Raises
    ------
    ValueError
        If a field is out of range.
    """

    name: str
    what: str
    lr: float
    epochs: int
    evaluations_per_epoch: int
    seeds: tuple[int, ...]
    symmetrized: bool = False
    reference: str = "naive"
    algorithm: object = "sgd"
    device_variation: bool = True
    n_train: int | None = None
    width_s: float = DEFAULT_PULSE_WIDTH_S
    output_bound: float = 0.0
    aihwkit_changes: tuple = field(default=())

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            raise ValueError(f"name must be a name of letters, digits and _; got {shown(self.name)}")
        try:
            seeds = tuple(int(s) for s in self.seeds)
        except (TypeError, ValueError):
            raise ValueError(f"seeds must be integers ≥ 0; got {shown(self.seeds)}") from None
        if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds must be distinct integers ≥ 0, at least one; got {shown(self.seeds)}")
        object.__setattr__(self, "seeds", seeds)
        if self.n_train is not None and not (isinstance(self.n_train, int) and self.n_train >= 1):
            raise ValueError(f"n_train must be an integer ≥ 1 or None (all); got {shown(self.n_train)}")
        if not (isinstance(self.output_bound, (int, float)) and np.isfinite(self.output_bound)
                and self.output_bound >= 0):
            raise ValueError(f"output_bound must be a number ≥ 0 (0: perfect I/O); got "
                             f"{shown(self.output_bound)}")
        changes = dict(self.aihwkit_changes)
        fields = set(_train_config_fields()) if changes else set()
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValueError(f"aihwkit_changes: {unknown} are not TrainConfig fields; they are "
                             f"{', '.join(sorted(fields))}")
        object.__setattr__(self, "aihwkit_changes", tuple(sorted(changes.items())))

    def settings(self) -> dict:
        """The check's settings as plain data (what its record holds and is compared on).

        Returns
        -------
        dict
            Every field but ``what`` (``seeds`` as a list, ``aihwkit_changes`` as a dict; the
            width in s, ``n_train`` in digits, None for all).
        """
        out = {"check": self.name, "width_s": self.width_s, "symmetrized": self.symmetrized,
               "reference": self.reference,
               "algorithm": (self.algorithm if isinstance(self.algorithm, str)
                             else self.algorithm.describe()),
               "device_variation": self.device_variation, "lr": self.lr, "epochs": self.epochs,
               "evaluations_per_epoch": self.evaluations_per_epoch, "seeds": list(self.seeds),
               "n_train": self.n_train, "output_bound": self.output_bound,
               "aihwkit_changes": dict(self.aihwkit_changes)}
        return json.loads(json.dumps(json_ready(out)))

    def device_model(self):
        """The check's device model, built from the embedded characterisation data.

        Returns
        -------
        DeviceModel
            The ``width_s`` device (symmetrized if the check says so).
        """
        return _device_model(self.width_s, self.symmetrized)

    def data(self):
        """The check's data: the embedded MNIST subset, its first ``n_train`` training digits.

        Returns
        -------
        MNIST
            The data set (pixels dimensionless in [0, 1]).
        """
        from ..train.data import load_embedded

        return load_embedded().subset(self.n_train)

    def configs(self, model=None) -> list:
        """fetrain's configurations of the check, one per seed.

        Parameters
        ----------
        model : DeviceModel, optional
            The device model; None: :meth:`device_model`.

        Returns
        -------
        list of TrainConfig
            One configuration per seed, in the order of ``seeds``.
        """
        from ..train.config import TrainConfig

        model = self.device_model() if model is None else model
        return [TrainConfig(model=model, lr=self.lr, epochs=self.epochs, seed=s,
                            reference=self.reference, algorithm=self.algorithm,
                            device_variation=self.device_variation,
                            evaluations_per_epoch=self.evaluations_per_epoch)
                for s in self.seeds]

    def aihwkit_configs(self, model=None) -> list:
        """AIHWKit's configurations of the check: fetrain's, with ``aihwkit_changes`` applied.

        Parameters
        ----------
        model : DeviceModel, optional
            The device model; None: :meth:`device_model`.

        Returns
        -------
        list of TrainConfig
            One configuration per seed.
        """
        return [replace(c, **dict(self.aihwkit_changes)) for c in self.configs(model)]

    def command(self, out: str | Path | None = None) -> str:
        """The command that makes this check's AIHWKit side.

        Parameters
        ----------
        out : str or pathlib.Path, optional
            The output folder; None: the command's default.

        Returns
        -------
        str
            The command line.
        """
        where = "" if out is None else f" --out {out}"
        return f"{CROSSCHECK_COMMAND}{where} --checks {self.name}"


def _train_config_fields() -> tuple[str, ...]:
    from dataclasses import fields

    from ..train.config import TrainConfig

    return tuple(f.name for f in fields(TrainConfig))


@lru_cache(maxsize=8)
def _device_model(width_s: float, symmetrized: bool):
    from ..device.build import build_device_model
    from ..device.loading import load_embedded
    from ..device.model import symmetrized as make_symmetric

    measurements = load_embedded()
    model = build_device_model(measurements.pulses, width_s, source=measurements.label)
    return make_symmetric(model) if symmetrized else model


#: Tiki-Taka v2 as Chapter 8's sweep runs it, but with its fast array read against zero (the
#: only reference AIHWKit's transfer compounds have) and one column read per sample (the most
#: AIHWKit's chopped compound reads)
_TTV2_CHECKED = TTv2(fast_lr=0.06, n_reads=1, transfer_lr=2.0)


#: The book's cross-checks at book scale, by name: Appendix A's three statistical checks,
#: Chapter 3's two single AIHWKit runs and Chapter 7's AIHWKit runs at 20 and 200 ns.
CROSS_CHECKS: dict[str, CrossCheck] = {c.name: c for c in (
    CrossCheck("plain", "plain SGD on the symmetrized 20 ns device, ten seeds per engine "
               "(Appendix A.3)", lr=DEFAULT_LR, epochs=2, evaluations_per_epoch=2,
               seeds=tuple(range(10)), symmetrized=True),
    CrossCheck("shifting", "symmetry point shifting on the 20 ns device without device-to-device "
               "variation, ten seeds per engine (Appendix A.4)", lr=DEFAULT_LR, epochs=3,
               evaluations_per_epoch=1, seeds=tuple(range(10)), reference="symmetry_point",
               device_variation=False),
    CrossCheck("mixed_precision", "mixed-precision SGD on the symmetrized 20 ns device, the first "
               "1,750 training digits, five seeds per engine (Appendix A.4)", lr=0.4, epochs=1,
               evaluations_per_epoch=4, seeds=tuple(range(5)), symmetrized=True,
               algorithm="mixed_precision", n_train=1750),
    CrossCheck("ttv2", "Tiki-Taka v2 (Chapter 8's setting, the fast array read against zero "
               "and one column read per sample, as AIHWKit's) on the symmetrized 20 ns device "
               "without device-to-device variation, five seeds per engine, two epochs "
               "(Chapter 8)", lr=DEFAULT_LR, epochs=2, evaluations_per_epoch=2,
               seeds=tuple(range(5)), symmetrized=True, algorithm=_TTV2_CHECKED,
               device_variation=False),
    CrossCheck("ch3_perfect_io", "plain SGD on the 20 ns device, seed 0, AIHWKit with perfect I/O "
               "(Chapter 3, Section 3.7)", lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS,
               evaluations_per_epoch=2, seeds=(0,)),
    CrossCheck("ch3_out_bound_12", "plain SGD on the 20 ns device, seed 0, AIHWKit with its default "
               "forward output bound of 12 (Chapter 3, Section 3.7)", lr=DEFAULT_LR,
               epochs=DEFAULT_EPOCHS, evaluations_per_epoch=2, seeds=(0,), output_bound=12.0),
    CrossCheck("ch7_20ns", "plain SGD on the 20 ns device, three seeds: AIHWKit's own epochs to "
               "the target (Chapter 7, the engine's reading)", lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS,
               evaluations_per_epoch=2, seeds=(0, 1, 2)),
    CrossCheck("ch7_200ns", "plain SGD on the 200 ns device, three seeds: AIHWKit's own epochs to "
               "the target (Chapter 7, the engine's reading)", lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS,
               evaluations_per_epoch=2, seeds=(0, 1, 2), width_s=200e-9),
)}


def get_check(check: str | CrossCheck) -> CrossCheck:
    """A cross-check by name (or the check itself).

    Parameters
    ----------
    check : str or CrossCheck
        A name of :data:`CROSS_CHECKS`, or a check.

    Returns
    -------
    CrossCheck
        The check.

    Raises
    ------
    ValueError
        If the name is not one of :data:`CROSS_CHECKS`.
    """
    if isinstance(check, CrossCheck):
        return check
    if check not in CROSS_CHECKS:
        raise ValueError(f"unknown cross-check {check!r}; the checks are {', '.join(CROSS_CHECKS)}")
    return CROSS_CHECKS[check]


# ---- the two sides, and the test between them ------------------------------------------------


def aihwkit_side(check: str | CrossCheck, workers: int = 1, progress: bool = False) -> pd.DataFrame:
    """Train AIHWKit's side of a cross-check: one AIHWKit 1.1.0 run per seed.

    AIHWKit draws its own noise seeds (they differ from process to process), so its runs are not
    reproducible by seed; the seed fixes the initial weights and the data order, shared with
    fetrain's run of the same seed. Needs AIHWKit; takes minutes at the book's settings.

    Parameters
    ----------
    check : str or CrossCheck
        The check (a name of :data:`CROSS_CHECKS`, or a check).
    workers : int
        Processes side by side (counts; ``spawn``: in a script, call from under
        ``if __name__ == "__main__":``). AIHWKit gains nothing from a second thread.
    progress : bool
        Show a progress bar counting finished runs.

    Returns
    -------
    pandas.DataFrame
        One row per (seed, evaluation): ``engine`` (``"AIHWKit"``), ``seed``, ``epoch`` (epochs,
        fractional), ``samples`` (counts), ``val_accuracy`` and ``test_accuracy`` (fractions,
        0 … 1).

    Raises
    ------
    ValueError
        If the check is unknown, ``workers`` is not an integer ≥ 1, or the configuration has no
        AIHWKit counterpart.
    """
    check = get_check(check)
    [curves] = [c for _, done, c, _ in _aihwkit_sides([check], workers, progress) if done]
    return curves


def _aihwkit_sides(checks, workers: int, progress: bool):
    """AIHWKit's side of several checks, all their runs in one pool of ``workers`` processes (so
    that no core idles between checks). Yields (runs finished so far, check, curves, run seconds)
    after every run: the check and its curves once its last run has finished, else None; run
    seconds are the wall times of its runs (s, one core each)."""
    jobs, owner = [], []
    for check in checks:
        data = check.data()
        for i, config in enumerate(check.aihwkit_configs()):
            jobs.append((config, data, check.output_bound))
            owner.append((check, i))
    done: dict[str, dict] = {c.name: {} for c in checks}
    desc = "AIHWKit runs" if len(checks) != 1 else f"{checks[0].name}: AIHWKit runs"
    for finished, (k, curves, seconds) in enumerate(_aihwkit_jobs(jobs, workers, progress, desc), 1):
        check, i = owner[k]
        done[check.name][i] = (curves, seconds)
        if len(done[check.name]) < len(check.seeds):
            yield finished, None, None, None
            continue
        runs = done.pop(check.name)
        frames = [runs[i][0].assign(engine="AIHWKit", seed=seed) for i, seed in enumerate(check.seeds)]
        yield (finished, check, pd.concat(frames, ignore_index=True)[list(CURVE_COLUMNS)],
               [runs[i][1] for i in range(len(check.seeds))])


def fetrain_side(check: str | CrossCheck, progress: bool = False, cache_dir=None) -> list:
    """Train fetrain's side of a cross-check (seconds): one run per seed, kept in the run cache.

    Parameters
    ----------
    check : str or CrossCheck
        The check (a name of :data:`CROSS_CHECKS`, or a check).
    progress : bool
        Show a progress bar.
    cache_dir : str or pathlib.Path, optional
        The run cache (:func:`fetrain.train.store.train_cached`); None: its default.

    Returns
    -------
    list of RunResult
        One result per seed, in the order of the check's seeds.

    Raises
    ------
    ValueError
        If the check is unknown.
    """
    from ..train.store import train_cached

    check = get_check(check)
    return train_cached(check.configs(), check.data(), cache_dir=cache_dir, progress=progress)


def paired_curves(check: str | CrossCheck, fetrain_runs, aihwkit_curves: pd.DataFrame) -> pd.DataFrame:
    """fetrain's runs and AIHWKit's curves of one check, side by side, evaluation by evaluation.

    Parameters
    ----------
    check : str or CrossCheck
        The check (a name of :data:`CROSS_CHECKS`, or a check).
    fetrain_runs : list of RunResult
        fetrain's runs of the check's configurations, one per seed in the check's order (e.g.
        from :func:`fetrain_side`); each is checked to be the check's own.
    aihwkit_curves : pandas.DataFrame
        AIHWKit's curves of the check (:func:`aihwkit_side` or :func:`load_crosscheck`).

    Returns
    -------
    pandas.DataFrame
        One row per (engine, seed, evaluation): ``engine`` (``"fetrain"`` or ``"AIHWKit"``),
        ``seed``, ``epoch`` (epochs, fractional; fetrain's values for both, the evaluations
        being the same), ``samples`` (counts), ``val_accuracy`` and ``test_accuracy`` (fractions).

    Raises
    ------
    ValueError
        If the runs are not of the check's configurations or data, or AIHWKit's curves are not of
        the check's seeds and evaluations.
    """
    check = get_check(check)
    configs = check.configs()
    fetrain_runs = list(fetrain_runs)
    if [r.config.describe() for r in fetrain_runs] != [c.describe() for c in configs]:
        raise ValueError(f"fetrain_runs: not the results of the cross-check {check.name!r}'s "
                         f"configurations (one per seed {list(check.seeds)}, in that order)")
    label = check.data().label
    if any(r.data_set != label for r in fetrain_runs):
        raise ValueError(f"fetrain_runs: trained on other data than the cross-check "
                         f"{check.name!r}'s ({label})")
    theirs = _checked_aihwkit_curves(check, aihwkit_curves, "aihwkit_curves")
    frames = []
    for run in fetrain_runs:
        ours = run.history.reset_index(drop=True)
        other = theirs[theirs["seed"] == run.config.seed].reset_index(drop=True)
        if len(other) != len(ours) or not np.allclose(other["epoch"], ours["epoch"], rtol=0, atol=1e-6):
            raise ValueError(f"aihwkit_curves: seed {run.config.seed} is not evaluated where "
                             f"fetrain's run is (epochs {ours['epoch'].round(4).tolist()})")
        frames.append(ours[["epoch", "samples", "val_accuracy", "test_accuracy"]]
                      .assign(engine="fetrain", seed=run.config.seed))
        frames.append(other.assign(epoch=ours["epoch"].to_numpy())
                      [["epoch", "samples", "val_accuracy", "test_accuracy"]]
                      .assign(engine="AIHWKit", seed=run.config.seed))
    curves = pd.concat(frames, ignore_index=True)[list(CURVE_COLUMNS)]
    return curves.astype({"seed": int, "samples": int})


def check_agreement(check: str | CrossCheck, fetrain_runs, aihwkit_curves: pd.DataFrame,
                    points: float = 0.03, alpha: float = CROSS_CHECK_ALPHA
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Do fetrain's runs and AIHWKit's curves of a check agree? :func:`agreement`, paired by seed.

    Parameters
    ----------
    check : str or CrossCheck
        The check (a name of :data:`CROSS_CHECKS`, or a check), with at least 2 seeds.
    fetrain_runs : list of RunResult
        fetrain's runs of the check (:func:`fetrain_side`).
    aihwkit_curves : pandas.DataFrame
        AIHWKit's curves of the check (:func:`load_crosscheck` or :func:`aihwkit_side`).
    points : float
        Tolerated difference (fraction of accuracy; 0.03 is 3 points), ≥ 0.
    alpha : float
        Level of the test (dimensionless, 0 … 1).

    Returns
    -------
    curves : pandas.DataFrame
        :func:`paired_curves`.
    summary : pandas.DataFrame
        :func:`agreement` of the curves (one row).

    Raises
    ------
    ValueError
        If the check has one seed (a single run gives no spread to test against: compare its
        :func:`paired_curves` directly), or as :func:`paired_curves` and :func:`agreement`.
    """
    check = get_check(check)
    if len(check.seeds) < 2:
        raise ValueError(f"the cross-check {check.name!r} has one seed: agreement needs at least "
                         "2 (one gives no spread); compare its paired_curves directly")
    curves = paired_curves(check, fetrain_runs, aihwkit_curves)
    return curves, agreement(curves, points=points, alpha=alpha)


def _checked_aihwkit_curves(check: CrossCheck, curves: pd.DataFrame, where: str) -> pd.DataFrame:
    """AIHWKit's curves, checked to be complete for the check's seeds and evaluations."""
    missing = set(CURVE_COLUMNS) - set(curves.columns)
    if missing:
        raise ValueError(f"{where}: lacks the columns {sorted(missing)}")
    if set(curves["engine"]) != {"AIHWKit"}:
        raise ValueError(f"{where}: holds engines {sorted(set(curves['engine']))}; expected AIHWKit only")
    if curves[["epoch", "samples", "test_accuracy", "val_accuracy"]].isna().any().any():
        raise ValueError(f"{where}: has missing values (NaN)")
    seeds = sorted(int(s) for s in set(curves["seed"]))
    if seeds != sorted(check.seeds):
        raise ValueError(f"{where}: holds seeds {seeds}; the cross-check {check.name!r} has "
                         f"{sorted(check.seeds)}")
    per_seed = curves.groupby("seed").size()
    expected = check.epochs * check.evaluations_per_epoch + 1
    if (per_seed != expected).any():
        raise ValueError(f"{where}: {per_seed.to_dict()} evaluations per seed; the cross-check "
                         f"{check.name!r} has {expected} (one before training, "
                         f"{check.evaluations_per_epoch} per epoch, {check.epochs} epochs)")
    return curves.sort_values(["seed", "epoch"], kind="stable").reset_index(drop=True)


# ---- shipped results: made by a command, read back as plain files -------------------------------


def _versions() -> dict:
    """The versions of the simulators that decide AIHWKit's numbers."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    out = {"fetrain_version": __version__}
    for name in ("aihwkit", "torch"):
        try:
            out[f"{name}_version"] = version(name)
        except PackageNotFoundError:
            out[f"{name}_version"] = None
    return out


def _read(check: CrossCheck, folder: Path) -> tuple[pd.DataFrame, dict]:
    """A check's curves and record from ``folder``, checked against the check's settings."""
    csv, meta = folder / f"{check.name}.csv", folder / f"{check.name}.json"
    for path in (meta, csv):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no results of the cross-check {check.name!r}; "
                                    f"make them with: {check.command(folder)}")
    remedy = f"remake it with: {check.command(folder)}"
    try:
        record = storage.read_json(storage.check_file(meta))
        curves = storage.read_csv(csv)
    except storage.DamagedFile as err:
        raise storage.DamagedFile(err.path, err.problem, remedy) from None
    settings = record.get("settings") if isinstance(record, dict) else None
    if settings != check.settings():
        ours = check.settings()
        theirs = settings if isinstance(settings, dict) else {}
        differ = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
        shown_diff = "; ".join(f"{k}: file {theirs.get(k)!r}, check {ours.get(k)!r}" for k in differ)
        raise ValueError(f"{meta}: made with other settings than the cross-check {check.name!r} "
                         f"({shown_diff}); remake it with: {check.command(folder)}")
    curves = _checked_aihwkit_curves(check, curves, str(csv))
    return curves.astype({"seed": int, "samples": int}), record


def load_crosscheck(check: str | CrossCheck, folder: str | Path | None = None
                    ) -> tuple[pd.DataFrame, dict]:
    """AIHWKit's side of a cross-check as the command made it: its curves and its record.

    Reads ``NAME.csv`` and ``NAME.json`` (plain files; nothing is unpickled). Refuses files made
    with other settings than the check's. When the record's code fingerprint differs from the
    current code's (:func:`fetrain.common.fingerprint.bridge_fingerprint`), the curves are still
    returned, with a warning naming the command that remakes them.

    Parameters
    ----------
    check : str or CrossCheck
        The check (a name of :data:`CROSS_CHECKS`, or a check).
    folder : str or pathlib.Path, optional
        The command's output folder; None: the results shipped with fetrain
        (:data:`CROSSCHECK_DIR`).

    Returns
    -------
    curves : pandas.DataFrame
        One row per (seed, evaluation), as :func:`aihwkit_side` returns them.
    record : dict
        Provenance: ``what``, ``settings``, ``data_set``, ``device``, ``command``, ``bridge`` and
        ``engine`` (code fingerprints), ``aihwkit_version``, ``torch_version``,
        ``fetrain_version``, ``seconds`` (wall time of the AIHWKit runs, s), ``workers``.

    Raises
    ------
    FileNotFoundError
        If a file is missing (the message gives the command that makes it).
    ValueError
        If the check is unknown, or the files were made with other settings or are incomplete.
    """
    from ..common.fingerprint import bridge_fingerprint, same_bridge_numbers

    check = get_check(check)
    folder = CROSSCHECK_DIR if folder is None else Path(folder)
    curves, record = _read(check, folder)
    current = bridge_fingerprint()
    if not same_bridge_numbers(str(record.get("bridge"))):
        warnings.warn(f"{folder / (check.name + '.json')}: made by other code (fingerprint "
                      f"{record.get('bridge')!r}, current {current!r}); remake it with: "
                      f"{check.command(folder)}", UserWarning, stacklevel=2)
    return curves, record


def _seal(out: Path) -> None:
    """Seal the folder: a manifest of every check's files it holds."""
    names = [f"{c}.{ext}" for c in CROSS_CHECKS for ext in ("csv", "json")
             if (out / f"{c}.csv").is_file() and (out / f"{c}.json").is_file()]
    storage.seal(out, names)


def make_crosschecks(names=None, out: str | Path | None = None, workers: int = 1,
                     progress: bool = True, command_out: str | Path | None = None,
                     log=print) -> list[dict]:
    """Make AIHWKit's side of cross-checks and write it as plain files (the command
    ``fetrain experiments crosscheck``).

    For each check, ``NAME.csv`` (:func:`aihwkit_side`'s curves) and ``NAME.json`` (its record:
    what, the settings, data set, device, the command, the code fingerprints
    :func:`~fetrain.common.fingerprint.bridge_fingerprint` and
    :func:`~fetrain.common.fingerprint.engine_fingerprint`, the versions of AIHWKit, torch and
    fetrain, the seconds it took). A check whose files are there, made with the same settings,
    code fingerprint and AIHWKit version, is kept, so an interrupted command resumes; files are
    written whole (a temporary name, then a rename). The runs of all the checks to make share one
    pool of ``workers`` processes, and each check is written as soon as its last run finishes. The
    fingerprints are read at the start and again once every process has read the code it runs
    (when as many runs have finished as there are workers); if the code on disk changed in
    between, nothing is written.

    Parameters
    ----------
    names : sequence of str, optional
        Checks of :data:`CROSS_CHECKS`, in the order to run them (a repeated name counts once);
        None: all.
    out : str or pathlib.Path, optional
        Output folder, created if missing; None: ``crosscheck`` in
        :func:`fetrain.common.files.results_dir`.
    workers : int
        AIHWKit processes side by side (counts, ≥ 1).
    progress : bool
        Show a progress bar counting the finished runs.
    command_out : str or pathlib.Path, optional
        The output folder as the record's command names it (e.g. relative to the repository);
        None: ``out`` as given.
    log : callable
        Receives one line of text per check.

    Returns
    -------
    list of dict
        Per check, in the order of ``names``: ``check``, ``status`` (``"made"``, ``"kept"``, or
        ``"discarded"`` when fetrain's code changed on disk while the processes read it, so that
        no one fingerprint names the code that made the runs), ``seconds`` (s; the wall times of the
        check's AIHWKit runs added up, each on one core — for a kept check, from its record).

    Raises
    ------
    ValueError
        If a name is unknown, ``workers`` is not an integer ≥ 1, or the folder is not writable.
    """
    from ..common.display import format_width  # noqa: F401  (read now, with the rest of the code)

    names = tuple(CROSS_CHECKS) if names is None else tuple(dict.fromkeys(names))
    checks = [get_check(n) for n in names]
    if not (isinstance(workers, int) and workers >= 1):
        raise ValueError(f"workers must be an integer ≥ 1; got {shown(workers)}")
    given = out
    out = check_output_folder(results_dir() / "crosscheck" if out is None else out)
    # one command at a time per folder: a second waits, then keeps what the first made
    with storage.locked(out / ".lock", f"the results folder {out}"):
        shown_out = command_out if command_out is not None else given
        versions = _versions()
        report: dict[str, dict] = {}
        # the code's fingerprints at the start: which checks are finished, what the records name
        fingerprints = _fingerprints()
        pending = []
        for check in checks:
            try:
                _, old = _read(check, out)
            except storage.DamagedFile as err:
                log(f"{check.name}: {err.path.name} {err.problem}; making it again")
                old = None
            except (OSError, ValueError):
                old = None
            if old is not None and old.get("bridge") == fingerprints["bridge"] \
                    and old.get("aihwkit_version") == versions["aihwkit_version"]:
                log(f"{check.name}: already made with these settings and this code; kept")
                report[check.name] = {"check": check.name, "status": "kept",
                                      "seconds": old.get("seconds")}
            else:
                # the record marks a finished check
                (out / f"{check.name}.json").unlink(missing_ok=True)
                pending.append(check)
        # Each process reads fetrain's code once, when it first imports it: the command's own at
        # the start, each worker's during its first run. So once as many runs have finished as
        # there are workers, every process has read all the code it runs; the fingerprints are
        # read again then, and the checks are written only if the code on disk was the same all
        # along.
        readers = min(workers, sum(len(c.seeds) for c in pending))
        unchanged = None
        finished_checks = []
        for finished, check, curves, run_seconds in _aihwkit_sides(pending, workers, progress):
            if check is not None:
                finished_checks.append((check, curves, run_seconds))
            if finished < readers:
                continue
            if unchanged is None:
                after = _fingerprints()
                unchanged = after == fingerprints
                if not unchanged:
                    log(f"fetrain's code changed on disk while the AIHWKit workers started "
                        f"(fingerprint {fingerprints['bridge']} → {after['bridge']}): no one "
                        "fingerprint names the code that ran, so nothing is written; run the "
                        "command again")
            for done in finished_checks:
                report[done[0].name] = _write_check(*done, out, shown_out, workers, fingerprints,
                                                    versions, log, unchanged)
            finished_checks = []
        return [report[c.name] for c in checks]


def _fingerprints() -> dict:
    """The code's fingerprints as the files on disk are now (any cached reading set aside)."""
    from ..common import fingerprint

    clear = getattr(fingerprint.source_fingerprint, "cache_clear", None)
    if clear is not None:
        clear()
    return {"bridge": fingerprint.bridge_fingerprint(), "engine": fingerprint.engine_fingerprint()}


def _write_check(check, curves, run_seconds, out, shown_out, workers, fingerprints, versions, log,
                 unchanged: bool) -> dict:
    """Write one check's curves and record (or, if the code changed, say that nothing is written)."""
    from ..common.display import format_width

    seconds = float(sum(run_seconds))
    if not unchanged:
        return {"check": check.name, "status": "discarded", "seconds": seconds}
    model, data = check.device_model(), check.data()
    storage.write_csv(out / f"{check.name}.csv", curves)
    record = {
        "what": f"AIHWKit's side of a cross-check of fetrain's engine: {check.what}",
        "check": check.name, "settings": check.settings(), "data_set": data.label,
        "device": f"{format_width(model.width_s)} device, {model.source}; dw_min "
                  f"{model.dw_min:.4g}, symmetry point "
                  + (f"{model.symmetry_point:+.3f}" if np.isfinite(model.symmetry_point)
                     else "none (equal up and down steps)"),
        "device_fingerprint": model.fingerprint(),
        "train_config": check.aihwkit_configs(model)[0].describe(),
        "command": check.command(shown_out), **fingerprints, **versions,
        "seconds": round(seconds, 1), "run_seconds": [round(t, 1) for t in run_seconds],
        "workers": workers,
        "note": "seconds: the wall times of the check's AIHWKit runs added up, each run on one "
                "core. AIHWKit draws its own noise seeds, so its runs are not reproducible by "
                "seed; the seed fixes the initial weights and the data order."}
    storage.write_json(out / f"{check.name}.json", json_ready(record))
    _seal(out)
    log(f"{check.name}: {_runs(len(check.seeds))} of AIHWKit, {seconds:.0f} s on one core → "
        f"{out / (check.name + '.csv')}")
    return {"check": check.name, "status": "made", "seconds": seconds}


def _runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"
