"""Conformance with Circuitscape's own verification cases, run through the INI path.

Reference data: ``tests/data/circuitscape`` (the ``test_data`` fixture; provenance and licences in
its SOURCE.md). Inputs are read in place (a temporary folder links ``input/`` to the copy) and
outputs go to ``tmp_path``.

Circuitscape.jl cases: every file we write must exist in ``output_verify/`` and match with
Circuitscape.jl's own tolerances (resistances: 1e-3 absolute per element, and we also ask the
recommended 1e-6 relative; grids: sum of squared differences < 1e-6, and max |d| <= 1e-5; network
lists: keyed by node ids, missing rows as 0, sum of squares < 1e-6). Every expected file we do not
write must be one of the stale files listed in :data:`STALE` with the reason.

Circuitscape 4 (Python) cases: resistances against the ``%.18e`` baselines, 1e-8 relative.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from rasters.atomic import MARKER

from corridors.circuitscape import run


def _jl_ini(case: str) -> str:
    n = re.sub(r"\D", "", case)
    if case.startswith(("sgNetwork", "mgNetwork")):
        return f"input/network/{case}.ini"
    folder = {"sg": "pairwise", "mg": "advanced", "on": "one_to_all", "al": "all_to_one"}[case[:2]]
    return f"input/raster/{folder}/{n}/{case}.ini"


JL_CASES = (
    [f"sgVerify{i}" for i in range(1, 18)]
    + [f"oneToAllVerify{i}" for i in range(1, 14)]
    + [f"allToOneVerify{i}" for i in range(1, 13)]
    + [f"mgVerify{i}" for i in range(1, 8)]
    + [f"sgNetworkVerify{i}" for i in range(1, 4)]
    + [f"mgNetworkVerify{i}" for i in range(1, 4)]
)

# Files in output_verify/ that Circuitscape.jl never writes (its tests only compare what it
# writes), with the reason; README "Gotchas / stale files". Patterns match the part after
# "<case>_".
STALE: dict[str, list[tuple[str, str]]] = {}


def _stale(cases, pattern, reason):
    for c in cases:
        STALE.setdefault(c, []).append((pattern, reason))


_stale(["sgVerify1"], r"(curmap|voltmap)_4_5\.asc", "points 4 and 5 share a polygon: R = 0, no maps")
_stale(["sgVerify2", "sgVerify14", "sgVerify16"], r"(curmap|voltmap)_1_2\.asc",
       "points 1 and 2 share a polygon: R = 0, no maps")
_stale(["sgVerify11"], r"(curmap|voltmap)_(1_4|2_7)\.asc", "zero-resistance pairs: no maps")
_stale(["sgVerify12"], r"cum_curmap\.asc", "maps are off for this case (Julia issue 158)")
_stale(["sgVerify13"], r"resistances_3columns\.out",
       "disagrees with the case's own resistance matrix in 10 of 28 rows (Python-era file)")
_stale(["sgVerify13"], r"(curmap|voltmap)_(1_4|1_9|2_4|2_8|2_9|4_8|4_9)\.asc",
       "pairs excluded by include_matrix.txt (values outside min 2..max 50) are not solved")
_stale(["sgVerify14"], r"curmap_max\.asc", "Python 4's name for max_curmap (Julia writes max_curmap)")
_stale([f"oneToAllVerify{i}" for i in range(1, 12)] + [f"allToOneVerify{i}" for i in range(1, 13)],
       r"(curmap|voltmap)_(3|6|11|51)\.asc", "focal nodes on NODATA cells are not solved: no maps")
_stale(["oneToAllVerify12"], r".*\.asc", "all oneToAllVerify12 maps come from older semantics")
_stale(["oneToAllVerify10"], r"(curmap|voltmap)_\d+\.asc",
       "the INI sets write_cum_cur_map_only and not write_volt_maps: no per-node maps")
_stale(["oneToAllVerify11"], r".*\.asc", "the INI asks for no maps (write_cur_maps, write_volt_maps False)")
_stale(["allToOneVerify12"], r"curmap_4\.asc",
       "id 4 has no included partner (-1 in the expected resistances): not solved, no map")
_stale(["mgVerify2"], r"curmap\.asc", "the INI sets write_cur_maps = False (voltage map only)")
_stale(["sgNetworkVerify2"], r"(voltages|branch_currents|node_currents)_\d+_[56]\.txt",
       "written by Circuitscape 4's config, where every node 0-6 is focal; Julia's has 0-4")

# Files we write that output_verify/ lacks (Circuitscape.jl writes them too; its tests skip them).
EXTRA = {c: [r"resistances_3columns\.out"] for c in ("sgVerify1", "sgVerify15", "sgVerify17", "sgNetworkVerify1")}


def _loadtxt(path: Path, skip=0) -> np.ndarray:
    return np.loadtxt(path, skiprows=skip, ndmin=2)


def _compare_resistances(ours: Path, expected: Path):
    a, b = _loadtxt(ours), _loadtxt(expected)
    assert a.shape == b.shape, f"{ours.name}: shape {a.shape} != expected {b.shape}"
    if "3columns" in ours.name:
        np.testing.assert_array_equal(a[:, :2], b[:, :2], err_msg=f"{ours.name}: ids")
        a, b = a[:, 2], b[:, 2]
    elif a.shape[1] == 2:  # one-to-all / all-to-one: id value
        np.testing.assert_array_equal(a[:, 0], b[:, 0], err_msg=f"{ours.name}: ids")
        a, b = a[:, 1], b[:, 1]
    else:
        np.testing.assert_array_equal(a[0], b[0], err_msg=f"{ours.name}: id row")
        np.testing.assert_array_equal(a[:, 0], b[:, 0], err_msg=f"{ours.name}: id column")
        a, b = a[1:, 1:], b[1:, 1:]
    d = np.abs(a - b)
    assert d.max(initial=0) <= 1e-3, f"{ours.name}: max |d| {d.max()} > 1e-3 (Julia's tolerance)"
    rel = d / np.maximum(np.abs(b), 1e-300)
    assert np.all((d <= 1e-9) | (rel <= 1e-6)), f"{ours.name}: max rel diff {rel.max()} > 1e-6"


def _compare_grid(ours: Path, expected: Path):
    ha = ours.read_text().splitlines()[:6]
    hb = expected.read_text().splitlines()[:6]
    for la, lb in zip(ha[:2], hb[:2]):
        assert la.split() == lb.split(), f"{ours.name}: header {la!r} != {lb!r}"
    for la, lb in zip(ha[2:], hb[2:]):
        assert la.split()[0].lower() == lb.split()[0].lower()
        assert float(la.split()[1]) == pytest.approx(float(lb.split()[1]))
    a, b = _loadtxt(ours, 6), _loadtxt(expected, 6)
    assert a.shape == b.shape
    ss = float(((a - b) ** 2).sum())
    assert ss < 1e-6, f"{ours.name}: sum of squared differences {ss} >= 1e-6"
    assert np.abs(a - b).max() <= 1e-5, f"{ours.name}: max |d| {np.abs(a - b).max()} > 1e-5"


def _compare_network(ours: Path, expected: Path):
    nkey = 2 if "branch" in ours.name else 1
    a, b = _loadtxt(ours), _loadtxt(expected)
    ka = {tuple(r[:nkey].astype(int)): r[nkey] for r in a}
    kb = {tuple(r[:nkey].astype(int)): r[nkey] for r in b}
    assert set(ka) == set(kb), (
        f"{ours.name}: rows differ: extra {sorted(set(ka) - set(kb))[:5]}, missing {sorted(set(kb) - set(ka))[:5]}"
    )
    ss = sum((ka[k] - kb[k]) ** 2 for k in ka)
    assert ss < 1e-6, f"{ours.name}: sum of squared differences {ss} >= 1e-6"


def _workdir(tmp_path: Path, links: dict) -> Path:
    for rel, target in links.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.symlink_to(target, target_is_directory=True)
    return tmp_path


@pytest.mark.parametrize("solver", ["ini", "other"])
@pytest.mark.parametrize("case", JL_CASES)
def test_circuitscape_jl_case(case, solver, tmp_path, test_data):
    """Like Circuitscape.jl's suite, every case runs with a direct and an iterative solver: the
    INI's own choice, and the other one (cg+amg <-> direct)."""
    JL = test_data.jl
    work = _workdir(tmp_path, {"input": JL / "input"})
    (work / "output").mkdir()
    ini = work / _jl_ini(case)
    method = None
    if solver == "other":
        method = "direct" if "solver = cg+amg" in ini.read_text() else "cg+amg"
    summary = run(ini, base_dir=work, method=method)
    written = sorted(p.name for p in (work / "output").iterdir() if p.name != MARKER)
    assert written and set(written) == {p.name for p in summary.files}
    assert (work / "output" / MARKER).is_file()
    verify = JL / "output_verify"
    expected = sorted(p.name for p in verify.iterdir() if p.name.startswith(case + "_"))
    extra = [f for f in written if f not in expected]
    allowed_extra = [f for f in extra if any(re.fullmatch(r, f[len(case) + 1:])
                                             for r in EXTRA.get(case, []))]
    assert sorted(set(extra) - set(allowed_extra)) == [], "written files with no expected file"
    for f in written:
        if f in allowed_extra:
            continue
        ours, exp = work / "output" / f, verify / f
        if "resistances" in f:
            if not any(re.fullmatch(r, f[len(case) + 1:]) for r, _ in STALE.get(case, [])):
                _compare_resistances(ours, exp)
        elif f.endswith(".asc"):
            _compare_grid(ours, exp)
        else:
            _compare_network(ours, exp)
    missing = [f for f in expected if f not in written]
    unexplained = [
        f for f in missing
        if not any(re.fullmatch(r, f[len(case) + 1:]) for r, _ in STALE.get(case, []))
    ]
    assert unexplained == [], f"expected files not written and not known stale: {unexplained}"


