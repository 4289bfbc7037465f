"""Sphinx extension of the fetrain book: equations typeset offline, with MathJax served by the book.

Sphinx loads MathJax from a CDN unless told otherwise, and a reader without network then sees raw
TeX. This extension copies MathJax 3 from the ``django-static-mathjax`` package (pinned in
``requirements.txt``) into the built book — the combined TeX-to-CHTML component and its web
fonts, about 1.6 MB — and points ``mathjax_path`` at that copy.
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
    source = _mathjax_source()
    stage = Path(app.outdir).parent / "mathjax-static"
    target = stage / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    for part in _PARTS:
        src, dst = source / part, target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    config.html_static_path = [*config.html_static_path, str(stage)]
    config.mathjax_path = "mathjax/tex-chtml.js"


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
