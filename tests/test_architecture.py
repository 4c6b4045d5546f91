"""The layers of the code: dependencies point down and no module imports itself in a circle.

Packages: ``rasters`` <- ``vectors`` <- ``corridors``. Inside ``corridors``: the Numba kernels
import nothing of the project; the engine rooms (least-cost, circuit, ...) never import the
scenario, the pipeline or the CLI; the scenario never imports the pipeline; nothing but the CLI
imports the CLI. Every import is counted, also those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rasters", "vectors", "corridors")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports (a package's own submodules named in ``from . import``)."""
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = base[: len(base) - (node.level - 1)]
                mod = ".".join(stem + ([node.module] if node.module else []))
            else:
                mod = node.module
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _rank(module: str) -> int:
    return PACKAGES.index(module.split(".")[0])


def test_packages_import_only_downwards(graph):
    bad = sorted((m, t) for m, ts in graph.items() for t in ts if _rank(t) > _rank(m))
    assert not bad, f"imports from a higher package: {bad}"


#: corridors' rooms, lowest first: a module may import its own room and lower ones
ROOMS = [
    ("corridors._kernels",),
    ("corridors._version", "corridors.errors", "corridors.graph_options", "corridors.parallel", "corridors.logfile",
     "corridors.memory"),
    ("corridors.leastcost", "corridors.circuit", "corridors.datasets"),
    ("corridors.circuitscape", "corridors.graphs", "corridors.flyway", "corridors.evidence",
     "corridors.restoration"),
    ("corridors.scenario",),
    ("corridors.pipeline",),
    ("corridors.qgis_plugin",),
    ("corridors.cli", "corridors.__main__"),
]


def _room(module: str) -> int | None:
    for level, rooms in enumerate(ROOMS):
        if any(module == r or module.startswith(r + ".") for r in rooms):
            return level
    return None


def test_rooms_of_corridors_import_only_downwards(graph):
    bad = []
    for m, targets in graph.items():
        lm = _room(m)
        if lm is None:
            continue
        for t in targets:
            lt = _room(t)
            if lt is not None and lt > lm:
                bad.append((m, t))
    assert not bad, f"imports from a higher room of corridors: {sorted(bad)}"


def test_kernels_import_nothing_of_the_project(graph):
    bad = sorted((m, t) for m, ts in graph.items() if m.startswith("corridors._kernels")
                 for t in ts if not t.startswith("corridors._kernels"))
    assert not bad, bad


def test_every_module_has_a_room(graph):
    """A new top-level module of corridors must be placed in :data:`ROOMS` (the public root excepted)."""
    homeless = sorted(m for m in graph if m.startswith("corridors.") and _room(m) is None)
    assert not homeless, f"add these to ROOMS in {Path(__file__).name}: {homeless}"


def test_no_import_cycles(graph):
    # Tarjan's strongly connected components; a package and the submodules it re-exports are a
    # cycle only if a submodule imports the package back.
    index, low, stack, on, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    import sys

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"
