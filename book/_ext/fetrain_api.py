"""Sphinx extension of the fetrain book: its API reference (``book/api/``), one page per subpackage.

What it adds to ``sphinx.ext.autodoc`` and ``napoleon``:

* the ``fetrain-summary`` directive, ```` ```{fetrain-summary} fetrain.device ```` ````: a table of
  the subpackage's main entry points (its ``__all__``; for a subpackage without one, its modules),
  each name linked to the entry of the module that defines it (an object exported by a
  subpackage's ``__init__`` is documented once, in its module), with the first sentence of its
  docstring (or of its ``#:`` comment, for a constant);
* readable constants: numbers show as plain numbers (``0.5``, not ``np.float64(0.5)``), in
  values and in signatures; a dictionary whose values are short (text, numbers, tuples of them,
  classes) shows as a table under its description; any other value whose text is long, and any
  path (it would show the builder's own folders), is left out of the page;
* the ``fetrain-modules`` directive: one section per module of a subpackage, each its
  ``automodule``, in the order the page names them, then any module the page does not name;
* the ``fetrain-commands`` directive: the ``--help`` of the ``fetrain`` command and of each of
  its subcommands, as the command prints it;
* a check that every module of ``fetrain`` is documented on a page of the book: a module missing
  from the API reference is a build warning (an error under ``-W``) that names it;
* magnitudes: fetrain's docstrings write them the way the physics does, ``|V|`` or ``|Δw|``; reST
  would read those as substitution references, so they are escaped before the docstrings are
  parsed.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import os
import pkgutil
import re
import sys
import textwrap
from pathlib import Path, PurePath

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.parsers.rst import Parser as RSTParser
from docutils.statemachine import StringList
from docutils.utils import new_document
from sphinx import addnodes
from sphinx.ext.autodoc import AttributeDocumenter, DataDocumenter
from sphinx.ext.napoleon.docstring import _single_colon_regex, _xref_or_code_regex
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: ``|x|`` with a short body and no spaces at its ends: a magnitude, not a table or a substitution
_MAGNITUDE = re.compile(r"(?<![\\|`\w])\|(?=\S)([^|\n`]{1,24}?)(?<=\S)\|(?![|\w])")

#: the text of a NumPy scalar's repr, ``np.float64(0.5)``: shown as ``0.5``
_NUMPY_SCALAR = re.compile(r"\bnp\.(?:float|int|uint|bool_?|complex|str_)\w*\((.*?)\)")

#: longest value (in characters) shown beside a constant's name; longer ones become a table or
#: are left out
MAX_VALUE_CHARS = 90

#: longest dictionary shown as a table (rows), and longest text of one of its cells
MAX_TABLE_ROWS = 40
MAX_CELL_CHARS = 400

#: the package whose every module must be on a page of the API reference
PACKAGE = "fetrain"


def _escape_magnitudes(app, what, name, obj, options, lines) -> None:
    for k, line in enumerate(lines):
        lines[k] = _MAGNITUDE.sub(r"\\|\1\\|", line)


#: stands for a colon of a constant's description while napoleon reads it
_COLON = "\ufff9fetrain-colon\ufffb"


def _hide_colon(app, what, name, obj, options, lines) -> None:
    """Keep napoleon from reading "text: more text", the first line of a constant's or property's
    description, as "type: description" (fetrain's descriptions are prose; types are not written
    there)."""
    if what not in ("data", "attribute", "property") or not lines:
        return
    # napoleon's own reading of the line: pieces of text between code and roles (even places)
    pieces = _xref_or_code_regex.split(lines[0])
    for i in range(0, len(pieces), 2):
        if _single_colon_regex.search(pieces[i]):
            pieces[i] = _single_colon_regex.sub(_COLON, pieces[i], count=1)
            lines[0] = "".join(pieces)
            return


def _restore_colon(app, what, name, obj, options, lines) -> None:
    for k, line in enumerate(lines):
        if _COLON in line:
            lines[k] = line.replace(_COLON, ":")


# --------------------------------------------------------------------------------------------
# Values of constants


def _plain(value):
    """The value with NumPy scalars turned into Python numbers (in tuples and lists too)."""
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        return value.item()
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(_plain(v) for v in value)
    return value


def _escape(text: str) -> str:
    """Text for a reST table cell, with every markup character escaped."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\*`|_\[\]<>:])", r"\\\1", text)


