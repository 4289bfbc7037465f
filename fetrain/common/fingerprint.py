"""Fingerprints of fetrain's code: which version of the package made a result.

Three, from the broadest. :func:`code_fingerprint` changes with any byte of the package: the book's
notebook cache uses it, so that a build never shows outputs of other code.
:func:`engine_fingerprint` changes only with the code that decides a training run's numbers — the
device, training and ground-floor subpackages, read as syntax trees without docstrings or
comments, less the modules that only store results, and the embedded characterisation data — so
that the run cache and the shipped results stay valid while the book, the figures or the
documentation change; :func:`same_numbers` also accepts the earlier engines whose numbers the
present one reproduces bit for bit. :func:`bridge_fingerprint` adds the AIHWKit bridge, for results
that AIHWKit computed. The package's files are read as they are on disk; nothing is imported.
"""

from __future__ import annotations

import ast
import hashlib
import json
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
#: the subpackages whose code decides a training run's numbers
ENGINE_PARTS: tuple[str, ...] = ("common", "device", "train")
#: the data folders whose content decides them (the embedded characterisation data set)
ENGINE_DATA: tuple[str, ...] = ("data/synthetic_hzo",)
#: modules that only store and read back what the others compute (files, the run cache,
#: checkpoints): they decide no number — the tests check that a run stored, resumed or read back
#: has the numbers of one that never left memory — so they do not enter the engine's fingerprint
STORAGE_MODULES: tuple[str, ...] = ("common/files.py", "common/storage.py", "train/checkpoint.py",
                                    "train/store.py")
#: modules that price or transform what a run produced, or build a device model whose own
#: fingerprint keys every run trained on it: they decide no number of a run given its model, so
#: they do not enter either (the wear laws enter a sweep run's signature on their own)
PRICING_MODULES: tuple[str, ...] = ("device/wear.py", "device/aging.py")
#: keys of a data folder's JSON records that describe it in words and decide no number
PROSE_KEYS: tuple[str, ...] = ("description", "generator")


def code_fingerprint() -> str:
    """SHA-256 (first 12 hex digits) over every source and data file of fetrain: the code version.

    Returns
    -------
    str
        12 hexadecimal digits.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _without_docstrings(source: str) -> str:
    """The module's syntax tree as text, docstrings removed (comments are never in it)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _data_bytes(path: Path) -> bytes:
    """A data file as it enters a fingerprint: byte for byte, but a JSON record without the keys
    that only describe it in words (:data:`PROSE_KEYS`)."""
    if path.suffix != ".json":
        return path.read_bytes()
    record = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(record, dict):
        record = {k: v for k, v in record.items() if k not in PROSE_KEYS}
    return json.dumps(record, sort_keys=True).encode()


@cache
def source_fingerprint(parts: tuple[str, ...], data: tuple[str, ...] = ENGINE_DATA) -> str:
    """SHA-256 (first 12 hex digits) over the code of some subpackages and some data folders.

    Python modules enter as syntax trees without docstrings: a change of documentation, comments
    or layout leaves the fingerprint as it was; a change of what the code does changes it. Data
    files enter byte for byte, JSON records without their prose (:data:`PROSE_KEYS`). A
    subpackage's ``__init__.py`` only names its main entry points (the architecture tests check
    it), so it does not enter; nor do the storage modules (:data:`STORAGE_MODULES`). Computed
    once per process (the sources do not change while it runs).

    Parameters
    ----------
    parts : tuple of str
        Subpackages of fetrain (``"device"``, ``"train"``, …).
    data : tuple of str
        Folders under the package whose files enter byte for byte.

    Returns
    -------
    str
        12 hexadecimal digits.
    """
    digest = hashlib.sha256()
    for part in parts:
        for path in sorted((PACKAGE / part).rglob("*.py")):
            if (path.name == "__init__.py"
                    or path.relative_to(PACKAGE).as_posix() in STORAGE_MODULES + PRICING_MODULES):
                continue
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(_without_docstrings(path.read_text(encoding="utf-8")).encode())
    for folder in data:
        for path in sorted((PACKAGE / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(PACKAGE).as_posix().encode())
                digest.update(_data_bytes(path))
    return digest.hexdigest()[:12]


def engine_fingerprint() -> str:
    """The version of the code that decides a training run's numbers (see the module's text).

    Returns
    -------
    str
        12 hexadecimal digits.
    """
    return source_fingerprint(ENGINE_PARTS)


#: Earlier engines whose numbers the present one reproduces bit for bit for the rules they had:
#: canonical runs of every rule, recorded by the engine that introduced it, are trained again and
#: compared array by array in the test suite (``tests/test_engine_golden.py``); results made by
#: these engines stay valid
SAME_NUMBERS_AS: tuple[str, ...] = ("b88d959fd6c9", "03c387eecb89", "9f015d7e8ad9")

#: Earlier bridges whose AIHWKit runs the present code makes alike: the bridge's own code is
#: unchanged and only engine parts changed whose numbers are the same (:data:`SAME_NUMBERS_AS`,
#: the golden runs) — the device models, initial weights and data order an AIHWKit run takes
#: from fetrain are the same, so its results stay valid
BRIDGE_SAME_NUMBERS_AS: tuple[str, ...] = ("ca00f30bb9df",)


def same_numbers(fingerprint: str) -> bool:
    """Whether results made by the engine ``fingerprint`` are results of the present engine: it is
    the present engine, or an earlier one whose numbers the present one reproduces bit for bit
    (:data:`SAME_NUMBERS_AS`).

    Parameters
    ----------
    fingerprint : str
        An engine fingerprint (12 hexadecimal digits).

    Returns
    -------
    bool
    """
    return fingerprint == engine_fingerprint() or fingerprint in SAME_NUMBERS_AS


def same_bridge_numbers(fingerprint: str) -> bool:
    """Whether AIHWKit results made with the bridge ``fingerprint`` are results of the present
    code: it is the present bridge, or one of :data:`BRIDGE_SAME_NUMBERS_AS`.

    Parameters
    ----------
    fingerprint : str
        A bridge fingerprint (12 hexadecimal digits).

    Returns
    -------
    bool
    """
    return fingerprint == bridge_fingerprint() or fingerprint in BRIDGE_SAME_NUMBERS_AS


def bridge_fingerprint() -> str:
    """The version of the code that decides an AIHWKit run's numbers: the engine's parts (the
    device model, initial weights, data order) and the bridge.

    Returns
    -------
    str
        12 hexadecimal digits.
    """
    return source_fingerprint(ENGINE_PARTS + ("bridge",))
