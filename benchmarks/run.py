"""corridors benchmark suite: our engine and its peers on the same inputs, in the same run.

Usage::

    python benchmarks/run.py [--quick] --out FILE.json [--only SECTION ...] [--repeats N]

Writes FILE.json (every sample, machine details) and FILE.md (the tables) beside it;
``--render FILE.json`` rewrites FILE.md from saved results.

Sections (each runs in a fresh interpreter, so its peak memory is its own and nothing it
imports or compiles leaks into the next one):

``cost``         cost distance vs scikit-image ``MCP_Geometric``, scipy ``csgraph.dijkstra`` (on the
                 explicit 8-neighbour graph, only where building it fits) and xarray-spatial
                 ``cost_distance``; one thread (benchmarks/bench_cost_distance.py).
``circuit``      pairwise effective resistances vs plain pyamg and scipy ``splu``, one solve per pair
                 on a shared matrix; two threads (benchmarks/bench_circuit.py).
``nea``          ``corridors run --out DIR`` on the embedded North-East Asia data, end to end, serial
                 (the default) and with ``--workers 2``; rankings must be identical.
``conformance``  ``pytest tests/circuitscape``: Circuitscape reference cases passed/failed/skipped.
``big``          cost distance and linkage network up to 8000 x 8000 (benchmarks/bench_big.py).
``barrier``      barrier analysis (McRae et al. 2012) vs brute-force recomputation of the least-cost
                 distance per restored window on a small grid, the disk min-filter vs scipy, and the
                 top 10 links at five radii on the default grid (benchmarks/bench_barrier.py).
``graphs``       dPC (PC node importance) for 1,000 reserves vs plain scipy and networkx removal
                 loops on the same pruned graph; two threads (benchmarks/bench_graphs.py).
``ensemble``     a resistance-uncertainty ensemble of the default scenario (100 members full, 20
                 quick) with ``--workers 2``, beside as many independent default runs extrapolated
                 from a few timed ones (benchmarks/bench_ensemble.py).
``scale``        ``corridors run`` on the region upsampled to 1, 4 (quick) and 13, 25, 100 M cells (full),
                 each beside one scikit-image ``MCP_Geometric`` on the same grid; peak memory per
                 cell, log-log slopes, serial vs dask ranking at 13 M (benchmarks/bench_scale.py).

Every time is the median of ``--repeats`` runs with min-max; ratios are peer median / our
median ("x faster"). Numba compilation is excluded: each section compiles (or loads its cache)
on a small warm-up grid first.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402
from _common import fmt_ratio, fmt_spread, ratio, spread  # noqa: E402

SECTIONS = ("cost", "circuit", "nea", "conformance", "big", "barrier", "graphs", "ensemble", "scale")

#: Threads each section may use (environment of its interpreter).
THREADS = {"cost": 1, "circuit": 2, "nea": 2, "conformance": 2, "big": 2, "barrier": 1, "graphs": 2, "ensemble": 2, "scale": 2}

#: Sizes and repeats per mode. Full: up to 8000^2 for cost distance, 2000^2 for circuits.
PLAN = {
    "quick": {
        "cost": {"sizes": [500, 1000, 2000, 4000], "repeats": 3, "scipy_max": 1000},
        "circuit": {"size": 200, "k": 8, "repeats": 3, "large": False},
        "nea": {"repeats": 3},
        "big": {"sizes": [1000, 2000, 4000], "repeats": 3},
        "barrier": {"size": 30, "repeats": 3},
        "graphs": {"sizes": [1000], "repeats": 3, "peer_nodes": 20, "nx_nodes": 1,
                   "links": False},
        "ensemble": {"members": 20, "runs": 2},
        "scale": {"mcells": [1, 4], "dask_at": None, "max_minutes": 10},
    },
    "full": {
        "cost": {"sizes": [1000, 2000, 4000, 8000], "repeats": 5, "scipy_max": 2000},
        "circuit": {"size": 600, "k": 8, "repeats": 3, "large": True, "large_size": 2000,
                    "large_k": 10},
        "nea": {"repeats": 3},
        "big": {"sizes": [1000, 2000, 4000, 8000], "repeats": 3},
        "barrier": {"size": 50, "repeats": 5},
        "graphs": {"sizes": [1000, 2000], "repeats": 3, "peer_nodes": 50, "nx_nodes": 2,
                   "links": True},
        "ensemble": {"members": 100, "runs": 3},
        "scale": {"mcells": [1, 4, 13, 25, 100], "dask_at": 13, "max_minutes": 25},
    },
}

#: Longest a section may run before it is stopped and reported as timed out (seconds).
TIMEOUT = {"quick": 1200, "full": 3 * 3600}

#: Largest log-log slope of time against cells we still call near-linear: per-cell time may grow
#: by at most 16**0.15 = 1.5x from 1000^2 to 8000^2 (n log n alone gives about 1.1).
LINEAR_SLOPE = 1.15

COST_ENGINES = ("corridors", "mcp", "scipy", "xrspatial")
ENGINE_LABEL = {"corridors": "corridors", "mcp": "scikit-image MCP_Geometric",
                "scipy": "scipy csgraph.dijkstra", "xrspatial": "xarray-spatial cost_distance"}


def _kwargs_for(fn, **kw):
    """The keyword arguments ``fn`` accepts (the peers' modules are still evolving)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return kw
    return {k: v for k, v in kw.items() if k in params}


# =================================================================================== sections
def section_cost(plan: dict, repeats: int | None) -> dict:
    """Cost distance: repeated single-repeat calls of bench_cost_distance.run, one sample each."""
    import bench_cost_distance as bench

    reps = repeats or plan["repeats"]
    notes = []
    try:
        import xrspatial  # noqa: F401
    except Exception as exc:  # the peer is missing: say so in the results, never skip silently
        notes.append(f"xarray-spatial could not be imported ({type(exc).__name__}: {exc}); "
                     "its column is empty. Install it with `pip install xarray-spatial`.")
    samples: dict[int, dict] = {}
    for i in range(reps):
        rows = bench.run(plan["sizes"], **_kwargs_for(
            bench.run, repeats=1, memory=(i == 0), scipy_max=plan["scipy_max"], verbose=False))
        for r in rows:
            s = samples.setdefault(r["size"], {"size": r["size"], "cells": r["cells"],
                                               "sources": r.get("sources"), "wall": {}, "cpu": {},
                                               "maxrel": {}, "input": r.get("resistance")})
            for eng in COST_ENGINES:
                if f"{eng}_s" in r:
                    s["wall"].setdefault(eng, []).append(r[f"{eng}_s"])
                if f"{eng}_cpu_s" in r:
                    s["cpu"].setdefault(eng, []).append(r[f"{eng}_cpu_s"])
                if f"maxrel_vs_{eng}" in r:
                    s["maxrel"][eng] = max(s["maxrel"].get(eng, 0.0), r[f"maxrel_vs_{eng}"])
            for key in ("peak_extra_bytes", "raster_bytes", "peak_over_raster"):
                if key in r:
                    s[key] = r[key]
        print(f"cost: repeat {i + 1}/{reps} done", file=sys.stderr, flush=True)
    rows = []
    for n in sorted(samples):
        s = samples[n]
        s["wall_s"] = {e: spread(v) for e, v in s.pop("wall").items()}
        s["cpu_s"] = {e: spread(v) for e, v in s.pop("cpu").items()}
        s["ratio"] = {e: ratio(s["wall_s"][e], s["wall_s"]["corridors"])
                      for e in s["wall_s"] if e != "corridors"}
        s["cpu_ratio"] = {e: ratio(s["cpu_s"].get(e), s["cpu_s"].get("corridors"))
                          for e in s["cpu_s"] if e != "corridors"}
        rows.append(s)
    missing = [e for e in COST_ENGINES[1:] if not any(e in r["wall_s"] for r in rows)]
    for e in missing:
        if e == "xrspatial" and notes:
            continue
        notes.append(f"{ENGINE_LABEL[e]} was not measured at any size.")
    scipy_sizes = [r["size"] for r in rows if "scipy" in r["wall_s"]]
    notes.append(f"scipy dijkstra runs on an explicit 8-neighbour CSR graph (assembly not timed) at "
                 f"sizes <= {plan['scipy_max']} only ({scipy_sizes}): building that graph takes a "
                 "few hundred bytes per cell (several GB from 4000x4000 up).")
    return {"repeats": reps, "threads": THREADS["cost"], "rows": rows, "notes": notes}


def _circuit_key(r):
    return (r.get("case"), r.get("size"), r.get("k"), r.get("engine"))


def _circuit_warm_up(bench) -> None:
    """Compile (or refresh numba's on-disk cache for) the kernels both engines use."""
    from corridors.circuit import FocalSet, build_graph, pairwise

    for kind in ("points", "regions"):
        hab, focal = bench.make_case(40, 3, kind)
        pairwise(hab, focal, neighbours=8, average="conductance")
        fs = FocalSet.from_grid(focal)
        build_graph(hab, neighbours=8, average="conductance", merge_groups=[fs[i] for i in fs.ids])


def section_circuit(plan: dict, repeats: int | None) -> dict:
    """Pairwise resistances: repeated calls of bench_circuit.run; one sample per call."""
    import bench_circuit as bench

    reps = repeats or plan["repeats"]
    _circuit_warm_up(bench)
    groups: dict[tuple, dict] = {}
    for i in range(reps):
        kw = _kwargs_for(bench.run, size=plan["size"], k=plan["k"], large=plan["large"],
                         large_size=plan.get("large_size", 2000), large_k=plan.get("large_k", 10))
        for r in bench.run(**kw):
            g = groups.setdefault(_circuit_key(r), {"case": r.get("case"), "size": r.get("size"),
                                                     "k": r.get("k"), "engine": r.get("engine"),
                                                     "seconds": [], "peak_mb": [], "errors": []})
            if r.get("error"):
                g["errors"].append(r["error"])
            else:
                g["seconds"].append(r.get("seconds"))
                g["peak_mb"].append(r.get("peak_mb"))
            for key in ("solver", "strategy", "solves", "setup_seconds", "max_rel_diff_vs_corridors",
                        "note"):
                if r.get(key) is not None:
                    g[key] = r[key]
        print(f"circuit: repeat {i + 1}/{reps} done", file=sys.stderr, flush=True)
    rows = []
    for g in groups.values():
        g["seconds"] = spread(g["seconds"])
        g["peak_mb"] = max([x for x in g["peak_mb"] if x is not None], default=None)
        rows.append(g)
    for g in rows:
        if g["engine"] == "corridors":
            continue
        ours = groups.get((g["case"], g["size"], g["k"], "corridors"))
        g["ours_x_faster"] = ratio(g["seconds"], ours["seconds"]) if ours else None
    notes = ["Each engine runs in a fresh process (bench_circuit.measure); its time covers graph "
             "assembly, factorisation or hierarchy set-up and every pair's solve, and loading "
             "numba's on-disk cache (refreshed by a warm-up before the first measurement), not "
             "compilation.",
             "Plain pyamg: smoothed aggregation + CG (relative residual 1e-8), one hierarchy "
             "shared by all pairs, one solve per pair; plain scipy: one splu factorisation, one "
             "solve per pair. Where a row's note says 'extrapolated', only a few pairs were solved "
             "and the time for all pairs is set-up + mean solve time x pairs."]
    failures = [f"{g['case']} {g['size']}x{g['size']} {g['engine']}: {e}"
                for g in rows for e in g["errors"]]
    return {"repeats": reps, "threads": THREADS["circuit"], "rows": rows, "notes": notes,
            "failures": failures}


def _corridors_command() -> list[str]:
    exe = Path(sys.executable).parent / "corridors"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from corridors.cli import main; sys.exit(main())"]


#: The default run as users type it, and the same with a local dask cluster of 2 workers.
NEA_VARIANTS = (("serial (default)", []), ("dask, --workers 2", ["--workers", "2"]))


def _nea_once(cmd: list[str], out: Path, label: str, i: int, extra=()) -> dict:
    res = _common.run_child(cmd + ["run", "--out", str(out), *extra], env=os.environ.copy(),
                            timeout=TIMEOUT["full"])
    if res["returncode"] != 0:  # the whole section fails, with the command's own words
        tail = (res["stderr"] or res["stdout"]).strip().splitlines()[-8:]
        raise RuntimeError(f"`corridors run` ({label}, run {i}) exited {res['returncode']}"
                           + (" (timed out)" if res["timed_out"] else "") + ": " + " | ".join(tail))
    return res


def section_nea(plan: dict, repeats: int | None) -> dict:
    """``corridors run --out DIR`` end to end, serial and on 2 dask workers; one warm-up first."""
    reps = repeats or plan["repeats"]
    cmd = _corridors_command()
    shown = "corridors" if len(cmd) == 1 else "python -c 'corridors.cli.main()'"
    variants, rankings = [], set()
    with tempfile.TemporaryDirectory(prefix="corridors-nea-") as tmp:
        _nea_once(cmd, Path(tmp) / "warm-up", "warm-up", 0)  # numba and file caches
        for label, extra in NEA_VARIANTS:
            samples, peaks, steps, summary = [], [], {}, {}
            for i in range(1, reps + 1):
                out = Path(tmp) / f"{len(variants)}-{i}"
                res = _nea_once(cmd, out, label, i, extra)
                samples.append(res["wall_s"])
                peaks.append(res["peak_rss_bytes"])
                man = out / "manifest.json"
                if man.exists():
                    m = json.loads(man.read_text())
                    for k, v in (m.get("timings_s") or {}).items():
                        steps.setdefault(k, []).append(v)
                    summary["internal_total_s"] = m.get("total_s")
                ranking = out / "ranking.csv"
                if ranking.exists():
                    rankings.add(ranking.read_text())
                lines = [ln for ln in res["stdout"].splitlines() if "links ranked" in ln]
                if lines:
                    summary["cli_summary"] = lines[-1].strip()
                shutil.rmtree(out, ignore_errors=True)
                print(f"nea: {label} run {i}/{reps} {res['wall_s']:.1f} s", file=sys.stderr,
                      flush=True)
            variants.append({"variant": label, "command": " ".join([shown, "run", "--out", "DIR",
                                                                    *extra]),
                             "wall_s": spread(samples), "peak_rss_bytes": max(peaks),
                             "steps_s": {k: spread(v) for k, v in steps.items()}, **summary})
    return {"repeats": reps, "threads": THREADS["nea"], "variants": variants,
            "rankings_identical": len(rankings) == 1 if rankings else None,
            "notes": ["Wall time of the whole command (interpreter start, imports, reading the "
                      "embedded data, every step, writing all outputs), after one uncounted "
                      "warm-up run; peak RSS covers the command's process and the dask workers it "
                      "waited for."]}


OUTCOMES = ("passed", "failed", "skipped", "xfailed")


def section_conformance(plan: dict, repeats: int | None) -> dict:
    """Run pytest over tests/circuitscape with a JUnit report; count outcomes per test file."""
    repo = _common.REPO
    with tempfile.TemporaryDirectory(prefix="corridors-conf-") as tmp:
        xml = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", "tests/circuitscape", "-q", "-p", "no:cacheprovider",
               f"--junitxml={xml}"]
        res = _common.run_child(cmd, env=os.environ.copy(), cwd=repo, timeout=TIMEOUT["full"])
        if not xml.exists():
            tail = (res["stdout"] + res["stderr"]).strip().splitlines()[-10:]
            return {"error": f"pytest exit {res['returncode']}, no report: " + " | ".join(tail),
                    "command": " ".join(cmd[1:-1])}
        root = ET.parse(xml).getroot()
    by_file: dict[str, dict] = {}
    by_case_test: dict[str, dict] = {}
    failed_names, not_run = [], []
    for tc in root.iter("testcase"):
        cls = tc.get("classname", "")
        parts = cls.split(".")
        fname = next((p for p in parts if p.startswith("test_")), cls)
        outcome = "passed"
        for child in tc:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":  # junit writes expected failures as skips too
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
                not_run.append({"test": f"{fname}::{tc.get('name')}", "outcome": outcome,
                                "reason": (child.get("message") or "").strip()})
        c = by_file.setdefault(fname, dict.fromkeys(OUTCOMES, 0))
        c[outcome] += 1
        if fname == "test_conformance":  # one row per reference-case family
            fn = tc.get("name", "").split("[")[0]
            c = by_case_test.setdefault(fn, dict.fromkeys(OUTCOMES, 0))
            c[outcome] += 1
        if outcome == "failed":
            failed_names.append(f"{fname}::{tc.get('name')}")
    total = {k: sum(c[k] for c in by_file.values()) for k in OUTCOMES}
    return {"command": " ".join(["python"] + cmd[1:-1]), "returncode": res["returncode"],
            "wall_s": res["wall_s"], "threads": THREADS["conformance"], "total": total,
            "by_file": by_file, "reference_case_tests": by_case_test, "failed": failed_names,
            "not_run": not_run}


