"""Tables and sentences of the main experiment (Chapter 6 and the introduction): what a sweep's
readings look like on the page.

Each table function takes the plain data of :mod:`fetrain.study.tradeoff` or
:func:`fetrain.study.plan.width_figures` (SI units: s, J, fractions) and returns a styled table
in the book's units (ns, pJ, µJ, %); each sentence function returns the words the prose glues in.
They compute nothing that the data do not hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.display import format_width
from ..study.plan import SCHEMES, STRATEGIES
from .tables import table

#: Label of each strategy in tables and sentences.
STRATEGY_LABELS = {name: s.label for name, s in STRATEGIES.items()}


#: What each hardware model of the digital work is, in words (the name if not listed).
DIGITAL_LABELS = {"fp32-dense": "FP32 digital model (every element every sample, separate read "
                                "and write)",
                  "int16-sparse-fused": "16-bit digital model (zero inputs skipped, "
                                        "read-modify-write fused)"}


def strategy_label(name: str) -> str:
    """The label of a strategy (its name if unknown)."""
    return STRATEGY_LABELS.get(name, name)


def scheme_label(name: str) -> str:
    """The label of a programming scheme (its name if unknown)."""
    return SCHEMES[name].label() if name in SCHEMES else name


def digital_label(name: str) -> str:
    """The digital hardware model in words.

    Parameters
    ----------
    name : str
        A name of :data:`fetrain.train.hardware.DIGITAL_MODELS`.

    Returns
    -------
    str
        Its description (the name itself if it has none).
    """
    return DIGITAL_LABELS.get(name, name)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by strategy (in the order of ``STRATEGIES``), then width."""
    rank = {s: k for k, s in enumerate(STRATEGIES)}
    key = frame["strategy"].map(lambda s: rank.get(s, len(rank)))
    return frame.assign(_o=key).sort_values(["_o", "width_s"]).drop(columns="_o")


# ---- tables ------------------------------------------------------------------------------------


def plan_lines(plan) -> list[str]:
    """What a sweep plan trains, in two lines for :meth:`fetrain.book.kit.Page.show`.

    Parameters
    ----------
    plan : SweepPlan
        The plan.

    Returns
    -------
    list of str
        Widths, strategies and schemes; seeds, epochs, evaluations, learning rate, target.
    """
    widths = ", ".join(format_width(t) for t in plan.widths_s)
    digits = "all training digits" if plan.n_train is None else f"{plan.n_train} training digits"
    return [f"widths {widths}; strategies {', '.join(plan.strategies)}; schemes "
            f"{', '.join(plan.schemes)} (the main one first)",
            f"{len(plan.seeds)} seed(s) for the main scheme, {len(plan.map_seeds)} for the "
            f"others; {plan.epochs} epoch(s), {plan.evaluations_per_epoch} evaluations per "
            f"epoch, {digits}; lr {plan.lr:g}; target {plan.target:.0%}"]


def width_table(per_width: pd.DataFrame):
    """What each width's device costs and does (:func:`fetrain.study.plan.width_figures`).

    Parameters
    ----------
    per_width : pandas.DataFrame
        One row per width (s, V, J, w units, ratios).

    Returns
    -------
    pandas.io.formats.style.Styler
        Width, amplitudes (V), energy per pulse (pJ), dw_min, asymmetry, w* and the energy per
        unit weight change relative to the shortest width.
    """
    p = per_width
    shown = pd.DataFrame({
        "pulse width": [format_width(t) for t in p["pulse_width_s"]],
        "set / reset amplitude (V)": [f"{a:.2f} / {b:.2f}" for a, b in
                                      zip(p["amplitude_set_V"], p["amplitude_reset_V"])],
        "E per pulse, study (pJ)": p["energy_per_pulse_study_J"] * 1e12,
        "E per pulse, complete (pJ)": p["energy_per_pulse_complete_J"] * 1e12,
        "dw_min": p["dw_min"],
        "up / down step at w = 0": p["up_over_down_at_0"],
        "w*": p["symmetry_point"],
        "E per |Δw| at w*, study (rel.)": p["energy_per_dw_study_relative"],
        "E per |Δw| at w*, complete (rel.)": p["energy_per_dw_complete_relative"]})
    return table(shown, {"E per pulse, study (pJ)": "{:,.2f}",
                         "E per pulse, complete (pJ)": "{:,.2f}", "dw_min": "{:.3f}",
                         "up / down step at w = 0": "{:.2f}", "w*": "{:+.2f}",
                         "E per |Δw| at w*, study (rel.)": "{:,.2f}",
                         "E per |Δw| at w*, complete (rel.)": "{:,.2f}"})


