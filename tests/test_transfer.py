"""The transfer algorithms (Tiki-Taka v2, chopped TTv2, AGAD): held to AIHWKit 1.1.0 pulse for
pulse where the arithmetic is deterministic, and their ledger, counters and parameters."""

import numpy as np
import pytest
import torch

from fetrain.device.build import build_device_model
from fetrain.device.loading import load_embedded
from fetrain.train.config import TrainConfig
from fetrain.train.engine import Engine
from fetrain.train.rules import AGAD, ChoppedTTv2, TTv2


@pytest.fixture(scope="module")
def model():
    return build_device_model(load_embedded().pulses, 20e-9, source="embedded")


def _rules(model):
    # fast_lr = fast_bl·dw_min with x, d ∈ {0, ±1}: every bit fires (probability exactly 1), so
    # each coincidence is exactly fast_bl pulses in both engines; choppers switch regularly
    fast = dict(fast_lr=4 * model.dw_min, fast_bl=4)
    return {"ttv2": TTv2(**fast),
            "chopped_ttv2": ChoppedTTv2(in_chop_prob=0.5, in_chop_random=False, **fast),
            "chopped_ttv2-momentum": ChoppedTTv2(in_chop_prob=0.34, in_chop_random=False,
                                                 momentum=0.25, forget_buffer=False,
                                                 transfer_every=2, **fast),
            "agad": AGAD(in_chop_prob=0.5, tail_weightening=1.0, **fast)}


SCRIPT = [([1, 0, -1], [1, -1]), ([1, 1, 0], [-1, 0]), ([0, -1, 1], [1, 1]),
          ([1, -1, 1], [-1, 1]), ([-1, 0, 1], [0, -1]), ([1, 1, 1], [1, 1])] * 4


@pytest.mark.parametrize("name", ["ttv2", "chopped_ttv2", "chopped_ttv2-momentum", "agad"])
def test_transfer_rules_match_aihwkit_pulse_for_pulse(model, name):
    """Noise and variation off, perfect reads: after every sample the fast array, the slow array
    (the weights) and the buffer equal AIHWKit's."""
    from aihwkit.simulator.tiles import AnalogTile

    from fetrain.bridge.configs import transfer_config

    rule = _rules(model)[name]
    cfg = TrainConfig(model=model, lr=1.0, epochs=1, algorithm=rule, cycle_noise=False,
                      device_variation=False)
    ours = Engine([cfg], sizes=(3, 2))
    layer = ours.layers[0]
    tile = AnalogTile(2, 3, transfer_config(model, rule, noise=False))
    tile.set_weights(torch.tensor(np.array(layer.w[0])))
    tile.set_learning_rate(1.0)
    buffer_name = "buffered_FP_weight" if name == "agad" else "buffered_FP_weight_0"
    writes = 0
    for x, d in SCRIPT:
        x = np.array([x], dtype=np.float32)
        d = np.array([d], dtype=np.float32)
        ours.pulse_update(0, x, d)
        ours.samples_seen += 1
        tile.update(torch.tensor(x), torch.tensor(d))
        hidden = tile.get_hidden_parameters()
        np.testing.assert_array_equal(layer.rule_view("fast_dev", 0)[0],
                                      hidden["hidden_weights_0"].numpy())
        np.testing.assert_array_equal(layer.w[0], tile.get_weights()[0].numpy())
        np.testing.assert_allclose(layer.rule_view("buffer")[0], hidden[buffer_name].numpy(),
                                   atol=1e-6)
        writes = int(layer.ledger.up[0].sum() + layer.ledger.down[0].sum())
    assert writes > 0                              # the script does reach the slow array


def test_every_pulse_on_either_array_is_in_the_ledger(model):
    cfg = TrainConfig(model=model, lr=1.0, epochs=1, algorithm=_rules(model)["chopped_ttv2"],
                      cycle_noise=False, device_variation=False)
    eng = Engine([cfg], sizes=(3, 2))
    for x, d in SCRIPT:
        eng.pulse_update(0, np.array([x], np.float32), np.array([d], np.float32))
        eng.samples_seen += 1
    snap = eng.snapshot(0)
    fast_counts = eng._bars[0].rule_arrays["fast_counts"]
    assert snap["L1.fast"]["n_up"] + snap["L1.fast"]["n_down"] == fast_counts.sum() > 0
    slow = eng.layers[0].ledger
    assert snap["L1"]["n_up"] + snap["L1"]["n_down"] == slow.up[0].sum() + slow.down[0].sum()
    c = snap["counters"]
    assert c["transfer_reads"] == len(SCRIPT) and c["cells_read"] == 2 * len(SCRIPT)
    assert c["buffer_updates"] == 2 * len(SCRIPT)
    assert cfg.algorithm.digital_energy_J(c) > 0


