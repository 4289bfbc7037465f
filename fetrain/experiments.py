"""Repeatable experiments that the chapters and tests run: each a plain function of its settings.

This module's room: loops over seeds and configurations that combine the other modules, returning
tidy tables. Every configuration draws from its own seeded generator.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .fitting import fit_schottky
from .physics import shown
from .synthetic import SyntheticCampaign, default_campaign

#: The level α of one engine cross-check (:func:`agreement`): a correct pair of engines is flagged
#: with probability ≤ α/2 when the per-seed differences are normal.
CROSS_CHECK_ALPHA = 0.001


def schottky_z_scores(seeds, campaign: SyntheticCampaign | None = None,
                      states=("P000", "P100"), min_voltage_V: float = 0.5) -> pd.DataFrame:
    """Fit the Schottky law to freshly generated I–V sweeps for each seed; return z-scores.

    For every seed, the campaign is regenerated with that seed (new device D1, new noise), the
    saturated ``states`` are fitted (:func:`fetrain.fitting.fit_schottky`) and each estimate is
    compared with the generating value: z = (estimate − true)/σ. If the uncertainties are honest,
    z is standard normal and |z| < 1.96 for about 95% of the seeds.

    Returns one row per seed with columns ``seed``, ``ln_prefactor``, ``eps_optical`` and
    ``barrier_<state>`` (the z-scores).

    Parameters
    ----------
    seeds : iterable of int
        Campaign seeds.
    campaign : SyntheticCampaign, optional
        The campaign to regenerate; None: :func:`fetrain.synthetic.default_campaign`.
    states : sequence of str
        Saturated states to fit, of ``P000`` and ``P100``.
    min_voltage_V : float
        Smallest |V| fitted (V).

    Returns
    -------
    pandas.DataFrame
        ``seed`` and one z-score column per parameter (dimensionless).

    Raises
    ------
    ValueError
        If a state is not a saturated one, or a fit fails (see
        :func:`fetrain.fitting.fit_schottky`).
    """
    base = default_campaign() if campaign is None else campaign
    rows = []
    for seed in seeds:
        camp = replace(base, plan=replace(base.plan, seed=int(seed)))
        dev = camp.iv_device()
        truth_barriers = {"P000": dev.conduction.barrier_off_eV, "P100": dev.conduction.barrier_on_eV}
        unknown = [s for s in states if s not in truth_barriers]
        if unknown:
            raise ValueError(f"states must be saturated states {tuple(truth_barriers)}; got {unknown}")
        fit = fit_schottky(camp.generate_iv(), dev.stack, states=states, min_voltage_V=min_voltage_V)
        z = fit.z_scores(np.log(dev.conduction.prefactor), dev.stack.eps_optical,
                         [truth_barriers[s] for s in states])
        row = {"seed": int(seed), "ln_prefactor": z[0], "eps_optical": z[1]}
        row.update({f"barrier_{s}": z[2 + i] for i, s in enumerate(states)})
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_summary(z_scores: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: share of |z| < 1 and < 1.96, mean and standard deviation of z.

    ``z_scores`` is :func:`schottky_z_scores` output; for honest intervals expect about 0.683,
    0.95, 0 and 1.

    Parameters
    ----------
    z_scores : pandas.DataFrame
        Output of :func:`schottky_z_scores`.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``within_1_sigma`` and ``within_1.96_sigma`` (fractions), ``mean_z`` and
        ``std_z`` (dimensionless).
    """
    z = z_scores.drop(columns="seed")
    return pd.DataFrame({"within_1_sigma": (z.abs() < 1).mean(),
                         "within_1.96_sigma": (z.abs() < 1.96).mean(),
                         "mean_z": z.mean(), "std_z": z.std()}).rename_axis("parameter").reset_index()


