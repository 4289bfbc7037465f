"""Figures of training runs (Chapters 3 to 5, Appendix A).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import TWO_PANELS, WIDTH_COLOURS, axes_or_new


def plot_accuracy_curves(histories: dict, ax=None, column: str = "test_accuracy"):
    """Accuracy against epoch for labelled runs; each value of ``histories`` is a list of history
    tables (one per seed): the mean is drawn, with a band from the lowest to the highest seed.

    Parameters
    ----------
    histories : dict of str to list of pandas.DataFrame
        Label to the histories of its seeds (``epoch``, accuracy columns as fractions).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    column : str
        The accuracy column drawn.

    Returns
    -------
    matplotlib.axes.Axes
        Accuracy (%) against epoch.
    """
    ax = axes_or_new(ax)
    for label, runs in histories.items():
        table = pd.concat([h.set_index("epoch")[column].rename(k) for k, h in enumerate(runs)],
                          axis=1)
        line, = ax.plot(table.index, table.mean(axis=1) * 100, marker="o", ms=3, label=label)
        if table.shape[1] > 1:
            ax.fill_between(table.index, table.min(axis=1) * 100, table.max(axis=1) * 100,
                            color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{column.replace('_accuracy', '')} accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    return ax


def plot_weight_distributions(result, axes=None, bins: int = 60):
    """Per layer: histogram of the device states w of the devices that received pulses, with
    their median (solid) and the median of their symmetry points (dashed).

    Parameters
    ----------
    result : RunResult
        A training result (weights and symmetry points in w units).
    axes : sequence of matplotlib.axes.Axes, optional
        One per layer; a new figure when omitted.
    bins : int
        Histogram bins on [−1, 1].

    Returns
    -------
    array of matplotlib.axes.Axes
        Devices (counts) against device state w (w units), one panel per layer.
    """
    n = len(result.weights)
    if axes is None:
        _, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.0), sharex=True)
    for li, ax in enumerate(np.atleast_1d(axes)):
        w = result.weights[li]
        up, down = result.pulse_counts[li]
        sp = result.symmetry_points[li]
        pulsed = (up + down) > 0
        ax.hist(w[pulsed], bins=bins, range=(-1, 1), color=WIDTH_COLOURS[li % 5], alpha=0.8)
        ax.axvline(np.median(w[pulsed]), color="k", lw=1.2, label="median w")
        ax.axvline(np.median(sp[pulsed]), color="k", lw=1.2, ls="--", label="median w*")
        ax.set_title(f"layer {li + 1} ({w.shape[1]}→{w.shape[0]})")
        ax.set_xlabel("device state w")
        if li == 0:
            ax.set_ylabel("devices")
            ax.legend(loc="upper left")
    return axes


def plot_random_walk(trajectories: np.ndarray, symmetry_point: float, ax=None):
    """Trajectories of one device under random up/down pulses, with its symmetry point.

    Parameters
    ----------
    trajectories : array of float
        (pulses + 1, starts), as :func:`fetrain.device.pulsing.random_pulse_walk` returns (w units).
    symmetry_point : float
        The device's symmetry point (w units).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Device state w (w units) against pulse number.
    """
    ax = axes_or_new(ax)
    for k in range(trajectories.shape[1]):
        ax.plot(np.arange(trajectories.shape[0]), trajectories[:, k], lw=0.8,
                label=f"start {trajectories[0, k]:+.1f}")
    ax.axhline(symmetry_point, color="k", ls=":", lw=1, label=f"w* = {symmetry_point:+.2f}")
    ax.set_xlabel("random pulses (up or down with probability ½)")
    ax.set_ylabel("device state w")
    ax.legend()
    return ax


def plot_balance(model, layers: pd.DataFrame, ax=None):
    """Where a device settles against the share f of its pulses that are up pulses (the balance
    point f·Δw↑ = (1 − f)·Δw↓ of the model's table), with each layer's (f, median w) marked.

    ``layers`` has columns ``layer``, ``up fraction`` and ``median w (pulsed)`` (e.g.
    :func:`fetrain.train.loop.layer_summary`, one row per layer and seed).

    Parameters
    ----------
    model : DeviceModel
        The device model.
    layers : pandas.DataFrame
        Per layer (and seed), ``up fraction`` (dimensionless) and ``median w (pulsed)`` (w units).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Device state w (w units) against the share of up pulses (dimensionless).
    """
    ax = axes_or_new(ax)
    f = np.linspace(0.02, 0.98, 97)
    b = np.array([model.balance_point(v) for v in f])
    ax.plot(f, b, color="k", lw=1.2, label="balance point of the table")
    ax.axvline(0.5, color="0.6", ls=":", lw=1)
    ax.axhline(model.symmetry_point, color="0.6", ls=":", lw=1)
    for k, (name, grp) in enumerate(layers.groupby("layer", sort=False)):
        ax.plot(grp["up fraction"], grp["median w (pulsed)"], "o", color=WIDTH_COLOURS[k % 5],
                label=name)
    ax.set_xlabel("share of up pulses f")
    ax.set_ylabel("device state w")
    ax.set_ylim(-1, 1)
    ax.legend()
    return ax


def plot_threshold_sweep(thresholds, accuracy, pulses, axes=None):
    """Mixed precision's threshold sweep: final accuracy and pulses fired against ε / dw_min.

    Parameters
    ----------
    thresholds : array of float
        The thresholds ε in units of the device's dw_min (dimensionless).
    accuracy : array of float
        Final test accuracy of each run (fraction, drawn in %).
    pulses : array of float
        Pulses fired over each run (counts).
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (accuracy left, pulses right); a new figure when omitted.

    Returns
    -------
    pair of matplotlib.axes.Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=TWO_PANELS)
    left, right = axes
    left.semilogx(thresholds, np.asarray(accuracy, dtype=float) * 100, "o-", color="C0")
    left.set_ylabel("final test accuracy (%)")
    right.loglog(thresholds, pulses, "s-", color="C1")
    right.set_ylabel("pulses fired over the run")
    for ax in axes:
        ax.set_xlabel("threshold ε / dw_min")
        ax.axvline(1.0, color="0.5", lw=0.8, ls=":")
    return axes