def _cell(value) -> str | None:
    """One table cell (reST) for a value, or None when the value has no short form."""
    value = _plain(value)
    if inspect.isclass(value) or inspect.isfunction(value):
        return f":py:obj:`~{value.__module__}.{value.__qualname__}`"
    if isinstance(value, str):
        return _escape(value) if len(value) <= MAX_CELL_CHARS else None
    if isinstance(value, (bool, int, float)) or value is None:
        return f"``{value!r}``"
    text = repr(value)
    return f"``{text}``" if len(text) <= MAX_VALUE_CHARS and "`" not in text else None


def _table_lines(value) -> list[str] | None:
    """A ``list-table`` of a dictionary with short values (tuples spread over columns), or None."""
    if not isinstance(value, dict) or not value or len(value) > MAX_TABLE_ROWS:
        return None
    if not all(isinstance(k, (str, int, float)) for k in value):
        return None
    rows = []
    for key, item in value.items():
        items = list(item) if isinstance(item, tuple) and not hasattr(item, "_fields") else [item]
        cells = [_cell(v) for v in items]
        if any(c is None or c == "" for c in cells):
            return None
        rows.append([f"``{key}``" if isinstance(key, str) else f"``{key!r}``"] + cells)
    if len({len(r) for r in rows}) != 1:
        return None
    lines = ["", ".. list-table::", "   :class: fetrain-constant-table", "   :widths: auto", ""]
    for row in rows:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return lines + [""]


def _value_text(value) -> str | None:
    """The value as shown beside the name, or None when it is left out (long, or a path)."""
    if isinstance(value, PurePath):
        return None
    text = _NUMPY_SCALAR.sub(r"\1", repr(_plain(value)))
    if len(text) > MAX_VALUE_CHARS or "\n" in text or " at 0x" in text:
        return None
    return text


class _ReadableValue:
    """Mixin for the documenters of module constants and class attributes."""

    def should_suppress_value_header(self) -> bool:
        if super().should_suppress_value_header():
            return True
        value = getattr(self, "_value", self.object)    # the value itself, not its stand-in
        # a dictionary shown as a table under the description is not shown beside the name too
        return _value_text(value) is None or _table_lines(value) is not None

    def add_directive_header(self, sig: str) -> None:
        original = self._value = self.object
        text = _value_text(original)
        if text is not None:
            # object_description() writes repr(): hand it an object whose repr is the plain text
            self.object = _Shown(text)
        try:
            super().add_directive_header(sig)
        finally:
            self.object = original
            del self._value

    def add_content(self, more_content) -> None:
        super().add_content(more_content)
        table = _table_lines(self.object)
        if table is not None:
            sourcename = self.get_sourcename()
            for line in table:
                self.add_line(line, sourcename)


class _Shown:
    """An object whose repr is the given text."""

    def __init__(self, text: str):
        self._text = text

    def __repr__(self) -> str:
        return self._text


class ReadableDataDocumenter(_ReadableValue, DataDocumenter):
    """Module constants: plain numbers, long values as a table or left out."""


class ReadableAttributeDocumenter(_ReadableValue, AttributeDocumenter):
    """Class attributes: plain numbers, long values as a table or left out."""


def _plain_signature(app, what, name, obj, options, signature, return_annotation):
    """Defaults in signatures as plain numbers (``np.float64(0.5)`` → ``0.5``)."""
    if signature:
        signature = _NUMPY_SCALAR.sub(r"\1", signature)
    return signature, return_annotation


# --------------------------------------------------------------------------------------------
# The summary table of a subpackage


