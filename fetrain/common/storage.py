"""Stored results that are whole or not used at all.

Every file fetrain keeps (a run's history, the run cache, checkpoints, the tables it ships) goes
through this module:

* **writes are atomic** — a file is written under a temporary name beside its place, flushed to
  disk, and renamed into place in one step (:func:`replacing`), so a kill leaves the old file or
  the new one, never half of one;
* **a folder is done when its manifest says so** — :func:`seal` writes ``manifest.json`` last,
  with each file's size and SHA-256; :func:`problem` and :func:`check_file` compare the files with
  it, so a truncated, replaced or damaged file is found before it is read;
* **reads never hand on damage** — :func:`read_csv` and :func:`read_json` turn every parse error
  into a :class:`DamagedFile` that names the file (never a bare ``UnicodeDecodeError``);
* **one writer at a time** — :func:`locked` holds a file lock (the ``filelock`` library; the
  operating system releases it when a process dies) on an output folder or a cache entry; a second
  command waits, and says who holds it.

Callers decide what a damaged file means: work that can be redone is redone with a one-line
:func:`notice`; a shipped table, which cannot, is an error that says how to remake it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

#: the file that seals a folder: each file's size (bytes) and SHA-256, written last
MANIFEST = "manifest.json"


class DamagedFile(ValueError):
    """A stored file that is missing, incomplete, altered or unreadable.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    problem : str
        What is wrong with it, in words.
    """

    def __init__(self, path: str | Path, problem: str, remedy: str = ""):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" + (f"; {remedy}" if remedy else ""))


def notice(message: str) -> None:
    """Tell the reader, in one line on standard error, about something fetrain did on its own
    (a damaged file redone, a lock waited for)."""
    print(f"fetrain: {message}", file=sys.stderr, flush=True)


# ---- atomic writes ---------------------------------------------------------------------------


@contextmanager
def replacing(path: str | Path):
    """Write a file atomically: yields a temporary path beside ``path`` to write to; when the
    block ends without an error the file is flushed to disk and renamed to ``path`` in one step.
    On an error (or a kill) ``path`` keeps its old content and the temporary file is removed.

    Parameters
    ----------
    path : str or pathlib.Path
        The file's final name; its folder is created if missing.

    Yields
    ------
    pathlib.Path
        The temporary name to write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`replacing`); returns ``path``."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (:func:`replacing`); returns ``path``."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, record) -> Path:
    """Write ``record`` as indented JSON (no NaN) to ``path`` atomically; returns ``path``."""
    return write_text(path, json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False) + "\n")


def write_csv(path: str | Path, frame, **options) -> Path:
    """Write a table as CSV (without its index; ``options`` go to ``DataFrame.to_csv``) to
    ``path`` atomically; returns ``path``."""
    return write_text(path, frame.to_csv(index=False, **options))


# ---- manifests ---------------------------------------------------------------------------------


def digest(path: str | Path) -> dict:
    """A file's size (bytes) and SHA-256 (hex), as a manifest records them."""
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return {"bytes": size, "sha256": sha.hexdigest()}


def seal(folder: str | Path, names, **record) -> Path:
    """Write ``folder/manifest.json`` (atomically, after the files): each named file's size and
    SHA-256, and ``record`` (what made the files). A folder is done when its manifest exists and
    matches (:func:`problem`).

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder.
    names : iterable of str
        The files of the folder the manifest vouches for.
    **record
        Further JSON-ready entries of the manifest.

    Returns
    -------
    pathlib.Path
        The manifest.
    """
    folder = Path(folder)
    files = {name: digest(folder / name) for name in sorted(names)}
    return write_json(folder / MANIFEST, {"files": files, **record})


