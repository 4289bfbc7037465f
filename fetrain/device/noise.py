"""Noise figures of a device model (:class:`NoiseFigures`): cycle-to-cycle step noise net of read
noise, the read noise's profile over the weight scale, and device-to-device spreads, in w units
and in AIHWKit's parameters where they exist. They are computed from the residuals of the curve
fits when a model is built (:mod:`~fetrain.device.build`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .steps import N_NODES, W_MAX, W_MIN

if TYPE_CHECKING:
    from .model import DeviceModel


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