def section_big(plan: dict, repeats: int | None) -> dict:
    import bench_big

    out = bench_big.run(plan["sizes"], repeats=repeats or plan["repeats"], verbose=False)
    out["threads"] = bench_big.THREADS
    out["failures"] = [f"{r['size']}x{r['size']}: {r['error']}" for r in out["rows"] if "error" in r]
    out["notes"] = [
        f"Synthetic float32 surface ({bench_big.N_CORES} cores, {bench_big.N_SOURCES} sources, "
        f"{bench_big.BARRIER_FRACTION:.0%} barriers) written to and read from tiled GeoTIFF; "
        "each size in a fresh interpreter; 'extra' memory = a step's peak (kernel high-water "
        "mark, reset before the step) minus the resident size before it, outputs included; "
        "process peak = the interpreter's peak over all steps, input rasters included."]
    return out


def section_barrier(plan: dict, repeats: int | None) -> dict:
    import bench_barrier

    out = bench_barrier.run(plan["size"], repeats or plan["repeats"])
    out["threads"] = THREADS["barrier"]
    out["notes"] = [
        "Small grid: random resistance 1-20 with a wall of 200 (two weak cells) between two cores; "
        "brute force = for every radius and window centre, the disk set to the restored resistance "
        "(1) and cost_distance rerun from core A (bounded at the original LCD), timed once.",
        "Default grid: the top 10 links of the default scenario (its stages up to the gaps); "
        "barrier_network with unbounded searches, and the run's restoration stage (searches "
        "bounded at max_cost_distance, sites described). The brute force there is extrapolated "
        "from five restored-window recomputations of the first link (each a cost-distance search "
        "from core A bounded at the link's LCD). A link whose path is all forest (resistance 1 = "
        "R') or shorter than a window's diameter cannot gain from any window (restoring costs "
        "R' x 2r), hence fewer than 3 sites per link, and none on some links.",
        "Disk min-filter: scipy.ndimage.minimum_filter with the same disk footprint, "
        "mode='constant', cval=inf; outputs compared for equality."]
    return out


