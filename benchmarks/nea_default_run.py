"""Time the default North-East Asia run (``corridors run --out DIR``), serial and with dask workers.

Usage: python benchmarks/nea_default_run.py [--workers 2] [--repeat 2]

Writes benchmarks/nea_default_run.json and .md. The first (cold) run includes numba compilation
unless the on-disk cache is warm; both cold and warm times are reported. The peer here is the
same pipeline run serially (dask adds process start-up and transfer costs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path


def _one(workers: int | None) -> dict:
    from corridors.pipeline import run_scenario

    tmp = Path(tempfile.mkdtemp())
    try:
        t = time.perf_counter()
        res = run_scenario(None, tmp / "out", workers=workers, progress=False)
        wall = time.perf_counter() - t
        ranking = (tmp / "out" / "ranking.csv").read_text()
        return {"wall_s": wall, "steps_s": res.timings, "links": len(res.ranking), "ranking": ranking}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import corridors.pipeline  # noqa: F401 - import cost reported separately

    import_s = time.perf_counter() - t0
    serial = [_one(None) for _ in range(args.repeat)]
    dask = [_one(args.workers) for _ in range(args.repeat)]
    same = all(r["ranking"] == serial[0]["ranking"] for r in serial + dask)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    out = {
        "machine": {"cpus": cpus, "platform": platform.platform(), "python": platform.python_version()},
        "import_s": import_s,
        "serial_wall_s": [r["wall_s"] for r in serial],
        f"dask_{args.workers}_workers_wall_s": [r["wall_s"] for r in dask],
        "serial_steps_s_last": serial[-1]["steps_s"],
        "links": serial[0]["links"],
        "ranking_identical_serial_vs_dask": same,
    }
    here = Path(__file__).parent
    (here / "nea_default_run.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [
        "# Default North-East Asia run (`corridors run --out DIR`)",
        "",
        f"Machine: {cpus} CPUs, {out['machine']['platform']}, Python {out['machine']['python']}.",
        f"Grid 960 x 540 cells of 5 km; {out['links']} ranked links. Target: well under 120 s on 2 cores.",
        "",
        "| run | wall time (s) | ratio to serial (warm) |",
        "|---|---|---|",
    ]
    warm = serial[-1]["wall_s"]
    for i, r in enumerate(serial):
        lines.append(f"| serial, run {i + 1}{' (cold: numba cache/compile)' if i == 0 else ''} | {r['wall_s']:.1f} | {r['wall_s'] / warm:.2f} |")
    for i, r in enumerate(dask):
        lines.append(f"| dask LocalCluster {args.workers} workers, run {i + 1} | {r['wall_s']:.1f} | {r['wall_s'] / warm:.2f} |")
    lines += ["", f"Python import of corridors.pipeline: {import_s:.1f} s (not included above).",
              f"ranking.csv identical in every run (serial and dask): **{same}**.", "",
              "Steps of the last serial run (s):", "",
              "| step | s |", "|---|---|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in serial[-1]["steps_s"].items()]
    lines += ["", "Reproduce: `python benchmarks/nea_default_run.py --workers 2 --repeat 2`."]
    (here / "nea_default_run.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
