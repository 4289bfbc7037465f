"""From measured potentiation/depression curves to the device model that training uses.

This module's room: one pulse width's characterisation data in, one immutable :class:`DeviceModel`
out — the single object that fetrain's training engine, the AIHWKit bridge and the energy ledger all
take. It fits, derives and summarises; it does not train and does not read files (that is
:mod:`fetrain.io`).

The recipe (Chapter 2 of the book explains each step):

1. **Weight scale** (the book's convention, Chapter 2). Each read gives G = I/V_read. For every cycle, its
   highest conductance is the end of its potentiation phase and its lowest the end of its
   depression phase, each averaged over the last ``end_reads`` reads (the extreme of noisy reads
   would be biased outwards by a few read-noise σ). G_max and G_min are their means over cycles and
   devices; w = 2(G − G_min)/(G_max − G_min) − 1.
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
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np
import pandas as pd
from numpy.polynomial import Polynomial

from .energy import PulseEnergy, pulse_energy
from .physics import HZOStack, _require

DEGREE = 5                 #: degree of the response-curve polynomials (the study's choice)
N_NODES = 41               #: nodes of the step table on [-1, 1] (odd, so one node is at w = 0)
W_MIN, W_MAX = -1.0, 1.0   #: bounds of the weight scale

DIRECTIONS = ("potentiation", "depression")

#: How a quantity behind a device model is known.
KNOWN_AS = ("measured", "given", "assumed", "unknown")


class FitError(ValueError):
    """A response curve that gives no usable fit (no change in conductance, or an undefined R²)."""


class EnergyUnavailable(ValueError):
    """Energy asked of a device model whose data cannot give joules (normalized conductance, or an
    unknown pulse width or amplitude); the message says what is missing."""


@dataclass(frozen=True)
class Quantities:
    """What a device model rests on, and how each quantity is known.

    Each attribute is one of :data:`KNOWN_AS`: ``measured`` (in the data file), ``given`` (by the
    user, as an option), ``assumed`` (a default of fetrain's) or ``unknown``.

    Attributes
    ----------
    conductance : str
        ``measured`` when the file holds currents and read voltages (or conductances in S);
        ``unknown`` when it holds normalized conductance (no unit, arbitrary offset): then only
        the shape of the response is known, and no joules can be computed.
    pulse_width : str
        How the programming pulse width (s) is known.
    amplitude : str
        How the programming amplitudes (V) are known.
    geometry : str
        How the area (m²) and thickness (m) of the device are known (capacitance, switched
        charge): ``assumed`` when the synthetic device's stack stands in for them.

    Raises
    ------
    ValueError
        If a value is not one of ``KNOWN_AS``.
    """

    conductance: str = "measured"
    pulse_width: str = "measured"
    amplitude: str = "measured"
    geometry: str = "assumed"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in KNOWN_AS:
                raise ValueError(f"Quantities.{f.name} must be one of {KNOWN_AS}; got {value!r}")

    def missing_for_energy(self) -> tuple[str, ...]:
        """What the energy of a pulse needs and the data does not give (empty: energy available).

        Returns
        -------
        tuple of str
            One description per missing quantity (conductance in S, pulse width, amplitude).
        """
        missing = []
        if self.conductance == "unknown":
            missing.append("conductance in siemens (the file holds normalized conductance: give "
                           "read currents and the read voltage, or conductances in S)")
        if self.pulse_width == "unknown":
            missing.append("the pulse width")
        if self.amplitude == "unknown":
            missing.append("the pulse amplitude")
        return tuple(missing)

    def as_dict(self) -> dict:
        """The quantities as a plain dict (for JSON).

        Returns
        -------
        dict of str to str
            Field name to how it is known.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _plain(x, digits: int = 4) -> str:
    """A number as plain text for messages (``-1e-06``, ``0.3512``), never a numpy repr."""
    return f"{float(x):.{digits}g}"


def _frozen(a, dtype=float) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.flags.writeable = False
    return arr


# --------------------------------------------------------------------------------------------
# The piecewise-linear step table, applied exactly as AIHWKit's PiecewiseStepDevice applies it


def interpolate_table(w, nodes_values, w_min: float = W_MIN, w_max: float = W_MAX):
    """Linear interpolation of a table on equally spaced nodes, in AIHWKit's arithmetic.

    ``nodes_values`` (n values on n nodes from ``w_min`` to ``w_max``) are interpolated at ``w``
    the way AIHWKit 1.1.0's ``PiecewiseStepRPUDevice`` does (``rpu_piecewisestep_device.cpp``):
    w_scaled = max((w − w_min)/(w_max − w_min)·(n−1), 0), index = min(floor(w_scaled), n−2),
    t = min(w_scaled − index, 1), value = (1 − t)·v[index] + t·v[index+1]. The dtype of ``w``
    is kept (float32 reproduces AIHWKit's single-precision arithmetic).

    Parameters
    ----------
    w : float or array of float
        Weights to interpolate at (w units).
    nodes_values : sequence of float
        Table values on the nodes (any unit; the steps of a device table are in w units).
    w_min, w_max : float
        First and last node (w units).

    Returns
    -------
    float or array of float
        Interpolated values (the unit of ``nodes_values``), shaped and typed like ``w``.
    """
    w = np.asarray(w)
    dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
    v = np.asarray(nodes_values, dtype=dtype)
    n_sections = v.size - 1
    w_scaled = np.maximum((w - dtype.type(w_min)) / dtype.type(w_max - w_min) * dtype.type(n_sections),
                          dtype.type(0))
    index = np.minimum(np.floor(w_scaled).astype(np.int64), n_sections - 1)
    t = np.minimum(w_scaled - index.astype(dtype), dtype.type(1))
    return (dtype.type(1) - t) * v[index] + t * v[index + 1]


# --------------------------------------------------------------------------------------------
# Fits of the response curves


@dataclass(frozen=True, eq=False)
class CurveFit:
    """The 5th-degree polynomial fit of one mean response curve (w against pulse number).

    Attributes
    ----------
    direction : str
        ``potentiation`` or ``depression``.
    pulse_index : array of float
        Pulse numbers 1 … N of the phase (counts).
    mean_w, std_w : array of float
        Mean and standard deviation of w after each pulse, over cycles and devices (w units).
    fit_end : int
        The last pulse number inside the fit window (counts).
    polynomial : numpy.polynomial.Polynomial
        The fitted polynomial P(n), w units against pulse number (scaled domain).
    r_squared : float
        Coefficient of determination on the fit window (dimensionless).
    residual_std : float
        Standard deviation of mean_w − P(n) on the fit window (w units).
    turned_back : tuple of tuple of int
        (n_from, n_to) ranges of pulse numbers in [0, fit_end] where P runs against the curve's
        direction (then the monotone envelope is used).
    """

    direction: str
    pulse_index: np.ndarray
    mean_w: np.ndarray
    std_w: np.ndarray
    fit_end: int
    polynomial: Polynomial
    r_squared: float
    residual_std: float
    turned_back: tuple[tuple[int, int], ...]

    def __call__(self, n):
        """The fitted w after pulse number n."""
        return self.polynomial(np.asarray(n, dtype=float))

    @property
    def residuals(self) -> np.ndarray:
        """mean_w − P(n) over the whole phase (the window and the tail beyond it), w units."""
        return self.mean_w - self(self.pulse_index)

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """(states, steps): the monotone envelope of P on n = 0 … fit_end and its step per pulse.

        ``states[k]`` is the envelope at n = k, ``steps[k]`` ≥ 0 the change of pulse k+1.

        Returns
        -------
        states : array of float
            The envelope at n = 0 … fit_end − 1 (w units).
        steps : array of float
            The magnitude of the change of each pulse, ≥ 0 (w units).
        """
        n = np.arange(0, self.fit_end + 1, dtype=float)
        values = self(n)
        env = (np.maximum.accumulate(values) if self.direction == "potentiation"
               else np.minimum.accumulate(values))
        return env[:-1], np.abs(np.diff(env))


def _turned_back(values: np.ndarray, direction: str) -> tuple[tuple[int, int], ...]:
    """Ranges of n (n = index in ``values``) where ``values`` moves against ``direction``."""
    d = np.diff(values)
    bad = d < 0 if direction == "potentiation" else d > 0
    ranges, start = [], None
    for k, b in enumerate(bad):
        if b and start is None:
            start = k
        if not b and start is not None:
            ranges.append((start, k))
            start = None
    if start is not None:
        ranges.append((start, len(bad)))
    return tuple(ranges)


def fit_curve(curve: pd.DataFrame, direction: str, fit_excursion: float = 0.99,
              degree: int = DEGREE) -> CurveFit:
    """Fit one response curve: ``curve`` has columns ``pulse_index``, ``mean_w`` and ``std_w``.

    The fit window ends where a 5-pulse running mean of the curve first covers ``fit_excursion``
    of its total excursion (at least ``degree + 2`` pulses).

    Parameters
    ----------
    curve : pandas.DataFrame
        ``pulse_index`` (counts), ``mean_w`` and ``std_w`` (w units).
    direction : str
        ``potentiation`` or ``depression``.
    fit_excursion : float
        Fraction of the excursion the fit window covers (dimensionless, 0 … 1).
    degree : int
        Degree of the polynomial.

    Returns
    -------
    CurveFit
        The fit, in w units against pulse number.

    Raises
    ------
    FitError
        If the curve is too short, has non-finite values, moves against its direction or does
        not change, or is flat over its fit window.
    ValueError
        If ``fit_excursion`` is outside (0, 1].
    """
    _require("fit_excursion", fit_excursion, low=0, high=1)
    curve = curve.sort_values("pulse_index")
    n = curve["pulse_index"].to_numpy(dtype=float)
    y = curve["mean_w"].to_numpy(dtype=float)
    if n.size < degree + 1:
        raise FitError(f"{direction} curve has {n.size} pulses; a degree-{degree} fit needs at "
                       f"least {degree + 1}")
    if not np.all(np.isfinite(y)):
        raise FitError(f"{direction} curve has non-finite values of w")
    smooth = np.convolve(y, np.ones(5) / 5, mode="same") if n.size >= 5 else y
    excursion = y[-1] - y[0]
    sign = 1.0 if direction == "potentiation" else -1.0
    k = max(1, min(5, n.size // 4))
    if not sign * (y[-k:].mean() - y[:k].mean()) > 0:
        moves = "does not change" if np.ptp(y) == 0 else ("falls" if sign > 0 else "rises")
        raise FitError(f"the {direction} curve {moves} over its {n.size} pulses (w from "
                       f"{_plain(y[0])} to {_plain(y[-1])}); a {direction} phase must move w "
                       f"{'up' if sign > 0 else 'down'}: check the direction labels")
    if fit_excursion < 1 and excursion != 0:
        covered = (smooth - y[0]) / excursion
        end = int(np.argmax(covered >= fit_excursion)) + 1 if np.any(covered >= fit_excursion) else n.size
    else:
        end = n.size
    end = int(min(max(end, degree + 2), n.size))
    poly = Polynomial.fit(n[:end], y[:end], degree)
    resid = y[:end] - poly(n[:end])
    ss_tot = float(np.sum((y[:end] - y[:end].mean()) ** 2))
    if not ss_tot > 0:
        raise FitError(f"the {direction} curve is flat over its fit window: R² is undefined")
    r2 = 1.0 - float(np.sum(resid ** 2)) / ss_tot
    fit_end = int(n[end - 1])
    grid = poly(np.arange(0, fit_end + 1, dtype=float))
    return CurveFit(direction=direction, pulse_index=_frozen(n), mean_w=_frozen(y),
                    std_w=_frozen(curve["std_w"].to_numpy(dtype=float)), fit_end=fit_end,
                    polynomial=poly, r_squared=r2, residual_std=float(np.std(resid, ddof=degree + 1)),
                    turned_back=_turned_back(grid, direction))


def _table_from_fit(fit: CurveFit, nodes: np.ndarray) -> np.ndarray:
    """Raw steps (before the floor) of a curve fit on the table's nodes."""
    states, steps = fit.envelope()
    moving = steps > 0
    if not np.any(moving):
        return np.zeros_like(nodes)
    states, steps = states[moving], steps[moving]
    order = np.argsort(states, kind="stable")
    # outside the traversed range, hold the nearest step (np.interp's edge behaviour)
    return np.interp(nodes, states[order], steps[order])


# --------------------------------------------------------------------------------------------
# The device model


@dataclass(frozen=True, eq=False)
class NoiseFigures:
    """Noise and variability of a device model, in AIHWKit's parameters where they exist.

    Every figure is computed on the weight scale w, so none depends on the unit or the offset of
    the conductance (the same data in S or in µS, or shifted by a constant, give the same figures),
    except ``read_noise_rel``, which needs absolute conductance. NaN means unknown.

    Attributes
    ----------
    dw_min_std : float
        Cycle-to-cycle (pulse-to-pulse) relative standard deviation of a step, net of read noise
        (AIHWKit ``dw_min_std``; dimensionless).
    read_noise_w : float
        Standard deviation of one read (w units; w spans 2 from G_min to G_max): the root mean
        square over the data of the read noise at each state.
    read_noise_low_w, read_noise_high_w : float
        That standard deviation at w = −1 and at w = +1 (w units); the read noise is modelled as
        varying linearly with the state between them.
    read_noise_rel : float
        Standard deviation of one read relative to the conductance read, root mean square over
        the data (dimensionless); NaN for normalized conductance.
    dw_min_dtod : float
        Device-to-device relative spread of the step scale (AIHWKit ``dw_min_dtod``;
        dimensionless).
    up_down_dtod : float
        Device-to-device spread of the up/down imbalance (AIHWKit ``up_down_dtod``;
        dimensionless).
    w_min_dtod, w_max_dtod : float
        Device-to-device relative spread of the lower and upper bounds (AIHWKit ``w_min_dtod``,
        ``w_max_dtod``; dimensionless).
    n_devices : int
        Number of devices the spreads were estimated from (counts); with one device the four
        device-to-device figures are unknown (NaN).
    """

    dw_min_std: float
    read_noise_w: float
    read_noise_low_w: float
    read_noise_high_w: float
    read_noise_rel: float
    dw_min_dtod: float
    up_down_dtod: float
    w_min_dtod: float
    w_max_dtod: float
    n_devices: int

    def read_noise_at(self, w):
        """Standard deviation of one read at state w, w units.

        Parameters
        ----------
        w : float or array of float
            State (w units); clipped to [−1, 1].

        Returns
        -------
        float or array of float
            Read noise σ(w) (w units).
        """
        u = (np.clip(np.asarray(w, dtype=float), W_MIN, W_MAX) - W_MIN) / (W_MAX - W_MIN)
        return (1.0 - u) * self.read_noise_low_w + u * self.read_noise_high_w

    def levels(self) -> float:
        """Conductance levels a single read tells apart over the range: 1 + ∫ dw / (4σ(w)),
        with σ(w) the read noise at state w (levels 4σ apart). For read noise proportional to the
        conductance this is 1 + ln(G_max/G_min)/(4σ_rel). NaN when the read noise is zero.

        Returns
        -------
        float
            Number of distinguishable levels (counts, not rounded).
        """
        grid = np.linspace(W_MIN, W_MAX, 401)
        sigma = self.read_noise_at(grid)
        if not np.all(sigma > 0):
            return float("nan")
        return float(1.0 + np.trapezoid(1.0 / (4.0 * sigma), grid))


def _read_noise_profile(pairs_u: np.ndarray, lag: np.ndarray) -> tuple[float, float]:
    """σ(w) = σ_low·(1 − u) + σ_high·u (u = (w + 1)/2) from the lag products of the residuals.

    −r_n·r_{n+1} has mean σ²(w_{n+1}) (the read they share); (σ_low, σ_high) ≥ 0 are fitted to it
    by least squares.
    """
    from scipy.optimize import least_squares

    target = -lag
    const = np.sqrt(max(float(np.mean(target)), 0.0))
    if const == 0.0:
        return 0.0, 0.0
    scale = const

    def residual(x):
        return ((x[0] * (1 - pairs_u) + x[1] * pairs_u) ** 2 - target / scale ** 2)

    fit = least_squares(residual, x0=[1.0, 1.0], bounds=([0.0, 0.0], [np.inf, np.inf]))
    return float(fit.x[0] * scale), float(fit.x[1] * scale)


def _noise_figures(p: pd.DataFrame, g_min: float, g_max: float,
                   device_models: dict[str, "DeviceModel"],
                   device_bounds: dict[str, tuple[float, float]],
                   absolute: bool) -> NoiseFigures:
    """Cycle-to-cycle step noise net of read noise, and device-to-device spreads, in w units.

    Within a phase, the residual of a read-to-read change against the device's own fitted step,
    r_n = Δw_n − Δw_expected(w_n), carries the step noise a_n·ξ_n (a_n = dw_min_std·Δw_expected)
    and the read noise e_{n+1} − e_n. Read noise makes consecutive residuals anticorrelated:
    cov(r_n, r_{n+1}) = −σ²(w_{n+1}), which gives the read noise at each state (fitted as a
    linear profile in w); the step noise is what remains of the variance:
    E[r_n²] = dw_min_std²·Δw_n² + σ²(w_n) + σ²(w_{n+1}).
    """
    lag, lag_u, rows_a, rows_b, w_reads = [], [], [], [], []
    for (device, _, direction), grp in p.groupby(["device", "cycle", "direction"], sort=False):
        model = device_models[device]
        w = grp["w"].to_numpy()
        if w.size < 3:
            continue
        expected = (model.step_up_at(w[:-1]) if direction == "potentiation"
                    else -model.step_down_at(w[:-1]))
        r = np.diff(w) - expected
        lag.append(r[:-1] * r[1:])
        lag_u.append((np.clip(w[1:-1], W_MIN, W_MAX) - W_MIN) / (W_MAX - W_MIN))
        rows_a.append(expected ** 2)
        rows_b.append((r, w[:-1], w[1:]))
        w_reads.append(w)
    low, high = _read_noise_profile(np.concatenate(lag_u), np.concatenate(lag))
    profile = NoiseFigures(0.0, 0.0, low, high, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    a = np.concatenate(rows_a)
    read_var = np.concatenate([profile.read_noise_at(w0) ** 2 + profile.read_noise_at(w1) ** 2
                               for _, w0, w1 in rows_b])
    b = np.concatenate([r ** 2 for r, _, _ in rows_b]) - read_var
    # E[b] = dw_min_std²·a; weighted least squares with var(b) ∝ (a·s² + read variance)², the
    # read variance floored at (¼ of its largest level)² so that no point dominates; iterated
    floor = 2.0 * (0.25 * max(low, high)) ** 2
    step_var = max(float(np.sum(a * b) / np.sum(a * a)), 0.0)
    for _ in range(4):
        weight = 1.0 / (a * step_var + np.maximum(read_var, floor)) ** 2
        step_var = max(float(np.sum(weight * a * b) / np.sum(weight * a * a)), 0.0)
    all_w = np.concatenate(w_reads)
    read_w = float(np.sqrt(np.mean(profile.read_noise_at(all_w) ** 2)))
    if absolute:
        g = g_min + (np.clip(all_w, W_MIN, W_MAX) + 1.0) * 0.5 * (g_max - g_min)
        sigma_g = profile.read_noise_at(all_w) * 0.5 * (g_max - g_min)
        read_rel = float(np.sqrt(np.mean((sigma_g / g) ** 2)))
    else:
        read_rel = float("nan")

    names = list(device_models)
    if len(names) > 1:
        ups = np.array([device_models[k].dw_min for k in names])
        downs = np.array([float(device_models[k].step_down[N_NODES // 2]) for k in names])
        gain_up, gain_down = ups / ups.mean(), downs / downs.mean()
        imbalance = (gain_up - gain_down) / 2.0
        lows = np.array([device_bounds[k][0] for k in names])
        highs = np.array([device_bounds[k][1] for k in names])
        dtod = (float(np.std((gain_up + gain_down) / 2.0, ddof=1)), float(np.std(imbalance, ddof=1)),
                float(np.std(lows, ddof=1) / abs(np.mean(lows))),
                float(np.std(highs, ddof=1) / abs(np.mean(highs))))
    else:
        dtod = (float("nan"),) * 4          # one device: no spread can be estimated
    return NoiseFigures(
        dw_min_std=float(np.sqrt(step_var)), read_noise_w=read_w, read_noise_low_w=low,
        read_noise_high_w=high, read_noise_rel=read_rel, dw_min_dtod=dtod[0],
        up_down_dtod=dtod[1], w_min_dtod=dtod[2], w_max_dtod=dtod[3], n_devices=len(names))


@dataclass(frozen=True)
class SymmetryPoint:
    """One stable symmetry point of a device: where alternating up/down pulses settle it.

    Attributes
    ----------
    w : float
        The point from the step table, a stable root of Δw↑(w) − Δw↓(w) (w units).
    basin : tuple of float
        (low, high), the states from which the table's drift leads here, bounded by the unstable
        roots around it or by the weight bounds (w units).
    w_pulsing : float
        Where devices started inside the basin settle under alternating pulses (w units).
    basin_pulsing : tuple of float
        (low, high) of the starting states that settled here when pulsed (w units).
    conductance : float
        The conductance at ``w``, on the data's scale (S, or normalized units).
    uncertainty : float
        Standard deviation of ``w`` over resamplings of the data (w units); NaN when not
        estimated, see :func:`symmetry_point_uncertainty`.
    found_fraction : float
        Fraction of the resamplings in which a stable point was found in the basin
        (dimensionless).
    """

    w: float
    basin: tuple[float, float]
    w_pulsing: float
    basin_pulsing: tuple[float, float]
    conductance: float
    uncertainty: float = float("nan")
    found_fraction: float = float("nan")

    def as_dict(self) -> dict:
        """Plain numbers, for JSON (NaN as None).

        Returns
        -------
        dict
            The fields, rounded to 6 decimals, in their units (w units; conductance in S or
            normalized units).
        """
        def plain(x):
            return None if not np.isfinite(x) else round(float(x), 6)
        return {"w": plain(self.w), "uncertainty": plain(self.uncertainty),
                "basin": [plain(v) for v in self.basin], "w_pulsing": plain(self.w_pulsing),
                "basin_pulsing": [plain(v) for v in self.basin_pulsing],
                "conductance": plain(self.conductance), "found_fraction": plain(self.found_fraction)}


def _digest_into(digest, value) -> None:
    """Feed a model's value (dataclass, array, polynomial, tuple, number, string) into a hash."""
    if is_dataclass(value):
        digest.update(type(value).__name__.encode())
        for f in fields(value):
            digest.update(f.name.encode())
            _digest_into(digest, getattr(value, f.name))
    elif isinstance(value, np.ndarray):
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, Polynomial):
        _digest_into(digest, (value.coef, value.domain, value.window))
    elif isinstance(value, (tuple, list)):
        digest.update(f"[{len(value)}".encode())
        for item in value:
            _digest_into(digest, item)
    else:
        digest.update(repr(value).encode())


@dataclass(frozen=True, eq=False)
class DeviceModel:
    """The device model of one pulse width: the single object training, bridge and ledger use.

    The weight w lives on [−1, 1] (the book's weight scale, Chapter 2). One up (potentiation) pulse at w adds
    ``step_up_at(w)``; one down pulse subtracts ``step_down_at(w)``; both are linear
    interpolations of the step table on ``w_nodes``, and the result is clipped to [−1, 1].

    Attributes
    ----------
    width_s : float
        Pulse width (s); NaN when unknown.
    source : str
        Where the data came from (e.g. "embedded synthetic data set").
    g_min_S, g_max_S : float
        The conductances that map to w = −1 and w = +1 (S; normalized units for normalized
        data).
    w_nodes : array of float
        The table's nodes, ``N_NODES`` equally spaced on [−1, 1] (w units).
    step_up, step_down : array of float
        Step per pulse at the nodes (w units), ≥ ``min_step``.
    floored_up, floored_down : array of bool
        Nodes where the floor ``min_step`` replaced the fitted step.
    min_step : float
        The floor (w units).
    fit_up, fit_down : CurveFit
        The polynomial fits.
    amplitude_set_V, amplitude_reset_V : float
        Programming amplitudes |V| (V); NaN when unknown.
    pulses_per_phase : int
        Pulses per phase of the characterisation (counts).
    noise : NoiseFigures or None
        Noise and variability (see :class:`NoiseFigures`); None for a per-device model.
    stack : HZOStack
        Device geometry for the energy of a pulse (:mod:`fetrain.energy`).
    quantities : Quantities
        Which of conductance, width, amplitude and geometry were measured, given, assumed or are
        unknown. With normalized conductance, ``g_min_S`` and ``g_max_S`` are on the file's own
        scale (no unit) and no energy can be computed.
    device_models : tuple of DeviceModel
        Per-device models (same w scale), empty for a per-device model itself.
    device_names : tuple of str
        Names of the devices behind ``device_models``.
    device_bounds : tuple of tuple of float
        Per device, the (lowest, highest) w its cycles reach (w units).
    """

    width_s: float
    source: str
    g_min_S: float
    g_max_S: float
    w_nodes: np.ndarray
    step_up: np.ndarray
    step_down: np.ndarray
    floored_up: np.ndarray
    floored_down: np.ndarray
    min_step: float
    fit_up: CurveFit
    fit_down: CurveFit
    amplitude_set_V: float
    amplitude_reset_V: float
    pulses_per_phase: int
    noise: NoiseFigures | None
    stack: HZOStack = field(default_factory=HZOStack)
    quantities: Quantities = field(default_factory=Quantities)
    device_models: tuple["DeviceModel", ...] = ()
    device_names: tuple[str, ...] = ()
    device_bounds: tuple[tuple[float, float], ...] = ()

    def fingerprint(self) -> str:
        """A short hash of everything the model holds (tables, fits, noise, amplitudes, geometry,
        per-device models): two models that could train differently never share it. Used to key
        cached runs, so that an edited or re-fitted device is never served another's results.

        Returns
        -------
        str
            16 hexadecimal digits of a SHA-256.
        """
        digest = hashlib.sha256()
        _digest_into(digest, self)
        return digest.hexdigest()[:16]

    # ---- the table ----------------------------------------------------------------------

    @property
    def dw_min(self) -> float:
        """The up step at w = 0 (AIHWKit's granularity convention), w units."""
        return float(self.step_up[N_NODES // 2])

    @property
    def piecewise_up(self) -> np.ndarray:
        """Up steps relative to dw_min (AIHWKit's ``piecewise_up``; 1 at w = 0), dimensionless."""
        return self.step_up / self.dw_min

    @property
    def piecewise_down(self) -> np.ndarray:
        """Down steps relative to dw_min (AIHWKit's ``piecewise_down``), dimensionless."""
        return self.step_down / self.dw_min

    def step_up_at(self, w):
        """Mean up step at weight w (AIHWKit's interpolation; dtype of ``w`` kept).

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Up step (w units), shaped and typed like ``w``.
        """
        w = np.asarray(w)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        return dtype.type(self.dw_min) * interpolate_table(w, self.piecewise_up.astype(dtype))

    def step_down_at(self, w):
        """Mean down step (magnitude) at weight w.

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Magnitude of the down step (w units), shaped and typed like ``w``.
        """
        w = np.asarray(w)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        return dtype.type(self.dw_min) * interpolate_table(w, self.piecewise_down.astype(dtype))

    def apply_pulses(self, w, signs, rng: np.random.Generator | None = None):
        """Apply a sequence of pulses to weights; returns the trajectory.

        ``signs`` is a sequence of +1 (up) / −1 (down) / 0 (no pulse); ``w`` a scalar or array of
        starting weights. With ``rng`` the cycle-to-cycle noise multiplies each step by
        (1 + dw_min_std·ξ), as AIHWKit does; without it the update is deterministic. Returns an
        array of shape ``(len(signs) + 1, *w.shape)`` starting with ``w``.

        Parameters
        ----------
        w : float or array of float
            Starting weights (w units).
        signs : sequence of int
            +1 (up), −1 (down) or 0 (no pulse), one per pulse slot.
        rng : numpy.random.Generator, optional
            Random stream for the cycle-to-cycle noise; None: noise off.

        Returns
        -------
        array of float
            The trajectory (w units), shape ``(len(signs) + 1, *w.shape)``.
        """
        w = np.array(w, copy=True)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        w = w.astype(dtype)
        out = [w.copy()]
        std = dtype.type(self.noise.dw_min_std if (rng is not None and self.noise) else 0.0)
        for sign in signs:
            if sign > 0:
                step = self.step_up_at(w)
            elif sign < 0:
                step = -self.step_down_at(w)
            else:
                out.append(w.copy())
                continue
            if std > 0:
                step = step * (dtype.type(1) + std * rng.standard_normal(w.shape).astype(dtype))
            w = np.minimum(np.maximum(w + step, dtype.type(W_MIN)), dtype.type(W_MAX))
            out.append(w.copy())
        return np.stack(out)

    # ---- symmetry point -------------------------------------------------------------------

    @property
    def symmetry_point(self) -> float:
        """The lowest stable symmetry point of the table, a root of step_up(w) − step_down(w).

        Stable: up − down changes sign from + (below) to − (above). NaN when the table has none.
        In w units.
        """
        return symmetry_point_of_table(self.w_nodes, self.step_up, self.step_down)

    def balance_point(self, up_fraction: float) -> float:
        """Where a device settles when a fraction ``up_fraction`` of its pulses are up pulses.

        The stable root of f·Δw↑(w) − (1 − f)·Δw↓(w) on the table; f = ½ gives the symmetry point.
        NaN when there is none on [−1, 1].

        Parameters
        ----------
        up_fraction : float
            Fraction f of up pulses (dimensionless, 0 … 1).

        Returns
        -------
        float
            Balance point (w units), or NaN.

        Raises
        ------
        ValueError
            If ``up_fraction`` is outside [0, 1].
        """
        _require("up_fraction", up_fraction, low=0, high=1, strict_low=False)
        f = float(up_fraction)
        return symmetry_point_of_table(self.w_nodes, f * self.step_up, (1.0 - f) * self.step_down)

    def symmetry_point_by_pulsing(self, start: float = -1.0, max_pairs: int = 200_000,
                                  tol: float = 1e-9) -> tuple[float, np.ndarray]:
        """Settle a device under alternating up/down pulses (noise off), as hardware would.

        Starts at ``start``, applies up, down, up, down … until a pair of pulses moves w by less
        than ``tol``; returns (the mean of the last up/down pair of states, the trajectory after each
        pair).

        Parameters
        ----------
        start : float
            Starting weight (w units).
        max_pairs : int
            Most up/down pairs applied (counts).
        tol : float
            Movement per pair below which the device has settled (w units).

        Returns
        -------
        w : float
            Where it settled (w units).
        trajectory : array of float
            The state after each pair, starting with ``start`` (w units).
        """
        w = float(start)
        history = [w]
        for _ in range(max_pairs):
            up = float(np.clip(w + self.step_up_at(w), W_MIN, W_MAX))
            new = float(np.clip(up - self.step_down_at(up), W_MIN, W_MAX))
            history.append(new)
            if abs(new - w) < tol:
                return 0.5 * (up + new), np.array(history)
            w = new
        return 0.5 * (up + new), np.array(history)

    @property
    def device_symmetry_points(self) -> np.ndarray:
        """The symmetry point of each device (from its own table), w units."""
        return np.array([m.symmetry_point for m in self.device_models])

    def settle_by_pulsing(self, starts, max_pairs: int = 200_000, tol: float | None = None):
        """Where devices starting at ``starts`` settle under alternating up/down pulses (noise
        off), vectorized: the mean of the last up/down pair of states, one per start.

        Pairs are applied until no device moves by more than ``tol`` per pair (default 1e-4 of
        dw_min) or ``max_pairs`` pairs. A device whose drift takes it to a bound stays there.

        Parameters
        ----------
        starts : float or array of float
            Starting weights (w units).
        max_pairs : int
            Most up/down pairs applied (counts).
        tol : float, optional
            Movement per pair below which all have settled (w units); None: 1e-4·dw_min.

        Returns
        -------
        array of float
            Where each settled (w units), one per start.
        """
        w = np.clip(np.array(starts, dtype=float, ndmin=1), W_MIN, W_MAX)
        tol = 1e-4 * self.dw_min if tol is None else float(tol)
        up = w
        for _ in range(max_pairs):
            up = np.clip(w + self.step_up_at(w), W_MIN, W_MAX)
            new = np.clip(up - self.step_down_at(up), W_MIN, W_MAX)
            done = np.max(np.abs(new - w)) < tol
            w = new
            if done:
                break
        return 0.5 * (up + w)

    def symmetry_points(self, n_starts: int = 81) -> tuple["SymmetryPoint", ...]:
        """Every stable symmetry point of the table, with its basin of attraction, checked by
        pulsing: devices are started at ``n_starts`` states evenly spread over [−1, 1] and
        settled by alternating pulses; each point reports where the starts inside its basin
        settled and the range of starts that settled there. Ascending in w. The uncertainty of
        each point needs the data: :func:`symmetry_point_uncertainty`.

        Parameters
        ----------
        n_starts : int
            Number of starting states (counts).

        Returns
        -------
        tuple of SymmetryPoint
            The stable points, ascending in w (w units).
        """
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        starts = np.linspace(W_MIN, W_MAX, n_starts)
        settled = self.settle_by_pulsing(starts)
        out = []
        for w_star, lo, hi in points:
            near = np.abs(settled - w_star) <= max(2.0 * self.dw_min, 1e-3)
            out.append(SymmetryPoint(
                w=w_star, basin=(lo, hi),
                w_pulsing=float(np.median(settled[near])) if near.any() else float("nan"),
                basin_pulsing=((float(starts[near].min()), float(starts[near].max()))
                               if near.any() else (float("nan"), float("nan"))),
                conductance=float(self.conductance(w_star))))
        return tuple(out)

    def reference_point(self, start: float = W_MIN) -> tuple[float, str]:
        """The state a reference device reaches when it is set to ``start`` and then pulsed
        alternately up and down until it settles (symmetry point shifting as hardware does it),
        and why: returns (w, a sentence naming the point and its basin).

        With one stable point every start in its basin reaches it; with several, the start
        decides, and the sentence says which point was chosen. Where the drift from ``start``
        ends at a bound, the bound is returned (the reference sits there; the sentence says no
        symmetry point is reached); where there is no drift at ``start``, ``start`` itself. The
        engine's references follow the same rule, device by device.

        Parameters
        ----------
        start : float
            Starting state of the reference (w units, −1 … 1).

        Returns
        -------
        w : float
            The state the reference reaches (w units).
        why : str
            A sentence naming the point and its basin.

        Raises
        ------
        ValueError
            If ``start`` is outside [−1, 1].
        """
        _require("start", start, low=W_MIN, high=W_MAX, strict_low=False)
        start = float(start)
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        drift = float(self.step_up_at(start) - self.step_down_at(start))
        if drift == 0:
            return start, (f"w = {_plain(start, 3)}: the up and down steps are equal there, so a "
                           "reference started there stays (an equilibrium, not necessarily stable)")
        for w_star, lo, hi in points:
            if lo < start < hi or (start == lo == W_MIN) or (start == hi == W_MAX):
                others = [f"{_plain(p[0], 3)}" for p in points if p[0] != w_star]
                why = (f"w* = {_plain(w_star, 3)}: the stable point whose basin "
                       f"[{_plain(lo, 3)}, {_plain(hi, 3)}] holds the start w = {_plain(start, 3)}")
                if others:
                    why += (f"; the device has {len(points)} stable points (also at "
                            f"{', '.join(others)}), so the start decides")
                return w_star, why
        bound = W_MAX if drift > 0 else W_MIN
        return bound, (f"w = {_plain(bound)}: from w = {_plain(start, 3)} the drift under "
                       "alternating pulses ends at this bound, so no symmetry point is reached "
                       "and the reference sits at the bound")

    # ---- figures of merit ---------------------------------------------------------------

    def conductance(self, w):
        """Read conductance of weight w, S.

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Read conductance (S; normalized units for normalized data).
        """
        return self.g_min_S + (np.asarray(w, dtype=float) + 1.0) * (self.g_max_S - self.g_min_S) / 2

    def figures(self) -> dict:
        """Figures of merit of the device (one flat dict, for tables).

        Returns
        -------
        dict of str to float
            ``pulse_width_s`` (s); ``G_min_S``, ``G_max_S`` (S, NaN for normalized data);
            ``dynamic_range`` (dimensionless); ``dw_min``, ``step_down_at_0``,
            ``symmetry_point`` and ``read_noise_w`` (w units); ``n_symmetry_points`` (counts);
            ``n_steps_full_range``, ``pulses_10_90_up`` and ``pulses_10_90_down`` (pulses);
            ``n_states_read_noise`` (levels); the asymmetry, nonlinearities, R², relative noise
            and device-to-device spreads (dimensionless).
        """
        fu, fd = self.fit_up, self.fit_down
        nan = float("nan")
        read = self.noise.read_noise_rel if self.noise else nan
        absolute = self.quantities.conductance != "unknown"
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        return {
            "pulse_width_s": self.width_s,
            "G_min_S": self.g_min_S if absolute else nan,
            "G_max_S": self.g_max_S if absolute else nan,
            "dynamic_range": self.g_max_S / self.g_min_S if absolute and self.g_min_S > 0 else nan,
            "dw_min": self.dw_min,
            "step_down_at_0": float(self.step_down[N_NODES // 2]),
            "asymmetry_up_over_down_at_0": self.dw_min / float(self.step_down[N_NODES // 2]),
            "symmetry_point": self.symmetry_point,
            "n_symmetry_points": len(points),
            "n_steps_full_range": 2.0 / self.dw_min,
            "n_states_read_noise": self.noise.levels() if self.noise else nan,
            "pulses_10_90_up": _pulses_between(fu, -0.8, 0.8),
            "pulses_10_90_down": _pulses_between(fd, 0.8, -0.8),
            "nonlinearity_up": _nonlinearity(fu),
            "nonlinearity_down": _nonlinearity(fd),
            "r_squared_up": fu.r_squared,
            "r_squared_down": fd.r_squared,
            "dw_min_std": self.noise.dw_min_std if self.noise else nan,
            "read_noise_rel": read,
            "read_noise_w": self.noise.read_noise_w if self.noise else nan,
            "dw_min_dtod": self.noise.dw_min_dtod if self.noise else nan,
            "up_down_dtod": self.noise.up_down_dtod if self.noise else nan,
            "w_min_dtod": self.noise.w_min_dtod if self.noise else nan,
            "w_max_dtod": self.noise.w_max_dtod if self.noise else nan,
        }

    # ---- energy --------------------------------------------------------------------------

    @property
    def energy_available(self) -> bool:
        """Whether the data give joules (absolute conductance, known width and amplitude)."""
        return not self.quantities.missing_for_energy()

    def require_energy(self) -> None:
        """Raise :class:`EnergyUnavailable`, saying what is missing, unless energy is available.

        Raises
        ------
        EnergyUnavailable
            If the conductance is normalized, or the pulse width or amplitude is unknown.
        """
        missing = self.quantities.missing_for_energy()
        if missing:
            raise EnergyUnavailable(f"energy is unavailable for this device model ({self.source}): "
                                    f"the data lack {'; '.join(missing)}")

    def warnings(self) -> tuple[str, ...]:
        """What a reader of this model's figures should know: several stable symmetry points,
        read noise that the step table does not resolve, device-to-device spreads unknown,
        energy unavailable.

        Returns
        -------
        tuple of str
            One sentence per warning (values in w units); empty when there is none.
        """
        out = []
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        if len(points) > 1:
            out.append(f"{len(points)} stable symmetry points (w* = "
                       f"{', '.join(_plain(p[0], 3) for p in points)}): a device settles at the one "
                       "whose basin holds its starting state; symmetry point shifting must say "
                       "which it uses (DeviceModel.reference_point)")
        elif not points:
            out.append("no stable symmetry point: alternating pulses drive the device to a bound")
        if self.noise is not None:
            if self.noise.read_noise_w > self.dw_min:
                out.append(f"read noise ({_plain(self.noise.read_noise_w, 3)} in w per read) exceeds "
                           f"the step dw_min = {_plain(self.dw_min, 3)}: single reads do not resolve "
                           "one pulse's step; the step table rests on the fit of the averaged curves")
            if self.noise.dw_min_std == 0:
                out.append("cycle-to-cycle step noise not resolved (estimated 0): the read noise "
                           "hides it")
            if self.noise.n_devices < 2:
                out.append("one device: device-to-device figures are unknown")
        missing = self.quantities.missing_for_energy()
        if missing:
            out.append(f"energy unavailable: the data lack {'; '.join(missing)}")
        return tuple(out)

    def pulse_energy(self, w, polarity: str) -> PulseEnergy:
        """Energy of one pulse at weight w (J), in both forms (:func:`fetrain.energy.pulse_energy`).

        The read conductance is G(w); the switched fraction of the polarisation is taken as
        |Δw|/2 of the step the pulse makes — the cycles span (nearly) the whole polarisation range,
        so G_max − G_min ≈ G_on − G_off. The amplitude is the campaign's for this polarity.

        Parameters
        ----------
        w : float or array of float
            Weight before the pulse (w units); clipped to [−1, 1].
        polarity : str
            ``"set"`` (up) or ``"reset"`` (down).

        Returns
        -------
        PulseEnergy
            Energy per pulse (J), shaped like ``w``.

        Raises
        ------
        ValueError
            If ``polarity`` is unknown.
        EnergyUnavailable
            If the model's data cannot give joules.
        """
        if polarity not in ("set", "reset"):
            raise ValueError(f"polarity must be one of ('set', 'reset'); got {polarity!r}")
        self.require_energy()
        w = np.clip(np.asarray(w, dtype=float), W_MIN, W_MAX)
        if polarity == "set":
            v, dw = self.amplitude_set_V, self.step_up_at(w)
        else:
            v, dw = self.amplitude_reset_V, self.step_down_at(w)
        return pulse_energy(v, self.width_s, self.conductance(w), np.clip(dw / 2, 0, 1), self.stack)


def symmetry_point_of_table(nodes, up, down) -> float:
    """The stable root of up(w) − down(w) on a piecewise-linear table (NaN when none).

    Parameters
    ----------
    nodes : sequence of float
        The table's nodes (w units), ascending.
    up, down : sequence of float
        Up steps and magnitudes of down steps at the nodes (w units).

    Returns
    -------
    float
        The lowest stable root (w units), or NaN.
    """
    diff = np.asarray(up, dtype=float) - np.asarray(down, dtype=float)
    for k in range(len(diff) - 1):
        a, b = diff[k], diff[k + 1]
        if a > 0 and b <= 0:
            return float(nodes[k] + a * (nodes[k + 1] - nodes[k]) / (a - b))
    return float("nan")


def _crossings(nodes, diff) -> tuple[list[float], list[float]]:
    """The stable and the unstable roots of a piecewise-linear drift ``diff`` on ``nodes``.

    A root is where the drift's sign changes: from + below to − above (stable) or from − to +
    (unstable). Nodes where the drift is exactly 0 are classified by the nearest non-zero values
    on either side: a zero that the drift only touches is no root; a run of zeros between opposite
    signs is one root, at the run's middle.
    """
    n = len(diff)
    stable, unstable = [], []
    k = 0
    while k < n - 1:
        a, b = diff[k], diff[k + 1]
        if a != 0 and b != 0:
            if (a > 0) != (b > 0):
                w = float(nodes[k] + a * (nodes[k + 1] - nodes[k]) / (a - b))
                (stable if a > 0 else unstable).append(w)
            k += 1
            continue
        if a == 0:            # a zero at the table's first node: an end, not a crossing
            k += 1
            continue
        # b == 0: find the run of zeros and the first non-zero value after it
        j = k + 1
        while j < n and diff[j] == 0:
            j += 1
        if j < n and (diff[j] > 0) != (a > 0):
            w = float(0.5 * (nodes[k + 1] + nodes[j - 1]))
            (stable if a > 0 else unstable).append(w)
        k = j
    return stable, unstable


def stable_points_of_table(nodes, up, down) -> list[tuple[float, float, float]]:
    """Every stable root of up(w) − down(w) on a piecewise-linear table, with its basin.

    Returns (w*, low, high) for each stable root (up − down changes sign from + below to −
    above), ascending; [low, high] is its basin under the drift up − down: bounded by the
    unstable roots around it (sign from − to +) or by the table's ends. Between nodes both
    tables are linear, so each section holds at most one root. A table without drift anywhere
    (up = down) has no stable root: every state is an equilibrium.

    Parameters
    ----------
    nodes : sequence of float
        The table's nodes (w units), ascending.
    up, down : sequence of float
        Up steps and magnitudes of down steps at the nodes (w units).

    Returns
    -------
    list of tuple of float
        (w*, low, high) per stable root, ascending (w units).
    """
    nodes = np.asarray(nodes, dtype=float)
    diff = np.asarray(up, dtype=float) - np.asarray(down, dtype=float)
    stable, unstable = _crossings(nodes, diff)
    out = []
    for w_star in stable:
        below = [u for u in unstable if u < w_star]
        above = [u for u in unstable if u > w_star]
        out.append((w_star, max(below) if below else float(nodes[0]),
                    min(above) if above else float(nodes[-1])))
    return out


def _pulses_between(fit: CurveFit, w_from: float, w_to: float) -> float:
    """Pulses the fitted curve takes from w_from to w_to (NaN if it does not get there)."""
    states, _ = fit.envelope()
    sign = 1 if fit.direction == "potentiation" else -1
    reached_from = np.flatnonzero(sign * (states - w_from) >= 0)
    reached_to = np.flatnonzero(sign * (states - w_to) >= 0)
    if reached_from.size == 0 or reached_to.size == 0:
        return float("nan")
    return float(reached_to[0] - reached_from[0])


def _nonlinearity(fit: CurveFit) -> float:
    """Largest distance between the fitted curve and the straight line joining its window's ends,
    as a fraction of the excursion (0: linear; up to about 0.5: abrupt)."""
    n = np.arange(1, fit.fit_end + 1, dtype=float)
    y = fit(n)
    line = y[0] + (y[-1] - y[0]) * (n - n[0]) / (n[-1] - n[0])
    excursion = abs(y[-1] - y[0])
    return float(np.max(np.abs(y - line)) / excursion) if excursion > 0 else float("nan")


# --------------------------------------------------------------------------------------------
# Building models from data


def conductance_of(pulses: pd.DataFrame) -> pd.Series:
    """The conductance of each read: the ``conductance`` column (normalized units) or the
    ``conductance_S`` column (S) when the table has one, else read_current_A / read_voltage_V (S).

    Parameters
    ----------
    pulses : pandas.DataFrame
        A pulse-response table (currents in A, voltages in V, or conductances).

    Returns
    -------
    pandas.Series
        Conductance per read (S, or normalized units).
    """
    if "conductance" in pulses:
        return pulses["conductance"].astype(float)
    if "conductance_S" in pulses:
        return pulses["conductance_S"].astype(float)
    return pulses["read_current_A"] / pulses["read_voltage_V"]


def add_weight_scale(pulses: pd.DataFrame, end_reads: int = 5) -> tuple[pd.DataFrame, float, float]:
    """Add ``conductance`` and ``w`` to one width's pulse table; return it with (G_min, G_max).

    G_max (G_min) is the mean over cycles and devices of the mean of the last ``end_reads`` reads of
    each potentiation (depression) phase. The conductance is on the data's scale (S, or normalized
    units); w does not depend on that scale's unit or offset.

    Parameters
    ----------
    pulses : pandas.DataFrame
        One width's pulse-response table.
    end_reads : int
        Reads at the end of each phase averaged for its end (counts), ≥ 1.

    Returns
    -------
    p : pandas.DataFrame
        A sorted copy with ``conductance`` (S, or normalized units) and ``w`` (w units) added.
    g_min, g_max : float
        The conductances of w = −1 and w = +1 (S, or normalized units).

    Raises
    ------
    FitError
        If the potentiation phases do not end above the depression phases.
    ValueError
        If ``end_reads`` < 1.
    """
    _require("end_reads", end_reads, low=1, strict_low=False)
    p = pulses.copy()
    p["conductance"] = conductance_of(p)
    p = p.sort_values(["device", "cycle", "direction", "pulse_index"], kind="stable")
    ends = p.groupby(["device", "cycle", "direction"], sort=False)["conductance"].apply(
        lambda g: g.iloc[-end_reads:].mean())
    g_max = float(ends.xs("potentiation", level="direction").mean())
    g_min = float(ends.xs("depression", level="direction").mean())
    if not g_max > g_min:
        width = p["pulse_width_s"].iloc[0]
        where = f"pulse width {_plain(width)} s" if np.isfinite(width) else "the data"
        raise FitError(f"{where}: the potentiation phases end at or below the depression phases "
                       f"(G_max {_plain(g_max)} ≤ G_min {_plain(g_min)}, mean of the last "
                       f"{end_reads} reads of each phase); check the direction labels, or the "
                       "conductance does not change")
    p["w"] = 2.0 * (p["conductance"] - g_min) / (g_max - g_min) - 1.0
    return p, g_min, g_max


def mean_curves(p: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Mean and standard deviation of w per pulse number, for each direction.

    Parameters
    ----------
    p : pandas.DataFrame
        A pulse table with ``w`` (from :func:`add_weight_scale`).

    Returns
    -------
    dict of str to pandas.DataFrame
        Per direction: ``pulse_index`` (counts), ``mean_w`` and ``std_w`` (w units).
    """
    out = {}
    for direction in DIRECTIONS:
        grp = p[p["direction"] == direction].groupby("pulse_index")["w"]
        out[direction] = pd.DataFrame({"mean_w": grp.mean(), "std_w": grp.std(ddof=1).fillna(0.0)}
                                      ).reset_index()
    return out


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
                             f"({', '.join(_plain(t) for t in distinct)} s)")
        return pulses
    sel = pulses[np.isclose(widths, width_s, rtol=1e-9, atol=0)]
    if sel.empty:
        known = ", ".join(_plain(t) for t in np.unique(widths[np.isfinite(widths)]))
        raise ValueError(f"width_s must be one of the data's pulse widths ({known} s); got "
                         f"{_plain(width_s)}")
    return sel


def build_device_model(pulses: pd.DataFrame, width_s: float | None = None, source: str = "",
                       stack: HZOStack | None = None, end_reads: int = 5,
                       fit_excursion: float = 0.99, min_step_fraction: float = 0.01,
                       per_device: bool = True, quantities: Quantities | None = None,
                       degree: int = DEGREE) -> DeviceModel:
    """Build the device model of one pulse width from a pulse-response table.

    ``pulses`` has the columns of :data:`fetrain.synthetic.PULSE_COLUMNS` (as loaded by
    :mod:`fetrain.io`), or a ``conductance`` column (normalized) instead of the read current and
    voltage; rows of other widths are ignored. ``width_s`` (s) may be omitted when the data have
    one width (or an unknown one, NaN). ``stack`` is the device geometry used for the energy of a
    pulse (default: the synthetic device's, recorded as assumed). ``quantities`` says how
    conductance, width, amplitude and geometry are known (default: read from the table).
    ``degree`` is the degree of the curve polynomials (the study's 5 by default; a device whose
    steps have more structure than a 5th-degree curve can hold needs more, and its residuals say
    so).

    Raises :class:`FitError` when a direction gives no usable fit (no change of conductance,
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
    _require("min_step_fraction", min_step_fraction, low=0, high=1)
    sel = _select_width(pulses, width_s)
    quantities = quantities or _default_quantities(sel, stack)
    p, g_min, g_max = add_weight_scale(sel, end_reads=end_reads)
    width = float(sel["pulse_width_s"].iloc[0])
    _require("degree", degree, low=1, strict_low=False)
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
                               degree: int = DEGREE) -> tuple[SymmetryPoint, ...]:
    """The model's stable symmetry points (:meth:`DeviceModel.symmetry_points`), each with its
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
        Starting states for :meth:`DeviceModel.symmetry_points` (counts).

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
    _require("n_resamples", n_resamples, low=2, strict_low=False)
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
    for _ in range(n_resamples):
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
        The columns of :meth:`DeviceModel.figures`, with their units.
    """
    return pd.DataFrame([m.figures() for m in models.values()])


def symmetrized(model: DeviceModel) -> DeviceModel:
    """The same device with its up and down tables replaced by their mean (no asymmetry).

    For cross-checks on a configuration that learns under plain SGD; not a physical device.

    Parameters
    ----------
    model : DeviceModel
        The device.

    Returns
    -------
    DeviceModel
        A copy with both step tables the mean of the two (w units), no per-device models.
    """
    from dataclasses import replace

    mean = _frozen(0.5 * (np.asarray(model.step_up) + np.asarray(model.step_down)))
    return replace(model, step_up=mean, step_down=mean, device_models=(), device_names=(),
                   device_bounds=(), source=f"{model.source} (symmetrized)")
