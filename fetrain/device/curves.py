"""Response curves: potentiation and depression traces on the weight scale
(:func:`add_weight_scale`: w = 2(G − G_min)/(G_max − G_min) − 1), their mean per pulse number
(:func:`mean_curves`), their polynomial fits (the study's 5th degree: :func:`fit_curve`,
:class:`CurveFit`) and what the fits give: steps on the table's nodes, pulses between two states,
nonlinearity. The first steps of building a device model (:mod:`~fetrain.device.build`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.polynomial import Polynomial

from ..common.checks import plain, require
from .steps import _frozen

DEGREE = 5                 #: degree of the response-curve polynomials (the study's choice)
#: the highest degree allowed: beyond it a polynomial in the pulse number is ill-conditioned and
#: follows the read noise rather than the device
MAX_DEGREE = 15
#: reads per polynomial coefficient below which a fit above the study's degree is said to rest on
#: too few pulses
READS_PER_COEFFICIENT = 4


DIRECTIONS = ("potentiation", "depression")


class FitError(ValueError):
    """A response curve that gives no usable fit (no change in conductance, or an undefined R²)."""


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
    require("fit_excursion", fit_excursion, low=0, high=1)
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
                       f"{plain(y[0])} to {plain(y[-1])}); a {direction} phase must move w "
                       f"{'up' if sign > 0 else 'down'}: check the direction labels")
    if fit_excursion < 1 and excursion != 0:
        covered = (smooth - y[0]) / excursion
        end = int(np.argmax(covered >= fit_excursion)) + 1 if np.any(covered >= fit_excursion) else n.size
    else:
        end = n.size
    end = int(min(max(end, degree + 2), n.size))
    if degree > DEGREE and end < READS_PER_COEFFICIENT * (degree + 1):
        warnings.warn(f"the degree-{degree} fit of the {direction} curve rests on {end} pulses, "
                      f"fewer than {READS_PER_COEFFICIENT} per coefficient: it may follow the "
                      f"noise rather than the device (the study's degree is {DEGREE})",
                      UserWarning, stacklevel=2)
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
    require("end_reads", end_reads, low=1, strict_low=False)
    p = pulses.copy()
    p["conductance"] = conductance_of(p)
    p = p.sort_values(["device", "cycle", "direction", "pulse_index"], kind="stable")
    ends = p.groupby(["device", "cycle", "direction"], sort=False)["conductance"].apply(
        lambda g: g.iloc[-end_reads:].mean())
    g_max = float(ends.xs("potentiation", level="direction").mean())
    g_min = float(ends.xs("depression", level="direction").mean())
    if not g_max > g_min:
        width = p["pulse_width_s"].iloc[0]
        where = f"pulse width {plain(width)} s" if np.isfinite(width) else "the data"
        raise FitError(f"{where}: the potentiation phases end at or below the depression phases "
                       f"(G_max {plain(g_max)} ≤ G_min {plain(g_min)}, mean of the last "
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