# ---------------------------------------------------------------- Circuitscape 4 (Python) baselines
PY_CASES = (
    [f"sgVerify{i}" for i in range(1, 15)]
    + [f"oneToAllVerify{i}" for i in range(1, 13)]
    + ["allToOneVerify12"]  # the only all-to-one case with a Python resistance baseline
    + [f"sgNetworkVerify{i}" for i in range(1, 4)]
)
PY_DISAGREE = {
    "oneToAllVerify12": "Circuitscape 4 and Circuitscape.jl disagree on included pairs + mask + "
    "variable strengths (README 'Differences from Julia'); Julia's values are trusted and checked "
    "in test_circuitscape_jl_case[oneToAllVerify12]",
    "allToOneVerify12": "Circuitscape 4 marks ids 3 and 6 (focal points on no habitat) "
    "as solved (0) where Circuitscape.jl gives -1 (README 'Differences from Julia'); Julia's "
    "values are checked in test_circuitscape_jl_case[allToOneVerify12]",
}


def _py_case(case, tmp_path, PY):
    verify = PY / "circuitscape" / "verify"
    links = {f"circuitscape/verify/{d.name}": d for d in verify.iterdir()
             if d.is_dir() and d.name not in ("output", "baseline_results")}
    work = _workdir(tmp_path, links)
    (work / "circuitscape" / "verify" / "output").mkdir()
    return run(verify / "config_files" / f"{case}.ini", base_dir=work)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=PY_DISAGREE[c]))
     if c in PY_DISAGREE else c for c in PY_CASES],
)
def test_circuitscape4_baseline_resistances(case, tmp_path, test_data):
    PY = test_data.py4
    summary = _py_case(case, tmp_path, PY)
    res = summary.result
    base = PY / "circuitscape" / "verify" / "baseline_results"
    if "Network" in case:
        b = _loadtxt(base / f"{case}_resistances_3columns.txt")
        ids = list(res.ids)
        got = np.array([res.resistances[ids.index(int(i)), ids.index(int(j))] for i, j, _ in b])
        np.testing.assert_allclose(got, b[:, 2], rtol=1e-8, atol=1e-12)
        return
    b = _loadtxt(base / f"{case}_resistances.txt")
    if b.shape[1] == 2:  # one-to-all / all-to-one: rows (id, value)
        np.testing.assert_array_equal(res.values[:, 0], b[:, 0])
        np.testing.assert_allclose(res.values[:, 1], b[:, 1], rtol=1e-8, atol=1e-12)
    else:
        np.testing.assert_array_equal(np.asarray(res.ids), b[0, 1:])
        np.testing.assert_allclose(np.asarray(res.resistances), b[1:, 1:], rtol=1e-8, atol=1e-12)
