"""What the hardware around the array costs, J: the digital work of a rule (mixed precision's
accumulator, under the named hardware models of :data:`DIGITAL_MODELS`) and the lines and
half-selected devices of every pulse (:class:`CircuitCosts`, :func:`line_energy`). These are stated
models, not measurements; the current through a half-selected device follows the device's
conduction law (:mod:`fetrain.device.conduction`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..common.checks import require
from ..device.conduction import write_to_read_current_ratio


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
            require(name, getattr(self, name), low=0, strict_low=False, unit="J")
        require("bytes_per_element", self.bytes_per_element, low=0)

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

    Line pulses are counted by the rules (:mod:`fetrain.train.rules`): pulse trains put one pulse
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
        require("wire_capacitance_per_cell_F", self.wire_capacitance_per_cell_F, low=0,
                 strict_low=False, unit="F")
        require("driver_J", self.driver_J, low=0, strict_low=False, unit="J")


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