def test_fast_devices_at_their_symmetry_points(model):
    cfg = TrainConfig(model=model, lr=1.0, epochs=1, cycle_noise=False, device_variation=False,
                      algorithm=TTv2(fast_reference="symmetry_point"))
    eng = Engine([cfg], sizes=(3, 2))
    fast_ref = np.asarray(eng.layers[0].rule_view("fast_dev", 1))
    w_star = model.reference_point(cfg.reference_start)[0]
    np.testing.assert_allclose(fast_ref, w_star, atol=2e-3)
    # the fast array starts at its reference: its reads start at zero
    np.testing.assert_array_equal(np.asarray(eng.layers[0].rule_view("fast_weff")), 0)


@pytest.mark.parametrize("make, message", [
    (lambda: TTv2(fast_lr=0), "fast_lr must be a finite number > 0"),
    (lambda: TTv2(fast_bl=63), "fast_bl must be an integer > 0 ≤ 62"),
    (lambda: TTv2(momentum=1.5), "momentum must be in"),
    (lambda: TTv2(fast_reference="middle"), "fast_reference must be one of"),
    (lambda: ChoppedTTv2(in_chop_prob=2), "in_chop_prob must be in"),
    (lambda: AGAD(in_chop_prob=0), r"in_chop_prob must be in \(0, 1\]"),
])
def test_transfer_parameters_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_transfer_strategies_run_through_the_sweep(tmp_path):
    """``reproduce --algorithms ttv2,c-ttv2,agad`` at a small scale: every strategy trains, its
    histories carry the fast array's pulses and the buffer's digital energy, and the totals
    include both arrays."""
    from fetrain.study.plan import SweepPlan
    from fetrain.study.sweep import load_histories, run_sweep

    plan = SweepPlan(scale="quick", widths_s=(20e-9,), strategies=("ttv2", "c-ttv2", "agad"),
                     schemes=("iso-3.8",), seeds=(0,), map_seeds=(0,), epochs=1,
                     evaluations_per_epoch=1, n_train=60, lr=1.0)
    report = run_sweep(plan, tmp_path / "t")
    assert report["trained"] == 3
    h, _ = load_histories(tmp_path / "t", plan)
    last = h.sort_values("samples").groupby("strategy").tail(1).set_index("strategy")
    assert set(last.index) == {"ttv2", "c-ttv2", "agad"}
    assert (last["pulses_fast"] > 0).all()
    assert (last["transfer_reads"] == 60 * 3 * 4).all()        # 4 columns per layer
    assert (last["digital_fp32-dense_J"] > 0).all()
    assert (last["pulses"] >= last["pulses_fast"]).all()


def test_transfer_strategies_are_tuned_like_the_others():
    """A tuning cell of a transfer strategy draws its search space's parameters into the rule."""
    from fetrain.study.tune import SEARCH_SPACES, TunePlan, fixed_setting, train_config

    plan = TunePlan.for_scale("quick", strategies=("c-ttv2",))
    setting = {"lr": 0.7, "fast_lr": 0.02, "n_reads": 8, "in_chop_prob": 0.05}
    assert set(setting) == set(SEARCH_SPACES["c-ttv2"])
    cfg = train_config(plan, "iso-3.8", 20e-9, "c-ttv2", setting, seed=0)
    assert isinstance(cfg.algorithm, ChoppedTTv2) and cfg.lr == 0.7
    assert (cfg.algorithm.fast_lr, cfg.algorithm.n_reads, cfg.algorithm.in_chop_prob) == (
        0.02, 8, 0.05)
    assert fixed_setting("agad") == {"lr": 0.1, "fast_lr": 0.06, "n_reads": 4,
                                     "in_chop_prob": 0.1}


def test_a_transfer_strategy_is_tuned_end_to_end(tmp_path):
    """``tune --strategies c-ttv2`` at quick scale: every trial trains the transfer rule, the
    first is the sweep's fixed setting, and the chosen setting is retrained."""
    from fetrain.study import tune

    plan = tune.TunePlan.for_scale("quick", strategies=("c-ttv2",), widths_s=(200e-9,))
    tune.run_tuning(plan, tmp_path / "t", workers=1)
    tables, record = tune.load_tuning(tmp_path / "t")
    trials = tables["trials"]
    assert len(trials) == plan.trials and set(trials["strategy"]) == {"c-ttv2"}
    first = trials[trials["trial"] == 0].iloc[0]
    assert (first["param_fast_lr"], first["param_n_reads"]) == (0.06, 4)
    assert {"param_in_chop_prob", "param_lr"} <= set(trials.columns)
    assert record["plan"]["strategies"] == ["c-ttv2"]


