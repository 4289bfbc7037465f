"""Conduction through the HZO film: the modified (Simmons-type) Schottky emission law of read
and write currents (:func:`schottky_current_density`), a film of set and reset domains in
parallel whose switched fraction lowers the barrier (:class:`Conduction`), and the ratio of write
to read current, the same in every state (:func:`write_to_read_current_ratio`), which lets a
measured read conductance price a pulse. It uses the constants and the stack of
:mod:`~fetrain.device.stack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..common.checks import require
from .stack import EPS0, K_B, Q

if TYPE_CHECKING:
    from .stack import HZOStack


def image_force_lowering_V(field_V_m, eps_optical: float):
    """Schottky barrier lowering sqrt(qE / (4π ε_opt ε0)), in volts (= eV per electron).

    ``field_V_m`` is the field in V/m; ``eps_optical`` the optical relative permittivity.

    Parameters
    ----------
    field_V_m : float or array of float
        Electric field E ≥ 0 (V/m).
    eps_optical : float
        Optical relative permittivity ε_opt (dimensionless, ≥ 1).

    Returns
    -------
    float or array of float
        Barrier lowering (V, numerically equal to eV per electron), shaped like ``field_V_m``.

    Raises
    ------
    ValueError
        If ``eps_optical`` is not finite or is below 1.
    """
    require("eps_optical", eps_optical, low=1, strict_low=False)
    e = np.asarray(field_V_m, dtype=float)
    return np.sqrt(Q * e / (4.0 * np.pi * eps_optical * EPS0))


def schottky_current_density(field_V_m, temperature_K, barrier_eV, eps_optical: float,
                             prefactor: float):
    """Modified (Simmons) Schottky emission current density, A/m².

    J = K · T^{3/2} · E · exp[−q(φ_B − sqrt(qE/4π ε_opt ε0)) / kT]

    Parameters
    ----------
    field_V_m : float or array of float
        Field E ≥ 0 (V/m).
    temperature_K : float or array of float
        Temperature T > 0 (K).
    barrier_eV : float or array of float
        Effective barrier height φ_B (eV).
    eps_optical : float
        Optical relative permittivity (dimensionless); the image-force term.
    prefactor : float
        K = α·μ·(m*/m0)^{3/2} (A·m⁻¹·V⁻¹·K^{-3/2}); Chiu 2014's α times mobility and
        effective-mass factor, lumped.

    Returns
    -------
    float or array of float
        Current density J (A/m²), broadcast over the arguments.

    Raises
    ------
    ValueError
        If the temperature or the prefactor is not > 0, a field is negative, or ``eps_optical``
        is below 1.
    """
    require("temperature_K", temperature_K, low=0, unit="K")
    require("prefactor", prefactor, low=0)
    e = np.asarray(field_V_m, dtype=float)
    if np.any(e < 0):
        raise ValueError("field_V_m must be >= 0 V/m (pass |V|/d; polarity is handled by the caller)")
    t = np.asarray(temperature_K, dtype=float)
    lowering = image_force_lowering_V(e, eps_optical)
    return prefactor * t ** 1.5 * e * np.exp(-Q * (np.asarray(barrier_eV) - lowering) / (K_B * t))


@dataclass(frozen=True)
class Conduction:
    """Modified Schottky conduction through a film of set and reset domains in parallel.

    A region whose polarisation points in the set direction sees the lower barrier
    ``barrier_on_eV``; a reset region sees ``barrier_off_eV``. With a fraction p ∈ [0, 1] of the
    area switched to set, the two conduct in parallel (the domain picture of ferroelectric
    memristors, Chanthbouala et al., Nat. Mater. 11, 860, 2012):

    I(V, p, T) = A · [p · J(E, T, φ_on) + (1 − p) · J(E, T, φ_off)],

    so the read conductance is linear in p, and the fully set and fully reset states are exact
    single-barrier Schottky emitters. Conduction is taken symmetric in the sign of V (an assumption:
    identical interfaces).

    Attributes
    ----------
    prefactor : float
        K (A·m⁻¹·V⁻¹·K^{-3/2}); see :func:`schottky_current_density`.
    barrier_off_eV : float
        Barrier of reset (high-resistance) regions (eV).
    barrier_on_eV : float
        Barrier of set (low-resistance) regions (eV), at most ``barrier_off_eV``.

    Raises
    ------
    ValueError
        If a field is not finite or not > 0, or ``barrier_on_eV`` exceeds ``barrier_off_eV``.
    """

    prefactor: float = 0.33
    barrier_off_eV: float = 0.62
    barrier_on_eV: float = 0.5662

    def __post_init__(self) -> None:
        require("prefactor", self.prefactor, low=0)
        require("barrier_off_eV", self.barrier_off_eV, low=0, unit="eV")
        require("barrier_on_eV", self.barrier_on_eV, low=0, high=self.barrier_off_eV, unit="eV")

    def current(self, voltage_V, state, stack: HZOStack, temperature_K=None):
        """Current at voltage V (sign follows V) of a device in polarisation state p, A.

        Parameters
        ----------
        voltage_V : float or array of float
            Applied voltage (V).
        state : float or array of float
            Polarisation state p, the set fraction of the area (dimensionless, 0 … 1).
        stack : HZOStack
            Geometry and operating conditions.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float or array of float
            Current (A), broadcast over ``voltage_V`` and ``state``.

        Raises
        ------
        ValueError
            If a state is outside [0, 1].
        """
        t = stack.temperature_K if temperature_K is None else temperature_K
        p = np.asarray(state, dtype=float)
        require("state", p, low=0, high=1, strict_low=False)
        v = np.asarray(voltage_V, dtype=float)
        e = stack.field(v)
        j_on = schottky_current_density(e, t, self.barrier_on_eV, stack.eps_optical, self.prefactor)
        j_off = schottky_current_density(e, t, self.barrier_off_eV, stack.eps_optical, self.prefactor)
        return np.sign(v) * stack.area_m2 * (p * j_on + (1.0 - p) * j_off)

    def read_conductance(self, state, stack: HZOStack, temperature_K=None):
        """Read conductance I(V_read)/V_read of state p, S (linear in p).

        Parameters
        ----------
        state : float or array of float
            Polarisation state p (dimensionless, 0 … 1).
        stack : HZOStack
            Geometry and operating conditions; its ``read_voltage_V`` is the read voltage.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float or array of float
            Read conductance (S), shaped like ``state``.
        """
        v = stack.read_voltage_V
        return self.current(v, state, stack, temperature_K) / v

    def state_from_conductance(self, conductance_S, stack: HZOStack, temperature_K=None):
        """Invert :meth:`read_conductance`: the state p of a read conductance (not clipped to [0, 1]).

        Parameters
        ----------
        conductance_S : float or array of float
            Read conductance (S).
        stack : HZOStack
            Geometry and operating conditions.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float or array of float
            Polarisation state p (dimensionless), shaped like ``conductance_S``.
        """
        g_off = self.read_conductance(0.0, stack, temperature_K)
        g_on = self.read_conductance(1.0, stack, temperature_K)
        return (np.asarray(conductance_S, dtype=float) - g_off) / (g_on - g_off)

    def on_off_ratio(self, stack: HZOStack, temperature_K=None) -> float:
        """G(p=1)/G(p=0) at the read voltage; exp[q(φ_off − φ_on)/kT].

        Parameters
        ----------
        stack : HZOStack
            Geometry and operating conditions.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float
            ON/OFF conductance ratio (dimensionless).
        """
        return float(self.read_conductance(1.0, stack, temperature_K)
                     / self.read_conductance(0.0, stack, temperature_K))


def write_to_read_current_ratio(write_voltage_V, stack: HZOStack, temperature_K=None):
    """I(V_write)/I(V_read) of the Schottky law, the same for every state (φ_B cancels).

    This is why a measured read conductance is enough to know the current during a write pulse:
    I_write = G_read · V_read · ratio.

    Parameters
    ----------
    write_voltage_V : float or array of float
        Write pulse amplitude (V); its sign is ignored.
    stack : HZOStack
        Geometry and operating conditions; its ``read_voltage_V`` is V_read.
    temperature_K : float, optional
        Temperature (K); None: the stack's.

    Returns
    -------
    float or array of float
        I(V_write)/I(V_read) (dimensionless), shaped like ``write_voltage_V``.
    """
    t = stack.temperature_K if temperature_K is None else temperature_K
    vw = np.abs(np.asarray(write_voltage_V, dtype=float))
    vr = stack.read_voltage_V
    lw = image_force_lowering_V(vw / stack.thickness_m, stack.eps_optical)
    lr = image_force_lowering_V(vr / stack.thickness_m, stack.eps_optical)
    return (vw / vr) * np.exp(Q * (lw - lr) / (K_B * t))