def _first_sentence(lines: list[str]) -> str:
    """The first sentence of a docstring's first paragraph (the whole paragraph if it has none)."""
    paragraph = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    text = " ".join(paragraph)
    # the first full stop that ends a sentence: not one of an abbreviation, nor inside brackets
    depth, sentence = 0, text
    for match in re.finditer(r"[()\[\]]|[.!?](?=\s|$)", text):
        mark = match.group()
        if mark in "([":
            depth += 1
        elif mark in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and not re.search(r"\b(?:e\.g|i\.e|et al|cf|vs)\.$",
                                          text[:match.end()]):
            sentence = text[:match.end()]
            break
    sentence = re.sub(r"\s*::$", ".", sentence.strip())   # a literal block's marker, alone here
    # a ``#:`` comment often starts in lower case: the table's cell starts a sentence
    return sentence[:1].upper() + sentence[1:] if sentence[:1].islower() else sentence


def _defining_module(package: str, name: str) -> str:
    """The module of ``package`` that assigns ``name`` at its top level (a constant has no
    ``__module__``); the package itself when none does."""
    for module in _modules_of(package):
        path = Path(importlib.import_module(module).__file__)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target] if isinstance(node, ast.AnnAssign) else [])
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(n, ast.Name) and n.id == name for n in names):
                    return module
    return package


def _describe(package: str, name: str) -> tuple[str, str, str]:
    """(full name of the documented entry, its role, first sentence of its description)."""
    obj = getattr(importlib.import_module(package), name)
    if inspect.ismodule(obj):
        return obj.__name__, "mod", _first_sentence((inspect.getdoc(obj) or "").splitlines())
    if inspect.isclass(obj) or inspect.isfunction(inspect.unwrap(obj)):   # lru_cache etc. unwrapped
        return (f"{obj.__module__}.{obj.__qualname__}", "class" if inspect.isclass(obj) else "func",
                _first_sentence((inspect.getdoc(obj) or "").splitlines()))
    # A constant: documented by its ``#:`` comment in the module that defines it.
    module = _defining_module(package, name)
    analyzer = ModuleAnalyzer.for_module(module)
    analyzer.analyze()
    comment = analyzer.attr_docs.get(("", name), [])
    return f"{module}.{name}", "data", _first_sentence(list(comment))


def _modules_of(package: str) -> list[str]:
    module = importlib.import_module(package)
    return [f"{package}.{info.name}" for info in pkgutil.iter_modules(module.__path__)
            if not info.name.startswith("_")]


