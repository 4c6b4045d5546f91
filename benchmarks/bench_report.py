"""Report step on a 1 km land cover: the embedded 5 km land cover resampled (nearest neighbour)
to 1 km cells (2700 x 4800 = 13 M cells), the default scenario run on it, and the manifest's
step timings read back.

Usage::

    python benchmarks/bench_report.py --out benchmarks/results/report-1km.json [--repeats N]

Each repeat is one whole run (the report step's time is the manifest's ``timings_s.report``);
the first run also compiles (or loads) the Numba kernels, so it is reported apart. To measure
another checkout's report step, run this file with that checkout first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path


def one_km_landcover(folder: Path) -> Path:
    """The embedded land cover at 1 km (nearest neighbour), written as a GeoTIFF in ``folder``."""
    import rasters
    from corridors import datasets

    nea = datasets.nea()
    lc = rasters.reproject(nea.landcover, nea.landcover.crs, resolution=1000.0, resampling="nearest",
                           name="landcover 1 km")
    path = folder / "landcover_1km.tif"
    rasters.write(lc, path)
    return path


def run_once(landcover: Path, out: Path) -> dict:
    import corridors
    from corridors.pipeline import run_scenario

    scenario = corridors.Scenario.from_dict({"name": "nea-1km", "inputs": {"landcover": str(landcover)}},
                                            base_dir=landcover.parent)
    t = time.perf_counter()
    run_scenario(scenario, out, progress=False)
    wall = time.perf_counter() - t
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall_s": wall, "timings_s": manifest["timings_s"], "total_s": manifest["total_s"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    import corridors
    import rasters

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp = Path(tmp)
        lc_path = one_km_landcover(tmp)
        shape = rasters.read(lc_path).shape
        runs = [run_once(lc_path, tmp / f"run{i}") for i in range(args.repeats + 1)]
    warm = runs[1:]
    report = [r["timings_s"]["report"] for r in warm]
    outputs = [r["timings_s"]["outputs"] for r in warm]
    result = {
        "corridors": corridors.__version__, "source": str(Path(corridors.__file__).parent),
        "cells": shape[0] * shape[1], "shape": list(shape), "python": sys.version.split()[0],
        "machine": platform.machine(), "first_run": runs[0],
        "runs": warm, "report_s_median": statistics.median(report), "report_s_min": min(report),
        "report_s_max": max(report), "outputs_s_median": statistics.median(outputs),
        "total_s_median": statistics.median(r["total_s"] for r in warm),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{result['cells']:,} cells: report step median {result['report_s_median']:.2f} s "
          f"(min {result['report_s_min']:.2f}, max {result['report_s_max']:.2f}); outputs step "
          f"{result['outputs_s_median']:.2f} s; whole run {result['total_s_median']:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
