"""Results that ship with fetrain: each names the code that made it, and that code is today's.

Heavy work (the pilot, the robustness sweep, the paper-scale sweep and tuning, AIHWKit's side of
the cross-checks) ships as results made by a command, so that the book can read them instead of
recomputing them. A result is only worth shipping while the code that made it is the code a reader
runs: every record holds the fingerprint of that code, and it must equal the current one —
:func:`~fetrain.common.fingerprint.engine_fingerprint` for fetrain's own runs (or one of the earlier
engines the present one reproduces bit for bit, :func:`~fetrain.common.fingerprint.same_numbers`),
:func:`~fetrain.common.fingerprint.bridge_fingerprint` for AIHWKit's. A failure names the folder,
the fingerprint it holds, the current one, and the command that remakes it.

One exception, on purpose: the original validation pilot (``fetrain/data/pilot``) ran on fetrain's
first engine, and the book keeps the choice it made before any sweep; its record and the book say
so. Also here: cheap tests of the cross-checks' functions and command (tiny AIHWKit runs).
"""

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from fetrain.common.files import SHIPPED_DIR
from fetrain.common.fingerprint import (
    bridge_fingerprint,
    engine_fingerprint,
    same_bridge_numbers,
    same_numbers,
)
from fetrain.study import crosscheck as cc
from fetrain.study.pilot import DEFAULT_EPOCHS, DEFAULT_LR

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"

#: Shipped inputs, not results: the embedded characterisation data enters the fingerprints itself.
INPUTS = {"synthetic_hzo"}

#: Each shipped result folder: its records, the key of the fingerprint they hold, which fingerprint
#: that must be, and the command that remakes the folder.
RESULTS = {
    "pilot/compiled": (("validation_pilot.json",), "engine", engine_fingerprint,
                       "fetrain experiments pilot --out fetrain/data/pilot/compiled"),
    "robustness": (("robustness.json",), "engine", engine_fingerprint,
                   "fetrain experiments robustness --out fetrain/data/robustness"),
    "reproduce-paper": (("plan.json",), "engine", engine_fingerprint,
                        "fetrain reproduce --scale paper --out results/reproduce-paper, then "
                        "python -c \"from fetrain.study.sweep import ship_tables; "
                        "ship_tables('results/reproduce-paper')\""),
    "reproduce-mnist-paper": (("plan.json",), "engine", engine_fingerprint,
                              "fetrain reproduce --data mnist --scale paper --out "
                              "results/reproduce-mnist-paper, then python -c \"from "
                              "fetrain.study.sweep import SHIPPED_MNIST, ship_tables; "
                              "ship_tables('results/reproduce-mnist-paper', SHIPPED_MNIST)\""),
    "reproduce-mnist-fixed": (("plan.json",), "engine", engine_fingerprint,
                              "fetrain reproduce --data mnist --scale paper --settings fixed "
                              "--algorithms mp --epochs 4 --out results/reproduce-mnist-fixed, "
                              "then python -c \"from fetrain.study.sweep import "
                              "SHIPPED_MNIST_FIXED, ship_tables; ship_tables("
                              "'results/reproduce-mnist-fixed', SHIPPED_MNIST_FIXED)\""),
    "reproduce-transfer-paper": (("plan.json",), "engine", engine_fingerprint,
                                 "fetrain reproduce --scale paper --algorithms ttv2,c-ttv2,agad "
                                 "--schemes iso-3.8 --out results/reproduce-transfer-paper, then "
                                 "python -c \"from fetrain.study.sweep import SHIPPED_TRANSFER, "
                                 "ship_tables; ship_tables('results/reproduce-transfer-paper', "
                                 "SHIPPED_TRANSFER)\""),
    "reproduce-wear-paper": (("plan.json",), "engine", engine_fingerprint,
                             "fetrain reproduce --scale paper --algorithms "
                             "sgd,sps,sps-global,mp,ttv2,c-ttv2,agad --schemes iso-3.8 --out "
                             "results/reproduce-wear-paper, then python -c \"from "
                             "fetrain.study.sweep import SHIPPED_WEAR, ship_tables; "
                             "ship_tables('results/reproduce-wear-paper', SHIPPED_WEAR)\""),
    "tune-paper": (("tune_plan.json",), "engine", engine_fingerprint,
                   "fetrain tune --scale paper --out results/tune-paper, then python -c \"from "
                   "fetrain.study.tune import ship_tuning; ship_tuning('results/tune-paper')\""),
    "tune-transfer-paper": (("tune_plan.json",), "engine", engine_fingerprint,
                            "fetrain tune --scale paper --strategies ttv2,c-ttv2,agad --schemes "
                            "iso-3.8 --out results/tune-transfer-paper, then python -c \"from "
                            "fetrain.study.tune import ship_tuning; from fetrain.study.tuned "
                            "import SHIPPED_TUNE_TRANSFER; ship_tuning("
                            "'results/tune-transfer-paper', SHIPPED_TUNE_TRANSFER)\""),
    "crosscheck": (tuple(f"{name}.json" for name in cc.CROSS_CHECKS), "bridge", bridge_fingerprint,
                   "fetrain experiments crosscheck --out fetrain/data/crosscheck"),
}
#: The original pilot, made by fetrain's first engine on purpose.
FIRST_PILOT = "pilot"


