"""Tables, figures and sentences of Chapter 7 (how sure the answer is) and of the introduction's
answer box: the read path per sample, how the ratio of two widths moves with each reading, the
landscape of a tuning study, the fixed and the tuned maps side by side.

They take the plain data of :mod:`fetrain.study.readpath`, :mod:`fetrain.study.choices`,
:mod:`fetrain.study.confidence` and :mod:`fetrain.study.tune` (SI units) and show them in the
book's units (ns, nJ, µJ); they compute nothing the data do not hold.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..common.display import format_width
from ..study.choices import CHOICES, TUNED_LABELS
from .style import width_colour
from .sweep_figures import (
    STRATEGY_LABELS,
    PlanView,
    _finish,
    _message_figure,
    plot_answer_map,
    width_legend,
)
from .sweep_tables import scheme_label, strategy_label
from .tables import table

PART_NAMES = {"array": "array (V²·G·t)", "lines": "lines (C·V² + driver)",
              "conversions": "conversions", "activations": "activations",
              "random_bits": "random bits", "total": "total"}


def read_path_table(per_sample: pd.DataFrame):
    """The read path's energy per training sample, by part (nJ).

    Parameters
    ----------
    per_sample : pandas.DataFrame
        :func:`fetrain.study.readpath.per_sample_table` rows (J per sample).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width, strategy and setting.
    """
    f = per_sample.copy()
    out = pd.DataFrame({"width": f["width_s"].map(format_width),
                        "strategy": f["strategy"].map(strategy_label), "setting": f["setting"]})
    for part, name in PART_NAMES.items():
        out[f"{name} (nJ)"] = f[part] * 1e9
    return table(out, {c: "{:.3g}" for c in out.columns if c.endswith("(nJ)")})


def _interval(row) -> str:
    if not np.isfinite(row["ratio"]):
        return "–"
    if row["high"] <= row["low"]:
        return "one seed: none"
    high = "∞" if not np.isfinite(row["high"]) else f"{row['high']:.2f}"
    return f"{row['low']:.2f} – {high}"


def moves_table(moves: pd.DataFrame, numerator_s: float, denominator_s: float):
    """How the ratio of two widths' energy to target moves with each reading (one row per
    reading and strategy), with its interval over seeds and the verdict it gives.

    Parameters
    ----------
    moves : pandas.DataFrame
        :func:`fetrain.study.choices.ratio_moves` rows, with a ``scale`` column.
    numerator_s, denominator_s : float
        The widths (s).

    Returns
    -------
    pandas.io.formats.style.Styler
        The table.
    """
    a, b = format_width(numerator_s), format_width(denominator_s)
    out = pd.DataFrame({
        "reading": moves["label"], "strategy": moves["strategy"].map(strategy_label),
        "scale (seeds)": [f"{s} ({n})" for s, n in zip(moves["scale"], moves["seeds_numerator"])],
        f"{a} / {b}": moves["ratio"], "95% interval": moves.apply(_interval, axis=1),
        f"{a} …": moves["verdict"]})
    return table(out, {f"{a} / {b}": "{:.2f}"}, widths=["32%", "20%", "12%", "11%", "14%", "11%"],
                 na_rep="–")


#: Short names of the readings, for sentences.
SHORT_READINGS = {"validation": "the book's rule", "test-split": "test-split judging",
                  "read-low": "the low read path", "read-high": "the high read path",
                  "target-80": "an 80% target", "tuned": "tuning",
                  "tuned-read-low": "tuning with the low read path",
                  "aihwkit": "AIHWKit's own training"}


def verdict_text(moves: pd.DataFrame, numerator_s: float, denominator_s: float) -> str:
    """The verdict in words, one sentence per strategy: the verdict most readings give, and the
    readings (and scales) that give another — those are the choices that flip it.

    Parameters
    ----------
    moves : pandas.DataFrame
        :func:`fetrain.study.choices.ratio_moves` rows, with ``scale``.
    numerator_s, denominator_s : float
        The widths (s).

    Returns
    -------
    str
        The sentences.
    """
    a, b = format_width(numerator_s), format_width(denominator_s)
    words = {"wins": f"{a} wins", "loses": f"{b} wins", "open": "no verdict (the interval holds 1)",
             "not reached": f"{a} does not reach the target"}
    sentences = []
    order = [s for s in STRATEGY_LABELS if s in set(moves["strategy"])]
    for strategy in order:
        rows = moves[moves["strategy"] == strategy]
        counts = rows["verdict"].value_counts()
        major = counts.index[0]
        text = f"With {strategy_label(strategy)}, {words[major]} in {counts.iloc[0]} of {len(rows)}"
        others = rows[rows["verdict"] != major]
        if len(others):
            text += " readings; " + "; ".join(
                f"{words[r.verdict]} under {SHORT_READINGS.get(r.choice, r.choice)} ({r.scale})"
                for r in others.itertuples())
        else:
            text += " readings, whatever the choice"
        sentences.append(text + ".")
    return " ".join(sentences) if sentences else "No reading holds both widths."


def landscape_figure(trials: pd.DataFrame, chosen: pd.DataFrame, scheme: str, strategy: str,
                     title: str = ""):
    """The landscape of a tuning study: each trial's learning rate and bit length, coloured by
    its energy to target (µJ, log scale); infeasible trials (a tuning seed missed the target) as
    grey crosses; the chosen setting ringed. One panel per width.

    Parameters
    ----------
    trials, chosen : pandas.DataFrame
        :func:`fetrain.study.tune.trials_table` and :func:`fetrain.study.tune.chosen_table`.
    scheme, strategy : str
        The cells drawn.
    title : str
        A title above the panels.

    Returns
    -------
    matplotlib.figure.Figure
        Bit length (slots) against learning rate, per width.
    """
    from matplotlib.colors import LogNorm

    t = trials[(trials["scheme"] == scheme) & (trials["strategy"] == strategy)]
    widths = sorted(t["width_s"].unique())
    if t.empty or "param_desired_bl" not in t:
        return _message_figure("no trial of a pulse-train strategy to draw", {}, title)
    ok = t[t["feasible"]]
    norm = (LogNorm(ok["energy_J"].min() * 1e6, ok["energy_J"].max() * 1e6) if len(ok) > 1
            and ok["energy_J"].max() > ok["energy_J"].min() else None)
    fig, axes = plt.subplots(1, len(widths), figsize=(3.6 * len(widths) + 0.8, 3.2),
                             sharey=True, squeeze=False, layout="constrained")
    points = None
    for ax, w in zip(axes[0], widths):
        g = t[t["width_s"] == w]
        bad = g[~g["feasible"]]
        good = g[g["feasible"]]
        ax.scatter(bad["param_lr"], bad["param_desired_bl"], marker="x", color="0.6", s=22,
                   label="missed the target")
        if len(good):
            points = ax.scatter(good["param_lr"], good["param_desired_bl"],
                                c=good["energy_J"] * 1e6, cmap="viridis", norm=norm, s=30,
                                edgecolors="k", linewidths=0.3)
        c = chosen[(chosen["scheme"] == scheme) & (chosen["strategy"] == strategy)
                   & (chosen["width_s"] == w) & chosen["chosen"]]
        if len(c):
            ax.scatter(c["param_lr"], c["param_desired_bl"], s=160, facecolors="none",
                       edgecolors="firebrick", linewidths=1.4, label="chosen")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate")
        ax.set_title(format_width(w))
    axes[0][0].set_ylabel("bit length (slots per sample)")
    axes[0][0].legend(fontsize=7, loc="lower left")
    if points is not None:
        fig.colorbar(points, ax=list(axes[0]), label="energy to target (µJ)")
    if title:
        fig.suptitle(title, fontsize=9)
    return fig


def fixed_and_tuned_figure(fixed_win, fixed_ratios, tuned_win, tuned_ratios, plan):
    """The map of :func:`fetrain.book.sweep_figures.plot_answer_map` for fixed settings (top row)
    and for each width tuned on the validation split (bottom row), drawn by the same code with
    the same colours.

    Returns
    -------
    matplotlib.figure.Figure
        Two rows of panels, one panel per strategy.
    """
    v = PlanView.of(plan)
    strategies = [s for s in v.strategies if s in set(fixed_win["strategy"])
                  | set(tuned_win["strategy"])]
    fig, axes = plt.subplots(2, len(strategies), figsize=(2.25 * len(strategies) + 1.2, 6.2),
                             sharey=True, squeeze=False)
    for row, (win, ratios, what) in enumerate(((fixed_win, fixed_ratios, "fixed"),
                                               (tuned_win, tuned_ratios, "tuned"))):
        for ax, s in zip(axes[row], strategies):
            label = STRATEGY_LABELS.get(s, s).replace(" (", "\n(")
            if s not in set(win["strategy"]):
                ax.set_axis_off()
                ax.text(0.5, 0.5, f"not {what} separately:\nthe tuning of symmetry\npoint "
                        "shifting chooses\nits variant", ha="center", va="center", fontsize=8,
                        transform=ax.transAxes)
                continue
            plot_answer_map(win, ratios, s, list(v.schemes), v.widths_s, ax=ax,
                            title=f"{what}: {label}")
    _finish(fig, plan)
    width_legend(fig, v.widths_s)
    fig.subplots_adjust(bottom=0.15, hspace=0.45)
    return fig


def reading_labels() -> dict[str, str]:
    """Every reading's label, by name (the choices and the tuned readings)."""
    return {c.name: c.label for c in CHOICES} | TUNED_LABELS


