"""What reading the arrays costs: the energy of every training sample's forward and backward pass,
which the write-energy ledger does not count.

Every sample is read through the arrays twice — forward through every layer, backward through every
layer but the first — whatever the pulse width, so this energy scales with the samples seen to the
target: it is what penalises a width that needs more epochs. :class:`ReadPathModel` states the
costs per operation; :data:`READ_PATH_MODELS` holds a low and a high setting; :func:`per_sample`
gives the parts for one sample and :func:`read_path_columns` the cumulative columns of a run's
history (J).

The operations counted follow DNN+NeuroSim V2.1 (Peng, Huang, Lu, Yu, IEEE TCAD 2021), the field's
estimator of on-chip training energy, with its read defaults (0.5 V for 10 ns per read cycle):

* **array** — each device read conducts for the read time, V_r²·G·t_read, with G the device's
  mid-range conductance (the read is taken as ohmic at V_r, an assumption: the Schottky current
  of the device model is super-linear in V);
* **lines** — each input (or error) line driven charges the capacitance of the devices on it and
  its wire to V_r, C_line·V_r², plus a driver cost per line and cycle;
* **conversions** — one sense-amplifier/ADC conversion per output (or error) line and cycle; a
  reference-device pair is subtracted before the converter;
* **activations** — one digital operation per neuron and pass (the non-linearity forward, the
  derivative product backward);
* **random bits** — the stochastic pulse trains of the update draw one random number per line and
  slot of the bit stream (mixed precision accumulates digitally and draws none);
* **transfer reads** — a transfer algorithm reads columns of its fast array between samples:
  each a driven line and a conversion per device read (:func:`transfer_reads`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..common.checks import require
from ..train.config import LAYER_SIZES


@dataclass(frozen=True)
class ReadPathModel:
    """Costs of the read path, per operation.

    Attributes
    ----------
    name : str
        Short name (used in column names: ``read_path_<name>_J``).
    read_voltage_V : float
        Read voltage (V); NeuroSim's default 0.5 V.
    read_time_s : float
        Duration of one read cycle (s); NeuroSim's default 10 ns.
    cycles_per_pass : int
        Read cycles per pass of a layer (counts): 1 for analog input voltages, 8 for 8-bit inputs
        applied one bit at a time (NeuroSim's bit-serial inputs).
    conversion_J : float
        One sense-amplifier/ADC conversion (J). Published 6-bit converters span about 0.1 pJ
        (near the best Walden figures of merit, a few fJ per conversion step × 64 steps;
        Murmann, "ADC Performance Survey 1997–2024") to about 2 pJ (older nodes); NeuroSim's
        default sense amplifier is 6-bit.
    line_driver_J : float
        Driver energy per line and cycle beyond charging the line (J): an assumption.
    wire_capacitance_per_cell_F : float
        Wire capacitance per cell pitch (F); the value of
        :class:`fetrain.train.hardware.CircuitCosts` (0.4 fF).
    activation_J : float
        One digital operation per neuron and pass (J): 0.1 pJ is a 32-bit integer add at 45 nm
        (Horowitz, ISSCC 2014); 5 pJ adds a 32-bit access of an 8 KB SRAM buffer (same source).
    random_bit_J : float
        One random number of a stochastic bit stream, with its comparison (J): an assumption
        (an LFSR step and a comparator, 0.01–0.1 pJ).
    source : str
        Where the figures come from, in words.

    Raises
    ------
    ValueError
        If a cost, voltage or time is negative or not finite, or ``cycles_per_pass`` < 1.
    """

    name: str
    read_voltage_V: float = 0.5
    read_time_s: float = 10e-9
    cycles_per_pass: int = 1
    conversion_J: float = 0.1e-12
    line_driver_J: float = 0.0
    wire_capacitance_per_cell_F: float = 0.4e-15
    activation_J: float = 0.1e-12
    random_bit_J: float = 0.01e-12
    source: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            raise ValueError(f"name must be a short identifier (letters, digits, _); got {self.name!r}")
        for field in ("read_voltage_V", "read_time_s", "conversion_J", "line_driver_J",
                      "wire_capacitance_per_cell_F", "activation_J", "random_bit_J"):
            require(field, getattr(self, field), low=0, strict_low=False)
        if not (isinstance(self.cycles_per_pass, int) and self.cycles_per_pass >= 1):
            raise ValueError(f"cycles_per_pass must be an integer ≥ 1; got {self.cycles_per_pass!r}")

    @property
    def column(self) -> str:
        """The history column of this setting (cumulative J)."""
        return f"read_path_{self.name}_J"

    def describe(self) -> dict:
        """The fields, in their units (V, s, J, F, counts)."""
        return asdict(self)


#: The two settings every ranking is shown under (besides none).
READ_PATH_MODELS: dict[str, ReadPathModel] = {m.name: m for m in (
    ReadPathModel("low", cycles_per_pass=1, conversion_J=0.1e-12, line_driver_J=0.0,
                  activation_J=0.1e-12, random_bit_J=0.01e-12,
                  source="analog inputs (one read cycle); the best published 6-bit converters; "
                         "a 32-bit add per activation; no driver cost beyond the line charge"),
    ReadPathModel("high", cycles_per_pass=8, conversion_J=2e-12, line_driver_J=0.1e-12,
                  activation_J=5e-12, random_bit_J=0.1e-12,
                  source="8-bit inputs applied bit-serially (NeuroSim); 2 pJ converters; an SRAM "
                         "access per activation; 0.1 pJ per line driven and cycle (assumed)"),
)}


#: The read-path settings a ranking can use: none (the study's accounting, write path only) and
#: the names of :data:`READ_PATH_MODELS`.
READ_PATHS: tuple[str, ...] = ("none", *READ_PATH_MODELS)


def check_read_path(read_path: str) -> None:
    """Raise ``ValueError`` naming the allowed settings unless ``read_path`` is one of them."""
    if read_path not in READ_PATHS:
        raise ValueError(f"read_path must be one of {READ_PATHS}; got {read_path!r}")


def _read_costs(device, setting):
    """(costs, mid-range conductance in S, capacitance per cell in F, V_r² in V²) of a device
    under a read-path setting (a :class:`ReadPathModel` or a name of :data:`READ_PATH_MODELS`)."""
    m = READ_PATH_MODELS.get(setting) if isinstance(setting, str) else setting
    if m is None:
        raise ValueError(f"setting must be one of {tuple(READ_PATH_MODELS)}; got {setting!r}")
    if device.quantities.conductance == "unknown":
        raise ValueError("the device's conductance is normalized (no unit): the read path's "
                         "energy needs conductances in siemens")
    g = 0.5 * (device.g_min_S + device.g_max_S)
    c_cell = device.stack.capacitance_F + m.wire_capacitance_per_cell_F
    return m, g, c_cell, m.read_voltage_V ** 2


def per_sample(device, setting: ReadPathModel | str, bits_per_line: int = 0,
               layers: tuple[int, ...] = LAYER_SIZES) -> dict:
    """The read path's energy for one training sample, by part (J).

    Parameters
    ----------
    device : DeviceModel
        The device (its mid-range conductance, S, and its capacitance, F); needs a conductance
        in siemens.
    setting : ReadPathModel or str
        The costs, or a name of :data:`READ_PATH_MODELS`.
    bits_per_line : int
        Slots of the update's stochastic bit stream per line (counts; 0 for a rule that draws
        none).
    layers : tuple of int
        Neurons per layer, input first (counts).

    Returns
    -------
    dict
        ``array``, ``lines``, ``conversions``, ``activations``, ``random_bits`` and ``total``
        (J per sample), and the operation counts ``cells_read``, ``lines_driven``,
        ``conversions_count``, ``activations_count`` and ``random_bits_count`` (per sample).

    Raises
    ------
    ValueError
        If ``setting`` is unknown or the device's conductance is not in siemens.
    """
    m, g, c_cell, v2 = _read_costs(device, setting)
    pairs = list(zip(layers[:-1], layers[1:]))
    # forward: every layer, inputs driven, outputs converted; backward: every layer but the
    # first, error lines driven, inputs converted; two devices (device and reference) per weight
    passes = [(n_in, n_out) for n_in, n_out in pairs] + [(n_out, n_in) for n_in, n_out in pairs[1:]]
    cells = sum(2 * a * b for a, b in passes) * m.cycles_per_pass
    line_energy = 0.0
    lines = 0
    for driven, other in passes:
        lines += driven * m.cycles_per_pass
        line_energy += driven * m.cycles_per_pass * (2 * other * c_cell * v2 + m.line_driver_J)
    conversions = sum(other for _, other in passes) * m.cycles_per_pass
    activations = sum(other for _, other in passes)
    random_bits = bits_per_line * sum(a + b for a, b in pairs)
    parts = {"array": cells * v2 * g * m.read_time_s, "lines": line_energy,
             "conversions": conversions * m.conversion_J,
             "activations": activations * m.activation_J,
             "random_bits": random_bits * m.random_bit_J}
    parts["total"] = float(sum(parts.values()))
    return {**{k: float(v) for k, v in parts.items()}, "cells_read": cells, "lines_driven": lines,
            "conversions_count": conversions, "activations_count": activations,
            "random_bits_count": random_bits}


def bits_per_line(rule) -> int:
    """Slots per line of a rule's stochastic bit stream (counts): the pulse trains' bit length
    (a transfer algorithm's fast update's), 0 for a rule without pulse trains (mixed precision
    draws no random bits per sample) — :meth:`fetrain.train.rulebase.Rule.random_bits_per_line`."""
    return int(rule.random_bits_per_line())


def transfer_reads(device, setting: ReadPathModel | str, reads: float, cells: float) -> float:
    """Energy of a transfer algorithm's reads of its fast array, J: each column read drives one
    input line and converts the column's outputs; each device read is a pair (device and
    reference) — ``reads`` columns read and ``cells`` devices read in all (its counters
    ``transfer_reads`` and ``cells_read``), at the costs of ``setting``.

    Parameters
    ----------
    device : DeviceModel
        The device (conductance in S, capacitance in F).
    setting : ReadPathModel or str
        The costs, or a name of :data:`READ_PATH_MODELS`.
    reads, cells : float or array of float
        Columns read and devices read (counts).

    Returns
    -------
    float or array of float
        Energy (J), shaped like ``cells``.
    """
    m, g, c_cell, v2 = _read_costs(device, setting)
    per_cell = 2 * (v2 * g * m.read_time_s + c_cell * v2) + m.conversion_J
    return m.cycles_per_pass * (np.asarray(cells, dtype=float) * per_cell
                                + np.asarray(reads, dtype=float) * m.line_driver_J)


def read_path_columns(history: pd.DataFrame, device, rule) -> pd.DataFrame:
    """``history`` with ``read_path_<name>_J`` for every setting of :data:`READ_PATH_MODELS`: the
    cumulative read-path energy at each evaluation, samples seen × energy per sample (J; NaN when
    the device's data cannot give joules).

    Parameters
    ----------
    history : pandas.DataFrame
        A run's history (``samples`` in counts).
    device : DeviceModel
        The run's device model.
    rule : PulseTrains or MixedPrecision
        The run's training rule.

    Returns
    -------
    pandas.DataFrame
        A copy with the columns added.
    """
    out = history.copy()
    bits = bits_per_line(rule)
    reads = out["transfer_reads"].to_numpy(dtype=float) if "transfer_reads" in out else 0.0
    cells = out["cells_read"].to_numpy(dtype=float) if "cells_read" in out else 0.0
    for m in READ_PATH_MODELS.values():
        try:
            e = per_sample(device, m, bits)["total"]
            extra = transfer_reads(device, m, reads, cells) if np.any(reads) else 0.0
        except ValueError:
            e = extra = np.nan
        out[m.column] = out["samples"].to_numpy(dtype=float) * e + extra
    return out


def per_sample_table(models: dict, rules: dict) -> pd.DataFrame:
    """The read path per sample for each width, rule and setting, by part.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Device models by width (s).
    rules : dict of str to rule
        Training rules by strategy name.

    Returns
    -------
    pandas.DataFrame
        ``width_s`` (s), ``strategy``, ``setting``, the parts and ``total`` (J per sample).
    """
    rows = []
    for t, model in sorted(models.items()):
        for name, rule in rules.items():
            for m in READ_PATH_MODELS.values():
                p = per_sample(model, m, bits_per_line(rule))
                rows.append({"width_s": float(t), "strategy": name, "setting": m.name,
                             **{k: p[k] for k in ("array", "lines", "conversions", "activations",
                                                  "random_bits", "total")}})
    return pd.DataFrame(rows)