def section_ensemble(plan: dict, repeats: int | None) -> dict:
    import bench_ensemble

    out = bench_ensemble.run(plan["members"], workers=2, runs=repeats or plan["runs"])
    out["threads"] = THREADS["ensemble"]
    return out


def section_scale(plan: dict, repeats: int | None) -> dict:
    """The main job on the upsampled region at growing sizes (each size once: minutes each)."""
    import bench_scale

    return bench_scale.run(plan["mcells"], dask_at=plan["dask_at"], max_minutes=plan["max_minutes"], verbose=False)


def section_graphs(plan: dict, repeats: int | None) -> dict:
    """dPC for 1,000 (and 2,000) nodes: corridors vs plain scipy / networkx removal loops."""
    import bench_graphs

    reps = repeats or plan["repeats"]
    rows = bench_graphs.run(plan["sizes"], reps, peer_nodes=plan["peer_nodes"],
                            nx_nodes=plan["nx_nodes"], links=plan["links"], verbose=False)
    for r in rows:
        r["corridors_s"] = spread(r["wall_s"]["corridors"])
    notes = [
        f"Input: n circular reserves, centres uniform in a {bench_graphs.SIDE_KM:.0f} km square, "
        f"log-normal radii (median {bench_graphs.RADIUS_MEDIAN_KM} km), edge-to-edge distances, "
        f"median dispersal {bench_graphs.MEDIAN_DISPERSAL_KM} km, links with p < "
        f"{bench_graphs.MIN_PROBABILITY} pruned (seeded).",
        "The peers' time for all n removals is extrapolated from the removals timed (base "
        "all-pairs search + n x mean removal); their dPC on those nodes is compared with ours.",
        "Our time covers pc() (validation, graph building, one search per node) and .dpc; numba "
        "compilation is excluded (warm-up first)."]
    return {"repeats": reps, "threads": THREADS["graphs"], "rows": rows, "notes": notes}