def width_colours(widths) -> dict:
    """The colour of each width (as every figure of the book draws it), by width (s)."""
    return {float(w): width_colour(w, widths) for w in widths}


def tuning_provenance(record: dict) -> str:
    """Where a tuning's tables come from, in one sentence: the command, plan, code and time."""
    p = record.get("plan", {})
    sec = record.get("seconds", {})
    bits = [f"fetrain tune --scale {p.get('scale', '?')}",
            f"{p.get('trials', '?')} trials per cell, tuning seeds {p.get('tuning_seeds', '?')}, "
            f"fresh seeds {p.get('retrain_seeds', '?')}, {p.get('epochs', '?')} epochs, "
            f"read path {p.get('read_path', '?')}"]
    if record.get("engine"):
        bits.append(f"engine {record['engine']}")
    if sec:
        bits.append(f"{sec.get('trials_count', '?')} trials in {sec.get('trials', 0) / 60:.0f} min "
                    f"({sec.get('per_trial', 0):.1f} s each), retraining "
                    f"{sec.get('retrained', 0) / 60:.0f} min of engine time")
    return "; ".join(bits)


def chosen_table(chosen: pd.DataFrame, scheme: str):
    """The chosen setting of every width and strategy under one scheme.

    Parameters
    ----------
    chosen : pandas.DataFrame
        :func:`fetrain.study.tune.chosen_table` rows.
    scheme : str
        The programming scheme shown.

    Returns
    -------
    pandas.io.formats.style.Styler
        Width, strategy, feasible trials, learning rate, bit length, threshold, transfer interval,
        variant and the tuning's own energy to target (µJ).
    """
    c = chosen[chosen["scheme"] == scheme].sort_values(["strategy", "width_s"])
    out = pd.DataFrame({"width": c["width_s"].map(format_width),
                        "strategy": c["strategy"].map(strategy_label),
                        "feasible trials": [f"{f} of {n}" for f, n in
                                            zip(c["feasible_trials"], c["trials"])]})
    for col, name in (("param_lr", "lr"), ("param_desired_bl", "bit length"),
                      ("param_threshold", "threshold (dw_min)"),
                      ("param_transfer_every", "transfer every"),
                      ("param_reference", "variant")):
        if col in c:
            out[name] = c[col].to_numpy()
    out["tuning's E (µJ)"] = c["energy_J"].to_numpy() * 1e6
    if "variant" in out:
        out["variant"] = out["variant"].map(lambda v: {"symmetry_point": "per device",
                                                       "global_symmetry_point": "global w*"}
                                            .get(v, "") if isinstance(v, str) else "")
    return table(out, {"lr": "{:.3g}", "bit length": "{:.0f}", "threshold (dw_min)": "{:.2f}",
                       "transfer every": "{:.0f}", "tuning's E (µJ)": "{:.3g}"}, na_rep="")


