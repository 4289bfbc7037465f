"""``fetrain tune``: the studies, the chosen settings, the retrained runs; resuming after a kill;
two processes sharing one study; the read-path model and the validation-judged readings."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from fetrain.cli import main
from fetrain.study import tradeoff, tune
from fetrain.study.plan import device_models
from fetrain.study.readpath import READ_PATH_MODELS, ReadPathModel, per_sample

REPO = Path(__file__).resolve().parents[1]
QUICK = ["tune", "--scale", "quick", "--no-progress"]


@pytest.fixture(scope="module")
def quick_tuning(tmp_path_factory):
    out = tmp_path_factory.mktemp("tune") / "quick"
    assert main([*QUICK, "--out", str(out)]) == 0
    return out


def _complete(url: str, name: str) -> list:
    study = optuna.load_study(study_name=name, storage=url)
    return [(t.number, t.params, t.value) for t in study.get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))]


def test_every_cell_holds_its_trials_and_the_chosen_setting_is_the_best_feasible(quick_tuning):
    tables, record = tune.load_tuning(quick_tuning)
    plan = tune.TunePlan.for_scale("quick")
    trials, chosen = tables["trials"], tables["chosen"]
    assert len(trials) == plan.trials * len(plan.cells())
    # the first trial of every study is the book's fixed setting
    first = trials[trials["trial"] == 0]
    assert np.allclose(first["param_lr"], tune.fixed_setting("sgd")["lr"])
    assert (first["param_desired_bl"] == 31).all()
    for row in chosen.itertuples():
        cell = trials[(trials["width_s"] == row.width_s) & (trials["strategy"] == row.strategy)]
        ok = cell[cell["feasible"]]
        assert row.chosen == (len(ok) > 0)
        if row.chosen:
            assert row.energy_J == pytest.approx(ok["energy_J"].min())
    # infeasible trials carry no energy; feasible ones do
    assert trials.loc[~trials["feasible"], "energy_J"].isna().all()
    assert np.isfinite(trials.loc[trials["feasible"], "energy_J"]).all()
    assert record["engine"] and record["seconds"]["per_trial"] > 0


def test_chosen_settings_are_retrained_with_fresh_seeds_and_judged_on_validation(quick_tuning):
    tables, _ = tune.load_tuning(quick_tuning)
    plan = tune.TunePlan.for_scale("quick")
    retrained = tables["retrained"]
    n_chosen = int(tables["chosen"]["chosen"].sum())
    assert len(retrained) == n_chosen * len(plan.retrain_seeds) * 3      # none, low, high
    assert set(retrained["seed"]).isdisjoint(plan.tuning_seeds)
    assert (retrained["split"] == "validation").all()
    h = tune.retrained_histories(quick_tuning, plan)
    if len(h):
        assert tradeoff.read_at_first_reaching(h, plan.target, split="validation")


def test_a_second_run_trains_nothing_and_another_plan_is_refused(quick_tuning, capsys):
    assert main([*QUICK, "--out", str(quick_tuning)]) == 0
    assert "0 trials and 0 retrained runs" in capsys.readouterr().out
    assert main([*QUICK, "--trials", "5", "--out", str(quick_tuning)]) == 1
    assert "--replace" in capsys.readouterr().err


def test_bad_arguments_are_named(tmp_path, capsys):
    for args, words in ((["--strategies", "sps-global"], "--strategies"),
                        (["--widths", "30"], "widths"), (["--storage", "studies.db"], "--storage"),
                        (["--trials", "0"], "--trials")):
        with pytest.raises(SystemExit):
            main([*QUICK, *args, "--out", str(tmp_path / "x")])
        assert words in capsys.readouterr().err
    with pytest.raises(ValueError, match="retrain_seeds must be fresh"):
        tune.TunePlan.for_scale("quick", retrain_seeds=(0,))
    with pytest.raises(ValueError, match="read_path"):
        tune.TunePlan.for_scale("quick", read_path="medium")


def test_a_killed_tuning_resumes_and_keeps_its_finished_trials(tmp_path):
    out = tmp_path / "killed"
    url = f"sqlite:///{out / tune.STUDIES_FILE}"
    name = tune.cell_name("iso-3.8", 20e-9, "sgd")
    proc = subprocess.Popen([sys.executable, "-m", "fetrain", *QUICK, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    deadline = time.time() + 120
    before = []
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
        try:
            before = _complete(url, name)
        except (KeyError, sqlite3.Error, optuna.exceptions.StorageInternalError, Exception):
            continue
        if before:
            break
    assert proc.poll() is None and before, "the tuning ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert main([*QUICK, "--out", str(out)]) == 0
    after = _complete(url, name)
    plan = tune.TunePlan.for_scale("quick")
    assert len(after) == plan.trials
    kept = {n: (p, v) for n, p, v in after}
    for n, p, v in before:
        assert kept[n] == (p, v)                     # nothing finished was trained again
    study = optuna.load_study(study_name=name, storage=url)
    # the trials the kill interrupted are marked failed, not left running
    assert not study.get_trials(states=(optuna.trial.TrialState.RUNNING,))


def test_two_processes_share_one_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    procs = [subprocess.Popen([sys.executable, "-m", "fetrain", *QUICK, "--storage", url,
                               "--out", str(tmp_path / f"p{k}")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=REPO) for k in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    plan = tune.TunePlan.for_scale("quick")
    trained = [int(o.split(" trial")[0].split()[-1]) for o, _ in outs]
    for cell in plan.cells():
        done = _complete(url, tune.cell_name(*cell))
        # the processes split the trials; a race at the last batch may add at most a batch
        assert plan.trials <= len(done) < plan.trials + plan.batch
        assert len({n for n, _, _ in done}) == len(done)
    assert sum(trained) == sum(len(_complete(url, tune.cell_name(*c))) for c in plan.cells())
    # both folders read the same studies and choose the same settings: the process that
    # finished first wrote its tables before the other's last trials; run again, each trains
    # nothing and reads the finished studies
    for k in range(2):
        assert main([*QUICK, "--storage", url, "--out", str(tmp_path / f"p{k}")]) == 0
    a, b = (tune.load_tuning(tmp_path / f"p{k}")[0]["chosen"] for k in range(2))
    pd.testing.assert_frame_equal(a, b)


def test_the_read_path_counts_every_pass_and_grows_with_its_costs():
    model = device_models("iso-3.8")[20e-9]
    low, high = (per_sample(model, name, bits_per_line=31) for name in ("low", "high"))
    # forward through 784-256-128-10, backward through all but the first layer
    assert low["conversions_count"] == (256 + 128 + 10) + (256 + 128)
    assert low["lines_driven"] == (784 + 256 + 128) + (128 + 10)
    assert low["random_bits_count"] == 31 * (784 + 256 + 256 + 128 + 128 + 10)
    assert per_sample(model, "low", bits_per_line=0)["random_bits"] == 0
    assert 0 < low["total"] < high["total"]
    assert high["cells_read"] == 8 * low["cells_read"]
    parts = ("array", "lines", "conversions", "activations", "random_bits")
    assert low["total"] == pytest.approx(sum(low[p] for p in parts))
    with pytest.raises(ValueError, match="cycles_per_pass"):
        ReadPathModel("x", cycles_per_pass=0)
    with pytest.raises(ValueError, match="setting must be one of"):
        per_sample(model, "medium")
    assert set(READ_PATH_MODELS) == {"low", "high"}


def _toy_histories():
    """Two runs of one configuration: validation reaches 0.7 later than test in run 0."""
    rows = []
    runs = (([0.1, 0.6, 0.72, 0.8], [0.1, 0.71, 0.75, 0.8]),
            ([0.1, 0.7, 0.72, 0.8], [0.1, 0.65, 0.75, 0.8]))
    for seed, (val, test) in enumerate(runs):
        for k, (v, t) in enumerate(zip(val, test)):
            rows.append({"scheme": "s", "width_s": 2e-8, "strategy": "sgd", "seed": seed,
                         "epoch": k / 2, "samples": 100 * k, "pulses": 10 * k,
                         "val_accuracy": v, "test_accuracy": t,
                         **{c: 1e-9 * k for c in ("analog_study_J", "analog_complete_J",
                                                  "line_charging_J", "half_select_J",
                                                  "references_J", "digital_fp32-dense_J",
                                                  "read_path_low_J", "read_path_high_J")}})
    return pd.DataFrame(rows)


def test_targets_are_judged_on_validation_and_the_test_accuracy_is_reported_there():
    h = _toy_histories()
    val = tradeoff.summary(h, 0.7)
    test = tradeoff.summary(h, 0.7, split="test")
    assert val["epochs_to_target"].iloc[0] == 1.0 and test["epochs_to_target"].iloc[0] == 0.5
    assert val["test_at_target"].iloc[0] == 0.75
    low = tradeoff.summary(h, 0.7, read_path="low")
    assert low["total_to_target_J"].iloc[0] == pytest.approx(val["total_to_target_J"].iloc[0]
                                                             + 2e-9)
    with pytest.raises(ValueError, match="split must be one of"):
        tradeoff.summary(h, 0.7, split="train")
    with pytest.raises(ValueError, match="read_path must be one of"):
        tradeoff.summary(h, 0.7, read_path="medium")


def test_a_near_tie_counts_the_same_whichever_width_is_ahead():
    win = pd.DataFrame({"strategy": ["a", "b", "c", "d"], "shortest_width_s": [1.0] * 4,
                        "winner_width_s": [1.0, 2.0, 1.0, 2.0],
                        "runner_up_width_s": [2.0, 1.0, 2.0, 3.0],
                        "tie": [True, True, False, True]})
    record = tradeoff.shortest_width_record(win, "strategy")
    assert record.loc["a", "ties"] == record.loc["b", "ties"] == 1      # ahead or behind by little
    assert record.loc["c", "wins"] == 1 and record.loc["d", "losses"] == 1
