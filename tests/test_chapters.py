"""Every chapter of the book executed under nbval, at quick scale.

Chapters are MyST Markdown notebooks. nbval collects ``.ipynb`` files, so each chapter is converted
with jupytext into a temporary folder (never beside the sources in ``book/``) and run there by nbval
in a separate pytest process with ``FETRAIN_SCALE=quick``. The converted notebooks have no stored
outputs, hence ``--nbval-lax``: the checks are the assertions inside the chapters.

The chapters run side by side, one process per core, as the book build executes them: a chapter
that reads another chapter's runs from the session's run cache names it in its front matter
(``execute_after``) and starts once that one has finished. They start when the tests are
collected (``conftest.py`` puts the chapters' tests last), so that they run in the background
beside the other tests; each test waits for its own chapter.
"""

import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import jupytext
import pytest
import yaml
from chapters import ROOT, notebook_sources

SOURCES = notebook_sources()


def _after(source: Path) -> list[str]:
    text = source.read_text(encoding="utf-8")
    front = yaml.safe_load(text[3:text.find("\n---", 3)]) if text.startswith("---") else {}
    return [str(ROOT / f"{name}.md") for name in front.get("execute_after", []) or []]


def _run(source: Path, folder: Path, environ: dict) -> subprocess.CompletedProcess:
    notebook = folder / f"{source.stem}.ipynb"
    jupytext.write(jupytext.read(source), notebook)
    env = dict(environ, FETRAIN_SCALE="quick", MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "--nbval-cell-timeout=600", "-p", "no:cacheprovider", "-q", notebook.name],
        cwd=folder, env=env, capture_output=True, text=True, timeout=1800)


class _Chapters:
    """Runs every chapter once, ``workers`` at a time, each after the chapters it names."""

    def __init__(self, workers: int) -> None:
        # the environment of the session as it starts: a test that changes a variable for
        # itself never reaches a chapter started meanwhile
        self._environ = dict(os.environ)
        self._folder = Path(tempfile.mkdtemp(prefix="fetrain-chapters-"))
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()

    def result(self, source: Path) -> subprocess.CompletedProcess:
        return self._submit(source).result()

    def _submit(self, source: Path) -> Future:
        with self._lock:
            key = str(source)
            if key not in self._futures:
                deps = [self._futures_for(d) for d in _after(source)]
                self._futures[key] = self._pool.submit(self._after_deps, deps, source)
            return self._futures[key]

    def _futures_for(self, path: str) -> Future:
        if path not in self._futures:
            deps = [self._futures_for(d) for d in _after(Path(path))]
            self._futures[path] = self._pool.submit(self._after_deps, deps, Path(path))
        return self._futures[path]

    def _after_deps(self, deps, source: Path):
        for dep in deps:
            dep.result()
        return _run(source, self._folder, self._environ)

    def start_all(self) -> None:
        for source in SOURCES:
            self._submit(source)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


_RUNNER: list = []


def start(sources) -> None:
    """Start the chapters ``sources`` (and those they wait for) in the background, once: the
    chapters others wait for first, then the rest in book order."""
    if _RUNNER:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    runner = _Chapters(workers=max(1, min(2, cores or 1)))
    waited_for = {d for s in SOURCES for d in _after(s)}
    for source in sorted(sources, key=lambda s: str(s) not in waited_for):
        runner._submit(source)
    _RUNNER.append(runner)


@pytest.fixture(scope="session")
def chapters():
    start(SOURCES)
    yield _RUNNER[0]
    _RUNNER[0].close()


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_chapter_runs_under_nbval(source, chapters):
    result = chapters.result(source)
    assert result.returncode == 0, (f"{source.name} failed under nbval:\n{result.stdout[-8000:]}\n"
                                    f"{result.stderr[-2000:]}")
