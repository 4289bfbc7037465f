"""Test-session set-up: the tests train for real, in a run cache of their own.

``FETRAIN_CACHE`` points at a fresh temporary folder for the whole session (the chapters run under
nbval inherit it), so that a second test run trains again instead of reading the runs of an earlier
one from the user's cache; ``FETRAIN_NO_FETCH`` makes a data set that is not in it an error, never a
download. Tests marked ``slow`` (a chapter, a negative control against AIHWKit) run by default, as
CI runs them; ``-m "not slow"`` skips them while developing.

Tests marked ``crosscheck`` train both engines over seeds and test that their learning curves agree
statistically. Appendix A asserts the same agreements at book scale in the book build that CI runs,
so the default test run leaves them out (``addopts`` in pyproject.toml); a change to the engine or
the bridge is checked without building the book by ``pytest -m crosscheck``.
"""

import os
import shutil
import tempfile

import pytest

_CACHE = tempfile.mkdtemp(prefix="fetrain-test-cache-")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: trains for tens of seconds or more (CI runs it)")
    config.addinivalue_line("markers", "crosscheck: statistical agreement with AIHWKit over seeds "
                                       "(asserted in CI by Appendix A at book scale; run with "
                                       "-m crosscheck)")
    os.environ["FETRAIN_CACHE"] = _CACHE
    os.environ["FETRAIN_NO_FETCH"] = "1"          # the tests never download (full MNIST)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """The chapters' tests last, and their notebooks started now (after any deselection): they
    run in the background, beside the other tests, instead of holding the session up while they
    run alone."""
    chapters = [item for item in items if item.path.name == "test_chapters.py"]
    if not chapters:
        return
    items[:] = [item for item in items if item.path.name != "test_chapters.py"] + chapters
    if config.option.collectonly:
        return
    module = chapters[0].module
    module.start([item.callspec.params["source"] for item in chapters])


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def run_cache() -> str:
    """The session's run cache folder."""
    return os.environ["FETRAIN_CACHE"]
