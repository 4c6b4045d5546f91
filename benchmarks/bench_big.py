"""Big rasters: cost distance and the linkage network up to 8000 x 8000 (64 million cells).

For each size a fresh interpreter (so numbers do not depend on what ran before):

1. builds a synthetic float32 resistance surface band by band (uniform 1-100, 2 % impassable
   cells, ``N_CORES`` round habitat cores of resistance 1 on a jittered lattice), in a projected
   CRS with 100 m cells, and writes it and the int16 core-id raster as tiled GeoTIFFs through
   ``rasters.write`` (timed, not part of the analysis figures);
2. reads both back with ``rasters.read`` (float32 stays float32: no float64 copy of the input);
3. ``corridors.cost_distance`` from ``N_SOURCES`` source cells, float32 output;
4. ``corridors.linkage_network`` over the cores (cost-allocation adjacency, one bounded search
   per core on ``THREADS`` threads).

Steps 3 and 4 run ``--repeats`` times (median, min-max), steps 1 and 2 once; a warm-up on a
64 x 64 grid keeps numba compilation out. Each run's peak resident memory is read from the
kernel's high-water mark, reset at the start of the run (``/proc/self/clear_refs``). ``extra``
is that peak minus the resident size when the run started, i.e. what the step itself allocated,
outputs included (largest over the repeats); ``process peak`` is the interpreter's overall
peak. Growth exponents are least-squares slopes of log(time) and log(memory) against
log(cells): 1.0 is linear.

Usage::

    python benchmarks/bench_big.py [--sizes 1000 2000 4000 8000] [--repeats 3] [--out FILE.json]

``run(sizes)`` returns ``{"rows": [...], "growth": {...}, "largest": {...}}`` for ``run.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

SEED = 7
N_SOURCES = 5
N_CORES = 6
BARRIER_FRACTION = 0.02
CELL_M = 100.0
EPSG = 3035  # ETRS89 / LAEA Europe: any projected CRS will do for a synthetic surface
THREADS = 2
SIZES = (1000, 2000, 4000, 8000)
QUICK_SIZES = (1000, 2000, 4000)
STEPS = ("write", "read", "cost_distance", "linkage")


def core_centres(n: int, k: int = N_CORES, seed: int = SEED):
    """Centres (row, col) and radius (cells) of ``k`` cores on a jittered 3 x 2 lattice."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ny, nx = 2, math.ceil(k / 2)
    radius = max(2, n // 100)
    out = []
    for i in range(k):
        gy, gx = divmod(i, nx)
        r = int((gy + 0.5) / ny * n + rng.uniform(-0.1, 0.1) * n / ny)
        c = int((gx + 0.5) / nx * n + rng.uniform(-0.1, 0.1) * n / nx)
        out.append((r, c))
    return out, radius


def make_rasters(n: int, band_rows: int = 512, seed: int = SEED):
    """float32 resistance and int16 core ids, built band by band (no float64 temporaries)."""
    import numpy as np

    res = np.empty((n, n), np.float32)
    for r0 in range(0, n, band_rows):
        rng = np.random.default_rng([seed, r0])  # per band: same raster whatever the band size
        band = res[r0:r0 + band_rows]
        rng.random(dtype=np.float32, out=band)
        band *= 99.0
        band += 1.0
        band[rng.random(band.shape, dtype=np.float32) < BARRIER_FRACTION] = np.inf
    cores = np.zeros((n, n), np.int16)
    centres, radius = core_centres(n)
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    disk = yy * yy + xx * xx <= radius * radius
    for cid, (r, c) in enumerate(centres, 1):
        win = (slice(r - radius, r + radius + 1), slice(c - radius, c + radius + 1))
        cores[win][disk] = cid
        res[win][disk] = 1.0
    return res, cores


def source_mask(n: int, seed: int = SEED):
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    mask = np.zeros((n, n), bool)
    mask[rng.integers(0, n, N_SOURCES), rng.integers(0, n, N_SOURCES)] = True
    return mask


def _warm_up():
    """Load every compiled kernel on a tiny grid, so no step below pays numba's compile time."""
    import numpy as np

    import corridors

    res, cores = make_rasters(64)
    corridors.cost_distance(res, source_mask(64), dtype=np.float32)
    corridors.linkage_network(res, cores, workers=THREADS)


def child(n: int, workdir: Path, repeats: int = 1) -> dict:
    """Run the four steps for one size in this process (the last two ``repeats`` times)."""
    import numpy as np
    from affine import Affine

    import corridors
    import rasters
    from rasters.grid import Grid

    _warm_up()
    cells = n * n
    row = {"size": n, "cells": cells, "threads": THREADS, "cores": N_CORES, "sources": N_SOURCES,
           "dtype": "float32", "cell_m": CELL_M, "repeats": repeats}
    transform = Affine(CELL_M, 0.0, 4_000_000.0, 0.0, -CELL_M, 3_000_000.0)
    res_path, core_path = workdir / f"resistance_{n}.tif", workdir / f"cores_{n}.tif"

    res, cores = make_rasters(n)
    with _common.PeakRSS() as m:
        rasters.write(Grid(res, transform, EPSG, None, "synthetic resistance"), res_path, cog=False)
        rasters.write(Grid(cores, transform, EPSG, None, "synthetic cores"), core_path, cog=False)
    _record(row, "write", m, cells)
    row["file_bytes"] = res_path.stat().st_size + core_path.stat().st_size
    del res, cores

    with _common.PeakRSS() as m:
        res_g = rasters.read(res_path)
        core_g = rasters.read(core_path)
    _record(row, "read", m, cells)
    row["read_dtype"] = str(res_g.values.dtype)

    src = source_mask(n)
    for _ in range(repeats):  # the outputs of the last repeat are described below
        cost = None
        with _common.PeakRSS() as m:
            cost = corridors.cost_distance(res_g, src, dtype=np.float32)
        _record(row, "cost_distance", m, cells)
    v = np.asarray(cost.values)
    finite = v[np.isfinite(v)]
    row["cost_reachable_fraction"] = finite.size / cells
    row["cost_max"] = float(finite.max()) if finite.size else None
    del cost, v, finite

    for _ in range(repeats):
        net = None
        with _common.PeakRSS() as m:
            net = corridors.linkage_network(res_g, core_g, workers=THREADS)
        _record(row, "linkage", m, cells)
    row["links"] = len(net.links)
    row["link_cw_dist_median"] = float(net.links["CW_Dist"].median()) if len(net.links) else None
    row["memory_method"] = m.method
    _summarise(row, cells)
    return row


def _record(row, step, m, cells):
    """Append one run of ``step`` (seconds, CPU seconds, extra bytes) to the row's samples."""
    samples = row.setdefault("samples", {}).setdefault(step, {"s": [], "cpu_s": [], "extra_bytes": []})
    samples["s"].append(m.seconds)
    samples["cpu_s"].append(m.cpu_seconds)  # less sensitive than wall time to a busy machine
    samples["extra_bytes"].append(m.extra_bytes)


def _summarise(row, cells):
    """Median time with min-max, largest extra memory, per-cell figures, for every step."""
    for step, smp in row["samples"].items():
        t = _common.spread(smp["s"])
        row[f"{step}_s"] = t["median"]
        row[f"{step}_s_min"], row[f"{step}_s_max"], row[f"{step}_runs"] = t["min"], t["max"], t["n"]
        row[f"{step}_cpu_s"] = _common.spread(smp["cpu_s"])["median"]
        extra = max(smp["extra_bytes"])
        row[f"{step}_extra_bytes"] = extra
        row[f"{step}_ns_per_cell"] = t["median"] / cells * 1e9
        row[f"{step}_bytes_per_cell"] = extra / cells
        # the issue-3 yardstick: a float64 raster of the same shape is 8 bytes per cell
        row[f"{step}_x_float64_raster"] = extra / (8 * cells)


def growth(rows) -> dict:
    """log-log slopes of time and extra memory against cell count, per step (1.0 = linear)."""
    ok = [r for r in rows if "error" not in r]
    cells = [r["cells"] for r in ok]
    return {step: {"time_exponent": _common.loglog_slope(cells, [r.get(f"{step}_s") for r in ok]),
                   "cpu_time_exponent": _common.loglog_slope(cells, [r.get(f"{step}_cpu_s") for r in ok]),
                   "memory_exponent": _common.loglog_slope(cells, [r.get(f"{step}_extra_bytes") for r in ok])}
            for step in STEPS}


def run(sizes=SIZES, *, repeats=1, workdir=None, timeout=3600, verbose=True) -> dict:
    """Run every size in its own interpreter; returns rows, growth exponents and the largest grid."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="corridors-big-", dir=workdir) as tmp:
        for n in sizes:
            env = {**os.environ, "NUMBA_NUM_THREADS": str(THREADS)}
            res = _common.run_child([sys.executable, __file__, "--child", str(n), "--workdir", tmp,
                                     "--repeats", str(repeats)], env=env, timeout=timeout)
            lines = [ln for ln in res["stdout"].splitlines() if ln.startswith("{")]
            if res["returncode"] == 0 and lines:
                row = json.loads(lines[-1])
            else:
                tail = (res["stderr"] or res["stdout"]).strip().splitlines()[-5:]
                row = {"size": n, "cells": n * n,
                       "error": ("timed out after %d s" % timeout) if res["timed_out"] else
                       f"exit {res['returncode']}: " + " | ".join(tail)}
            row["process_peak_rss_bytes"] = res["peak_rss_bytes"]
            row["process_wall_s"] = res["wall_s"]
            rows.append(row)
            for f in Path(tmp).glob(f"*_{n}.tif"):
                f.unlink()
            if verbose:
                print(_fmt(row), flush=True)
    ok = [r for r in rows if "error" not in r]
    largest = max(ok, key=lambda r: r["cells"]) if ok else None
    return {"rows": rows, "growth": growth(rows),
            "largest": {"size": largest["size"], "cells": largest["cells"],
                        "process_peak_gib": largest["process_peak_rss_bytes"] / 2**30}
            if largest else None}


def _fmt(r):
    if "error" in r:
        return f"{r['size']}x{r['size']}: ERROR {r['error']}"
    return (f"{r['size']}x{r['size']} ({r['cells'] / 1e6:.0f} M cells): "
            f"cost distance {r['cost_distance_s']:.2f} s, +{r['cost_distance_extra_bytes'] / 2**20:.0f} MiB "
            f"({r['cost_distance_x_float64_raster']:.2f}x float64 raster); linkage ({r['links']} links) "
            f"{r['linkage_s']:.2f} s, +{r['linkage_extra_bytes'] / 2**20:.0f} MiB; "
            f"process peak {r['process_peak_rss_bytes'] / 2**30:.2f} GiB")


def _t(r, step):
    """``1.23 (1.20–1.30)`` seconds; just the value for a single run."""
    if r.get(f"{step}_runs", 1) > 1:
        return f"{r[f'{step}_s']:.2f} ({r[f'{step}_s_min']:.2f}–{r[f'{step}_s_max']:.2f})"
    return f"{r[f'{step}_s']:.2f}"


def to_markdown(result: dict) -> str:
    """Table of the rows plus the growth exponents and the largest grid handled."""
    reps = max((r.get("repeats", 1) for r in result["rows"]), default=1)
    lines = [f"Cost distance and linkage: median of {reps} run(s) per size"
             + (" (min–max)" if reps > 1 else "") + "; write and read: one run.", "",
             "| grid | cells | read s | cost distance s (ns/cell) | cost distance extra MiB "
             "(x float64 raster) | linkage s (ns/cell) | links | linkage extra MiB (B/cell) "
             "| process peak GiB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        if "error" in r:
            lines.append(f"| {r['size']}x{r['size']} | {r['cells']:,} | ERROR: {r['error']} |||||||")
            continue
        lines.append(
            f"| {r['size']}x{r['size']} | {r['cells']:,} | {r['read_s']:.2f} | "
            f"{_t(r, 'cost_distance')} ({r['cost_distance_ns_per_cell']:.0f}) | "
            f"{r['cost_distance_extra_bytes'] / 2**20:.0f} ({r['cost_distance_x_float64_raster']:.2f}) | "
            f"{_t(r, 'linkage')} ({r['linkage_ns_per_cell']:.0f}) | {r['links']} | "
            f"{r['linkage_extra_bytes'] / 2**20:.0f} ({r['linkage_bytes_per_cell']:.1f}) | "
            f"{r['process_peak_rss_bytes'] / 2**30:.2f} |")
    g = result["growth"]

    def e(x):
        return "—" if x is None else f"{x:.2f}"

    lines.append("")
    lines.append("Growth with cell count (log-log slope; 1.00 = linear): "
                 + "; ".join(f"{s.replace('_', ' ')} time {e(g[s]['time_exponent'])} "
                             f"(CPU time {e(g[s].get('cpu_time_exponent'))}), "
                             f"memory {e(g[s]['memory_exponent'])}" for s in ("cost_distance", "linkage")))
    if result.get("largest"):
        L = result["largest"]
        lines.append(f"Largest grid handled: {L['size']}x{L['size']} = {L['cells']:,} cells, "
                     f"process peak {L['process_peak_gib']:.2f} GiB.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeats", type=int, default=1,
                    help="runs of the cost-distance and linkage steps per size (median, min-max)")
    ap.add_argument("--out", type=Path, help="write FILE.json and FILE.md")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, a.workdir, a.repeats)), flush=True)
        return
    result = run(a.sizes, repeats=a.repeats)
    md = to_markdown(result)
    print(md)
    if a.out:
        _common.write_atomic(a.out, _common.dump_json(result))
        _common.write_atomic(a.out.with_suffix(".md"), md)


if __name__ == "__main__":
    main()
