"""The device model: fits, step table, symmetry point, noise, AIHWKit export — against ground truth."""

import dataclasses

import numpy as np
import pytest

from fetrain.device.build import build_device_model, build_device_models
from fetrain.device.campaign import default_campaign
from fetrain.device.energy import pulse_energy
from fetrain.device.loading import load_embedded
from fetrain.device.stack import PULSE_WIDTHS_S
from fetrain.device.steps import N_NODES, interpolate_table

CAMPAIGN = default_campaign()


@pytest.fixture(scope="module")
def models():
    return build_device_models(load_embedded().pulses, source="embedded")


def test_one_model_per_width_and_immutable(models):
    assert list(models) == sorted(PULSE_WIDTHS_S)
    m = models[20e-9]
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.dw_min_std = 0.0
    with pytest.raises(ValueError):
        m.step_up[0] = 1.0
    assert m.w_nodes.size == N_NODES and m.w_nodes[N_NODES // 2] == 0.0


@pytest.mark.parametrize("width", PULSE_WIDTHS_S)
def test_fit_quality(models, width):
    m = models[width]
    for fit in (m.fit_up, m.fit_down):
        assert fit.r_squared > 0.999
        # the fit's residuals are at the level of the averaged read noise and spread
        assert fit.residual_std < 0.01


@pytest.mark.parametrize("width", PULSE_WIDTHS_S)
def test_symmetry_point_matches_truth_and_pulsing(models, width):
    m, truth = models[width], CAMPAIGN.truth(width)
    assert abs(m.symmetry_point - truth.symmetry_point()) < 0.05
    settled, history = m.symmetry_point_by_pulsing(start=-1.0)
    assert abs(settled - m.symmetry_point) < m.dw_min
    settled_top, _ = m.symmetry_point_by_pulsing(start=1.0)
    assert abs(settled_top - settled) < m.dw_min
    # per device, where devices vary
    assert np.all(np.abs(m.device_symmetry_points - truth.symmetry_points()) < 0.05)


@pytest.mark.parametrize("width", PULSE_WIDTHS_S)
def test_step_functions_match_truth(models, width):
    m, truth = models[width], CAMPAIGN.truth(width)
    nodes = m.w_nodes
    scale = truth.dw_min()
    assert np.max(np.abs(m.step_up - truth.step_up(nodes))) < 0.15 * scale
    assert np.max(np.abs(m.step_down - truth.step_down(nodes))) < 0.15 * scale
    assert abs(m.dw_min - truth.dw_min()) < 0.05 * scale


def test_default_device_is_asymmetric_and_finer(models):
    assert models[20e-9].dw_min < models[200e-6].dw_min
    assert models[20e-9].symmetry_point == pytest.approx(0.59, abs=0.05)


def test_noise_figures_against_truth(models):
    var = CAMPAIGN.variability
    for width, m in models.items():
        nf = m.noise
        assert nf.read_noise_rel == pytest.approx(var.read_noise_rel, rel=0.2)
        assert nf.dw_min_std == pytest.approx(var.step_c2c_rel, abs=0.03)
        # the same statistic on the true devices: the spread of the common gain of the up and down
        # steps at w = 0, and of their imbalance (AIHWKit's dw_min_dtod and up_down_dtod)
        truth = CAMPAIGN.truth(width)
        ups = np.array([truth.step_up(0.0, k) for k in range(len(truth.devices))])
        downs = np.array([truth.step_down(0.0, k) for k in range(len(truth.devices))])
        gain = (ups / ups.mean() + downs / downs.mean()) / 2
        imbalance = (ups / ups.mean() - downs / downs.mean()) / 2
        assert nf.dw_min_dtod == pytest.approx(np.std(gain, ddof=1), abs=0.03)
        assert nf.up_down_dtod == pytest.approx(np.std(imbalance, ddof=1), abs=0.03)
        assert nf.n_devices == CAMPAIGN.plan.n_devices


def test_turned_back_polynomial_is_detected_and_floored():
    p = load_embedded().pulses
    m = build_device_model(p, 20e-9, fit_excursion=1.0, per_device=False)
    # fitting the whole 650-pulse phase, whose potentiation saturates after ~200 pulses,
    # makes the polynomial run backwards somewhere; it is reported and the steps stay ≥ the floor
    assert m.fit_up.turned_back
    assert np.all(m.step_up >= m.min_step) and np.all(m.step_down >= m.min_step)
    assert m.fit_up.fit_end == m.pulses_per_phase


def test_interpolation_matches_aihwkit_rule():
    nodes = np.array([1.0, 2.0, 4.0])            # 3 nodes on [-1, 1]: at -1, 0, 1
    w = np.array([-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 3.0])
    got = interpolate_table(w, nodes)
    assert np.allclose(got, [1.0, 1.0, 1.5, 2.0, 2.5, 4.0, 4.0])


def test_apply_pulses_is_deterministic_without_rng_and_clips(models):
    m = models[200e-6]
    traj = m.apply_pulses(np.array([1.0, 0.0]), [1, -1, 0])
    assert traj.shape == (4, 2)
    assert traj[1, 0] == 1.0                                    # clipped at the upper bound
    assert traj[1, 1] == pytest.approx(m.dw_min)                # one up step from 0
    assert np.array_equal(traj[3], traj[2])                     # 0: no pulse
    assert m.apply_pulses(-1.0, [-1])[1] == -1.0                # clipped at the lower bound
    noisy1 = m.apply_pulses(0.0, [1] * 10, rng=np.random.default_rng(3))
    noisy2 = m.apply_pulses(0.0, [1] * 10, rng=np.random.default_rng(3))
    assert np.array_equal(noisy1, noisy2) and not np.array_equal(noisy1, m.apply_pulses(0.0, [1] * 10))


def test_pulse_energy_of_the_model(models):
    m = models[20e-9]
    e = m.pulse_energy(0.0, "set")
    direct = pulse_energy(m.amplitude_set_V, m.width_s, m.conductance(0.0), m.dw_min / 2, m.stack)
    assert float(e.study_J) == pytest.approx(float(direct.study_J))
    assert float(e.complete_J) == pytest.approx(float(direct.complete_J))
    # the same order as the physics of Chapter 1 at the state with the same conductance
    assert 0.5e-12 < float(e.study_J) < 5e-12
    with pytest.raises(ValueError, match="polarity"):
        m.pulse_energy(0.0, "up")


def test_unknown_width_is_rejected():
    with pytest.raises(ValueError, match="width_s must be one of the data's pulse widths"):
        build_device_model(load_embedded().pulses, 1e-3)


def test_aihwkit_export_reproduces_the_model_exactly(models):
    torch = pytest.importorskip("torch")
    from aihwkit.simulator.parameters.enums import PulseType
    from aihwkit.simulator.tiles import AnalogTile

    from fetrain.bridge.configs import rpu_config

    m = models[20e-9]
    config = rpu_config(m, noise=False)
    # one pulse per update: lr·|x|·|d| / dw_min = 1, with a deterministic pulse train
    config.update.pulse_type = PulseType.DETERMINISTIC_IMPLICIT
    tile = AnalogTile(1, 4, config)
    w0 = np.array([-1.0, -0.3, 0.4, 0.95], dtype=np.float32)
    tile.set_weights(torch.tensor(w0[None, :]))
    tile.set_learning_rate(m.dw_min)
    signs = np.random.default_rng(7).choice([-1, 1], size=400)
    trajectory = []
    for s in signs:
        # d = −sign: SGD moves w by −lr·d·x, so d = −1 is an up pulse
        tile.update(torch.ones(1, 4), torch.tensor([[-float(s)]]))
        trajectory.append(tile.get_weights()[0][0].numpy().copy())
    ours = m.apply_pulses(w0, signs)[1:]
    assert ours.dtype == np.float32
    np.testing.assert_allclose(np.array(trajectory), ours, rtol=0, atol=2e-7)


def test_aihwkit_export_carries_the_noise_figures(models):
    pytest.importorskip("aihwkit")
    from fetrain.bridge.configs import rpu_config

    m = models[20e-9]
    dev = rpu_config(m).device
    assert dev.dw_min == pytest.approx(m.dw_min)
    assert dev.dw_min_std == pytest.approx(m.noise.dw_min_std)
    assert dev.up_down_dtod == pytest.approx(m.noise.up_down_dtod)
    assert (dev.w_min, dev.w_max) == (-1.0, 1.0)
    assert dev.piecewise_up[N_NODES // 2] == pytest.approx(1.0)
    quiet = rpu_config(m, noise=False).device
    assert quiet.dw_min_std == quiet.dw_min_dtod == quiet.w_max_dtod == 0.0
