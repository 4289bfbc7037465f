"""The book's figure style and plotting helpers.

This module's room: drawing. Every helper takes the data or model it shows and an optional
matplotlib ``Axes``, labels its axes with units, and returns the ``Axes``; none computes science
that is not also available without a plot.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .fitting import SchottkyFit, schottky_coordinates
from .devicemodel import stable_points_of_table
from .physics import HZODevice

#: matplotlib settings of the book's figures (sized for the book's text column).
BOOK_STYLE: dict = {
    "figure.figsize": (6.0, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
#: Size of a figure with two panels side by side, inches.
TWO_PANELS = (8.5, 3.4)

#: One colour per pulse width, from the shortest to the longest.
WIDTH_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")


def set_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib (call once, in a chapter's set-up cell)."""
    mpl.rcParams.update(BOOK_STYLE)


def format_width(width_s: float) -> str:
    """A pulse width as the book writes it: ``20 ns``, ``2 µs``, ``0.2 ms`` … (``unknown width``
    for NaN).

    Parameters
    ----------
    width_s : float
        Pulse width (s).

    Returns
    -------
    str
        The width with its unit (ns, µs, ms or s).
    """
    if not np.isfinite(width_s):
        return "unknown width"
    for unit, factor in (("ns", 1e9), ("µs", 1e6), ("ms", 1e3)):
        value = width_s * factor
        if value < 1000 - 1e-9:
            return f"{value:g} {unit}"
    return f"{width_s:g} s"


def table(frame: pd.DataFrame, formats=None, widths=None, na_rep: str = "unknown"):
    """A pandas Styler that fits the book's text column: wrapped cells, no index.

    Every table of the book goes through this helper, so that all look alike.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show; its index is hidden (put what names a row into a column). Columns of a
        two-level header are joined as ``"upper: lower"``.
    formats : dict or str, optional
        Passed to ``Styler.format``: a format string per column, such as ``{"E (µJ)": "{:.3g}"}``.
    widths : list of str, optional
        CSS widths, one per column from the left (``"20%"``), fixing the column widths.
    na_rep : str
        What a missing value (NaN) shows: ``"unknown"`` unless the table means something else by
        it, such as ``"not reached"``.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table; a notebook shows it as HTML.
    """
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.copy()
        frame.columns = [": ".join(str(level) for level in column if str(level))
                         for column in frame.columns]
    styler = frame.style.hide(axis="index").format(formats, na_rep=na_rep)
    styles = [
        {"selector": "", "props": "width: 100%; table-layout: fixed; font-size: 0.85em;"},
        {"selector": "td, th", "props": "white-space: normal; overflow-wrap: break-word; "
                                        "hyphens: auto; vertical-align: top; padding: 2px 6px; "
                                        "text-align: left;"},
    ]
    for i, width in enumerate(widths or []):
        styles.append({"selector": f"th.col_heading.col{i}", "props": f"width: {width};"})
    return styler.set_table_styles(styles)


def mean_and_spread(frame: pd.DataFrame, by: str, columns, scale: float = 1.0,
                    digits: int = 1) -> pd.DataFrame:
    """Mean ± standard deviation over seeds, as text, one row per group.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per run (seed), with the column ``by`` naming the group.
    by : str
        The column that names a row's group (kept, first column of the result).
    columns : list of str
        The numeric columns to summarise.
    scale : float
        Factor applied before formatting (100 shows a fraction as percent).
    digits : int
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        ``by``, then for each column the text ``"mean ± std"`` (``"mean"`` alone for a single
        run), and ``seeds``, the number of runs per group; groups in order of first appearance.
    """
    grouped = frame.groupby(by, sort=False)
    rows = []
    for name, group in grouped:
        row = {by: name}
        for column in columns:
            values = group[column].to_numpy(dtype=float) * scale
            mean = np.nanmean(values) if np.isfinite(values).any() else np.nan
            if not np.isfinite(mean):
                row[column] = "unknown"
            elif len(values) > 1:
                row[column] = f"{mean:.{digits}f} ± {np.nanstd(values, ddof=1):.{digits}f}"
            else:
                row[column] = f"{mean:.{digits}f}"
        row["seeds"] = len(group)
        rows.append(row)
    return pd.DataFrame(rows)


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


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
    ax = _axes(ax)
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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
    ax = _axes(ax)
    e = np.linspace(2.0, 8.0, 300) if fields_MV_cm is None else np.asarray(fields_MV_cm)
    ax.semilogy(e, device.kinetics.median_switching_time_s(e * 1e8), color="k")
    ax.set_xlabel("field E (MV/cm)")
    ax.set_ylabel(r"median switching time $\tau$ (s)")
    return ax


