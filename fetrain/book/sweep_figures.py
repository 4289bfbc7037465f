"""Figures of the main experiment: accuracy, energy to target, its parts, energy against the
target, the Pareto front and the map of where short pulses win (Chapter 6, the introduction,
``fetrain reproduce``).

The ``plot_*`` functions draw on one axes; the ``*_figure`` functions make a whole figure from a
sweep's plan, so that it says what it shows: at the quick scale (a smoke test whose runs stay near
chance) every figure carries a note saying so, and a figure that would be empty because no run
reached the target says that in place of empty axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..common.display import format_width
from ..device.hzo import DEFAULT_DEVICE
from ..device.schemes import IsoFraction
from ..study.plan import SCHEMES, STRATEGIES
from .style import STRATEGY_MARKERS, axes_or_new, width_colour

if TYPE_CHECKING:
    from ..study.plan import SweepPlan


def plot_sweep_accuracy(histories: pd.DataFrame, strategy: str, target: float, ax=None,
                        title: str | None = None):
    """Test accuracy against epoch for every width of one strategy (mean over seeds, band from
    the lowest to the highest seed), with the target as a dotted line.

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories (``width_s`` in s, ``test_accuracy`` as a fraction).
    strategy : str
        The strategy drawn.
    target : float
        Target accuracy (fraction).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        The panel's title.

    Returns
    -------
    matplotlib.axes.Axes
        Test accuracy (%) against epoch.
    """
    ax = axes_or_new(ax)
    h = histories[histories["strategy"] == strategy]
    widths = sorted(histories["width_s"].unique())
    for t, g in h.groupby("width_s"):
        per = g.pivot_table(index="epoch", columns="seed", values="test_accuracy") * 100
        colour = width_colour(t, widths)
        ax.plot(per.index, per.mean(axis=1), color=colour, label=format_width(t))
        if per.shape[1] > 1:
            ax.fill_between(per.index, per.min(axis=1), per.max(axis=1), color=colour, alpha=0.2,
                            lw=0)
    ax.axhline(target * 100, color="0.3", ls=":", lw=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    if title:
        ax.set_title(title)
    return ax


def plot_against_width(agg: pd.DataFrame, column: str, ylabel: str, labels: dict, ax=None,
                       scale: float = 1.0, log_y: bool = True):
    """``column`` of the aggregated sweep (mean with min–max over seeds) against pulse width on
    log axes, one line per strategy; a configuration that did not reach the target is drawn as an
    open marker on the top edge, labelled "not reached".

    Parameters
    ----------
    agg : pandas.DataFrame
        Output of :func:`fetrain.study.tradeoff.aggregate` (``width_s`` in s).
    column : str
        The column drawn (with its ``_min`` and ``_max``).
    ylabel : str
        The y axis label, with the unit after ``scale``.
    labels : dict of str to str
        Label per strategy.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    scale : float
        Factor applied to the column (1e12 shows J as pJ).
    log_y : bool
        Logarithmic y axis.

    Returns
    -------
    matplotlib.axes.Axes
        The column (its unit times ``scale``) against width (ns).
    """
    ax = axes_or_new(ax)
    ax.set_xlabel("pulse width (ns)")
    ax.set_ylabel(ylabel)
    values = agg[column + "_max"].to_numpy(dtype=float) * scale
    if not np.any(np.isfinite(values) & (values > 0)):
        ax.text(0.5, 0.5, "no configuration reached the target", ha="center", va="center",
                transform=ax.transAxes, fontsize=8, color="0.3")
        return ax
    top = np.nanmax(values)
    missed_any = False
    for strategy, g in agg.groupby("strategy", sort=False):
        g = g.sort_values("width_s")
        x = g["width_s"].to_numpy(dtype=float) * 1e9
        y = g[column].to_numpy(dtype=float) * scale
        lo = y - g[column + "_min"].to_numpy(dtype=float) * scale
        hi = g[column + "_max"].to_numpy(dtype=float) * scale - y
        marker = STRATEGY_MARKERS.get(strategy, "o")
        line = ax.errorbar(x, y, yerr=[lo, hi], marker=marker, ms=5, capsize=3,
                           label=labels.get(strategy, strategy))
        missed = ~np.isfinite(y)
        if missed.any() and np.isfinite(top):
            missed_any = True
            ax.plot(x[missed], np.full(missed.sum(), top * (2.0 if log_y else 1.1)), marker, mfc="none",
                    color=line[0].get_color(), ms=7)
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    if missed_any:
        ax.text(0.01, 0.99, "open markers at the top: target not reached", transform=ax.transAxes,
                va="top", fontsize=7, color="0.3")
    return ax


def plot_energy_breakdown(agg: pd.DataFrame, labels: dict, part_labels: dict, ax=None):
    """Energy to target per width and strategy: each part's share (%) as stacked bars, with the
    total (µJ) written above each bar (mean over seeds); configurations that did not reach the
    target are marked "not reached".

    Parameters
    ----------
    agg : pandas.DataFrame
        Output of :func:`fetrain.study.tradeoff.aggregate` (energies in J).
    labels : dict of str to str
        Label per strategy.
    part_labels : dict of str to str
        Label per energy part (columns of ``fetrain.study.tradeoff.PARTS``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Share of the energy to target (%) per configuration, totals in µJ.
    """
    ax = axes_or_new(ax)
    parts = list(part_labels)
    rows = agg.sort_values(["width_s", "strategy"]).reset_index(drop=True)
    x = np.arange(len(rows))
    total = rows["total_to_target_J"].to_numpy(dtype=float)
    bottom = np.zeros(len(rows))
    colours = plt.get_cmap("tab10").colors
    for k, part in enumerate(parts):
        v = rows[part.replace("_J", "_to_target_J")].to_numpy(dtype=float) / total * 100
        v = np.where(np.isfinite(v), v, 0.0)
        ax.bar(x, v, bottom=bottom, color=colours[k % 10], label=part_labels[part], width=0.75)
        bottom += v
    for i, r in rows.iterrows():
        text = (f"{r['total_to_target_J'] * 1e6:,.0f}" if r["reached"] else "not\nreached")
        ax.text(x[i], 101, text, ha="center", va="bottom", fontsize=6, rotation=90, color="0.2")
    ax.set_xticks(x, [f"{format_width(r.width_s)}, {labels.get(r.strategy, r.strategy)}"
                      for r in rows.itertuples()], fontsize=7, rotation=90)
    ax.set_ylim(0, 125)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("share of the energy to target (%)")
    ax.text(0.0, 1.0, "above the bars: total energy to target (µJ)", transform=ax.transAxes,
            fontsize=7, color="0.3", va="bottom")
    ax.grid(axis="x", visible=False)
    return ax


def plot_energy_shares(frame: pd.DataFrame, name: str, parts: list, total: str, ax=None,
                       unit: str = "µJ"):
    """Where each run's energy goes: one horizontal bar per row, split into its parts' shares.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per bar, with the column ``name`` (the bar's label), the part columns and the
        total column, all energies in the same unit.
    name : str
        The column that labels each bar (for example ``"algorithm"``).
    parts : list of str
        The energy columns stacked left to right; their sum should be the total.
    total : str
        The column of the total energy, written at the end of each bar.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    unit : str
        The energy unit of the columns, for the total's label.

    Returns
    -------
    matplotlib.axes.Axes
        The bars, share of the total in % on the x axis.
    """
    ax = axes_or_new(ax)
    rows = frame.reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    left = np.zeros(len(rows))
    colours = plt.get_cmap("tab10").colors
    totals = rows[total].to_numpy(dtype=float)
    for k, part in enumerate(parts):
        share = np.where(totals > 0, rows[part].to_numpy(dtype=float) / totals * 100, 0.0)
        ax.barh(y, share, left=left, color=colours[k % 10], label=part, height=0.6)
        left += share
    for yi, value in zip(y, totals):
        ax.text(101, yi, f"{value:,.3g} {unit}", va="center", ha="left", fontsize=8, color="0.2")
    ax.set_yticks(y, rows[name])
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(f"share of the total energy (%); total at the right ({unit})")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8)
    return ax


def plot_pareto(points: pd.DataFrame, front: pd.DataFrame, labels: dict, ax=None):
    """Test accuracy against cumulative total energy at every evaluation of every run (colour:
    width; marker: strategy), with the accuracy–energy Pareto front as a black step line.

    Parameters
    ----------
    points : pandas.DataFrame
        Output of :func:`fetrain.study.tradeoff.with_totals` (``total_J`` in J, accuracy as a
        fraction).
    front : pandas.DataFrame
        Output of :func:`fetrain.study.tradeoff.pareto_front`.
    labels : dict of str to str
        Label per strategy.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Test accuracy (%) against total energy (µJ).
    """
    ax = axes_or_new(ax)
    widths = sorted(points["width_s"].unique())
    for (t, strategy), g in points.groupby(["width_s", "strategy"]):
        g = g[g["total_J"] > 0]
        ax.scatter(g["total_J"] * 1e6, g["test_accuracy"] * 100, s=8, alpha=0.5,
                   color=width_colour(t, widths), marker=STRATEGY_MARKERS.get(strategy, "o"),
                   lw=0)
    f = front[front["total_J"] > 0]
    ax.step(f["total_J"] * 1e6, f["test_accuracy"] * 100, where="post", color="k", lw=1.2,
            label="Pareto front")
    handles = [plt.Line2D([], [], color=width_colour(t, widths), marker="o", ls="",
                          label=format_width(t)) for t in widths]
    handles += [plt.Line2D([], [], color="0.4", marker=STRATEGY_MARKERS.get(s, "o"), ls="",
                           label=labels.get(s, s)) for s in points["strategy"].unique()]
    handles.append(plt.Line2D([], [], color="k", label="Pareto front"))
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    ax.set_xscale("log")
    ax.set_xlabel("total energy so far (µJ, complete form, all parts)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    return ax


#: The rows of every map, top to bottom: the iso-fraction caps in increasing order, then the ladder.
MAP_ROWS = ("iso-3.5", "iso-3.8", "iso-4.2", "ladder")

#: Colour of a map cell where no width reached the target.
NONE_REACHED = (0.92, 0.92, 0.92)

#: Font size of the text in a map's cells (pt).
MAP_TEXT_PT = 8


def map_rows(schemes) -> list[str]:
    """``schemes`` in the order of the maps' rows (:data:`MAP_ROWS`, then any others)."""
    return [s for s in MAP_ROWS if s in schemes] + [s for s in schemes if s not in MAP_ROWS]


def width_legend(fig, widths, title: str = "width with the least energy to target"):
    """A legend of the width colours (and of "none reached") below a figure's panels."""
    from matplotlib.patches import Patch

    handles = [Patch(color=width_colour(w, widths), label=format_width(w)) for w in sorted(widths)]
    handles.append(Patch(color=NONE_REACHED, label="no width reached"))
    return fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
                      title=title, title_fontsize=8, bbox_to_anchor=(0.5, 0.0))


def _ratio_text(ratio: float, low: float = np.nan, high: float = np.nan) -> str:
    if not np.isfinite(ratio):
        return "–"
    if ratio == 0:
        return "alone"
    text = f"×{ratio:.2f}" if ratio < 10 else f"×{ratio:.0f}"
    if np.isfinite(low) and np.isfinite(high) and high > low:
        text += f" ({low:.2g}–{high:.2g})"
    elif np.isfinite(low) and not np.isfinite(high):
        text += f" ({low:.2g}–∞)"
    return text


def plot_win_map(win: pd.DataFrame, strategy: str, schemes: list, scheme_labels: dict,
                 widths, ax=None, title: str | None = None):
    """The map of where short pulses win, for one strategy: rows are programming schemes (in the
    order of :data:`MAP_ROWS`), columns the width-independent cost per pulse; each cell is
    coloured by the width with the least total energy to target (the same colour for a width in
    every panel) and names it, with "≈" where the runner-up is within the map's margin (a near
    tie, whichever widths they are), and below it the shortest width's energy over the best other
    width's (below 1 where the shortest wins, "–" where it did not reach the target, "alone" where
    no other width did); "—": no width reached it.

    Parameters
    ----------
    win : pandas.DataFrame
        Output of :func:`fetrain.study.tradeoff.win_map` (widths in s, costs in J).
    strategy : str
        The strategy drawn.
    schemes : list of str
        Programming schemes, one row each.
    scheme_labels : dict of str to str
        Label per scheme.
    widths : sequence of float
        All widths of the sweep (s), for the colours.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        The panel's title.

    Returns
    -------
    matplotlib.axes.Axes
        Schemes against width-independent cost per pulse (pJ).
    """
    from matplotlib.colors import to_rgb

    ax = axes_or_new(ax)
    g = win[win["strategy"] == strategy]
    rows = map_rows(schemes)
    costs = sorted(g["fixed_per_pulse_J"].unique())
    grid = np.ones((len(rows), len(costs), 3))
    for i, scheme in enumerate(rows):
        for j, c in enumerate(costs):
            cell = g[(g["scheme"] == scheme) & (g["fixed_per_pulse_J"] == c)]
            if cell.empty:
                continue
            cell = cell.iloc[0]
            w = cell["winner_width_s"]
            if np.isfinite(w):
                grid[i, j] = to_rgb(width_colour(w, widths))
                # E(shortest) / E(best other width): below 1 where the shortest width wins
                ratio = (1 / cell["margin"] if w == cell["shortest_width_s"]
                         else cell["shortest_over_winner"])
                ratio = 0.0 if w == cell["shortest_width_s"] and not np.isfinite(ratio) else ratio
                text = (format_width(w).replace(" ", "\u2009") + (" ≈" if cell.get("tie", False)
                                                                   else "")
                        + "\n" + _ratio_text(ratio))
            else:
                grid[i, j] = NONE_REACHED
                text = "—"
            ax.text(j, i, text, ha="center", va="center", fontsize=MAP_TEXT_PT, color="k")
    ax.imshow(grid, aspect="auto")
    ax.set_xticks(range(len(costs)), [f"{c * 1e12:g}" for c in costs], fontsize=MAP_TEXT_PT)
    ax.set_yticks(range(len(rows)), [scheme_labels.get(s, s) for s in rows], fontsize=MAP_TEXT_PT)
    ax.set_xlabel("width-independent cost per pulse (pJ)", fontsize=9)
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_answer_map(win: pd.DataFrame, ratios: pd.DataFrame, strategy: str, schemes: list,
                    widths, ax=None, title: str | None = None):
    """The answer for one strategy, one cell per programming scheme (rows in the order of
    :data:`MAP_ROWS`), without a width-independent cost per pulse: the cell's colour is the width
    with the least energy to target ("≈": a near tie), and its text the shortest width's energy
    over the best other width's with the bootstrap interval over seeds (below 1: the shortest
    width wins; "–": it did not reach the target).

    Parameters
    ----------
    win : pandas.DataFrame
        :func:`fetrain.study.tradeoff.win_map` rows (the cost 0 is drawn).
    ratios : pandas.DataFrame
        :func:`fetrain.study.confidence.shortest_against_best_other` rows, by scheme and strategy.
    strategy : str
        The strategy drawn.
    schemes : list of str
        Programming schemes.
    widths : sequence of float
        All widths (s), for the colours.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    title : str, optional
        The panel's title.

    Returns
    -------
    matplotlib.axes.Axes
        One column of cells, one row per scheme.
    """
    from matplotlib.colors import to_rgb

    ax = axes_or_new(ax)
    rows = map_rows(schemes)
    labels = scheme_labels(short=True)
    g = win[(win["strategy"] == strategy) & (win["fixed_per_pulse_J"] == 0)]
    grid = np.ones((len(rows), 1, 3))
    shortest = format_width(min(widths)).replace(" ", "\u2009")
    for i, scheme in enumerate(rows):
        cell = g[g["scheme"] == scheme]
        r = ratios[(ratios["scheme"] == scheme) & (ratios["strategy"] == strategy)]
        if cell.empty:
            continue
        cell = cell.iloc[0]
        w = cell["winner_width_s"]
        if np.isfinite(w):
            grid[i, 0] = to_rgb(width_colour(w, widths))
            text = format_width(w).replace(" ", "\u2009") + (" ≈" if cell["tie"] else "")
            if len(r):
                r = r.iloc[0]
                text += f"\n{shortest}: {_ratio_text(r['ratio'], r['low'], r['high'])}"
        else:
            grid[i, 0] = NONE_REACHED
            text = "—"
        ax.text(0, i, text, ha="center", va="center", fontsize=MAP_TEXT_PT, color="k")
    ax.imshow(grid, aspect="auto")
    ax.set_xticks([])
    ax.set_yticks(range(len(rows)), [labels.get(s, s) for s in rows], fontsize=MAP_TEXT_PT)
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


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
        return {name: (f"cap {s.cap(DEFAULT_DEVICE):g} V" if isinstance(s, IsoFraction)
                       else f"ladder −{s.volts_per_decade:g} V/dec.") for name, s in SCHEMES.items()}
    return {name: s.label() for name, s in SCHEMES.items()}


# ---- the sweep's figures, each from a plan -------------------------------------------------------

#: Label of each strategy in figures and tables.
STRATEGY_LABELS = {name: s.label for name, s in STRATEGIES.items()}


@dataclass(frozen=True)
class PlanView:
    """What a figure needs to know of a sweep's plan, from a :class:`~fetrain.study.plan.SweepPlan`
    or from the ``plan`` entry of a results folder's ``plan.json`` (whose fields are read
    defensively: a record written by another version may lack some).

    Attributes
    ----------
    scale : str
        The scale the plan was made for (``quick``, ``book``, ``paper``; ``?`` if unknown).
    widths_s : tuple of float
        Pulse widths (s).
    strategies, schemes : tuple of str
        Strategy and programming scheme names, the main scheme first.
    target : float
        Target test accuracy (fraction; NaN if unknown).
    epochs : int or None
        The epoch limit of every run.
    n_train : int or None
        Training digits (None: the whole training split).
    energy : str
        ``available``, or what a measured campaign's data lack for energy (in words).
    """

    scale: str
    widths_s: tuple
    strategies: tuple
    schemes: tuple
    target: float
    epochs: int | None
    n_train: int | None
    energy: str = "available"

    @classmethod
    def of(cls, plan) -> "PlanView":
        """The view of a :class:`~fetrain.study.plan.SweepPlan`, of a plan record's ``plan``
        dict, or of a view."""
        if isinstance(plan, cls):
            return plan
        if isinstance(plan, dict):
            return cls(scale=str(plan.get("scale", "?")),
                       widths_s=tuple(float(t) for t in plan.get("widths_s", ())),
                       strategies=tuple(plan.get("strategies", ())),
                       schemes=tuple(plan.get("schemes", ())),
                       target=float(plan.get("target", np.nan)), epochs=plan.get("epochs"),
                       n_train=plan.get("n_train"),
                       energy=(plan.get("campaign") or {}).get("energy", "available"))
        energy = "available"
        if getattr(plan, "campaign", ""):
            from ..study.measured import campaign_record

            energy = campaign_record(plan.campaign)["energy"]
        return cls(scale=plan.scale, widths_s=tuple(plan.widths_s),
                   strategies=tuple(plan.strategies), schemes=tuple(plan.schemes),
                   target=plan.target, epochs=plan.epochs, n_train=plan.n_train, energy=energy)


def quick_note(plan) -> str:
    """The note every figure of a quick-scale sweep carries ('' at the other scales).

    Parameters
    ----------
    plan : SweepPlan or dict
        The plan (or a plan record's ``plan``).

    Returns
    -------
    str
        Two lines, or ''.
    """
    if PlanView.of(plan).scale != "quick":
        return ""
    return ("quick scale: a smoke test — the runs are too short to reach the target.\n"
            "Run fetrain reproduce --scale book or --scale paper for the answer.")


def energy_note(plan) -> str:
    """The note every figure of a sweep without joules carries ('' when energy is available):
    what the measured campaign's data lack, and that widths are ranked by pulses instead.

    Parameters
    ----------
    plan : SweepPlan or dict
        The plan (or a plan record's ``plan``).

    Returns
    -------
    str
        Two lines, or ''.
    """
    energy = PlanView.of(plan).energy
    if energy == "available":
        return ""
    return (f"energy {energy.replace('unavailable: ', 'unavailable — ')}.\n"
            "Widths are ranked by pulses to target instead; energy axes stay empty.")


def nothing_reached_text(plan, what: str = "configuration", target: str | None = None) -> str:
    """Why a figure of energy to target is empty: no ``what`` reached the target, and why.

    Parameters
    ----------
    plan : SweepPlan or dict
        The plan.
    what : str
        What did not reach it (``configuration``, ``run``).
    target : str, optional
        The target as the message names it; None: the plan's (``the 70% target``).

    Returns
    -------
    str
        The message, on two or three lines.
    """
    v = PlanView.of(plan)
    if target is None:
        target = f"the {v.target * 100:g}% target" if np.isfinite(v.target) else "the target"
    limit = f"{v.epochs} epoch(s)" if v.epochs else "the epoch limit"
    if v.scale == "quick":
        digits = f" on {v.n_train} digits" if v.n_train else ""
        return (f"No {what} reached {target}:\nat the quick scale every run trains {limit}"
                f"{digits}\nand stays near chance.")
    return f"No {what} reached {target}\nwithin the epoch limit ({limit})."


def _finish(fig, plan, title: str = ""):
    """Title, the quick-scale note at the bottom, tight layout."""
    if title:
        fig.suptitle(title, fontsize=9)
    note = "\n".join(n for n in (quick_note(plan), energy_note(plan)) if n)
    if note:
        fig.supxlabel(note, color="firebrick", fontsize=7.5)
    fig.tight_layout()
    return fig


def _message_figure(text: str, plan, title: str = "", size=(6.0, 2.2)):
    """A figure that says, in place of empty axes, why there is nothing to draw."""
    fig, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, color="0.25",
            transform=ax.transAxes)
    return _finish(fig, plan, title)


