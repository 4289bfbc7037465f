"""fetrain's engine against AIHWKit over seeds: paired learning curves and a test, fixed in
advance, of whether they agree.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..common.checks import shown

#: The level α of one engine cross-check (:func:`agreement`): a correct pair of engines is flagged
#: with probability ≤ α/2 when the per-seed differences are normal.
CROSS_CHECK_ALPHA = 0.001


def _aihwkit_worker(args):
    """One AIHWKit run in a worker process (one thread: the runs are independent)."""
    import torch

    from ..bridge.networks import train_aihwkit

    config, data = args
    torch.set_num_threads(1)
    return train_aihwkit(config, data)


def _aihwkit_runs(configs, data, workers: int):
    """AIHWKit runs of several configurations, in ``workers`` processes side by side (AIHWKit
    trains one sample at a time on one core; its runs are independent of one another)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from ..bridge.networks import train_aihwkit

    if not (isinstance(workers, int) and workers >= 1):
        raise ValueError(f"workers must be an integer ≥ 1; got {shown(workers)}")
    workers = min(len(configs), workers)
    if workers <= 1:
        return [train_aihwkit(cfg, data) for cfg in configs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_aihwkit_worker, [(cfg, data) for cfg in configs]))


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
