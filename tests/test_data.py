"""MNIST loading: the embedded split, and the full-MNIST path on small IDX files the test writes."""

import struct

import numpy as np
import pytest
import torch

from fetrain.train import data as fdata


def test_embedded_split():
    m = fdata.load_embedded()
    assert (len(m.train), len(m.validation), len(m.test)) == (3500, 500, 1000)
    for split, per_class in ((m.train, 350), (m.validation, 50), (m.test, 100)):
        assert torch.bincount(split.y, minlength=10).tolist() == [per_class] * 10
        assert split.x.dtype == torch.float32 and split.x.min() >= 0 and split.x.max() <= 1
    # disjoint: no image appears in two splits
    keys = [{hash(row.numpy().tobytes()) for row in s.x} for s in (m.train, m.validation, m.test)]
    assert not (keys[0] & keys[1]) and not (keys[0] & keys[2]) and not (keys[1] & keys[2])
    again = fdata.load_embedded()
    assert torch.equal(m.train.x, again.train.x) and torch.equal(m.test.y, again.test.y)
    assert "embedded 5,000-digit" in m.label


def _write_idx(folder, name, array):
    array = np.asarray(array, dtype=np.uint8)
    magic = 0x00000800 | array.ndim
    with open(folder / name, "wb") as f:
        f.write(struct.pack(">I", magic))
        for n in array.shape:
            f.write(struct.pack(">I", n))
        f.write(array.tobytes())


def test_full_mnist_from_idx_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    train_y = np.repeat(np.arange(10), 12)
    test_y = np.repeat(np.arange(10), 3)
    _write_idx(raw, "train-images-idx3-ubyte", rng.integers(0, 256, (len(train_y), 28, 28)))
    _write_idx(raw, "train-labels-idx1-ubyte", train_y)
    _write_idx(raw, "t10k-images-idx3-ubyte", rng.integers(0, 256, (len(test_y), 28, 28)))
    _write_idx(raw, "t10k-labels-idx1-ubyte", test_y)
    m = fdata.load("full", root=tmp_path, validation=20)
    assert (len(m.train), len(m.validation), len(m.test)) == (100, 20, 30)
    assert torch.bincount(m.validation.y, minlength=10).tolist() == [2] * 10
    assert m.train.x.shape[1] == 784 and float(m.train.x.max()) <= 1.0
    assert m.label.startswith("full MNIST")


def test_full_mnist_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        fdata.load("full", root=tmp_path)
    with pytest.raises(ValueError, match="root is needed"):
        fdata.load("full")
    with pytest.raises(ValueError, match="data set must be one of"):
        fdata.load("fashion")


@pytest.mark.parametrize("bad", [0, 2.5, 10**9])
def test_subset_rejects_a_bad_size_by_name(bad):
    with pytest.raises(ValueError, match=r"n_train must be an integer in 1\.\.3500; got "):
        fdata.load_embedded().subset(bad)


def test_full_mnist_rejects_a_bad_validation_size(tmp_path):
    with pytest.raises(ValueError, match="validation must be a positive multiple of 10; got 15"):
        fdata.load_full(root=tmp_path, validation=15)
