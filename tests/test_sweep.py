"""The main experiment (fetrain.study.sweep, ``fetrain reproduce``) and its analysis
(fetrain.study.tradeoff): resumable, reproducible, the same here and on a Dask cluster."""

import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from fetrain.book.sweep_figures import save_figures
from fetrain.device.stack import PULSE_WIDTHS_S
from fetrain.device.wear import WEAR_MODELS
from fetrain.study import tradeoff
from fetrain.study.plan import SweepPlan, device_models
from fetrain.study.sweep import (
    ENERGY_CURVES_FILE,
    LIFETIME_FILE,
    MAP_FILE,
    PLAN_FILE,
    SUMMARY_FILE,
    WEAR_FILE,
    PlanMismatch,
    load_histories,
    load_wear,
    run_sweep,
)
from fetrain.train.hardware import (
    DIGITAL_MODELS,
    CircuitCosts,
    digital_energy,
    line_energy,
)

# a small plan: two widths, two strategies, one seed, one epoch on 60 digits
SMALL = dict(scale="quick", widths_s=(20e-9, 200e-9), strategies=("sps", "mp"),
             schemes=("iso-3.8",), seeds=(0,), map_seeds=(0,), epochs=1, n_train=60,
             evaluations_per_epoch=2)


def small_plan(**changes):
    return SweepPlan(**{**SMALL, **changes})


def histories_of(folder) -> pd.DataFrame:
    h, _ = load_histories(folder)
    return h.sort_values(tradeoff.RUN_KEYS + ["samples"]).reset_index(drop=True)


def test_plan_runs_and_names():
    plan = small_plan(schemes=("iso-3.8", "ladder"), seeds=(0, 1), map_seeds=(5,))
    runs = plan.runs()
    assert len(runs) == 2 * 2 * 2 + 2 * 2               # main: 2 seeds; map: 1 seed
    assert runs[0].key == "iso-3.8_20ns_sps_s0"
    assert {r.seed for r in runs if r.scheme == "ladder"} == {5}
    book = SweepPlan.for_scale("book")
    assert book.widths_s == PULSE_WIDTHS_S and book.lr == 0.1


@pytest.mark.parametrize("change, name", [
    ({"widths_s": (30e-9,)}, "widths_s"), ({"strategies": ("adam",)}, "strategies"),
    ({"schemes": ("iso-9",)}, "schemes"), ({"seeds": (-1,)}, "seeds"), ({"epochs": 0}, "epochs"),
    ({"target": 70.0}, "target"), ({"scale": "huge"}, "scale")])
def test_bad_plans_name_the_parameter(change, name):
    with pytest.raises(ValueError, match=name):
        small_plan(**change)


def test_schemes_change_only_the_widths_they_reprogram():
    """A width whose amplitudes a scheme leaves alone keeps the embedded data set's model; the
    cap moved to 4.2 V re-measures only 20 ns, which then has large, nearly symmetric steps."""
    base = device_models("iso-3.8")
    high = device_models("iso-4.2")
    assert high[200e-9].fingerprint() == base[200e-9].fingerprint()
    assert high[20e-9].fingerprint() != base[20e-9].fingerprint()
    assert high[20e-9].amplitude_set_V == pytest.approx(3.9)
    assert high[20e-9].dw_min > 1.5 * base[20e-9].dw_min
    assert abs(high[20e-9].symmetry_point) < 0.2 < base[20e-9].symmetry_point