RUNNERS = {"cost": section_cost, "circuit": section_circuit, "nea": section_nea,
           "conformance": section_conformance, "big": section_big, "barrier": section_barrier,
           "graphs": section_graphs, "ensemble": section_ensemble, "scale": section_scale}


# ====================================================================================== goals
def goals(results: dict) -> list[dict]:
    """The issue's targets, each with the measured figure and met / not met / not measured."""
    out = []

    def add(goal, value, met, where):
        out.append({"goal": goal, "measured": value,
                    "status": "not measured" if met is None else ("met" if met else "NOT met"),
                    "section": where})

    cost = results.get("cost", {})
    crow = {r["size"]: r for r in cost.get("rows", [])}
    for n in (2000, 4000):
        r = crow.get(n)
        x = r["ratio"].get("mcp") if r else None
        add(f"cost distance >= 3x faster than MCP_Geometric, one thread, {n}x{n}",
            fmt_ratio(x), None if x is None else x >= 3, "cost")
    xs = [(n, r["ratio"].get("xrspatial")) for n, r in sorted(crow.items())]
    xs = [(n, x) for n, x in xs if x is not None]
    add("cost distance faster than xarray-spatial (every size)",
        ", ".join(f"{n}: {fmt_ratio(x)}" for n, x in xs) or "—",
        None if not xs else all(x > 1 for _, x in xs), "cost")
    mems = [(n, r.get("peak_over_raster")) for n, r in sorted(crow.items())]
    big = results.get("big", {})
    for r in big.get("rows", []):
        if "cost_distance_x_float64_raster" in r:
            mems.append((f"{r['size']} (float32 input)", r["cost_distance_x_float64_raster"]))
    mems = [(n, m) for n, m in mems if m is not None]
    add("cost distance peak memory < 3x the float64 raster",
        ", ".join(f"{n}: {m:.2f}x" for n, m in mems) or "—",
        None if not mems else all(m < 3 for _, m in mems), "cost, big")
    g = (big.get("growth") or {}).get("cost_distance", {})
    e, ec = g.get("time_exponent"), g.get("cpu_time_exponent")
    worst = max((x for x in (e, ec) if x is not None), default=None)  # judged on the worse one
    add(f"near-linear growth of cost distance time with cells (log-log slope <= {LINEAR_SLOPE})",
        "—" if e is None else f"wall {e:.2f}" + ("" if ec is None else f", CPU {ec:.2f}"),
        None if worst is None else worst <= LINEAR_SLOPE, "big")
    L = big.get("largest")
    ok64 = [r for r in big.get("rows", []) if r.get("cells", 0) >= 64_000_000 and "error" not in r]
    add("cost distance + linkage network on 64 M cells within 24 GB",
        "—" if not L else f"largest {L['size']}x{L['size']}, process peak {L['process_peak_gib']:.2f} GiB",
        (ok64[0]["process_peak_rss_bytes"] < 24 * 2**30) if ok64 else None, "big")

    circ = results.get("circuit", {})
    r = next((r for r in circ.get("rows", []) if r["case"] == "regions" and r["size"] == 600
              and r["k"] == 8 and r["engine"] == "plain-pyamg"), None)
    x = r.get("ours_x_faster") if r else None
    add("8 focal regions on 600x600: >= 5x faster than plain pyamg (shared hierarchy, one solve "
        "per pair)", fmt_ratio(x), None if x is None else x >= 5, "circuit")
    r = next((r for r in circ.get("rows", []) if r["case"] == "regions" and r["size"] == 2000
              and r["engine"] == "corridors"), None)
    s = r["seconds"]["median"] if r and r["seconds"]["n"] else None
    add("10 focal regions on 2000x2000 in under a minute on two cores",
        "—" if s is None else f"{s:.1f} s", None if s is None else s < 60, "circuit")
    conf = results.get("conformance", {})
    t = conf.get("total")
    add("Circuitscape reference cases (tests/circuitscape) all pass",
        "—" if not t else f"{t['passed']} passed, {t['failed']} failed, {t['skipped']} skipped"
        + (f", {t['xfailed']} expected failures" if t.get("xfailed") else ""),
        None if not t else (t["failed"] == 0 and t["passed"] > 0), "conformance")
    bar = results.get("barrier", {}).get("nea")
    s = bar["barrier_network_s"]["median"] if bar else None
    add("barrier analysis of the top 10 links at five radii on the default grid in under 30 s",
        "—" if s is None else f"{s:.2f} s (restoration sites {bar['restoration_sites_s']['median']:.2f} s)",
        None if s is None else s < 30, "barrier")
    grow = {r["nodes"]: r for r in results.get("graphs", {}).get("rows", [])}
    r = grow.get(1000)
    s = r["median_s"]["corridors"] if r else None
    add("dPC for 1,000 nodes (p_ij < 0.001 pruned) in under 60 s on two cores",
        "—" if s is None else f"{s:.1f} s, {r['edges_per_node']:.1f} links per node, "
        f"{r['ratio_vs_scipy']:.0f}x faster than plain scipy", None if s is None else s < 60,
        "graphs")
    ens = results.get("ensemble") or {}
    full = "ensemble_wall_s" in ens and ens["members"] >= 100  # quick mode runs fewer: not the goal
    add("100-member ensemble of the default scenario under 5 minutes on two cores",
        "—" if "ensemble_wall_s" not in ens else
        f"{ens['members']} members: {ens['ensemble_wall_s']:.0f} s wall ({ens['ratio']:.1f}x faster than as many "
        f"independent runs), CPU / 2 = {ens.get('two_free_cores_s', float('nan')):.0f} s",
        ens["goal_met"] if full else None, "ensemble")
    return out