def parts_to_target_table(summ: pd.DataFrame, read_path: str = "low"):
    """Energy to target by part, per strategy and width, with the read path (means over the
    seeds; "not reached" unless every seed reached the target): the programmed devices, the
    lines and half-selected devices, mixed precision's digital work, the references, the read
    path under the setting ``read_path``, and the totals without and with it.

    Parameters
    ----------
    summ : pandas.DataFrame
        Per-run rows of one scheme (:func:`fetrain.study.tradeoff.summary`, J, epochs).
    read_path : str
        A name of :data:`fetrain.study.readpath.READ_PATH_MODELS`.

    Returns
    -------
    pandas.io.formats.style.Styler
        Strategy, width, seeds reaching, epochs and the parts (µJ).
    """
    read_col = f"read_path_{read_path}_to_target_J"
    rows = []
    for (strategy, width), g in summ.groupby(["strategy", "width_s"]):
        ok = bool(g["reached"].all())

        def mean(col):
            return float(g[col].mean()) * 1e6 if ok else np.nan

        lines = mean("line_charging_to_target_J") + mean("half_select_to_target_J")
        write = mean("total_to_target_J")
        rows.append({"strategy": strategy, "width_s": width,
                     "seeds reaching": f"{int(g['reached'].sum())} of {len(g)}",
                     "epochs": float(g["epochs_to_target"].mean()) if ok else np.nan,
                     "devices": mean("analog_complete_to_target_J"), "lines": lines,
                     "digital": mean("digital_to_target_J"),
                     "references": mean("references_to_target_J"),
                     f"read path ({read_path})": mean(read_col),
                     "total, write": write, "total, with read": write + mean(read_col)})
    a = _order(pd.DataFrame(rows))
    a.insert(0, "width", [format_width(t) for t in a.pop("width_s")])
    a.insert(0, "strategy", [strategy_label(s) for s in a.pop("strategy")])
    energy = {c: "{:,.0f}" for c in a.columns[4:]}
    return table(a, {"epochs": "{:.2g}", **energy}, na_rep="not reached")


def to_target_table(agg: pd.DataFrame):
    """Epochs, pulses and energy at the first evaluation that reached the target, per strategy
    and width (means over seeds; "not reached" unless every seed reached it).

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` of one scheme's runs (J, counts, fractions).

    Returns
    -------
    pandas.io.formats.style.Styler
        Strategy, width, seeds reaching, epochs, pulses (millions), the study's V·I·t and the
        total (µJ), final accuracy (%).
    """
    a = _order(agg)
    shown = pd.DataFrame({
        "strategy": [strategy_label(s) for s in a["strategy"]],
        "width": [format_width(t) for t in a["width_s"]],
        "seeds reaching": [f"{int(r)} of {int(n)}" for r, n in zip(a["seeds_reached"],
                                                                    a["seeds"])],
        "epochs": a["epochs_to_target"],
        "pulses (M)": a["pulses_to_target"] * 1e-6,
        "study V·I·t (µJ)": a["analog_study_to_target_J"] * 1e6,
        "total (µJ)": a["total_to_target_J"] * 1e6,
        "final accuracy (%)": a["final_accuracy"] * 100})
    return table(shown, {"epochs": "{:.2g}", "pulses (M)": "{:.2f}",
                         "study V·I·t (µJ)": "{:,.1f}", "total (µJ)": "{:,.0f}",
                         "final accuracy (%)": "{:.1f}"}, na_rep="not reached")


def shares_table(shares: pd.DataFrame):
    """Each energy part's share of the total energy to target, in %
    (:func:`fetrain.study.tradeoff.part_shares`).

    Parameters
    ----------
    shares : pandas.DataFrame
        Shares as fractions, one row per configuration that reached the target.

    Returns
    -------
    pandas.io.formats.style.Styler
        Width, strategy, one column per part (%).
    """
    from ..study.tradeoff import PART_LABELS, PARTS

    parts = [p for p in PARTS if p in shares.columns]
    s = shares.sort_values(["width_s", "strategy"], key=lambda c: c.map(
        {n: k for k, n in enumerate(STRATEGIES)}) if c.name == "strategy" else c)
    shown = pd.DataFrame({"width": [format_width(t) for t in s["width_s"]],
                          "strategy": [strategy_label(x) for x in s["strategy"]],
                          **{PART_LABELS[p]: s[p] * 100 for p in parts}})
    return table(shown, {PART_LABELS[p]: "{:.1f}" for p in parts})


