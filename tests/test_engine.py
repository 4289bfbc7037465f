"""The training engine: the pulse ledger (hand-counted and in expectation), determinism,
independence of batched configurations, bad parameters, plain-data results."""

import numpy as np
import pandas as pd
import pytest

from fetrain.common.files import default_cache_dir
from fetrain.device.build import build_device_model
from fetrain.device.energy import ledger_energy, pulse_energy
from fetrain.device.loading import load_embedded
from fetrain.device.steps import N_NODES
from fetrain.study.pilot import (
    DEFAULT_EPOCHS,
    DEFAULT_LR,
    TARGET_ACCURACY,
    choose_from_pilot,
    load_pilot,
)
from fetrain.train import data as fdata
from fetrain.train import rules as algorithms
from fetrain.train.config import (
    LAYER_SIZES,
    RANDOM_STREAMS,
    TrainConfig,
    default_workers,
)
from fetrain.train.engine import Engine
from fetrain.train.hardware import digital_energy
from fetrain.train.loop import train
from fetrain.train.store import load_history, load_result, save_result, train_cached


@pytest.fixture(scope="module")
def model():
    return build_device_model(load_embedded().pulses, 20e-9, source="embedded")


def quiet(model, **kw):
    """A configuration with the device's table but no noise and no device-to-device variation."""
    return TrainConfig(model=model, lr=kw.pop("lr", 0.1), epochs=1, cycle_noise=False,
                              device_variation=False, **kw)


def test_ledger_by_hand(model):
    # one layer of 3 inputs and 2 outputs; x ∈ {0, 1}, d ∈ {−1, 0, +1} and lr = 3·dw_min give
    # k = 3, BL = 3 and every bit probability 1: each device with x_j ≠ 0 and d_i ≠ 0 gets exactly
    # 3 pulses, up where d_i < 0 (x·d < 0), down where d_i > 0.
    cfg = quiet(model, lr=3 * model.dw_min)
    eng = Engine([cfg], sizes=(3, 2))
    layer = eng.layers[0]
    w0 = np.array(layer.w[0])
    x = np.array([[1.0, 0.0, 1.0]])
    d = np.array([[-1.0, 1.0]])
    eng.pulse_update(0, x, d)
    up = layer.ledger.up[0]
    down = layer.ledger.down[0]
    np.testing.assert_array_equal(up, [[3, 0, 3], [0, 0, 0]])
    np.testing.assert_array_equal(down, [[0, 0, 0], [3, 0, 3]])
    totals = layer.ledger.totals(0)
    assert (totals["n_up"], totals["n_down"]) == (6.0, 6.0)
    # weights and ledger sums against the device model applying the same pulses by hand
    expected_w = w0.copy()
    sum_w_up = sum_w_down = moved_up = moved_down = 0.0
    for (i, j), sign in (((0, 0), 1), ((0, 2), 1), ((1, 0), -1), ((1, 2), -1)):
        traj = model.apply_pulses(np.float32(w0[i, j]), [sign] * 3)
        expected_w[i, j] = traj[-1]
        if sign > 0:
            sum_w_up += traj[:-1].astype(float).sum()
            moved_up += np.abs(np.diff(traj.astype(float))).sum()
        else:
            sum_w_down += traj[:-1].astype(float).sum()
            moved_down += np.abs(np.diff(traj.astype(float))).sum()
    np.testing.assert_allclose(layer.w[0], expected_w, rtol=0, atol=1e-6)
    assert totals["w_up"] == pytest.approx(sum_w_up, abs=1e-5)
    assert totals["w_down"] == pytest.approx(sum_w_down, abs=1e-5)
    assert totals["dw_up"] == pytest.approx(moved_up, abs=1e-5)
    assert totals["dw_down"] == pytest.approx(moved_down, abs=1e-5)
    # and the joules: 6 set and 6 reset pulses at the model's energy per pulse, state by state
    e = ledger_energy(model, **totals)
    by_pulse = 0.0
    for (i, j), sign in (((0, 0), 1), ((0, 2), 1), ((1, 0), -1), ((1, 2), -1)):
        traj = model.apply_pulses(np.float32(w0[i, j]), [sign] * 3).astype(float)
        for a, b in zip(traj[:-1], traj[1:]):
            v = model.amplitude_set_V if sign > 0 else model.amplitude_reset_V
            by_pulse += float(pulse_energy(v, model.width_s, model.conductance(a),
                                                  abs(b - a) / 2, model.stack).complete_J)
    assert e["complete"] == pytest.approx(by_pulse, rel=1e-9)