# =================================================================================== markdown
def _mib(b):
    return "—" if b is None else f"{b / 2**20:,.0f}"


def to_markdown(doc: dict) -> str:
    m = doc["machine"]
    res = doc["results"]
    L = [f"# corridors benchmarks ({doc['mode']})", "",
         f"- date (UTC): {m['date_utc']}; git commit {m['git_commit']}"
         + (" (uncommitted changes)" if m.get("git_dirty") else ""),
         f"- machine: {m['cpu']}, {m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs, "
         f"{m['ram_gib']} GiB RAM; {m['os']}; Python {m['python']}",
         "- packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v),
         f"- load average at start: {', '.join(f'{x:.2f}' for x in m['load_average_at_start'] or [])}",
         f"- command: `{' '.join(doc['command'])}`; total {doc['total_s']:.0f} s", ""]
    if doc.get("caveat"):
        L += [f"> {doc['caveat']}", ""]
    L += ["Times: median of the repeats, (min–max, n). Ratios: peer median / corridors median, "
          "> 1 means corridors is faster. Numba compile time is excluded (warm-up first).", ""]

    L += ["## Goals", "", "| goal | measured | status |", "|---|---|---|"]
    for g in doc["goals"]:
        L.append(f"| {g['goal']} | {g['measured']} | {g['status']} |")
    L.append("")

    for name in SECTIONS:
        if name not in res:
            continue
        sec = res[name]
        meta = doc["sections"][name]
        L.append(f"## {name}")
        L.append("")
        L.append(f"Section wall {meta['wall_s']:.0f} s, peak RSS of its processes "
                 f"{_mib(meta['peak_rss_bytes'])} MiB, threads {meta['threads']}.")
        L.append("")
        if "error" in sec and name != "conformance":
            L += [f"**ERROR**: {sec['error']}", ""]
            continue
        L += globals()[f"_md_{name}"](sec)
        for note in sec.get("notes", []):
            L.append(f"- {note}")
        L.append("")
    return "\n".join(L) + "\n"