def accuracy_figure(histories: pd.DataFrame, plan, title: str = ""):
    """Test accuracy against epoch, one panel per strategy, one line per width (mean over seeds,
    band from the lowest to the highest seed), the target dotted.

    Parameters
    ----------
    histories : pandas.DataFrame
        The histories of one programming scheme (accuracies as fractions).
    plan : SweepPlan or dict
        The plan.
    title : str
        A title above the panels.

    Returns
    -------
    matplotlib.figure.Figure
        Test accuracy (%) against epoch.
    """
    v = PlanView.of(plan)
    strategies = [s for s in v.strategies if s in set(histories["strategy"])]
    fig, axes = plt.subplots(1, len(strategies), figsize=(3.0 * len(strategies), 3.0),
                             sharey=True, squeeze=False)
    for ax, s in zip(axes[0], strategies):
        plot_sweep_accuracy(histories, s, v.target, ax=ax, title=STRATEGY_LABELS.get(s, s))
    axes[0][0].legend(title="pulse width", fontsize=7)
    return _finish(fig, plan, title)


def to_target_figure(agg: pd.DataFrame, plan, title: str = ""):
    """At the first evaluation that reaches the target, against pulse width: epochs, pulses,
    energy per pulse (complete form) and total energy to target (four panels); a message in
    their place when no configuration reached the target.

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` of one scheme's runs (J, epochs, counts).
    plan : SweepPlan or dict
        The plan.
    title : str
        A title above the panels.

    Returns
    -------
    matplotlib.figure.Figure
        Epochs, pulses, pJ per pulse and µJ against width (ns).
    """
    if not agg["reached"].any():
        return _message_figure(nothing_reached_text(plan), plan, title)
    fig, axes = plt.subplots(2, 2, figsize=(8.0, 6.0))
    labels = STRATEGY_LABELS
    plot_against_width(agg, "epochs_to_target", "epochs to target", labels, ax=axes[0, 0],
                       log_y=False)
    plot_against_width(agg, "pulses_to_target", "pulses to target", labels, ax=axes[0, 1])
    plot_against_width(agg, "energy_per_pulse_J", "energy per pulse (pJ, complete)", labels,
                       ax=axes[1, 0], scale=1e12)
    plot_against_width(agg, "total_to_target_J", "total energy to target (µJ)", labels,
                       ax=axes[1, 1], scale=1e6)
    axes[0, 0].legend(fontsize=7)
    return _finish(fig, plan, title)


