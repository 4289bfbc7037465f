"""The layout of fetrain's characterisation files: the columns of the pulse-response and I–V
tables with their units (:data:`PULSE_COLUMNS`, :data:`IV_COLUMNS`), the names of a campaign's
files and the number format they are written in. Plain data, shared by the files' writer
(:mod:`~fetrain.device.campaign`), checker (:mod:`~fetrain.device.validate`) and reader
(:mod:`~fetrain.device.loading`).
"""

from __future__ import annotations

#: Columns of the pulse-response table, in order, with their units.
PULSE_COLUMNS: dict[str, str] = {
    "device": "device identifier (text)",
    "pulse_width_s": "programming pulse width, s",
    "cycle": "cycle number, 1-based (integer)",
    "direction": "'potentiation' (set pulses) or 'depression' (reset pulses)",
    "pulse_index": "pulse number within the phase, 1-based (integer)",
    "amplitude_V": "pulse amplitude, V (positive: set; negative: reset)",
    "read_voltage_V": "read voltage, V",
    "read_current_A": "current read after the pulse, A",
}


#: Columns of the I–V sweep table, in order, with their units.
IV_COLUMNS: dict[str, str] = {
    "device": "device identifier (text)",
    "state": "polarisation state label (text)",
    "temperature_K": "temperature, K",
    "voltage_V": "applied voltage, V",
    "current_A": "measured current, A (sign follows the voltage)",
}


PULSES_FILE = "pulses.csv"


IV_FILE = "iv_sweeps.csv"


META_FILE = "campaign.json"


FLOAT_FORMAT = "%.6g"
