"""The ground truth of the synthetic campaign at one pulse width (:class:`WidthTruth`): the true
step sizes, bounds and symmetry point of every generated device on the book's weight scale,
against which every fit is checked. It computes them from the device's physics
(:mod:`~fetrain.device.hzo`), without noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from .hzo import HZODevice


def _orbit(s_set: float, s_reset: float, n: int) -> tuple[float, float]:
    """Noise-free steady cycle of n set then n reset pulses: (p after reset phase, p after set phase).

    With a = (1 − s_set)^n and b = (1 − s_reset)^n: p_hi = (1 − a)/(1 − ab), p_lo = b·p_hi.
    """
    a = (1.0 - s_set) ** n
    b = (1.0 - s_reset) ** n
    p_hi = (1.0 - a) / (1.0 - a * b)
    return b * p_hi, p_hi


@dataclass(frozen=True)
class WidthTruth:
    """The true device at one pulse width, on the book's weight scale w (Chapter 2).

    Devices are indexed 0 … n−1 as in the data set (``D1`` is 0). ``device=None`` means the
    campaign's population: the mean over its devices of the step at each w — what a fit of
    curves averaged over devices estimates.

    Attributes
    ----------
    width_s : float
        Pulse width (s).
    amplitude_set_V, amplitude_reset_V : float
        Campaign amplitudes |V| (V).
    pulses_per_phase : int
        Pulses per phase N (counts).
    g_min_S, g_max_S : float
        The scale's G_min and G_max (S): mean over devices of the lowest and highest read
        conductance of each device's steady cycle (noise-free).
    devices : tuple of HZODevice
        The sampled devices.
    """

    width_s: float
    amplitude_set_V: float
    amplitude_reset_V: float
    pulses_per_phase: int
    g_min_S: float
    g_max_S: float
    devices: tuple[HZODevice, ...]

    def fractions(self, device: int) -> tuple[float, float]:
        """(s_set, s_reset) of a device: fraction of the unswitched polarisation one pulse switches.

        Parameters
        ----------
        device : int
            Device index (0 is ``D1``).

        Returns
        -------
        tuple of float
            s_set and s_reset (dimensionless, 0 … 1).
        """
        d = self.devices[device]
        return (float(d.fraction_per_pulse(self.width_s, "set", self.amplitude_set_V)),
                float(d.fraction_per_pulse(self.width_s, "reset", self.amplitude_reset_V)))

    def conductance(self, state, device: int):
        """Read conductance of polarisation state p of a device, S.

        Parameters
        ----------
        state : float or array of float
            Polarisation state p (dimensionless, 0 … 1).
        device : int
            Device index (0 is ``D1``).

        Returns
        -------
        float or array of float
            Read conductance (S).
        """
        d = self.devices[device]
        return d.conduction.read_conductance(state, d.stack)

    def w_from_conductance(self, conductance_S):
        """Weight w of a read conductance (the book's weight scale).

        Parameters
        ----------
        conductance_S : float or array of float
            Read conductance (S).

        Returns
        -------
        float or array of float
            Weight (w units).
        """
        g = np.asarray(conductance_S, dtype=float)
        return 2.0 * (g - self.g_min_S) / (self.g_max_S - self.g_min_S) - 1.0

    def conductance_from_w(self, w):
        """Read conductance of weight w, S.

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Read conductance (S).
        """
        return self.g_min_S + (np.asarray(w, dtype=float) + 1.0) * (self.g_max_S - self.g_min_S) / 2.0

    def state_from_w(self, w, device: int):
        """Polarisation state p of weight w for a device (not clipped).

        Parameters
        ----------
        w : float or array of float
            Weight (w units).
        device : int
            Device index (0 is ``D1``).

        Returns
        -------
        float or array of float
            Polarisation state p (dimensionless).
        """
        d = self.devices[device]
        return d.conduction.state_from_conductance(self.conductance_from_w(w), d.stack)

    def w_bounds(self, device: int) -> tuple[float, float]:
        """Weights of a device's fully reset and fully set states, its physical bounds.

        Parameters
        ----------
        device : int
            Device index (0 is ``D1``).

        Returns
        -------
        tuple of float
            Lower and upper bound (w units).
        """
        return (float(self.w_from_conductance(self.conductance(0.0, device))),
                float(self.w_from_conductance(self.conductance(1.0, device))))

    def _step(self, w, device: int | None, polarity: str):
        if device is None:
            return np.mean([self._step(w, k, polarity) for k in range(len(self.devices))], axis=0)
        p = np.clip(self.state_from_w(w, device), 0.0, 1.0)
        s_set, s_reset = self.fractions(device)
        dp = s_set * (1.0 - p) if polarity == "set" else s_reset * p
        return 2.0 * dp * (self.conductance(1.0, device) - self.conductance(0.0, device)) \
            / (self.g_max_S - self.g_min_S)

    def step_up(self, w, device: int | None = None):
        """Mean change of w from one set (up) pulse at weight w (noise-free), ≥ 0.

        Parameters
        ----------
        w : float or array of float
            Weight before the pulse (w units).
        device : int, optional
            Device index (0 is ``D1``); None: the mean over the population.

        Returns
        -------
        float or array of float
            Up step (w units).
        """
        return self._step(w, device, "set")

    def step_down(self, w, device: int | None = None):
        """Mean magnitude of the change of w from one reset (down) pulse at weight w, ≥ 0.

        Parameters
        ----------
        w : float or array of float
            Weight before the pulse (w units).
        device : int, optional
            Device index (0 is ``D1``); None: the mean over the population.

        Returns
        -------
        float or array of float
            Magnitude of the down step (w units).
        """
        return self._step(w, device, "reset")

    def symmetry_point(self, device: int | None = None) -> float:
        """The true symmetry point w*: where the up and down steps are equal.

        For one device, p* = s_set / (s_set + s_reset) mapped to w; for the population, the root
        of the mean up step minus the mean down step.

        Parameters
        ----------
        device : int, optional
            Device index (0 is ``D1``); None: the population.

        Returns
        -------
        float
            Symmetry point w* (w units).
        """
        if device is None:
            return float(brentq(lambda w: float(self.step_up(w) - self.step_down(w)), -3.0, 3.0,
                                xtol=1e-10))
        s_set, s_reset = self.fractions(device)
        p_star = s_set / (s_set + s_reset)
        return float(self.w_from_conductance(self.conductance(p_star, device)))

    def symmetry_points(self) -> np.ndarray:
        """The true symmetry point of every sampled device.

        Returns
        -------
        array of float
            One symmetry point per device (w units).
        """
        return np.array([self.symmetry_point(k) for k in range(len(self.devices))])

    def dw_min(self, device: int | None = None) -> float:
        """The up step at w = 0 (AIHWKit's granularity convention).

        Parameters
        ----------
        device : int, optional
            Device index (0 is ``D1``); None: the population.

        Returns
        -------
        float
            dw_min (w units).
        """
        return float(self.step_up(0.0, device))
