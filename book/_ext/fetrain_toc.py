"""Sphinx extension of the fetrain book: the introduction's list of chapters, made from ``_toc.yml``.

The ``chapter-list`` directive writes a table with one row per page of the book's table of
contents (the root page left out): the page's title, linked, and the one-line ``summary`` of the
page's front matter. Adding, removing or renaming a chapter therefore changes the list by itself;
a page without a summary is a build warning (an error under ``-W``), naming the page.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: the front-matter key that holds a page's one-line summary
SUMMARY_KEY = "summary"


def _toc_path(app) -> Path:
    """The table of contents Jupyter Book builds from (``external_toc_path``, else ``_toc.yml``)."""
    configured = getattr(app.config, "external_toc_path", None) or "_toc.yml"
    path = Path(configured)
    return path if path.is_absolute() else Path(app.srcdir) / path


def _toc_parts(toc: dict) -> list[tuple[str, list[str]]]:
    """(caption, [file, ...]) for each part of a ``jb-book`` table of contents, in reading order."""
    parts = []
    for part in toc.get("parts", []):
        files = [entry["file"] for entry in part.get("chapters", []) if "file" in entry]
        parts.append((part.get("caption", ""), files))
    if not parts and "chapters" in toc:
        parts.append(("", [entry["file"] for entry in toc["chapters"] if "file" in entry]))
    return parts


def _front_matter(path: Path) -> dict:
    """The YAML front matter of a MyST page (between the first two ``---`` lines), or {}."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    return yaml.safe_load(text[3:end]) or {}


def _source_of(srcdir: Path, docname: str) -> Path | None:
    for suffix in (".md", ".ipynb", ".rst"):
        candidate = srcdir / (docname + suffix)
        if candidate.exists():
            return candidate
    return None


class ChapterList(Directive):
    """``chapter-list``: the table of the book's pages with their summaries, from ``_toc.yml``."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        app = env.app
        toc_path = _toc_path(app)
        env.note_dependency(str(toc_path))
        toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
        srcdir = Path(app.srcdir)

        table = nodes.table(classes=["chapter-list"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=35)
        group += nodes.colspec(colwidth=65)
        head = nodes.thead()
        head += self._row(nodes.Text("page"), nodes.Text("what it does"))
        group += head
        body = nodes.tbody()
        group += body
        for caption, files in _toc_parts(toc):
            for docname in files:
                source = _source_of(srcdir, docname)
                if source is None:
                    logger.warning(f"chapter-list: {docname} in {toc_path.name} has no source file",
                                   location=env.docname)
                    continue
                env.note_dependency(str(source))
                summary = _front_matter(source).get(SUMMARY_KEY)
                if not summary:
                    logger.warning(f"chapter-list: {source.relative_to(srcdir)} has no '{SUMMARY_KEY}:' "
                                   "line in its front matter (a one-line description for the "
                                   "introduction's list)", location=env.docname)
                    summary = ""
                link = addnodes.pending_xref("", refdomain="std", reftype="doc",
                                             reftarget="/" + docname, refexplicit=False,
                                             refwarn=True, refdoc=env.docname)
                link += nodes.inline("", "")
                description = nodes.paragraph()
                description += self.state.inline_text(str(summary), self.lineno)[0]
                body += self._row(link, description, caption)
        return [table]

    @staticmethod
    def _row(first, second, part: str = ""):
        row = nodes.row(classes=[f"part-{part.lower()}"] if part else [])
        for content in (first, second):
            entry = nodes.entry()
            paragraph = content if isinstance(content, nodes.paragraph) else nodes.paragraph("", "", content)
            entry += paragraph
            row += entry
        return row


def setup(app):
    app.add_directive("chapter-list", ChapterList)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
