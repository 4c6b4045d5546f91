"""Cost-distance benchmark: corridors vs scikit-image MCP_Geometric (and xarray-spatial, scipy).

Every peer runs on the same random input in the same process, one thread each, interleaved run by
run, and the figure reported is the ratio ``peer time / corridors time`` (median of ``repeats``
runs), in wall time and in process CPU time (steadier when other jobs share the machine). Results are
checked for equality (max relative difference) before timing is trusted. Peak memory of
``corridors.cost_distance`` is measured in a fresh subprocess (resident size sampled during
the call, above the resident size just before it) and reported as a multiple of the float64 raster size (8 bytes/cell).

Usage::

    NUMBA_NUM_THREADS=1 python benchmarks/bench_cost_distance.py --sizes 1000 2000 4000 --repeats 3

``run(sizes, repeats)`` returns the rows as a list of dicts for ``benchmarks/run.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

SEED = 20240601
N_SOURCES = 5
BARRIER_FRACTION = 0.05
RES_RANGE = (1.0, 100.0)


def make_input(n: int, seed: int = SEED, res_range=RES_RANGE):
    """Square n x n resistance (uniform in ``res_range``, 5 % inf barriers) and source cells."""
    rng = np.random.default_rng(seed)
    res = np.empty((n, n), np.float64)
    rng.random(out=res)  # in place: keeps the set-up peak at one raster
    lo, hi = res_range
    res *= hi - lo
    res += lo
    k = int(BARRIER_FRACTION * n * n)
    res.ravel()[rng.integers(0, n * n, k)] = np.inf
    rows = rng.integers(0, n, N_SOURCES)
    cols = rng.integers(0, n, N_SOURCES)
    res[rows, cols] = lo + 1.0
    src = np.zeros((n, n), bool)
    src[rows, cols] = True
    return res, src, list(zip(rows.tolist(), cols.tolist()))


def _rel_diff(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb):
        return float("inf")
    if not fa.any():
        return 0.0
    return float(np.max(np.abs(a[fa] - b[fa]) / np.maximum(np.abs(b[fa]), 1e-300)))


def _peak_memory(n: int) -> dict:
    """Peak extra memory of one cost_distance call, measured in a fresh interpreter."""
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(n)], check=True,
                         capture_output=True, text=True, env={**os.environ})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _memory_child(n: int) -> None:
    import threading

    import psutil

    import corridors

    small, ssrc, _ = make_input(64)
    corridors.cost_distance(small, ssrc)  # load the compiled kernels first
    res, src, _ = make_input(n)
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    done = threading.Event()

    def sample():  # the kernels release the GIL, so this thread keeps sampling during the call
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.0005)

    t = threading.Thread(target=sample)
    t.start()
    out = corridors.cost_distance(res, src)
    peak[0] = max(peak[0], proc.memory_info().rss)  # the returned array is still alive here
    done.set()
    t.join()
    del out
    extra = peak[0] - base
    raster = n * n * 8
    print(json.dumps({"peak_extra_bytes": int(extra), "raster_bytes": raster,
                      "peak_over_raster": extra / raster}))


def run(sizes=(1000, 2000, 4000), repeats=3, *, memory=True, peers=("mcp", "xrspatial", "scipy"),
        scipy_max=1000, verbose=True) -> list[dict]:
    """Time corridors.cost_distance against its peers; one dict per size."""
    import corridors

    warm, wsrc, wcells = make_input(64)
    corridors.cost_distance(warm, wsrc)
    xrs = None
    if "xrspatial" in peers:
        try:
            import xarray as xr
            import xrspatial

            def xrs(res, src):
                n = res.shape[0]
                coords = {"y": np.arange(n)[::-1].astype(float), "x": np.arange(n).astype(float)}
                fr = xr.DataArray(np.where(np.isfinite(res), res, np.nan), dims=("y", "x"),
                                  coords=coords)
                sr = xr.DataArray(src.astype(np.float64), dims=("y", "x"), coords=coords)
                return lambda: xrspatial.cost_distance(sr, fr).values

            xrs(warm, wsrc)()  # compile
        except ImportError:
            xrs = None
    rows = []
    for n in sizes:
        res, src, cells = make_input(n)
        row = {"size": n, "cells": n * n, "sources": len(cells), "repeats": repeats,
               "resistance": f"uniform{RES_RANGE}, {BARRIER_FRACTION:.0%} inf barriers"}
        fns = {"corridors": lambda: corridors.cost_distance(res, src)}
        if "mcp" in peers:
            from skimage.graph import MCP_Geometric

            fns["mcp"] = lambda: MCP_Geometric(res, fully_connected=True).find_costs(cells)[0]
        if xrs is not None:
            fns["xrspatial"] = xrs(res, src)
        if "scipy" in peers and n <= scipy_max:
            from scipy.sparse.csgraph import dijkstra

            g = _scipy_graph(res)  # graph assembly is not timed
            srcs = np.flatnonzero(src.ravel())
            fns["scipy"] = lambda: dijkstra(g, indices=srcs, min_only=True).reshape(res.shape)
        timed = _time_interleaved(fns, repeats)
        ours = timed["corridors"][2]
        row["corridors_s"], row["corridors_cpu_s"] = timed["corridors"][:2]
        row["corridors_Mcells_per_s"] = n * n / row["corridors_s"] / 1e6
        for peer, (wall, cpu, out) in timed.items():
            if peer == "corridors":
                continue
            row[f"{peer}_s"], row[f"{peer}_cpu_s"] = wall, cpu
            row[f"ratio_vs_{peer}"] = wall / row["corridors_s"]
            row[f"cpu_ratio_vs_{peer}"] = cpu / row["corridors_cpu_s"]
            if peer == "xrspatial":  # float32 output, NaN for unreachable
                out = np.where(np.isnan(out), np.inf, out)
            row[f"maxrel_vs_{peer}"] = _rel_diff(ours, out)
        del timed, fns, ours
        if memory:
            row.update(_peak_memory(n))
        rows.append(row)
        if verbose:
            print(_fmt(row), flush=True)
        del res, src
    return rows


def _time_interleaved(fns, repeats):
    """name -> (median wall s, median CPU s, last output); the peers alternate within a repeat so
    that load from other processes hits them alike."""
    wall = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    out = {}
    for _ in range(repeats):
        for k, fn in fns.items():
            out[k] = None
            c0, t0 = time.process_time(), time.perf_counter()
            out[k] = fn()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    return {k: (statistics.median(wall[k]), statistics.median(cpu[k]), out[k]) for k in fns}


def _scipy_graph(res):
    from scipy.sparse import coo_matrix

    nr, nc = res.shape
    idx = np.arange(nr * nc).reshape(nr, nc)
    us, vs, ws = [], [], []
    for dr, dc in [(0, 1), (1, 0), (1, 1), (1, -1)]:
        r0, r1 = max(0, -dr), nr - max(0, dr)
        c0, c1 = max(0, -dc), nc - max(0, dc)
        a = idx[r0:r1, c0:c1].ravel()
        b = idx[r0 + dr:r1 + dr, c0 + dc:c1 + dc].ravel()
        w = (res.ravel()[a] + res.ravel()[b]) * 0.5 * (np.sqrt(2.0) if dr and dc else 1.0)
        ok = np.isfinite(w)
        us += [a[ok], b[ok]]
        vs += [b[ok], a[ok]]
        ws += [w[ok], w[ok]]
    return coo_matrix((np.concatenate(ws), (np.concatenate(us), np.concatenate(vs))),
                      shape=(nr * nc, nr * nc)).tocsr()


def _fmt(row):
    parts = [f"{row['size']}x{row['size']}: corridors {row['corridors_s']:.3f} s"]
    for peer in ("mcp", "xrspatial", "scipy"):
        if f"{peer}_s" in row:
            parts.append(f"{peer} {row[peer + '_s']:.3f} s (x{row['ratio_vs_' + peer]:.2f} wall, "
                         f"x{row['cpu_ratio_vs_' + peer]:.2f} cpu, "
                         f"maxrel {row['maxrel_vs_' + peer]:.1e})")
    if "peak_over_raster" in row:
        parts.append(f"peak mem {row['peak_over_raster']:.2f} x float64 raster")
    return "; ".join(parts)


def write(rows, out_dir: Path) -> None:
    """Write ``cost_distance.json`` and ``cost_distance.md`` (temp file, then rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "numba_threads": os.environ.get("NUMBA_NUM_THREADS")}
    payload = json.dumps({"meta": meta, "rows": rows}, indent=2)
    nan = float("nan")
    lines = ["| size | corridors s | MCP s | x MCP wall | x MCP cpu | xrspatial s | x xrs wall | "
             "x xrs cpu | max rel diff MCP | peak mem / float64 raster |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['corridors_s']:.3f} | {r.get('mcp_s', nan):.3f} | "
            f"{r.get('ratio_vs_mcp', nan):.2f} | {r.get('cpu_ratio_vs_mcp', nan):.2f} | "
            f"{r.get('xrspatial_s', nan):.3f} | {r.get('ratio_vs_xrspatial', nan):.2f} | "
            f"{r.get('cpu_ratio_vs_xrspatial', nan):.2f} | {r.get('maxrel_vs_mcp', nan):.1e} | "
            f"{r.get('peak_over_raster', nan):.2f} |")
    for name, text in (("cost_distance.json", payload), ("cost_distance.md", "\n".join(lines) + "\n")):
        tmp = out_dir / (name + ".tmp")
        tmp.write_text(text)
        tmp.replace(out_dir / name)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    p.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.memory_child:
        _memory_child(a.memory_child)
        return
    rows = run(a.sizes, a.repeats, memory=not a.no_memory)
    write(rows, a.out)


if __name__ == "__main__":
    main()