def test_pulses_that_meet_a_bound_still_count(model):
    cfg = quiet(model, lr=3 * model.dw_min)
    eng = Engine([cfg], sizes=(1, 1))
    eng.layers[0].w[0] = 1.0                        # at the upper bound
    eng.pulse_update(0, [[1.0]], [[-1.0]])          # 3 up pulses
    assert int(eng.layers[0].ledger.up[0, 0, 0]) == 3
    assert float(eng.layers[0].w[0, 0, 0]) == 1.0
    assert eng.layers[0].ledger.totals(0)["dw_up"] == 0.0


def test_mean_pulse_count_matches_aihwkit_expectation(model):
    # unclipped (k ≤ 31), the expected number of pulses on (i, j) is lr·|x_j|·|d_i| / dw_min
    lr = 0.1
    cfg = quiet(model, lr=lr)
    eng = Engine([cfg], sizes=(5, 4))
    x = np.array([[1.0, 0.6, 0.3, 0.1, 0.0]])
    d = np.array([[0.8, -0.4, 0.2, -0.05]])
    k = lr * 1.0 * 0.8 / model.dw_min
    assert k < 31
    reps = 4000
    for _ in range(reps):
        eng.pulse_update(0, x, d)
    led = eng.layers[0].ledger
    counts = (led.up[0] + led.down[0]) / reps
    expected = lr * np.outer(np.abs(d[0]), x[0]) / model.dw_min
    # binomial standard error of a mean count over `reps` samples (BL = ceil(k) slots)
    bl = np.ceil(k)
    p = np.clip(expected / bl, 0, 1)
    se = np.sqrt(bl * p * (1 - p) / reps) + 1e-12
    assert np.all(np.abs(counts - expected) < 5 * se + 1e-9), (counts, expected)
    # directions: up where d < 0
    assert led.up[0][1].sum() > 0 and led.up[0][0].sum() == 0


def test_clipped_regime_matches_aihwkit(model):
    # k > 31: AIHWKit 1.1.0 fires at most 31 pulses; the d scale is reduced by 31/k, so the largest
    # |d| saturates and the x-probabilities keep their ratios (measured on AIHWKit in the docs).
    lr = 1.0
    cfg = quiet(model, lr=lr)
    eng = Engine([cfg], sizes=(2, 2))
    x = np.array([[1.0, 0.5]])
    d = np.array([[1.0, 0.1]])
    k = lr / model.dw_min
    assert k > 31
    reps = 2000
    for _ in range(reps):
        eng.pulse_update(0, x, d)
    led = eng.layers[0].ledger
    counts = (led.up[0] + led.down[0]) / reps
    pd = np.minimum(1.0, (k / 31) * np.array([1.0, 0.1]))
    px = np.minimum(1.0, np.array([1.0, 0.5]))
    expected = 31 * np.outer(pd, px)
    np.testing.assert_allclose(counts, expected, rtol=0.05)


def small_data(n=60):
    full = fdata.load_embedded()
    cut = lambda s: fdata.Split(s.x[:n], s.y[:n])  # noqa: E731
    return fdata.MNIST("embedded", cut(full.train), cut(full.validation), cut(full.test))


@pytest.mark.parametrize("kwargs", [{}, {"reference": "symmetry_point"},
                                    {"algorithm": "mixed_precision"}],
                         ids=["plain", "symmetry_point_shifting", "mixed_precision"])