def _result_folders() -> set[str]:
    """Every folder under fetrain/data that holds a JSON record, inputs left out."""
    folders = {p.parent.relative_to(SHIPPED_DIR).as_posix() for p in SHIPPED_DIR.rglob("*.json")}
    return {f for f in folders if f.split("/")[0] not in INPUTS}


def test_every_shipped_result_folder_is_known():
    unknown = _result_folders() - set(RESULTS) - {FIRST_PILOT}
    assert not unknown, (f"shipped result folders {sorted(unknown)} are not in tests/test_shipped.py: "
                         "add each with its record, fingerprint and the command that makes it")


def _held(record: dict, key: str) -> str:
    """The fingerprint a record holds under ``key``, or what it holds instead, in words."""
    value = record.get(key)
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{12}", value):
        return value
    if value is not None:
        return f"no fingerprint under {key!r} (it says {value[:60]!r}…)"
    if "code" in record:
        return f"no {key!r} fingerprint, only an old 'code' fingerprint {record['code']!r}"
    return f"no {key!r} fingerprint"


@pytest.mark.parametrize("folder", sorted(RESULTS))
def test_shipped_results_were_made_by_the_current_code(folder):
    records, key, fingerprint, command = RESULTS[folder]
    current = fingerprint()
    stale = []
    for name in records:
        path = SHIPPED_DIR / folder / name
        assert path.is_file(), f"fetrain/data/{folder}/{name} is missing; make it with: {command}"
        held = _held(json.loads(path.read_text(encoding="utf-8")), key)
        if held != current and not ((key == "engine" and same_numbers(held))
                                    or (key == "bridge" and same_bridge_numbers(held))):
            stale.append(f"{name} holds {held}")
    assert not stale, (f"fetrain/data/{folder} was made by other code than today's: "
                       f"{'; '.join(stale)}; the current {fingerprint.__name__}() is {current!r}. "
                       f"Remake it with: {command}")


@pytest.mark.parametrize("folder", sorted(RESULTS) + [FIRST_PILOT])
def test_shipped_results_are_sealed_and_whole(folder):
    """Every shipped result folder has a manifest, and each file matches its size and SHA-256:
    a damaged install is found, never read (the readers check the same manifest)."""
    from fetrain.common import storage

    problem = storage.problem(SHIPPED_DIR / folder)
    assert problem is None, f"fetrain/data/{folder}: {problem}"
    listed = set(storage.manifest(SHIPPED_DIR / folder)["files"])
    present = {p.name for p in (SHIPPED_DIR / folder).iterdir()
               if p.is_file() and p.name != storage.MANIFEST and not p.name.startswith(".")}
    assert listed == present, f"fetrain/data/{folder}: files not in its manifest: {present - listed}"


