"""The package's architecture: subpackages in layers, every import running down, no cycle.

fetrain is built in layers that follow the book: the ground floor of shared utilities
(``common``), device physics and device models (``device``), training (``train``), the AIHWKit
bridge (``bridge``), studies and sweeps (``study``), figures and the chapter kit (``book``), and
the command line (``cli``). A module may import from its own layer and the layers below it, never
from a layer above; and no chain of imports, lazy ones inside functions included, runs in a circle.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fetrain"
#: the layers, lowest first
LAYERS = ("common", "device", "train", "bridge", "study", "book", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    """The layer of a fetrain module: its subpackage, or ``cli`` for the top-level modules."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return "cli" if len(parts) >= 2 else "top"


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The fetrain modules an ``from … import …`` statement reads."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("fetrain"):
        return []
    out = []
    for alias in node.names:
        candidate = f"{target}.{alias.name}"
        out.append(candidate if candidate in MODULES else target)
    return out


def _type_checking_nodes(tree) -> set[int]:
    """The nodes under ``if TYPE_CHECKING:`` (names for annotations, not imports at run time)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            out.update(id(n) for n in ast.walk(node))
    return out


def _imports(run_time_only: bool = False) -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree) if run_time_only else set()
        targets = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                targets.update(_resolve(name, path.name == "__init__.py", node))
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("fetrain"))
        graph[name] = {t for t in targets if t != name and t in MODULES}
    return graph


MODULES = {_module_name(p) for p in PACKAGE.rglob("*.py")}
GRAPH = _imports()                      # every import, annotations' included
RUN_TIME = _imports(run_time_only=True)  # the imports that execute


def test_every_module_lives_in_a_layer():
    top = sorted(m for m in MODULES if _layer(m) == "cli" and m.count(".") == 1)
    assert top == ["fetrain.__main__", "fetrain.cli"], top
    flat = sorted(m for m in MODULES if m.count(".") == 1 and _layer(m) not in LAYERS)
    assert not flat, flat


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_run_down_the_layers(module):
    mine = LAYERS.index(_layer(module)) if _layer(module) in LAYERS else len(LAYERS)
    up = sorted(t for t in GRAPH[module]
                if _layer(t) in LAYERS and LAYERS.index(_layer(t)) > mine)
    assert not up, f"{module} ({_layer(module)}) imports from a higher layer: {up}"


def test_no_import_cycle():
    """Depth-first search over every import that executes, lazy ones inside functions included
    (names imported only for annotations, under ``if TYPE_CHECKING:``, are not imports)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(RUN_TIME.get(m, ())):
            if t.endswith("__init__"):
                continue
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if state.get(t) is None:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(RUN_TIME):
        if state.get(m) is None:
            visit(m)


def layer_map() -> dict[str, list[str]]:
    """The modules of each layer (for the record; printed by ``python tests/test_architecture.py``)."""
    out: dict[str, list[str]] = {layer: [] for layer in LAYERS}
    for m in sorted(MODULES):
        if _layer(m) in out:
            out[_layer(m)].append(m)
    return out


if __name__ == "__main__":
    for layer, modules in layer_map().items():
        print(f"{layer}: {', '.join(m.split('.')[-1] for m in modules)}")


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer != "cli"])
def test_a_subpackage_init_only_names_its_entry_points(layer):
    """A subpackage's ``__init__`` holds its docstring and the lazy table of its main names, no
    other code: the code fingerprints leave it out."""
    tree = ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8"))
    allowed = (ast.Expr, ast.ImportFrom, ast.AnnAssign, ast.Assign, ast.FunctionDef)
    names = []
    for node in tree.body:
        assert isinstance(node, allowed), f"{layer}/__init__.py: {ast.dump(node)[:80]}"
        if isinstance(node, ast.FunctionDef):
            names.append(node.name)
        if isinstance(node, ast.ImportFrom):
            assert node.module == "importlib" and node.level == 0
    assert set(names) <= {"__getattr__", "__dir__"}
