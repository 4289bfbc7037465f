"""Energy of programming pulses.

This module's room: joules. It turns a pulse (amplitude, width, the device state before it, the
polarisation it switches) into energy, in the study's form and in a complete form, using the laws
of :mod:`fetrain.physics`. It does not simulate training; later the pulse ledger calls it.

Two forms (both always available, every figure says which it uses):

* ``study`` — the study's E = V · I(V, state) · t: the conduction current during the pulse.
* ``complete`` — adds the energy to charge the device capacitance, C·V² (½CV² is stored and
  dissipated when the pulse ends, ½CV² is lost in the source resistance while charging), and the
  work of the ferroelectric switching charge, 2·P_r·A·V times the fraction of the area switched.

The state enters through the read conductance before the pulse: for the Schottky law, the current
at the write voltage is the read current times a state-independent ratio
(:func:`fetrain.physics.write_to_read_current_ratio`), so a reader with measured read conductances
can cost their own pulses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .physics import HZODevice, HZOStack, _check_polarity, _require, write_to_read_current_ratio

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
    _require("amplitude_V", amplitude_V, low=0, unit="V")
    _require("width_s", width_s, low=0, unit="s")
    _require("read_conductance_S", read_conductance_S, low=0, strict_low=False, unit="S")
    _require("switched_fraction", switched_fraction, low=0, high=1, strict_low=False)
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
    (:meth:`fetrain.physics.HZODevice.write_amplitude`); the current is that of the polarisation
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
    _check_polarity(polarity)
    p = np.asarray(state, dtype=float)
    _require("state", p, low=0, high=1, strict_low=False)
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
    """Joules of a pulse ledger, exactly, for a device model (:class:`fetrain.devicemodel.DeviceModel`).

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


@dataclass(frozen=True)
class DigitalCosts:
    """A hardware model of the digital work of mixed-precision SGD: J per operation, and what the
    hardware does.

    Defaults (the costliest reasonable model): Horowitz, "Computing's energy problem", ISSCC 2014,
    45 nm at 0.9 V (as reproduced in arXiv:2302.14017, Fig. 15): FP32 multiply 3.7 pJ, FP32 add
    0.9 pJ, 32-bit read from an 8 KB SRAM 5 pJ; a 32-bit SRAM write is taken equal to a read, and
    a threshold comparison equal to an FP32 add — assumptions, stated as such. χ is FP32
    (``bytes_per_element`` 4); every element is updated on every sample, zero inputs included;
    read and write are separate accesses. :data:`DIGITAL_MODELS` holds this and a cheap model.

    Attributes
    ----------
    multiply_J, add_J, read_J, write_J, compare_J : float
        Energy of one operation (J), ≥ 0.
    bytes_per_element : int
        Storage of one χ element (bytes).
    skip_zero_inputs : bool
        Update (and check at transfers) only the elements of non-zero inputs x_j; most pixels of
        an MNIST digit are zero.
    fused_read_modify_write : bool
        One memory access per update (read and write in one cycle, the adder in the array's
        periphery) instead of a read and a write.

    Raises
    ------
    ValueError
        If an energy is negative or ``bytes_per_element`` is not > 0.
    """

    multiply_J: float = 3.7e-12
    add_J: float = 0.9e-12
    read_J: float = 5.0e-12
    write_J: float = 5.0e-12
    compare_J: float = 0.9e-12
    bytes_per_element: int = 4
    skip_zero_inputs: bool = False
    fused_read_modify_write: bool = False

    def __post_init__(self) -> None:
        for name in ("multiply_J", "add_J", "read_J", "write_J", "compare_J"):
            _require(name, getattr(self, name), low=0, strict_low=False, unit="J")
        _require("bytes_per_element", self.bytes_per_element, low=0)

    @property
    def per_update_J(self) -> float:
        """One χ element updated (read, multiply d_i·x_j with lr folded into d, add, write; one
        access for read and write when fused), J."""
        access = self.read_J if self.fused_read_modify_write else self.read_J + self.write_J
        return access + self.multiply_J + self.add_J

    @property
    def per_scan_J(self) -> float:
        """One χ element checked at a transfer (read, and compare with ε), J."""
        return self.read_J + self.compare_J


#: Two hardware models of mixed precision's digital work, the costliest and the cheapest we
#: consider reasonable (per-operation energies: Horowitz, ISSCC 2014, 45 nm):
#:
#: * ``fp32-dense`` — FP32 χ, every element every sample, separate read and write (the default);
#: * ``int16-sparse-fused`` — 16-bit fixed-point χ: 16-bit add 0.05 pJ (between Horowitz's 8-bit
#:   0.03 and 32-bit 0.1 pJ), 16-bit multiply 0.8 pJ (8-bit 0.2 pJ scaled by bits², an
#:   assumption), 16-bit SRAM access 2.5 pJ (half a 32-bit read, an assumption); only non-zero
#:   inputs updated and checked; read-modify-write fused into one access.
DIGITAL_MODELS: dict[str, DigitalCosts] = {
    "fp32-dense": DigitalCosts(),
    "int16-sparse-fused": DigitalCosts(multiply_J=0.8e-12, add_J=0.05e-12, read_J=2.5e-12,
                                       write_J=2.5e-12, compare_J=0.05e-12, bytes_per_element=2,
                                       skip_zero_inputs=True, fused_read_modify_write=True),
}


