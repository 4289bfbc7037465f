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
from .sweep_figures import (STRATEGY_LABELS, PlanView, _finish, _message_figure, plot_answer_map,
                            width_legend)
from .sweep_tables import strategy_label
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


def verdict_text(moves: pd.DataFrame, numerator_s: float, denominator_s: float) -> str:
    """The verdict in words, from the readings of :func:`fetrain.study.choices.ratio_moves`:
    under which readings the numerator width wins or loses with an interval clear of 1, and
    where the interval holds 1.

    Returns
    -------
    str
        A sentence (or two).
    """
    a, b = format_width(numerator_s), format_width(denominator_s)
    parts = []
    for verdict, words in (("wins", f"{a} needs less energy than {b}"),
                           ("loses", f"{a} needs more energy than {b}"),
                           ("open", "the interval holds 1 (no verdict)"),
                           ("not reached", f"{a} does not reach the target")):
        rows = moves[moves["verdict"] == verdict]
        if len(rows):
            cases = "; ".join(f"{strategy_label(r.strategy)}, {r.label}"
                              for r in rows.itertuples())
            parts.append(f"{words} in {len(rows)} of {len(moves)} readings ({cases})")
    return ". ".join(parts) + "." if parts else "no reading holds both widths."


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
                             sharey=True, squeeze=False)
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