def plot_engine_curves(curves: pd.DataFrame, ax=None, title: str | None = None):
    """Test accuracy against epoch in two engines: thin lines are seeds, thick lines their means.

    Parameters
    ----------
    curves : pandas.DataFrame
        One row per (engine, seed, evaluation), with columns ``engine``, ``seed``, ``epoch``
        (epochs, fractional between evaluations) and ``test_accuracy`` (fraction), as
        :func:`fetrain.study.crosscheck.cross_check` returns them.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        The panel's title.

    Returns
    -------
    matplotlib.axes.Axes
        Accuracy in % against epoch.
    """
    ax = axes_or_new(ax)
    for colour, (name, group) in zip(("C0", "C1"), curves.groupby("engine", sort=False)):
        for _, seed_curve in group.groupby("seed"):
            ax.plot(seed_curve["epoch"], seed_curve["test_accuracy"] * 100, color=colour, lw=0.6,
                    alpha=0.5)
        mean = group.groupby("epoch")["test_accuracy"].mean() * 100
        ax.plot(mean.index, mean, color=colour, lw=2.2, label=f"{name} (mean of {group.seed.nunique()})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_agreement(checks: dict, ax=None, tolerance_points: float = 3.0):
    """Each cross-check's paired difference in mean accuracy, with the margin it is tested against.

    Parameters
    ----------
    checks : dict of str to pandas.DataFrame
        Check name to its one-row agreement table (:func:`fetrain.study.crosscheck.agreement`:
        ``difference`` and ``margin`` as accuracy fractions).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    tolerance_points : float
        The fixed part of the margin (accuracy points), drawn as a grey band.

    Returns
    -------
    matplotlib.axes.Axes
        Difference fetrain − AIHWKit (accuracy points) per check; a check passes when its
        point lies inside its bar, whose half-width is the margin.
    """
    ax = axes_or_new(ax)
    names = list(checks)
    y = np.arange(len(names))[::-1]
    ax.axvspan(-tolerance_points, tolerance_points, color="0.9", lw=0,
               label=f"±{tolerance_points:g} points")
    for yi, name in zip(y, names):
        row = checks[name].iloc[0]
        d, margin = float(row["difference"]) * 100, float(row["margin"]) * 100
        colour = "C0" if abs(d) <= margin else "C3"
        ax.plot([-margin, margin], [yi, yi], "|-", color="0.5", lw=1.2, ms=10)
        ax.plot(d, yi, "o", color=colour)
    ax.plot([], [], "|-", color="0.5", label="margin 3 points + t·SE")
    ax.plot([], [], "o", color="C0", label="difference (inside: agree)")
    ax.axvline(0, color="k", lw=0.6)
    ax.set_yticks(y, names)
    ax.set_xlabel("mean accuracy over the curve, fetrain − AIHWKit (points)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8)
    return ax


def plot_pilot(pilot: pd.DataFrame, target: float, device_label: str, axes=None):
    """The validation pilot: mean validation accuracy over seeds against epoch, one line per
    learning rate, for the floating-point baseline and the device with the naive reference and
    with the reference at the symmetry point.

    Parameters
    ----------
    pilot : pandas.DataFrame
        :func:`fetrain.study.pilot.load_pilot`'s table (accuracies as fractions).
    target : float
        The target accuracy (fraction), drawn dotted.
    device_label : str
        The pilot's device, as the titles name it (``20 ns``).
    axes : sequence of three matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        Validation accuracy (%) against epoch, three panels.
    """
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True)
    panels = [("float", "none", "floating point"),
              ("analog", "naive", f"{device_label}, naive reference"),
              ("analog", "symmetry_point", f"{device_label}, reference at w*")]
    for ax, (kind, reference, title) in zip(axes, panels):
        chosen = pilot[(pilot.kind == kind) & (pilot.reference == reference)]
        for rate, group in chosen.groupby("lr"):
            curve = group.groupby("epoch")["val_accuracy"].mean() * 100
            ax.plot(curve.index, curve, marker="o", ms=2.5, label=f"lr {rate:g}")
        ax.axhline(target * 100, color="k", ls=":", lw=1)
        ax.set_title(title)
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("validation accuracy (%)")
    axes[0].legend()
    fig = axes[0].figure
    fig.tight_layout()
    return fig


def accuracy_figure(groups: dict, target: float, column: str = "test_accuracy",
                    figsize=(6.5, 3.6)):
    """Accuracy against epoch of groups of runs (mean over seeds, band from the lowest to the
    highest), with the target accuracy dotted.

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by label, one per seed.
    target : float
        The target accuracy (fraction).
    column : str
        The history's accuracy column.
    figsize : tuple of float
        Figure size (inches).

    Returns
    -------
    matplotlib.figure.Figure
        Accuracy (%) against epoch.
    """
    fig, ax = plt.subplots(figsize=figsize)
    plot_accuracy_curves({name: [r.history for r in runs] for name, runs in groups.items()},
                         ax=ax, column=column)
    ax.axhline(target * 100, color="k", ls=":", lw=1, label="target")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_centred_weights(result, axes=None, bins: int = 60):
    """Per layer: histogram of the weights w − w_ref (device state minus its reference) of the
    devices that received pulses, with their median.

    Parameters
    ----------
    result : RunResult
        A training result (states and references in w units).
    axes : sequence of matplotlib.axes.Axes, optional
        One per layer; a new figure when omitted.
    bins : int
        Histogram bins on [−1, 1].

    Returns
    -------
    array of matplotlib.axes.Axes
        Devices (counts) against w − w_ref (w units), one panel per layer.
    """
    n = len(result.weights)
    if axes is None:
        _, axes = plt.subplots(1, n, figsize=(3.3 * n, 3.0))
    for li, ax in enumerate(np.atleast_1d(axes)):
        up, down = result.pulse_counts[li]
        pulsed = (up + down) > 0
        centred = (result.weights[li] - result.references[li])[pulsed]
        ax.hist(centred, bins=bins, range=(-1, 1), color=WIDTH_COLOURS[li % 5])
        if centred.size:
            ax.axvline(np.median(centred), color="k", lw=1.2, label="median")
        ax.set_title(f"layer {li + 1}")
        ax.set_xlabel("w − w_ref")
        if li == 0:
            ax.set_ylabel("devices")
            ax.legend(loc="upper left")
    return axes


def plot_robustness(live: pd.DataFrame, full: pd.DataFrame, target: float, axes=None):
    """Symmetry point shifting with a mis-set and a drifting reference: final test accuracy
    against the reference offset δ (left) and the drift rate (right), a page's live sweep
    (filled) beside the full one (open), each labelled with its device, epochs and seeds.

    Parameters
    ----------
    live, full : pandas.DataFrame
        :func:`fetrain.study.robustness.robustness_table` of each sweep (``sweep``, ``value``,
        ``seed``, ``test_accuracy`` as a fraction, ``device``, ``epochs``).
    target : float
        The target accuracy (fraction), drawn dotted.
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        Test accuracy (%) against δ (w units) and against the drift (w units per epoch).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=TWO_PANELS, sharey=True)

    def label(table, what):
        device = str(table["device"].iloc[0]).split(" (")[0]
        return (f"{what}, {device}, {int(table['epochs'].iloc[0])} epoch(s), "
                f"{table['seed'].nunique()} seed(s)")

    for ax, kind, xlabel in zip(axes, ("offset", "drift"),
                                ("reference offset δ (w)", "drift (w per epoch)")):
        for table, style, what in ((live, dict(marker="o"), "live"),
                                   (full, dict(marker="o", ls="--", mfc="none"), "full sweep")):
            curve = table[table.sweep == kind].groupby("value")["test_accuracy"].mean() * 100
            ax.plot(curve.index, curve, label=label(table, what), **style)
        ax.axhline(target * 100, color="k", ls=":", lw=1)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    axes[0].legend()
    return axes[0].figure


def accuracy_and_pulses_figure(groups: dict, target: float):
    """Two panels: test accuracy against epoch of every group of runs (mean over seeds, band from
    the lowest to the highest, the target dotted), and the pulses each analog group fires per
    epoch (mean over seeds, log scale).

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by label, one per seed; groups without a device model (the floating-point
        baseline) appear in the left panel only.
    target : float
        The target accuracy (fraction).

    Returns
    -------
    matplotlib.figure.Figure
        Accuracy (%) against epoch; pulses (counts) per epoch against epoch.
    """
    from ..study.runs import pulses_per_epoch

    fig, (left, right) = plt.subplots(1, 2, figsize=TWO_PANELS)
    plot_accuracy_curves({name: [r.history for r in runs] for name, runs in groups.items()},
                         ax=left)
    left.axhline(target * 100, color="k", ls=":", lw=1)
    for k, (name, runs) in enumerate(groups.items()):
        if runs[0].config.model is None:
            continue
        per_epoch = pulses_per_epoch(runs)
        right.semilogy(per_epoch.index, per_epoch, marker="o", ms=3, label=name, color=f"C{k}")
    right.set_xlabel("epoch")
    right.set_ylabel("pulses per epoch")
    right.legend()
    return fig


def threshold_figure(table: pd.DataFrame):
    """Mixed precision's threshold sweep as a figure (:func:`plot_threshold_sweep`).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`fetrain.study.mixed.threshold_table`: ``ε / dw_min``, ``test accuracy``
        (fraction), ``pulses`` (counts).

    Returns
    -------
    matplotlib.figure.Figure
        Final test accuracy (%) and pulses fired against ε / dw_min.
    """
    axes = plot_threshold_sweep(table["ε / dw_min"], table["test accuracy"], table["pulses"])
    return axes[0].figure


def overheads_figure(overheads: pd.DataFrame):
    """Where each algorithm's energy goes over a training run (complete form): analog writes,
    digital work on χ and the one-off programming of the references, as shares of the total,
    the total (µJ) written at the end of each bar.

    Parameters
    ----------
    overheads : pandas.DataFrame
        :func:`fetrain.study.mixed.overheads` (energies in J).

    Returns
    -------
    matplotlib.figure.Figure
        One bar per algorithm; share of the total (%) on the x axis.
    """
    from .sweep_figures import plot_energy_shares

    parts = {"analog write, complete (J)": "analog writes",
             "digital (J)": "digital (χ: read, multiply, add, write, compare)",
             "one-off reference programming (J)": "one-off reference programming"}
    shown = overheads[["algorithm"]].copy()
    for column, name in {**parts, "total, complete (J)": "total"}.items():
        shown[name] = overheads[column] * 1e6                     # J → µJ
    fig, ax = plt.subplots(figsize=(6.5, 2.9))
    plot_energy_shares(shown, "algorithm", list(parts.values()), "total", ax=ax)
    return fig


def engine_curves_figure(curves: dict):
    """Learning curves of two engines, one panel per cross-check (:func:`plot_engine_curves`:
    thin lines are seeds, thick lines their means), panels sharing the accuracy axis.

    Parameters
    ----------
    curves : dict of str to pandas.DataFrame
        A check's name as the panel's title to its paired curves (``engine``, ``seed``,
        ``epoch`` in epochs, ``test_accuracy`` as a fraction); with one entry, no title.

    Returns
    -------
    matplotlib.figure.Figure
        Test accuracy (%) against epoch.
    """
    n = len(curves)
    fig, axes = plt.subplots(1, n, figsize=(6.5, 3.6) if n == 1 else TWO_PANELS, sharey=True,
                             squeeze=False)
    for k, (ax, (name, table)) in enumerate(zip(axes[0], curves.items())):
        plot_engine_curves(table, ax=ax, title=name if n > 1 else None)
        if k:
            ax.set_ylabel("")
    return fig


def agreement_figure(checks: dict):
    """The cross-checks' tests as one figure (:func:`plot_agreement`).

    Parameters
    ----------
    checks : dict of str to pandas.DataFrame
        Check name to its one-row agreement table (``difference`` and ``margin`` as accuracy
        fractions).

    Returns
    -------
    matplotlib.figure.Figure
        Difference fetrain − AIHWKit (accuracy points) per check, with its margin.
    """
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    plot_agreement(checks, ax=ax)
    return fig