def ranking_table(ranking: pd.DataFrame):
    """The strategies ranked by total energy to target at each width, under each digital
    hardware model (:func:`fetrain.study.tradeoff.ranking_by_digital`).

    Parameters
    ----------
    ranking : pandas.DataFrame
        One row per (digital model, width); energies in J.

    Returns
    -------
    pandas.io.formats.style.Styler
        Digital model, width, the ranking, mixed precision's total (µJ).
    """
    shown = pd.DataFrame({
        "digital model": ranking["digital"],
        "width": [format_width(t) for t in ranking["width_s"]],
        "ranking (least total energy first)": [" < ".join(strategy_label(s) for s in r)
                                               or "none reached" for r in ranking["ranking"]],
        "mixed precision (µJ)": ranking["mp_total_to_target_J"] * 1e6})
    return table(shown, {"mixed precision (µJ)": "{:,.1f}"}, na_rep="not reached")


def schemes_table(devices: dict):
    """The device each programming scheme gives every width: amplitudes, dw_min, symmetry point
    and the energy per unit weight change relative to the shortest width (complete form).

    Parameters
    ----------
    devices : dict of str to pandas.DataFrame
        :func:`fetrain.study.plan.width_figures` by scheme name.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per (scheme, width).
    """
    rows = []
    for name, f in devices.items():
        for r in f.itertuples():
            rows.append({"scheme": scheme_label(name), "width": format_width(r.pulse_width_s),
                         "set / reset (V)": f"{r.amplitude_set_V:.2f} / "
                                            f"{r.amplitude_reset_V:.2f}",
                         "dw_min": r.dw_min, "w*": r.symmetry_point,
                         "E per |Δw| at w*, complete (rel. to the shortest)":
                             r.energy_per_dw_complete_relative})
    return table(pd.DataFrame(rows), {"dw_min": "{:.4f}", "w*": "{:+.2f}",
                                      "E per |Δw| at w*, complete (rel. to the shortest)":
                                          "{:,.2f}"})


# ---- sentences for the prose ---------------------------------------------------------------------


def epochs_text(agg: pd.DataFrame, strategy: str, width_s: float) -> str:
    """Epochs to target of one configuration, as the prose says it: ``2.8 epochs``, or ``not
    reached (1 of 2 seeds)``.

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` of one scheme's runs.
    strategy : str
        The strategy.
    width_s : float
        The width (s).

    Returns
    -------
    str
        The words.
    """
    r = agg[(agg["strategy"] == strategy) & np.isclose(agg["width_s"], width_s)]
    if r.empty:
        return "not run"
    r = r.iloc[0]
    if r["reached"]:
        return f"{r['epochs_to_target']:.2g} epochs"
    return f"not reached ({int(r['seeds_reached'])} of {int(r['seeds'])} seeds)"


def counts_text(record: pd.DataFrame, key: str) -> str:
    """How the shortest width fares on the map for one strategy or scheme
    (:func:`fetrain.study.tradeoff.shortest_width_record`): ``4 clear wins, 1 near tie, 0
    losses of 5 cells``.

    Parameters
    ----------
    record : pandas.DataFrame
        The counts, indexed by strategy or scheme.
    key : str
        The strategy or scheme.

    Returns
    -------
    str
        The words (``not run at this scale`` if the key has no cells).
    """
    if key not in record.index:
        return "not run at this scale"
    r = record.loc[key]
    return (f"{r['wins']} clear wins, {r['ties']} near ties, {r['losses']} losses of "
            f"{r['cells']} cells")


def flips_text(flips: pd.DataFrame) -> str:
    """Where a width-independent cost per pulse changes the winner
    (:func:`fetrain.study.tradeoff.winner_flips`), as one sentence.

    Parameters
    ----------
    flips : pandas.DataFrame
        The flips (widths in s, costs in J).

    Returns
    -------
    str
        ``plain SGD under …, from 20 ns to 200 ns at 2 pJ; …`` or ``nowhere on this map``.
    """
    if flips.empty:
        return "nowhere on this map"
    return "; ".join(f"{strategy_label(r.strategy)} under {scheme_label(r.scheme)}, from "
                     f"{format_width(r.from_width_s)} to {format_width(r.to_width_s)} at "
                     f"{r.fixed_per_pulse_J * 1e12:g} pJ" for r in flips.itertuples())


