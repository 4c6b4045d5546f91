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


#: longest function body allowed, in code lines (docstring, comments and blank lines not counted)
MAX_FUNCTION_LINES = 100
#: "module:function" -> why it may be longer. Only Numba kernels of corridors/_kernels whose
#: split would cost speed may be listed, each with the benchmark that shows it; none today.
LONG_FUNCTION_EXEMPTIONS: dict[str, str] = {}


def _code_lines(tokens_by_line: dict[int, bool], func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of ``func`` (``def`` line to last statement) holding code, its docstring left out."""
    skip = set()
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        skip = set(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(1 for ln in range(func.lineno, func.end_lineno + 1) if tokens_by_line.get(ln) and ln not in skip)


def _lines_with_code(source: str) -> dict[int, bool]:
    """Line number -> True where a token other than a comment or a line break starts or spans."""
    import io
    import tokenize

    ignore = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
              tokenize.ENDMARKER}
    out: dict[int, bool] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in ignore:
            for ln in range(tok.start[0], tok.end[0] + 1):
                out[ln] = True
    return out


def _long_functions(limit: int) -> list[tuple[str, int]]:
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = _lines_with_code(source)
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    n = _code_lines(lines, node)
                    if n > limit:
                        found.append((f"{_module_name(path)}:{node.name}", n))
    return sorted(found)


def test_code_line_counter_on_a_known_function():
    source = '''
def f(a,
      b):
    """Doc.

    More doc.
    """
    # a comment

    x = """a string
# not a comment
"""
    return x  # trailing
'''
    func = ast.parse(source).body[0]
    assert _code_lines(_lines_with_code(source), func) == 6  # def (2 lines), x = (3 lines), return


def test_no_function_longer_than_the_limit():
    long = [(name, n) for name, n in _long_functions(MAX_FUNCTION_LINES) if name not in LONG_FUNCTION_EXEMPTIONS]
    assert not long, (f"functions over {MAX_FUNCTION_LINES} code lines (split them into named helpers): {long}")


def test_exemptions_are_still_needed():
    long = {name for name, _ in _long_functions(MAX_FUNCTION_LINES)}
    stale = sorted(set(LONG_FUNCTION_EXEMPTIONS) - long)
    assert not stale, f"these are no longer over the limit: drop them from LONG_FUNCTION_EXEMPTIONS: {stale}"
    assert all(name.startswith("corridors._kernels.") for name in LONG_FUNCTION_EXEMPTIONS)
