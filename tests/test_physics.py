"""Unit tests of fetrain.device: known values, limits, units and bad input."""

import numpy as np
import pytest

from fetrain.device.conduction import (
    Conduction,
    image_force_lowering_V,
    schottky_current_density,
    write_to_read_current_ratio,
)
from fetrain.device.hzo import DEFAULT_DEVICE, HZODevice, describe_constants
from fetrain.device.schemes import AmplitudeLadder, IsoFraction
from fetrain.device.stack import K_B, PULSE_WIDTHS_S, HZOStack, Q
from fetrain.device.switching import SwitchingKinetics

STACK = HZOStack()


def test_capacitance_known_value():
    # ε0 · 30 · 1 µm² / 10 nm = 26.56 fF
    assert STACK.capacitance_F == pytest.approx(8.8541878128e-12 * 30 * 1e-12 / 10e-9, rel=1e-9)
    assert STACK.capacitance_F == pytest.approx(26.56e-15, rel=1e-3)


def test_field_is_voltage_over_thickness():
    assert STACK.field(3.8) == pytest.approx(3.8e8)
    assert STACK.field(-1.0) == pytest.approx(1e8)


def test_image_force_lowering_known_value():
    # sqrt(q E / (4π ε ε0)) at E = 1e8 V/m, ε = 5.5, computed by hand: 0.1617 V
    value = image_force_lowering_V(1e8, 5.5)
    assert value == pytest.approx(np.sqrt(1.602176634e-19 * 1e8 / (4 * np.pi * 5.5 * 8.8541878128e-12)))
    assert value == pytest.approx(0.1617, abs=2e-4)


def test_schottky_limits_and_temperature_law():
    e = np.array([1.0, 2.0])
    j = schottky_current_density(e, 300.0, 0.6, 5.5, 0.3)
    # at vanishing field the image-force term vanishes: J ∝ E
    assert j[1] / j[0] == pytest.approx(2.0, rel=1e-3)
    assert schottky_current_density(0.0, 300.0, 0.6, 5.5, 0.3) == 0.0
    # Arrhenius: ln(J/T^1.5) against 1/T has slope −q(φ − Δφ)/k
    field = 2e8
    temps = np.array([250.0, 350.0])
    y = np.log(schottky_current_density(field, temps, 0.6, 5.5, 0.3) / temps ** 1.5)
    slope = (y[1] - y[0]) / (1 / temps[1] - 1 / temps[0])
    expected = -Q * (0.6 - image_force_lowering_V(field, 5.5)) / K_B
    assert slope == pytest.approx(expected, rel=1e-9)


def test_conduction_parallel_domains():
    c = Conduction()
    g = c.read_conductance(np.linspace(0, 1, 5), STACK)
    assert np.allclose(np.diff(g), np.diff(g)[0])            # linear in p
    assert c.on_off_ratio(STACK) == pytest.approx(
        np.exp(Q * (c.barrier_off_eV - c.barrier_on_eV) / (K_B * STACK.temperature_K)))
    assert c.on_off_ratio(STACK) == pytest.approx(8.0, rel=0.01)
    p = np.array([0.0, 0.3, 1.0])
    assert np.allclose(c.state_from_conductance(c.read_conductance(p, STACK), STACK), p)
    v = np.array([0.5, 2.0])
    assert np.allclose(c.current(-v, 0.4, STACK), -c.current(v, 0.4, STACK))  # odd in V


def test_write_to_read_ratio_is_state_independent():
    c = Conduction()
    ratios = [c.current(3.8, p, STACK) / c.current(STACK.read_voltage_V, p, STACK) for p in (0, 0.5, 1)]
    assert np.allclose(ratios, ratios[0], rtol=1e-12)
    assert ratios[0] == pytest.approx(write_to_read_current_ratio(3.8, STACK), rel=1e-12)


def test_merz_known_value_and_limits():
    k = SwitchingKinetics(tau0_s=1e-10, activation_field_V_m=1e9, alpha=2.0)
    assert k.median_switching_time_s(5e8) == pytest.approx(1e-10 * np.exp(4.0))
    assert np.isinf(k.median_switching_time_s(0.0))


def test_fraction_switched_limits_and_monotonicity():
    k = SwitchingKinetics()
    widths = np.array(PULSE_WIDTHS_S)
    s = k.fraction_switched(widths, 3.5e8)
    assert np.all((s >= 0) & (s <= 1)) and np.all(np.diff(s) > 0)       # longer → more
    fields = np.linspace(2e8, 5e8, 7)
    assert np.all(np.diff(k.fraction_switched(20e-9, fields)) > 0)       # stronger → more
    assert k.fraction_switched(1.0, 2e9) == pytest.approx(1.0, abs=1e-9)  # long, strong → all
    assert k.fraction_switched(20e-9, 0.0) == 0.0                         # no field → none


