"""fetrain's engine against AIHWKit 1.1.0: exact agreement with noise off, statistical agreement on
a configuration that learns."""

import numpy as np
import pytest
import torch

from fetrain.bridge.configs import (
    mixed_precision_config,
    rpu_config,
    saturating_transfer,
)
from fetrain.bridge.networks import analog_network, network_weights
from fetrain.device.build import build_device_model
from fetrain.device.loading import load_embedded
from fetrain.device.model import symmetrized
from fetrain.study.crosscheck import cross_check, curve_means
from fetrain.train.config import TrainConfig
from fetrain.train.engine import Engine

aihwkit = pytest.importorskip("aihwkit")


@pytest.fixture(scope="module")
def model():
    return build_device_model(load_embedded().pulses, 20e-9, source="embedded")


@pytest.mark.parametrize("reference", ["naive", "symmetry_point"])
def test_single_rank_one_update_is_identical(model, reference):
    from aihwkit.simulator.tiles import AnalogTile

    # x ∈ {0, 1}, d ∈ {−1, +1} and lr = 3·dw_min: k = 3, BL = 3, every bit probability 1, so
    # AIHWKit's stochastic pulse trains are deterministic too: 3 pulses per active device
    lr = 3 * model.dw_min
    cfg = TrainConfig(model=model, lr=lr, epochs=1, cycle_noise=False,
                             device_variation=False, reference=reference)
    ours = Engine([cfg], sizes=(4, 3))
    w_eff0 = torch.tensor(ours.layers[0].effective()[0])
    x = torch.tensor([[1.0, 0.0, 1.0, 1.0]])
    d = torch.tensor([[-1.0, 1.0, -1.0]])
    ours.pulse_update(0, x.numpy(), d.numpy())

    rpu = rpu_config(model, noise=False)
    if reference == "symmetry_point":
        rpu.device.w_min = -1.0 - model.symmetry_point
        rpu.device.w_max = 1.0 - model.symmetry_point
    tile = AnalogTile(3, 4, rpu)
    tile.set_weights(w_eff0.clone())
    tile.set_learning_rate(lr)
    tile.update(x, d)
    theirs = tile.get_weights()[0]
    np.testing.assert_allclose(ours.layers[0].effective()[0], theirs.numpy(), rtol=0, atol=2e-6)
    assert not torch.allclose(theirs, w_eff0)        # something moved


def test_network_initialisation_is_identical(model):
    cfg = TrainConfig(model=model, lr=0.1, epochs=1, seed=5, device_variation=False)
    net = analog_network(cfg)
    ours = Engine([cfg])
    for w_aihw, layer in zip(network_weights(net), ours.layers):
        np.testing.assert_allclose(w_aihw, layer.effective()[0], atol=1e-7)


PLAIN_CHECK = dict(lr=0.1, epochs=2, seeds=range(10), evaluations_per_epoch=2)


@pytest.fixture(scope="module")
def plain_check_runs(model):
    """fetrain's side of the plain-SGD statistical check, trained once for the check and its
    negative control: the symmetrized 20 ns device, ten seeds."""
    from fetrain.train import data as fdata
    from fetrain.train.loop import train

    sym = symmetrized(model)
    configs = [TrainConfig(model=sym, lr=PLAIN_CHECK["lr"], epochs=PLAIN_CHECK["epochs"],
                                  seed=s, evaluations_per_epoch=PLAIN_CHECK["evaluations_per_epoch"])
               for s in PLAIN_CHECK["seeds"]]
    return sym, train(configs, fdata.load_embedded())


@pytest.mark.slow
@pytest.mark.crosscheck
def test_learning_curves_agree_statistically(plain_check_runs):
    """A configuration that learns under plain SGD (the default device's table made symmetric): ten
    seeds in each engine, paired by seed; the mean accuracy over the curve agrees within
    3 points + t·SE at level CROSS_CHECK_ALPHA — fixed before running."""
    from fetrain.train import data as fdata

    sym, runs = plain_check_runs
    curves, summary = cross_check(sym, fdata.load_embedded(), workers=2,
                                              fetrain_runs=runs, **PLAIN_CHECK)
    assert summary["agree"].iloc[0], summary
    final = curve_means(curves).iloc[-1]
    assert final["fetrain"] > 0.5 and final["AIHWKit"] > 0.5      # and the configuration did learn


