"""The ``fetrain`` command: one parser, every subcommand with help and an example, clear errors."""

import subprocess
import sys

import pytest

from fetrain.cli import main, parser

SUBCOMMANDS = [["reproduce"], ["tune"], ["data"], ["data", "fetch"], ["device"], ["device", "fit"], ["experiments"],
               ["experiments", "pilot"], ["experiments", "robustness"], ["bench"], ["synthetic"]]


def help_text(args, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        parser().parse_args([*args, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_command_lists_every_subcommand(capsys):
    text = help_text([], capsys)
    for name in ("reproduce", "device", "experiments", "bench", "synthetic"):
        assert name in text
    assert "examples:" in text


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help_with_an_example(args, capsys):
    text = help_text(args, capsys)
    assert "example" in text and "fetrain " + " ".join(args) in text, text
    assert "``" not in text and "**" not in text, "raw markup in --help"


def test_shared_options_are_spelled_the_same(capsys):
    for args in (["reproduce"], ["experiments", "robustness"]):
        text = help_text(args, capsys)
        assert "--out" in text and "--seeds" in text and "--epochs" in text and "--no-progress" in text


def test_an_unknown_subcommand_is_named(capsys):
    with pytest.raises(SystemExit) as done:
        main(["reproduc"])
    assert done.value.code == 2
    assert "'reproduc'" in capsys.readouterr().err


@pytest.mark.parametrize("args, needle", [
    (["experiments", "robustness", "--seeds", "-1"], "seeds are distinct integers"),
    (["experiments", "robustness", "--seeds", "0,0"], "seeds are distinct integers"),
    (["experiments", "pilot", "--out", "x", "--epochs", "0"], "an integer ≥ 1"),
    (["bench", "--rounds", "0"], "an integer ≥ 1"),
])
def test_bad_arguments_are_refused_before_any_work(args, needle, capsys):
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2 and needle in capsys.readouterr().err


def test_bench_checks_its_output_before_measuring(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SystemExit) as done:
        main(["bench", "--csv", str(blocker / "bench.csv")])
    assert done.value.code == 2 and "not writable" in capsys.readouterr().err


def test_python_dash_m_fetrain_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "fetrain", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "reproduce" in out.stdout