def breakdown_figure(agg: pd.DataFrame, plan, title: str = ""):
    """Where the energy to target goes, per width and strategy (each part's share, stacked, the
    total above each bar); a message in its place when no configuration reached the target.

    Parameters
    ----------
    agg : pandas.DataFrame
        :func:`fetrain.study.tradeoff.aggregate` of one scheme's runs (J).
    plan : SweepPlan or dict
        The plan.
    title : str
        A title above the bars.

    Returns
    -------
    matplotlib.figure.Figure
        Shares (%) with totals in µJ.
    """
    from ..study import tradeoff

    if not agg["reached"].any():
        return _message_figure(nothing_reached_text(plan), plan, title)
    fig, ax = plt.subplots(figsize=(8.0, 4.6))
    parts = {p: tradeoff.PART_LABELS[p] for p in tradeoff.PARTS if p != "fixed_J"}
    plot_energy_breakdown(agg, STRATEGY_LABELS, parts, ax=ax)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _finish(fig, plan, title)


def energy_against_target_figure(curves: pd.DataFrame, plan, title: str = ""):
    """Total energy to target against the target accuracy, one panel per strategy, one line
    per width (mean over the seeds, drawn where every seed reached that target); a message in
    their place when no run reached even the lowest target.

    Parameters
    ----------
    curves : pandas.DataFrame
        :func:`fetrain.study.tradeoff.energy_curves` of one scheme's runs (J, fractions).
    plan : SweepPlan or dict
        The plan.
    title : str
        A title above the panels.

    Returns
    -------
    matplotlib.figure.Figure
        µJ (log axis) against target accuracy (%).
    """
    v = PlanView.of(plan)
    if not curves["reached"].any():
        lowest = (f"even the lowest target ({curves['target'].min() * 100:g}%)" if len(curves)
                  else "any target")
        return _message_figure(nothing_reached_text(plan, "run", lowest), plan, title)
    strategies = [s for s in v.strategies if s in set(curves["strategy"])]
    fig, axes = plt.subplots(1, len(strategies), figsize=(3.0 * len(strategies), 3.0),
                             sharey=True, squeeze=False)
    widths = sorted(curves["width_s"].unique())
    for ax, s in zip(axes[0], strategies):
        for t, g in curves[curves["strategy"] == s].groupby("width_s"):
            per = g.groupby("target").agg(e=("total_to_target_J", "mean"),
                                          ok=("reached", "all"))
            per = per[per["ok"]]
            ax.plot(per.index * 100, per["e"] * 1e6, marker="o", ms=3,
                    color=width_colour(t, widths), label=format_width(t))
        ax.set_yscale("log")
        ax.set_xlabel("target accuracy (%)")
        ax.set_title(STRATEGY_LABELS.get(s, s).replace(" (", "\n("), fontsize=9)
    axes[0][0].set_ylabel("total energy to target (µJ)")
    axes[0][0].legend(fontsize=7)
    return _finish(fig, plan, title)


