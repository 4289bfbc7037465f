"""Tables of the device chapters (Chapters 1 and 2, Appendix B), as the book shows them: columns
named with their units, values converted to the displayed unit, widths written ``20 ns``.

Each function takes what :mod:`fetrain.study.devices` (or the device layer) computed, in SI or w
units, and returns a styled table (:func:`fetrain.book.tables.table`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..common.display import format_width
from ..device.formats import IV_COLUMNS, IV_FILE, PULSE_COLUMNS, PULSES_FILE
from ..device.hzo import HZODevice, describe_constants
from .tables import table


def _widths(seconds) -> list[str]:
    return [format_width(float(t)) for t in seconds]


# ---- Chapter 1 ----------------------------------------------------------------------------------


def constants_table(device: HZODevice):
    """Every constant of a device: name, value in its display unit, kind and source.

    Parameters
    ----------
    device : HZODevice
        The device.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``name``, ``value``, ``unit``, ``kind`` (published, calibrated, assumption), ``source``.
    """
    constants = pd.DataFrame(describe_constants(device)).drop(columns="group")
    return table(constants, {"value": "{:.4g}"}, widths=["23%", "9%", "13%", "12%", "43%"])


def derived_table(device: HZODevice):
    """What follows from a device's constants: its capacitance, ON/OFF ratio and read currents.

    Parameters
    ----------
    device : HZODevice
        The device (read at its stack's read voltage and temperature).

    Returns
    -------
    pandas.io.formats.style.Styler
        ``quantity``, ``value``, ``unit`` (fF, dimensionless, pA).
    """
    stack, conduction = device.stack, device.conduction
    read = stack.read_voltage_V
    rows = [("capacitance C = ε0 ε_static A / d", stack.capacitance_F * 1e15, "fF"),
            ("ON/OFF ratio G(p=1)/G(p=0) at the read voltage",
             conduction.on_off_ratio(stack), "1"),
            ("read current of the fully set state",
             abs(conduction.current(read, 1.0, stack)) * 1e12, "pA"),
            ("read current of the fully reset state",
             abs(conduction.current(read, 0.0, stack)) * 1e12, "pA")]
    frame = pd.DataFrame(rows, columns=["quantity", "value", "unit"])
    return table(frame, {"value": "{:.3g}"}, widths=["70%", "15%", "15%"])


def schottky_table(recovery: pd.DataFrame):
    """The Schottky fit's estimates, their standard errors, the generating values and z.

    Parameters
    ----------
    recovery : pandas.DataFrame
        :func:`fetrain.study.devices.schottky_recovery`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per parameter (ln K and ε_opt dimensionless, barriers in eV).
    """
    shown = recovery.rename(columns={"std_error": "std error",
                                     "z": "z = (estimate − true)/σ"})
    return table(shown, {"estimate": "{:.5g}", "std error": "{:.2g}",
                         "generating value": "{:.5g}", "z = (estimate − true)/σ": "{:+.2f}"})


def coverage_table(summary: pd.DataFrame):
    """How often the fit's ±1σ and ±1.96σ intervals contain the generating value, per parameter.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`fetrain.study.coverage.coverage_summary`.

    Returns
    -------
    pandas.io.formats.style.Styler
        Shares (fractions) and the mean and standard deviation of z (dimensionless).
    """
    shown = summary.rename(columns={"within_1_sigma": "within ±1σ",
                                    "within_1.96_sigma": "within ±1.96σ",
                                    "mean_z": "mean z", "std_z": "std z"})
    return table(shown, {c: "{:.3f}" for c in shown.columns[1:]},
                 widths=["28%", "18%", "18%", "18%", "18%"])


def mixtures_table(mixtures: pd.DataFrame):
    """Each state's set fraction from its read and the error of its predicted I–V curve.

    Parameters
    ----------
    mixtures : pandas.DataFrame
        :func:`fetrain.study.devices.mixture_states`.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``state``, p from the read, rms error of ln I, generating p (all dimensionless).
    """
    shown = mixtures.rename(columns={"p_from_read": "p from the read",
                                     "rms_ln_error": "rms error of ln I",
                                     "p_true": "generating p"})
    return table(shown, {"p from the read": "{:.3f}", "rms error of ln I": "{:.3f}",
                         "generating p": "{:.2f}"})


def amplitudes_table(amplitudes: pd.DataFrame):
    """A campaign's programming conditions: amplitudes needed and used, fractions switched.

    Parameters
    ----------
    amplitudes : pandas.DataFrame
        :meth:`fetrain.device.campaign.SyntheticCampaign.amplitude_table`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width: amplitudes (V), fractions switched per pulse (of the unswitched
        polarisation), whether capped, pulses per phase.
    """
    shown = amplitudes.drop(columns="pulse_width_s").rename(columns={
        "required_set_V": "set needed (V)", "required_reset_V": "reset needed (V)",
        "amplitude_set_V": "set used (V)", "amplitude_reset_V": "reset used (V)",
        "fraction_set": "switched per set pulse", "fraction_reset": "switched per reset pulse",
        "pulses_per_phase": "pulses per phase"})
    shown.insert(0, "width", _widths(amplitudes["pulse_width_s"]))
    volts = ("set needed (V)", "reset needed (V)", "set used (V)", "reset used (V)")
    return table(shown, {**{c: "{:.2f}" for c in volts}, "switched per set pulse": "{:.4f}",
                         "switched per reset pulse": "{:.4f}"})


def pulse_energy_table(rows: pd.DataFrame):
    """The energy of a pulse, term by term, in pJ.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`fetrain.study.devices.energy_at_state` (energies in J).

    Returns
    -------
    pandas.io.formats.style.Styler
        Width, polarity, amplitude (V), the study's energy, the capacitive and switching terms
        and the complete energy (pJ), and complete / study.
    """
    shown = pd.DataFrame({"width": _widths(rows["pulse_width_s"]), "polarity": rows["polarity"],
                          "|V| (V)": rows["amplitude_V"]})
    for column in ("study", "capacitive", "switching", "complete"):
        shown[f"{column} (pJ)"] = rows[f"{column}_J"] * 1e12
    shown["complete / study"] = rows["complete / study"]
    return table(shown, {**{c: "{:.3g}" for c in shown.columns[2:]},
                         "complete / study": "{:.3f}"})


# ---- Chapter 2 ----------------------------------------------------------------------------------


def weight_scale_table(scales: pd.DataFrame):
    """Each width's weight scale: conductance range (pS), pulses per phase, amplitudes (V).

    Parameters
    ----------
    scales : pandas.DataFrame
        :func:`fetrain.study.devices.weight_scales` (conductances in S).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width.
    """
    shown = pd.DataFrame({
        "width": _widths(scales["pulse_width_s"]),
        "G_min (pS)": scales["g_min_S"] * 1e12, "G_max (pS)": scales["g_max_S"] * 1e12,
        "G_max / G_min": scales["dynamic_range"], "pulses per phase": scales["pulses_per_phase"],
        "set / reset amplitude (V)": [f"{a:.2f} / {b:.2f}" for a, b in
                                      zip(scales["amplitude_set_V"], scales["amplitude_reset_V"])]})
    return table(shown, {"G_min (pS)": "{:.1f}", "G_max (pS)": "{:.1f}", "G_max / G_min": "{:.2f}"})


def fit_quality_table(quality: pd.DataFrame):
    """How well each polynomial fits its curve.

    Parameters
    ----------
    quality : pandas.DataFrame
        :func:`fetrain.study.devices.fit_quality` (residuals in w units).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width and direction: fit window, R², residual std (w and in dw_min), and
        where the polynomial turns back.
    """
    shown = pd.DataFrame({
        "width": _widths(quality["pulse_width_s"]), "direction": quality["direction"],
        "fit window (pulses)": quality["fit_end"], "R²": quality["r_squared"],
        "residual std (w)": quality["residual_std"],
        "residual std / dw_min": quality["residual_over_dw_min"],
        "polynomial turns back": [", ".join(f"n {a}–{b}" for a, b in back) or "no"
                                  for back in quality["turned_back"]]})
    return table(shown, {"R²": "{:.6f}", "residual std (w)": "{:.2e}",
                         "residual std / dw_min": "{:.3f}"})


def table_errors_table(errors: pd.DataFrame):
    """Fitted against true dw_min, and the largest error of each step table, in dw_min.

    Parameters
    ----------
    errors : pandas.DataFrame
        :func:`fetrain.study.devices.table_errors`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width.
    """
    shown = pd.DataFrame({"width": _widths(errors["pulse_width_s"]),
                          "dw_min (fit)": errors["dw_min_fit"],
                          "dw_min (truth)": errors["dw_min_truth"],
                          "max |up − true up| / dw_min": errors["up_error"],
                          "max |down − true down| / dw_min": errors["down_error"]})
    return table(shown, {c: "{:.4f}" for c in shown.columns[1:]})


def symmetry_table(points: pd.DataFrame):
    """Each width's symmetry point from the table, by pulsing and the generator's, and per
    device.

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`fetrain.study.devices.symmetry_points` (w units).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width.
    """
    def listed(values):
        return ", ".join(f"{v:+.2f}" for v in values)

    shown = pd.DataFrame({"width": _widths(points["pulse_width_s"]),
                          "w* (table)": points["w_table"], "w* (pulsing)": points["w_pulsing"],
                          "w* (truth)": points["w_truth"],
                          "per device (fit)": points["per_device_fit"].map(listed),
                          "per device (truth)": points["per_device_truth"].map(listed)})
    return table(shown, {"w* (table)": "{:+.3f}", "w* (pulsing)": "{:+.3f}",
                         "w* (truth)": "{:+.3f}"},
                 widths=["10%", "12%", "12%", "12%", "27%", "27%"])


def noise_table(noise: pd.DataFrame):
    """The noise figures of each width, in AIHWKit's parameters.

    Parameters
    ----------
    noise : pandas.DataFrame
        :func:`fetrain.study.devices.noise_figures`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width (all dimensionless; read noise in w units and relative).
    """
    shown = noise.rename(columns={"read_noise_w": "read noise (w)",
                                  "read_noise_rel": "read noise"})
    shown.insert(0, "width", _widths(noise["pulse_width_s"]))
    shown = shown.drop(columns="pulse_width_s")
    return table(shown, {c: "{:.3f}" for c in shown.columns[1:]}
                 | {"read noise": "{:.4f}", "read noise (w)": "{:.4f}"})


def steps_table(figures: pd.DataFrame):
    """Step sizes, asymmetry and symmetry point per width.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`fetrain.device.build.figures_table`.

    Returns
    -------
    pandas.io.formats.style.Styler
        dw_min, down step at 0 and w* (w units), up/down at 0, 2/dw_min (steps).
    """
    shown = pd.DataFrame({
        "width": _widths(figures["pulse_width_s"]), "dw_min": figures["dw_min"],
        "down step at 0": figures["step_down_at_0"],
        "up/down at 0": figures["asymmetry_up_over_down_at_0"], "w*": figures["symmetry_point"],
        "2/dw_min": figures["n_steps_full_range"]})
    return table(shown, {"dw_min": "{:.4f}", "down step at 0": "{:.4f}",
                         "up/down at 0": "{:.2f}", "w*": "{:+.3f}", "2/dw_min": "{:.0f}"})


def range_table(figures: pd.DataFrame):
    """Dynamic range, distinguishable levels, pulses across the range and nonlinearity per width.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`fetrain.device.build.figures_table`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width.
    """
    shown = pd.DataFrame({
        "width": _widths(figures["pulse_width_s"]), "G_max/G_min": figures["dynamic_range"],
        "levels (read noise)": figures["n_states_read_noise"],
        "pulses 10→90% up": figures["pulses_10_90_up"],
        "pulses 90→10% down": figures["pulses_10_90_down"],
        "nonlinearity up": figures["nonlinearity_up"],
        "nonlinearity down": figures["nonlinearity_down"]})
    return table(shown, {"G_max/G_min": "{:.2f}", "levels (read noise)": "{:.0f}",
                         "pulses 10→90% up": "{:.0f}", "pulses 90→10% down": "{:.0f}",
                         "nonlinearity up": "{:.2f}", "nonlinearity down": "{:.2f}"})


def model_energy_table(energies: pd.DataFrame):
    """The energy of one pulse of each model at a few states, in pJ.

    Parameters
    ----------
    energies : pandas.DataFrame
        :func:`fetrain.study.devices.model_pulse_energies` (energies in J).

    Returns
    -------
    pandas.io.formats.style.Styler
        Width, w, study and complete energy (pJ).
    """
    shown = pd.DataFrame({"width": _widths(energies["pulse_width_s"]), "w": energies["w"],
                          "study (pJ)": energies["study_J"] * 1e12,
                          "complete (pJ)": energies["complete_J"] * 1e12})
    return table(shown, {"w": "{:+.1f}", "study (pJ)": "{:.3g}", "complete (pJ)": "{:.3g}"})


# ---- Appendix B ---------------------------------------------------------------------------------


def columns_table():
    """The columns of fetrain's two data files, with their meaning and unit.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``file``, ``column``, ``meaning and unit``.
    """
    rows = ([{"file": PULSES_FILE, "column": c, "meaning and unit": m}
             for c, m in PULSE_COLUMNS.items()]
            + [{"file": IV_FILE, "column": c, "meaning and unit": m}
               for c, m in IV_COLUMNS.items()])
    return table(pd.DataFrame(rows), widths=["20%", "22%", "58%"])


def rows_table(frame: pd.DataFrame):
    """Rows of a data file as they are written (floats to four significant digits).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows.

    Returns
    -------
    pandas.io.formats.style.Styler
        The rows.
    """
    return table(frame, {c: "{:.4g}" for c in frame.select_dtypes("float").columns})


def loader_table(verdicts: pd.DataFrame):
    """What the loader said of each case.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        :func:`fetrain.study.devices.loader_verdicts`.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``case`` and the loader's message.
    """
    shown = verdicts.rename(columns={"loader": "what the loader says"})
    return table(shown, widths=["22%", "78%"])


def fitted_figures_table(figures: pd.DataFrame):
    """The main figures of fitted device models: step, symmetry point, range, noise, fit quality.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`fetrain.device.build.figures_table`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per width.
    """
    shown = pd.DataFrame({
        "width": _widths(figures["pulse_width_s"]), "dw_min": figures["dw_min"],
        "w*": figures["symmetry_point"], "G_max/G_min": figures["dynamic_range"],
        "dw_min_std": figures["dw_min_std"], "read noise": figures["read_noise_rel"],
        "R² up": figures["r_squared_up"], "R² down": figures["r_squared_down"]})
    return table(shown, {"dw_min": "{:.4f}", "w*": "{:+.3f}", "G_max/G_min": "{:.2f}",
                         "dw_min_std": "{:.3f}", "read noise": "{:.4f}", "R² up": "{:.6f}",
                         "R² down": "{:.6f}"})


def points_table(points: pd.DataFrame):
    """Stable symmetry points of fits, with basin, uncertainty and the generator's value.

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`fetrain.study.devices.points_against_truth` (w units).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per degree and point.
    """
    shown = pd.DataFrame({
        "degree": points["degree"], "point": points["point"], "w*": points["w"],
        "±": points["uncertainty"],
        "basin": [f"[{a:+.2f}, {b:+.2f}]" for a, b in
                  zip(points["basin_low"], points["basin_high"])],
        "by pulsing": points["w_pulsing"], "found in": points["found_fraction"],
        "truth": points["truth"], "error / ±": points["error_over_uncertainty"]})
    return table(shown, {"w*": "{:+.3f}", "±": "{:.3f}", "by pulsing": "{:+.3f}",
                         "found in": "{:.0%}", "truth": "{:+.3f}", "error / ±": "{:.1f}"})


def coverage_points_table(by_point: pd.DataFrame):
    """Per true point: traces, how often it was found and covered, the median z.

    Parameters
    ----------
    by_point : pandas.DataFrame
        :func:`fetrain.study.devices.coverage_by_point`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per true point.
    """
    shown = by_point.rename(columns={"median_z": "median |z|", "within_2": "within 2 ±"})
    return table(shown, {"median |z|": "{:.2f}"})


def column_text(text: str, width: int = 76) -> str:
    """Text as the page prints it: every line wrapped to the text column, continuation lines
    indented four spaces past the line's own indentation (a command's report, messages).

    Parameters
    ----------
    text : str
        Lines of text.
    width : int
        Characters per line (76 fit an output block of the book's column).

    Returns
    -------
    str
        The wrapped lines.
    """
    import textwrap

    out = []
    for line in text.rstrip("\n").split("\n"):
        indent = line[:len(line) - len(line.lstrip())]
        out.append(textwrap.fill(line, width=width, subsequent_indent=indent + "    ",
                                 break_on_hyphens=False) if line.strip() else "")
    return "\n".join(out)


def record_text(record: dict, width: int = 76, folder: str | Path | None = None) -> str:
    """A record (a dict of plain values) as ``key: value`` lines wrapped to the text column;
    paths inside ``folder`` shown relative to it, as a reader in that folder names them.

    Parameters
    ----------
    record : dict
        The record.
    width : int
        Characters per line.
    folder : str or pathlib.Path, optional
        The folder the page works in.

    Returns
    -------
    str
        One line per key, long values wrapped.
    """
    def shown(value):
        if folder is not None and isinstance(value, str):
            try:
                return str(Path(value).relative_to(Path(folder).resolve()))
            except ValueError:
                return value
        return value

    return column_text("\n".join(f"{k}: {shown(v)}" for k, v in record.items()), width)


def map_ranking_table(win: pd.DataFrame):
    """How a sweep's map ranked the widths, one row per strategy (no width-independent cost):
    by energy or by pulses (a campaign without joules), the winning width, and how much more the
    shortest width needs than the winner.

    Parameters
    ----------
    win : pandas.DataFrame
        A sweep's ``map.csv`` (:func:`fetrain.study.tradeoff.win_map`).

    Returns
    -------
    pandas.io.formats.style.Styler
        Strategy, ranked by, winner, shortest ÷ winner.
    """
    cells = win[win["fixed_per_pulse_J"] == 0].drop_duplicates("strategy")
    shown = pd.DataFrame({
        "strategy": cells["strategy"],
        "ranked by": cells["ranked_by"],
        "winner": [format_width(t) if pd.notna(t) else "none reached"
                   for t in cells["winner_width_s"]],
        "shortest ÷ winner": cells["shortest_over_winner"]})
    return table(shown, {"shortest ÷ winner": "{:.2f}"})