def test_sweep_writes_results_and_resumes_without_training(tmp_path):
    plan = small_plan(schemes=("iso-3.8", "iso-4.2"))
    report = run_sweep(plan, tmp_path / "a")
    # the 4.2 V cap re-measures only 20 ns: its 200 ns runs are the main scheme's, trained once
    assert (report["written"], report["trained"], report["reused"]) == (8, 6, 0)
    for name in (PLAN_FILE, SUMMARY_FILE, MAP_FILE, ENERGY_CURVES_FILE):
        assert (tmp_path / "a" / name).is_file(), name
    record = json.loads((tmp_path / "a" / PLAN_FILE).read_text())
    assert record["data_set"] and record["engine"] and record["plan"]["n_train"] == 60
    histories, record = load_histories(tmp_path / "a", plan)
    written = save_figures(histories, plan, tmp_path / "a", record)
    assert tmp_path / "a" / "figures" / "map.png" in written.values()
    for name in ("figures/map.png", "figures/map.svg", "figures/breakdown.png"):
        assert (tmp_path / "a" / name).is_file(), name
    h = histories_of(tmp_path / "a")
    for col in ("analog_study_J", "analog_complete_J", "line_charging_J", "half_select_J",
                "digital_fp32-dense_J", "digital_int16-sparse-fused_J", "references_J"):
        assert (h[col] >= 0).all(), col
    shared = [h[(h.scheme == k) & (h.width_s == 200e-9)].drop(columns="scheme").reset_index(drop=True)
              for k in ("iso-3.8", "iso-4.2")]
    pd.testing.assert_frame_equal(*shared)
    sps, mp = h[h.strategy == "sps"], h[h.strategy == "mp"]
    assert (sps["references_J"] > 0).all() and (mp["references_J"] == 0).all()
    assert (mp["digital_fp32-dense_J"].iloc[-1] > mp["digital_int16-sparse-fused_J"].iloc[-1] > 0)
    assert (sps["digital_fp32-dense_J"] == 0).all()
    # every run's wear, under every law, and trainings per lifetime per run and law
    wear = load_wear(tmp_path / "a", plan)
    assert wear.groupby(["scheme", "width_s", "strategy", "seed"]).law.nunique().eq(
        len(WEAR_MODELS)).all() and len(wear.groupby(["scheme", "width_s", "strategy",
                                                      "seed"])) == 8
    chip = wear[(wear.array == "all") & (wear.layer == "all")]
    assert (chip["max"] >= chip["p999"]).all() and (chip["p999"] >= 0).all()
    sps_refs = wear[(wear.strategy == "sps") & (wear.array == "references")]
    assert len(sps_refs) and (sps_refs["max"] > 0).all()
    assert not len(wear[(wear.strategy == "sgd") & (wear.array == "references")])
    life = pd.read_csv(tmp_path / "a" / LIFETIME_FILE)
    assert len(life) == 8 * len(WEAR_MODELS)
    assert (life["trainings_run"] > 0).all()
    assert (tmp_path / "a" / WEAR_FILE).is_file()
    again = run_sweep(plan, tmp_path / "a")
    assert again["trained"] == 0 and again["reused"] == 8
    # a changed plan (another learning rate) is refused in that folder, naming what differs …
    with pytest.raises(PlanMismatch, match="lr: 0.1 → 0.05"):
        run_sweep(small_plan(lr=0.05, strategies=("sps",)), tmp_path / "a")
    # … and trains afresh when the reader asks to replace the sweep
    replaced = run_sweep(small_plan(lr=0.05, strategies=("sps",)), tmp_path / "a", replace=True)
    assert (replaced["trained"], replaced["reused"]) == (2, 0)


def test_dask_cluster_gives_the_same_numbers(tmp_path):
    """The runs sent to a local Dask cluster of two worker processes give exactly the numbers
    of the runs trained here."""
    distributed = pytest.importorskip("dask.distributed")
    plan = small_plan()
    run_sweep(plan, tmp_path / "here")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        report = run_sweep(plan, tmp_path / "dask", executor=client.get_executor())
    assert report["trained"] == 4
    pd.testing.assert_frame_equal(histories_of(tmp_path / "dask"), histories_of(tmp_path / "here"))


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "fetrain", *args], capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("args, needle", [
    (["--widths", "30"], "20, 200, 2000, 20000, 200000"),
    (["--algorithms", "sgd,adam"], "sgd, sps, sps-global, mp"),
    (["--schemes", "iso-9"], "iso-3.8"),
    (["--scale", "huge"], "quick"),
    (["--seeds", "a"], "integers"),
    (["--epochs", "0"], "epochs"),
])
def test_cli_rejects_bad_arguments_at_once(args, needle, tmp_path):
    res = run_cli("reproduce", "--out", str(tmp_path / "x"), *args)
    assert res.returncode == 2 and needle in res.stderr and "Traceback" not in res.stderr


