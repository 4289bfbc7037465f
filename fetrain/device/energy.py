"""Energy of programming pulses, J.

A pulse (amplitude, width, the device state before it, the polarity it switches) becomes joules in
two forms, both always available (every figure says which it uses):

* ``study`` — the study's E = V · I(V, state) · t: the conduction current during the pulse.
* ``complete`` — adds the energy to charge the device capacitance, C·V² (½CV² is stored and
  dissipated when the pulse ends, ½CV² is lost in the source resistance while charging), and the
  work of the ferroelectric switching charge, 2·P_r·A·V times the fraction of the area switched.

The state enters through the read conductance before the pulse: for the Schottky law, the current
at the write voltage is the read current times a state-independent ratio
(:func:`fetrain.device.conduction.write_to_read_current_ratio`), so a reader with measured read
conductances can cost their own pulses. :func:`pulse_energy` prices pulses, :func:`energy_table`
tabulates a device's, and :func:`ledger_energy` prices a training run's whole pulse ledger,
exactly, from the few sums the ledger keeps. It uses the device's physics
(:mod:`~fetrain.device.stack`, :mod:`~fetrain.device.conduction`, :mod:`~fetrain.device.hzo`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common.checks import require
from .conduction import write_to_read_current_ratio
from .hzo import HZODevice
from .stack import HZOStack, check_polarity

ENERGY_FORMS: tuple[str, str] = ("study", "complete")


@dataclass(frozen=True)
class PulseEnergy:
    """Energy of one or many write pulses, J (arrays broadcast like the inputs).

    Attributes
    ----------
    conduction_J : array of float
        V·I·t, the study's formula (J).
    capacitive_J : array of float
        C·V², charging the device capacitance (J).
    switching_J : array of float
        2·P_r·A·|V|·(fraction switched), the ferroelectric switching charge (J).
    """

    conduction_J: np.ndarray
    capacitive_J: np.ndarray
    switching_J: np.ndarray

    @property
    def study_J(self):
        """The study's formula, E = V·I·t, J."""
        return self.conduction_J

    @property
    def complete_J(self):
        """Conduction plus capacitor charging plus switching charge, J."""
        return self.conduction_J + self.capacitive_J + self.switching_J

    def form(self, name: str):
        """The energy in the named form (``"study"`` or ``"complete"``), J.

        Parameters
        ----------
        name : str
            ``"study"`` or ``"complete"``.

        Returns
        -------
        array of float
            Energy per pulse (J).

        Raises
        ------
        ValueError
            If ``name`` is not one of ``ENERGY_FORMS``.
        """
        if name == "study":
            return self.study_J
        if name == "complete":
            return self.complete_J
        raise ValueError(f"energy form must be one of {ENERGY_FORMS}; got {name!r}")


def pulse_energy(amplitude_V, width_s, read_conductance_S, switched_fraction, stack: HZOStack):
    """Energy of write pulses from their amplitude, width and the state before them.

    Parameters
    ----------
    amplitude_V : float or array of float
        Pulse amplitude |V| > 0 (V).
    width_s : float or array of float
        Pulse width > 0 (s).
    read_conductance_S : float or array of float
        Read conductance of the device before the pulse, at the stack's read voltage and
        temperature (S), ≥ 0.
    switched_fraction : float or array of float
        Fraction of the device area whose polarisation the pulse reverses (dimensionless, 0 … 1).
    stack : HZOStack
        The device geometry (area, thickness, permittivity, P_r, read voltage, temperature).

    Returns
    -------
    PulseEnergy
        Energies per pulse (J), with arrays broadcast over the inputs.

    Raises
    ------
    ValueError
        If an input is not finite or out of its range.
    """
    require("amplitude_V", amplitude_V, low=0, unit="V")
    require("width_s", width_s, low=0, unit="s")
    require("read_conductance_S", read_conductance_S, low=0, strict_low=False, unit="S")
    require("switched_fraction", switched_fraction, low=0, high=1, strict_low=False)
    v = np.asarray(amplitude_V, dtype=float)
    t = np.asarray(width_s, dtype=float)
    g = np.asarray(read_conductance_S, dtype=float)
    f = np.asarray(switched_fraction, dtype=float)
    current = g * stack.read_voltage_V * write_to_read_current_ratio(v, stack)
    conduction = v * current * t
    capacitive = np.broadcast_to(stack.capacitance_F * v ** 2, conduction.shape).copy()
    switching = 2.0 * stack.remanent_polarisation_C_m2 * stack.area_m2 * v * f
    shape = np.broadcast(conduction, switching).shape
    return PulseEnergy(np.broadcast_to(conduction, shape).copy(),
                       np.broadcast_to(capacitive, shape).copy(),
                       np.broadcast_to(switching, shape).copy())