def test_same_seed_same_weights_and_ledger(model, kwargs):
    data = small_data()
    cfg = TrainConfig(model=model, lr=0.1, epochs=1, seed=3, evaluations_per_epoch=1, **kwargs)
    a = train([cfg], data)[0]
    b = train([cfg], data)[0]
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    for (ua, da), (ub, db) in zip(a.pulse_counts, b.pulse_counts):
        np.testing.assert_array_equal(ua, ub)
        np.testing.assert_array_equal(da, db)
    assert a.history.equals(b.history)
    c = train([TrainConfig(model=model, lr=0.1, epochs=1, seed=4,
                                           evaluations_per_epoch=1, **kwargs)], data)[0]
    assert not np.array_equal(a.weights[0], c.weights[0])


def assert_same_devices(a, b):
    """Two results with bit-identical final device states and per-device pulse counts."""
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    for (ua, da), (ub, db) in zip(a.pulse_counts, b.pulse_counts):
        np.testing.assert_array_equal(ua, ub)
        np.testing.assert_array_equal(da, db)


def test_configuration_alone_and_in_a_batch_are_identical(model):
    data = small_data()
    target = TrainConfig(model=model, lr=0.1, epochs=1, seed=11, evaluations_per_epoch=1)
    neighbours = [TrainConfig(model=model, lr=0.3, epochs=1, seed=12, evaluations_per_epoch=1),
                  TrainConfig(model=None, lr=0.1, epochs=1, seed=13, evaluations_per_epoch=1),
                  TrainConfig(model=model, lr=0.05, epochs=1, seed=14, reference="symmetry_point",
                                     evaluations_per_epoch=1)]
    neighbours.append(TrainConfig(model=model, lr=0.1, epochs=1, seed=15,
                                         algorithm="mixed_precision", evaluations_per_epoch=1))
    alone = train([target], data)[0]
    batch = train([neighbours[0], target] + neighbours[1:], data)[1]
    # and a mixed-precision configuration, alone and beside the others
    mp_target = neighbours[-1]
    mp_alone = train([mp_target], data)[0]
    mp_batch = train(neighbours, data)[-1]
    for wa, wb in zip(mp_alone.weights, mp_batch.weights):
        np.testing.assert_array_equal(wa, wb)
    assert mp_alone.history.equals(mp_batch.history)
    assert_same_devices(alone, batch)
    cols = [c for c in alone.history.columns]
    pd_equal = alone.history[cols].reset_index(drop=True).equals(batch.history[cols].reset_index(drop=True))
    assert pd_equal