def symmetry_point_coverage(seeds, degree: int = 9, n_resamples: int = 100,
                            **trace_changes) -> pd.DataFrame:
    """How well the stated uncertainty of a symmetry point covers the truth, on generated traces.

    For each seed, a :class:`fetrain.synthetic.TwoBasinTrace` (with ``trace_changes``) is read as a
    normalized up/down file would be, fitted at ``degree``, and its stable points resampled
    (:func:`fetrain.devicemodel.symmetry_point_uncertainty`). One row per seed and true point:
    ``truth`` (on the fit's w scale), ``found`` (a fitted point in the true point's basin),
    ``w``, ``uncertainty`` and ``z`` = |w − truth| / uncertainty (w units; NaN when not found).

    Parameters
    ----------
    seeds : iterable of int
        Trace seeds.
    degree : int
        Degree of the curve polynomials.
    n_resamples : int
        Resamplings per trace (counts).
    **trace_changes
        Fields of :class:`fetrain.synthetic.TwoBasinTrace` to change.

    Returns
    -------
    pandas.DataFrame
        ``seed``, ``point``, ``truth``, ``found``, ``w`` and ``uncertainty`` (w units), ``z``
        (dimensionless).
    """
    from . import devicemodel, io
    from .synthetic import TwoBasinTrace

    rows = []
    for seed in seeds:
        trace = TwoBasinTrace(seed=int(seed), **trace_changes)
        pulses = io.updown_table(*trace.reads()).assign(pulse_width_s=np.nan, amplitude_V=np.nan)
        model = devicemodel.build_device_model(pulses, degree=degree)
        points = devicemodel.symmetry_point_uncertainty(model, pulses, n_resamples=n_resamples,
                                                        seed=int(seed), degree=degree)
        truth = trace.on_scale(model.g_min_S, model.g_max_S)
        for k, w_true in enumerate(truth.stable_points):
            near = [p for p in points if p.basin[0] <= w_true <= p.basin[1]]
            p = min(near, key=lambda q: abs(q.w - w_true)) if near else None
            rows.append({"seed": int(seed), "point": k + 1, "truth": w_true, "found": p is not None,
                         "w": p.w if p else np.nan,
                         "uncertainty": p.uncertainty if p else np.nan,
                         "z": abs(p.w - w_true) / p.uncertainty if p else np.nan})
    return pd.DataFrame(rows)


def random_pulse_walk(model, n_pulses: int, starts=(-0.9, 0.0, 0.9), seed: int = 0,
                      p_up: float = 0.5, noise: bool = True) -> np.ndarray:
    """One device receiving random up/down pulses (each up with probability ``p_up``).

    Returns the trajectories, shape (n_pulses + 1, len(starts)): what SGD does to a weight whose
    gradient sign is random — for an asymmetric device, a drift to its symmetry point.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    n_pulses : int
        Number of pulses (counts).
    starts : sequence of float
        Starting weights (w units).
    seed : int
        Seed of the pulse signs and the step noise.
    p_up : float
        Probability of an up pulse (dimensionless, 0 … 1).
    noise : bool
        Apply the model's cycle-to-cycle step noise.

    Returns
    -------
    array of float
        Trajectories (w units), shape (n_pulses + 1, len(starts)).
    """
    rng = np.random.default_rng(seed)
    signs = np.where(rng.random(n_pulses) < p_up, 1, -1)
    return model.apply_pulses(np.asarray(starts, dtype=float), signs,
                              rng=rng if noise else None)


