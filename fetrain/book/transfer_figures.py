"""Figures of the transfer algorithms (Chapter 8): their fast and slow arrays over training."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd


def arrays_figure(traces: pd.DataFrame, symmetry_point: float, layer: str = "L3"):
    """Four panels over training, one line per rule (mean over seeds): validation accuracy; the
    fast array's mean state, with the device's symmetry point dashed; the mean weight of the slow
    array's devices (w − ref) in ``layer``, the symmetry point dashed; and the share of the slow
    array's devices in ``layer`` within 1% of a bound.

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
        everywhere = mean.loc[rule].groupby(level="epoch")["fast_state"].mean()
        fast.plot(everywhere.index, everywhere, color=colour, marker="o", ms=3, label=rule)
        chosen = mean.loc[rule].xs(layer, level="layer")
        slow.plot(chosen.index, chosen["slow_mean"], color=colour, marker="o", ms=3, label=rule)
        bound.plot(chosen.index, chosen["slow_at_bound"] * 100, color=colour, marker="o", ms=3,
                   label=rule)
    for ax in (fast, slow):
        ax.axhline(symmetry_point, color="k", ls="--", lw=1, label="symmetry point w*")
    acc.set_ylabel("validation accuracy (%)")
    acc.set_ylim(0, 100)
    fast.set_ylabel("fast array: mean device state (w units)")
    slow.set_ylabel(f"slow array, {layer}: mean weight (w units)")
    bound.set_ylabel(f"slow array, {layer}: devices at a bound (%)")
    for ax in (slow, bound):
        ax.set_xlabel("epoch")
    acc.legend(fontsize=8)
    fast.legend(fontsize=8)
    fig.tight_layout()
    return fig