def pareto_figure(points: pd.DataFrame, front: pd.DataFrame, plan, title: str = ""):
    """Test accuracy against total energy so far at every evaluation of every run, with the
    accuracy–energy Pareto front (:func:`plot_pareto`).

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`fetrain.study.tradeoff.with_totals` of one scheme's runs.
    front : pandas.DataFrame
        :func:`fetrain.study.tradeoff.pareto_front` of (some of) those points.
    plan : SweepPlan or dict
        The plan.
    title : str
        A title above the axes.

    Returns
    -------
    matplotlib.figure.Figure
        Test accuracy (%) against µJ (log axis).
    """
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    plot_pareto(points, front, STRATEGY_LABELS, ax=ax)
    return _finish(fig, plan, title)


def map_figure(win: pd.DataFrame, plan, title: str = ""):
    """The map of where short pulses win (:func:`plot_win_map`), one panel per strategy; a
    message in its place when no width reached the target anywhere on the map.

    Parameters
    ----------
    win : pandas.DataFrame
        :func:`fetrain.study.tradeoff.win_map` for one digital hardware model.
    plan : SweepPlan or dict
        The plan (or a plan record's ``plan``): its strategies, schemes and widths.
    title : str
        A title above the panels.

    Returns
    -------
    matplotlib.figure.Figure
        Schemes against width-independent cost per pulse (pJ), per strategy.
    """
    v = PlanView.of(plan)
    if not win["winner_width_s"].notna().any():
        return _message_figure(nothing_reached_text(plan), plan, title)
    strategies = [s for s in v.strategies if s in set(win["strategy"])]
    ncols = 2 if len(strategies) > 2 else len(strategies)
    nrows = -(-len(strategies) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 2.5 * nrows + 0.9),
                             squeeze=False)
    for ax, s in zip(axes.flat, strategies):
        plot_win_map(win, s, list(v.schemes), scheme_labels(short=True), v.widths_s, ax=ax,
                     title=STRATEGY_LABELS.get(s, s))
    for ax in list(axes.flat)[len(strategies):]:
        ax.set_axis_off()
    _finish(fig, plan, title)
    by_pulses = "ranked_by" in win and (win["ranked_by"] == "pulses").any()
    legend = width_legend(fig, v.widths_s, "width with the fewest pulses to target" if by_pulses
                          else "width with the least energy to target")
    notes = "\n".join(n for n in (quick_note(plan), energy_note(plan)) if n)
    lines = notes.count("\n") + 1 if notes else 0
    legend.set_bbox_to_anchor((0.5, 0.16 * lines / (2.5 * nrows + 0.9)), transform=fig.transFigure)
    fig.subplots_adjust(bottom=(0.95 + 0.16 * lines) / (2.5 * nrows + 0.9), hspace=0.6)
    return fig