def test_family_winners_on_a_hand_made_summary():
    """Per width: the cheapest of each family, the winner, and the best transfer algorithm over
    the best other family with its interval; a strategy that misses with a seed does not win."""
    import pandas as pd

    from fetrain.study.transfer import combined_summary, family_winners

    def rows(strategy, width, values, scheme="iso-3.8"):
        return [{"scheme": scheme, "width_s": width, "strategy": strategy, "seed": k,
                 "target": 0.7, "total_to_target_J": v} for k, v in enumerate(values)]

    study = pd.DataFrame(rows("sps", 20e-9, [4.0, 4.2, 3.8]) + rows("mp", 20e-9, [9.0, 9, 9])
                         + rows("sps", 2e-6, [1.0, 1.1, 0.9]) + rows("mp", 2e-6, [5.0, 5, 5])
                         + rows("sps", 20e-9, [1.0, 1, 1], scheme="ladder"))
    transfers = pd.DataFrame(rows("ttv2", 20e-9, [2.0, 2.1, 1.9])
                             + rows("agad", 20e-9, [1.0, float("nan"), 1.0])
                             + rows("ttv2", 2e-6, [3.0, 3.3, 2.7]))
    both = combined_summary(study, transfers, "iso-3.8")
    assert set(both["scheme"]) == {"iso-3.8"} and len(both) == 21
    w = family_winners(both).set_index("width_s")
    assert w.loc[20e-9, "winner"] == "ttv2" and w.loc[20e-9, "best_transfer"] == "ttv2"
    assert w.loc[20e-9, "transfer_over_best_other"] == pytest.approx(2.0 / 4.0)
    assert w.loc[20e-9, "low"] <= 0.5 <= w.loc[20e-9, "high"]
    assert w.loc[2e-6, "winner"] == "sps" and w.loc[2e-6, "winner_family"] == "reference at w*"
    assert w.loc[2e-6, "transfer_over_best_other"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="different targets"):
        combined_summary(study, transfers.assign(target=0.8), "iso-3.8")


def test_tuned_transfer_settings_come_from_the_shipped_tuning():
    """``reproduce --settings tuned --algorithms ttv2,c-ttv2,agad`` trains each tuned cell at the
    transfer tuning's chosen setting; cells without one keep the fixed setting."""
    from fetrain.study.plan import STRATEGIES, SweepPlan, train_config
    from fetrain.study.tune import load_tuning
    from fetrain.study.tuned import SHIPPED_TUNE_TRANSFER

    plan = SweepPlan.for_scale("paper", settings="tuned", strategies=("ttv2", "c-ttv2", "agad"),
                               schemes=("iso-3.8",))
    cells = {(t, s): dict(v) for t, s, v in plan.cell_settings}
    chosen = load_tuning(SHIPPED_TUNE_TRANSFER)[0]["chosen"]
    expected = {(float(r.width_s), r.strategy) for r in chosen.itertuples() if r.chosen}
    assert set(cells) == expected and (20e-9, "c-ttv2") not in cells
    spec = next(s for s in plan.runs() if (s.width_s, s.strategy) == (20e-9, "ttv2"))
    cfg = train_config(plan, spec)
    row = chosen[(chosen.width_s == 20e-9) & (chosen.strategy == "ttv2")].iloc[0]
    assert cfg.lr == pytest.approx(row.param_lr)
    assert cfg.algorithm.n_reads == int(row.param_n_reads)
    assert cfg.algorithm.fast_reference == STRATEGIES["ttv2"].rule.fast_reference
    untuned = next(s for s in plan.runs() if (s.width_s, s.strategy) == (20e-9, "agad"))
    assert train_config(plan, untuned).algorithm == STRATEGIES["agad"].rule


def test_the_bridge_refuses_what_aihwkit_cannot_do(model):
    from fetrain.bridge.configs import transfer_config

    with pytest.raises(ValueError, match="n_reads must be 1"):
        transfer_config(model, TTv2(n_reads=4))
    with pytest.raises(ValueError, match="fast_reference must be 'zero'"):
        transfer_config(model, TTv2(fast_reference="symmetry_point"))
