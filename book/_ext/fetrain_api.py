"""Sphinx extension of the fetrain book: its API reference page (autodoc with numpydoc sections).

fetrain's docstrings write magnitudes the way the physics does, ``|V|`` or ``|Δw|``; reST would
read those as substitution references. This extension escapes them before the docstrings are
parsed.
"""

from __future__ import annotations

import re

#: ``|x|`` with a short body and no spaces at its ends: a magnitude, not a table or a substitution
_MAGNITUDE = re.compile(r"(?<![\\|`\w])\|(?=\S)([^|\n`]{1,24}?)(?<=\S)\|(?![|\w])")


def _escape_magnitudes(app, what, name, obj, options, lines) -> None:
    for k, line in enumerate(lines):
        lines[k] = _MAGNITUDE.sub(r"\\|\1\\|", line)


def setup(app):
    app.connect("autodoc-process-docstring", _escape_magnitudes, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
