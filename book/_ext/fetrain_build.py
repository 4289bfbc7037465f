"""Sphinx extension of the fetrain book: notebook outputs of this scale and code only, executed
side by side.

**A cache per scale and code.** The book executes its chapters with ``execute_notebooks: cache``.
The jupyter-cache key is the notebook's code, which does not change when the scale knob
(``FETRAIN_SCALE``) or the fetrain package changes. This extension therefore gives every (scale,
fetrain source) pair its own cache folder, ``_build/.jupyter_cache/<scale>-<fingerprint>``, removes
the folders of other fingerprints, and registers the key as a Sphinx setting that rebuilds the
environment when it changes. A build at one scale, or after a change to fetrain, re-executes every
chapter.

**Side by side.** Sphinx reads (and MyST-NB executes) one page after the other, while much of a
chapter's time is single-threaded (starting a kernel, importing, plotting, fitting, AIHWKit). Before
the pages are read, this extension executes the notebooks that the cache lacks in parallel, one
kernel per core, and stores them in the same cache, where MyST-NB then finds them. A page that
reads another page's results (from fetrain's run cache) names it in its front matter::

    execute_after: [book/03_plain_sgd]

and is executed only once that page has finished. A notebook that fails here is left out of the
cache: MyST-NB executes it again in its turn and reports the error as usual, so the build fails
the same way it would without this extension.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from sphinx.util import logging

from fetrain.common import scale
from fetrain.common.fingerprint import code_fingerprint as package_fingerprint

logger = logging.getLogger(__name__)

#: the front-matter key naming the pages a page must be executed after
AFTER_KEY = "execute_after"


def _configure(app, config) -> None:
    key = f"{scale.current().name}-{package_fingerprint()}"
    config.fetrain_build_key = key
    cache_root = Path(app.outdir).parent / ".jupyter_cache"
    if cache_root.is_dir():
        for old in cache_root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(cache_root / key)


# ---- executing the notebooks side by side --------------------------------------------------------


def _execute(path: str, notebook: str, timeout: int, allow_errors: bool):
    """Execute one notebook (in a worker process): (path, executed notebook as JSON or None,
    seconds, error text)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.reads(notebook, as_version=4)
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=allow_errors, meta_override=True)
    if result.err is not None:
        return path, None, result.time, f"{type(result.err).__name__}: {result.err}"
    return path, nbformat.writes(nb), result.time, ""


def _notebook_pages(app) -> list[tuple[str, Path, dict]]:
    """(docname, source, front matter) of every notebook page of the table of contents."""
    import yaml

    import fetrain_toc

    toc_path = fetrain_toc._toc_path(app)
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    docnames = [toc["root"]] + [f for _, files in fetrain_toc._toc_parts(toc) for f in files]
    pages = []
    for docname in dict.fromkeys(docnames):
        source = fetrain_toc._source_of(Path(app.srcdir), docname)
        if source is None or source.suffix != ".md":
            continue
        front = fetrain_toc._front_matter(source)
        if "kernelspec" in front:
            pages.append((docname, source, front))
    return pages


def _order(pending: dict[str, list[str]], toc_order: list[str]) -> list[str]:
    """Ready pages first by how many pages wait on them (directly or not), then in book order."""
    waiting: dict[str, int] = {}

    def dependents(page: str) -> set[str]:
        out = {p for p, after in pending.items() if page in after}
        for p in list(out):
            out |= dependents(p)
        return out

    for page in pending:
        waiting[page] = len(dependents(page))
    return sorted(pending, key=lambda p: (-waiting[p], toc_order.index(p)))


def _pre_execute(app) -> None:
    if app.config.nb_execution_mode != "cache" or app.builder.format != "html":
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    cache = get_cache(app.config.nb_execution_cache_path)
    md_config = getattr(app.env, "myst_config", None) or MdParserConfig()
    pages = _notebook_pages(app)
    toc_order = [docname for docname, _, _ in pages]
    notebooks, after = {}, {}
    for docname, source, front in pages:
        nb = read_myst_markdown_notebook(source.read_text(encoding="utf-8"), config=md_config,
                                         add_source_map=True, path=str(source))
        try:
            cache.match_cache_notebook(nb)
            continue                                  # executed before, with this code
        except KeyError:
            pass
        notebooks[docname] = (source, nb)
        unknown = [p for p in front.get(AFTER_KEY, []) or [] if p not in toc_order]
        if unknown:
            logger.warning(f"{source.name}: {AFTER_KEY} names pages not in the book: {unknown}")
        after[docname] = [p for p in front.get(AFTER_KEY, []) or [] if p in toc_order]
    if len(notebooks) < 2:
        return                                        # nothing to gain: MyST-NB executes it
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else (os.cpu_count() or 1), len(notebooks))
    if workers < 2:
        return
    logger.info(f"fetrain_build: executing {len(notebooks)} notebooks, {workers} at a time")
    pending = {page: [p for p in deps if p in notebooks] for page, deps in after.items()}
    failed: set[str] = set()
    start = time.perf_counter()
    timeout, allow_errors = app.config.nb_execution_timeout, app.config.nb_execution_allow_errors
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        running = {}
        while pending or running:
            for page in _order(pending, toc_order):
                if len(running) >= workers:
                    break
                if any(dep in pending or dep in running.values() for dep in pending[page]):
                    continue
                deps = pending.pop(page)
                if failed.intersection(deps):         # its input failed: MyST-NB reports it
                    failed.add(page)
                    continue
                source, nb = notebooks[page]
                future = pool.submit(_execute, str(source), nbformat.writes(nb), timeout,
                                     allow_errors)
                running[future] = page
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                page = running.pop(future)
                source, nb = notebooks[page]
                path, executed, seconds, error = future.result()
                if error:
                    failed.add(page)
                    logger.info(f"fetrain_build: {source.name} failed ({error.splitlines()[0]}); "
                                "MyST-NB will execute it again and report the error")
                    continue
                cache.cache_notebook_bundle(
                    CacheBundleIn(nbformat.reads(executed, as_version=4), str(source),
                                  data={"execution_seconds": seconds}),
                    check_validity=False, overwrite=True)
                logger.info(f"fetrain_build: executed {source.name} in {seconds:.0f} s")
    summary = {"notebooks": len(notebooks), "workers": workers, "failed": sorted(failed),
               "seconds": round(time.perf_counter() - start, 1)}
    logger.info(f"fetrain_build: {json.dumps(summary)}")


def setup(app):
    app.add_config_value("fetrain_build_key", "", "env")
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _pre_execute, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