@pytest.mark.slow
def test_cross_check_flags_a_mismatch():
    """Negative control: fetrain trained at a quarter of the plain check's learning rate, against
    AIHWKit's shipped curves at the full rate, must ring — the check can fail (and does, by about
    4 margins' worth)."""
    from dataclasses import replace

    from fetrain.study import crosscheck as cc
    from fetrain.train.loop import train

    quarter = replace(cc.CROSS_CHECKS["plain"], lr=cc.CROSS_CHECKS["plain"].lr / 4)
    aihwkit, _ = cc.load_crosscheck("plain")
    _, summary = cc.check_agreement(quarter, train(quarter.configs(), quarter.data()), aihwkit)
    assert not summary["agree"].iloc[0], summary
    assert summary["difference"].iloc[0] < 0            # fetrain, at the lower rate, learned slower


@pytest.mark.slow
@pytest.mark.crosscheck
def test_cross_check_flags_a_mismatch_in_aihwkit(plain_check_runs):
    """Negative control: the same check, with AIHWKit's learning rate a quarter of fetrain's, must
    ring — the check can fail. A quarter of the rate moves the curve by about 12 points, some four
    standard errors beyond the margin; half the rate moves it by about 1.5 points, which the check
    neither detects nor is meant to."""
    from fetrain.train import data as fdata

    sym, runs = plain_check_runs
    curves, summary = cross_check(sym, fdata.load_embedded(), workers=2,
                                              fetrain_runs=runs, aihwkit_changes={"lr": 0.025},
                                              **PLAIN_CHECK)
    assert not summary["agree"].iloc[0], summary
    assert summary["difference"].iloc[0] > 0            # fetrain, at the higher rate, learned faster


def test_fetrain_runs_must_be_the_check_s_own(plain_check_runs):
    from fetrain.train import data as fdata

    sym, runs = plain_check_runs
    with pytest.raises(ValueError, match="fetrain_runs"):
        cross_check(sym, fdata.load_embedded(), fetrain_runs=runs,
                                **dict(PLAIN_CHECK, lr=0.2))


def test_perfect_io_has_no_output_bound_mask(model):
    # AIHWKit 1.1.0 zeroes the gradient of outputs beyond forward.out_bound even with is_perfect;
    # the bridge's perfect I/O must not
    assert rpu_config(model).forward.out_bound == 0.0
    cfg = TrainConfig(model=model, lr=0.1, epochs=1, device_variation=False)
    net = analog_network(cfg, sizes=(20, 3), output_bound=0.0)
    layer = next(net.children())
    layer.set_weights(torch.full((3, 20), 0.9), torch.zeros(3))   # analog outputs 18 > 12
    x = torch.ones(1, 20, requires_grad=True)
    layer(x).sum().backward()
    assert float(x.grad.abs().sum()) > 0
    masked = analog_network(cfg, sizes=(20, 3), output_bound=12.0)
    layer = next(masked.children())
    layer.set_weights(torch.full((3, 20), 0.9), torch.zeros(3))
    x = torch.ones(1, 20, requires_grad=True)
    layer(x).sum().backward()
    assert float(x.grad.abs().sum()) == 0.0        # AIHWKit's mask, for the record


@pytest.mark.parametrize("d_in_eps", [-0.75, 2.3, -40.5])
def test_mixed_precision_transfers_are_identical(model, d_in_eps):
    """Noise off: χ accumulates lr·d⊗x; from the second sample on, trunc(χ/ε) pulses are written and
    χ loses n·ε — in both engines, pulse for pulse (including transfers of more than 31 pulses)."""
    from aihwkit.simulator.tiles import AnalogTile

    cfg = TrainConfig(model=model, lr=1.0, epochs=1, algorithm="mixed_precision",
                             cycle_noise=False, device_variation=False)
    ours = Engine([cfg], sizes=(2, 1))
    w0 = torch.tensor(ours.layers[0].w[0])
    tile = AnalogTile(1, 2, mixed_precision_config(model, noise=False, max_transfer_pulses=200))
    tile.set_weights(w0.clone())
    tile.set_learning_rate(1.0)
    x = torch.tensor([[1.0, 0.5]])
    d = torch.tensor([[d_in_eps * model.dw_min]])
    for _ in range(6):
        ours.pulse_update(0, x.numpy(), d.numpy())
        ours.samples_seen += 1
        tile.update(x, d)
        np.testing.assert_allclose(ours.layers[0].w[0], tile.get_weights()[0].numpy(), atol=1e-6)
    chi_aihwkit = tile.get_hidden_parameters()["hidden_weights_chi"].numpy()
    np.testing.assert_allclose(ours.layers[0].chi[0], chi_aihwkit, atol=1e-6)


