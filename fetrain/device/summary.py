"""The summary of a fitted device as plain data (:func:`summarize`, what ``summary.json`` holds)
and as the text that ``fetrain device fit`` prints (:func:`report`), with the names of the files
that command writes. It turns a :class:`~fetrain.device.model.DeviceModel` and the data it was
fitted from into JSON-ready values.
"""

from __future__ import annotations

import textwrap

import numpy as np

from .. import __version__
from ..common.files import json_ready

SUMMARY_FILE = "summary.json"


AIHWKIT_FILE = "aihwkit_device.json"


FIGURES = ("response_curves.png", "fit_residuals.png", "step_table.png", "symmetry_settling.png")


def summarize(model, data, points, reference_start: float = -1.0) -> dict:
    """The summary of a fitted device as plain data (what ``summary.json`` holds).

    ``model`` is the :class:`fetrain.device.model.DeviceModel`, ``data`` the
    :class:`fetrain.device.loading.CharacterisationData` it was fitted from, ``points`` its symmetry points with
    uncertainties (:func:`fetrain.device.build.symmetry_point_uncertainty`). Unknown values are None.

    Parameters
    ----------
    model : DeviceModel
        The fitted device model.
    data : CharacterisationData
        The data it was fitted from.
    points : sequence of SymmetryPoint
        Its symmetry points with uncertainties (w units).
    reference_start : float
        Starting state of a reference before it is settled (w units, −1 … 1).

    Returns
    -------
    dict
        JSON-ready summary: ``reads`` (the reads at the fitted width, counts) and
        ``reads_in_file``, ``pulse_width_s`` (s), ``amplitude_V`` (V), ``dw_min`` and the
        symmetry points (w units), ``range`` (S, or normalized units, as its ``unit`` says),
        ``noise`` (w units and dimensionless), ``energy`` (J per pulse at w = 0, or what is
        missing), ``warnings``.
    """
    figures = model.figures()
    nf = model.noise
    absolute = model.quantities.conductance != "unknown"
    reference_w, why = model.reference_point(reference_start)
    if model.energy_available:
        energy = {"available": True,
                  "per_pulse_at_w0_J": {
                      pol: {"study": float(e.study_J), "complete": float(e.complete_J)}
                      for pol, e in (("set", model.pulse_energy(0.0, "set")),
                                     ("reset", model.pulse_energy(0.0, "reset")))}}
    else:
        energy = {"available": False, "missing": list(model.quantities.missing_for_energy())}
    return json_ready({
        "file": str(data.source), "format": data.metadata.get("format", "fetrain"),
        "fetrain_version": __version__,
        "quantities": model.quantities.as_dict(),
        "pulse_width_s": model.width_s,
        "amplitude_V": ({"set": model.amplitude_set_V, "reset": model.amplitude_reset_V}
                        if model.quantities.amplitude != "unknown" else None),
        "reads": _reads_fitted(data.pulses, model.width_s), "reads_in_file": len(data.pulses),
        "devices": len(model.device_names) or 1,
        "pulses_per_phase": model.pulses_per_phase,
        "fit": {"degree": int(model.fit_up.polynomial.degree()),
                "r_squared_up": model.fit_up.r_squared, "r_squared_down": model.fit_down.r_squared,
                "fit_end_up": model.fit_up.fit_end, "fit_end_down": model.fit_down.fit_end},
        "dw_min": model.dw_min,
        "step_down_at_0": figures["step_down_at_0"],
        "asymmetry_up_over_down_at_0": figures["asymmetry_up_over_down_at_0"],
        "range": {"G_min": model.g_min_S, "G_max": model.g_max_S,
                  "unit": "S" if absolute else "normalized (no unit)",
                  "dynamic_range": figures["dynamic_range"]},
        "states": {"steps_full_range": figures["n_steps_full_range"],
                   "levels_read_noise": figures["n_states_read_noise"]},
        "symmetry_points": [p.as_dict() for p in points],
        "reference": {"start_w": reference_start, "w": reference_w, "why": why},
        "noise": {"dw_min_std": nf.dw_min_std, "read_noise_w": nf.read_noise_w,
                  "read_noise_rel": nf.read_noise_rel, "dw_min_dtod": nf.dw_min_dtod,
                  "up_down_dtod": nf.up_down_dtod, "w_min_dtod": nf.w_min_dtod,
                  "w_max_dtod": nf.w_max_dtod, "n_devices": nf.n_devices},
        "energy": energy,
        "warnings": list(model.warnings()),
    })