def winner_text(win: pd.DataFrame, strategy: str, scheme: str, fixed_J: float = 0.0) -> str:
    """The winner of one cell of the map, as the prose says it: ``20 ns``, ``200 ns (a near tie
    with 20 ns)``, ``no width reached the target`` or ``not run``.

    Parameters
    ----------
    win : pandas.DataFrame
        :func:`fetrain.study.tradeoff.win_map` for one digital hardware model.
    strategy, scheme : str
        The cell's strategy and scheme.
    fixed_J : float
        The cell's width-independent cost per pulse (J).

    Returns
    -------
    str
        The words.
    """
    cell = win[(win["strategy"] == strategy) & (win["scheme"] == scheme)
               & np.isclose(win["fixed_per_pulse_J"], fixed_J, rtol=0, atol=1e-18)]
    if cell.empty:
        return "not run"
    cell = cell.iloc[0]
    if not np.isfinite(cell["winner_width_s"]):
        return "no width reached the target"
    tie = (f" (a near tie with {format_width(cell['runner_up_width_s'])})"
           if cell["tie"] else "")
    return format_width(cell["winner_width_s"]) + tie


def winners_text(win: pd.DataFrame, scheme: str, strategies) -> str:
    """The winner of every strategy under one scheme without a fixed cost per pulse:
    ``plain SGD: 200 ns; symmetry point shifting: 20 ns; …``.

    Parameters
    ----------
    win : pandas.DataFrame
        :func:`fetrain.study.tradeoff.win_map` for one digital hardware model.
    scheme : str
        The scheme.
    strategies : sequence of str
        The strategies, in order.

    Returns
    -------
    str
        The words.
    """
    return "; ".join(f"{strategy_label(s)}: {winner_text(win, s, scheme)}" for s in strategies)


def long_wins_text(win: pd.DataFrame, from_s: float = 2e-6) -> str:
    """Where a width of ``from_s`` or longer wins anywhere on the map: ``nowhere on the map`` or
    ``only with … under …``.

    Parameters
    ----------
    win : pandas.DataFrame
        :func:`fetrain.study.tradeoff.win_map`.
    from_s : float
        The shortest of the long widths (s).

    Returns
    -------
    str
        The words.
    """
    long = win[win["winner_width_s"] >= from_s].drop_duplicates(["strategy", "scheme"])
    if long.empty:
        return "nowhere on the map"
    return "only " + "; ".join(f"with {strategy_label(r.strategy)} under "
                               f"{scheme_label(r.scheme)}" for r in long.itertuples())


def front_text(front: pd.DataFrame) -> str:
    """The configurations on the accuracy–energy Pareto front, in the order they appear on it.

    Parameters
    ----------
    front : pandas.DataFrame
        :func:`fetrain.study.tradeoff.pareto_front` (``width_s`` in s).

    Returns
    -------
    str
        ``symmetry point shifting at 200 ns, …``.
    """
    members = front.drop_duplicates(["width_s", "strategy"])
    return ", ".join(f"{strategy_label(r.strategy)} at {format_width(r.width_s)}"
                     for r in members.itertuples())


def stalled_text(stalled: pd.DataFrame, devices: dict) -> str:
    """The configurations whose runs end near chance, with their devices' step and asymmetry.

    Parameters
    ----------
    stalled : pandas.DataFrame
        :func:`fetrain.study.tradeoff.stalled` (``width_s`` in s).
    devices : dict of str to pandas.DataFrame
        :func:`fetrain.study.plan.width_figures` by scheme name.

    Returns
    -------
    str
        One clause per configuration, or ``none``.
    """
    parts = []
    for r in stalled.itertuples():
        f = devices.get(r.scheme)
        d = None if f is None else f[np.isclose(f["pulse_width_s"], r.width_s)]
        device = ("" if d is None or d.empty else f" (dw_min {d['dw_min'].iloc[0]:.4f}, up/down "
                  f"step at w = 0 {d['up_over_down_at_0'].iloc[0]:.1f})")
        parts.append(f"{strategy_label(r.strategy)} at {format_width(r.width_s)} under "
                     f"{scheme_label(r.scheme)}{device}")
    return "; ".join(parts) or "none"