@pytest.mark.slow
@pytest.mark.crosscheck
def test_mixed_precision_agrees_statistically(model):
    """Mixed precision, five seeds in each engine, paired by seed (deterministic transfers keep a
    seed's two runs close), the mean accuracy over the curve within 3 points + t·SE. AIHWKit's
    deterministic transfer costs ~18 ms per update of a 256×784 tile (independent of its pulse
    cap), so this runs on 1,750 digits, in two processes, on the symmetrized device at a rate that
    leaves the initial plateau within the epoch (on the 20 ns device mixed precision stays near
    chance for the first ~2,000 samples). The exact agreement, transfer by transfer, is checked
    above on the real device."""
    from fetrain.train import data as fdata

    data = fdata.load_embedded().subset(1750)
    curves, summary = cross_check(symmetrized(model), data, lr=0.4, epochs=1,
                                              seeds=range(5), evaluations_per_epoch=2,
                                              algorithm="mixed_precision", workers=2)
    assert summary["agree"].iloc[0], summary
    final = curve_means(curves).iloc[-1]
    assert final["fetrain"] > 0.2 and final["AIHWKit"] > 0.2      # it learned


@pytest.mark.slow
@pytest.mark.crosscheck
def test_symmetry_point_shifting_agrees_statistically(model):
    """Symmetry point shifting with device-to-device variation off (fetrain's per-device references
    then equal AIHWKit's shifted range): ten seeds per engine at a rate that leaves the plateau
    within one epoch; the mean accuracy over the curve within 3 points + t·SE."""
    from fetrain.train import data as fdata

    data = fdata.load_embedded()
    curves, summary = cross_check(model, data, lr=0.4, epochs=1, seeds=range(10),
                                              evaluations_per_epoch=2, reference="symmetry_point",
                                              device_variation=False, workers=2)
    assert summary["agree"].iloc[0], summary
    final = curve_means(curves).iloc[-1]
    assert final["fetrain"] > 0.15 and final["AIHWKit"] > 0.15


def test_shifted_range_keeps_the_absolute_bound_spread(model):
    """AIHWKit spreads each bound in proportion to it; under a shifted range the bridge rescales the
    relative spreads so that AIHWKit draws fetrain's absolute spread of the unshifted bounds."""
    cfg = TrainConfig(model=model, lr=0.1, epochs=1, reference="global_symmetry_point")
    layer = next(analog_network(cfg, sizes=(200, 100)).children())
    hidden = next(layer.analog_tiles()).get_hidden_parameters()
    hi, lo = hidden["max_bound"].double(), hidden["min_bound"].double()
    s = model.symmetry_point
    assert float(hi.mean()) == pytest.approx(1 - s, abs=0.01)
    assert float(lo.mean()) == pytest.approx(-1 - s, abs=0.01)
    # 20,000 devices: the sample SD is within ~1% of the true one
    assert float(hi.std()) == pytest.approx(model.noise.w_max_dtod, rel=0.05)
    assert float(lo.std()) == pytest.approx(model.noise.w_min_dtod, rel=0.05)


def test_saturating_transfer_cap_changes_no_weight(model):
    """A transfer far beyond the bridge's cap: fetrain fires every pulse (and counts them), AIHWKit
    stops at saturating_transfer — and the weights agree, both devices at their bound."""
    from aihwkit.simulator.tiles import AnalogTile

    cap = saturating_transfer(model)
    assert cap > 31
    cfg = TrainConfig(model=model, lr=1.0, epochs=1, algorithm="mixed_precision",
                             cycle_noise=False, device_variation=False)
    ours = Engine([cfg], sizes=(2, 1))
    tile = AnalogTile(1, 2, mixed_precision_config(model, noise=False, max_transfer_pulses=cap))
    tile.set_weights(torch.tensor(ours.layers[0].w[0]))
    tile.set_learning_rate(1.0)
    x = torch.tensor([[1.0, 0.5]])
    d = torch.tensor([[-2.5 * cap * model.dw_min]])       # transfers of 2.5 and 1.25 times the cap
    for _ in range(2):
        ours.pulse_update(0, x.numpy(), d.numpy())
        ours.samples_seen += 1
        tile.update(x, d)
    # trunc(χ/ε) of 5·cap and 2.5·cap, to float32 rounding of χ
    np.testing.assert_allclose(ours.layers[0].ledger.up[0, 0], [5 * cap, 2.5 * cap], atol=1)
    np.testing.assert_allclose(ours.layers[0].w[0], tile.get_weights()[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(ours.layers[0].w[0], 1.0, atol=1e-6)