def validation_pilot(model, data, lrs=(0.05, 0.1, 0.2, 0.4), epochs: int = 15, seeds=(0, 1, 2),
                     references=("naive", "symmetry_point"), progress: bool = False,
                     checkpoint_dir=None) -> pd.DataFrame:
    """The validation pilot that fixes the learning rate, the epochs and the target accuracy.

    Trains, side by side, the floating-point baseline and the analog engine on ``model`` with each
    reference, for every learning rate and seed, evaluating on the *validation* split once per
    epoch (the test split is recorded but never used for a choice). Returns one row per
    (kind, reference, lr, seed, epoch) with ``val_accuracy`` and ``test_accuracy``. With
    ``checkpoint_dir`` the runs are checkpointed after every epoch and a rerun resumes
    (:func:`fetrain.training.train`).

    Parameters
    ----------
    model : DeviceModel
        The device model of the analog runs.
    data : MNIST
        The data set.
    lrs : sequence of float
        Learning rates.
    epochs : int
        Epochs per run (counts).
    seeds : sequence of int
        Seeds.
    references : sequence of str
        References of the analog runs.
    progress : bool
        Show a progress bar.
    checkpoint_dir : str or pathlib.Path, optional
        Checkpoint folder.

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``reference``, ``lr``, ``seed``, ``epoch`` and ``val_accuracy``,
        ``test_accuracy`` (fractions, 0 … 1).
    """
    from .engine import TrainConfig
    from .training import train

    configs, keys = [], []
    for lr in lrs:
        for seed in seeds:
            configs.append(TrainConfig(model=None, lr=lr, epochs=epochs, seed=seed,
                                       evaluations_per_epoch=1))
            keys.append(("float", "none", lr, seed))
            for ref in references:
                configs.append(TrainConfig(model=model, lr=lr, epochs=epochs, seed=seed,
                                           reference=ref, evaluations_per_epoch=1))
                keys.append(("analog", ref, lr, seed))
    results = train(configs, data, progress=progress, checkpoint_dir=checkpoint_dir)
    rows = []
    for (kind, ref, lr, seed), res in zip(keys, results):
        for _, h in res.history.iterrows():
            rows.append({"kind": kind, "reference": ref, "lr": lr, "seed": seed,
                         "epoch": h["epoch"], "val_accuracy": h["val_accuracy"],
                         "test_accuracy": h["test_accuracy"]})
    return pd.DataFrame(rows)


def _aihwkit_worker(args):
    """One AIHWKit run in a worker process (one thread: the runs are independent)."""
    import torch

    from .bridge import train_aihwkit

    config, data = args
    torch.set_num_threads(1)
    return train_aihwkit(config, data)


