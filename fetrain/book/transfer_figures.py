"""Figures of the transfer algorithms (Chapter 8): their fast and slow arrays over training."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def arrays_figure(traces: pd.DataFrame, symmetry_point: float, layer: str = "L3"):
    """Four panels over training, one line per rule (mean over seeds): validation accuracy; the
    mean state of the fast array's devices in ``layer``, with the device's symmetry point dashed;
    the mean weight of the slow array's devices (w − ref) in ``layer``, the symmetry point
    dashed; and the share of the slow array's devices in ``layer`` within 1% of a bound.

    Parameters
    ----------
    traces : pandas.DataFrame
        :func:`fetrain.study.transfer.array_traces` (states in w units).
    symmetry_point : float
        The device model's symmetry point w* (w units).
    layer : str
        The layer of the slow array's panels (``L1`` …).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4), sharex=True)
    (acc, fast), (slow, bound) = axes
    mean = traces.groupby(["rule", "epoch", "layer"], sort=False).mean(numeric_only=True)
    for k, rule in enumerate(traces["rule"].unique()):
        colour = f"C{k}"
        first = mean.loc[rule].xs("L1", level="layer")
        acc.plot(first.index, first["val_accuracy"] * 100, color=colour, marker="o", ms=3,
                 label=rule)
        chosen = mean.loc[rule].xs(layer, level="layer")
        fast.plot(chosen.index, chosen["fast_state"], color=colour, marker="o", ms=3, label=rule)
        slow.plot(chosen.index, chosen["slow_mean"], color=colour, marker="o", ms=3, label=rule)
        bound.plot(chosen.index, chosen["slow_at_bound"] * 100, color=colour, marker="o", ms=3,
                   label=rule)
    for ax in (fast, slow):
        ax.axhline(symmetry_point, color="k", ls="--", lw=1, label="symmetry point w*")
    acc.set_ylabel("validation accuracy (%)")
    acc.set_ylim(0, 100)
    fast.set_ylabel(f"fast array, {layer}: mean device state (w units)")
    slow.set_ylabel(f"slow array, {layer}: mean weight (w units)")
    bound.set_ylabel(f"slow array, {layer}: devices at a bound (%)")
    for ax in (slow, bound):
        ax.set_xlabel("epoch")
    acc.legend(fontsize=8)
    fast.legend(fontsize=8)
    fig.tight_layout()
    return fig


#: colour of each family in the map
FAMILY_COLOURS = {"none (plain SGD)": "#d9d9d9", "reference at w*": "#9ecae1",
                  "mixed precision": "#fdd0a2", "transfer": "#a1d99b"}


def family_map_figure(table: pd.DataFrame):
    """The map of where each family wins: targets (rows) × pulse widths (columns), each cell
    coloured by the family of the cheapest strategy and labelled with it and with the best
    transfer algorithm's energy over the best other family's (95 % interval below).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`fetrain.study.transfer.family_map` (J ratios dimensionless, targets fractions).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    from ..common.display import format_width
    from ..study.plan import STRATEGIES

    targets = sorted(table["target"].unique())
    widths = sorted(table["width_s"].unique())
    fig, ax = plt.subplots(figsize=(9.0, 1.0 + 0.9 * len(targets)))
    for i, target in enumerate(targets):
        for j, width in enumerate(widths):
            row = table[(table["target"] == target) & (table["width_s"] == width)].iloc[0]
            family = row["winner_family"]
            ax.add_patch(plt.Rectangle((j, i), 1, 1, color=FAMILY_COLOURS.get(family, "white"),
                                       ec="white", lw=2))
            name = STRATEGIES[row["winner"]].label if isinstance(row["winner"], str) else "none"
            r = row["transfer_over_best_other"]
            ratio = ("transfer: not reached" if np.isinf(r) else "" if not np.isfinite(r)
                     else f"transfer ×{r:.2f} [{row['low']:.2f}–{row['high']:.2f}]")
            ax.text(j + 0.5, i + 0.5, f"{name}\n{ratio}", ha="center", va="center", fontsize=7)
    ax.set_xlim(0, len(widths))
    ax.set_ylim(0, len(targets))
    ax.set_xticks(np.arange(len(widths)) + 0.5, [format_width(t) for t in widths])
    ax.set_yticks(np.arange(len(targets)) + 0.5, [f"{t * 100:.0f} %" for t in targets])
    ax.set_xlabel("pulse width")
    ax.set_ylabel("validation target accuracy")
    ax.legend(handles=[Patch(color=c, label=f) for f, c in FAMILY_COLOURS.items()],
              loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(targets) > 2 else -0.4),
              ncol=4, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