class Summary(Directive):
    """``fetrain-summary PACKAGE``: the table of a subpackage's main entry points."""

    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        package = self.arguments[0]
        try:
            module = importlib.import_module(package)
        except Exception as exc:  # noqa: BLE001 - a build warning that names the cause
            logger.warning(f"fetrain-summary: cannot import {package}: {exc}", location=env.docname)
            return []
        env.note_dependency(module.__file__)
        names = list(getattr(module, "__all__", []))
        entries = []
        if names:
            for name in names:
                try:
                    entries.append((name, *_describe(package, name)))
                except Exception as exc:  # noqa: BLE001
                    logger.warning(f"fetrain-summary: {package}.{name}: {exc}", location=env.docname)
        else:
            for full in _modules_of(package):
                doc = inspect.getdoc(importlib.import_module(full)) or ""
                entries.append((full.rsplit(".", 1)[1], full, "mod",
                                _first_sentence(doc.splitlines())))

        table = nodes.table(classes=["fetrain-summary"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=30)
        group += nodes.colspec(colwidth=70)
        body = nodes.tbody()
        group += body
        for name, target, role, description in entries:
            if not description:
                logger.warning(f"fetrain-summary: {target} has no description (docstring or #: "
                               "comment)", location=env.docname)
            link = addnodes.pending_xref("", refdomain="py", reftype=role, reftarget=target,
                                         refexplicit=True, refwarn=True, refdoc=env.docname)
            link["py:module"] = package
            link += nodes.literal(name, name, classes=["xref", "py"])
            text = nodes.paragraph()
            text += self._rst_inline(_MAGNITUDE.sub(r"\\|\1\\|", description), target, role)
            row = nodes.row()
            for content in (nodes.paragraph("", "", link), text):
                entry = nodes.entry()
                entry += content
                row += entry
            body += row
        return [table]

    def _rst_inline(self, text: str, target: str, role: str) -> list[nodes.Node]:
        """A docstring's sentence parsed as reST (the page itself is MyST), its cross-references
        resolved as in the docstring: relative to the module (and class) that defines it."""
        env = self.state.document.settings.env
        saved = dict(env.ref_context)
        if role == "mod":
            env.ref_context["py:module"] = target
            env.ref_context.pop("py:class", None)
        else:
            module, _, qualname = target.rpartition(".")
            while module and module not in sys.modules:          # a method: Class.name
                module, _, outer = module.rpartition(".")
                qualname = f"{outer}.{qualname}"
            env.ref_context["py:module"] = module
            if role == "class":
                env.ref_context["py:class"] = qualname
            else:
                env.ref_context.pop("py:class", None)
        try:
            document = new_document("<fetrain-summary>", self.state.document.settings)
            RSTParser().parse(text, document)
        finally:
            env.ref_context.clear()
            env.ref_context.update(saved)
        paragraph = document.next_node(nodes.paragraph)
        return list(paragraph.children) if paragraph is not None else [nodes.Text(text)]


# --------------------------------------------------------------------------------------------
# The modules of a subpackage


class Modules(Directive):
    """``fetrain-modules PACKAGE``: one section per module of a subpackage, each its automodule.

    The directive's content names modules (without the package), in the order a reader meets them;
    modules it does not name follow, alphabetically, so that a new module is documented without
    an edit of the page. Private modules (``_name``) are left out. The directive must come last
    on its page: the sections it makes close the page's top section.
    """

    required_arguments = 1
    has_content = True

    def run(self):
        env = self.state.document.settings.env
        package = self.arguments[0]
        try:
            modules = _modules_of(package)
        except Exception as exc:  # noqa: BLE001 - a build warning that names the cause
            logger.warning(f"fetrain-modules: cannot import {package}: {exc}", location=env.docname)
            return []
        names = [m.rsplit(".", 1)[1] for m in modules]
        order = " ".join(self.content).split()
        for name in order:
            if name not in names:
                logger.warning(f"fetrain-modules: {package} has no module {name!r} (its modules: "
                               f"{', '.join(names)})", location=env.docname)
        ordered = [n for n in order if n in names] + sorted(n for n in names if n not in order)
        text = []
        for name in ordered:
            module = importlib.import_module(f"{package}.{name}")
            env.note_dependency(module.__file__)
            text += [f"## `{package}.{name}`", "", "```{eval-rst}",
                     f".. automodule:: {package}.{name}", "   :members:", "```", ""]
        container = nodes.container()
        # MyST's nested parse with titles: "##" headings become sections of the page
        self.state.nested_parse(StringList(text), self.content_offset, container, match_titles=True)
        return list(container.children)


# --------------------------------------------------------------------------------------------
# The command line


#: width of the commands' help text, characters: it fits the book's code column
HELP_COLUMNS = 76


def _commands(parser: argparse.ArgumentParser, words: list[str]):
    """(the command's words, its parser) for a parser and every subcommand under it, in order."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, words + [name])


#: a row of an aligned list: indentation, a term, two or more spaces, its description
_TERM_ROW = re.compile(r"^(\s*\S+(?: \S+)*?\s{2,})\S")
#: an example command line
_COMMAND = re.compile(r"^\s+(?:fetrain|python)\s(?!.*\S\s{2,}\S)")


def _wrapped(text: str, width: int) -> str:
    """Help text with no line longer than ``width``.

    argparse wraps its own columns; descriptions and epilogs written preformatted keep their lines.
    A group that holds a line too long is re-wrapped: a paragraph of prose as a whole, a row of an
    aligned list with its continuation lines under its description, an indented item with a
    hanging indent, an example command with ``\\`` at the end of each broken line.
    """
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            out.append(line)
            i += 1
            continue
        row = _TERM_ROW.match(line)
        column = len(row.group(1)) if row else len(line) - len(line.lstrip())
        group = [line]
        i += 1
        # a paragraph of prose (not indented) or a row of an aligned list continues on the lines
        # at its text's column; an indented line of its own (an item) stands alone
        if not _COMMAND.match(line) and (row or column == 0):
            while (i < len(lines) and lines[i].strip() and not _COMMAND.match(lines[i])
                   and len(lines[i]) - len(lines[i].lstrip()) == column
                   and not (_TERM_ROW.match(lines[i]) and not row)):
                group.append(lines[i])
                i += 1
        if max(len(g) for g in group) <= width:
            out += group
        elif _COMMAND.match(line):
            indent = line[:len(line) - len(line.lstrip())]
            parts = textwrap.wrap(line.strip(), width=width - 2, initial_indent=indent,
                                  subsequent_indent=indent + "    ", break_long_words=False,
                                  break_on_hyphens=False)
            out += [p + " \\" for p in parts[:-1]] + parts[-1:]
        else:
            words = " ".join([group[0][column:].strip()] + [g.strip() for g in group[1:]])
            hanging = column if row or column == 0 else column + 2
            out += textwrap.wrap(words, width=width, initial_indent=group[0][:column],
                                 subsequent_indent=" " * hanging, break_long_words=False,
                                 break_on_hyphens=False)
    return "\n".join(out)


class Commands(Directive):
    """``fetrain-commands MODULE``: the ``--help`` of a command and of each of its subcommands.

    ``MODULE.parser()`` gives the command's ``argparse`` parser; each (sub)command's help is shown
    as it prints, at most :data:`HELP_COLUMNS` characters a line, in a section of its own (``###``
    headings: the directive belongs under a ``##`` heading, last in its section).
    """

    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        try:
            module = importlib.import_module(self.arguments[0])
            top = module.parser()
        except Exception as exc:  # noqa: BLE001 - a build warning that names the cause
            logger.warning(f"fetrain-commands: no parser from {self.arguments[0]}.parser(): {exc}",
                           location=env.docname)
            return []
        env.note_dependency(module.__file__)
        text = []
        saved = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = str(HELP_COLUMNS + 2)       # argparse wraps at COLUMNS − 2
        try:
            for words, parser in _commands(top, [top.prog]):
                parser.prog = " ".join(words)
                help_text = _wrapped(parser.format_help().rstrip(), HELP_COLUMNS)
                text += [f"### `{' '.join(words)}`", "", "````text", *help_text.splitlines(),
                         "````", ""]
        finally:
            if saved is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = saved
        container = nodes.container()
        self.state.nested_parse(StringList(text), self.content_offset, container, match_titles=True)
        return list(container.children)


# --------------------------------------------------------------------------------------------
# Every module documented


def _check_every_module_documented(app, env) -> None:
    documented = set(env.domaindata.get("py", {}).get("modules", {}))
    if not any(name.startswith(PACKAGE + ".") for name in documented):
        return                                   # a build without the API reference
    package = importlib.import_module(PACKAGE)
    missing = [info.name for info in pkgutil.walk_packages(package.__path__, PACKAGE + ".")
               if not any(part.startswith("_") for part in info.name.split("."))
               and info.name not in documented]
    for name in missing:
        logger.warning(f"API reference: module {name} is on no page of book/api/ (add an "
                       f"automodule for it to its subpackage's page)")


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.add_autodocumenter(ReadableDataDocumenter, override=True)
    app.add_autodocumenter(ReadableAttributeDocumenter, override=True)
    app.connect("autodoc-process-docstring", _escape_magnitudes, priority=400)
    app.connect("autodoc-process-docstring", _hide_colon, priority=410)      # before napoleon (500)
    app.connect("autodoc-process-docstring", _restore_colon, priority=600)   # after it
    app.connect("autodoc-process-signature", _plain_signature)
    app.add_directive("fetrain-summary", Summary)
    app.add_directive("fetrain-modules", Modules)
    app.add_directive("fetrain-commands", Commands)
    app.connect("env-check-consistency", _check_every_module_documented)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
