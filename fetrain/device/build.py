"""Building device models from measurements: one pulse width (:func:`build_device_model`) or all
(:func:`build_device_models`), with the uncertainty of the symmetry points from resampled cycles
(:func:`symmetry_point_uncertainty`).

The recipe (Chapter 2 of the book explains each step):

1. **Weight scale** (the book's convention, Chapter 2). Each read gives G = I/V_read. For every
   cycle, its highest conductance is the end of its potentiation phase and its lowest the end of
   its depression phase, each averaged over the last ``end_reads`` reads (the extreme of noisy
   reads would be biased outwards by a few read-noise σ). G_max and G_min are their means over
   cycles and devices; w = 2(G − G_min)/(G_max − G_min) − 1.
2. **Curves and fits.** The mean w after the n-th pulse of each phase (over cycles and devices, with
   its standard deviation kept) is fitted with a 5th-degree polynomial in n, as in the study. A
   curve that saturates early would be dominated by its flat tail, so each fit uses the pulses up
   to where the curve has covered ``fit_excursion`` (99%) of its excursion; R² and the residuals
   are reported on that window.
3. **Step table.** The step of pulse n+1 is P(n+1) − P(n), at the state P(n). A polynomial can turn
   back near the ends of its window; the steps are therefore taken from the curve's monotone
   envelope (running maximum for potentiation, running minimum for depression), every step is
   floored at ``min_step_fraction`` of the raw dw_min, and the places where the polynomial turned
   back or the floor applied are recorded. The steps are tabulated on ``N_NODES`` nodes equally
   spaced on [−1, 1] — the one piecewise-linear table both engines use (AIHWKit's
   ``PiecewiseStepDevice``), interpolated exactly as AIHWKit interpolates it.
4. **Figures** of merit, the **symmetry point** (two ways), per-device models and the noise figures
   (cycle-to-cycle step noise net of read noise; device-to-device spreads in AIHWKit's parameters).

It uses the curve fits (:mod:`~fetrain.device.curves`), the step table
(:mod:`~fetrain.device.steps`) and the noise figures (:mod:`~fetrain.device.noise`); it reads no
file (:mod:`~fetrain.device.loading` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..common.checks import plain, require, shown
from .curves import (
    DEGREE,
    DIRECTIONS,
    MAX_DEGREE,
    FitError,
    _table_from_fit,
    add_weight_scale,
    fit_curve,
    mean_curves,
)
from .model import DeviceModel, Quantities
from .noise import _noise_figures
from .stack import HZOStack
from .steps import N_NODES, W_MAX, W_MIN, _frozen, stable_points_of_table

if TYPE_CHECKING:
    from .curves import CurveFit
    from .model import SymmetryPoint


def _tables(fits: dict[str, CurveFit], min_step_fraction: float):
    nodes = np.linspace(W_MIN, W_MAX, N_NODES)
    raw_up = _table_from_fit(fits["potentiation"], nodes)
    raw_down = _table_from_fit(fits["depression"], nodes)
    raw_dw_min = raw_up[N_NODES // 2]
    floor = min_step_fraction * raw_dw_min if raw_dw_min > 0 else min_step_fraction * raw_up.max()
    return (nodes, np.maximum(raw_up, floor), np.maximum(raw_down, floor),
            raw_up < floor, raw_down < floor, float(floor))


def _amplitude(p: pd.DataFrame, direction: str) -> float:
    return float(np.median(np.abs(p.loc[p["direction"] == direction, "amplitude_V"])))


def _default_quantities(pulses: pd.DataFrame, stack: HZOStack | None) -> Quantities:
    """How the table's quantities are known: as the loader recorded them (``pulses.attrs``), else
    from its columns."""
    recorded = pulses.attrs.get("quantities")
    if recorded:
        recorded = {**recorded,
                    "conductance": "unknown" if "conductance" in pulses else "measured"}
        if stack is not None:
            recorded["geometry"] = "given"
        return Quantities(**recorded)
    return Quantities(
        conductance="unknown" if "conductance" in pulses else "measured",
        pulse_width="unknown" if pulses["pulse_width_s"].isna().any() else "measured",
        amplitude="unknown" if pulses["amplitude_V"].isna().any() else "measured",
        geometry="given" if stack is not None else "assumed")


def _select_width(pulses: pd.DataFrame, width_s: float | None) -> pd.DataFrame:
    widths = pulses["pulse_width_s"].to_numpy(dtype=float)
    if width_s is None:
        distinct = np.unique(widths[np.isfinite(widths)])
        if distinct.size > 1:
            raise ValueError(f"width_s must be given for data with several pulse widths "
                             f"({', '.join(plain(t) for t in distinct)} s)")
        return pulses
    sel = pulses[np.isclose(widths, width_s, rtol=1e-9, atol=0)]
    if sel.empty:
        known = ", ".join(plain(t) for t in np.unique(widths[np.isfinite(widths)]))
        raise ValueError(f"width_s must be one of the data's pulse widths ({known} s); got "
                         f"{plain(width_s)}")
    return sel


def build_device_model(pulses: pd.DataFrame, width_s: float | None = None, source: str = "",
                       stack: HZOStack | None = None, end_reads: int = 5,
                       fit_excursion: float = 0.99, min_step_fraction: float = 0.01,
                       per_device: bool = True, quantities: Quantities | None = None,
                       degree: int = DEGREE) -> DeviceModel:
    """Build the device model of one pulse width from a pulse-response table.

    ``pulses`` has the columns of :data:`fetrain.device.formats.PULSE_COLUMNS` (as loaded by
    :mod:`fetrain.device.loading`), or a ``conductance`` column (normalized) instead of the read current and
    voltage; rows of other widths are ignored. ``width_s`` (s) may be omitted when the data have
    one width (or an unknown one, NaN). ``stack`` is the device geometry used for the energy of a
    pulse (default: the synthetic device's, recorded as assumed). ``quantities`` says how
    conductance, width, amplitude and geometry are known (default: read from the table).
    ``degree`` is the degree of the curve polynomials (the study's 5 by default; a device whose
    steps have more structure than a 5th-degree curve can hold needs more, and its residuals say
    so).

    Raises :class:`~fetrain.device.curves.FitError` when a direction gives no usable fit (no change of conductance,
    a curve moving against its direction, an undefined R²).

    Parameters
    ----------
    pulses : pandas.DataFrame
        A pulse-response table (widths in s, amplitudes in V, currents in A or conductances).
    width_s : float, optional
        Pulse width to model (s); None when the data have one width.
    source : str
        Where the data came from, for labels.
    stack : HZOStack, optional
        Device geometry (m², m); None: the synthetic device's, recorded as assumed.
    end_reads : int
        Reads averaged at the end of each phase for the weight scale (counts).
    fit_excursion : float
        Fraction of each curve's excursion the fit window covers (dimensionless).
    min_step_fraction : float
        Floor of the steps, a fraction of the raw dw_min (dimensionless, 0 … 1).
    per_device : bool
        Also build per-device models and the noise figures.
    quantities : Quantities, optional
        How each quantity is known; None: read from the table.
    degree : int
        Degree of the curve polynomials.

    Returns
    -------
    DeviceModel
        The model of that width (steps in w units, conductances in S, width in s, amplitudes
        in V).

    Raises
    ------
    FitError
        If a direction gives no usable fit.
    ValueError
        If ``width_s`` is needed or not one of the data's, or an option is out of range.
    """
    require("min_step_fraction", min_step_fraction, low=0, high=1)
    sel = _select_width(pulses, width_s)
    quantities = quantities or _default_quantities(sel, stack)
    p, g_min, g_max = add_weight_scale(sel, end_reads=end_reads)
    width = float(sel["pulse_width_s"].iloc[0])
    if not (isinstance(degree, (int, np.integer)) and 1 <= degree <= MAX_DEGREE):
        raise ValueError(f"degree must be an integer from 1 to {MAX_DEGREE} (the study's is "
                         f"{DEGREE}); got {shown(degree)}")
    return _model_from_scaled(p, width, g_min, g_max, source, stack or HZOStack(), fit_excursion,
                              min_step_fraction, per_device, end_reads, quantities, int(degree))


def _model_from_scaled(p, width_s, g_min, g_max, source, stack, fit_excursion, min_step_fraction,
                       per_device, end_reads, quantities=None, degree=DEGREE) -> DeviceModel:
    quantities = quantities or Quantities()
    curves = mean_curves(p)
    fits = {d: fit_curve(curves[d], d, fit_excursion, degree) for d in DIRECTIONS}
    nodes, up, down, fl_up, fl_down, floor = _tables(fits, min_step_fraction)
    device_models: dict[str, DeviceModel] = {}
    device_bounds: dict[str, tuple[float, float]] = {}
    if per_device:
        for name, grp in p.groupby("device", sort=True):
            device_models[name] = _model_from_scaled(grp, width_s, g_min, g_max, source, stack,
                                                     fit_excursion, min_step_fraction, False,
                                                     end_reads, quantities, degree)
            ends = grp.groupby(["cycle", "direction"], sort=False)["w"].apply(
                lambda g: g.iloc[-end_reads:].mean())
            device_bounds[name] = (float(ends.xs("depression", level="direction").mean()),
                                   float(ends.xs("potentiation", level="direction").mean()))
    noise = (_noise_figures(p, g_min, g_max, device_models, device_bounds,
                            absolute=quantities.conductance != "unknown") if per_device else None)
    counts = p.groupby(["device", "cycle", "direction"]).size()
    return DeviceModel(
        width_s=width_s, source=source, g_min_S=g_min, g_max_S=g_max,
        w_nodes=_frozen(nodes), step_up=_frozen(up), step_down=_frozen(down),
        floored_up=_frozen(fl_up, bool), floored_down=_frozen(fl_down, bool),
        min_step=floor, fit_up=fits["potentiation"], fit_down=fits["depression"],
        amplitude_set_V=_amplitude(p, "potentiation"), amplitude_reset_V=_amplitude(p, "depression"),
        pulses_per_phase=int(counts.max()), noise=noise, stack=stack, quantities=quantities,
        device_models=tuple(device_models.values()), device_names=tuple(device_models),
        device_bounds=tuple(device_bounds.values()))


def symmetry_point_uncertainty(model: DeviceModel, pulses: pd.DataFrame, n_resamples: int = 200,
                               seed: int = 0, end_reads: int = 5, fit_excursion: float = 0.99,
                               min_step_fraction: float = 0.01, n_starts: int = 81,
                               degree: int = DEGREE, progress: bool = False
                               ) -> tuple[SymmetryPoint, ...]:
    """The model's stable symmetry points (:meth:`.DeviceModel.symmetry_points`), each with its
    uncertainty from resampling the data the model was built from.

    With three or more traces (cycles of devices), whole traces are resampled with replacement and
    everything is rebuilt from them, the weight scale included (each resampled point is mapped back
    to the model's w scale through its conductance). With fewer, the mean curve's residuals about
    its fit are resampled in blocks of √N consecutive reads (N reads per phase), which keeps their
    correlation along the curve. A point's uncertainty is the standard deviation of the stable
    points that the resamplings find inside its basin; ``found_fraction`` says how often one was
    found. ``pulses`` and the keyword arguments must be those the model was built with.
    (With one trace, only the residuals inside each curve's fit window are resampled; the reads
    beyond it are kept.)

    Parameters
    ----------
    model : DeviceModel
        The model.
    pulses : pandas.DataFrame
        The pulse table it was built from.
    n_resamples : int
        Number of resamplings (counts), ≥ 2.
    seed : int
        Seed of the resampling.
    end_reads, fit_excursion, min_step_fraction, degree
        As given to :func:`build_device_model`.
    n_starts : int
        Starting states for :meth:`.DeviceModel.symmetry_points` (counts).
    progress : bool
        Show a progress bar over the resamplings.

    Returns
    -------
    tuple of SymmetryPoint
        The stable points with ``uncertainty`` (w units) and ``found_fraction``
        (dimensionless) filled in.

    Raises
    ------
    ValueError
        If ``n_resamples`` < 2.
    """
    require("n_resamples", n_resamples, low=2, strict_low=False)
    from dataclasses import replace
    points = model.symmetry_points(n_starts=n_starts)
    if not points:
        return points
    sel = _select_width(pulses, None if not np.isfinite(model.width_s) else model.width_s)
    p, g_min, g_max = add_weight_scale(sel, end_reads=end_reads)
    rng = np.random.default_rng(seed)
    traces = [grp for _, grp in p.groupby(["device", "cycle"], sort=True)]
    found: list[list[float]] = [[] for _ in points]
    valid = 0
    curves = mean_curves(p)
    fits = {d: fit_curve(curves[d], d, fit_excursion, degree) for d in DIRECTIONS}
    resamplings = range(n_resamples)
    if progress:
        from tqdm.auto import tqdm

        resamplings = tqdm(resamplings, desc="resamplings", unit="fit")
    for _ in resamplings:
        try:
            if len(traces) >= 3:
                chosen = rng.integers(0, len(traces), len(traces))
                parts = []
                for k, idx in enumerate(chosen):
                    part = traces[idx].copy()
                    part["device"], part["cycle"] = "resampled", k + 1
                    parts.append(part)
                q, g0, g1 = add_weight_scale(pd.concat(parts, ignore_index=True), end_reads)
                rs_curves = mean_curves(q)
            else:
                g0, g1 = g_min, g_max
                rs_curves = {}
                for d in DIRECTIONS:
                    c = curves[d].sort_values("pulse_index").reset_index(drop=True)
                    n_idx = c["pulse_index"].to_numpy()
                    inside = n_idx <= fits[d].fit_end      # the fit window; the tail is kept as read
                    fitted = fits[d](n_idx[inside])
                    resid = c["mean_w"].to_numpy()[inside] - fitted
                    n = resid.size
                    block = max(2, int(np.sqrt(n)))
                    starts = rng.integers(0, n - block + 1, n // block + 1)
                    resampled = np.concatenate([resid[s:s + block] for s in starts])[:n]
                    mean_w = c["mean_w"].to_numpy().copy()
                    mean_w[inside] = fitted + resampled
                    rs_curves[d] = c.assign(mean_w=mean_w)
            rs_fits = {d: fit_curve(rs_curves[d], d, fit_excursion, degree) for d in DIRECTIONS}
            nodes, up, down, *_ = _tables(rs_fits, min_step_fraction)
        except FitError:
            continue
        valid += 1
        g = g0 + (np.array([r[0] for r in stable_points_of_table(nodes, up, down)]) + 1.0) \
            * 0.5 * (g1 - g0)
        on_scale = 2.0 * (g - g_min) / (g_max - g_min) - 1.0      # on the model's w scale
        for i, point in enumerate(points):
            inside = on_scale[(on_scale >= point.basin[0]) & (on_scale <= point.basin[1])]
            if inside.size:
                found[i].append(float(inside[np.argmin(np.abs(inside - point.w))]))
    out = []
    for point, values in zip(points, found):
        values = np.asarray(values)
        out.append(replace(point,
                           uncertainty=float(np.std(values, ddof=1)) if values.size > 1 else float("nan"),
                           found_fraction=values.size / valid if valid else float("nan")))
    return tuple(out)


def build_device_models(pulses: pd.DataFrame, source: str = "", stack: HZOStack | None = None,
                        **kwargs) -> dict[float, DeviceModel]:
    """The device model of every pulse width in ``pulses``, keyed by width (s), ascending (data
    of one unknown width: use :func:`build_device_model`).

    Parameters
    ----------
    pulses : pandas.DataFrame
        A pulse-response table with known widths.
    source : str
        Where the data came from, for labels.
    stack : HZOStack, optional
        Device geometry; None: the synthetic device's.
    **kwargs
        Passed to :func:`build_device_model`.

    Returns
    -------
    dict of float to DeviceModel
        One model per width (keys in s).

    Raises
    ------
    FitError
        If a width gives no usable fit.
    """
    return {float(t): build_device_model(pulses, float(t), source=source, stack=stack, **kwargs)
            for t in sorted(pulses["pulse_width_s"].unique())}


def figures_table(models: dict[float, DeviceModel]) -> pd.DataFrame:
    """The figures of merit of several models, one row per pulse width.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models keyed by width (s).

    Returns
    -------
    pandas.DataFrame
        The columns of :meth:`.DeviceModel.figures`, with their units.
    """
    return pd.DataFrame([m.figures() for m in models.values()])