def changed_winners(fixed: pd.DataFrame, tuned: pd.DataFrame) -> list[tuple[str, str]]:
    """The (strategy, scheme) cells, held by both maps (no width-independent cost per pulse),
    whose winner differs between ``fixed`` and ``tuned`` (rows of
    :func:`fetrain.study.tradeoff.rank_widths`); a cell that no width reaches in one map and some width in the other
    counts as changed."""
    f = fixed[fixed["fixed_per_pulse_J"] == 0].set_index(["strategy", "scheme"])
    t = tuned[tuned["fixed_per_pulse_J"] == 0].set_index(["strategy", "scheme"])
    out = []
    for key in f.index.intersection(t.index):
        a, b = f.loc[key, "winner_width_s"], t.loc[key, "winner_width_s"]
        if not (a == b or (np.isnan(a) and np.isnan(b))):
            out.append(key)
    return out


def tuned_map_text(fixed: pd.DataFrame, tuned: pd.DataFrame) -> str:
    """What tuning changed on the map (cells at no width-independent cost): how many cells change
    their winner, and the shortest width's record (wins, near ties, losses) before and after.

    Parameters
    ----------
    fixed, tuned : pandas.DataFrame
        :func:`fetrain.study.tradeoff.rank_widths` rows of the fixed and the tuned settings.

    Returns
    -------
    str
        Two sentences.
    """
    f = fixed[fixed["fixed_per_pulse_J"] == 0].set_index(["strategy", "scheme"])
    t = tuned[tuned["fixed_per_pulse_J"] == 0].set_index(["strategy", "scheme"])
    common = f.index.intersection(t.index)
    from ..study.tradeoff import shortest_width_totals

    changed = changed_winners(fixed, tuned)
    fw, ft, fl = shortest_width_totals(f.loc[common].reset_index())
    tw, tt, tl = shortest_width_totals(t.loc[common].reset_index())
    cells = ", ".join(f"{strategy_label(s)} under {scheme_label(n)}" for s, n in changed) or "none"
    return (f"Of the {len(common)} cells both maps hold, {len(changed)} change their winner when "
            f"every width is tuned ({cells}). The shortest width wins {fw}, ties {ft} and loses "
            f"{fl} of them with fixed settings; {tw}, {tt} and {tl} tuned.")


