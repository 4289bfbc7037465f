"""Faults injected into everything fetrain stores, and what must happen: nothing damaged is ever
used, nothing finished is ever lost.

Each test injects one fault — a truncated, replaced, binary or empty file; a damaged checkpoint or
run-cache entry; a kill at a random point; two commands on one folder; a bad argument or
environment variable; a device file that says one thing twice — and asserts the outcome: the work
is redone with a one-line notice naming the file and ends with the numbers of a run that never
met the fault, or the command stops with an error that names the file or parameter, before any
work, without a traceback.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fetrain.cli import main
from fetrain.common import storage
from fetrain.device.build import build_device_model
from fetrain.device.loading import load_device_file, load_embedded
from fetrain.study import sweep
from fetrain.study.plan import SweepPlan
from fetrain.train import data as fdata
from fetrain.train.checkpoint import CHECKPOINT_FILE
from fetrain.train.config import TrainConfig
from fetrain.train.loop import train
from fetrain.train.store import train_cached

REPO = Path(__file__).resolve().parents[1]
TABLES = (sweep.HISTORIES_FILE, sweep.SUMMARY_FILE, sweep.MAP_FILE, sweep.ENERGY_CURVES_FILE)

# the quick scale on one width and two strategies: two runs of a second or two, the same plan
# through the library (TINY) and the command (TINY_ARGS)
TINY = dict(widths_s=(20e-9,), strategies=("sgd", "mp"), schemes=("iso-3.8",))
TINY_ARGS = ["reproduce", "--scale", "quick", "--widths", "20", "--algorithms", "sgd,mp",
             "--schemes", "iso-3.8", "--no-progress"]


def cli(*args, env=None, timeout=600):
    """``python -m fetrain ARGS`` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "fetrain", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, cwd=REPO)


