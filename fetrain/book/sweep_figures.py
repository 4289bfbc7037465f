"""Figures of the main experiment: accuracy, energy to target, its parts, the Pareto front and
the map of where short pulses win (Chapter 6, the introduction, ``fetrain reproduce``).
"""

from __future__ import annotations

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


def plot_win_map(win: pd.DataFrame, strategy: str, schemes: list, scheme_labels: dict,
                 widths, ax=None, title: str | None = None):
    """The map of where short pulses win, for one strategy: rows are programming schemes,
    columns the width-independent cost per pulse; each cell is coloured by the width with the
    least total energy to target and names it, with "≈" where the runner-up is within the map's
    margin (a near tie) and, below, E(shortest width)/E(winner) where the shortest width loses
    ("short: –" where it did not reach the target; "—": no width reached it).

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
    costs = sorted(g["fixed_per_pulse_J"].unique())
    grid = np.ones((len(schemes), len(costs), 3))
    for i, scheme in enumerate(schemes):
        for j, c in enumerate(costs):
            cell = g[(g["scheme"] == scheme) & (g["fixed_per_pulse_J"] == c)]
            if cell.empty:
                continue
            cell = cell.iloc[0]
            w = cell["winner_width_s"]
            if np.isfinite(w):
                grid[i, j] = to_rgb(width_colour(w, widths))
                ratio = cell["shortest_over_winner"]
                text = format_width(w) + (" ≈" if cell.get("tie", False) else "")
                if not np.isfinite(ratio):
                    text += "\n(short: –)"
                elif ratio > 1.0:
                    text += f"\n(short ×{ratio:.2f})" if ratio < 1.1 else f"\n(short ×{ratio:.2g})"
            else:
                grid[i, j] = (0.92, 0.92, 0.92)
                text = "—"
            ax.text(j, i, text, ha="center", va="center", fontsize=6, color="k")
    ax.imshow(grid, aspect="auto")
    ax.set_xticks(range(len(costs)), [f"{c * 1e12:g}" for c in costs])
    ax.set_yticks(range(len(schemes)), [scheme_labels.get(s, s) for s in schemes], fontsize=7)
    ax.set_xlabel("width-independent cost per pulse (pJ)")
    ax.grid(False)
    if title:
        ax.set_title(title)
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

    from ..study import tradeoff

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
        plot_sweep_accuracy(main, s, plan.target, ax=ax, title=labels[s])
    axes[0][0].legend(title="pulse width", fontsize=7)
    fig.suptitle(f"Test accuracy per pulse width{where}", fontsize=9)
    fig.tight_layout()
    figs["accuracy"] = fig
    fig, axes = plt.subplots(2, 2, figsize=(8.0, 6.0))
    plot_against_width(agg, "epochs_to_target", "epochs to target", labels, ax=axes[0, 0],
                                log_y=False)
    plot_against_width(agg, "pulses_to_target", "pulses to target", labels, ax=axes[0, 1])
    plot_against_width(agg, "energy_per_pulse_J", "energy per pulse (pJ, complete)",
                                labels, ax=axes[1, 0], scale=1e12)
    plot_against_width(agg, "total_to_target_J", "total energy to target (µJ)", labels,
                                ax=axes[1, 1], scale=1e6)
    if agg["reached"].any():
        axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"To the {plan.target * 100:g}% target{where}", fontsize=9)
    fig.tight_layout()
    figs["to_target"] = fig
    fig, ax = plt.subplots(figsize=(8.0, 4.6))
    plot_energy_breakdown(agg, labels, {p: tradeoff.PART_LABELS[p]
                                                 for p in tradeoff.PARTS if p != "fixed_J"}, ax=ax)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    figs["breakdown"] = fig
    pts = tradeoff.with_totals(main)
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    plot_pareto(pts, tradeoff.pareto_front(pts[pts["samples"] > 0]), labels, ax=ax)
    fig.tight_layout()
    figs["pareto"] = fig
    win = tradeoff.win_map(histories, plan.target, digital_models=(tradeoff.DEFAULT_DIGITAL,))
    fig, axes = plt.subplots(1, len(strategies), figsize=(3.2 * len(strategies) + 0.8, 2.6),
                             sharey=True, squeeze=False)
    for ax, s in zip(axes[0], strategies):
        plot_win_map(win, s, list(plan.schemes), scheme_labels(short=True), plan.widths_s,
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