def manifest(folder: str | Path) -> dict:
    """The manifest of ``folder``.

    Raises
    ------
    DamagedFile
        If the manifest is missing or unreadable.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise DamagedFile(path, "missing (the folder was never finished)")
    record = read_json(path)
    files = record.get("files") if isinstance(record, dict) else None
    if not (isinstance(files, dict) and all(isinstance(v, dict) for v in files.values())):
        raise DamagedFile(path, "is not a fetrain manifest")
    return record


def _compare(path: Path, expected: dict) -> str | None:
    if not path.is_file():
        return "missing"
    found = digest(path)
    if found["bytes"] != expected.get("bytes"):
        return f"{found['bytes']:,} bytes where its manifest records {expected.get('bytes')!r}"
    if found["sha256"] != expected.get("sha256"):
        return "altered since it was written (its SHA-256 differs from its manifest's)"
    return None


def check_file(path: str | Path) -> Path:
    """Check one file against the manifest of its folder.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DamagedFile
        If the manifest is missing or unreadable, does not list the file, or the file is
        missing, of another size or altered.
    """
    path = Path(path)
    files = manifest(path.parent)["files"]
    if path.name not in files:
        raise DamagedFile(path, f"not listed in {path.parent / MANIFEST}")
    found = _compare(path, files[path.name])
    if found:
        raise DamagedFile(path, found)
    return path


def check_folder(folder: str | Path) -> dict:
    """Check a sealed folder: its manifest exists and every file it lists is there, of its size
    and unaltered.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    DamagedFile
        Naming the first file that is missing, of another size or altered (or the manifest).
    """
    folder = Path(folder)
    record = manifest(folder)
    for name, expected in record["files"].items():
        found = _compare(folder / name, expected)
        if found:
            raise DamagedFile(folder / name, found)
    return record


def problem(folder: str | Path) -> str | None:
    """What is wrong with a sealed folder (:func:`check_folder`), in words naming the file, or
    None if nothing is."""
    try:
        check_folder(folder)
    except DamagedFile as err:
        return str(err)
    return None


# ---- reads that name the file -------------------------------------------------------------------


def read_json(path: str | Path):
    """A JSON file's content; any failure is a :class:`DamagedFile` naming it."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedFile(path, "missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise DamagedFile(path, f"unreadable as JSON ({type(err).__name__}: {err})") from None


def read_csv(path: str | Path, verify: bool = True, **options):
    """A CSV table, checked first against its folder's manifest (``verify``); any failure is a
    :class:`DamagedFile` naming the file. ``options`` go to ``pandas.read_csv``."""
    import pandas as pd

    path = Path(path)
    if verify:
        check_file(path)
    try:
        return pd.read_csv(path, **options)
    except FileNotFoundError:
        raise DamagedFile(path, "missing") from None
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.EmptyDataError) as err:
        raise DamagedFile(path, f"unreadable as CSV ({type(err).__name__}: {err})") from None


# ---- locks -------------------------------------------------------------------------------------


def _holder(path: Path) -> str:
    try:
        who = json.loads(path.read_text(encoding="utf-8"))
        since = time.strftime("%H:%M:%S", time.localtime(who["since"]))
        return f"process {who['pid']} on {who['host']} ({who['command']}, since {since})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def locked(path: str | Path, what: str, timeout_s: float | None = None, quiet: bool = False):
    """Hold a lock while the block runs: one writer at a time for an output folder (its lock
    file is ``<folder>/.lock``) or a cache entry (``<entry>.lock`` beside it).

    The lock is held through the ``filelock`` library: the operating system releases it when the
    holder ends, however it ends. A command that finds it held prints who holds it and waits.

    Parameters
    ----------
    path : str or pathlib.Path
        The lock file (its folder is created if missing).
    what : str
        What the lock protects, in words, for the message.
    timeout_s : float, optional
        Longest wait (s); None: wait as long as it takes.
    quiet : bool
        Wait without saying so (a book chapter that waits for another reading the same runs).

    Raises
    ------
    TimeoutError
        If the lock stays held past ``timeout_s``.
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder_path = path.with_name(path.name + ".holder")
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not quiet:
            notice(f"{what} is in use by {_holder(holder_path)}; waiting for it to finish")
        try:
            lock.acquire(timeout=-1 if timeout_s is None else timeout_s)
        except Timeout:
            raise TimeoutError(f"{what} stayed locked by {_holder(holder_path)} for "
                               f"{timeout_s:g} s") from None
    try:
        holder_path.write_text(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
            "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:]) or "python"}),
            encoding="utf-8")
        yield
    finally:
        holder_path.unlink(missing_ok=True)
        lock.release()