def test_float_baseline_takes_exact_sgd_steps():
    cfg = TrainConfig(model=None, lr=0.5, epochs=1, seed=0)
    eng = Engine([cfg], sizes=(3, 2))
    w0 = np.array(eng.layers[0].w[0])
    x = np.array([[1.0, 0.5, 0.0]])
    d = np.array([[0.2, -0.4]])
    eng.pulse_update(0, x, d)
    np.testing.assert_allclose(eng.layers[0].w[0], w0 - 0.5 * np.outer(d[0], x[0]), atol=1e-7)
    assert int(eng.layers[0].ledger.up.sum() + eng.layers[0].ledger.down.sum()) == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0.0), "lr"), (dict(lr=-0.1), "lr"), (dict(lr=float("nan")), "lr"),
    (dict(epochs=0), "epochs"), (dict(reference="middle"), "reference must be one of"),
    (dict(evaluations_per_epoch=0), "evaluations_per_epoch"),
])
def test_bad_parameters_fail_at_once(model, kwargs, message):
    args = dict(model=model, lr=0.1, epochs=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        TrainConfig(**args)


def test_results_are_plain_files(model, tmp_path):
    data = small_data(30)
    result = train([TrainConfig(model=model, lr=0.1, epochs=1, seed=1,
                                                evaluations_per_epoch=1)], data)[0]
    folder = save_result(result, tmp_path / "run")
    history, meta = load_history(folder)
    assert meta["config"]["seed"] == 1 and meta["config"]["device"] == "2e-08 s"
    np.testing.assert_allclose(history["pulses"], result.history["pulses"])
    from safetensors.numpy import load_file
    arrays = load_file(str(folder / "arrays.safetensors"))
    np.testing.assert_array_equal(arrays["w_L1"], result.weights[0])
    assert {p.suffix for p in folder.iterdir()} == {".csv", ".json", ".safetensors"}


def test_book_hyperparameters_follow_from_the_pilot():
    pilot, meta = load_pilot()
    choice = choose_from_pilot(pilot)
    assert choice["lr"] == DEFAULT_LR
    assert choice["epochs"] == DEFAULT_EPOCHS
    assert choice["target_accuracy"] == TARGET_ACCURACY["embedded"]
    assert "embedded 5,000-digit" in meta["data_set"]
    # the choice used the validation split only: changing test accuracies changes nothing
    shuffled = pilot.assign(test_accuracy=pilot["test_accuracy"].sample(frac=1, random_state=0).to_numpy())
    assert choose_from_pilot(shuffled)["lr"] == choice["lr"]


def test_interrupted_run_resumes_to_the_same_result(model, tmp_path):
    """A run stopped after its first epoch and resumed from its checkpoint gives exactly the
    result of the uninterrupted run."""
    data = small_data(40)
    make = lambda epochs: [TrainConfig(model=model, lr=0.1, epochs=epochs, seed=s,  # noqa: E731
                                              evaluations_per_epoch=1) for s in (21, 22)]
    straight = train(make(3), data)
    train(make(1), data, checkpoint_dir=tmp_path)        # "killed" after epoch 1
    resumed = train(make(3), data, checkpoint_dir=tmp_path)
    for a, b in zip(straight, resumed):
        for wa, wb in zip(a.weights, b.weights):
            np.testing.assert_array_equal(wa, wb)
        for (ua, da), (ub, db) in zip(a.pulse_counts, b.pulse_counts):
            np.testing.assert_array_equal(ua, ub)
            np.testing.assert_array_equal(da, db)
        pd.testing.assert_frame_equal(a.history, b.history)
    # the whole state is one file: state and history can never come from different epochs
    assert {p.name for p in tmp_path.iterdir()} == {"checkpoint.safetensors"}
    # a checkpoint of other configurations is refused, not overwritten
    other = [TrainConfig(model=model, lr=0.2, epochs=3, seed=21, evaluations_per_epoch=1)]
    with pytest.raises(ValueError, match="other configurations"):
        train(other, data, checkpoint_dir=tmp_path)


def test_mixed_precision_ledger_by_hand(model):
    """χ += lr·d⊗x every sample; from the second sample on, n = trunc(χ/ε) pulses, χ −= n·ε.
    The ledger and the digital counters against the rule applied by hand."""
    cfg = TrainConfig(model=model, lr=1.0, epochs=1, algorithm="mixed_precision",
                             cycle_noise=False, device_variation=False)
    eng = Engine([cfg], sizes=(2, 1))
    eps = np.float32(model.dw_min)
    x = np.array([1.0, 0.5], dtype=np.float32)
    d = np.float32(-0.75) * eps
    chi = np.zeros(2, dtype=np.float32)
    ups = np.zeros(2, dtype=int)
    for sample in range(7):
        eng.pulse_update(0, x[None, :], [[d]])
        eng.samples_seen += 1
        chi += d * x
        if sample > 0:
            n = np.trunc(chi / eps)
            chi -= n * eps
            ups += np.abs(n).astype(int) * (n < 0)
    led = eng.layers[0].ledger
    np.testing.assert_array_equal(led.up[0, 0], ups)
    assert int(led.down.sum()) == 0
    np.testing.assert_allclose(eng.layers[0].chi[0, 0], chi, atol=1e-7)
    counters = eng.snapshot(0)["counters"]
    assert counters["chi_updates"] == 7 * 2 and counters["chi_scans"] == 6 * 2
    assert counters["chi_updates_nonzero_x"] == 7 * 2          # both inputs non-zero
    # each transfer pulse addresses its device alone: one input and one error line pulse, which
    # charge the 1 + 2 devices on them
    assert counters["line_pulses"] == 2 * int(ups.sum())
    assert counters["line_cell_charges"] == 3 * int(ups.sum())


def test_pulse_trains_count_their_line_pulses(model):
    """Every device pulse is the coincidence of a pulse on its input line (which holds n_out
    devices) and one on its error line (n_in devices); line pulses count each fired slot once,
    shared by the coincidences in it."""
    cfg = TrainConfig(model=model, lr=1.0, epochs=1, cycle_noise=False,
                             device_variation=False)
    eng = Engine([cfg], sizes=(3, 2))                 # n_in 3, n_out 2
    x = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)        # one input line can fire
    d = np.array([[5.0, -5.0]], dtype=np.float32) * np.float32(model.dw_min)
    for _ in range(20):
        eng.pulse_update(0, x, d)
    c = eng.snapshot(0)["counters"]
    pulses = int(eng.layers[0].ledger.up.sum() + eng.layers[0].ledger.down.sum())
    # input-line pulses a and error-line pulses b: line_pulses = a + b, charges = 2a + 3b
    b = c["line_cell_charges"] - 2 * c["line_pulses"]
    a = c["line_pulses"] - b
    assert pulses > 0 and a > 0
    assert pulses <= b                        # each error-line slot meets at most one input pulse
    assert pulses <= 2 * a                    # each input slot meets at most the two error lines