def test_the_first_pilot_says_it_ran_on_the_first_engine_and_the_book_says_so():
    record = json.loads((SHIPPED_DIR / FIRST_PILOT / "validation_pilot.json").read_text(encoding="utf-8"))
    assert "first engine" in str(record.get("engine", "")), (
        "fetrain/data/pilot/validation_pilot.json must say that fetrain's first engine made it "
        f"(its 'engine' says {record.get('engine')!r})")
    paragraphs = [p for page in sorted(BOOK.glob("*.md"))
                  for p in page.read_text(encoding="utf-8").split("\n\n")]
    assert any("first engine" in p and "pilot" in p for p in paragraphs), (
        "the book must say that the pilot behind its learning rate, epochs and target ran on "
        "fetrain's first engine")


def test_every_shipped_cross_check_loads_with_its_settings():
    for name, check in cc.CROSS_CHECKS.items():
        curves, record = cc.load_crosscheck(name)
        assert record["settings"] == check.settings() and record["check"] == name
        assert set(curves["seed"]) == set(check.seeds)
        assert record["command"].startswith(cc.CROSSCHECK_COMMAND)
        assert record["aihwkit_version"] and record["torch_version"] and record["seconds"] > 0


# ---- the cross-checks' definitions ---------------------------------------------------------------


def test_the_book_s_cross_checks_are_defined_as_the_pages_ran_them():
    checks = cc.CROSS_CHECKS
    assert list(checks) == ["plain", "shifting", "mixed_precision", "ttv2", "ch3_perfect_io",
                            "ch3_out_bound_12", "ch7_20ns", "ch7_200ns"]
    tt = checks["ttv2"]
    assert (tt.symmetrized, tt.device_variation, tt.lr, tt.epochs, tt.seeds) == (
        True, False, DEFAULT_LR, 2, tuple(range(5)))
    assert tt.settings()["algorithm"]["algorithm"] == "ttv2"
    assert (tt.algorithm.fast_reference, tt.algorithm.n_reads) == ("zero", 1)
    plain, shifting, mp = checks["plain"], checks["shifting"], checks["mixed_precision"]
    assert (plain.symmetrized, plain.reference, plain.lr, plain.epochs, plain.evaluations_per_epoch,
            plain.seeds, plain.n_train) == (True, "naive", DEFAULT_LR, 2, 2, tuple(range(10)), None)
    assert (shifting.symmetrized, shifting.reference, shifting.device_variation, shifting.lr,
            shifting.epochs, shifting.evaluations_per_epoch, shifting.seeds) == (
        False, "symmetry_point", False, DEFAULT_LR, 3, 1, tuple(range(10)))
    assert (mp.symmetrized, mp.algorithm, mp.lr, mp.epochs, mp.evaluations_per_epoch, mp.seeds,
            mp.n_train) == (True, "mixed_precision", 0.4, 1, 4, tuple(range(5)), 1750)
    for name, bound in (("ch3_perfect_io", 0.0), ("ch3_out_bound_12", 12.0)):
        c = checks[name]
        assert (c.symmetrized, c.reference, c.lr, c.epochs, c.evaluations_per_epoch, c.seeds,
                c.n_train, c.output_bound) == (False, "naive", DEFAULT_LR, DEFAULT_EPOCHS, 2, (0,),
                                               None, bound)
    for name, width in (("ch7_20ns", 20e-9), ("ch7_200ns", 200e-9)):
        c = checks[name]
        assert (c.symmetrized, c.reference, c.algorithm, c.lr, c.epochs, c.evaluations_per_epoch,
                c.seeds, c.width_s) == (False, "naive", "sgd", DEFAULT_LR, DEFAULT_EPOCHS, 2,
                                        (0, 1, 2), width)
    for c in checks.values():
        assert c.width_s in (20e-9, 200e-9) and not c.aihwkit_changes
    # Chapter 3's seed-0 run of plain SGD is the Chapter 3 checks' fetrain side, so the page can
    # pair its own run with the shipped AIHWKit curves
    from fetrain.train.config import TrainConfig

    model = checks["ch3_perfect_io"].device_model()
    page = TrainConfig(model=model, lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS, seed=0, reference="naive",
                       evaluations_per_epoch=2)
    assert checks["ch3_perfect_io"].configs(model)[0].describe() == page.describe()