def headline_figure(win: pd.DataFrame, ratios: pd.DataFrame, plan):
    """The introduction's answer in one figure: for every strategy (one panel each) and
    programming scheme (rows), the width with the least total energy to target and the shortest
    width's energy over the best other width's with its interval over seeds
    (:func:`plot_answer_map`); a message in its place when no configuration reached the target.

    Parameters
    ----------
    win : pandas.DataFrame
        :func:`fetrain.study.tradeoff.win_map` for one digital hardware model.
    ratios : pandas.DataFrame
        :func:`fetrain.study.confidence.shortest_against_best_other` by scheme and strategy.
    plan : SweepPlan or dict
        The plan.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per strategy, a colour legend of the widths below.
    """
    v = PlanView.of(plan)
    if not win["winner_width_s"].notna().any():
        return _message_figure(nothing_reached_text(plan), plan)
    strategies = [s for s in v.strategies if s in set(win["strategy"])]
    fig, axes = plt.subplots(1, len(strategies), figsize=(2.25 * len(strategies) + 0.9, 3.3),
                             sharey=True, squeeze=False)
    for ax, s in zip(axes[0], strategies):
        plot_answer_map(win, ratios, s, list(v.schemes), v.widths_s, ax=ax,
                        title=STRATEGY_LABELS.get(s, s).replace(" (", "\n("))
    _finish(fig, plan)
    width_legend(fig, v.widths_s)
    fig.subplots_adjust(bottom=0.24)
    return fig