def test_references(model):
    base = dict(model=model, lr=0.1, epochs=1, cycle_noise=False)
    sizes = (400, 5)       # fan-in 400: initial weights within ±0.05, away from the device bounds
    per_device = Engine([TrainConfig(reference="symmetry_point", **base)], sizes=sizes)
    shared = Engine([TrainConfig(reference="global_symmetry_point", **base)], sizes=sizes)
    offset = Engine([TrainConfig(reference="global_symmetry_point",
                                               reference_offset=-0.2, **base)], sizes=sizes)
    ref_dev = per_device.layers[0].ref[0]
    assert ref_dev.std() > 0.01                       # devices vary: their symmetry points differ
    np.testing.assert_allclose(shared.layers[0].ref[0], model.symmetry_point, atol=1e-6)
    np.testing.assert_allclose(offset.layers[0].ref[0], model.symmetry_point - 0.2, atol=1e-6)
    # initial weights are drawn around the reference: the effective weights are the same
    np.testing.assert_allclose(per_device.layers[0].effective()[0],
                               shared.layers[0].effective()[0], atol=1e-6)
    # each device's reference is where its own up and down steps balance
    layer = per_device.layers[0]
    lo, hi = np.asarray(layer.lo[0]), np.asarray(layer.hi[0])
    table = lambda v: np.interp((ref_dev - lo) / (hi - lo) * (N_NODES - 1),  # noqa: E731
                                np.arange(N_NODES), v)
    up = np.asarray(layer.scale_up[0]) * table(model.piecewise_up)
    down = np.asarray(layer.scale_down[0]) * table(model.piecewise_down)
    np.testing.assert_allclose(up, down, rtol=1e-4)


def test_drift_translates_the_step_table(model):
    cfg = TrainConfig(model=model, lr=3 * model.dw_min, epochs=1, drift_per_epoch=0.3,
                             cycle_noise=False, device_variation=False)
    eng = Engine([cfg], sizes=(1, 1), samples_per_epoch=100)
    eng.samples_seen = 50                            # half an epoch: the table moved by +0.15
    eng.layers[0].w[0] = 0.2
    eng.pulse_update(0, [[1.0]], [[-1.0]])           # 3 up pulses
    expected = 0.2
    for _ in range(3):
        expected += float(model.step_up_at(np.float32(expected - 0.15)))
    assert float(eng.layers[0].w[0, 0, 0]) == pytest.approx(expected, abs=1e-6)