def stack_moves(energies: dict, numerator_s: float, denominator_s: float,
                scheme: str) -> pd.DataFrame:
    """:func:`fetrain.study.choices.ratio_moves` of several sources, one ``scale`` label each
    (e.g. the page's live sweep, the shipped paper sweep, the shipped tuning), stacked."""
    from ..study.choices import ratio_moves

    frames = [ratio_moves(e, numerator_s, denominator_s, scheme).assign(scale=label)
              for label, e in energies.items() if len(e)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["choice", "strategy", "ratio", "low", "high", "seeds_numerator",
                 "seeds_denominator", "label", "verdict", "scale"])


def ratio_spread(moves: pd.DataFrame) -> tuple[float, float]:
    """The smallest and largest finite, non-zero ratio of a stack of readings (NaN, NaN if
    none)."""
    r = moves["ratio"][np.isfinite(moves["ratio"]) & (moves["ratio"] > 0)]
    return (float(r.min()), float(r.max())) if len(r) else (np.nan, np.nan)


def ratio_words(row, a: str = "20 ns", b: str = "200 ns") -> str:
    """One reading in plain words: the ratio, its interval and who wins (a row of
    :func:`fetrain.study.choices.ratio_moves`)."""
    if row is None:
        return "not computed at this scale"
    if row["verdict"] == "not reached":
        return f"{a} does not reach the target"
    if not np.isfinite(row["ratio"]) or row["ratio"] == 0:
        return f"{b} does not reach the target and {a} does"
    interval = (f" (95% interval {row['low']:.2f}–{row['high']:.2f})"
                if np.isfinite(row["high"]) and row["high"] > row["low"] else "")
    who = {"wins": f"{a} wins", "loses": f"{b} wins", "open": "too close to call"}[row["verdict"]]
    return f"{a} needs {row['ratio']:.2f}× the energy of {b}{interval}: {who}"