def _cost_cell(r, e):
    """Peer time with spread and the ratio, or a dash when the peer did not run at this size."""
    if e not in r["wall_s"]:
        return "—"
    return f"{fmt_spread(r['wall_s'][e])} ({fmt_ratio(r['ratio'].get(e))})"


def _rel(d, e):
    """Max relative difference; strings are non-finite values ("inf": reachable cells differ)."""
    if e not in d:
        return "—"
    return d[e] if isinstance(d[e], str) else f"{d[e]:.1e}"


def _md_cost(sec):
    L = [f"Cost distance from {sec['rows'][0]['sources'] if sec['rows'] else '?'} sources, "
         f"8 neighbours, {sec['rows'][0]['input'] if sec['rows'] else ''}; {sec['threads']} thread, "
         f"{sec['repeats']} repeats.", "",
         "| grid | corridors | MCP_Geometric (ratio) | scipy dijkstra (ratio) | xarray-spatial (ratio) "
         "| CPU-time ratios MCP / scipy / xrs | max rel. diff MCP / scipy / xrs | corridors peak memory "
         "(x float64 raster) |", "|---|---|---|---|---|---|---|---|"]
    for r in sec["rows"]:
        w, c = r["wall_s"], r["cpu_ratio"]
        mem = "—" if r.get("peak_over_raster") is None else \
            f"{_mib(r['peak_extra_bytes'])} MiB ({r['peak_over_raster']:.2f}x)"
        L.append(f"| {r['size']}x{r['size']} | {fmt_spread(w.get('corridors'))} | "
                 + " | ".join(_cost_cell(r, e) for e in ("mcp", "scipy", "xrspatial")) + " | "
                 f"{' / '.join(fmt_ratio(c.get(e)) for e in ('mcp', 'scipy', 'xrspatial'))} | "
                 f"{' / '.join(_rel(r['maxrel'], e) for e in ('mcp', 'scipy', 'xrspatial'))} | "
                 f"{mem} |")
    L.append("")
    return L