def device_pulse_energy(device: HZODevice, width_s: float, polarity: str, state) -> PulseEnergy:
    """E(width, polarity, state before the pulse) of a device programmed by its campaign rule.

    The amplitude is the campaign's for this width and polarity
    (:meth:`fetrain.device.hzo.HZODevice.write_amplitude`); the current is that of the polarisation
    state p before the pulse (0 = fully reset, 1 = fully set); the switched fraction is what the
    pulse's kinetics switch from that state (s·(1 − p) for set, s·p for reset).

    Parameters
    ----------
    device : HZODevice
        The device and its programming scheme.
    width_s : float
        Pulse width (s), > 0.
    polarity : str
        ``"set"`` or ``"reset"``.
    state : float or array of float
        Polarisation state p before the pulse (dimensionless, 0 … 1).

    Returns
    -------
    PulseEnergy
        Energies per pulse (J), shaped like ``state``.

    Raises
    ------
    ValueError
        If ``polarity`` is unknown, a state is outside [0, 1], or ``width_s`` is not > 0.
    """
    check_polarity(polarity)
    p = np.asarray(state, dtype=float)
    require("state", p, low=0, high=1, strict_low=False)
    v = device.write_amplitude(width_s, polarity)
    g = device.conduction.read_conductance(p, device.stack)
    switched = np.abs(device.apply_pulse(p, width_s, polarity) - p)
    return pulse_energy(v, width_s, g, switched, device.stack)


def energy_table(device: HZODevice, widths_s, states=(0.5,)):
    """Energy per write pulse for each width, polarity and state, in both forms.

    Returns a pandas DataFrame with one row per (width, polarity, state p) and columns
    pulse_width_s, polarity, state, amplitude_V, conduction_J (= study_J), capacitive_J,
    switching_J, complete_J.

    Parameters
    ----------
    device : HZODevice
        The device and its programming scheme.
    widths_s : sequence of float
        Pulse widths (s).
    states : sequence of float
        Polarisation states p before the pulse (dimensionless, 0 … 1); default the middle, 0.5.

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s), ``polarity``, ``state`` (dimensionless), ``amplitude_V`` (V),
        ``conduction_J``, ``study_J``, ``capacitive_J``, ``switching_J`` and ``complete_J`` (J).
    """
    import pandas as pd

    rows = []
    for t in widths_s:
        for polarity in ("set", "reset"):
            for p in states:
                e = device_pulse_energy(device, t, polarity, p)
                rows.append({"pulse_width_s": float(t), "polarity": polarity, "state": float(p),
                             "amplitude_V": device.write_amplitude(t, polarity),
                             "conduction_J": float(e.conduction_J), "study_J": float(e.study_J),
                             "capacitive_J": float(e.capacitive_J),
                             "switching_J": float(e.switching_J),
                             "complete_J": float(e.complete_J)})
    return pd.DataFrame(rows)


def ledger_energy(model, n_up: float, n_down: float, w_up: float, w_down: float, dw_up: float,
                  dw_down: float) -> dict:
    """Joules of a pulse ledger, exactly, for a device model (:class:`fetrain.device.model.DeviceModel`).

    The ledger gives, for up (set) and down (reset) pulses, their number n, the sum of the weights
    before each pulse Σw, and the sum of the weight changes Σ|Δw|. Every term of a pulse's energy is
    linear in those: the conduction energy V·t·I(V) with I proportional to the read conductance
    G(w) = G_min + (w + 1)(G_max − G_min)/2; the capacitor charging C·V² per pulse; the switching
    charge 2·P_r·A·V·|Δw|/2 (the model's convention: a pulse switches half its step in w).

    Returns the components and the two forms, J: ``conduction``, ``capacitive``, ``switching``,
    ``study`` (= conduction), ``complete``. When the model's data cannot give joules (normalized
    conductance, unknown width or amplitude: ``model.energy_available`` is false) every value is
    NaN — unavailable, never zero.

    Parameters
    ----------
    model : DeviceModel
        The device model (conductance range in S, amplitudes in V, width in s, its stack).
    n_up, n_down : float
        Number of up (set) and down (reset) pulses (counts).
    w_up, w_down : float
        Sum of the weights before each up and each down pulse (w units).
    dw_up, dw_down : float
        Sum of the weight changes Σ|Δw| of the up and the down pulses (w units).

    Returns
    -------
    dict of str to float
        ``conduction``, ``capacitive``, ``switching``, ``study`` and ``complete`` (J); all NaN
        when the model's energy is unavailable.
    """
    if not getattr(model, "energy_available", True):
        return dict.fromkeys(("conduction", "capacitive", "switching", "study", "complete"),
                             float("nan"))
    stack = model.stack
    half = 0.5 * (model.g_max_S - model.g_min_S)
    total = {"conduction": 0.0, "capacitive": 0.0, "switching": 0.0}
    for n, sw, sdw, v in ((n_up, w_up, dw_up, model.amplitude_set_V),
                          (n_down, w_down, dw_down, model.amplitude_reset_V)):
        sum_g = n * model.g_min_S + (sw + n) * half
        current_per_siemens = stack.read_voltage_V * float(write_to_read_current_ratio(v, stack))
        total["conduction"] += v * model.width_s * current_per_siemens * sum_g
        total["capacitive"] += n * stack.capacitance_F * v ** 2
        total["switching"] += stack.remanent_polarisation_C_m2 * stack.area_m2 * v * sdw
    total["study"] = total["conduction"]
    total["complete"] = total["conduction"] + total["capacitive"] + total["switching"]
    return total
