"""Serial vs a two-worker dask LocalCluster at one size (issue 19 item 3): wall time and the
*client's* peak memory, with the workers' peaks beside it.

Usage::

    python benchmarks/bench_dask_staging.py --mcells 13 --out benchmarks/results/scale-dask.json

``corridors datasets --resample`` writes the region at the cell size for that many cells
(1000 m for 13 M), then ``corridors -q run`` runs serially and with ``--workers 2``, each in a child
process. On a cluster the run stages the resistance and core labels as GeoTIFFs in its scratch
folder and the per-core searches and per-link circuits read their windows from there (the client
sends bounds, paths and bit-packed masks). The peak of each process comes from its kernel
high-water mark (``VmHWM`` in ``/proc/PID/status``), read every 0.2 s until the process ends
(the last read can miss a peak in the last 0.2 s of a process; the client's peak is reached long
before). ``ranking.csv`` of the two runs is compared byte for byte.

The upsampled grid tests scaling, not ecology (no finer land cover is available offline).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402
from bench_scale import THREADS, _corridors, _env, cellsize_for  # noqa: E402


def _hwm_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def run_watched(cmd: list[str], timeout: float) -> dict:
    """Run ``cmd``; wall time and the peak (VmHWM) of the process and of each descendant."""
    import psutil

    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as ferr:
        proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=ferr, start_new_session=True)
        client_peak, others = 0, {}
        me = psutil.Process(proc.pid)
        while proc.poll() is None:
            client_peak = max(client_peak, _hwm_bytes(proc.pid) or 0)
            try:
                for child in me.children(recursive=True):
                    others[child.pid] = max(others.get(child.pid, 0), _hwm_bytes(child.pid) or 0)
            except psutil.Error:
                pass
            if time.perf_counter() - t0 > timeout:
                os.killpg(proc.pid, 9)
                raise RuntimeError(f"{' '.join(cmd)} ran past {timeout} s")
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        ferr.seek(0)
        err = ferr.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.strip().splitlines()[-5:]}")
    # worker processes of a LocalCluster hold > 100 MB; small helpers (resource tracker) are left out
    workers = sorted((v for v in others.values() if v > 100 << 20), reverse=True)
    return {"wall_s": wall, "client_peak_bytes": client_peak, "worker_peaks_bytes": workers}


def run(mcells: float, timeout: float = 900.0) -> dict:
    cell = cellsize_for(mcells)
    tmp = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        data = tmp / "data"
        subprocess.run(_corridors("datasets", "--resample", f"{cell:g}", "--out", str(data)), check=True,
                       env=_env(), stdout=subprocess.DEVNULL)
        import rasters

        shape = rasters.read(data / "landcover.tif").shape
        scenario = str(data / "scenario.toml")
        rows = {}
        for kind, extra in (("serial", []), ("workers2", ["--workers", "2"])):
            out = tmp / kind
            rows[kind] = run_watched(_corridors("-q", "run", scenario, "--out", str(out), *extra), timeout)
            rows[kind]["executor"] = json.loads((out / "manifest.json").read_text()).get("executor")
            rows[kind]["ranking"] = (out / "ranking.csv").read_bytes()
        same = rows["serial"].pop("ranking") == rows["workers2"].pop("ranking")
        return {"machine": _common.machine_info(), "mcells": mcells, "cellsize_m": cell, "shape": list(shape),
                "cells": shape[0] * shape[1], "numba_threads": THREADS, "ranking_identical": same, **rows}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def to_markdown(doc: dict) -> str:
    g = 1 << 30
    s, d = doc["serial"], doc["workers2"]
    cells = doc["cells"]
    wk = ", ".join(f"{b / g:.2f}" for b in d["worker_peaks_bytes"]) or "none seen"
    return "\n".join([
        f"### Serial vs `--workers 2` at {cells / 1e6:.1f} M cells, the workers reading the staged grid",
        "",
        f"{doc['cellsize_m']:g} m grid ({doc['shape'][0]} x {doc['shape'][1]}; upsampled data tests scaling, not "
        "ecology), the default scenario with report and COGs; `benchmarks/bench_dask_staging.py`, the same shared "
        "2-core machine, both runs in one session (times noisy: compare the ratio). On the cluster the per-core "
        "searches and per-link circuits read their windows from the resistance and core-label GeoTIFFs staged in "
        "the run's scratch folder; the client sends bounds, paths and bit-packed masks.",
        "",
        "| run | wall (s) | client peak (GiB) | client B/cell | worker peaks (GiB) |",
        "|---|---:|---:|---:|---|",
        f"| serial | {s['wall_s']:.1f} | {s['client_peak_bytes'] / g:.2f} | {s['client_peak_bytes'] / cells:.0f} | - |",
        f"| `--workers 2` (LocalCluster) | {d['wall_s']:.1f} | {d['client_peak_bytes'] / g:.2f} | "
        f"{d['client_peak_bytes'] / cells:.0f} | {wk} |",
        "",
        f"Dask / serial wall time: {d['wall_s'] / s['wall_s']:.2f}. ranking.csv "
        f"{'**identical** byte for byte' if doc['ranking_identical'] else '**DIFFERENT**'} between the two runs.",
        "",
    ])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mcells", type=float, default=13.0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    doc = run(args.mcells)
    _common.write_atomic(args.out, _common.dump_json(doc))
    _common.write_atomic(args.out.with_suffix(".md"), to_markdown(doc))
    print(to_markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