def test_train_cached_reads_back_the_same_result(model, tmp_path):
    data = small_data(30)
    cfgs = [TrainConfig(model=model, lr=0.1, epochs=1, seed=s, evaluations_per_epoch=1)
            for s in (31, 32)]
    first = train_cached(cfgs, data, cache_dir=tmp_path)
    again = train_cached(cfgs, data, cache_dir=tmp_path)      # read back, not trained
    for a, b in zip(first, again):
        pd.testing.assert_frame_equal(a.history, b.history, check_dtype=False)
        for wa, wb in zip(a.weights, b.weights):
            np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(a.symmetry_points[2], b.symmetry_points[2])
    assert len(list(tmp_path.rglob("arrays.safetensors"))) == 2
    with pytest.raises(ValueError, match="another configuration"):
        load_result(next(tmp_path.rglob("arrays.safetensors")).parent,
                             TrainConfig(model=model, lr=0.3, epochs=1))


def test_cache_tells_devices_apart(model, tmp_path):
    """A device edited in place of another (same width and source label, other noise or table) is
    not served the other's cached run, nor does its configuration match the other's results."""
    import json
    from dataclasses import replace

    quieter = replace(model, noise=replace(model.noise, dw_min_std=model.noise.dw_min_std / 2))
    steeper = replace(model, step_down=model.step_down * 1.1)
    assert len({model.fingerprint(), quieter.fingerprint(), steeper.fingerprint()}) == 3
    rebuilt = build_device_model(load_embedded().pulses, 20e-9, source="embedded")
    assert rebuilt.fingerprint() == model.fingerprint()                  # stable across builds
    data = small_data(30)
    make = lambda m: TrainConfig(model=m, lr=0.1, epochs=1, seed=33,   # noqa: E731
                                        evaluations_per_epoch=1)
    first = train_cached([make(model)], data, cache_dir=tmp_path)[0]
    other = train_cached([make(steeper)], data, cache_dir=tmp_path)[0]
    assert len(list(tmp_path.rglob("arrays.safetensors"))) == 2          # trained, not read back
    assert not np.array_equal(first.weights[0], other.weights[0])
    folder = next(f.parent for f in tmp_path.rglob("config.json")
                  if json.loads(f.read_text())["config"] == first.config.describe())
    with pytest.raises(ValueError, match="another configuration"):
        load_result(folder, make(quieter))


def test_history_carries_the_digital_energy(model):
    data = small_data(30)
    cfgs = [TrainConfig(model=model, lr=0.1, epochs=1, seed=7, evaluations_per_epoch=1, **kw)
            for kw in ({}, {"algorithm": "mixed_precision"})]
    sgd, mp = (r.history.iloc[-1] for r in train(cfgs, data))
    assert sgd["energy_digital_J"] == 0.0
    # 30 samples: χ of every synapse updated at each, scanned from the second on
    n = sum(a * b for a, b in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]))
    assert (mp["chi_updates"], mp["chi_scans"]) == (30 * n, 29 * n)
    assert mp["energy_digital_J"] == pytest.approx(
        digital_energy(mp["chi_updates"], mp["chi_scans"], mp["chi_rewrites"]))


def test_threads_give_the_same_results(model, monkeypatch):
    """Configurations spread over two threads train exactly as on one."""
    data = small_data(40)
    cfgs = [TrainConfig(model=model, lr=0.1, epochs=1, seed=s, evaluations_per_epoch=1, **kw)
            for s, kw in ((41, {}), (42, {"algorithm": "mixed_precision"}),
                          (43, {"reference": "symmetry_point"}))]
    cfgs.append(TrainConfig(model=None, lr=0.1, epochs=1, seed=44, evaluations_per_epoch=1))
    one = train(cfgs, data, workers=1)
    two = train(cfgs, data, workers=2)
    for a, b, cfg in zip(one, two, cfgs):
        assert b.config is cfg
        assert a.history.equals(b.history)
        assert_same_devices(a, b)
    with pytest.raises(ValueError, match="workers"):
        train(cfgs, data, workers=0)
    with pytest.raises(ValueError, match="evaluations_per_epoch"):
        train([cfgs[0], TrainConfig(model=model, lr=0.1, epochs=1)], data)
    monkeypatch.setenv("FETRAIN_WORKERS", "two")
    with pytest.raises(ValueError, match="FETRAIN_WORKERS"):
        default_workers()