def test_cli_checks_the_output_folder_first(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    start = time.time()
    res = run_cli("reproduce", "--scale", "quick", "--out", str(blocker / "sub"))
    assert res.returncode == 2 and "not writable" in res.stderr and "Traceback" not in res.stderr
    assert time.time() - start < 60


def test_cli_help_lists_commands_and_options():
    assert "reproduce" in run_cli("--help").stdout
    text = run_cli("reproduce", "--help").stdout
    for option in ("--scale", "--out", "--widths", "--algorithms", "--seeds", "--schemes",
                   "--scheduler"):
        assert option in text


# ---- analysis on hand-made histories ------------------------------------------------------------

def toy_histories():
    """Two widths, one strategy, two seeds; accuracies and energies chosen by hand."""
    rows = []
    acc = {20e-9: [0.1, 0.5, 0.72, 0.8], 200e-9: [0.1, 0.71, 0.72, 0.75]}
    per_eval = {20e-9: 1e-6, 200e-9: 3e-6}
    for t in acc:
        for seed in (0, 1):
            for k, a in enumerate(acc[t]):
                e = per_eval[t] * k
                rows.append({"scheme": "iso-3.8", "width_s": t, "strategy": "sps", "seed": seed,
                             "epoch": k / 2, "samples": 100 * k, "val_accuracy": a + 0.001 * seed,
                             "test_accuracy": a + 0.002 * seed,
                             "pulses": 1000 * k, "analog_study_J": 0.8 * e,
                             "analog_complete_J": e, "line_charging_J": 0.0, "half_select_J": 0.0,
                             "digital_fp32-dense_J": 0.0, "digital_int16-sparse-fused_J": 0.0,
                             "references_J": 0.0})
    return pd.DataFrame(rows)


def test_energy_to_target_is_read_at_the_first_evaluation_that_reaches_it():
    s = tradeoff.summary(toy_histories(), 0.70)
    r20 = s[(s.width_s == 20e-9) & (s.seed == 0)].iloc[0]
    r200 = s[(s.width_s == 200e-9) & (s.seed == 0)].iloc[0]
    assert r20["reached"] and r20["epochs_to_target"] == 1.0 and r20["total_to_target_J"] == 2e-6
    assert r200["epochs_to_target"] == 0.5 and r200["total_to_target_J"] == pytest.approx(3e-6)
    assert r200["pulses_to_target"] == 1000 and r20["pulses_to_target"] == 2000
    none = tradeoff.summary(toy_histories(), 0.85)
    assert not none["reached"].any() and none["total_to_target_J"].isna().all()


def test_map_counts_the_fixed_cost_per_pulse():
    """At 0.70 the 20 ns runs need 2 µJ and 2,000 pulses, the 200 ns runs 3 µJ and 1,000
    pulses: 20 ns wins without a fixed cost and loses once a pulse costs more than 1 nJ."""
    win = tradeoff.win_map(toy_histories(), 0.70, fixed_costs_J=(0.0, 0.5e-9, 2e-9),
                           digital_models=("fp32-dense",))
    win = win.set_index("fixed_per_pulse_J")
    assert win.loc[0.0, "winner_width_s"] == 20e-9 and win.loc[0.0, "shortest_over_winner"] == 1
    assert win.loc[0.5e-9, "winner_width_s"] == 20e-9       # 2 + 1 = 3 µJ against 3 + 0.5
    assert win.loc[2e-9, "winner_width_s"] == 200e-9        # 2 + 4 = 6 µJ against 3 + 2
    assert win.loc[2e-9, "shortest_over_winner"] == pytest.approx(6 / 5)
    nobody = tradeoff.win_map(toy_histories(), 0.95, fixed_costs_J=(0.0,),
                              digital_models=("fp32-dense",))
    assert np.isnan(nobody["winner_width_s"].iloc[0])


def test_pareto_front_keeps_only_undominated_points():
    pts = pd.DataFrame({"total_J": [1, 2, 3, 4, 5], "test_accuracy": [0.5, 0.4, 0.7, 0.6, 0.9]})
    front = tradeoff.pareto_front(pts)
    assert list(front["total_J"]) == [1, 3, 5]


def test_digital_hardware_models_and_line_energy():
    cheap, costly = DIGITAL_MODELS["int16-sparse-fused"], DIGITAL_MODELS["fp32-dense"]
    assert digital_energy(100, 100, 0, costly) == pytest.approx(
        100 * (5 + 3.7 + 0.9 + 5) * 1e-12 + 100 * (5 + 0.9) * 1e-12)
    # skipping zero inputs charges only the non-zero updates (and as many checks at most)
    assert digital_energy(100, 100, 0, cheap, nonzero_updates=10) == pytest.approx(
        10 * (2.5 + 0.8 + 0.05) * 1e-12 + 10 * (2.5 + 0.05) * 1e-12)
    with pytest.raises(ValueError, match="nonzero_updates"):
        digital_energy(100, 100, 0, cheap)
    model = device_models("iso-3.8")[20e-9]
    e = line_energy(model, line_pulses=1, line_cell_charges=256, device_pulses=0)
    c = model.stack.capacitance_F + CircuitCosts().wire_capacitance_per_cell_F
    assert e["line_charging"] == pytest.approx(256 * c * (3.8 / 2) ** 2)
    assert e["half_select_conduction"] > 0
