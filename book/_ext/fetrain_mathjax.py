"""Sphinx extension of the fetrain book: equations typeset offline, with MathJax served by the book.

Sphinx loads MathJax from a CDN unless told otherwise, and a reader without network then sees raw
TeX. This extension points ``mathjax_path`` at ``_static/mathjax/tex-chtml.js`` and, when the HTML
is written, copies MathJax 3 there from the ``django-static-mathjax`` package (pinned in
``requirements.txt``): the combined TeX-to-CHTML component and the web fonts it loads, about
1.6 MB.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: Files of MathJax's ``es5`` folder the book needs: the component and the fonts it loads.
_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2")


def _mathjax_source() -> Path:
    import mathjax      # the django-static-mathjax package

    source = Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax's tex-chtml.js is not in {source}: reinstall "
                           "django-static-mathjax (requirements.txt)")
    return source


def _configure(app, config) -> None:
    _mathjax_source()                     # fail early, before any notebook runs
    config.mathjax_path = "mathjax/tex-chtml.js"


def _copy(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = _mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in _PARTS:
        src, dst = source / part, target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
