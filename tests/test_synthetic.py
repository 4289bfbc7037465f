"""The synthetic campaign: determinism, shipped files, ground truth and required behaviour."""

import json

import numpy as np
import pytest

from fetrain.device.campaign import default_campaign
from fetrain.device.formats import (
    IV_COLUMNS,
    IV_FILE,
    META_FILE,
    PULSE_COLUMNS,
    PULSES_FILE,
)
from fetrain.device.loading import DATA_DIR, load_embedded
from fetrain.device.stack import PULSE_WIDTHS_S

CAMPAIGN = default_campaign()


@pytest.fixture(scope="module")
def data():
    return load_embedded()


def test_regenerated_files_are_identical_to_the_shipped_ones(tmp_path):
    paths = CAMPAIGN.write(tmp_path)
    for name, path in paths.items():
        assert path.read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_generator_is_deterministic():
    a = CAMPAIGN.generate_pulses()
    b = default_campaign().generate_pulses()
    assert a.equals(b)


def test_data_set_declares_itself_synthetic(data):
    assert data.synthetic
    assert "SYNTHETIC" in data.metadata["description"]
    assert data.metadata["seed"] == CAMPAIGN.plan.seed
    assert set(data.widths_s) == set(PULSE_WIDTHS_S)
    assert list(data.pulses.columns) == list(PULSE_COLUMNS)
    assert list(data.iv.columns) == list(IV_COLUMNS)


def test_campaign_shape(data):
    p = data.pulses
    table = CAMPAIGN.amplitude_table().set_index("pulse_width_s")
    for (width, device, cycle, direction), grp in p.groupby(
            ["pulse_width_s", "device", "cycle", "direction"]):
        n = table.loc[width, "pulses_per_phase"]
        assert list(grp["pulse_index"]) == list(range(1, n + 1))
        sign = 1 if direction == "potentiation" else -1
        assert np.all(np.sign(grp["amplitude_V"]) == sign)
    assert p["device"].nunique() == CAMPAIGN.plan.n_devices
    assert p["cycle"].nunique() == CAMPAIGN.plan.n_cycles
    assert data.iv["temperature_K"].nunique() >= 3
    assert np.abs(data.iv["voltage_V"]).max() >= table["amplitude_set_V"].max()


def _step_sizes(pulses, width, direction):
    """Mean read-current change per pulse along the phase, averaged over devices and cycles (A)."""
    sel = pulses[(pulses.pulse_width_s == width) & (pulses.direction == direction)]
    curves = sel.pivot_table(index="pulse_index", columns=["device", "cycle"], values="read_current_A")
    return np.abs(np.diff(curves.to_numpy(), axis=0)).mean(axis=1), curves.to_numpy().mean(axis=1)


def test_conductance_change_per_pulse_smaller_at_20ns(data):
    up20, _ = _step_sizes(data.pulses, 20e-9, "potentiation")
    up200, _ = _step_sizes(data.pulses, 200e-6, "potentiation")
    # mean change over the first 10 pulses of a potentiation phase (where the device moves most)
    assert up20[:10].mean() < up200[:10].mean()


def test_curves_are_nonlinear_and_saturating(data):
    for width in PULSE_WIDTHS_S:
        _, mean_curve = _step_sizes(data.pulses, width, "potentiation")
        n = len(mean_curve)
        first = mean_curve[n // 10] - mean_curve[0]
        last = mean_curve[-1] - mean_curve[-1 - n // 10]
        assert first > 3 * abs(last), width


def test_variation_under_ten_percent(data):
    p = data.pulses
    for width, grp in p.groupby("pulse_width_s"):
        # device-to-device: spread of each device's highest read current
        highs = grp.groupby("device")["read_current_A"].max()
        assert highs.std() / highs.mean() < 0.10
        # cycle-to-cycle: spread, across a device's cycles, of the current at each pulse
        spread = grp.groupby(["device", "direction", "pulse_index"])["read_current_A"].agg(["std", "mean"])
        assert (spread["std"] / spread["mean"]).max() < 0.10
    # pulse-to-pulse noise of a step (AIHWKit's dw_min_std)
    assert CAMPAIGN.variability.step_c2c_rel < 0.10


def test_truth_symmetry_point_of_default_device():
    truth = CAMPAIGN.truth(20e-9)
    assert truth.symmetry_point() == pytest.approx(0.59, abs=0.05)
    assert truth.dw_min() < CAMPAIGN.truth(200e-6).dw_min()


@pytest.mark.parametrize("width", PULSE_WIDTHS_S)
def test_truth_symmetry_point_is_where_alternating_pulses_settle(width):
    truth = CAMPAIGN.truth(width)
    for k, dev in enumerate(truth.devices):
        s_set = float(dev.fraction_per_pulse(width, "set", truth.amplitude_set_V))
        s_reset = float(dev.fraction_per_pulse(width, "reset", truth.amplitude_reset_V))
        assert dev.apply_pulse(0.3, width, "set", truth.amplitude_set_V) == pytest.approx(0.3 + s_set * 0.7)
        assert dev.apply_pulse(0.3, width, "reset", truth.amplitude_reset_V) == pytest.approx(0.3 - s_reset * 0.3)
        p = 0.0
        for _ in range(20000):
            p = p + s_set * (1 - p)      # one set pulse (fetrain.device.hzo.HZODevice.apply_pulse)
            p = p - s_reset * p          # one reset pulse
        w_settled = float(truth.w_from_conductance(truth.conductance(p, k)))
        # alternating pulses oscillate around w* by half a step
        assert w_settled == pytest.approx(truth.symmetry_point(k), abs=truth.dw_min(k))
        assert truth.step_up(truth.symmetry_point(k), k) == pytest.approx(
            truth.step_down(truth.symmetry_point(k), k), rel=1e-9)
    w_pop = truth.symmetry_point()
    assert truth.step_up(w_pop) == pytest.approx(truth.step_down(w_pop), rel=1e-6)


def test_truth_steps_are_nonnegative_and_asymmetric_at_20ns():
    truth = CAMPAIGN.truth(20e-9)
    w = np.linspace(-1, 1, 41)
    up, down = truth.step_up(w), truth.step_down(w)
    assert np.all(up >= 0) and np.all(down >= 0)
    assert up[20] > 2 * down[20]       # at w = 0 the up step dominates


def test_truth_rejects_unknown_width():
    with pytest.raises(ValueError, match="width_s must be one of"):
        CAMPAIGN.truth(1e-3)


def test_metadata_is_plain_json():
    meta = json.loads((DATA_DIR / META_FILE).read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert set(meta["files"]) == {PULSES_FILE, IV_FILE}
