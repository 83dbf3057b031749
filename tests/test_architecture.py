"""The house rules that a test can check: no import circle, deferred imports included."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "infomap_learn": ROOT / "src" / "infomap_learn",
    "infomap_learn.adapters": ROOT / "adapters",
}


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            found[".".join([package, *parts])] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Package modules that ``name`` imports anywhere in its source (functions included)."""
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([target] if target else []))
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return (out & modules.keys()) - {name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert "infomap_learn.search" in graph and graph["infomap_learn.search"]
    assert _cycles(graph) == []


def test_no_module_over_600_lines():
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text().splitlines())) > 600
    }
    assert long == {}


def _public_without_examples() -> list[str]:
    """Public functions, classes and methods of public modules whose docstring has no
    Examples section (properties need none)."""
    missing = []
    for name, path in _modules().items():
        if any(part.startswith("_") for part in name.split(".")[1:]):
            continue
        for node in ast.parse(path.read_text()).body:
            items = [node]
            if isinstance(node, ast.ClassDef):
                items += [n for n in node.body if isinstance(n, ast.FunctionDef)]
            for item in items:
                if not isinstance(item, (ast.FunctionDef, ast.ClassDef)):
                    continue
                if item.name.startswith("_"):
                    continue
                decorators = {getattr(d, "id", getattr(d, "attr", "")) for d in item.decorator_list}
                if "property" in decorators or "setter" in decorators:
                    continue
                if "Examples" not in (ast.get_docstring(item) or ""):
                    missing.append(f"{name}.{item.name}")
    return missing


def test_public_api_has_runnable_examples():
    # the examples run in tests/test_doctests.py
    assert _public_without_examples() == []


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