def provenance(record: dict, own: bool) -> str:
    """Where a results folder's tables come from, in one sentence: the command, data, plan and
    code (fields a record lacks are left out; an older record has no ``engine``).

    Parameters
    ----------
    record : dict
        The folder's ``plan.json``.
    own : bool
        Whether the reader made it (else it ships with fetrain).

    Returns
    -------
    str
        The sentence.
    """
    p = record.get("plan", {})
    scale = p.get("scale", "?")
    where = "your own run" if own else "shipped with fetrain"
    data = p.get("data", "embedded")
    command = f"fetrain reproduce --scale {scale}" + (f" --data {data}" if data != "embedded"
                                                       else "")
    tuned = bool(p.get("cell_settings"))
    if tuned != (data != "embedded"):           # not the data set's default settings
        command += " --settings " + ("tuned" if tuned else "fixed")
    strategies = list(p.get("strategies", ()))
    if strategies and len(strategies) < len(STRATEGY_LABELS):
        command += " --algorithms " + ",".join(strategies)
    bits = [f"{where}: {command}", record.get("data_set", "data set ?")]
    if "seeds" in p:
        bits.append(f"{len(p['seeds'])} seeds"
                    + (f" (map: {len(p.get('map_seeds', ()))})" if len(p.get("schemes", ())) > 1
                       else "") + ", "
                    f"{p.get('epochs', '?')} epochs, {p.get('evaluations_per_epoch', '?')} "
                    f"evaluations per epoch")
    code = [f"{k} {record[k]}" for k in ("fetrain_version", "code", "engine") if record.get(k)]
    if code:
        bits.append(", ".join(code).replace("fetrain_version", "fetrain"))
    return "; ".join(bits)


def below_target_text(agg: pd.DataFrame, target: float) -> str:
    """The configurations that reach the target and end below it (mean final test accuracy under
    the target), said plainly; '' when there are none.

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` rows.
    target : float
        The target (fraction).

    Returns
    -------
    str
        A sentence, or ''.
    """
    rows = agg[agg["reached"] & (agg["final_accuracy"] < target)]
    if rows.empty:
        return ""
    cases = "; ".join(f"{strategy_label(r.strategy)} at {format_width(r.width_s)} (reached at "
                      f"{r.epochs_to_target:g} epochs, {r.final_accuracy * 100:.1f}% at the end)"
                      for r in rows.itertuples())
    return (f"Reaching the target is not staying there: these configurations cross it and end "
            f"their runs below it, in test accuracy — {cases}. Their energy to target is the "
            f"energy of a crossing.")


def glance_text(win: pd.DataFrame, scheme: str, strategies, target: float) -> str:
    """Chapter 6's results box: the winners under the main scheme and the shortest width's
    record over the map's cells (wins, near ties, losses), from :func:`fetrain.study.tradeoff.win_map`.
    """
    from ..study.tradeoff import shortest_width_totals

    wins, ties, losses = shortest_width_totals(win)
    if not win["winner_width_s"].notna().any():
        return "No configuration reached the target at this scale: there is nothing to read."
    return (f"Under the embedded data set's programming scheme, the least energy to the "
            f"{target * 100:.0f}% target is reached by — {winners_text(win, scheme, strategies)}. "
            f"Over all {len(win)} cells of the map (strategies × schemes × costs per pulse), the "
            f"shortest width wins {wins}, is in a near tie in {ties} and loses {losses}.")


def reach_text(agg: pd.DataFrame) -> str:
    """Which configurations reach the target with every seed, with some, and with none, as the
    prose says it (strategies in order, widths ascending).

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` rows of one scheme.

    Returns
    -------
    str
        Up to three clauses joined by semicolons.
    """
    a = _order(agg)
    groups = {"every seed": a[a["seeds_reached"] == a["seeds"]],
              "some seeds": a[(a["seeds_reached"] > 0) & (a["seeds_reached"] < a["seeds"])],
              "no seed": a[a["seeds_reached"] == 0]}
    clauses = []
    for name, rows in groups.items():
        if rows.empty:
            continue
        parts = []
        for s, g in rows.groupby("strategy", sort=False):
            widths = ", ".join(format_width(t) for t in g["width_s"])
            if name == "no seed":
                acc = g["final_accuracy"] * 100
                widths += f" (final test accuracy {acc.min():.1f}–{acc.max():.1f}%)"
            elif name == "every seed":
                widths += f" ({g['epochs_to_target'].min():.2g}–{g['epochs_to_target'].max():.2g}" \
                          " epochs)"
            parts.append(f"{strategy_label(s)} at {widths}")
        clauses.append(f"reached by {name}: " + "; ".join(parts))
    return "; ".join(clauses)