def plot_energy_vs_width(table: pd.DataFrame, ax=None, form: str = "study"):
    """Energy per pulse against width (log–log) for each polarity; a band over the tabulated states.

    ``table`` is :func:`fetrain.energy.energy_table` output; ``form`` is ``study`` or ``complete``.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`fetrain.energy.energy_table` (widths in s, energies in J).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    form : str
        ``"study"`` or ``"complete"``.

    Returns
    -------
    matplotlib.axes.Axes
        Energy per pulse (pJ) against width (s).
    """
    ax = _axes(ax)
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

    ``table`` is :func:`fetrain.energy.energy_table` output: conduction V·I·t (the study's formula),
    capacitor charging C·V², switching charge 2·P_r·A·V·Δp, and their sum.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`fetrain.energy.energy_table` (widths in s, energies in J).
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
    ax = _axes(ax)
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


# ---- Chapter 2: response curves, fits, step tables, symmetry points --------------------------

def plot_response_curves(model, ax=None, colour=None):
    """Mean w after each pulse (potentiation, then depression) with ±1 std band and the fits.

    ``model`` is a :class:`fetrain.devicemodel.DeviceModel`. The depression phase is drawn after
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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

    ``truth`` (optional): a :class:`fetrain.synthetic.WidthTruth` whose true steps are drawn thin
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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


# ---- Chapter 3: training curves, weight distributions, one device ----------------------------

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
    ax = _axes(ax)
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
        (pulses + 1, starts), as :func:`fetrain.experiments.random_pulse_walk` returns (w units).
    symmetry_point : float
        The device's symmetry point (w units).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Device state w (w units) against pulse number.
    """
    ax = _axes(ax)
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
    :func:`fetrain.training.layer_summary`, one row per layer and seed).

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
    ax = _axes(ax)
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


# ---- Chapter 6: the sweep across pulse widths -------------------------------------------------

#: Marker per training strategy of the sweep.
STRATEGY_MARKERS = {"sgd": "o", "sps": "s", "mp": "^"}


def _width_colour(width_s: float, widths) -> str:
    order = sorted(float(w) for w in widths)
    return WIDTH_COLOURS[order.index(float(width_s)) % len(WIDTH_COLOURS)]


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
    ax = _axes(ax)
    h = histories[histories["strategy"] == strategy]
    widths = sorted(histories["width_s"].unique())
    for t, g in h.groupby("width_s"):
        per = g.pivot_table(index="epoch", columns="seed", values="test_accuracy") * 100
        colour = _width_colour(t, widths)
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
        Output of :func:`fetrain.tradeoff.aggregate` (``width_s`` in s).
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
    ax = _axes(ax)
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
        Output of :func:`fetrain.tradeoff.aggregate` (energies in J).
    labels : dict of str to str
        Label per strategy.
    part_labels : dict of str to str
        Label per energy part (columns of ``fetrain.tradeoff.PARTS``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Share of the energy to target (%) per configuration, totals in µJ.
    """
    ax = _axes(ax)
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
        :func:`fetrain.experiments.cross_check` returns them.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        The panel's title.

    Returns
    -------
    matplotlib.axes.Axes
        Accuracy in % against epoch.
    """
    ax = _axes(ax)
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
        Check name to its one-row agreement table (:func:`fetrain.experiments.agreement`:
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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
        Output of :func:`fetrain.tradeoff.with_totals` (``total_J`` in J, accuracy as a
        fraction).
    front : pandas.DataFrame
        Output of :func:`fetrain.tradeoff.pareto_front`.
    labels : dict of str to str
        Label per strategy.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Test accuracy (%) against total energy (µJ).
    """
    ax = _axes(ax)
    widths = sorted(points["width_s"].unique())
    for (t, strategy), g in points.groupby(["width_s", "strategy"]):
        g = g[g["total_J"] > 0]
        ax.scatter(g["total_J"] * 1e6, g["test_accuracy"] * 100, s=8, alpha=0.5,
                   color=_width_colour(t, widths), marker=STRATEGY_MARKERS.get(strategy, "o"),
                   lw=0)
    f = front[front["total_J"] > 0]
    ax.step(f["total_J"] * 1e6, f["test_accuracy"] * 100, where="post", color="k", lw=1.2,
            label="Pareto front")
    handles = [plt.Line2D([], [], color=_width_colour(t, widths), marker="o", ls="",
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
        Output of :func:`fetrain.tradeoff.win_map` (widths in s, costs in J).
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

    ax = _axes(ax)
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
                grid[i, j] = to_rgb(_width_colour(w, widths))
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