def sweep_figures(histories: pd.DataFrame, plan: SweepPlan, record: dict | None = None,
                  digital: str | None = None) -> dict:
    """The sweep's figures (matplotlib Figures by name): accuracy against epoch per strategy;
    epochs, pulses, energy per pulse and energy to target against width; the energy breakdown;
    energy against the target; the accuracy–energy Pareto front; the map of where short pulses
    win. The main scheme's runs make all but the map.

    At the quick scale every figure says that the sweep is a smoke test, and a figure that is
    empty because no run reached the target says so in place of empty axes.

    Parameters
    ----------
    histories : pandas.DataFrame
        The histories of :func:`fetrain.study.sweep.load_histories`.
    plan : SweepPlan
        The plan.
    record : dict, optional
        The plan record, for the titles.
    digital : str, optional
        The digital hardware model of the totals, a name of
        :data:`fetrain.train.hardware.DIGITAL_MODELS`; None: the default (FP32).

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        ``accuracy``, ``to_target``, ``breakdown``, ``targets``, ``pareto`` and ``map``.
    """
    from ..study import tradeoff

    digital = digital or tradeoff.DEFAULT_DIGITAL
    main = histories[histories["scheme"] == plan.schemes[0]]
    agg = tradeoff.aggregate(tradeoff.summary(main, plan.target, digital))
    where = ""
    if record is not None:
        where = f" — {record.get('data_set', '')}, {plan.scale} scale"
    points = tradeoff.with_totals(main, digital)
    win = tradeoff.win_map(histories, plan.target, digital_models=(digital,))
    if PlanView.of(plan).energy != "available":
        def no_energy(title):
            return _message_figure("No energy to draw: the campaign's data\ndo not give joules "
                                   "(see the note below).", plan, title)

        return {
            "accuracy": accuracy_figure(main, plan, f"Test accuracy per pulse width{where}"),
            "to_target": to_target_figure(agg, plan, f"To the {plan.target * 100:g}% target{where}"),
            "breakdown": no_energy(f"Where the energy to target goes{where}"),
            "targets": no_energy(f"Energy against the target{where}"),
            "pareto": no_energy(f"Accuracy against energy{where}"),
            "map": map_figure(win, plan, f"Where short pulses win, by pulses to target{where}"),
        }
    return {
        "accuracy": accuracy_figure(main, plan, f"Test accuracy per pulse width{where}"),
        "to_target": to_target_figure(agg, plan, f"To the {plan.target * 100:g}% target{where}"),
        "breakdown": breakdown_figure(agg, plan, f"Where the energy to target goes{where}"),
        "targets": energy_against_target_figure(tradeoff.energy_curves(main, digital=digital),
                                                plan, f"Energy against the target{where}"),
        "pareto": pareto_figure(points, tradeoff.pareto_front(points[points["samples"] > 0]),
                                plan, f"Accuracy against energy{where}"),
        "map": map_figure(win, plan, f"Where short pulses win{where}"),
    }


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
    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, fig in sweep_figures(histories, plan, record).items():
        for ext in ("png", "svg"):
            fig.savefig(folder / f"{name}.{ext}", bbox_inches="tight")
        paths[f"figure_{name}"] = folder / f"{name}.png"
        plt.close(fig)
    return paths