def _md_circuit(sec):
    L = [f"Pairwise effective resistances (8 neighbours, mean conductance), {sec['threads']} threads, "
         f"{sec['repeats']} repeats.", "",
         "| case | grid | focal | engine | solver / strategy | solves | time | corridors x faster "
         "| max rel. diff | peak RSS MiB |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(sec["rows"], key=lambda r: (r["size"], r["case"], r["engine"] != "corridors",
                                                 r["engine"])):
        sol = " / ".join(str(r[k]) for k in ("solver", "strategy") if r.get(k)) or "—"
        err = f" ERROR: {r['errors'][0]}" if r["errors"] else ""
        err += f" ({r['note']})" if r.get("note") else ""
        mrd = r.get("max_rel_diff_vs_corridors")
        mrd = "—" if mrd is None else f"{mrd:.1e}"
        peak = "—" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
        L.append(f"| {r['case']} | {r['size']}x{r['size']} | {r['k']} | {r['engine']} | {sol} | "
                 f"{r.get('solves', '—')} | {fmt_spread(r['seconds'])}{err} | "
                 f"{fmt_ratio(r.get('ours_x_faster')) if r['engine'] != 'corridors' else ''} | "
                 f"{mrd} | {peak} |")
    L.append("")
    return L


def _md_nea(sec):
    if "variants" not in sec:  # results written before the variants existed
        sec = {**sec, "variants": [{"variant": "serial (default)", **sec}]}
    L = [f"Default North-East Asia scenario, {sec['repeats']} timed runs per variant after a "
         "warm-up.", "", "| variant | command | wall time | peak RSS MiB | output |",
         "|---|---|---|---|---|"]
    for v in sec["variants"]:
        L.append(f"| {v['variant']} | `{v['command']}` | **{fmt_spread(v['wall_s'])}** | "
                 f"{_mib(v['peak_rss_bytes'])} | {v.get('cli_summary', '—')} |")
    same = sec.get("rankings_identical")
    if same is not None:
        L += ["", f"ranking.csv identical in every run: **{same}**."]
    names = sorted({k for v in sec["variants"] for k in v.get("steps_s", {})},
                   key=lambda k: list(sec["variants"][0].get("steps_s", {})).index(k)
                   if k in sec["variants"][0].get("steps_s", {}) else 99)
    if names:
        L += ["", "| step (manifest.json timings) | "
              + " | ".join(v["variant"] for v in sec["variants"]) + " |",
              "|---|" + "---|" * len(sec["variants"])]
        for k in names:
            L.append(f"| {k} | " + " | ".join(fmt_spread(v.get("steps_s", {}).get(k))
                                             for v in sec["variants"]) + " |")
    L.append("")
    return L


def _md_conformance(sec):
    if "error" in sec:
        return [f"**ERROR**: {sec['error']}", ""]
    t = sec["total"]
    xf = t.get("xfailed", 0)
    L = [f"`{sec['command']}`: **{t['passed']} passed, {t['failed']} failed, {t['skipped']} "
         f"skipped" + (f", {xf} expected failures" if xf else "") + f"** in {sec['wall_s']:.0f} s.",
         "", "| test file | passed | failed | skipped | expected failures |", "|---|---|---|---|---|"]
    for f, c in sorted(sec["by_file"].items()):
        L.append(f"| {f} | {c['passed']} | {c['failed']} | {c['skipped']} | {c.get('xfailed', 0)} |")
    if sec.get("reference_case_tests"):
        L += ["", "Reference cases (tests/circuitscape/test_conformance.py, one test per case and "
              "solver setting):", "", "| test | passed | failed | skipped | expected failures |",
              "|---|---|---|---|---|"]
        for f, c in sorted(sec["reference_case_tests"].items()):
            L.append(f"| {f} | {c['passed']} | {c['failed']} | {c['skipped']} | "
                     f"{c.get('xfailed', 0)} |")
    if sec.get("not_run"):
        L += ["", "Not run or expected to fail, with the test's own reason:", ""]
        L += [f"- `{x['test']}` ({x['outcome']}): {x['reason']}" for x in sec["not_run"]]
    if sec["failed"]:
        L += ["", "Failed: " + ", ".join(f"`{x}`" for x in sec["failed"][:30])
              + (" …" if len(sec["failed"]) > 30 else "")]
    L.append("")
    return L


def _md_barrier(sec):
    import bench_barrier

    return bench_barrier.to_markdown(sec).splitlines() + [""]
def _md_graphs(sec):
    import bench_graphs

    return (["dPC with its fractions (Saura & Rubio 2010) on the same pruned graph; "
             f"{sec['threads']} threads, {sec['repeats']} repeats.", ""]
            + bench_graphs.to_markdown(sec["rows"]).splitlines() + [""])


def _md_big(sec):
    import bench_big

    return bench_big.to_markdown(sec).splitlines() + [""]


