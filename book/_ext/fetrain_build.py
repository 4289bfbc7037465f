"""Sphinx extension of the fetrain book: never serve notebook outputs computed elsewhere.

The book executes its chapters with ``execute_notebooks: cache``. The jupyter-cache key is the
notebook's code, which does not change when the scale knob (``FETRAIN_SCALE``) or the fetrain
package changes. This extension therefore gives every (scale, fetrain source) pair its own cache
folder, ``_build/.jupyter_cache/<scale>-<fingerprint>``, removes the folders of other fingerprints,
and registers the key as a Sphinx setting that rebuilds the environment when it changes. A build
at one scale, or after a change to fetrain, re-executes every chapter.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fetrain.common import scale
from fetrain.common.fingerprint import code_fingerprint as package_fingerprint


def _configure(app, config) -> None:
    key = f"{scale.current().name}-{package_fingerprint()}"
    config.fetrain_build_key = key
    cache_root = Path(app.outdir).parent / ".jupyter_cache"
    if cache_root.is_dir():
        for old in cache_root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(cache_root / key)


def setup(app):
    app.add_config_value("fetrain_build_key", "", "env")
    app.connect("config-inited", _configure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
