"""Rules of the repository: README commands in CI, one source per chapter, pinned stack."""

import re

from chapters import ROOT, chapter_sources


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_readme_has_two_commands_and_ci_runs_them():
    commands = readme_commands()
    assert len(commands) == 2, commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci, f".ci/run does not run the README command: {command}"
    assert "pytest" in commands[1] and "jupyter-book build" in commands[0]
    assert "-W" in commands[0] and "FETRAIN_SCALE=book" in commands[0]


def test_every_book_page_is_in_the_toc_and_has_no_notebook_twin():
    sources = set(chapter_sources())
    # every page of the book, those in subfolders (book/api/) included
    pages = set((ROOT / "book").rglob("*.md"))
    assert pages == sources, pages ^ sources
    assert not list((ROOT / "book").rglob("*.ipynb")), "no .ipynb beside the MyST sources"


def test_requirements_pin_the_verified_stack():
    req = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for pin in ("torch==2.10.0", "torchvision==0.25.0", "aihwkit==1.1.0",
                "jupyter-book==1.0.4.post1", "-e ."):
        assert pin in req


def test_readme_python_examples_run():
    """Every ```python block of the README runs as written, in order, in one namespace."""
    import contextlib
    import io
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README has no python examples"
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)

    # The training example learns, and the output the README shows is what it prints: the same
    # lines, accuracies within 6 points, totals within 10%, the same ranking (not bit for bit:
    # the compiled engine's floating-point sums differ between CPUs, and after ten epochs plain
    # SGD's accuracy has differed by 5 points between two machines).
    accuracy = re.compile(r"^(?P<name>[^:(]+).*?test accuracy (?P<acc>[\d.]+) %(?:.*?total (?P<total>[\d,.]+) µJ)?")

    def runs(lines):
        return {m["name"].strip(): (float(m["acc"]), float(m["total"].replace(",", "")) if m["total"] else None)
                for m in map(accuracy.match, lines) if m}

    got = runs(printed.getvalue().splitlines())
    shown = runs(re.findall(r"```text\n(.*?)```", text, re.S)[0].splitlines())
    assert got["floating point"][0] >= 80, got
    assert all(acc >= 50 for acc, _ in got.values()), f"an algorithm near chance (10 %): {got}"
    assert got.keys() == shown.keys(), (got, shown)
    for name, (acc, total) in got.items():
        assert abs(acc - shown[name][0]) <= 6, f"README shows {shown[name]} for {name}; it prints {acc, total}"
        if total is not None:
            assert abs(total / shown[name][1] - 1) <= 0.10, f"README: {name} total {shown[name][1]} µJ; prints {total}"
    assert all("digital energy" in line for line in printed.getvalue().splitlines() if "M pulses" in line)
    ranking = sorted(got, key=lambda name: got[name][0])
    assert ranking == sorted(shown, key=lambda name: shown[name][0]), (got, shown)


def test_every_toc_page_has_a_summary_for_the_introductions_list():
    """The introduction's chapter list (book/_ext/fetrain_toc.py) reads each page's summary."""
    import sys
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import fetrain_toc
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [f for _, part in fetrain_toc._toc_parts(toc) for f in part]
    assert len(files) >= 8, files
    for docname in files:
        summary = fetrain_toc._front_matter(ROOT / (docname + ".md")).get(fetrain_toc.SUMMARY_KEY)
        assert summary and len(summary) < 200, f"{docname}.md: a one-line 'summary:' in its front matter"


def test_no_pointers_to_notes_outside_the_repository():
    """What a reader needs from the project's working notes is in the book, cited; the files
    themselves are not in the repository, so nothing may point at them."""
    import subprocess

    names = ["SPEC", "AIHWKIT-NOTES", "PHYSICS-NOTES", "ENVIRONMENT", "paper-summary"]
    pattern = re.compile("|".join(re.escape(n + ".md") for n in names) + r"|\.\./shared/")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    hits = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in (".py", ".md", ".yml", ".toml", ".txt", ".cfg", "") or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="ignore").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{name}:{number}: {line.strip()[:80]}")
    assert not hits, "\n".join(hits)
