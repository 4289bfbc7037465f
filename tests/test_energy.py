"""Unit tests of fetrain.device.energy."""

import numpy as np
import pytest

from fetrain.device.conduction import write_to_read_current_ratio
from fetrain.device.energy import device_pulse_energy, energy_table, pulse_energy
from fetrain.device.hzo import DEFAULT_DEVICE
from fetrain.device.stack import PULSE_WIDTHS_S, HZOStack

STACK = HZOStack()


def test_pulse_energy_by_hand():
    v, t, g, f = 3.0, 1e-6, 2e-11, 0.01
    e = pulse_energy(v, t, g, f, STACK)
    current = g * STACK.read_voltage_V * write_to_read_current_ratio(v, STACK)
    assert e.conduction_J == pytest.approx(v * current * t)
    assert e.capacitive_J == pytest.approx(STACK.capacitance_F * v ** 2)
    assert e.switching_J == pytest.approx(2 * 0.20 * 1e-12 * v * f)
    assert e.complete_J == pytest.approx(e.conduction_J + e.capacitive_J + e.switching_J)
    assert e.form("study") == e.study_J == e.conduction_J
    with pytest.raises(ValueError, match="energy form"):
        e.form("total")


def test_pulse_energy_scales_linearly_with_width_and_conductance():
    base = pulse_energy(3.0, 1e-6, 1e-11, 0.0, STACK)
    assert pulse_energy(3.0, 2e-6, 1e-11, 0.0, STACK).study_J == pytest.approx(2 * base.study_J)
    assert pulse_energy(3.0, 1e-6, 3e-11, 0.0, STACK).study_J == pytest.approx(3 * base.study_J)
    # the capacitive term does not depend on the width
    assert pulse_energy(3.0, 2e-6, 1e-11, 0.0, STACK).capacitive_J == pytest.approx(base.capacitive_J)


def test_pulse_energy_broadcasts():
    e = pulse_energy(3.0, np.array(PULSE_WIDTHS_S), 1e-11, 0.0, STACK)
    assert e.study_J.shape == (5,) and e.capacitive_J.shape == (5,)


def test_calibration_anchor_3pJ_at_20ns():
    e = device_pulse_energy(DEFAULT_DEVICE, 20e-9, "set", 1.0)
    assert 2.5e-12 <= float(e.study_J) <= 3.5e-12


def test_saturated_state_switches_nothing():
    assert float(device_pulse_energy(DEFAULT_DEVICE, 2e-6, "set", 1.0).switching_J) == 0.0
    assert float(device_pulse_energy(DEFAULT_DEVICE, 2e-6, "reset", 0.0).switching_J) == 0.0


def test_energy_table_rises_with_width():
    table = energy_table(DEFAULT_DEVICE, PULSE_WIDTHS_S, states=(0.0, 0.5, 1.0))
    assert len(table) == 5 * 2 * 3
    for _, grp in table.groupby(["polarity", "state"]):
        assert np.all(np.diff(grp.sort_values("pulse_width_s")["study_J"]) > 0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(amplitude_V=-1.0), "amplitude_V"),
    (dict(width_s=0.0), "width_s"),
    (dict(read_conductance_S=-1e-12), "read_conductance_S"),
    (dict(switched_fraction=1.5), "switched_fraction"),
])
def test_invalid_inputs(kwargs, name):
    args = dict(amplitude_V=3.0, width_s=1e-6, read_conductance_S=1e-11, switched_fraction=0.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        pulse_energy(stack=STACK, **args)
