"""Every chapter of the book executed under nbval, at quick scale.

Chapters are MyST Markdown notebooks. nbval collects ``.ipynb`` files, so each chapter is converted
with jupytext into a temporary folder (never beside the sources in ``book/``) and run there by nbval
in a separate pytest process with ``FETRAIN_SCALE=quick``. The converted notebooks have no stored
outputs, hence ``--nbval-lax``: the checks are the assertions inside the chapters.
"""

import os
import subprocess
import sys

import jupytext
import pytest
from chapters import notebook_sources


@pytest.mark.slow
@pytest.mark.parametrize("source", notebook_sources(), ids=lambda p: p.stem)
def test_chapter_runs_under_nbval(source, tmp_path):
    notebook = tmp_path / f"{source.stem}.ipynb"
    jupytext.write(jupytext.read(source), notebook)
    env = dict(os.environ, FETRAIN_SCALE="quick", MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "--nbval-cell-timeout=600", "-p", "no:cacheprovider", "-q", notebook.name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{source.name} failed under nbval:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