def duration_text(record: dict) -> str:
    """How long a sweep's runs took to train, from its plan record (``training_seconds``):
    ``about 35 minutes``; ``an unrecorded time`` for a record without it."""
    seconds = record.get("training_seconds")
    if not seconds:
        return "an unrecorded time"
    minutes = seconds / 60
    return f"about {minutes:.0f} minutes" if minutes < 120 else f"about {minutes / 60:.1f} hours"


def cheapest_at(curves: pd.DataFrame, target: float) -> pd.Series | None:
    """The configuration (strategy and width) with the least mean total energy to ``target`` among
    those every seed of which reached it, from an energy-against-target table; None if none did.

    Parameters
    ----------
    curves : pandas.DataFrame
        :func:`fetrain.study.tradeoff.energy_curves` rows (J, fractions).
    target : float
        The target (fraction).

    Returns
    -------
    pandas.Series or None
        ``strategy``, ``width_s`` (s) and ``energy_J`` (J, mean over seeds).
    """
    at = curves[np.isclose(curves["target"], target)]
    per = at.groupby(["strategy", "width_s"]).agg(energy_J=("total_to_target_J", "mean"),
                                                  ok=("reached", "all")).reset_index()
    per = per[per["ok"]].sort_values("energy_J")
    return None if per.empty else per.iloc[0]


def cheapest_text(curves: pd.DataFrame, target: float) -> str:
    """:func:`cheapest_at` in words: ``symmetry point shifting (global w*) at 20 ns, 0.61 mJ``."""
    best = cheapest_at(curves, target)
    if best is None:
        return f"no configuration reaches {target * 100:g}% with every seed"
    return (f"{strategy_label(best['strategy'])} at {format_width(best['width_s'])}, "
            f"{best['energy_J'] * 1e3:.3g} mJ")


def family_table(winners: pd.DataFrame):
    """Where each family wins (:func:`fetrain.study.transfer.family_winners`), energies in µJ.

    Parameters
    ----------
    winners : pandas.DataFrame
        One row per width (J, dimensionless ratios).

    Returns
    -------
    pandas.io.formats.style.Styler
        Width, the cheapest strategy of each family and its energy, the winner, and the best
        transfer algorithm over the best other family with its interval.
    """
    from ..study.transfer import FAMILIES

    families = list(dict.fromkeys(FAMILIES.values()))

    def named(s):
        return strategy_label(s) if isinstance(s, str) else "—"

    shown = pd.DataFrame({"width": [format_width(t) for t in winners["width_s"]]})
    for f in families:
        shown[f"{f} (µJ)"] = [f"{named(s)}: {e * 1e6:,.0f}" if np.isfinite(e) else
                              f"{named(s)}: not reached"
                              for s, e in zip(winners[f"best_{f}"], winners[f"{f}_J"])]
    shown["cheapest"] = [named(s) for s in winners["winner"]]
    shown["best transfer / best other"] = [
        "—" if not np.isfinite(r) and not np.isinf(r) else
        ("not reached" if np.isinf(r) else f"{r:.2f} [{lo:.2f}–{hi:.2f}]")
        for r, lo, hi in zip(winners["transfer_over_best_other"], winners["low"],
                             winners["high"])]
    return table(shown)


def chosen_table(chosen: pd.DataFrame):
    """A tuning's chosen setting per cell (:func:`fetrain.study.tune.load_tuning`'s ``chosen``):
    width, strategy, feasible trials, the chosen values and their energy to target (µJ).

    Parameters
    ----------
    chosen : pandas.DataFrame
        One row per cell (``param_<name>`` columns; energy in J).

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    params = [c for c in chosen.columns if c.startswith("param_")]
    shown = pd.DataFrame({"width": [format_width(t) for t in chosen["width_s"]],
                          "strategy": [strategy_label(s) for s in chosen["strategy"]],
                          "feasible trials": [f"{int(f)} of {int(n)}" for f, n in
                                              zip(chosen["feasible_trials"], chosen["trials"])]})
    for c in params:
        shown[c.removeprefix("param_")] = chosen[c].where(chosen["chosen"].astype(bool))
    shown["energy (µJ)"] = chosen["energy_J"] * 1e6
    return table(shown, {**{c.removeprefix("param_"): "{:.3g}" for c in params},
                         "energy (µJ)": "{:,.0f}"}, na_rep="—")
