"""Circuitscape's BigTests cases through ``corridors.circuitscape.run``: results and timings.

BigTests (github.com/Circuitscape/BigTests) has no licence, so none of it is in this repository:
fetch it, point ``--bigtests`` at the checkout, and this script reads the cases in place and
writes outputs to a temporary folder. Each case runs in its own process under
``/usr/bin/time -v`` (wall time, peak resident memory); where Circuitscape's own results are
given they are compared.

    python benchmarks/bench_bigtests.py --bigtests ~/BigTests --case verify-1m --solver cg+amg
    python benchmarks/bench_bigtests.py --bigtests ~/BigTests --all --out benchmarks/results/bigtests

Cases
-----
``verify-1m``, ``verify-250k``
    ``verify/config_files/*.ini`` with ``verify/baseline_results`` (Circuitscape 4): resistances,
    ``curmap_1_2``, ``curmap`` (cumulative), ``voltmap_1_2``; Circuitscape's own check is
    ``|d| <= 1e-4`` per cell, we also report the relative difference.
``ill-1m``
    ``Ill-Conditioned/1m_succeeds`` (resistances over 1 .. 1e8, 9 focal points): the 3-column
    resistances Circuitscape wrote. The case ships no INI; Circuitscape 4's defaults apply
    (8 neighbours, average conductance).
``1m-20points``
    ``1m/1m-20points.ini``: 20 focal points (190 pairs), every voltage and current map.
``6m-1solve``
    ``6m/6m-1solve.ini``: one pair on 2000 x 3000 cells (8 neighbours), with its maps.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CASES = {
    "verify-1m": ("verify/config_files/1m.ini", "."),
    "verify-250k": ("verify/config_files/250k.ini", "."),
    "ill-1m": (None, "Ill-Conditioned/1m_succeeds"),
    "1m-20points": ("1m/1m-20points.ini", "1m"),
    "6m-1solve": ("6m/6m-1solve.ini", "6m"),
}


def _grid(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        return np.loadtxt(fh, skiprows=6)


def _ill_config(root: Path, out: Path):
    from corridors.circuitscape import config_from_dict

    case = root / "Ill-Conditioned" / "1m_succeeds"
    return config_from_dict({
        "data_type": "raster", "scenario": "pairwise",
        "habitat_file": str(case / "1000x1000mag8resist.asc.gz"),
        "point_file": str(case / "1000x1000mag8points.txt.gz"),
        "habitat_map_is_resistances": "True", "output_file": str(out / "ill.out"),
    })


def run_case(root: Path, case: str, solver: str, workdir: Path, plain_pyamg: bool) -> dict:
    """Run one case in this process; returns its record (timings, comparisons)."""
    from corridors.circuit import solvers
    from corridors.circuitscape import load_config, run

    if plain_pyamg:  # the peer: pyamg's smoothed aggregation on every system
        solvers.GRID_MG_MIN = 10**12
    ini, base = CASES[case]
    if ini is None:
        cfg = _ill_config(root, workdir)
    else:
        cfg = load_config(root / ini, base_dir=root / base)
        cfg = dataclasses.replace(cfg, output_file=workdir / Path(cfg.output_file).name)
    t0 = time.perf_counter()
    summary = run(cfg, method=solver, overwrite=True)
    rec = dict(case=case, solver=solver, method=summary.method, seconds=time.perf_counter() - t0,
               files=len(summary.files), write_wait_seconds=summary.write_seconds,
               counts=summary.counts, peer="plain pyamg" if plain_pyamg else "corridors")
    res = summary.result
    if case.startswith("verify-"):
        name = case.split("-")[1]
        base_dir = root / "verify" / "baseline_results"
        b = np.loadtxt(base_dir / f"{name}_resistances.txt")
        got = np.asarray(res.resistances)
        rec["resistance_rel_diff"] = float(np.max(np.abs(got - b[1:, 1:]) / np.maximum(np.abs(b[1:, 1:]), 1e-300)))
        prefix = summary.config.output_prefix
        for ours, theirs in (("curmap_1_2", "curmap_1_2"), ("cum_curmap", "curmap"), ("voltmap_1_2", "voltmap_1_2")):
            a = _grid(prefix.with_name(f"{prefix.name}_{ours}.asc"))
            e = _grid(base_dir / f"{name}_{theirs}.asc.gz")
            d = np.abs(a - e)
            rec[f"{ours}_max_abs_diff"] = float(d.max())
            rec[f"{ours}_passes_1e-4"] = bool(d.max() <= 1e-4)
    elif case == "ill-1m":
        b = np.loadtxt(root / "Ill-Conditioned" / "1m_succeeds" / "1000x1000mag8_resistances_3columns.out")
        ids = list(res.ids)
        got = np.array([res.resistances[ids.index(int(i)), ids.index(int(j))] for i, j, _ in b])
        rel = np.abs(got - b[:, 2]) / np.abs(b[:, 2])
        rec["resistance_rel_diff_median"] = float(np.median(rel))
        rec["resistance_rel_diff_max"] = float(rel.max())
    return rec


def _peak_mb(stderr: str) -> float | None:
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(m.group(1)) / 1024 if m else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bigtests", type=Path, required=True, help="a checkout of Circuitscape/BigTests")
    ap.add_argument("--case", action="append", choices=sorted(CASES))
    ap.add_argument("--solver", default="cg+amg")
    ap.add_argument("--peer", action="store_true", help="also run plain pyamg (the peer) on each case")
    ap.add_argument("--out", type=Path, help="write <out>.json and <out>.md")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--_plain", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        with tempfile.TemporaryDirectory(prefix="bigtests-") as tmp:
            rec = run_case(args.bigtests, args.case[0], args.solver, Path(tmp), args._plain)
        print("RESULT " + json.dumps(rec))
        return
    records = []
    for case in args.case or sorted(CASES):
        for plain in ([False, True] if args.peer else [False]):
            cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--bigtests", str(args.bigtests),
                   "--case", case, "--solver", args.solver, "--_child"] + (["--_plain"] if plain else [])
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
            rec = json.loads(line[0][7:]) if line else dict(case=case, error=p.stderr[-2000:])
            rec.update(wall_seconds=wall, peak_rss_mb=_peak_mb(p.stderr), load_before=load)
            records.append(rec)
            print(json.dumps(rec), flush=True)
    if args.out:
        meta = dict(machine=platform.platform(), cores=os.cpu_count(), python=platform.python_version(),
                    note="shared 2-core machine: compare rows of the same run, not absolute times")
        args.out.with_suffix(".json").write_text(json.dumps(dict(meta=meta, records=records), indent=1))
        rows = ["| case | peer | solver | wall s | peak RSS MB | load | checks |", "|---|---|---|---|---|---|---|"]
        for r in records:
            checks = ", ".join(f"{k} {v:.2e}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()
                               if "diff" in k or "passes" in k)
            rows.append(f"| {r['case']} | {r.get('peer', '')} | {r.get('method', r.get('error', '')[:60])} | "
                        f"{r['wall_seconds']:.1f} | {r['peak_rss_mb'] or float('nan'):.0f} | "
                        f"{r['load_before']:.1f} | {checks} |")
        args.out.with_suffix(".md").write_text(
            "# BigTests through corridors\n\n" + meta["note"] + "\n\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
