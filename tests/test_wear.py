"""Wear from the ledger: the laws, hand-made ledgers, a trained run's wear, the sweep's wear
columns, trainings per lifetime, and the aging device."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fetrain.device.aging import StepDrift, aged, symmetry_point_after
from fetrain.device.stack import HZOStack
from fetrain.device.wear import WEAR_MODELS, Breakdown, Fatigue, pulse_life, wear_model
from fetrain.study import wear
from fetrain.study.recalibration import AgingStudy, recalibration_interval


class _Model:
    """A hand-made device model: one width, one amplitude per polarity, a 10 nm film."""

    def __init__(self, width_s=20e-9, v_set=3.8, v_reset=3.0):
        self.width_s, self.amplitude_set_V, self.amplitude_reset_V = width_s, v_set, v_reset
        self.stack = HZOStack()


def test_fatigue_law_gives_the_stated_fraction():
    law = Fatigue(cycles_ref=1e10, field_ref_MV_cm=3.0, exponent=12.6)
    # 3 V across 10 nm is 3 MV/cm: N_f = 1e10 cycles, a pulse is half a cycle
    assert law.cycles_to_failure(3.0) == pytest.approx(1e10)
    assert law.life_per_pulse(3.0, 20e-9) == pytest.approx(0.5e-10)
    # the width does not enter; the field does, as a power law
    assert law.life_per_pulse(3.0, 200e-6) == pytest.approx(0.5e-10)
    assert law.cycles_to_failure(3.8) == pytest.approx(1e10 * (3.8 / 3.0) ** -12.6)
    thin = HZOStack(thickness_m=5e-9)                       # twice the field
    assert law.cycles_to_failure(1.5, thin) == pytest.approx(1e10)


def test_breakdown_law_gives_the_stated_fraction():
    law = Breakdown(t_ref_s=5e3, v_ref_V=3.0, gamma_per_V=10.0)
    assert law.time_to_breakdown_s(3.0) == pytest.approx(5e3)
    assert law.time_to_breakdown_s(4.0) == pytest.approx(5e3 * math.exp(-10.0))
    # a pulse spends its width over t_BD
    assert law.life_per_pulse(3.0, 250e-9) == pytest.approx(250e-9 / 5e3)
    assert law.life_per_pulse(3.5, 2e-6) == pytest.approx(2e-6 / (5e3 * math.exp(-5.0)))


@pytest.mark.parametrize("name", list(WEAR_MODELS))
def test_a_device_pulsed_n_times_spends_n_times_a_pulse(name):
    law = WEAR_MODELS[name]
    m = _Model()
    a_up, a_down = pulse_life(m, law)
    assert a_up == pytest.approx(float(law.life_per_pulse(3.8, 20e-9, m.stack)))
    assert a_down == pytest.approx(float(law.life_per_pulse(3.0, 20e-9, m.stack)))
    up = np.array([[0, 1000], [7, 0]])
    down = np.array([[0, 500], [0, 3]])
    life = wear.device_life(up, down, a_up, a_down)
    np.testing.assert_allclose(life, up * a_up + down * a_down)
    assert life[0, 0] == 0


def test_ledger_wear_reports_the_busiest_device_per_layer_and_chip():
    law = {"f": Fatigue(1e6, 3.0, 10.0)}
    m = _Model(v_set=3.0, v_reset=3.0)                    # every pulse spends 0.5e-6
    l1 = (np.zeros((4, 250), int), np.zeros((4, 250), int))
    l1[0][0, 0] = 2000                                   # one busy device in L1
    l2 = (np.full((2, 4), 10), np.full((2, 4), 10))
    table = wear.ledger_wear({"weights": [l1, l2]}, m, law).set_index(["array", "layer"])
    assert table.loc[("weights", "L1"), "max"] == pytest.approx(2000 * 0.5e-6)
    assert table.loc[("weights", "L1"), "pulses_max"] == 2000
    assert table.loc[("weights", "L2"), "max"] == pytest.approx(20 * 0.5e-6)
    assert table.loc[("weights", "L2"), "mean"] == pytest.approx(20 * 0.5e-6)
    # over the chip's 1,008 devices the busiest is L1's; the 99.9th percentile is below it
    chip = table.loc[("all", "all")]
    assert chip["devices"] == 1008
    assert chip["max"] == pytest.approx(1e-3)
    assert chip["p999"] < chip["max"]
    assert chip["mean"] == pytest.approx((2000 + 8 * 20) * 0.5e-6 / 1008)


def test_programming_adds_to_every_device_and_a_reference_array():
    law = {"f": Fatigue(1e6, 3.0, 10.0)}
    m = _Model(v_set=3.0, v_reset=3.0)
    l1 = (np.full((2, 3), 4), np.zeros((2, 3), int))
    table = wear.ledger_wear({"weights": [l1]}, m, law,
                             programmed={"weights": 100.0}).set_index(["array", "layer"])
    per_pulse = 0.5e-6
    assert table.loc[("weights", "L1"), "reference"] == pytest.approx(200 * per_pulse)
    assert table.loc[("weights", "L1"), "max"] == pytest.approx((4 + 200) * per_pulse)
    assert table.loc[("weights", "L1"), "pulses_max"] == 4       # training pulses only
    assert table.loc[("references", "L1"), "max"] == pytest.approx(200 * per_pulse)


def test_bad_input_is_refused_by_name():
    with pytest.raises(ValueError, match="wear model must be one of"):
        wear_model("nope")
    with pytest.raises(ValueError, match="exponent"):
        Fatigue(1e6, 3.0, -1.0)
    with pytest.raises(ValueError, match="gamma_per_V"):
        Breakdown(1.0, 3.0, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        wear.device_life(np.zeros(3), np.zeros(4), 1e-9, 1e-9)
    with pytest.raises(ValueError, match="≥ 0"):
        wear.device_life(np.array([-1]), np.array([0]), 1e-9, 1e-9)
    with pytest.raises(ValueError, match="amplitude_set_V is unknown"):
        pulse_life(_Model(v_set=float("nan")), "fatigue-central")


def test_lifetime_scales_training_wear_to_the_target_and_keeps_the_programming():
    keys = {"scheme": "s", "width_s": 20e-9, "strategy": "sps", "seed": 0}
    wear_rows = pd.DataFrame([
        {**keys, "array": "weights", "layer": "all", "law": "f", "max": 1e-3, "p999": 5e-4,
         "reference": 1e-4},
        {**keys, "array": "all", "layer": "all", "law": "f", "max": 1e-3, "p999": 5e-4,
         "reference": np.nan}])
    summ = pd.DataFrame([{**keys, "reached": True, "pulses_to_target": 250.0,
                          "pulses_final": 1000.0, "total_to_target_J": 1e-6}])
    life = wear.lifetime(summ, wear_rows).iloc[0]
    # a quarter of the run's training wear, plus the whole programming
    assert life["max_per_training"] == pytest.approx(0.25 * 9e-4 + 1e-4)
    assert life["trainings"] == pytest.approx(1 / (0.25 * 9e-4 + 1e-4))
    assert life["trainings_run"] == pytest.approx(1e3)
    summ.loc[0, "reached"] = False
    assert math.isnan(wear.lifetime(summ, wear_rows).iloc[0]["trainings"])


def test_a_trained_runs_wear_matches_its_ledger(tmp_path):
    from fetrain.study.plan import device_models
    from fetrain.train import TrainConfig, train
    from fetrain.train.data import load_embedded

    model = device_models("iso-3.8", (20e-9,))[20e-9]
    mnist = load_embedded().subset(120)
    configs = [TrainConfig(model=model, lr=0.1, epochs=1, seed=0, reference="symmetry_point"),
               TrainConfig(model=model, lr=0.1, epochs=1, seed=0, algorithm="ttv2")]
    sps, tt = train(configs, mnist)
    table = wear.result_wear(sps).set_index(["array", "layer", "law"])
    a_up, a_down = pulse_life(model, "fatigue-central")
    up, down = sps.pulse_counts[2]
    settle = wear.programming_pulses(sps.config)["weights"]
    expect = (up * a_up + down * a_down).max() + settle * (a_up + a_down)
    assert table.loc[("weights", "L3", "fatigue-central"), "max"] == pytest.approx(expect)
    assert ("references", "L1", "fatigue-central") in table.index
    # a transfer rule's fast array wears too, from its own ledger
    assert set(tt.array_counts) == {"fast"}
    tt_table = wear.result_wear(tt).set_index(["array", "layer", "law"])
    fast_up, fast_down = tt.array_counts["fast"][0]
    assert tt_table.loc[("fast", "L1", "breakdown-central"), "pulses_max"] == \
        (fast_up + fast_down).max()
    assert int(tt.history.iloc[-1]["pulses_fast"]) == sum(
        int(u.sum() + d.sum()) for u, d in tt.array_counts["fast"])


def test_the_ledger_survives_the_run_cache(tmp_path):
    from fetrain.study.plan import device_models
    from fetrain.train import TrainConfig
    from fetrain.train.data import load_embedded
    from fetrain.train.store import train_cached

    model = device_models("iso-3.8", (20e-9,))[20e-9]
    mnist = load_embedded().subset(60)
    config = TrainConfig(model=model, lr=0.1, epochs=1, seed=1, algorithm="ttv2")
    first = train_cached([config], mnist, cache_dir=tmp_path)[0]
    again = train_cached([config], mnist, cache_dir=tmp_path)[0]
    for (u1, d1), (u2, d2) in zip(first.array_counts["fast"], again.array_counts["fast"]):
        np.testing.assert_array_equal(u1, u2)
        np.testing.assert_array_equal(d1, d2)


def test_the_aging_device_drifts_as_stated():
    from fetrain.study.plan import device_models

    model = device_models("iso-3.8", (20e-9,))[20e-9]
    drift = StepDrift(rate_per_decade=0.1, onset_cycles=1e3)
    assert drift.factor(10.0) == 1.0
    assert drift.factor(1e5) == pytest.approx(1.1 ** 2)
    assert aged(model, 10.0, drift) is model
    old = aged(model, 1e5, drift)
    ratio = np.asarray(old.step_up) / np.asarray(old.step_down)
    fresh = np.asarray(model.step_up) / np.asarray(model.step_down)
    floored = (np.asarray(old.step_up) <= model.min_step) | (np.asarray(old.step_down)
                                                             <= model.min_step)
    np.testing.assert_allclose(ratio[~floored], fresh[~floored] * 1.1 ** 2)
    assert len(old.device_models) == len(model.device_models)
    # up steps grow: alternating pulses settle higher
    assert symmetry_point_after(model, 1e5, drift) > symmetry_point_after(model, 0.0, drift) + 0.01
    down = replace(drift, rate_per_decade=-0.1)
    assert aged(model, 1e5, down).symmetry_point < model.symmetry_point
    with pytest.raises(ValueError, match="rate_per_decade"):
        StepDrift(rate_per_decade=0.9)


def test_recalibration_interval_reads_the_oldest_age_within_tolerance():
    table = pd.DataFrame([
        {"trainings": 0.0, "variant": "recalibrated", "val": 0.80},
        {"trainings": 1e3, "variant": "recalibrated", "val": 0.80},
        {"trainings": 1e3, "variant": "stale", "val": 0.79},
        {"trainings": 1e5, "variant": "recalibrated", "val": 0.80},
        {"trainings": 1e5, "variant": "stale", "val": 0.70},
        {"trainings": 1e7, "variant": "recalibrated", "val": 0.80},
        {"trainings": 1e7, "variant": "stale", "val": 0.79}])
    assert recalibration_interval(table, 0.02) == 1e3        # the first failure ends it
    assert recalibration_interval(table, 0.2) == 1e7
    with pytest.raises(ValueError, match="ascending"):
        AgingStudy(StepDrift(), (1e3, 0.0), 10.0)


def test_paired_losses_pair_each_seed_with_its_recalibrated_run():
    from types import SimpleNamespace

    from fetrain.study.recalibration import paired_losses

    def run(seed, val):
        return SimpleNamespace(config=SimpleNamespace(seed=seed),
                               final=pd.Series({"val_accuracy": val}))

    results = {(0.0, "recalibrated"): [run(0, 0.8), run(1, 0.7)],
               (1e3, "recalibrated"): [run(0, 0.8), run(1, 0.6)],
               (1e3, "stale"): [run(1, 0.5), run(0, 0.7)]}
    losses = paired_losses(results).set_index("seed")["loss"]
    assert losses[0] == pytest.approx(0.1) and losses[1] == pytest.approx(0.1)


def test_the_pricing_modules_decide_no_training_number():
    """The engine's fingerprint leaves the wear laws and the aging device out; that holds only
    while no module the engine runs imports them (an aged model enters a run's key through its
    own fingerprint)."""
    import re
    from pathlib import Path

    from fetrain.common.fingerprint import ENGINE_PARTS, PRICING_MODULES

    package = Path(__file__).resolve().parents[1] / "fetrain"
    names = {Path(m).stem for m in PRICING_MODULES}
    for part in ENGINE_PARTS:
        for path in (package / part).rglob("*.py"):
            if path.relative_to(package).as_posix() in PRICING_MODULES:
                continue
            text = path.read_text(encoding="utf-8")
            for name in names:
                assert not re.search(rf"(from|import) [.\w]*\b{name}\b", text), \
                    f"{path.name} imports {name}"