def answer_glue(moves: pd.DataFrame, tuned_moves: pd.DataFrame) -> dict:
    """The introduction's answer box, as glue values: one sentence per strategy under the low
    read path, what an 80% target does to plain SGD, which strategies the high read path turns
    against 20 ns, and what tuning gives (the paper-scale tuning's retrained runs).

    Parameters
    ----------
    moves : pandas.DataFrame
        :func:`fetrain.study.choices.ratio_moves` of the page's sweep.
    tuned_moves : pandas.DataFrame
        The same of the tuning's retrained runs.

    Returns
    -------
    dict of str to str
        ``ans_<strategy>``, ``ans_80``, ``ans_high`` and ``ans_tuned``.
    """
    def row(frame, choice, strategy):
        r = frame[(frame["choice"] == choice) & (frame["strategy"] == strategy)]
        return r.iloc[0] if len(r) else None

    strategies = list(dict.fromkeys(moves["strategy"])) if len(moves) else []
    out = {f"ans_{s}": ratio_words(row(moves, "read-low", s)) for s in
           ("sgd", "sps", "sps-global", "mp")}
    r80 = row(moves, "target-80", "sgd")
    out["ans_80"] = ("is not computed at this scale" if r80 is None else
                     "does not reach it" if r80["verdict"] == "not reached" else
                     "reaches it: " + ratio_words(r80))
    flipped = [strategy_label(s) for s in strategies
               if row(moves, "read-low", s) is not None and row(moves, "read-high", s) is not None
               and row(moves, "read-low", s)["verdict"] != "loses"
               and row(moves, "read-high", s)["verdict"] == "loses"]
    out["ans_high"] = (f"200 ns wins with {', '.join(flipped)} as well" if flipped else
                       "no strategy changes sides")
    tuned = [f"{strategy_label(s)}: {ratio_words(row(tuned_moves, 'tuned-read-low', s))}"
             for s in dict.fromkeys(tuned_moves["strategy"])] if len(tuned_moves) else []
    out["ans_tuned"] = ("; ".join(tuned) if tuned else "not available")
    return out


def unreached_text(chosen: pd.DataFrame) -> str:
    """The cells where no trial of the tuning reached the target, in words (the device, not the
    settings, is then what stops them, within the search space)."""
    bad = chosen[~chosen["chosen"]]
    if bad.empty:
        return "Every cell has a setting that reaches the target."
    cases = "; ".join(f"{strategy_label(r.strategy)} at {format_width(r.width_s)} under "
                      f"{scheme_label(r.scheme)}" for r in bad.itertuples())
    return (f"In {len(bad)} of {len(chosen)} cells no trial reached the target, whatever its "
            f"learning rate and bit length: {cases}. There the device stops training, not a "
            f"badly chosen setting.")


#: AIHWKit's plain-SGD runs of Chapter 7, by width (s): names of
#: :data:`fetrain.study.crosscheck.CROSS_CHECKS`, shipped in ``fetrain/data/crosscheck``.
AIHWKIT_RUNS = {20e-9: "ch7_20ns", 200e-9: "ch7_200ns"}


def engine_reading(histories: pd.DataFrame, target: float, scheme: str, widths) -> pd.DataFrame:
    """AIHWKit's own runs of the two widths read as a choice
    (:func:`fetrain.study.choices.engine_energies`), priced with ``histories``' ledger; empty when a width has no shipped
    AIHWKit run."""
    from ..study.choices import engine_energies
    from ..study.crosscheck import load_crosscheck

    names = {}
    for w in widths:
        match = [k for k in AIHWKIT_RUNS if np.isclose(k, w, rtol=1e-9, atol=0)]
        if not match:
            return pd.DataFrame()
        names[float(w)] = AIHWKIT_RUNS[match[0]]
    curves = {w: load_crosscheck(name)[0] for w, name in names.items()}
    return engine_energies(curves, histories, scheme, target)