def test_fraction_switched_reduces_to_kai_without_spread():
    k = SwitchingKinetics(log_tau_spread=1e-6)
    t, e = 1e-6, 3e8
    tau = k.median_switching_time_s(e)
    assert k.fraction_switched(t, e) == pytest.approx(1 - np.exp(-(t / tau) ** k.beta), rel=1e-5)


def test_campaign_amplitudes():
    dev = DEFAULT_DEVICE
    for pol in ("set", "reset"):
        amps = [dev.write_amplitude(t, pol) for t in PULSE_WIDTHS_S]
        assert max(amps) <= dev.stack.max_voltage_V
        assert all(np.diff(amps) <= 0)                    # longer pulses, lower amplitude
        on_grid = np.array(amps) / dev.scheme.step_V
        assert np.allclose(on_grid, np.round(on_grid))
    # the imprint favours set: the uncapped reset amplitude is higher
    assert dev.required_amplitude_V(2e-6, "reset") > dev.required_amplitude_V(2e-6, "set")
    # uncapped widths reach at least the target fraction; the capped 20 ns width does not
    assert dev.fraction_per_pulse(2e-6, "set") >= dev.scheme.target_fraction
    assert dev.fraction_per_pulse(20e-9, "reset") < dev.scheme.target_fraction


def test_programming_schemes():
    """The cap of the iso-fraction rule binds only where the required amplitude exceeds it; the
    ladder gives the same |V| for set and reset, lowered per decade of width."""
    from dataclasses import replace
    high = replace(DEFAULT_DEVICE, scheme=IsoFraction(cap_V=4.2))
    low = replace(DEFAULT_DEVICE, scheme=IsoFraction(cap_V=3.5))
    for t in PULSE_WIDTHS_S:
        for pol in ("set", "reset"):
            need = DEFAULT_DEVICE.required_amplitude_V(t, pol)
            assert low.write_amplitude(t, pol) <= 3.5
            assert high.write_amplitude(t, pol) == pytest.approx(np.ceil(round(need / 0.05, 9)) * 0.05)
    ladder = replace(DEFAULT_DEVICE, scheme=AmplitudeLadder(3.8, 0.2))
    amps = [ladder.write_amplitude(t, "set") for t in PULSE_WIDTHS_S]
    assert amps == pytest.approx([3.8, 3.6, 3.4, 3.2, 3.0])
    assert [ladder.write_amplitude(t, "reset") for t in PULSE_WIDTHS_S] == pytest.approx(amps)


def test_symmetry_state_balances_steps():
    dev = DEFAULT_DEVICE
    for t in PULSE_WIDTHS_S:
        p = dev.symmetry_state(t)
        up = dev.apply_pulse(p, t, "set") - p
        down = p - dev.apply_pulse(p, t, "reset")
        assert up == pytest.approx(down, rel=1e-9)


@pytest.mark.parametrize("make, name", [
    (lambda: HZOStack(area_m2=0.0), "area_m2"),
    (lambda: HZOStack(thickness_m=-1e-9), "thickness_m"),
    (lambda: HZOStack(temperature_K=0.0), "temperature_K"),
    (lambda: HZOStack(temperature_K=-5.0), "temperature_K"),
    (lambda: schottky_current_density(1e8, 0.0, 0.6, 5.5, 0.3), "temperature_K"),
    (lambda: SwitchingKinetics().fraction_switched(-20e-9, 3e8), "width_s"),
    (lambda: DEFAULT_DEVICE.write_amplitude(0.0), "width_s"),
    (lambda: DEFAULT_DEVICE.write_amplitude(20e-9, "up"), "polarity"),
    (lambda: Conduction().read_conductance(1.5, STACK), "state"),
    (lambda: IsoFraction(target_fraction=0.0), "target_fraction"),
    (lambda: IsoFraction(cap_V=-1.0), "cap_V"),
    (lambda: AmplitudeLadder(volts_per_decade=-0.1), "volts_per_decade"),
    (lambda: HZODevice(scheme="ladder"), "scheme"),
    (lambda: Conduction(barrier_on_eV=0.7, barrier_off_eV=0.6), "barrier_on_eV"),
])
def test_invalid_inputs_name_the_parameter(make, name):
    with pytest.raises(ValueError, match=name) as err:
        make()
    message = str(err.value)
    assert "must be" in message or "one of" in message


def test_describe_constants_covers_every_constant():
    rows = describe_constants()
    names = {r["name"] for r in rows}
    for obj in (DEFAULT_DEVICE.stack, DEFAULT_DEVICE.conduction, DEFAULT_DEVICE.kinetics):
        assert set(obj.__dataclass_fields__) <= names
    assert {r["kind"] for r in rows} <= {"published", "calibrated", "assumption"}
