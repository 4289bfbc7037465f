"""A reader's device from the command line: ``python -m fetrain.device fit FILE --out DIR``.

This module's room: the command that reads a device file (:mod:`fetrain.io`), fits it
(:mod:`fetrain.devicemodel`), and writes what a reader takes away — a JSON summary, the figures of
the book's Chapter 2 for this device, and the AIHWKit device as plain data
(:func:`fetrain.bridge.device_as_data`). It computes nothing the library does not.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from pathlib import Path

import numpy as np

from . import __version__
from .devicemodel import DEGREE, EnergyUnavailable, FitError
from .io import FORMATS, PULSES_FILE, DeviceFileError

SUMMARY_FILE = "summary.json"
AIHWKIT_FILE = "aihwkit_device.json"
FIGURES = ("response_curves.png", "fit_residuals.png", "step_table.png", "symmetry_settling.png")


def _plain(value):
    """JSON-ready: NaN and inf as None, numpy numbers as Python numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def summarize(model, data, points, reference_start: float = -1.0) -> dict:
    """The summary of a fitted device as plain data (what ``summary.json`` holds).

    ``model`` is the :class:`fetrain.devicemodel.DeviceModel`, ``data`` the
    :class:`fetrain.io.CharacterisationData` it was fitted from, ``points`` its symmetry points with
    uncertainties (:func:`fetrain.devicemodel.symmetry_point_uncertainty`). Unknown values are None.

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
        JSON-ready summary: ``pulse_width_s`` (s), ``amplitude_V`` (V), ``dw_min`` and the
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
    return _plain({
        "file": str(data.source), "format": data.metadata.get("format", "fetrain"),
        "fetrain_version": __version__,
        "quantities": model.quantities.as_dict(),
        "pulse_width_s": model.width_s,
        "amplitude_V": ({"set": model.amplitude_set_V, "reset": model.amplitude_reset_V}
                        if model.quantities.amplitude != "unknown" else None),
        "reads": int(len(data.pulses)), "devices": len(model.device_names) or 1,
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
    lines = [f"device file {summary['file']} ({summary['format']} format): {summary['reads']} reads, "
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

    from . import plotting

    paths = []
    for name, draw in zip(FIGURES, (plotting.plot_response_curves, plotting.plot_fit_residuals,
                                    plotting.plot_step_table, plotting.plot_symmetry_settling)):
        fig, ax = plt.subplots(figsize=(6, 4))
        if draw is plotting.plot_symmetry_settling:
            draw(model, starts=(-1.0, -0.5, 0.0, 0.5, 1.0), ax=ax)
        else:
            draw(model, ax=ax)
        fig.tight_layout()
        path = out / name
        fig.savefig(path, dpi=120)
        plt.close(fig)
        paths.append(path)
    return paths


def _has_width_column(path: Path) -> bool:
    pulses = path / PULSES_FILE if path.is_dir() else path
    if not pulses.is_file():
        return False                                  # the loader names the missing file
    with open(pulses, encoding="utf-8-sig", errors="replace") as handle:
        return "pulse_width_s" in handle.readline()


def fit(args) -> int:
    """The ``fit`` subcommand.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments of :func:`parser` (``width_ns`` in ns, ``amplitude_V`` in V,
        ``area_um2`` in µm², ``reference_start`` in w units).

    Returns
    -------
    int
        Exit status, 0.

    Raises
    ------
    DeviceFileError
        If the file is missing or invalid.
    FitError
        If the data give no usable fit.
    ValueError
        If the output folder is not writable, or the width is ambiguous or not one of the
        file's.
    """
    from . import bridge, devicemodel, io

    out = io.check_output_folder(args.out)          # before any work
    width_s = None if args.width_ns is None else args.width_ns * 1e-9
    fmt = io.detect_format(args.file) if args.format == "auto" else args.format
    # --width-ns gives a width the file lacks, or chooses one of the widths the file has
    file_has_widths = fmt == "fetrain" and _has_width_column(Path(args.file))
    data = io.load_device_file(
        args.file, format=fmt, width_s=None if file_has_widths else width_s,
        amplitude_V=args.amplitude_V,
        area_m2=None if args.area_um2 is None else args.area_um2 * 1e-12,
        conductance_unit=args.conductance_unit)
    widths = [t for t in data.widths_s if np.isfinite(t)]
    if len(widths) > 1 and width_s is None:
        raise ValueError(f"the file holds {len(widths)} pulse widths "
                         f"({', '.join(f'{t * 1e9:g}' for t in widths)} ns); choose one with --width-ns")
    if file_has_widths and width_s is not None and not np.isclose(widths, width_s, rtol=1e-6, atol=0).any():
        raise ValueError(f"--width-ns must be one of the file's widths "
                         f"({', '.join(f'{t * 1e9:g}' for t in widths)} ns); got {args.width_ns:g}")
    model = devicemodel.build_device_model(
        data.pulses, width_s if file_has_widths else None, source=str(data.source),
        stack=data.stack, degree=args.degree, quantities=data.quantities)
    points = devicemodel.symmetry_point_uncertainty(model, data.pulses, n_resamples=args.resamples,
                                                    degree=args.degree)
    summary = summarize(model, data, points, reference_start=args.reference_start)
    (out / SUMMARY_FILE).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    (out / AIHWKIT_FILE).write_text(
        json.dumps(_plain(bridge.device_as_data(model)), indent=2, allow_nan=False) + "\n",
        encoding="utf-8")
    figures = write_figures(model, out)
    print(report(summary))
    print(textwrap.fill(f"wrote {out / SUMMARY_FILE}, {out / AIHWKIT_FILE} and {len(figures)} "
                        f"figures ({', '.join(FIGURES)})", width=96, subsequent_indent="    "))
    return 0


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number > 0 is needed; got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"a number > 0 is needed; got {text!r}")
    return value


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a weight in [-1, 1] is needed; got {text!r}") from None
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a weight in [-1, 1] is needed; got {text!r}")
    return value


def _count(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"an integer ≥ {low} is needed; got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"an integer ≥ {low} is needed; got {text!r}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    """The command's argument parser (its ``--help`` explains the formats).

    Returns
    -------
    argparse.ArgumentParser
        The parser, with the ``fit`` subcommand.
    """
    formats = "\n".join(f"  {name}: {text}" for name, text in FORMATS.items())
    top = argparse.ArgumentParser(
        prog="python -m fetrain.device",
        description="Fit a reader's device file and write its summary, figures and AIHWKit device.",
        epilog="Run 'python -m fetrain.device fit --help' for its options and the file formats.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="{fit}", title="subcommands")
    p = sub.add_parser(
        "fit", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="read, validate and fit a device file",
        description="Read and validate FILE, fit its device model (Chapter 2 of the book), and "
                    f"write into DIR: {SUMMARY_FILE} (symmetry points with basins and "
                    "uncertainties, dw_min, asymmetry, range, states, noise, R², what is "
                    f"measured/given/assumed/unknown), {AIHWKIT_FILE} (the AIHWKit "
                    "PiecewiseStepDevice as plain data: fetrain.bridge.device_from_data turns it "
                    "back into the device) and the figures as PNG. The summary is also printed.",
        epilog=f"file formats (--format):\n{formats}\n\n"
               "Normalized conductance has no unit: the energy of a pulse is then unavailable "
               "(never zero). Exit status: 0 done, 1 a bad file or parameter (the message says "
               "which), 2 bad arguments.")
    p.add_argument("file", help="the device file (or, for the fetrain format, its folder)")
    p.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                   help="the file's layout (default: auto, from its header)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--width-ns", type=_positive, default=None,
                   help="pulse width in ns, when the file does not say (or to choose one)")
    p.add_argument("--amplitude-V", type=float, default=None, dest="amplitude_V",
                   help="pulse amplitude in V, when the file does not say")
    p.add_argument("--area-um2", type=_positive, default=None,
                   help="device area in µm² (plausibility of conductances; default 1)")
    p.add_argument("--conductance-unit", choices=("S",), default=None,
                   help="for the updown format: the columns are conductances in S, not normalized")
    p.add_argument("--degree", type=_count(1), default=DEGREE,
                   help=f"degree of the curve polynomials (default {DEGREE}, the study's)")
    p.add_argument("--resamples", type=_count(2), default=200,
                   help="resamplings for the symmetry points' uncertainties (default 200)")
    p.add_argument("--reference-start", type=_weight, default=-1.0,
                   help="state (w) a reference starts from before it is settled (default -1)")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (errors print a message, not a traceback).

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; None: ``sys.argv[1:]``.

    Returns
    -------
    int
        0 done, 1 a bad file or parameter (argparse exits with 2 on bad arguments).
    """
    args = parser().parse_args(argv)
    try:
        return fit(args)
    except (DeviceFileError, FitError, EnergyUnavailable, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