def highest_text(highest: dict, numerator_s: float, denominator_s: float) -> str:
    """Where the shorter width stops reaching the target, per strategy, from the highest target
    every seed reaches (``highest[strategy][width]``, fractions; NaN: none).

    Returns
    -------
    str
        One sentence per strategy where the two widths differ, or one saying they do not.
    """
    a, b = format_width(numerator_s), format_width(denominator_s)

    def pct(x):
        return "no target from 50%" if np.isnan(x) else f"{x * 100:.0f}%"

    parts = []
    for s, per in highest.items():
        ha, hb = per[numerator_s], per[denominator_s]
        if np.isnan(ha) and np.isnan(hb):
            continue
        if (np.isnan(ha) and not np.isnan(hb)) or (not np.isnan(hb) and ha < hb):
            parts.append(f"with {strategy_label(s)}, {a} reaches {pct(ha)} and {b} {pct(hb)}")
        elif (np.isnan(hb) and not np.isnan(ha)) or ha > hb:
            parts.append(f"with {strategy_label(s)}, {b} stops at {pct(hb)} and {a} reaches "
                         f"{pct(ha)}")
    if not parts:
        return "Both widths reach the same highest target with every strategy."
    return ("Every seed reaches the target up to: " + "; ".join(parts) + ". Above that target the "
            "width that stops has no energy to target at all: the comparison is no longer a ratio.")


def long_widths_margin(agg: pd.DataFrame, from_s: float) -> float:
    """The least factor by which the widths from ``from_s`` up lose a cell of the map: over every
    (scheme, strategy), the smallest energy to target of those widths over the cell's least
    (NaN when none of them reached the target anywhere).

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` rows (J).
    from_s : float
        The shortest of the long widths (s).

    Returns
    -------
    float
        The factor (dimensionless).
    """
    ok = agg[agg["reached"]]
    factors = []
    for _, g in ok.groupby(["scheme", "strategy"]):
        best = g["total_to_target_J"].min()
        long = g.loc[g["width_s"] >= from_s * (1 - 1e-9), "total_to_target_J"]
        if len(long):
            factors.append(long.min() / best)
    return float(min(factors)) if factors else np.nan


def own_target_text(summ: pd.DataFrame, ratios: pd.DataFrame) -> str:
    """The study's headline at its own target, in words: the configuration with the least total
    energy to the target, and for each strategy that reaches it, the shortest width's energy over
    the best other width's with its interval — then whether the headline (the shortest width needs
    the least energy) holds, fails or cannot be called.

    Parameters
    ----------
    summ : pandas.DataFrame
        Per-run rows of one scheme (:func:`fetrain.study.tradeoff.summary`, J).
    ratios : pandas.DataFrame
        :func:`fetrain.study.confidence.shortest_against_best_other` of ``summ`` by strategy.

    Returns
    -------
    str
        Two or three sentences.
    """
    from ..study import tradeoff

    agg = tradeoff.aggregate(summ)
    ok = agg[agg["reached"]]
    if ok.empty:
        return ("No configuration reaches the target with every seed, so the study's headline "
                "cannot be asked at its own target here.")
    best = ok.sort_values("total_to_target_J").iloc[0]
    out = [f"The least energy to the target is {strategy_label(best['strategy'])} at "
           f"{format_width(best['width_s'])} ({best['total_to_target_J']:.3g} J)."]
    verdicts = []
    for r in ratios.itertuples():
        if not ok["strategy"].eq(r.strategy).any():
            continue
        shortest, other = format_width(r.shortest_width_s), format_width(r.best_other_width_s)
        if not np.isfinite(r.ratio):
            out.append(f"With {strategy_label(r.strategy)}, {shortest} does not reach it.")
            verdicts.append("loses")
            continue
        verdict = "wins" if r.high < 1 else "loses" if r.low > 1 else "open"
        verdicts.append(verdict)
        high = "∞" if not np.isfinite(r.high) else f"{r.high:.2f}"
        out.append(f"With {strategy_label(r.strategy)}, {shortest} needs {r.ratio:.2f}× the "
                   f"energy of the best other width ({other}; 95% interval {r.low:.2f}–{high}).")
    shortest_best = best["width_s"] == agg["width_s"].min()
    if shortest_best and "wins" in verdicts:
        out.append("At its own target the study's headline holds on this device.")
    elif verdicts and all(v == "loses" for v in verdicts):
        out.append("At its own target the study's headline does not hold on this device: the "
                   "shortest width is never the cheapest way to the target.")
    else:
        out.append("At its own target the study's headline is not settled on this device: the "
                   "intervals over seeds hold 1.")
    return " ".join(out)
