"""Checkpoints of training: the whole state of an engine after an epoch, as one file.

A checkpoint is a single safetensors file, ``checkpoint.safetensors``: the engine's arrays, and in
its header the history so far, the generators' states, the number of epochs done, what the
checkpoint belongs to (configurations and data) and a SHA-256 of the arrays. It is written under a
temporary name and renamed into place in one step, so a kill leaves the previous checkpoint or the
new one; state and history can never come from different epochs. A checkpoint that cannot be read,
or whose arrays do not match their SHA-256, is a :class:`~fetrain.common.storage.DamagedFile`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..common.storage import DamagedFile, replacing

#: the checkpoint's file name inside a checkpoint folder
CHECKPOINT_FILE = "checkpoint.safetensors"


def _arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    sha = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        sha.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        sha.update(a.tobytes())
    return sha.hexdigest()


def save_checkpoint(folder: str | Path, signature: str, arrays: dict[str, np.ndarray],
                    engine_meta: dict, epochs_done: int, history: list) -> Path:
    """Write a checkpoint atomically (one file, one rename).

    Parameters
    ----------
    folder : str or pathlib.Path
        The checkpoint folder (created if missing).
    signature : str
        What the checkpoint belongs to (the configurations and the data, as text).
    arrays : dict of str to numpy.ndarray
        The engine's state arrays.
    engine_meta : dict
        The engine's JSON-ready state (generators, samples seen).
    epochs_done : int
        Epochs finished.
    history : list
        The history rows so far, per configuration (JSON-ready).

    Returns
    -------
    pathlib.Path
        The checkpoint file.
    """
    from safetensors.numpy import save_file

    path = Path(folder) / CHECKPOINT_FILE
    header = {"signature": signature, "epochs_done": str(int(epochs_done)),
              "engine": json.dumps(engine_meta), "history": json.dumps(history),
              "arrays_sha256": _arrays_digest(arrays)}
    with replacing(path) as tmp:
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(tmp),
                  metadata=header)
    return path


def load_checkpoint(folder: str | Path) -> dict | None:
    """Read a checkpoint back, whole and verified, or None if the folder holds none.

    Parameters
    ----------
    folder : str or pathlib.Path
        The checkpoint folder.

    Returns
    -------
    dict or None
        ``signature`` (str), ``epochs_done`` (int), ``engine`` (dict), ``history`` (list) and
        ``arrays`` (dict of numpy arrays).

    Raises
    ------
    DamagedFile
        If the file cannot be read or its arrays differ from their SHA-256.
    """
    from safetensors import safe_open

    path = Path(folder) / CHECKPOINT_FILE
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="numpy") as handle:
            header = handle.metadata() or {}
            arrays = {name: handle.get_tensor(name) for name in handle.keys()}
        record = {"signature": header["signature"], "epochs_done": int(header["epochs_done"]),
                  "engine": json.loads(header["engine"]), "history": json.loads(header["history"]),
                  "arrays": arrays}
        expected = header["arrays_sha256"]
    except Exception as err:  # noqa: BLE001 (any failure to read is a damaged file)
        raise DamagedFile(path, f"unreadable ({type(err).__name__}: {err})") from None
    if _arrays_digest(arrays) != expected:
        raise DamagedFile(path, "its arrays differ from their SHA-256 (altered on disk)")
    return record


def remove_checkpoint(folder: str | Path) -> None:
    """Delete a checkpoint folder's checkpoint (and the folder, when it is left empty)."""
    folder = Path(folder)
    (folder / CHECKPOINT_FILE).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass


def checkpoint_epochs(folder: str | Path) -> int:
    """The epochs a checkpoint folder holds (0 when it holds none or a damaged one)."""
    try:
        found = load_checkpoint(folder)
    except DamagedFile:
        return 0
    return 0 if found is None else found["epochs_done"]