def _md_ensemble(sec):
    import bench_ensemble

    return bench_ensemble.to_markdown(sec).splitlines() + [""]


def _md_scale(sec):
    import bench_scale

    # the section's own table and notes, without its title and machine line (the page has them)
    return bench_scale.to_markdown(sec).splitlines()[4:] + [""]


# ======================================================================================= main
def _run_section_child(name: str, mode: str, repeats: int | None, out: Path) -> None:
    """Inside the section's own interpreter: run it and write its JSON."""
    t0 = time.perf_counter()
    try:
        result = RUNNERS[name](PLAN[mode].get(name, {}), repeats)
    except Exception as exc:  # recorded in the results, and the exit code says it failed
        import traceback

        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    result["section_inner_s"] = time.perf_counter() - t0
    _common.write_atomic(out, _common.dump_json(result))
    if "error" in result:
        sys.exit(1)


def run_sections(names, mode: str, repeats: int | None, verbose=True):
    results, meta = {}, {}
    with tempfile.TemporaryDirectory(prefix="corridors-bench-") as tmp:
        for name in names:
            out = Path(tmp) / f"{name}.json"
            n = str(THREADS[name])
            env = {**os.environ, "NUMBA_NUM_THREADS": n, "OMP_NUM_THREADS": n,
                   "OPENBLAS_NUM_THREADS": n, "MKL_NUM_THREADS": n, "PYTHONWARNINGS": "ignore"}
            cmd = [sys.executable, str(Path(__file__).resolve()), "--section", name,
                   "--section-out", str(out), "--mode", mode]
            if repeats:
                cmd += ["--repeats", str(repeats)]
            if verbose:
                print(f"[{time.strftime('%H:%M:%S')}] {name} ...", flush=True)
            r = _common.run_child(cmd, env=env, timeout=TIMEOUT[mode])
            if out.exists():
                results[name] = json.loads(out.read_text())
            else:
                tail = (r["stderr"] or r["stdout"]).strip().splitlines()[-8:]
                results[name] = {"error": ("timed out; " if r["timed_out"] else "")
                                 + f"exit {r['returncode']}: " + " | ".join(tail)}
            meta[name] = {"wall_s": r["wall_s"], "peak_rss_bytes": r["peak_rss_bytes"],
                          "threads": THREADS[name], "returncode": r["returncode"],
                          "stderr_tail": r["stderr"].strip().splitlines()[-20:]}
            if verbose:
                status = "ERROR " + results[name]["error"] if "error" in results[name] else "ok"
                print(f"[{time.strftime('%H:%M:%S')}] {name}: {status} ({r['wall_s']:.0f} s)",
                      flush=True)
    return results, meta


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark corridors against its peers; writes FILE.json and FILE.md.")
    ap.add_argument("--quick", action="store_true",
                    help="smaller grids and fewer repeats (a few minutes)")
    ap.add_argument("--out", type=Path, help="result file (.json); the Markdown goes beside it")
    ap.add_argument("--only", action="append", choices=SECTIONS,
                    help="run only this section (repeatable)")
    ap.add_argument("--repeats", type=int, help="override the repeats of every section")
    ap.add_argument("--caveat", help="a sentence printed at the top of the Markdown")
    ap.add_argument("--render", type=Path, metavar="FILE.json",
                    help="only rewrite FILE.md from an existing FILE.json (goals recomputed)")
    ap.add_argument("--section", choices=SECTIONS, help=argparse.SUPPRESS)
    ap.add_argument("--section-out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--mode", choices=("quick", "full"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.section:
        _run_section_child(a.section, a.mode, a.repeats, a.section_out)
        return 0
    if a.render:
        doc = json.loads(a.render.read_text())
        doc["goals"] = goals(doc["results"])
        _common.write_atomic(a.render.with_suffix(".md"), to_markdown(doc))
        print(f"wrote {a.render.with_suffix('.md')}")
        return 0
    if a.out is None:
        ap.error("--out FILE.json is required")
    if a.repeats is not None and a.repeats < 1:
        ap.error(f"--repeats must be >= 1, got {a.repeats}")
    mode = "quick" if a.quick else "full"
    names = [s for s in SECTIONS if not a.only or s in a.only]
    machine = _common.machine_info()
    t0 = time.perf_counter()
    results, meta = run_sections(names, mode, a.repeats)
    doc = {"mode": mode, "command": ["python", "benchmarks/run.py"] + _common.shown_argv(argv or sys.argv[1:]),
           "machine": machine, "total_s": time.perf_counter() - t0, "plan": PLAN[mode],
           "threads": {n: THREADS[n] for n in names}, "sections": meta, "results": results,
           "caveat": a.caveat}
    doc["goals"] = goals(results)
    md = to_markdown(doc)
    out = a.out if a.out.suffix == ".json" else a.out.with_suffix(a.out.suffix + ".json")
    _common.write_atomic(out, _common.dump_json(doc))
    _common.write_atomic(out.with_suffix(".md"), md)
    print(md)
    print(f"wrote {out} and {out.with_suffix('.md')}")
    failed = [n for n, r in results.items() if "error" in r or r.get("failures")]
    if failed:
        print(f"sections with failures: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
