"""What a sweep's histories say: energy to target, its parts, curves over targets, and the map of
where short pulses win.

Pure functions of the tables that :mod:`fetrain.study.sweep` writes (one row per evaluation of a
run, with every energy part as a cumulative column, J). They train nothing and read no device
model, so the chapter can analyse a results folder made elsewhere.

Definitions (fixed before any sweep was run):

* **energy to target** — the cumulative energy at the first evaluation whose **validation**
  accuracy reaches the target, with no interpolation; a run that never reaches it within its epoch
  limit has none ("not reached"). Epochs and pulses to target are read at the same evaluation, and
  the test accuracy there is reported beside them (the test split never stops a run). Judging on
  the test split instead is kept as an option (``split="test"``) to show what that choice does.
* **total energy** — everything the sweep costs, complete form: the programmed devices' analog
  energy (V·I·t + C·V² + switching charge), the lines and half-selected devices, the digital work
  under a named hardware model, the one-off reference programming, and a width-independent cost
  per pulse ``fixed_J`` (0 unless a map varies it), and the read path of every sample under a
  stated model (``read_path``: none — the study's accounting — low or high, see
  :mod:`fetrain.study.readpath`). The study's own figure is ``analog_study_J`` alone.
* a configuration (scheme, width, strategy) **reaches** the target when every one of its seeds
  does; its energy to target is then the mean over seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.checks import shown
from ..train.hardware import DIGITAL_MODELS
from .readpath import READ_PATH_MODELS, check_read_path

#: The columns identifying a run, and a configuration (a run without its seed).
RUN_KEYS = ["scheme", "width_s", "strategy", "seed"]


CONFIG_KEYS = ["scheme", "width_s", "strategy"]


#: Energy parts of the complete total (J, cumulative), in the order the figures stack them.
PARTS = ("analog_complete_J", "line_charging_J", "half_select_J", "digital_J", "references_J",
         "fixed_J", "read_path_J")


PART_LABELS = {"analog_complete_J": "programmed devices (V·I·t + C·V² + switching)",
               "line_charging_J": "line charging (C·(V/2)²)",
               "half_select_J": "half-selected devices (conduction at V/2)",
               "digital_J": "digital work of mixed precision",
               "references_J": "reference programming (one-off)",
               "fixed_J": "width-independent cost per pulse",
               "read_path_J": "read path (forward and backward passes)"}


DEFAULT_DIGITAL = "fp32-dense"


#: The splits a target can be judged on, and their accuracy columns; validation is the book's.
SPLITS = {"validation": "val_accuracy", "test": "test_accuracy"}


#: Targets of the energy-against-target curves (fractions).
CURVE_TARGETS = tuple(np.round(np.arange(0.50, 0.901, 0.05), 2))


def curve_targets(target: float) -> tuple[float, ...]:
    """The targets at which energy is tabulated for a plan's target (fractions): 50 … 90% in
    steps of 5 points, and for a target above 90% (full MNIST's 95%) every point from 91 to 98%.
    """
    if target <= 0.90:
        return CURVE_TARGETS
    return CURVE_TARGETS + tuple(np.round(np.arange(0.91, 0.981, 0.01), 2))


#: A cell is a near tie when the runner-up needs less than this factor more energy than the winner,
#: whichever widths they are: energy to target is read at discrete evaluations (at book scale half
#: an epoch apart, ≈ 20% of a run that reaches the target in 2–3 epochs). Fixed before any sweep
#: was run.
TIE_MARGIN = 1.25


#: Width-independent costs per pulse of the map, J.
MAP_FIXED_COSTS_J = (0.0, 0.5e-12, 1e-12, 2e-12, 5e-12)


def _check_digital(digital: str) -> None:
    if digital not in DIGITAL_MODELS:
        raise ValueError(f"digital must be one of {tuple(DIGITAL_MODELS)}; got {digital!r}")


def with_totals(histories: pd.DataFrame, digital: str = DEFAULT_DIGITAL,
                fixed_J: float = 0.0, read_path: str = "none") -> pd.DataFrame:
    """``histories`` with ``digital_J`` (the chosen hardware model's digital energy), ``fixed_J``
    (``fixed_J`` joules per programming pulse), ``read_path_J`` (the read path under the chosen
    setting, 0 for none) and ``total_J`` (the sum of :data:`PARTS`).

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories (energy parts in J, cumulative; ``pulses`` in counts).
    digital : str
        Hardware model of the digital work, a name of ``DIGITAL_MODELS``.
    fixed_J : float
        Width-independent cost per programming pulse (J), ≥ 0.
    read_path : str
        ``none`` or a name of :data:`fetrain.study.readpath.READ_PATH_MODELS`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``digital_J``, ``fixed_J``, ``read_path_J`` and ``total_J`` added (J,
        cumulative).

    Raises
    ------
    ValueError
        If ``digital`` or ``read_path`` is unknown or ``fixed_J`` is negative.
    """
    _check_digital(digital)
    check_read_path(read_path)
    if fixed_J < 0:
        raise ValueError(f"fixed_J (width-independent cost per pulse, J) must be ≥ 0; got {shown(fixed_J)}")
    h = histories.copy()
    h["digital_J"] = h[f"digital_{digital}_J"]
    h["fixed_J"] = fixed_J * h["pulses"]
    h["read_path_J"] = 0.0 if read_path == "none" else h[READ_PATH_MODELS[read_path].column]
    h["total_J"] = h[list(PARTS)].sum(axis=1, skipna=False)   # a part without joules: no total
    return h


def check_split(split: str) -> None:
    """Raise ``ValueError`` naming the allowed splits unless ``split`` is one of :data:`SPLITS`."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {tuple(SPLITS)}; got {split!r}")


def _first_reaching(run: pd.DataFrame, target: float, split: str = "validation"):
    hit = run.index[run[SPLITS[split]].to_numpy() >= target]
    return None if len(hit) == 0 else run.loc[hit[0]]


def summary(histories: pd.DataFrame, target: float, digital: str = DEFAULT_DIGITAL,
            fixed_J: float = 0.0, read_path: str = "none",
            split: str = "validation") -> pd.DataFrame:
    """One row per run: whether it reached ``target`` (on ``split``); epochs, samples, pulses,
    every energy part and the test accuracy at the first evaluation that did (NaN where it did
    not); the final test accuracy, the epoch limit and the total energy at the end of training.

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories.
    target : float
        Target accuracy (fraction, 0 … 1).
    digital : str
        Hardware model of the digital work, a name of ``DIGITAL_MODELS``.
    fixed_J : float
        Width-independent cost per programming pulse (J), ≥ 0.
    read_path : str
        Read-path setting of ``total_J``: ``none`` or a name of ``READ_PATH_MODELS``.
    split : str
        The split that judges the target, a name of :data:`SPLITS` (validation: the book's).

    Returns
    -------
    pandas.DataFrame
        The run keys (``width_s`` in s), ``target``, ``test_at_target`` and ``final_accuracy``
        (test accuracy, fractions), ``reached``, ``epochs_to_target`` and ``epoch_limit``
        (epochs), ``samples_to_target``, ``pulses_to_target`` and ``pulses_final`` (counts), the
        energies ``*_J`` (J; each read-path setting's as ``read_path_<name>_to_target_J``) and
        ``energy_per_pulse_J`` (J per pulse, complete form).

    Raises
    ------
    ValueError
        If ``digital``, ``read_path`` or ``split`` is unknown or ``fixed_J`` is negative.
    """
    check_split(split)
    h = with_totals(histories, digital, fixed_J, read_path)
    settings = [m.column for m in READ_PATH_MODELS.values() if m.column in h.columns]
    rows = []
    for key, run in h.groupby(RUN_KEYS, sort=True):
        run = run.sort_values("samples")
        row = dict(zip(RUN_KEYS, key))
        hit = _first_reaching(run, target, split)
        row["target"] = target
        row["split"] = split
        row["reached"] = hit is not None
        row["test_at_target"] = float(hit["test_accuracy"]) if hit is not None else np.nan
        for col in ("epoch", "samples", "pulses", "analog_study_J", *PARTS, "total_J", *settings):
            name = "epochs_to_target" if col == "epoch" else f"{col.removesuffix('_J')}_to_target" + (
                "_J" if col.endswith("_J") else "")
            row[name] = float(hit[col]) if hit is not None else np.nan
        last = run.iloc[-1]
        row["final_accuracy"] = float(last["test_accuracy"])
        row["epoch_limit"] = float(last["epoch"])
        row["pulses_final"] = float(last["pulses"])
        row["total_final_J"] = float(last["total_J"])
        row["analog_study_final_J"] = float(last["analog_study_J"])
        row["energy_per_pulse_J"] = (float(last["analog_complete_J"]) / float(last["pulses"])
                                     if last["pulses"] > 0 else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def aggregate(summ: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration: seeds, seeds that reached the target, and mean/min/max over
    seeds of the energy to target (total and study form), epochs and pulses to target (NaN
    unless every seed reached it), and of the final accuracy.

    Parameters
    ----------
    summ : pandas.DataFrame
        The table of :func:`summary`.

    Returns
    -------
    pandas.DataFrame
        The configuration keys, ``seeds`` and ``seeds_reached`` (counts), ``reached``, and each
        quantity's mean, ``_min`` and ``_max`` in the units of :func:`summary` (J, epochs,
        counts, fractions).
    """
    rows = []
    for key, g in summ.groupby(CONFIG_KEYS, sort=True):
        row = dict(zip(CONFIG_KEYS, key))
        row["seeds"] = len(g)
        row["seeds_reached"] = int(g["reached"].sum())
        row["reached"] = bool(g["reached"].all())
        for col in ("total_to_target_J", "analog_study_to_target_J", "epochs_to_target",
                    "pulses_to_target", *[f"{p.removesuffix('_J')}_to_target_J" for p in PARTS],
                    "test_at_target", "final_accuracy", "energy_per_pulse_J", "total_final_J"):
            if col not in g:                  # a table written before this part existed
                continue
            v = g[col].to_numpy(dtype=float)
            ok = row["reached"] or not col.endswith(("to_target_J", "to_target", "at_target"))
            row[col] = float(np.mean(v)) if ok else np.nan
            row[col + "_min"] = float(np.min(v)) if ok else np.nan
            row[col + "_max"] = float(np.max(v)) if ok else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def energy_curves(histories: pd.DataFrame, targets=CURVE_TARGETS,
                  digital: str = DEFAULT_DIGITAL, read_path: str = "none",
                  split: str = "validation") -> pd.DataFrame:
    """Energy to target as a curve over targets: one row per (run, target) with ``reached``,
    ``total_to_target_J`` and ``analog_study_to_target_J`` (NaN where not reached).

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories.
    targets : sequence of float
        Target accuracies (fractions).
    digital : str
        Hardware model of the digital work, a name of ``DIGITAL_MODELS``.
    read_path : str
        Read-path setting: ``none`` or a name of ``READ_PATH_MODELS``.
    split : str
        The split that judges each target, a name of :data:`SPLITS`.

    Returns
    -------
    pandas.DataFrame
        The run keys, ``target`` (fraction), ``reached``, ``total_to_target_J`` and
        ``analog_study_to_target_J`` (J), ``epochs_to_target`` (epochs).

    Raises
    ------
    ValueError
        If ``digital``, ``read_path`` or ``split`` is unknown.
    """
    check_split(split)
    h = with_totals(histories, digital, read_path=read_path)
    rows = []
    for key, run in h.groupby(RUN_KEYS, sort=True):
        run = run.sort_values("samples")
        for t in targets:
            hit = _first_reaching(run, t, split)
            rows.append({**dict(zip(RUN_KEYS, key)), "target": float(t), "reached": hit is not None,
                         "total_to_target_J": float(hit["total_J"]) if hit is not None else np.nan,
                         "analog_study_to_target_J": (float(hit["analog_study_J"])
                                                      if hit is not None else np.nan),
                         "epochs_to_target": float(hit["epoch"]) if hit is not None else np.nan})
    return pd.DataFrame(rows)


def win_map(histories: pd.DataFrame, target: float, fixed_costs_J=MAP_FIXED_COSTS_J,
            digital_models=tuple(DIGITAL_MODELS), read_path: str = "none",
            split: str = "validation") -> pd.DataFrame:
    """Which width needs the least total energy to ``target``, for every (strategy, scheme,
    width-independent cost per pulse, digital hardware model).

    One row per cell: ``winner_width_s`` (NaN when no width reaches the target), its mean energy
    to target ``winner_J``, the shortest width's (``shortest_J``; NaN if it did not reach) and
    ``shortest_over_winner`` (1 where the shortest width wins), ``widths_reached``, the
    ``runner_up_width_s``, the ``margin`` (runner-up's energy over the winner's) and ``tie``
    (margin below :data:`TIE_MARGIN`, whichever widths the winner and runner-up are).

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories.
    target : float
        Target test accuracy (fraction, 0 … 1).
    fixed_costs_J : sequence of float
        Width-independent costs per pulse (J).
    digital_models : sequence of str
        Hardware models of the digital work, names of ``DIGITAL_MODELS``.
    read_path : str
        Read-path setting: ``none`` or a name of ``READ_PATH_MODELS``.
    split : str
        The split that judges the target, a name of :data:`SPLITS`.

    Returns
    -------
    pandas.DataFrame
        ``strategy``, ``scheme``, ``fixed_per_pulse_J`` (J), ``digital``, ``widths_reached``
        (counts), ``shortest_width_s``, ``winner_width_s`` and ``runner_up_width_s`` (s),
        ``shortest_J`` and ``winner_J`` (J), ``margin`` and ``shortest_over_winner``
        (dimensionless), ``tie``.

    Raises
    ------
    ValueError
        If a hardware model is unknown.
    """
    rows = []
    for digital in digital_models:
        # the evaluation where a run first reaches the target does not depend on the cost per
        # pulse: one summary per hardware model, and each fixed cost adds fixed·pulses to target
        base = aggregate(summary(histories, target, digital, read_path=read_path, split=split))
        rows.append(rank_widths(base, fixed_costs_J).assign(digital=digital))
    return pd.concat(rows, ignore_index=True)


def rank_widths(agg: pd.DataFrame, fixed_costs_J=(0.0,)) -> pd.DataFrame:
    """The cells of :func:`win_map` from an :func:`aggregate` table (so a map can be drawn from a
    per-run summary alone, e.g. shipped tables or retrained runs), for each
    width-independent cost per pulse.

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`aggregate` rows (energies in J, ``pulses_to_target`` in counts).
    fixed_costs_J : sequence of float
        Width-independent costs per pulse (J).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`win_map` but ``digital``. Where a reached configuration has no
        energy (a measured campaign without joules), the cell is ranked by pulses to target:
        ``ranked_by`` is ``pulses`` and ``margin`` and ``shortest_over_winner`` are ratios of
        pulses; otherwise ``ranked_by`` is ``energy``.
    """
    rows = []
    for fixed in fixed_costs_J:
        a = agg.assign(total_to_target_J=agg["total_to_target_J"]
                       + fixed * agg["pulses_to_target"])
        for (strategy, scheme), g in a.groupby(["strategy", "scheme"], sort=True):
            g = g.sort_values("width_s")
            ok = g[g["reached"]]
            shortest = g.iloc[0]
            row = {"strategy": strategy, "scheme": scheme, "fixed_per_pulse_J": fixed,
                   "widths_reached": int(len(ok)),
                   "shortest_width_s": float(shortest["width_s"]),
                   "shortest_J": float(shortest["total_to_target_J"])}
            # without joules (a measured campaign that lacks what energy needs) the widths are
            # ranked by pulses to target, and the row says so
            by = "total_to_target_J"
            no_joules = "total_final_J" in g and g["total_final_J"].isna().any()
            if no_joules or (len(ok) and ok[by].isna().any()):
                by = "pulses_to_target"
            row["ranked_by"] = "energy" if by == "total_to_target_J" else "pulses"
            ranked = ok.sort_values([by, "epochs_to_target"])
            row["winner_width_s"] = row["winner_J"] = np.nan
            row["runner_up_width_s"] = row["margin"] = np.nan
            best = np.nan
            if len(ranked):
                row["winner_width_s"] = float(ranked["width_s"].iloc[0])
                row["winner_J"] = float(ranked["total_to_target_J"].iloc[0])
                best = float(ranked[by].iloc[0])
            if len(ranked) > 1:
                row["runner_up_width_s"] = float(ranked["width_s"].iloc[1])
                row["margin"] = _ratio(float(ranked[by].iloc[1]), best)
            row["tie"] = bool(row["margin"] < TIE_MARGIN)
            row["shortest_over_winner"] = _ratio(float(shortest[by]), best)
            rows.append(row)
    return pd.DataFrame(rows)


def _ratio(a: float, b: float) -> float:
    """a / b, NaN where b is 0 or NaN (a target reached before any pulse has no ratio)."""
    return a / b if b else np.nan


def with_read_path_total(summ: pd.DataFrame, read_path: str) -> pd.DataFrame:
    """A per-run summary whose ``total_to_target_J`` counts the read path ``read_path`` (added
    from its ``read_path_<name>_to_target_J`` column; ``none`` leaves it as it is). The summary
    must have been made with ``read_path="none"``.

    Raises
    ------
    ValueError
        If ``read_path`` is unknown.
    """
    check_read_path(read_path)
    if read_path == "none":
        return summ
    col = READ_PATH_MODELS[read_path].column.replace("_J", "_to_target_J")
    return summ.assign(total_to_target_J=summ["total_to_target_J"] + summ[col])


def pareto_front(points: pd.DataFrame, energy: str = "total_J",
                 accuracy: str = "test_accuracy") -> pd.DataFrame:
    """The points no other point beats in both energy (lower) and accuracy (higher), by energy.

    Parameters
    ----------
    points : pandas.DataFrame
        Points with an energy and an accuracy column.
    energy : str
        The energy column (J).
    accuracy : str
        The accuracy column (fraction).

    Returns
    -------
    pandas.DataFrame
        The front's rows of ``points``, by ascending energy.
    """
    p = points.sort_values([energy, accuracy], ascending=[True, False])
    best = -np.inf
    keep = []
    for idx, acc in zip(p.index, p[accuracy].to_numpy()):
        if acc > best:
            keep.append(idx)
            best = acc
    return p.loc[keep]


# ---- readings of a sweep: what Chapter 6 and the introduction read off its tables ----------------


def parts_are_cumulative(histories: pd.DataFrame, tolerance_J: float = 1e-15) -> bool:
    """Whether every energy part of every run is non-negative and never decreases from one
    evaluation to the next (they are cumulative sums of costs).

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories (energy parts in J, cumulative).
    tolerance_J : float
        Decrease tolerated as rounding (J).

    Returns
    -------
    bool
        True when every part of every run is ≥ 0 and non-decreasing in ``samples``.
    """
    h = with_totals(histories)
    parts = list(PARTS)
    if not (h[parts] >= 0).all().all():
        return False
    steps = h.sort_values(RUN_KEYS + ["samples"]).groupby(RUN_KEYS)[parts].diff()
    return bool((steps.dropna() >= -tolerance_J).all().all())


def read_at_first_reaching(histories: pd.DataFrame, target: float,
                           digital: str = DEFAULT_DIGITAL, split: str = "validation") -> bool:
    """Check of :func:`summary`: every run's energy to target is read at the first evaluation
    whose accuracy on ``split`` reaches ``target`` (no evaluation before it does), and a run that
    never reaches it has none.

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories.
    target : float
        Target test accuracy (fraction, 0 … 1).
    digital : str
        Hardware model of the digital work, a name of ``DIGITAL_MODELS``.
    split : str
        The split that judges the target, a name of :data:`SPLITS`.

    Returns
    -------
    bool
        True when the check holds for every run.
    """
    acc = SPLITS[split]
    runs = {key: g for key, g in histories.groupby(RUN_KEYS)}
    for r in summary(histories, target, digital, split=split).itertuples():
        run = runs[tuple(getattr(r, k) for k in RUN_KEYS)]
        if not r.reached:
            if (run[acc] >= target).any() or np.isfinite(r.total_to_target_J):
                return False
            continue
        before = run[run["samples"] < r.samples_to_target]
        at = run[run["samples"] == r.samples_to_target]
        if (before[acc] >= target).any() or not (at[acc] >= target).all():
            return False
    return True


def part_shares(agg: pd.DataFrame) -> pd.DataFrame:
    """Where the energy to target goes, for each configuration that reached the target: each
    part's share of the total, and the lines' and half-selected devices' cost relative to the
    programmed devices'.

    Parameters
    ----------
    agg : pandas.DataFrame
        The table of :func:`aggregate` (energies in J).

    Returns
    -------
    pandas.DataFrame
        The configuration keys (``width_s`` in s), one column per part of :data:`PARTS` but
        ``fixed_J``, named as the part (share of ``total_to_target_J``, fraction 0 … 1), and
        ``lines_over_devices`` ((line charging + half-select) / programmed devices,
        dimensionless); configurations that did not reach the target are left out.
    """
    reached = agg[agg["reached"]].reset_index(drop=True)
    total = reached["total_to_target_J"]
    out = reached[CONFIG_KEYS].copy()
    for part in PARTS:
        if part != "fixed_J":
            out[part] = reached[_to_target(part)] / total
    out["lines_over_devices"] = ((reached["line_charging_to_target_J"]
                                  + reached["half_select_to_target_J"])
                                 / reached["analog_complete_to_target_J"])
    return out


def _to_target(part: str) -> str:
    """The :func:`aggregate` column of a part at the target (``digital_J`` →
    ``digital_to_target_J``)."""
    return part.replace("_J", "_to_target_J")


def ranking_by_digital(histories: pd.DataFrame, target: float,
                       digital_models=tuple(DIGITAL_MODELS)) -> pd.DataFrame:
    """The strategies ranked by total energy to ``target`` at each width, under each hardware
    model of the digital work.

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories (one programming scheme, usually the main one).
    target : float
        Target test accuracy (fraction, 0 … 1).
    digital_models : sequence of str
        Names of ``DIGITAL_MODELS``.

    Returns
    -------
    pandas.DataFrame
        One row per (``digital``, ``width_s`` in s): ``ranking`` (tuple of strategy names that
        reached the target, least total energy first) and ``mp_total_to_target_J`` (mixed
        precision's total energy to target, J; NaN where it did not reach or did not run).

    Raises
    ------
    ValueError
        If a hardware model is unknown.
    """
    rows = []
    for digital in digital_models:
        agg = aggregate(summary(histories, target, digital))
        for width, g in agg.groupby("width_s"):
            ok = g[g["reached"]].sort_values("total_to_target_J")
            mp = g.loc[g["strategy"] == "mp", "total_to_target_J"]
            rows.append({"digital": digital, "width_s": float(width),
                         "ranking": tuple(ok["strategy"]),
                         "mp_total_to_target_J": float(mp.iloc[0]) if len(mp) else np.nan})
    return pd.DataFrame(rows)


def shortest_width_record(win: pd.DataFrame, by: str) -> pd.DataFrame:
    """How the shortest width fares on the map, counted over its cells per value of ``by``:
    clear wins, near ties (it is the winner or the runner-up of a cell whose margin is below
    :data:`TIE_MARGIN` — the rule is the same whichever of the two it is), clear losses (another
    width wins by more) and cells.

    Parameters
    ----------
    win : pandas.DataFrame
        The table of :func:`win_map`.
    by : str
        The column to count by (``"strategy"`` or ``"scheme"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``: ``wins``, ``ties``, ``losses`` and ``cells`` (counts); a cell where no
        width reached the target is none of the first three.
    """
    short = win["winner_width_s"] == win["shortest_width_s"]
    second = win["runner_up_width_s"] == win["shortest_width_s"]
    tie = win["tie"] & (short | second)
    frame = pd.DataFrame({by: win[by], "wins": short & ~tie, "ties": tie,
                          "losses": ~short & ~tie & win["winner_width_s"].notna(), "cells": 1})
    return frame.groupby(by, sort=False).sum().astype(int)


def shortest_width_totals(win: pd.DataFrame) -> tuple[int, int, int]:
    """The shortest width's wins, near ties and losses over all cells of a map
    (:func:`shortest_width_record` summed), counts."""
    total = shortest_width_record(win.assign(_all=0), "_all").sum()
    return int(total["wins"]), int(total["ties"]), int(total["losses"])


def winner_flips(win: pd.DataFrame) -> pd.DataFrame:
    """Where a width-independent cost per pulse changes the winner of the map: for each
    (strategy, scheme, digital model), the first cost at which another width than the one that
    wins without it needs the least energy.

    Parameters
    ----------
    win : pandas.DataFrame
        The table of :func:`win_map`.

    Returns
    -------
    pandas.DataFrame
        One row per flip: ``strategy``, ``scheme``, ``digital``, ``from_width_s`` and
        ``to_width_s`` (s), ``fixed_per_pulse_J`` (J); empty when no cost changes a winner.
    """
    rows = []
    for (strategy, scheme, digital), g in win.groupby(["strategy", "scheme", "digital"]):
        g = g.sort_values("fixed_per_pulse_J")
        first = g["winner_width_s"].iloc[0]
        if not np.isfinite(first):
            continue
        changed = g[g["winner_width_s"].ne(first) & g["winner_width_s"].notna()]
        if len(changed):
            c = changed.iloc[0]
            rows.append({"strategy": strategy, "scheme": scheme, "digital": digital,
                         "from_width_s": float(first), "to_width_s": float(c["winner_width_s"]),
                         "fixed_per_pulse_J": float(c["fixed_per_pulse_J"])})
    return pd.DataFrame(rows, columns=["strategy", "scheme", "digital", "from_width_s",
                                       "to_width_s", "fixed_per_pulse_J"])


def width_spread(agg: pd.DataFrame, strategy: str = "mp") -> pd.DataFrame:
    """How far apart the widths end up for one strategy, per programming scheme: the largest
    over the smallest total energy to target among the widths that reached it, and the same
    ratio of the energy per epoch to target (total energy / epochs to target).

    Parameters
    ----------
    agg : pandas.DataFrame
        The table of :func:`aggregate` (any schemes).
    strategy : str
        The strategy.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``scheme``: ``energy`` and ``energy_per_epoch`` (max / min over widths,
        dimensionless), ``widths`` (widths that reached the target, counts); schemes where no
        width reached it are left out.
    """
    ok = agg[(agg["strategy"] == strategy) & agg["reached"]]
    per_epoch = ok["total_to_target_J"] / ok["epochs_to_target"]
    ratio = lambda e: float(e.max() / e.min())      # noqa: E731
    out = pd.DataFrame({"energy": ok.groupby("scheme")["total_to_target_J"].agg(ratio),
                        "energy_per_epoch": per_epoch.groupby(ok["scheme"]).agg(ratio),
                        "widths": ok.groupby("scheme").size()})
    out.index.name = "scheme"
    return out


def stalled(agg: pd.DataFrame, below: float = 0.2) -> pd.DataFrame:
    """The configurations whose runs end near chance: mean final test accuracy below ``below``.

    Parameters
    ----------
    agg : pandas.DataFrame
        The table of :func:`aggregate`.
    below : float
        Accuracy threshold (fraction, 0 … 1).

    Returns
    -------
    pandas.DataFrame
        The rows of ``agg`` below the threshold.
    """
    return agg[agg["final_accuracy"] < below].reset_index(drop=True)


def slower_at(agg: pd.DataFrame, strategy: str, width_s: float, than_s: float) -> bool:
    """Whether a strategy needs more epochs to the target at ``width_s`` than at ``than_s``:
    more epochs (every seed reaching it at both), or not reached at ``width_s`` while reached at
    ``than_s``.

    Parameters
    ----------
    agg : pandas.DataFrame
        The table of :func:`aggregate` of one scheme's runs.
    strategy : str
        The strategy.
    width_s, than_s : float
        The two widths (s).

    Returns
    -------
    bool
        The answer (False where either configuration did not run).
    """
    rows = [agg[(agg["strategy"] == strategy) & np.isclose(agg["width_s"], t, rtol=1e-9, atol=0)]
            for t in (width_s, than_s)]
    if any(r.empty for r in rows):
        return False
    a, b = (r.iloc[0] for r in rows)
    if not a["reached"]:
        return bool(b["reached"])
    return bool(b["reached"] and a["epochs_to_target"] > b["epochs_to_target"])