def _aihwkit_runs(configs, data, workers: int):
    """AIHWKit runs of several configurations, in ``workers`` processes side by side (AIHWKit
    trains one sample at a time on one core; its runs are independent of one another)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from .bridge import train_aihwkit

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
    holds further :class:`fetrain.engine.TrainConfig` fields (e.g. ``algorithm``,
    ``device_variation``). ``aihwkit_changes``: TrainConfig fields changed on AIHWKit's side only
    — a negative control, to see that the check detects a mismatch (e.g. ``{"lr": lr / 2}``).
    ``fetrain_runs``: fetrain's results of these very configurations, one per seed (e.g. from
    :func:`fetrain.training.train`, kept for two checks), to pair with new AIHWKit runs
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
        The reference (see :class:`fetrain.engine.TrainConfig`).
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
    from .engine import TrainConfig
    from .training import train

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


def robustness_configs(model, offsets=(), drifts=(), epochs: int = 10, seeds=(0,),
                       evaluations_per_epoch: int = 1) -> list:
    """Symmetry point shifting with its references mis-set by δ (``offsets``, w units) and with a
    symmetry point that drifts during training (``drifts``, w units per epoch).

    Parameters
    ----------
    model : DeviceModel
        The device model.
    offsets : sequence of float
        Reference offsets δ (w units).
    drifts : sequence of float
        Drift rates (w units per epoch).
    epochs : int
        Epochs per run (counts).
    seeds : sequence of int
        Seeds.
    evaluations_per_epoch : int
        Evaluations per epoch (counts).

    Returns
    -------
    list of TrainConfig
        The offset runs, then the drift runs, each for every seed.
    """
    from .engine import TrainConfig
    from .training import DEFAULT_LR

    make = lambda seed, **kw: TrainConfig(model=model, lr=DEFAULT_LR, epochs=epochs, seed=seed,  # noqa: E731
                                          reference="symmetry_point",
                                          evaluations_per_epoch=evaluations_per_epoch, **kw)
    return ([make(s, reference_offset=float(d)) for d in offsets for s in seeds]
            + [make(s, drift_per_epoch=float(r)) for r in drifts for s in seeds])


def robustness_summary(full: pd.DataFrame, tolerance: float = 0.10) -> str:
    """One sentence on a robustness sweep (the frame :func:`robustness_table` writes): the range of
    reference offsets δ (w units) and the drift rates (w per epoch, from the slowest up) whose mean
    test accuracy over seeds stays within ``tolerance`` (accuracy, 0.10 = 10 points) of the well-set
    reference (δ = 0), with the data set, device, epochs and seeds it came from.

    Parameters
    ----------
    full : pandas.DataFrame
        The table of :func:`robustness_table`.
    tolerance : float
        Accuracy loss tolerated (fraction of accuracy).

    Returns
    -------
    str
        The sentence (δ in w units, drifts in w per epoch, accuracies in percent).

    Raises
    ------
    ValueError
        If the sweep has no well-set reference (δ = 0).
    """
    offsets = full[full.sweep == "offset"].groupby("value")["test_accuracy"].mean()
    drifts = full[full.sweep == "drift"].groupby("value")["test_accuracy"].mean()
    if 0.0 not in offsets.index:
        raise ValueError("the sweep has no well-set reference (δ = 0) to compare with")
    base = float(offsets.loc[0.0])
    ok = (offsets >= base - tolerance).to_numpy()
    i0 = int(np.flatnonzero(offsets.index == 0.0)[0])
    lo = hi = i0                      # the contiguous range of δ around 0 within the tolerance
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(ok) - 1 and ok[hi + 1]:
        hi += 1
    passing = (drifts.sort_index() >= base - tolerance).to_numpy()
    n_within = len(passing) if passing.all() else int(np.argmin(passing))   # from the slowest up
    within = drifts.sort_index().iloc[:n_within]
    drift_text = (f"a drift of up to {within.index.max():g} w per epoch stays within it"
                  if len(within) else f"even the slowest drift ({drifts.index.min():g} w per epoch) "
                                      f"costs more")
    n_seeds = full["seed"].nunique()
    below, above = offsets[offsets.index < 0], offsets[offsets.index > 0]
    sides = "; ".join(f"with the reference {name} the symmetry point (δ from {part.index.min():+.2f} to "
                      f"{part.index.max():+.2f}) it ranges from {part.min() * 100:.1f}% to "
                      f"{part.max() * 100:.1f}%" for name, part in (("below", below), ("above", above))
                      if len(part))
    return (f"In the full sweep ({full['data_set'].iloc[0]}; {full['device'].iloc[0]}; "
            f"{full['epochs'].iloc[0]} epochs; mean of {n_seeds} seeds) the well-set reference "
            f"reaches {base * 100:.1f}%; {sides}. The accuracy stays within "
            f"{tolerance * 100:.0f} points of the well-set reference for δ from "
            f"{offsets.index[lo] + 0.0:+.2f} to {offsets.index[hi] + 0.0:+.2f}, and {drift_text}.")


def robustness_table(results) -> pd.DataFrame:
    """One row per run of :func:`robustness_configs`: which sweep, its value, the seed, the final
    validation and test accuracy, and where it came from (data set, device, epochs).

    Parameters
    ----------
    results : sequence of RunResult
        The runs.

    Returns
    -------
    pandas.DataFrame
        ``sweep``, ``value`` (w units, or w units per epoch for drifts), ``seed``,
        ``val_accuracy`` and ``test_accuracy`` (fractions), ``data_set``, ``device``, ``epochs``.
    """
    from .plotting import format_width

    rows = []
    for r in results:
        c = r.config
        kind, value = (("drift", c.drift_per_epoch) if c.drift_per_epoch
                       else ("offset", c.reference_offset))
        rows.append({"sweep": kind, "value": value, "seed": c.seed,
                     "val_accuracy": float(r.final["val_accuracy"]),
                     "test_accuracy": float(r.final["test_accuracy"]), "data_set": r.data_set,
                     "device": f"{format_width(c.model.width_s)} device ({c.model.source})",
                     "epochs": c.epochs})
    return pd.DataFrame(rows)


#: The full-resolution robustness sweep (``python -m fetrain.experiments robustness``), shipped
#: with fetrain: its table and provenance.
ROBUSTNESS_DIR = Path(__file__).resolve().parent / "data" / "robustness"


def load_robustness(folder: str | Path | None = None) -> tuple[pd.DataFrame, dict, Path]:
    """The full-resolution robustness sweep: the reader's own run if there is one, else fetrain's.

    Parameters
    ----------
    folder : str or Path, optional
        A folder written by ``python -m fetrain.experiments robustness``. Without it, the
        reader's ``results/robustness`` (see :func:`results_dir`) when it holds a finished sweep,
        else the copy shipped with fetrain (:data:`ROBUSTNESS_DIR`).

    Returns
    -------
    table : pandas.DataFrame
        One row per run, as :func:`robustness_table` writes it (accuracies as fractions; offsets
        in w units, drifts in w units per epoch).
    provenance : dict
        What the sweep was, its data set, device, epochs, seeds, command and code fingerprint.
    folder : Path
        The folder the sweep was read from.
    """
    if folder is None:
        own = results_dir() / "robustness"
        folder = own if (own / "robustness.csv").is_file() else ROBUSTNESS_DIR
    folder = Path(folder)
    if not (folder / "robustness.csv").is_file():
        raise FileNotFoundError(f"{folder} holds no robustness.csv: run "
                                "python -m fetrain.experiments robustness OUT first")
    provenance = json.loads((folder / "robustness.json").read_text(encoding="utf-8"))
    return pd.read_csv(folder / "robustness.csv"), provenance, folder


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
    return Path(env) if env else Path(__file__).resolve().parents[1] / "results"


def reference_programming(model, tolerance: float = 0.01) -> dict:
    """The one-off cost of symmetry point shifting, per synapse (an estimate, assumptions stated).

    Hardware programs each reference by pulsing its device alternately up and down until a pair of
    pulses moves it by less than ``tolerance``·dw_min, then copies that conductance to the
    reference device; the copy is taken to cost as many pulses again. The device starts fully
    reset (w = −1). Returns pulses and energies (J) per synapse, in both forms.

    Parameters
    ----------
    model : DeviceModel
        The device model (with energy available).
    tolerance : float
        Settling tolerance (units of dw_min).

    Returns
    -------
    dict
        ``pulses`` (counts), ``study_J`` and ``complete_J`` (J), ``settled_at`` (w units).

    Raises
    ------
    EnergyUnavailable
        If the model's data cannot give joules.
    """
    from .devicemodel import W_MAX, W_MIN

    settled, after_pairs = model.symmetry_point_by_pulsing(start=W_MIN, tol=tolerance * model.dw_min)
    before = after_pairs[:-1]                        # the state before each up/down pair
    up = np.clip(before + model.step_up_at(before), W_MIN, W_MAX)
    e_up, e_down = model.pulse_energy(before, "set"), model.pulse_energy(up, "reset")
    pulses = 2 * len(before)
    return {"pulses": 2 * pulses,
            "study_J": 2 * float(np.sum(e_up.study_J) + np.sum(e_down.study_J)),
            "complete_J": 2 * float(np.sum(e_up.complete_J) + np.sum(e_down.complete_J)),
            "settled_at": settled}


def _pilot_main(argv=None) -> None:
    import argparse

    from . import data as fdata
    from . import devicemodel, io
    from .physics import DEFAULT_PULSE_WIDTH_S

    parser = argparse.ArgumentParser(prog="python -m fetrain.experiments pilot",
                                     description="Run the validation pilot (about 3 minutes on two "
                                                 "cores); rerun the same command to resume.")
    parser.add_argument("out", help="output folder (validation_pilot.csv and .json; checkpoint/ "
                                     "while it runs, removed when it has finished)")
    parser.add_argument("--epochs", type=int, default=15,
                        help="epochs of every pilot run (default 15)")
    args = parser.parse_args(argv)
    try:
        out = io.check_output_folder(args.out)          # before any work
    except ValueError as err:
        parser.exit(1, f"error: {err}\n")
    measurements = io.load_embedded()
    model = devicemodel.build_device_model(measurements.pulses, DEFAULT_PULSE_WIDTH_S,
                                           source=measurements.label)
    mnist = fdata.load_embedded()
    # checkpointed after every epoch: an interrupted pilot resumes where it stopped
    table = validation_pilot(model, mnist, epochs=args.epochs, progress=True,
                             checkpoint_dir=out / "checkpoint")
    table.to_csv(out / "validation_pilot.csv", index=False, float_format="%.6g")
    (out / "validation_pilot.json").write_text(json.dumps({
        "what": "validation pilot of fetrain's engine: float baseline and the default (20 ns) "
                "device with the naive and the symmetry-point reference",
        "data_set": mnist.label, "device": f"{model.width_s:g} s, {model.source}",
        "command": "python -m fetrain.experiments pilot " + args.out,
        "epochs": args.epochs}, indent=2) + "\n", encoding="utf-8")
    # the results are written: the checkpoint (about 300 MB of device states) has served
    shutil.rmtree(out / "checkpoint", ignore_errors=True)
    print(f"wrote {out / 'validation_pilot.csv'}")


def _robustness_main(argv=None) -> None:
    import argparse

    from . import data as fdata
    from . import devicemodel, io
    from .physics import DEFAULT_PULSE_WIDTH_S
    from .plotting import format_width
    from . import __version__
    from .training import DEFAULT_EPOCHS, code_fingerprint, train_cached

    parser = argparse.ArgumentParser(prog="python -m fetrain.experiments robustness",
                                     description="Full-resolution robustness sweep of symmetry "
                                                 "point shifting (54 runs; about 3 minutes on two "
                                                 "cores with the default three seeds).")
    parser.add_argument("out", nargs="?", default=None,
                        help="output folder (default: results/robustness in the repository)")
    parser.add_argument("--seeds", type=int, default=3,
                        help="seeds per setting (default 3: seeds 0, 1, 2)")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS,
                        help=f"epochs of every run (default {DEFAULT_EPOCHS}, the book's)")
    args = parser.parse_args(argv)
    try:
        out = io.check_output_folder(args.out if args.out else results_dir() / "robustness")
    except ValueError as err:                       # before any work
        parser.exit(1, f"error: {err}\n")
    measurements = io.load_embedded()
    model = devicemodel.build_device_model(measurements.pulses, DEFAULT_PULSE_WIDTH_S,
                                           source=measurements.label)
    mnist = fdata.load_embedded()
    offsets = np.round(np.arange(-0.30, 0.301, 0.05), 2)
    drifts = (0.01, 0.02, 0.05, 0.1, 0.2)
    configs = robustness_configs(model, offsets, drifts, args.epochs, tuple(range(args.seeds)))
    # runs are kept one by one (train_cached): an interrupted sweep resumes where it stopped
    results = []
    for k in range(0, len(configs), 6):
        results += train_cached(configs[k:k + 6], mnist, progress=True)
    out.mkdir(parents=True, exist_ok=True)
    robustness_table(results).to_csv(out / "robustness.csv", index=False, float_format="%.6g")
    (out / "robustness.json").write_text(json.dumps({
        "what": "symmetry point shifting on the default device with mis-set references and a "
                "drifting symmetry point", "data_set": mnist.label,
        "device": f"{format_width(model.width_s)} device ({model.source})", "epochs": args.epochs,
        "seeds": args.seeds, "command": "python -m fetrain.experiments robustness",
        "fetrain_version": __version__, "code": code_fingerprint()}, indent=2)
        + "\n", encoding="utf-8")
    print(f"wrote {out / 'robustness.csv'}")


COMMANDS = {"pilot": _pilot_main, "robustness": _robustness_main}
_HELP = """usage: python -m fetrain.experiments {pilot,robustness} [options]

Repeatable experiments of the book, outside the book's build.

subcommands:
  pilot OUT        the validation pilot that fixes the learning rate, the epochs and the target
                   accuracy (about 3 minutes on two cores; resumes when rerun)
  robustness [OUT] symmetry point shifting with mis-set references and a drifting symmetry point
                   (54 runs, about 3 minutes on two cores; resumes when rerun; OUT defaults to
                   results/robustness)

Run 'python -m fetrain.experiments SUBCOMMAND --help' for a subcommand's options."""

if __name__ == "__main__":
    import sys

    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help"):
        print(_HELP)
        raise SystemExit(0)
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(_HELP, file=sys.stderr)
        raise SystemExit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])
