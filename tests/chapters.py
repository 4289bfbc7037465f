"""The book's chapters, as _toc.yml lists them (shared by the test modules)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _files(entries):
    for entry in entries or []:
        if "file" in entry:
            yield entry["file"]
        yield from _files(entry.get("sections"))
        yield from _files(entry.get("chapters"))


def notebook_sources() -> list[Path]:
    """The pages that are notebooks (a jupytext header with a kernel), in order."""
    return [p for p in chapter_sources() if "kernelspec:" in p.read_text(encoding="utf-8")[:600]]


def chapter_sources() -> list[Path]:
    """The MyST sources of every page in the table of contents, in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files.extend(_files(part.get("chapters")))
    files.extend(_files(toc.get("chapters")))
    return [ROOT / f"{f}.md" for f in files]