def digital_energy(chi_updates: float, chi_scans: float, transferred: float = 0.0,
                   costs: DigitalCosts | None = None, nonzero_updates: float | None = None) -> float:
    """Digital energy of mixed precision, J: ``chi_updates`` element updates, ``chi_scans`` element
    checks at transfers, and ``transferred`` elements rewritten after a transfer (subtract, write).

    With ``costs.skip_zero_inputs`` only the ``nonzero_updates`` (updates of non-zero inputs) are
    charged, and as many checks at most (an element that was not updated since the last check
    cannot newly cross ε; with a transfer every sample the two counts are equal).

    Parameters
    ----------
    chi_updates : float
        χ element updates (counts).
    chi_scans : float
        χ element checks at transfers (counts).
    transferred : float
        χ elements rewritten after a transfer (counts).
    costs : DigitalCosts, optional
        The hardware model (J per operation); None: ``DigitalCosts()``, the FP32 dense model.
    nonzero_updates : float, optional
        Updates of non-zero inputs (counts); required when ``costs.skip_zero_inputs``.

    Returns
    -------
    float
        Digital energy (J).

    Raises
    ------
    ValueError
        If the hardware model skips zero inputs and ``nonzero_updates`` is None.
    """
    costs = costs or DigitalCosts()
    if costs.skip_zero_inputs:
        if nonzero_updates is None:
            raise ValueError("nonzero_updates (updates of non-zero inputs) is needed by a hardware "
                             "model that skips zero inputs")
        chi_updates, chi_scans = nonzero_updates, min(chi_scans, nonzero_updates)
    return (chi_updates * costs.per_update_J + chi_scans * costs.per_scan_J
            + transferred * (costs.add_J + costs.write_J))


@dataclass(frozen=True)
class CircuitCosts:
    """A stated model of the crossbar's costs that do not come from the programmed device.

    The V/2 scheme: a pulse on a device is the coincidence of +V/2 on its input line and −V/2 on
    its error line; every other device on a pulsed line is *half-selected* and sees V/2. Each
    line pulse charges the line — the capacitance of every device on it plus its wire — to V/2
    and lets it discharge: C_line·(V/2)² from the supply, whatever the pulse width. The
    half-selected devices also conduct at V/2 for the pulse width (width-dependent, small: the
    Schottky current falls steeply with voltage). The amplitude is the mean of the device's set
    and reset amplitudes.

    Line pulses are counted by the rules (:mod:`fetrain.algorithms`): pulse trains put one pulse
    on a line per fired slot of its bit stream, shared by every coincidence in that slot; a
    mixed-precision transfer pulse addresses its device alone (one input and one error line pulse).

    Attributes
    ----------
    wire_capacitance_per_cell_F : float
        Wire capacitance per cell pitch (F); 0.2 fF/µm, a typical value for minimum-pitch
        interconnect, times an assumed 2 µm pitch for a 1 µm² device, gives 0.4 fF.
    driver_J : float
        Energy of the driver itself per line pulse (J); 0, not modelled, unless given.

    Raises
    ------
    ValueError
        If a field is negative or not finite.
    """

    wire_capacitance_per_cell_F: float = 0.4e-15
    driver_J: float = 0.0

    def __post_init__(self) -> None:
        _require("wire_capacitance_per_cell_F", self.wire_capacitance_per_cell_F, low=0,
                 strict_low=False, unit="F")
        _require("driver_J", self.driver_J, low=0, strict_low=False, unit="J")


def line_energy(model, line_pulses: float, line_cell_charges: float, device_pulses: float,
                circuit: CircuitCosts | None = None) -> dict:
    """Energy of the lines of a crossbar of ``model`` devices, J (see :class:`CircuitCosts`).

    ``line_pulses`` and ``line_cell_charges`` are the rules' counters; ``device_pulses`` the pulses
    the devices received (each the coincidence of two line pulses, so the half-selected cell
    charges are line_cell_charges − 2·device_pulses). Returns ``line_charging`` (C·(V/2)² of every
    cell on every pulsed line, plus the drivers) and ``half_select_conduction`` (V/2·I(V/2)·t of
    the half-selected devices at mid-range conductance). NaN when the model's energy is
    unavailable.

    Parameters
    ----------
    model : DeviceModel
        The device model (conductance range in S, amplitudes in V, width in s, its stack).
    line_pulses : float
        Line pulses (counts).
    line_cell_charges : float
        Cells charged by those line pulses, summed over the pulses (counts).
    device_pulses : float
        Pulses the devices received (counts).
    circuit : CircuitCosts, optional
        The circuit model (capacitance in F, driver energy in J); None: ``CircuitCosts()``.

    Returns
    -------
    dict of str to float
        ``line_charging`` and ``half_select_conduction`` (J); NaN when the model's energy is
        unavailable.
    """
    if not getattr(model, "energy_available", True):
        return {"line_charging": float("nan"), "half_select_conduction": float("nan")}
    circuit = circuit or CircuitCosts()
    stack = model.stack
    half_v = 0.5 * 0.5 * (model.amplitude_set_V + model.amplitude_reset_V)
    cell_c = stack.capacitance_F + circuit.wire_capacitance_per_cell_F
    charging = line_cell_charges * cell_c * half_v ** 2 + line_pulses * circuit.driver_J
    g_mid = 0.5 * (model.g_min_S + model.g_max_S)
    current = g_mid * stack.read_voltage_V * float(write_to_read_current_ratio(half_v, stack))
    half_selected = max(line_cell_charges - 2.0 * device_pulses, 0.0)
    return {"line_charging": float(charging),
            "half_select_conduction": float(half_selected * half_v * current * model.width_s)}
