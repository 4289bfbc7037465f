"""Figures of what training costs the devices (Chapter 9): life per pulse, pulses per device,
trainings per chip lifetime, the energy–lifetime plane and the aging symmetry point."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..common.display import format_width
from ..device.wear import pulse_life
from .style import STRATEGY_MARKERS, TWO_PANELS, width_colour

#: line style per wear law's level
LEVEL_STYLES = {"low": ":", "central": "-", "high": "--"}


def _log_where_positive(ax, x, y) -> None:
    """Log axes where something was drawn (a quick-scale page may have nothing to draw)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.any(np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)):
        ax.set_xscale("log")
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "no configuration reached the target", ha="center", va="center",
                transform=ax.transAxes, fontsize=8)


def _kinds(names):
    kinds = []
    for name in names:
        kind = name.rsplit("-", 1)[0]
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def life_per_pulse_figure(models: dict, laws: dict):
    """Life one pulse spends against pulse width, at each width's set and reset amplitudes, one
    panel per kind of law (fatigue, breakdown), one line per level.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Device models by width (s).
    laws : dict of str to law
        Wear laws by name (``<kind>-<level>``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    kinds = _kinds(laws)
    fig, axes = plt.subplots(1, len(kinds), figsize=TWO_PANELS, sharey=True)
    axes = np.atleast_1d(axes)
    widths = sorted(models)
    for ax, kind in zip(axes, kinds):
        for name, law in laws.items():
            if name.rsplit("-", 1)[0] != kind:
                continue
            level = name.rsplit("-", 1)[1]
            lives = np.array([pulse_life(models[w], law) for w in widths])
            ax.plot(widths, lives.max(axis=1), color="k", ls=LEVEL_STYLES.get(level, "-"),
                    marker="o", ms=3, label=f"{level} (higher of set/reset)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(kind)
        ax.set_xlabel("pulse width (s)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("life spent per pulse (fraction)")
    fig.tight_layout()
    return fig


def pulse_distribution_figure(counts: dict, max_layers: int = 3):
    """The share of devices with more than n pulses against n (log–log), one panel per
    strategy, one line per layer: where the busiest devices are.

    Parameters
    ----------
    counts : dict of str to list of tuple of array
        Per strategy label, per layer, (up, down) pulses per device (counts) of one run.
    max_layers : int
        Layers drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, len(counts), figsize=(3.0 * len(counts), 3.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (label, layers) in zip(axes, counts.items()):
        for li, (up, down) in enumerate(layers[:max_layers]):
            n = np.sort((np.asarray(up) + np.asarray(down)).ravel())
            n = n[n > 0]
            if n.size == 0:
                continue
            share = 1.0 - np.arange(n.size) / n.size
            ax.step(n, share * (n.size / np.asarray(up).size), where="post",
                    label=f"L{li + 1}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("pulses per device (counts)")
        ax.axhline(1e-3, color="grey", lw=0.8, ls=":")
    axes[0].set_ylabel("share of the layer's devices ≥ n")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def trainings_figure(summ: pd.DataFrame, kinds=("fatigue", "breakdown")):
    """Trainings per chip lifetime against pulse width, one panel per kind of wear law, one line
    per strategy at the central level, the band from the low to the high level.

    Parameters
    ----------
    summ : pandas.DataFrame
        :func:`fetrain.study.wear.lifetime_summary` of one scheme.
    kinds : tuple of str
        The kinds of law drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, len(kinds), figsize=TWO_PANELS)
    axes = np.atleast_1d(axes)
    for ax, kind in zip(axes, kinds):
        for k, (strategy, g) in enumerate(summ.groupby("strategy", sort=False)):
            by = {lvl: g[g["law"] == f"{kind}-{lvl}"].sort_values("width_s")
                  for lvl in ("low", "central", "high")}
            c = by["central"]
            ax.plot(c["width_s"], c["trainings"], marker=STRATEGY_MARKERS.get(strategy, "o"),
                    color=f"C{k}", ms=4, label=strategy)
            if len(by["low"]) == len(by["high"]) == len(c):
                ax.fill_between(c["width_s"], by["low"]["trainings"], by["high"]["trainings"],
                                color=f"C{k}", alpha=0.12)
        drawn = summ[summ["law"].str.startswith(kind)]
        _log_where_positive(ax, drawn["width_s"], drawn["trainings"])
        ax.set_title(f"{kind} (band: low … high)", fontsize=9)
        ax.set_xlabel("pulse width (s)")
    axes[0].set_ylabel("trainings to target per chip lifetime")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def energy_lifetime_figure(summ: pd.DataFrame, laws=("fatigue-central", "breakdown-central")):
    """The energy–lifetime plane: energy to target (J) against trainings per chip lifetime, one
    point per width (colour) and strategy (marker), one panel per wear law. Up and to the left
    is better on both.

    Parameters
    ----------
    summ : pandas.DataFrame
        :func:`fetrain.study.wear.lifetime_summary` of one scheme.
    laws : tuple of str
        The laws drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, len(laws), figsize=TWO_PANELS)
    axes = np.atleast_1d(axes)
    widths = sorted(summ["width_s"].unique())
    for ax, law in zip(axes, laws):
        s = summ[(summ["law"] == law) & summ["reached"]]
        for row in s.itertuples():
            ax.scatter(row.total_to_target_J, row.trainings,
                       marker=STRATEGY_MARKERS.get(row.strategy, "o"),
                       color=width_colour(row.width_s, widths), s=28)
        _log_where_positive(ax, s["total_to_target_J"], s["trainings"])
        ax.set_title(law, fontsize=9)
        ax.set_xlabel("energy to target (J)")
    axes[0].set_ylabel("trainings per chip lifetime")
    handles = [plt.Line2D([], [], ls="", marker="o", color=width_colour(w, widths),
                          label=format_width(w)) for w in widths]
    handles += [plt.Line2D([], [], ls="", marker=STRATEGY_MARKERS.get(s, "o"), color="k",
                           label=s) for s in summ["strategy"].unique()]
    axes[-1].legend(handles=handles, fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def aging_figure(points: pd.DataFrame, table: pd.DataFrame):
    """Left: where 10,000 alternating pulses settle each device against the cycles it has seen.
    Right: symmetry point shifting's validation accuracy against the chip's age in trainings,
    with the reference programmed when new and programmed again (mean over seeds; bars: range).

    Parameters
    ----------
    points : pandas.DataFrame
        ``cycles`` (counts), ``device`` (label), ``w_star`` (w units).
    table : pandas.DataFrame
        :func:`fetrain.study.recalibration.aging_table`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=TWO_PANELS)
    for device, g in points.groupby("device", sort=False):
        left.plot(np.maximum(g["cycles"], 1), g["w_star"], marker="o", ms=3, label=device)
    left.set_xscale("log")
    left.set_xlabel("cycles seen (counts; 0 drawn at 1)")
    left.set_ylabel("settled state w* (w units)")
    left.legend(fontsize=7)
    for k, (variant, g) in enumerate(table.groupby("variant", sort=False)):
        x = np.maximum(g["trainings"], 1)
        right.errorbar(x, g["val"] * 100,
                       yerr=[(g["val"] - g["val_min"]) * 100, (g["val_max"] - g["val"]) * 100],
                       marker="o", ms=4, capsize=3, color=f"C{k}", label=variant)
    right.set_xscale("log")
    right.set_xlabel("chip age (trainings; 0 drawn at 1)")
    right.set_ylabel("validation accuracy (%)")
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig
