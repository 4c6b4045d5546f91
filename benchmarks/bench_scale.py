"""The main job at scale (issue 19): ``corridors run`` on the embedded region upsampled to 1, 4,
13, 25 (and 100) M cells, each beside one scikit-image ``MCP_Geometric`` cost distance on the
same grid, in the same run.

Usage::

    python benchmarks/bench_scale.py --out benchmarks/results/scale.json [--mcells 1 4 13 25 100]
        [--dask-at 13] [--max-minutes 25] [--caveat "..."]

For each size: ``corridors datasets --resample`` writes the region at the cell size that gives
about that many cells (a child process), then, each in a fresh child process whose peak
resident set is read from ``wait4`` (``ru_maxrss``):

* ``corridors run SCENARIO --out RUN`` (the default scenario on that land cover, report and
  COGs included, two Numba threads): wall time, peak RSS, bytes per cell, the manifest's stage
  times;
* the peer: the same resistance surface (the run's own reclassification), ``MCP_Geometric(costs,
  fully_connected=True).find_costs(every reserve cell)`` unbounded; its time covers the
  constructor and ``find_costs`` (reading the inputs is not timed); peak RSS too.

A baseline child (the interpreter with everything ``corridors run`` imports, nothing run) gives
the fixed part of the peak; bytes per cell are reported both raw (peak / cells) and above that
baseline. Growth slopes are least-squares fits of log time (and log peak) against log cells.
With ``--dask-at N`` the N M-cell run is repeated with ``--workers 2`` (a two-worker dask
LocalCluster) and its ``ranking.csv`` compared byte for byte with the serial one.

A size whose predicted time (slope of the two largest sizes run) exceeds ``--max-minutes`` or
whose predicted peak exceeds half the machine's available memory is skipped, and said so.

The upsampled grids test scaling, not ecology (no finer land cover is available offline).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402

#: The embedded grid: 960 x 540 cells of 5 km.
BASE_SHAPE = (540, 960)
BASE_CELL = 5000.0

#: Threads of the run (two cores) and of the peer (MCP is single-threaded).
THREADS = 2


def cellsize_for(mcells: float) -> float:
    """Cell size (m, rounded to 10 m) that gives about ``mcells`` million cells."""
    n = BASE_SHAPE[0] * BASE_SHAPE[1]
    return round(BASE_CELL * math.sqrt(n / (mcells * 1e6)) / 10.0) * 10.0


def _env() -> dict:
    n = str(THREADS)
    return {**os.environ, "NUMBA_NUM_THREADS": n, "OMP_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n,
            "MKL_NUM_THREADS": n, "PYTHONWARNINGS": "ignore"}


def _me(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def _corridors(*args: str) -> list[str]:
    exe = Path(sys.executable).parent / "corridors"
    base = [str(exe)] if exe.exists() else [sys.executable, "-c", "import sys; from corridors.cli import main; sys.exit(main())"]
    return base + list(args)


def _child(cmd: list[str], label: str, timeout: float) -> dict:
    r = _common.run_child(cmd, env=_env(), timeout=timeout)
    if r["returncode"] != 0:
        tail = (r["stderr"] or r["stdout"]).strip().splitlines()[-8:]
        raise RuntimeError(f"{label} exited {r['returncode']}" + (" (timed out)" if r["timed_out"] else "")
                           + ": " + " | ".join(tail))
    return r


# ------------------------------------------------------------------------------ child bodies
def child_baseline() -> None:
    """Import what ``corridors run`` imports and stop (the fixed part of every peak)."""
    import geopandas  # noqa: F401
    import rasterio  # noqa: F401
    import scipy.sparse  # noqa: F401

    import corridors.cli  # noqa: F401
    import corridors.pipeline.run  # noqa: F401
    from corridors._kernels import cost  # noqa: F401


def child_peer(scenario: str) -> None:
    """Time one MCP_Geometric cost distance from every reserve cell on the run's resistance."""
    import numpy as np
    from skimage.graph import MCP_Geometric

    import corridors
    import vectors
    from corridors.pipeline.stages import load_inputs
    from corridors.pipeline.stages.resistance import build_resistance

    sc = corridors.Scenario.from_toml(scenario).resolved()
    inputs = load_inputs(sc)
    grid = build_resistance(inputs, sc.edits).grid
    costs = np.asarray(grid.values, dtype=np.float64)
    costs[~np.isfinite(costs)] = np.inf  # barriers: impassable for MCP
    cores = vectors.rasterize_cores(inputs.pas, grid)
    ids = np.asarray(cores.grid.values)
    starts = np.argwhere((ids > 0) & np.isfinite(costs))
    del ids, cores
    t = time.perf_counter()
    cum, _ = MCP_Geometric(costs, fully_connected=True, sampling=(grid.cellsize, grid.cellsize)).find_costs(starts)
    wall = time.perf_counter() - t
    print(json.dumps({"mcp_s": wall, "sources": int(len(starts)),
                      "finite": int(np.count_nonzero(np.isfinite(cum)))}))


# ------------------------------------------------------------------------------ one size
def one_size(mcells: float, tmp: Path, *, timeout: float, dask: bool) -> dict:
    cell = cellsize_for(mcells)
    data = tmp / f"nea-{cell:g}m"
    t = time.perf_counter()
    _child(_corridors("datasets", "--resample", f"{cell:g}", "--out", str(data)), "corridors datasets", timeout)
    prepare_s = time.perf_counter() - t
    import rasters  # only for the shape; small

    shape = rasters.read(data / "landcover.tif").shape
    cells = shape[0] * shape[1]
    scenario = str(data / "scenario.toml")
    run_out = tmp / f"run-{cell:g}m"
    r = _child(_corridors("-q", "run", scenario, "--out", str(run_out)), f"corridors run ({mcells} M)", timeout)
    manifest = json.loads((run_out / "manifest.json").read_text())
    ranking = (run_out / "ranking.csv").read_bytes()
    row = {"mcells": mcells, "cellsize_m": cell, "shape": list(shape), "cells": cells, "prepare_s": prepare_s,
           "run_s": r["wall_s"], "run_cpu_s": r["cpu_s"], "run_peak_bytes": r["peak_rss_bytes"],
           "stages_s": manifest.get("timings_s", {}), "ranked_links": ranking.count(b"\n") - 1}
    p = _child(_me("--child", "peer", scenario), f"MCP peer ({mcells} M)", timeout)
    peer = json.loads(p["stdout"].strip().splitlines()[-1])
    row.update({"mcp_s": peer["mcp_s"], "mcp_child_s": p["wall_s"], "mcp_peak_bytes": p["peak_rss_bytes"],
                "mcp_sources": peer["sources"]})
    if dask:
        dask_out = tmp / f"run-{cell:g}m-dask"
        d = _child(_corridors("-q", "run", scenario, "--out", str(dask_out), "--workers", "2"),
                   f"corridors run --workers 2 ({mcells} M)", timeout)
        same = (dask_out / "ranking.csv").read_bytes() == ranking
        row["dask"] = {"workers": 2, "run_s": d["wall_s"], "ranking_identical": same,
                       "executor": json.loads((dask_out / "manifest.json").read_text()).get("executor")}
        _rmtree(dask_out)
    _rmtree(run_out)
    _rmtree(data)
    return row


def _rmtree(p: Path) -> None:
    import shutil

    shutil.rmtree(p, ignore_errors=True)


def _predict(rows, mcells: float, key: str) -> float | None:
    """Extrapolate ``key`` to ``mcells`` from the two largest sizes measured (log-log)."""
    if len(rows) < 2:
        return None
    a, b = rows[-2], rows[-1]
    s = _common.loglog_slope([a["cells"], b["cells"]], [a[key], b[key]])
    if s is None:
        return None
    return b[key] * (mcells * 1e6 / b["cells"]) ** s


def run(mcells_list, *, dask_at=None, max_minutes=25.0, verbose=True) -> dict:
    rows, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="corridors-scale-") as tmp:
        tmp = Path(tmp)
        # warm-up: the default 5 km run compiles (or loads) every Numba kernel, so no size pays for it
        _child(_corridors("-q", "run", "--out", str(tmp / "warm-up")), "warm-up run", 1800)
        _rmtree(tmp / "warm-up")
        base = _child(_me("--child", "baseline"), "baseline", 600)
        for m in mcells_list:
            t_pred = _predict(rows, m, "run_s")
            mem_pred = _predict(rows, m, "run_peak_bytes")
            avail = _common.meminfo_bytes("MemAvailable")
            if t_pred is not None and t_pred > 60 * max_minutes:
                skipped.append({"mcells": m, "reason": f"predicted {t_pred / 60:.0f} min > {max_minutes:g} min"})
                continue
            if mem_pred is not None and avail is not None and mem_pred > 0.5 * avail:
                skipped.append({"mcells": m, "reason": f"predicted peak {mem_pred / 2**30:.1f} GiB > half the "
                                                       f"{avail / 2**30:.1f} GiB available"})
                continue
            if verbose:
                print(f"[{time.strftime('%H:%M:%S')}] {m} M cells (cell {cellsize_for(m):g} m) ...", flush=True)
            row = one_size(m, tmp, timeout=max(1800.0, 120 * max_minutes), dask=dask_at is not None and m == dask_at)
            row["predicted_run_s"] = t_pred
            rows.append(row)
            if verbose:
                print(f"[{time.strftime('%H:%M:%S')}]   run {row['run_s']:.1f} s, peak {row['run_peak_bytes'] / 2**30:.2f} GiB "
                      f"({row['run_peak_bytes'] / row['cells']:.0f} B/cell); MCP {row['mcp_s']:.1f} s"
                      + (f"; dask ranking identical: {row['dask']['ranking_identical']}" if "dask" in row else ""),
                      flush=True)
    baseline = base["peak_rss_bytes"]
    for r in rows:
        r["bytes_per_cell"] = r["run_peak_bytes"] / r["cells"]
        r["bytes_per_cell_above_baseline"] = (r["run_peak_bytes"] - baseline) / r["cells"]
        r["mcp_bytes_per_cell"] = r["mcp_peak_bytes"] / r["cells"]
        r["ratio_run_to_mcp"] = r["run_s"] / r["mcp_s"]
    cells = [r["cells"] for r in rows]
    fit = memory_fit(rows)
    for r in rows:
        if fit is not None:
            r["bytes_per_cell_beyond_fixed"] = (r["run_peak_bytes"] - fit["fixed_bytes"]) / r["cells"]
    return {
        "machine": _common.machine_info(), "threads": THREADS, "baseline_peak_bytes": baseline,
        "memory_fit": fit, "rows": rows, "skipped": skipped,
        "slopes": {"run_time": _common.loglog_slope(cells, [r["run_s"] for r in rows]),
                   "mcp_time": _common.loglog_slope(cells, [r["mcp_s"] for r in rows]),
                   "run_peak": _common.loglog_slope(cells, [r["run_peak_bytes"] for r in rows]),
                   "run_peak_above_baseline": _common.loglog_slope(cells, [r["run_peak_bytes"] - baseline for r in rows])},
    }


def memory_fit(rows) -> dict | None:
    """Least-squares line ``peak = fixed + per_cell * cells`` over the sizes run: ``fixed`` is
    what no grid size changes (interpreter, libraries, compiled kernels, vector work, the
    report's figures), ``per_cell`` what each cell adds. None with fewer than two sizes."""
    if len(rows) < 2:
        return None
    import numpy as np

    per_cell, fixed = np.polyfit([r["cells"] for r in rows], [r["run_peak_bytes"] for r in rows], 1)
    return {"fixed_bytes": float(fixed), "bytes_per_cell": float(per_cell)}


# ------------------------------------------------------------------------------ markdown
def _gib(b):
    return f"{b / 2**30:.2f}"


def to_markdown(doc: dict, caveat: str | None = None) -> str:
    rows = doc["rows"]
    m = doc["machine"]
    lines = ["# The main job at scale (issue 19)", ""]
    if caveat:
        lines += [f"**{caveat}**", ""]
    lines += [
        f"Machine: {m.get('cpu', '?')}, {m.get('usable_cpus', '?')} usable CPUs, "
        f"{m.get('ram_gib', '?')} GiB RAM, load average at start {m.get('load_average_at_start')}, "
        f"commit {str(m.get('git_commit'))[:10]}; shared with other engineers' jobs while this ran "
        f"(times are noisy; the ratio to the peer measured in the same run is the steadier figure). "
        f"`corridors run` on {doc['threads']} Numba threads; scikit-image MCP is single-threaded.",
        "",
        "Input: the embedded North-East Asia region upsampled (`corridors datasets --resample`): "
        "**upsampled data tests scaling, not ecology**. The default scenario, report and COGs included.",
        "",
        "| M cells | cell (m) | grid | run (s) | peak (GiB) | B/cell | B/cell above baseline | "
        "B/cell beyond the fixed part | MCP (s) | run / MCP | MCP peak (GiB) | ranked links |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        beyond = r.get("bytes_per_cell_beyond_fixed")
        lines.append(
            f"| {r['cells'] / 1e6:.1f} | {r['cellsize_m']:g} | {r['shape'][0]} x {r['shape'][1]} | {r['run_s']:.1f} | "
            f"{_gib(r['run_peak_bytes'])} | {r['bytes_per_cell']:.0f} | {r['bytes_per_cell_above_baseline']:.0f} | "
            f"{'-' if beyond is None else f'{beyond:.1f}'} | "
            f"{r['mcp_s']:.1f} | {r['ratio_run_to_mcp']:.1f} | {_gib(r['mcp_peak_bytes'])} | {r['ranked_links']} |")
    s = doc["slopes"]

    def f(v):
        return "—" if v is None else f"{v:.2f}"

    lines += ["", f"Baseline (interpreter and libraries, nothing run): {_gib(doc['baseline_peak_bytes'])} GiB."]
    fit = doc.get("memory_fit")
    if fit:
        lines += ["", f"Peak memory is a line in the grid size: least squares over the series, peak = "
                      f"{_gib(fit['fixed_bytes'])} GiB + {fit['bytes_per_cell']:.1f} B x cells. The fixed part is the "
                      "baseline plus what no grid size changes (Numba's compiled kernels, GDAL's and pyogrio's "
                      "drivers, the reserves, countries and other vector work, matplotlib and the report's "
                      "figures at display resolution); \"beyond the fixed part\" is (peak - fixed) / cells."]
    lines += ["",
              f"Growth slopes (least squares, log-log over the sizes run): run time {f(s['run_time'])}, "
              f"MCP time {f(s['mcp_time'])}, run peak {f(s['run_peak'])}, run peak above baseline "
              f"{f(s['run_peak_above_baseline'])}.", ""]
    if len(rows) >= 2:
        def step(a, b, key):
            return f(_common.loglog_slope([a["cells"], b["cells"]], [a[key], b[key]]))

        steps = [f"{a['cells'] / 1e6:.0f}->{b['cells'] / 1e6:.0f} M: run {step(a, b, 'run_s')}, "
                 f"MCP {step(a, b, 'mcp_s')}" for a, b in zip(rows, rows[1:])]
        lines += ["Slopes between neighbouring sizes (a fixed ~10 s of imports, data loading and vector "
                  "work flattens the small end): " + "; ".join(steps) + ".", ""]
    stage_names = sorted({k for r in rows for k in r["stages_s"]}, key=lambda k: list(rows[-1]["stages_s"]).index(k)
                         if k in rows[-1]["stages_s"] else 99)
    if rows:
        lines += ["Stage times from each run's manifest (s):", "",
                  "| M cells | " + " | ".join(stage_names) + " |",
                  "|---:|" + "---:|" * len(stage_names)]
        for r in rows:
            lines.append(f"| {r['cells'] / 1e6:.1f} | " + " | ".join(
                f"{r['stages_s'].get(k, float('nan')):.1f}" for k in stage_names) + " |")
        lines.append("")
    for r in rows:
        if "dask" in r:
            d = r["dask"]
            lines += [f"Serial vs dask at {r['cells'] / 1e6:.1f} M cells: `--workers 2` (LocalCluster, "
                      f"{(d.get('executor') or {}).get('kind', '?')}) took {d['run_s']:.1f} s; ranking.csv "
                      f"{'**identical** byte for byte' if d['ranking_identical'] else '**DIFFERENT**'} to the serial run's.", ""]
    for sk in doc["skipped"]:
        lines += [f"Skipped {sk['mcells']} M cells: {sk['reason']}.", ""]
    lines += ["## Issue 19's goals", "", "| goal | measured | met |", "|---|---|---|"]
    for g in goals(doc):
        lines.append(f"| {g['goal']} | {g['measured']} | {g['met']} |")
    if doc.get("notes"):  # hand-written lines (Markdown) kept in the JSON
        lines += [""] + list(doc["notes"])
    return "\n".join(lines) + "\n"


def _half_range(values) -> float | None:
    """Half the range of ``values`` over their mid-range (0.1 = within +-10 %); None for fewer than two."""
    if len(values) < 2:
        return None
    return (max(values) - min(values)) / (max(values) + min(values))


def goals(doc: dict) -> list[dict]:
    """Issue 19's done-when criteria against the measured series (``met``: yes / no / not measured)."""
    rows = doc["rows"]

    def at(m):
        return next((r for r in rows if abs(r["cells"] / 1e6 - m) / m < 0.05), None)

    out = []
    for m in (13, 100):
        r = at(m)
        out.append({"goal": f"peak memory <= 40 bytes per cell at {m} M cells",
                    "measured": "not run" if r is None else
                    f"{r['bytes_per_cell']:.0f} B/cell ({r['bytes_per_cell_above_baseline']:.0f} above the baseline)",
                    "met": "not measured" if r is None else ("yes" if r["bytes_per_cell"] <= 40 else "no")})
    r = at(100)
    out.append({"goal": "100 M cells end to end in under 5 minutes on two cores",
                "measured": "not run" if r is None else f"{r['run_s']:.0f} s",
                "met": "not measured" if r is None else ("yes" if r["run_s"] < 300 else "no")})
    s = doc["slopes"]["run_time"]
    span = f"{rows[0]['cells'] / 1e6:.0f}-{rows[-1]['cells'] / 1e6:.0f} M" if rows else "-"
    out.append({"goal": "growth slope of time against cells <= 1.1 from 1 M to 100 M",
                "measured": "-" if s is None else f"{s:.2f} over {span}",
                "met": "-" if s is None else ("yes" if s <= 1.1 else "no")
                + ("" if at(100) and at(1) else " up to the largest size run (100 M not run)")})
    if rows:
        bpc = [r["bytes_per_cell"] for r in rows]
        dev = _half_range(bpc)
        dev_big = _half_range([r["bytes_per_cell"] for r in rows if r["cells"] >= 12e6])
        out.append({"goal": "peak memory per cell within +-10 % across the series",
                    "measured": f"{min(bpc):.0f}-{max(bpc):.0f} B/cell (+-{100 * dev:.0f} %)"
                    + ("" if dev_big is None else f"; from 13 M up +-{100 * dev_big:.0f} %"),
                    "met": "yes" if dev <= 0.10 else "no"})
        beyond = [r for r in rows if r.get("bytes_per_cell_beyond_fixed") is not None]
        if len(beyond) >= 2:
            b_all = [r["bytes_per_cell_beyond_fixed"] for r in beyond]
            b_4m = [r["bytes_per_cell_beyond_fixed"] for r in beyond if r["cells"] >= 3.5e6]
            dev, dev4 = _half_range(b_all), _half_range(b_4m)
            out.append({"goal": "(the same, per cell beyond the fixed part of the linear fit)",
                        "measured": f"{min(b_all):.1f}-{max(b_all):.1f} B/cell (+-{100 * dev:.0f} %)"
                        + ("" if dev4 is None else f"; from 4 M up {min(b_4m):.1f}-{max(b_4m):.1f} (+-{100 * dev4:.0f} %)"),
                        "met": ("yes" if dev <= 0.10 else "no") + ("" if dev4 is None or dev <= 0.10 else
                                                                   f"; from 4 M up {'yes' if dev4 <= 0.10 else 'no'}")})
    d = next((r for r in rows if "dask" in r), None)
    out.append({"goal": "ranking.csv at 13 M cells identical serial vs a two-worker LocalCluster",
                "measured": "not run" if d is None else
                f"at {d['cells'] / 1e6:.1f} M: {'identical' if d['dask']['ranking_identical'] else 'different'}",
                "met": "not measured" if d is None else ("yes" if d["dask"]["ranking_identical"] else "no")})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--mcells", type=float, nargs="+", default=[1, 4, 13, 25, 100])
    ap.add_argument("--dask-at", type=float, default=None)
    ap.add_argument("--max-minutes", type=float, default=25.0)
    ap.add_argument("--caveat")
    ap.add_argument("--render", type=Path, metavar="FILE.json")
    ap.add_argument("--child", choices=("baseline", "peer"), help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child == "baseline":
        child_baseline()
        return 0
    if a.child == "peer":
        child_peer(a.args[0])
        return 0
    if a.render:
        doc = json.loads(a.render.read_text())
        a.render.with_suffix(".md").write_text(to_markdown(doc, doc.get("caveat")))
        return 0
    if a.out is None:
        ap.error("--out FILE.json is required")
    doc = run([m if m != int(m) else int(m) for m in a.mcells],
              dask_at=None if a.dask_at is None else (int(a.dask_at) if a.dask_at == int(a.dask_at) else a.dask_at),
              max_minutes=a.max_minutes)
    doc["caveat"] = a.caveat
    doc["argv"] = _common.shown_argv(sys.argv)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    _common.write_atomic(a.out, _common.dump_json(doc))
    a.out.with_suffix(".md").write_text(to_markdown(doc, a.caveat))
    print(to_markdown(doc, a.caveat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
