"""Figures of device physics and device models (Chapters 1 and 2, Appendix B).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..common.display import format_width
from ..device.fitting import SchottkyFit, schottky_coordinates
from ..device.hzo import HZODevice
from ..device.steps import stable_points_of_table
from ..device.summary import FIGURES
from .style import TWO_PANELS, WIDTH_COLOURS, axes_or_new


def plot_iv(iv: pd.DataFrame, temperature_K: float, ax=None):
    """|I| against V for every state at one temperature (semi-log).

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    temperature_K : float
        The temperature drawn (K).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        |I| (A) against V (V).
    """
    ax = axes_or_new(ax)
    sel = iv[iv["temperature_K"] == temperature_K]
    colours = plt.cm.viridis(np.linspace(0.1, 0.9, sel["state"].nunique()))
    for colour, (state, grp) in zip(colours, sel.groupby("state", sort=True)):
        grp = grp.sort_values("voltage_V")
        ax.semilogy(grp["voltage_V"], np.abs(grp["current_A"]), ".", ms=2.5, color=colour,
                    label=state)
    ax.set_xlabel("voltage V (V)")
    ax.set_ylabel("|current| (A)")
    ax.set_title(f"read I–V at {temperature_K:g} K")
    ax.legend(title="state", ncol=2, loc="upper center")
    return ax


def plot_iv_temperatures(iv: pd.DataFrame, state: str, ax=None):
    """|I| against V for one state at every temperature (semi-log).

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    state : str
        The state drawn.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        |I| (A) against V (V).
    """
    ax = axes_or_new(ax)
    sel = iv[iv["state"] == state]
    temps = sorted(sel["temperature_K"].unique())
    colours = plt.cm.plasma(np.linspace(0.1, 0.85, len(temps)))
    for colour, temp in zip(colours, temps):
        grp = sel[sel["temperature_K"] == temp].sort_values("voltage_V")
        ax.semilogy(grp["voltage_V"], np.abs(grp["current_A"]), ".", ms=2.5, color=colour,
                    label=f"{temp:g} K")
    ax.set_xlabel("voltage V (V)")
    ax.set_ylabel("|current| (A)")
    ax.set_title(f"state {state}")
    ax.legend(title="temperature", loc="upper center", ncol=2)
    return ax


def plot_schottky(iv: pd.DataFrame, fit: SchottkyFit, state: str, ax=None):
    """Schottky plot of one fitted state: ln(|I|/(A·T^{3/2}·E)) against sqrt(E), fit lines dashed.

    Points below the fit's voltage threshold are drawn hollow.

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    fit : SchottkyFit
        The fit.
    state : str
        A fitted state.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        ln(|I|/(A·T^{3/2}·E)) (SI units inside the log) against sqrt(E) (sqrt(MV/cm)).
    """
    ax = axes_or_new(ax)
    data = schottky_coordinates(iv[iv["state"] == state], fit.stack)
    temps = sorted(data["temperature_K"].unique())
    colours = plt.cm.plasma(np.linspace(0.1, 0.85, len(temps)))
    x_unit = 1e-4  # sqrt(V/m) -> sqrt(MV/cm): 1 MV/cm = 1e8 V/m
    for colour, temp in zip(colours, temps):
        grp = data[(data["temperature_K"] == temp) & (data["voltage_V"] > 0)]
        used = grp["voltage_V"] >= fit.min_voltage_V
        ax.plot(grp["sqrt_field"][used] * x_unit, grp["schottky_y"][used], ".", ms=3, color=colour,
                label=f"{temp:g} K")
        ax.plot(grp["sqrt_field"][~used] * x_unit, grp["schottky_y"][~used], "o", ms=3, mfc="none",
                color=colour, alpha=0.5)
        v = np.linspace(grp["voltage_V"].min(), grp["voltage_V"].max(), 100)
        e = fit.stack.field(v)
        y_fit = np.log(np.abs(fit.current(v, temp, state)) / (fit.stack.area_m2 * temp ** 1.5 * e))
        ax.plot(np.sqrt(e) * x_unit, y_fit, "--", color=colour, lw=1)
    ax.set_xlabel(r"$\sqrt{E}$ ($\sqrt{\mathrm{MV/cm}}$)")
    ax.set_ylabel(r"$\ln\left(|I| / (A\,T^{3/2} E)\right)$, SI units")
    ax.set_title(f"Schottky plot, state {state}")
    ax.legend(title="temperature")
    return ax


def plot_switching(device: HZODevice, widths_s, ax=None, polarity: str = "set",
                   voltages_V=None):
    """Fraction of the unswitched polarisation one pulse switches, against amplitude, per width.

    Marks the campaign amplitude of each width (filled dot), the voltage cap (grey line) and the
    campaign's target fraction (dotted line).

    Parameters
    ----------
    device : HZODevice
        The device.
    widths_s : sequence of float
        Pulse widths (s).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    polarity : str
        ``"set"`` or ``"reset"``.
    voltages_V : array of float, optional
        Amplitudes drawn (V); None: 1.5 … 5 V.

    Returns
    -------
    matplotlib.axes.Axes
        Fraction switched (dimensionless, log) against amplitude (V).
    """
    ax = axes_or_new(ax)
    stack = device.stack
    v = np.linspace(1.5, 5.0, 400) if voltages_V is None else np.asarray(voltages_V)
    for colour, t in zip(WIDTH_COLOURS, widths_s):
        s = device.kinetics.fraction_switched(t, device.kinetics.effective_field(v, polarity, stack))
        ax.semilogy(v, s, color=colour, label=format_width(t))
        va = device.write_amplitude(t, polarity)
        ax.semilogy([va], [device.fraction_per_pulse(t, polarity)], "o", color=colour)
    cap = device.scheme.cap(device)
    ax.axvline(cap, color="0.5", lw=1)
    ax.text(cap, 0.6, " cap", color="0.4", va="center", fontsize=8,
            transform=ax.get_xaxis_transform())
    target = getattr(device.scheme, "target_fraction", None)
    if target is not None:
        ax.axhline(target, color="0.3", ls=":", lw=1)
    ax.set_ylim(1e-4, 1)
    ax.set_xlabel(f"{polarity} pulse amplitude |V| (V)")
    ax.set_ylabel("fraction switched per pulse")
    ax.legend(title="pulse width")
    return ax


def plot_merz(device: HZODevice, ax=None, fields_MV_cm=None):
    """Median switching time τ(E) of the Merz law against field, with the five widths marked.

    Parameters
    ----------
    device : HZODevice
        The device.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    fields_MV_cm : array of float, optional
        Fields drawn (MV/cm); None: 2 … 8 MV/cm.

    Returns
    -------
    matplotlib.axes.Axes
        τ (s, log) against E (MV/cm).
    """
    ax = axes_or_new(ax)
    e = np.linspace(2.0, 8.0, 300) if fields_MV_cm is None else np.asarray(fields_MV_cm)
    ax.semilogy(e, device.kinetics.median_switching_time_s(e * 1e8), color="k")
    ax.set_xlabel("field E (MV/cm)")
    ax.set_ylabel(r"median switching time $\tau$ (s)")
    return ax


def plot_energy_vs_width(table: pd.DataFrame, ax=None, form: str = "study"):
    """Energy per pulse against width (log–log) for each polarity; a band over the tabulated states.

    ``table`` is :func:`fetrain.device.energy.energy_table` output; ``form`` is ``study`` or ``complete``.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`fetrain.device.energy.energy_table` (widths in s, energies in J).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    form : str
        ``"study"`` or ``"complete"``.

    Returns
    -------
    matplotlib.axes.Axes
        Energy per pulse (pJ) against width (s).
    """
    ax = axes_or_new(ax)
    col = {"study": "study_J", "complete": "complete_J"}[form]
    styles = {"set": ("-", "o"), "reset": ("--", "s")}
    for polarity, grp in table.groupby("polarity", sort=False):
        by_width = grp.groupby("pulse_width_s")[col]
        widths = np.array(sorted(grp["pulse_width_s"].unique()))
        lo, hi, mid = by_width.min().loc[widths], by_width.max().loc[widths], by_width.median().loc[widths]
        ls, marker = styles[polarity]
        line, = ax.loglog(widths, mid * 1e12, ls=ls, marker=marker, label=f"{polarity}, {form}")
        ax.fill_between(widths, lo * 1e12, hi * 1e12, color=line.get_color(), alpha=0.15)
    ax.set_xlabel("pulse width (s)")
    ax.set_ylabel("energy per pulse (pJ)")
    ax.legend()
    return ax


def plot_energy_components(table: pd.DataFrame, polarity: str = "set", state: float = 0.5, ax=None):
    """The terms of the complete energy per pulse against width (log–log), for one polarity and state.

    ``table`` is :func:`fetrain.device.energy.energy_table` output: conduction V·I·t (the study's formula),
    capacitor charging C·V², switching charge 2·P_r·A·V·Δp, and their sum.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`fetrain.device.energy.energy_table` (widths in s, energies in J).
    polarity : str
        ``"set"`` or ``"reset"``.
    state : float
        Polarisation state p before the pulse (dimensionless), one of the table's.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Energy per pulse (pJ) against width (s).
    """
    ax = axes_or_new(ax)
    sel = table[(table["polarity"] == polarity) & np.isclose(table["state"], state)]
    sel = sel.sort_values("pulse_width_s")
    terms = (("conduction_J", "conduction V·I·t (study)", "-", "o"),
             ("capacitive_J", "capacitor C·V²", "--", "s"),
             ("switching_J", "switching 2·P_r·A·V·Δp", ":", "^"),
             ("complete_J", "complete (sum)", "-", None))
    for col, label, ls, marker in terms:
        kw = {"color": "k", "lw": 2.5, "alpha": 0.35} if col == "complete_J" else {}
        ax.loglog(sel["pulse_width_s"], sel[col] * 1e12, ls=ls, marker=marker, label=label, **kw)
    ax.set_xlabel("pulse width (s)")
    ax.set_ylabel("energy per pulse (pJ)")
    ax.set_title(f"terms of the complete formula, {polarity} at p = {state:g}")
    ax.legend()
    return ax


def plot_response_curves(model, ax=None, colour=None):
    """Mean w after each pulse (potentiation, then depression) with ±1 std band and the fits.

    ``model`` is a :class:`fetrain.device.model.DeviceModel`. The depression phase is drawn after
    the potentiation phase on the same pulse axis; dotted verticals mark the ends of the fit windows.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    colour : str, optional
        Colour of the data; None: the first width colour.

    Returns
    -------
    matplotlib.axes.Axes
        w (w units) against pulse number.
    """
    ax = axes_or_new(ax)
    colour = colour or WIDTH_COLOURS[0]
    offset = 0
    for fit in (model.fit_up, model.fit_down):
        n = fit.pulse_index
        ax.fill_between(n + offset, fit.mean_w - fit.std_w, fit.mean_w + fit.std_w, color=colour,
                        alpha=0.25, lw=0)
        ax.plot(n + offset, fit.mean_w, ".", ms=1.5, color=colour)
        grid = np.arange(1, fit.fit_end + 1)
        ax.plot(grid + offset, fit(grid), "-", color="k", lw=1)
        ax.axvline(fit.fit_end + offset, color="0.5", ls=":", lw=1)
        offset += int(n.max())
    ax.set_xlabel("pulse number (potentiation, then depression)")
    ax.set_ylabel("weight w")
    ax.set_title(format_width(model.width_s))
    return ax


def plot_fit_residuals(model, ax=None):
    """Residuals (measured mean w − fit) against pulse number, inside the fit windows.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Residual (w units) against pulse number.
    """
    ax = axes_or_new(ax)
    for fit, ls in ((model.fit_up, "-"), (model.fit_down, "--")):
        inside = fit.pulse_index <= fit.fit_end
        ax.plot(fit.pulse_index[inside], fit.residuals[inside], ls, lw=0.8, label=fit.direction)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("pulse number")
    ax.set_ylabel("residual (w units)")
    ax.set_title(format_width(model.width_s))
    ax.legend()
    return ax


def plot_step_table(model, ax=None, truth=None, colour=None):
    """Up (solid) and down (dashed) step per pulse against w, with the symmetry point marked.

    ``truth`` (optional): a :class:`fetrain.device.truth.WidthTruth` whose true steps are drawn thin
    grey — available only because the data are synthetic.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    truth : WidthTruth, optional
        The generator's truth, drawn for comparison.
    colour : str, optional
        Colour of the model's steps; None: the first width colour.

    Returns
    -------
    matplotlib.axes.Axes
        Step per pulse (w units) against w (w units).
    """
    ax = axes_or_new(ax)
    colour = colour or WIDTH_COLOURS[0]
    w = np.linspace(-1, 1, 401)
    ax.plot(w, model.step_up_at(w), "-", color=colour, label="up (potentiation)")
    ax.plot(w, model.step_down_at(w), "--", color=colour, label="down (depression)")
    if truth is not None:
        ax.plot(w, truth.step_up(w), "-", color="0.4", lw=0.7, label="generator's truth")
        ax.plot(w, truth.step_down(w), "--", color="0.4", lw=0.7)
    points = stable_points_of_table(model.w_nodes, model.step_up, model.step_down)
    for k, (sp, basin_low, _) in enumerate(points):
        ax.axvline(sp, color="k", lw=0.8, ls=":")
        label = f" w* = {sp:+.2f}" if len(points) == 1 else f" w*{k + 1} = {sp:+.2f}"
        ax.text(sp, 0.03, label, transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=8, bbox={"fc": "white", "ec": "none", "alpha": 0.8})
        if len(points) > 1 and k > 0:
            ax.axvspan(basin_low - 0.004, basin_low + 0.004, color="0.7", lw=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("weight w")
    ax.set_ylabel("step per pulse |Δw|")
    ax.set_title(format_width(model.width_s))
    ax.legend(loc="upper center")
    return ax


def plot_symmetry_settling(model, starts=(-1.0, 0.0, 1.0), n_pairs=None, ax=None,
                           log_pairs: bool = False):
    """w after each up/down pair of pulses, from several starting weights (noise off).

    ``log_pairs`` draws the pair count on a logarithmic axis (linear between 0 and 1, so that the
    start, at 0 pairs, stays on the plot): the first pairs and the settled tail both show.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    starts : sequence of float
        Starting weights (w units).
    n_pairs : int, optional
        Pairs drawn (counts); None: until settled.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    log_pairs : bool
        Logarithmic pair axis.

    Returns
    -------
    matplotlib.axes.Axes
        w (w units) against pairs of pulses (counts).
    """
    ax = axes_or_new(ax)
    for start in starts:
        _, history = model.symmetry_point_by_pulsing(start=start)
        if n_pairs is not None:
            history = history[:n_pairs + 1]
        ax.plot(np.arange(history.size), history, label=f"start {start:+g}")
    for k, (sp, _, _) in enumerate(stable_points_of_table(model.w_nodes, model.step_up,
                                                          model.step_down)):
        ax.axhline(sp, color="k", ls=":", lw=1, label="w* from the table" if k == 0 else None)
    if log_pairs:
        ax.set_xscale("symlog", linthresh=1, linscale=0.25)
        ax.set_xlim(left=0)
    ax.set_xlabel("alternating up/down pulse pairs")
    ax.set_ylabel("weight w")
    ax.set_title(f"{format_width(model.width_s)}: a device under alternating pulses")
    ax.legend()
    return ax


def write_figures(model, out: Path) -> list[Path]:
    """Chapter 2's figures for this device, as PNG files in ``out``.

    Parameters
    ----------
    model : DeviceModel
        The fitted device model.
    out : pathlib.Path
        An existing, writable folder.

    Returns
    -------
    list of pathlib.Path
        The written files, named as in ``FIGURES``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt


    paths = []
    for name, draw in zip(FIGURES, (plot_response_curves, plot_fit_residuals,
                                    plot_step_table, plot_symmetry_settling)):
        fig, ax = plt.subplots(figsize=(6, 4))
        if draw is plot_symmetry_settling:
            draw(model, starts=(-1.0, -0.5, 0.0, 0.5, 1.0), ax=ax)
        else:
            draw(model, ax=ax)
        fig.tight_layout()
        path = out / name
        fig.savefig(path, dpi=120)
        plt.close(fig)
        paths.append(path)
    return paths


# ---- the figures of the device chapters, assembled ----------------------------------------------


def iv_figure(iv: pd.DataFrame, temperature_K: float = 300.0, state: str = "P100"):
    """Read I–V sweeps: every state at one temperature (left), one state at every temperature
    (right).

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    temperature_K : float
        The temperature of the left panel (K).
    state : str
        The state of the right panel.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels of |I| (A, log) against V (V).
    """
    fig, axes = plt.subplots(1, 2, figsize=TWO_PANELS)
    plot_iv(iv, temperature_K, ax=axes[0])
    plot_iv_temperatures(iv, state, ax=axes[1])
    fig.tight_layout()
    return fig


def schottky_figure(iv: pd.DataFrame, fit: SchottkyFit):
    """Schottky plots of every fitted state, side by side on a shared axis.

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    fit : SchottkyFit
        The fit.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per state: ln(|I|/(A·T^{3/2}·E)) (SI units) against sqrt(E) (sqrt(MV/cm)).
    """
    fig, axes = plt.subplots(1, len(fit.states), figsize=TWO_PANELS, sharey=True, squeeze=False)
    for ax, state in zip(axes[0], fit.states):
        plot_schottky(iv, fit, state, ax=ax)
    fig.tight_layout()
    return fig


def kinetics_figure(device: HZODevice, widths_s, polarity: str = "set"):
    """Switching kinetics: the Merz law's median switching time against field, with the pulse
    widths marked (left), and the fraction one pulse switches against amplitude (right).

    Parameters
    ----------
    device : HZODevice
        The device.
    widths_s : sequence of float
        Pulse widths (s).
    polarity : str
        The polarity of the right panel.

    Returns
    -------
    matplotlib.figure.Figure
        Left: τ (s) against E (MV/cm); right: fraction switched against amplitude (V).
    """
    fig, axes = plt.subplots(1, 2, figsize=TWO_PANELS)
    plot_merz(device, ax=axes[0])
    for colour, t in zip(WIDTH_COLOURS, widths_s):
        axes[0].axhline(t, color=colour, lw=1, ls="--", label=format_width(t))
    axes[0].legend(title="pulse width")
    plot_switching(device, widths_s, ax=axes[1], polarity=polarity)
    fig.tight_layout()
    return fig


def energy_figure(energies: pd.DataFrame, state: float = 0.5, polarity: str = "set"):
    """Energy per pulse against width: the study's formula for both polarities (left), and the
    terms of the complete formula for one polarity and state (right).

    Parameters
    ----------
    energies : pandas.DataFrame
        :func:`fetrain.device.energy.energy_table` (widths in s, energies in J).
    state : float
        The state p of the right panel (dimensionless), one of the table's.
    polarity : str
        The polarity of the right panel.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels of energy per pulse (pJ) against pulse width (s), log–log.
    """
    fig, axes = plt.subplots(1, 2, figsize=TWO_PANELS, sharey=True)
    plot_energy_vs_width(energies, ax=axes[0], form="study")
    axes[0].set_title("study's formula E = V·I·t")
    plot_energy_components(energies, polarity=polarity, state=state, ax=axes[1])
    fig.tight_layout()
    return fig


def _width_grid(models: dict, ncols: int = 3, size=(10, 6)):
    """A grid with one panel per width, the unused panels switched off."""
    nrows = -(-len(models) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False)
    for ax in axes.flat[len(models):]:
        ax.axis("off")
    return fig, axes.flat


def response_curves_figure(models: dict):
    """The measured response curves and their fits, one panel per pulse width.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s), shortest first.

    Returns
    -------
    matplotlib.figure.Figure
        Panels of w (w units) against pulse number (:func:`plot_response_curves`).
    """
    fig, axes = _width_grid(models)
    for ax, colour, model in zip(axes, WIDTH_COLOURS, models.values()):
        plot_response_curves(model, ax=ax, colour=colour)
    fig.tight_layout()
    return fig


def residuals_figure(models: dict):
    """The residuals of the fits inside their windows, one panel per pulse width in a row.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s), shortest first.

    Returns
    -------
    matplotlib.figure.Figure
        Panels of residual (w units) against pulse number, on a shared axis.
    """
    fig, axes = plt.subplots(1, len(models), figsize=(2.4 * len(models), 2.8), sharey=True,
                             squeeze=False)
    for k, (ax, model) in enumerate(zip(axes[0], models.values())):
        plot_fit_residuals(model, ax=ax)
        if k:
            ax.set_ylabel("")
            ax.get_legend().remove()
    fig.tight_layout()
    return fig


def step_tables_figure(models: dict, truths: dict | None = None, ncols: int = 3, size=None):
    """The step tables, one panel per pulse width, with the generator's true steps when known.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s), shortest first.
    truths : dict of float to WidthTruth, optional
        The generator's truth by width (s), drawn thin grey.
    ncols : int
        Panels per row (at most one per model).
    size : tuple of float, optional
        Figure size (inches); None: 3 inches of height per row, the text column's width.

    Returns
    -------
    matplotlib.figure.Figure
        Panels of step per pulse (w units) against w (w units); the legend on the first only.
    """
    ncols = min(ncols, len(models))
    nrows = -(-len(models) // ncols)
    if size is None:
        size = (10, 3 * nrows) if ncols >= 3 else (TWO_PANELS[0], TWO_PANELS[1] * nrows)
    fig, axes = _width_grid(models, ncols, size)
    for k, (ax, colour, (t, model)) in enumerate(zip(axes, WIDTH_COLOURS, models.items())):
        plot_step_table(model, ax=ax, truth=None if truths is None else truths[t], colour=colour)
        if k:
            ax.get_legend().remove()
    fig.tight_layout()
    return fig


def settling_figure(model, starts=(-1.0, 0.0, 1.0), n_pairs: int = 1500):
    """One device under alternating up/down pulses, noise off, from several starts, on a
    logarithmic pair axis.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    starts : sequence of float
        Starting weights (w units).
    n_pairs : int
        Pairs drawn (counts).

    Returns
    -------
    matplotlib.figure.Figure
        w (w units) against pairs of pulses (counts).
    """
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    plot_symmetry_settling(model, starts=starts, n_pairs=n_pairs, ax=ax, log_pairs=True)
    fig.tight_layout()
    return fig


def two_basin_figure(model, truth=None, starts=(-1.0, -0.5, 0.0, 0.5, 1.0)):
    """A device with several stable symmetry points: its step table (left) and where
    alternating pulses settle it from several starts (right).

    Parameters
    ----------
    model : DeviceModel
        The fitted model.
    truth : ScaledTruth, optional
        The generator's truth on the fit's weight scale, drawn thin grey.
    starts : sequence of float
        Starting weights of the right panel (w units).

    Returns
    -------
    matplotlib.figure.Figure
        Left: step per pulse (w units) against w; right: w against pulse pairs (counts).
    """
    fig, axes = plt.subplots(1, 2, figsize=TWO_PANELS)
    plot_step_table(model, ax=axes[0], truth=truth)
    axes[0].set_title(f"degree-{model.fit_up.polynomial.degree()} fit")
    plot_symmetry_settling(model, starts=starts, ax=axes[1])
    axes[1].set_title("alternating pulses, noise off")
    fig.tight_layout()
    return fig