def test_tests_train_in_their_own_run_cache(run_cache):
    """The session's run cache is a fresh folder, not the user's: the tests train for real."""
    from pathlib import Path

    assert default_cache_dir().parent == Path(run_cache)
    assert Path.home() not in Path(run_cache).parents


@pytest.mark.parametrize("kwargs, message", [
    (dict(algorithm="tiki_taka"), "algorithm must be one of"),
    (dict(algorithm=algorithms.PulseTrains(desired_bl=31), drift_per_epoch=0.1), "samples_per_epoch"),
])
def test_engine_refuses_what_it_cannot_run(model, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Engine([TrainConfig(model=model, lr=0.1, epochs=1, **kwargs)])


@pytest.mark.parametrize("make, message", [
    (lambda: algorithms.PulseTrains(desired_bl=0), "desired_bl"),
    (lambda: algorithms.MixedPrecision(threshold=0.0), "threshold"),
    (lambda: algorithms.MixedPrecision(transfer_every=0), "transfer_every"),
    (lambda: algorithms.MixedPrecision(max_pulses=0), "max_pulses"),
])
def test_rule_parameters_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rules_are_registered_units(model):
    """Each rule is one registered unit: a name gives its defaults, its parameters describe it, and
    every rule's counters are columns of every history."""
    for name, rule in algorithms.RULES.items():
        cfg = TrainConfig(model=model, lr=0.1, epochs=1, algorithm=name)
        assert isinstance(cfg.algorithm, rule) and cfg.describe()["algorithm"] == name
    mp = TrainConfig(model=model, lr=0.1, epochs=1,
                            algorithm=algorithms.MixedPrecision(threshold=2.0))
    assert mp.describe()["mp_threshold"] == 2.0
    for rule in algorithms.BUILT_IN:
        assert set(rule.counters) <= set(algorithms.COUNTER_COLUMNS)
        assert rule.name in algorithms.RULES and rule.label and rule.style


def test_random_streams_are_part_of_every_key(model):
    """A change to how numbers are drawn changes every run-cache key and checkpoint signature."""
    cfg = TrainConfig(model=model, lr=0.1, epochs=1)
    assert cfg.describe()["random_streams"] == RANDOM_STREAMS


def test_same_numbers_in_another_process(model):
    """A configuration trained in a fresh process gives exactly the numbers it gives here."""
    import json
    import subprocess
    import sys

    data = small_data(30)
    cfg = TrainConfig(model=model, lr=0.1, epochs=1, seed=51, evaluations_per_epoch=1)
    here = train([cfg], data, workers=1)[0]
    script = (
        "import json\nfrom fetrain.train import data as fdata\n"
        "from fetrain.device.build import build_device_model\n"
        "from fetrain.device.loading import load_embedded\n"
        "from fetrain.train.config import TrainConfig\nfrom fetrain.train.loop import train\n"
        "m = build_device_model(load_embedded().pulses, 20e-9, source='embedded')\n"
        "full = fdata.load_embedded(); cut = lambda s: fdata.Split(s.x[:30], s.y[:30])\n"
        "d = fdata.MNIST('embedded', cut(full.train), cut(full.validation), cut(full.test))\n"
        "r = train([TrainConfig(model=m, lr=0.1, epochs=1, seed=51, "
        "evaluations_per_epoch=1)], d)[0]\n"
        "print(json.dumps({'w': r.weights[2].ravel().tolist(), 'pulses': float(r.final['pulses'])}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    there = json.loads(out.stdout.strip().splitlines()[-1])
    np.testing.assert_array_equal(np.float32(there["w"]), here.weights[2].ravel())
    assert there["pulses"] == here.final["pulses"]