def tables(folder) -> dict[str, bytes]:
    return {name: (Path(folder) / name).read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def clean_sweep(tmp_path_factory):
    """The tiny sweep, never interrupted: the numbers every faulted run must end with."""
    out = tmp_path_factory.mktemp("clean") / "sweep"
    sweep.run_sweep(SweepPlan.for_scale("quick", **TINY), out)
    return out


def _damage(path: Path, fault: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if fault == "header only":
        path.write_text(lines[0], encoding="utf-8")
    elif fault == "last row dropped":
        path.write_text("".join(lines[:-1]), encoding="utf-8")
    elif fault == "cut mid-line":
        path.write_text(text[: len(text) - len(lines[-1]) // 2 - 1], encoding="utf-8")
    elif fault == "unrelated text":
        path.write_text("name,colour\nkiwi,green\nplum,purple\n", encoding="utf-8")
    elif fault == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif fault == "empty":
        path.write_bytes(b"")
    else:
        raise ValueError(fault)


# ---- a run's history in a results folder -------------------------------------------------------

FAULTS = ["header only", "last row dropped", "cut mid-line", "unrelated text", "binary", "empty"]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_damaged_run_history_is_trained_again(fault, clean_sweep, tmp_path, capsys):
    out = tmp_path / "sweep"
    shutil.copytree(clean_sweep, out)
    victim = sorted((out / sweep.RUNS_DIR).iterdir())[0] / sweep.HISTORY_FILE
    _damage(victim, fault)
    report = sweep.run_sweep(SweepPlan.for_scale("quick", **TINY), out)
    notice = capsys.readouterr().err
    assert str(victim) in notice and "training that run again" in notice
    assert (report["trained"], report["reused"]) == (1, 1)
    assert tables(out) == tables(clean_sweep)


def test_the_command_redoes_a_binary_history_without_a_traceback(clean_sweep, tmp_path, capsys):
    out = tmp_path / "sweep"
    shutil.copytree(clean_sweep, out)
    victim = sorted((out / sweep.RUNS_DIR).iterdir())[-1] / sweep.HISTORY_FILE
    _damage(victim, "binary")
    assert main([*TINY_ARGS, "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err and victim.name in printed.err
    assert "1 run trained" in printed.out and "smoke test" in printed.out
    assert tables(out) == tables(clean_sweep)
    # run again, the command finds everything done
    assert main([*TINY_ARGS, "--out", str(out)]) == 0
    assert "all 2 runs were already done" in capsys.readouterr().out


def test_reading_a_damaged_sweep_names_the_run_and_the_remedy(clean_sweep, tmp_path):
    out = tmp_path / "sweep"
    shutil.copytree(clean_sweep, out)
    _damage(sorted((out / sweep.RUNS_DIR).iterdir())[0] / sweep.HISTORY_FILE, "last row dropped")
    with pytest.raises(storage.DamagedFile, match="rerun fetrain reproduce --out"):
        sweep.load_histories(out)


# ---- shipped tables: they cannot be redone, so a damaged one is a named error ------------------


@pytest.mark.parametrize("name", [sweep.SUMMARY_FILE, sweep.MAP_FILE, sweep.PLAN_FILE])
def test_a_damaged_shipped_table_is_an_error_that_says_what_to_do(name, tmp_path):
    copy = tmp_path / "reproduce-paper"
    shutil.copytree(sweep.SHIPPED_PAPER, copy)
    _damage(copy / name, "last row dropped")
    with pytest.raises(storage.DamagedFile) as err:
        sweep.load_tables(copy)
    assert name in str(err.value) and "remake" in str(err.value)


def test_damaged_pilot_robustness_and_crosscheck_files_are_named_errors(tmp_path):
    from fetrain.common.files import SHIPPED_DIR
    from fetrain.study.crosscheck import load_crosscheck
    from fetrain.study.pilot import load_pilot
    from fetrain.study.robustness import load_robustness

    for folder, name, load in (("pilot/compiled", "validation_pilot.csv", load_pilot),
                               ("robustness", "robustness.csv", load_robustness),
                               ("crosscheck", "plain.csv", lambda f: load_crosscheck("plain", f))):
        copy = tmp_path / folder.replace("/", "-")
        shutil.copytree(SHIPPED_DIR / folder, copy)
        _damage(copy / name, "cut mid-line")
        with pytest.raises(storage.DamagedFile) as err:
            load(copy)
        assert name in str(err.value) and "remake it with: fetrain experiments" in str(err.value)


# ---- checkpoints ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def device():
    return build_device_model(load_embedded().pulses, 20e-9, source="embedded")


def small_data(n=40):
    full = fdata.load_embedded()
    cut = lambda s: fdata.Split(s.x[:n], s.y[:n])  # noqa: E731
    return fdata.MNIST("embedded", cut(full.train), cut(full.validation), cut(full.test))


def configs(device, epochs):
    return [TrainConfig(model=device, lr=0.1, epochs=epochs, seed=s, evaluations_per_epoch=1)
            for s in (31, 32)]


def assert_same_runs(a_runs, b_runs):
    for a, b in zip(a_runs, b_runs):
        for wa, wb in zip(a.weights, b.weights):
            np.testing.assert_array_equal(wa, wb)
        pd.testing.assert_frame_equal(a.history, b.history)


def _damage_checkpoint(path: Path, fault: str) -> None:
    data = bytearray(path.read_bytes())
    if fault == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif fault == "partly zeroed":
        start = len(data) // 2
        data[start:start + 4096] = bytes(4096)
        path.write_bytes(bytes(data))
    elif fault == "garbage header":
        path.write_bytes(b"{not a checkpoint}" + bytes(data[18:]))
    else:
        raise ValueError(fault)


@pytest.fixture(scope="module")
def straight(device):
    """Two configurations trained two epochs, never interrupted."""
    return train(configs(device, 2), small_data())


@pytest.mark.parametrize("fault", ["truncated", "partly zeroed", "garbage header"])
def test_a_damaged_checkpoint_is_set_aside_and_the_runs_start_afresh(fault, device, straight,
                                                                    tmp_path, capsys):
    data = small_data()
    train(configs(device, 1), data, checkpoint_dir=tmp_path)
    _damage_checkpoint(tmp_path / CHECKPOINT_FILE, fault)
    resumed = train(configs(device, 2), data, checkpoint_dir=tmp_path)
    notice = capsys.readouterr().err
    assert CHECKPOINT_FILE in notice and "starting those runs afresh" in notice
    assert_same_runs(straight, resumed)


def test_a_kill_while_a_checkpoint_is_written_leaves_the_previous_one_whole(device, straight,
                                                                            tmp_path, monkeypatch):
    """The state and the history are one file, renamed into place in one step: a kill before
    the rename (simulated by a failing rename at epoch 2) leaves epoch 1's checkpoint, whole,
    and the resumed runs end with the numbers of the uninterrupted ones."""
    from fetrain.train.checkpoint import load_checkpoint

    data = small_data()
    real_replace, calls = os.replace, []

    def killed_at_second_save(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed while writing")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed_at_second_save)
    with pytest.raises(KeyboardInterrupt):
        train(configs(device, 2), data, checkpoint_dir=tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT_FILE]   # no half-written file left
    assert load_checkpoint(tmp_path)["epochs_done"] == 1
    assert_same_runs(straight, train(configs(device, 2), data, checkpoint_dir=tmp_path))


# ---- the run cache --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled_cache(device, tmp_path_factory):
    """A run cache holding one configuration's run, and that run."""
    root = tmp_path_factory.mktemp("cache")
    return root, train_cached(configs(device, 1)[:1], small_data(), cache_dir=root)


@pytest.mark.parametrize("fault", ["arrays truncated", "config garbage", "history empty",
                                   "last history row dropped"])
def test_a_damaged_run_cache_entry_is_trained_again(fault, device, filled_cache, tmp_path, capsys):
    template, first = filled_cache
    shutil.copytree(template, tmp_path / "cache")
    entry = next(iter(sorted((tmp_path / "cache").rglob("manifest.json")))).parent
    if fault == "arrays truncated":
        path = entry / "arrays.safetensors"
        path.write_bytes(path.read_bytes()[:100])
    elif fault == "config garbage":
        (entry / "config.json").write_text("{{{ not json", encoding="utf-8")
    elif fault == "history empty":
        _damage(entry / "history.csv", "empty")
    else:
        _damage(entry / "history.csv", "last history row dropped".replace("history ", ""))
    again = train_cached(configs(device, 1)[:1], small_data(), cache_dir=tmp_path / "cache")
    notice = capsys.readouterr().err
    assert "run cache" in notice and str(entry) in notice and "training that run again" in notice
    assert_same_runs(first, again)
    assert storage.problem(entry) is None                    # the entry is whole again


# ---- plans that cannot be mixed; one writer at a time ----------------------------------------------


def test_a_second_plan_into_the_same_folder_is_refused_naming_what_differs(tmp_path, capsys):
    out = str(tmp_path / "r")
    assert main([*TINY_ARGS, "--out", out, "--epochs", "1"]) == 0
    capsys.readouterr()
    assert main([*TINY_ARGS, "--out", out, "--epochs", "2"]) == 1
    err = capsys.readouterr().err
    assert "another plan (epochs: 1 → 2)" in err and "--replace" in err and "Traceback" not in err
    assert json.loads((tmp_path / "r" / sweep.PLAN_FILE).read_text())["plan"]["epochs"] == 1
    assert main([*TINY_ARGS, "--out", out, "--epochs", "2", "--replace"]) == 0
    assert "2 runs trained" in capsys.readouterr().out
    assert json.loads((tmp_path / "r" / sweep.PLAN_FILE).read_text())["plan"]["epochs"] == 2


def test_two_commands_on_one_folder_train_every_run_once(tmp_path):
    script = ("import sys, json; from fetrain.study.plan import SweepPlan; "
              "from fetrain.study.sweep import run_sweep; "
              f"plan = SweepPlan.for_scale('quick', **{TINY!r}); "
              "print(json.dumps(run_sweep(plan, sys.argv[1], workers=1)))")
    out = str(tmp_path / "both")
    procs = [subprocess.Popen([sys.executable, "-c", script, out], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr[-2000:]
        reports.append((json.loads(stdout.strip().splitlines()[-1]), stderr))
    assert sorted(r["trained"] for r, _ in reports) == [0, 2]
    waited = [err for r, err in reports if r["trained"] == 0][0]
    assert "is in use by process" in waited and "waiting for it to finish" in waited


# ---- kills and interrupts --------------------------------------------------------------------------


def test_sigkill_at_random_points_then_a_rerun_gives_byte_identical_tables(clean_sweep, tmp_path):
    rng = random.Random(20261206)
    start = time.perf_counter()
    assert cli(*TINY_ARGS, "--out", str(tmp_path / "timed")).returncode == 0
    span = time.perf_counter() - start
    for k in range(2):
        out = tmp_path / f"killed{k}"
        proc = subprocess.Popen([sys.executable, "-m", "fetrain", *TINY_ARGS, "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        time.sleep(rng.uniform(0.2, 0.9) * span)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rerun = cli(*TINY_ARGS, "--out", str(out))
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert tables(out) == tables(clean_sweep), f"kill {k} changed the tables"


def test_sigint_exits_130_saying_what_is_kept(tmp_path):
    out = tmp_path / "r"
    # forty epochs: the training outlasts its first epoch by far, and is cut short after it
    # a shell without job control starts background jobs with SIGINT ignored, and a child
    # inherits that; the command is started as a terminal would start it
    proc = subprocess.Popen([sys.executable, "-m", "fetrain", *TINY_ARGS, "--epochs", "40",
                             "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # interrupt once the training is under way: its first epoch's checkpoint is written
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None and not any(
            (out / "checkpoints").glob("*/*.safetensors")):
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, f"exit {proc.returncode}: {stderr[-2000:]}"
    assert "interrupted — rerun the same command to resume (" in stderr and "kept)" in stderr
    assert "Traceback" not in stderr


# ---- arguments and the environment, checked before any work ---------------------------------------


@pytest.mark.parametrize("env, needle", [({"FETRAIN_WORKERS": "abc"}, "FETRAIN_WORKERS"),
                                         ({"FETRAIN_WORKERS": "0"}, "FETRAIN_WORKERS"),
                                         ({"FETRAIN_SCALE": "huge"}, "FETRAIN_SCALE")])
def test_a_bad_environment_variable_stops_the_command_before_any_work(env, needle, tmp_path,
                                                                     monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "r"
    assert main([*TINY_ARGS, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not (out / sweep.PLAN_FILE).exists()


@pytest.mark.parametrize("args, needle", [
    (["experiments", "robustness", "--seeds=-1"], "seeds are distinct integers ≥ 0"),
    (["experiments", "robustness", "--seeds", ""], "seeds are integers ≥ 0"),
    (["experiments", "pilot", "--out", "x", "--epochs", "0"], "an integer ≥ 1"),
    (["device", "fit", "f.csv", "--out", "x", "--amplitude-V=-5"], "a number > 0 and ≤ 20 V"),
    (["device", "fit", "f.csv", "--out", "x", "--width-ns", "1e30"], "≤ 1e+09 ns"),
    (["device", "fit", "f.csv", "--out", "x", "--degree", "50"], "an integer from 1 to 15"),
    (["frobnicate"], "'frobnicate'"),
])
def test_bad_arguments_are_refused_naming_them(args, needle, capsys):
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2 and needle in capsys.readouterr().err


def test_robustness_seed_zero_is_one_seed():
    from fetrain.cli import parser

    args = parser().parse_args(["experiments", "robustness", "--seeds", "0"])
    assert args.seeds == (0,)


@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_bench_checks_its_csv_path_before_measuring(where, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "bench.csv" if where == "under a file" else tmp_path
    start = time.perf_counter()
    with pytest.raises(SystemExit) as done:
        main(["bench", "--csv", str(target)])
    assert done.value.code == 2 and "--csv" in capsys.readouterr().err
    assert time.perf_counter() - start < 30                  # refused, not measured


def test_train_config_names_a_wrong_model_type():
    with pytest.raises(TypeError, match="model must be a fetrain.device.model.DeviceModel.*str"):
        TrainConfig(model="20ns", lr=0.1, epochs=1)


def test_library_ranges_of_width_amplitude_and_degree():
    pulses = load_embedded().pulses
    with pytest.raises(ValueError, match="degree must be an integer from 1 to 15"):
        build_device_model(pulses, 20e-9, degree=50)
    table = pulses[pulses.pulse_width_s == 20e-9].drop(columns=["pulse_width_s", "amplitude_V"])
    for kwargs, needle in (({"width_s": 1e21}, "pulse_width_s"), ({"amplitude_V": -5.0}, "magnitude")):
        path = Path(pytest.importorskip("tempfile").mkdtemp()) / "pulses.csv"
        table.to_csv(path, index=False)
        with pytest.raises(ValueError, match=needle):
            load_device_file(path, **kwargs)


# ---- device files that say one thing twice ---------------------------------------------------------


def _device_file(tmp_path, change) -> Path:
    pulses = pd.read_csv(REPO / "fetrain" / "data" / "synthetic_hzo" / "pulses.csv")
    pulses = pulses[pulses.pulse_width_s == 20e-9]
    text = change(pulses)
    path = tmp_path / "pulses.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_duplicate_column_is_an_error_naming_it(tmp_path, capsys):
    def twice(p):
        p = p.copy()
        p["extra"] = p["read_current_A"] * 1000
        return p.to_csv(index=False).replace(",extra", ",read_current_A", 1)

    path = _device_file(tmp_path, twice)
    with pytest.raises(ValueError, match="names column 'read_current_A' 2 times"):
        load_device_file(path)
    assert main(["device", "fit", str(path), "--out", str(tmp_path / "fit")]) == 1
    err = capsys.readouterr().err
    assert "read_current_A" in err and "Traceback" not in err


def test_disagreeing_current_and_conductance_are_an_error_naming_both(tmp_path):
    def both(p):
        p = p.copy()
        p["conductance_S"] = p["read_current_A"] / p["read_voltage_V"] * 1000
        return p.to_csv(index=False)

    with pytest.raises(ValueError, match="conductance_S and read_current_A / read_voltage_V disagree"):
        load_device_file(_device_file(tmp_path, both))


def test_agreeing_current_and_conductance_are_accepted(tmp_path):
    def both(p):
        p = p.copy()
        p["conductance_S"] = p["read_current_A"] / p["read_voltage_V"] * 1.001
        return p.to_csv(index=False)

    assert len(load_device_file(_device_file(tmp_path, both)).pulses) > 0


def test_the_summary_counts_the_reads_of_the_fitted_width(tmp_path, capsys):
    assert main(["device", "fit", str(REPO / "fetrain" / "data" / "synthetic_hzo"), "--width-ns",
                 "20", "--resamples", "2", "--out", str(tmp_path / "fit"), "--no-progress"]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # the printout wraps at the terminal width
    summary = json.loads((tmp_path / "fit" / "summary.json").read_text())
    pulses = pd.read_csv(REPO / "fetrain" / "data" / "synthetic_hzo" / "pulses.csv")
    assert summary["reads"] == int(np.isclose(pulses.pulse_width_s, 20e-9).sum())
    assert summary["reads_in_file"] == len(pulses) > summary["reads"]
    assert f"{summary['reads']:,} reads at this width" in printed


def test_a_degree_above_the_study_s_is_warned_against_when_the_data_are_few():
    import warnings

    from fetrain.device.curves import fit_curve

    n = np.arange(1, 31)
    curve = pd.DataFrame({"pulse_index": n, "mean_w": np.tanh(n / 10.0), "std_w": 0.01})
    with pytest.warns(UserWarning, match="rests on 30 pulses, fewer than 4 per coefficient"):
        fit_curve(curve, "potentiation", 1.0, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_curve(curve, "potentiation", 1.0, 5)             # the study's degree: no warning



def _wait_from_another_thread(lock, quiet: bool) -> None:
    """Try to take ``lock`` from another thread for 0.2 s; raise what that wait raised."""
    import threading

    from fetrain.common import storage

    errors = []

    def run():
        try:
            with storage.locked(lock, "the folder", timeout_s=0.2, quiet=quiet):
                pass
        except TimeoutError as err:
            errors.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_a_quiet_wait_for_a_held_folder_says_nothing(tmp_path, capsys):
    """A book chapter that waits for another reading the same runs prints nothing on its page;
    a command waiting for a folder says who holds it."""
    from fetrain.common import storage

    lock = tmp_path / ".lock"
    with storage.locked(lock, "the folder"):
        for quiet in (True, False):
            with pytest.raises(TimeoutError):
                _wait_from_another_thread(lock, quiet)
            assert ("in use by" in capsys.readouterr().err) is (not quiet)