def _reads_fitted(pulses, width_s) -> int:
    """The reads at the fitted pulse width (every read when the widths are unknown)."""
    widths = pulses["pulse_width_s"].to_numpy(dtype=float)
    if width_s is None or not np.isfinite(width_s) or not np.isfinite(widths).any():
        return len(pulses)
    return int(np.isclose(widths, width_s, rtol=1e-6, atol=0).sum())


def report(summary: dict, width: int = 96) -> str:
    """The summary as the lines the command prints, wrapped at ``width`` characters.

    Parameters
    ----------
    summary : dict
        A summary from :func:`summarize`.
    width : int
        Line width (characters).

    Returns
    -------
    str
        The report, with the units named in its lines (s, w units, S, J).
    """
    def num(x, fmt="{:.4g}"):
        return "unknown" if x is None else fmt.format(x)

    q = summary["quantities"]
    reads = f"{summary['reads']:,} reads"
    if summary.get("reads_in_file", summary["reads"]) != summary["reads"]:
        reads += f" at this width (of {summary['reads_in_file']:,} in the file)"
    lines = [f"device file {summary['file']} ({summary['format']} format): {reads}, "
             f"{summary['devices']} device(s), up to {summary['pulses_per_phase']} pulses per phase",
             "quantities: " + ", ".join(f"{k} {v}" for k, v in q.items()),
             f"pulse width: {num(summary['pulse_width_s'], '{:.4g} s')}",
             f"fit: degree {summary['fit']['degree']}, R² up {num(summary['fit']['r_squared_up'], '{:.5f}')}, "
             f"down {num(summary['fit']['r_squared_down'], '{:.5f}')}",
             f"dw_min (up step at w = 0): {num(summary['dw_min'])} (w units); down step at w = 0: "
             f"{num(summary['step_down_at_0'])}; up/down at w = 0: "
             f"{num(summary['asymmetry_up_over_down_at_0'], '{:.3f}')}",
             f"range: G_min {num(summary['range']['G_min'])}, G_max {num(summary['range']['G_max'])} "
             f"({summary['range']['unit']}), G_max/G_min {num(summary['range']['dynamic_range'])}",
             f"states: {num(summary['states']['steps_full_range'], '{:.0f}')} steps over the range, "
             f"{num(summary['states']['levels_read_noise'], '{:.0f}')} levels a single read tells apart"]
    for k, p in enumerate(summary["symmetry_points"], 1):
        lines.append(f"symmetry point {k}: w* = {num(p['w'], '{:+.3f}')} ± "
                     f"{num(p['uncertainty'], '{:.3f}')} (found in {num(p['found_fraction'], '{:.0%}')} "
                     f"of resamplings); basin [{num(p['basin'][0], '{:+.3f}')}, "
                     f"{num(p['basin'][1], '{:+.3f}')}]; by pulsing: settles at "
                     f"{num(p['w_pulsing'], '{:+.3f}')} from starts in [{num(p['basin_pulsing'][0], '{:+.3f}')}, "
                     f"{num(p['basin_pulsing'][1], '{:+.3f}')}]")
    if not summary["symmetry_points"]:
        lines.append("symmetry point: none (alternating pulses drive the device to a bound)")
    lines.append(f"symmetry point shifting from w = {summary['reference']['start_w']:+g}: "
                 f"{summary['reference']['why']}")
    n = summary["noise"]
    lines.append(f"noise: dw_min_std {num(n['dw_min_std'], '{:.3f}')}, read noise "
                 f"{num(n['read_noise_w'], '{:.4f}')} (w units per read; relative "
                 f"{num(n['read_noise_rel'], '{:.4f}')}); device to device: dw_min_dtod "
                 f"{num(n['dw_min_dtod'], '{:.3f}')}, up_down_dtod {num(n['up_down_dtod'], '{:.3f}')}, "
                 f"w_min_dtod {num(n['w_min_dtod'], '{:.3f}')}, w_max_dtod {num(n['w_max_dtod'], '{:.3f}')}"
                 f" ({n['n_devices']} device(s))")
    e = summary["energy"]
    if e["available"]:
        per = e["per_pulse_at_w0_J"]
        lines.append(f"energy per pulse at w = 0: set {per['set']['complete']:.3g} J, reset "
                     f"{per['reset']['complete']:.3g} J (complete form)")
    else:
        lines.append("energy: unavailable — the data lack " + "; ".join(e["missing"]))
    for warning in summary["warnings"]:
        lines.append(f"warning: {warning}")
    return "\n".join(textwrap.fill(line, width=width, subsequent_indent="    ") for line in lines)