def test_a_cross_check_refuses_bad_fields():
    with pytest.raises(ValueError, match="seeds"):
        cc.CrossCheck("x", "x", lr=0.1, epochs=1, evaluations_per_epoch=1, seeds=(0, 0))
    with pytest.raises(ValueError, match="output_bound"):
        cc.CrossCheck("x", "x", lr=0.1, epochs=1, evaluations_per_epoch=1, seeds=(0,), output_bound=-1)
    with pytest.raises(ValueError, match="aihwkit_changes.*TrainConfig"):
        cc.CrossCheck("x", "x", lr=0.1, epochs=1, evaluations_per_epoch=1, seeds=(0,),
                      aihwkit_changes=(("learning_rate", 0.1),))
    with pytest.raises(ValueError, match="unknown cross-check 'nope'; the checks are plain, shifting"):
        cc.get_check("nope")


# ---- loading --------------------------------------------------------------------------------------


def _copy_shipped(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in (".csv", ".json"):
        shutil.copy(cc.CROSSCHECK_DIR / f"{name}{suffix}", folder / f"{name}{suffix}")
    _seal(folder)
    return folder


def _seal(folder: Path) -> None:
    """Seal a folder made by hand, as the command seals its own (the tests below are about what
    the files say, not about damage: tests/test_faults.py is)."""
    from fetrain.common import storage

    storage.seal(folder, [p.name for p in folder.iterdir() if p.suffix in (".csv", ".json")
                          and p.name != storage.MANIFEST])


def _visible(folder: Path) -> list[str]:
    """A folder's files, less the lock files (dot files) a command leaves."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _edit_record(folder: Path, name: str, change) -> None:
    path = folder / f"{name}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record), encoding="utf-8")
    _seal(folder)


def test_loading_refuses_a_record_made_with_other_settings(tmp_path):
    folder = _copy_shipped("plain", tmp_path)
    _edit_record(folder, "plain", lambda r: r["settings"].update(lr=0.2))
    with pytest.raises(ValueError, match=r"other settings.*lr: file 0\.2, check 0\.1.*--checks plain"):
        cc.load_crosscheck("plain", folder)
    # a check changed in the code is refused in the same way
    folder = _copy_shipped("plain", tmp_path / "again")
    with pytest.raises(ValueError, match="epochs: file 2, check 3"):
        cc.load_crosscheck(replace(cc.CROSS_CHECKS["plain"], epochs=3), folder)


def test_loading_refuses_incomplete_curves_and_names_the_command_for_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="fetrain experiments crosscheck --out .* --checks shifting"):
        cc.load_crosscheck("shifting", tmp_path)
    folder = _copy_shipped("shifting", tmp_path)
    curves = pd.read_csv(folder / "shifting.csv")
    curves[curves["seed"] != 3].to_csv(folder / "shifting.csv", index=False)
    _seal(folder)
    with pytest.raises(ValueError, match=r"holds seeds \[0, 1, 2, 4"):
        cc.load_crosscheck("shifting", folder)
    curves.iloc[:-1].to_csv(folder / "shifting.csv", index=False)
    _seal(folder)
    with pytest.raises(ValueError, match="evaluations per seed"):
        cc.load_crosscheck("shifting", folder)


def test_loading_warns_when_other_code_made_the_curves(tmp_path):
    folder = _copy_shipped("ch3_out_bound_12", tmp_path)
    _edit_record(folder, "ch3_out_bound_12", lambda r: r.update(bridge="000000000000"))
    with pytest.warns(UserWarning, match="made by other code.*'000000000000'.*--checks ch3_out_bound_12"):
        curves, record = cc.load_crosscheck("ch3_out_bound_12", folder)
    assert len(curves) == 2 * DEFAULT_EPOCHS + 1


def test_agreement_needs_a_check_with_several_seeds():
    with pytest.raises(ValueError, match="one seed.*paired_curves"):
        cc.check_agreement("ch3_perfect_io", [], pd.DataFrame())


# ---- the command, on a tiny check --------------------------------------------------------------------

TINY = cc.CrossCheck("tiny", "a tiny check for the tests", lr=0.1, epochs=1, evaluations_per_epoch=2,
                     seeds=(0, 1), symmetrized=True, n_train=20)


@pytest.fixture(scope="module")
def tiny_made(tmp_path_factory):
    """The command run for real on a tiny check (20 training digits, two seeds, one epoch)."""
    pytest.importorskip("aihwkit")
    from fetrain.cli import main

    out = tmp_path_factory.mktemp("crosscheck")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(cc.CROSS_CHECKS, "tiny", TINY)
        rc = main(["experiments", "crosscheck", "--out", str(out), "--checks", "tiny", "--workers", "1",
                   "--no-progress"])
    assert rc == 0
    return out


def test_the_command_writes_curves_and_a_full_record(tiny_made):
    assert _visible(tiny_made) == ["manifest.json", "tiny.csv", "tiny.json"]   # no temporary files
    curves, record = cc.load_crosscheck(TINY, tiny_made)
    assert list(curves.columns) == list(cc.CURVE_COLUMNS) and len(curves) == 2 * 3
    assert record["bridge"] == bridge_fingerprint() and record["engine"] == engine_fingerprint()
    assert record["settings"] == TINY.settings()
    assert record["data_set"] == "embedded 5,000-digit MNIST subset (20/500/1,000 train/validation/test)"
    assert record["command"] == f"fetrain experiments crosscheck --out {tiny_made} --checks tiny"
    for key in ("what", "device", "aihwkit_version", "torch_version", "seconds"):
        assert record[key]


def test_the_command_keeps_a_finished_check_and_remakes_a_changed_one(tiny_made, tmp_path, monkeypatch,
                                                                    capsys):
    from fetrain.cli import main

    folder = tmp_path / "out"
    shutil.copytree(tiny_made, folder)
    before = (folder / "tiny.csv").read_bytes()
    monkeypatch.setitem(cc.CROSS_CHECKS, "tiny", TINY)

    def no_training(checks, workers, progress):
        assert not checks, f"finished checks were trained again: {[c.name for c in checks]}"
        return iter(())

    monkeypatch.setattr(cc, "_aihwkit_sides", no_training)
    assert main(["experiments", "crosscheck", "--out", str(folder), "--checks", "tiny", "--no-progress"]) == 0
    assert "tiny: already made with these settings and this code; kept" in capsys.readouterr().out
    assert (folder / "tiny.csv").read_bytes() == before

    # the same check at another learning rate: its files no longer match, so it is made again
    changed = replace(TINY, lr=0.2)
    monkeypatch.setitem(cc.CROSS_CHECKS, "tiny", changed)
    curves = pd.read_csv(folder / "tiny.csv")
    monkeypatch.setattr(cc, "_aihwkit_sides", lambda checks, workers, progress: iter(
        [(1, None, None, None), (2, changed, curves, [1.0, 2.0])]))
    assert main(["experiments", "crosscheck", "--out", str(folder), "--checks", "tiny", "--no-progress"]) == 0
    assert "1 check made, 0 kept" in capsys.readouterr().out
    record = cc.load_crosscheck(changed, folder)[1]
    assert record["settings"]["lr"] == 0.2 and record["seconds"] == 3.0


def test_the_command_writes_nothing_when_the_code_changed_while_it_ran(tmp_path, monkeypatch, capsys):
    """A record must name the code that made its runs: if the fingerprint read once the workers
    have read their code differs from the one at the start, no check is written."""
    pytest.importorskip("aihwkit")
    import fetrain.common.fingerprint as fingerprint
    from fetrain.cli import main

    readings = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(fingerprint, "bridge_fingerprint", lambda: next(readings))
    monkeypatch.setitem(cc.CROSS_CHECKS, "tiny", TINY)
    curves = pd.DataFrame({"engine": "AIHWKit", "seed": [0, 0, 0, 1, 1, 1],
                           "epoch": [0.0, 0.5, 1.0] * 2, "samples": [0, 10, 20] * 2,
                           "val_accuracy": 0.1, "test_accuracy": 0.1})
    monkeypatch.setattr(cc, "_aihwkit_sides", lambda checks, workers, progress: iter(
        [(1, None, None, None), (2, TINY, curves, [1.0, 2.0])]))
    assert main(["experiments", "crosscheck", "--out", str(tmp_path), "--checks", "tiny",
                 "--workers", "2", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "aaaaaaaaaaaa → bbbbbbbbbbbb" in captured.out and "run the same command again" in captured.err
    assert _visible(tmp_path) == []


def test_the_command_refuses_an_unknown_check_naming_the_allowed_ones(tmp_path, capsys):
    from fetrain.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["experiments", "crosscheck", "--out", str(tmp_path), "--checks", "plain,nope"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "choose from plain, shifting, mixed_precision, ttv2, ch3_perfect_io" in err
    assert "got nope" in err
    assert not any(tmp_path.iterdir())


def test_fetrain_side_pairs_with_the_shipped_kind_of_curves(tiny_made, run_cache):
    """The three steps a page takes: AIHWKit's curves from the command's files, fetrain's side
    trained live, the agreement between them; and the pairing refuses runs of another check."""
    curves, _ = cc.load_crosscheck(TINY, tiny_made)
    runs = cc.fetrain_side(TINY)
    paired, summary = cc.check_agreement(TINY, runs, curves)
    assert set(paired["engine"]) == {"fetrain", "AIHWKit"} and len(paired) == 2 * len(curves)
    assert summary["seeds"].iloc[0] == 2 and summary["evaluations"].iloc[0] == 2
    with pytest.raises(ValueError, match="fetrain_runs: not the results"):
        cc.paired_curves(replace(TINY, lr=0.2), runs, curves)
    with pytest.raises(ValueError, match=r"holds seeds \[0\]"):
        cc.paired_curves(TINY, runs, curves[curves["seed"] == 0])


# ---- the shipped curves against fetrain's engine, as the pages test them ---------------------------


@pytest.mark.slow
@pytest.mark.crosscheck
def test_the_shipped_curves_agree_with_fetrain_s_engine():
    """fetrain's side of each shipped check, trained now, agrees with AIHWKit's shipped curves; and
    Chapter 3's AIHWKit run with the output bound of 12 stays at chance while the one with perfect
    I/O does not (Appendix A and Chapter 3 assert the same at book scale)."""
    for name in ("plain", "shifting", "mixed_precision"):
        curves, _ = cc.load_crosscheck(name)
        _, summary = cc.check_agreement(name, cc.fetrain_side(name), curves)
        assert summary["agree"].iloc[0], (name, summary)
        assert summary["margin"].iloc[0] <= 0.20, (name, summary)
    perfect = cc.load_crosscheck("ch3_perfect_io")[0]["test_accuracy"].iloc[-1]
    bounded = cc.load_crosscheck("ch3_out_bound_12")[0]["test_accuracy"].iloc[-1]
    assert bounded <= 0.15 < perfect, (perfect, bounded)
