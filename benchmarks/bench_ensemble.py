"""Resistance-uncertainty ensemble (issue 15): a 100-member ensemble of the default scenario on two
cores, beside 100 independent default runs.

Both are timed in the same run on the same machine, as users type them:

* **ours**: ``corridors run ensemble.toml --out DIR --workers 2``, where ``ensemble.toml`` is the
  embedded default with ``[uncertainty] members = N`` (every class x0.5-2, log-uniform): the
  deterministic run, the N members on a 2-worker dask LocalCluster, and every output (report,
  COGs, rank_uncertainty.csv). The ensemble stage's own time comes from the run's manifest.
* **peer**: ``corridors run --out DIR`` (the default run, serial as users start it), timed
  ``--runs`` times; 100 independent runs are extrapolated as N x the median run (what a user
  scripting 100 perturbed runs by hand would pay, outputs included).

A warm-up run comes first (Numba's cache, file caches). The machine's load average is recorded
before and after, and a probe measures how much CPU this benchmark really gets: two processes
spin for a fixed number of Python loop iterations and their summed CPU time over the wall time is
the number of cores they had (2 on an idle two-core machine). On a shared machine every figure is
noisy, so read the ratio, measured in the same run, rather than the seconds; the CPU seconds of
the whole ensemble run (client and dask workers) over two give what two free cores would need.

Usage::

    python benchmarks/bench_ensemble.py [--members 100] [--workers 2] [--runs 3] [--out FILE.json]

``run(...)`` returns the dict that ``benchmarks/run.py`` stores under ``ensemble``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

GOAL_S = 300.0  # the target: under 5 minutes on two cores


def _corridors_command() -> list[str]:
    exe = Path(sys.executable).parent / "corridors"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from corridors.cli import main; sys.exit(main())"]


def _run(cmd: list[str], what: str, timeout: float) -> dict:
    res = _common.run_child(cmd, env=os.environ.copy(), timeout=timeout)
    if res["returncode"] != 0:
        tail = (res["stderr"] or res["stdout"]).strip().splitlines()[-8:]
        raise RuntimeError(f"{what} exited {res['returncode']}" + (" (timed out)" if res["timed_out"] else "")
                           + ": " + " | ".join(tail))
    return res


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _spin(n: int) -> float:
    import time

    c = time.process_time()
    x = 0
    for i in range(n):
        x += i * i
    return time.process_time() - c


def effective_cores(processes: int = 2, n: int = 10_000_000) -> float:
    """Cores ``processes`` CPU-bound processes really got: their summed CPU time over the wall time."""
    import multiprocessing as mp
    import time

    with mp.get_context("spawn").Pool(processes) as pool:
        t = time.perf_counter()
        cpu = pool.map(_spin, [n] * processes)
        wall = time.perf_counter() - t
    return sum(cpu) / wall


def run(members: int = 100, workers: int = 2, runs: int = 3, seed: int = 1, timeout: float = 3 * 3600,
        verbose: bool = True) -> dict:
    """Time the ensemble and the independent runs; see the module docstring."""
    cmd = _corridors_command()
    load = {"start": _load()}
    cores = {"start": round(effective_cores(), 2)}
    with tempfile.TemporaryDirectory(prefix="corridors-ensemble-") as tmp:
        tmp = Path(tmp)
        _run(cmd + ["run", "--out", str(tmp / "warm-up")], "warm-up run", timeout)
        singles, singles_cpu = [], []
        for i in range(runs):
            res = _run(cmd + ["run", "--out", str(tmp / f"run-{i}")], f"default run {i + 1}", timeout)
            singles.append(res["wall_s"])
            singles_cpu.append(res["cpu_s"])
            if verbose:
                print(f"ensemble: default run {i + 1}/{runs} {res['wall_s']:.1f} s", file=sys.stderr, flush=True)
        load["after_runs"] = _load()
        scenario = tmp / "ensemble.toml"
        scenario.write_text(f'name = "nea-ensemble"\n[uncertainty]\nmembers = {members}\nseed = {seed}\n',
                            encoding="utf-8")
        out = tmp / "ensemble"
        res = _run(cmd + ["run", str(scenario), "--out", str(out), "--workers", str(workers)], "ensemble run",
                   timeout)
        load["end"] = _load()
        cores["end"] = round(effective_cores(), 2)
        if verbose:
            print(f"ensemble: {members} members {res['wall_s']:.1f} s", file=sys.stderr, flush=True)
        manifest = json.loads((out / "manifest.json").read_text())
        timings = manifest.get("timings_s") or {}
        with (out / "ensemble_members.csv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        with (out / "rank_uncertainty.csv").open(encoding="utf-8") as fh:
            table = list(csv.DictReader(fh))
    single = _common.spread(singles)
    single_cpu = _common.spread(singles_cpu)
    extrapolated = single["median"] * members
    viable = [int(r["N_Viable"]) for r in rows]
    rho = [float(r["Spearman"]) for r in rows if r["Spearman"] not in ("", "nan")]
    stage = timings.get("uncertainty")
    return {
        "members": members, "workers": workers, "runs": runs, "seed": seed,
        "ensemble_wall_s": res["wall_s"], "ensemble_cpu_s": res["cpu_s"],
        "ensemble_peak_rss_bytes": res["peak_rss_bytes"], "two_free_cores_s": res["cpu_s"] / 2,
        "single_run_cpu_s": single_cpu, "independent_runs_cpu_s": single_cpu["median"] * members,
        "ensemble_stage_s": stage, "per_member_s": None if stage is None else stage / members,
        "steps_s": timings, "single_run_s": single,
        "independent_runs_s": extrapolated, "ratio": extrapolated / res["wall_s"],
        "goal_s": GOAL_S, "goal_met": res["wall_s"] < GOAL_S,
        "goal_met_on_two_free_cores": res["cpu_s"] / 2 < GOAL_S,
        "viable_links": {"min": min(viable), "max": max(viable), "median": statistics.median(viable)},
        "spearman": {"min": min(rho), "max": max(rho), "median": statistics.median(rho)} if rho else None,
        "certain_top10": sum(1 for r in table if float(r["P_top10"]) == 1.0),
        "load_average": load, "effective_cores": cores,
        "notes": [
            f"ours: `corridors run ensemble.toml --out DIR --workers {workers}` with [uncertainty] members = "
            f"{members}, seed = {seed} (defaults: every class x0.5-2 log-uniform), end to end: deterministic run, "
            "members, all outputs and the report.",
            f"peer: `corridors run --out DIR` (the default run, serial), {runs} timed runs after a warm-up; "
            f"{members} independent runs = {members} x the median.",
            "The machine is shared: see the load averages (1, 5, 15 min) before, between and after, and "
            "the effective cores (summed CPU / wall of two spinning processes; 2 = two free cores).",
            "Two free cores: the ensemble run's CPU seconds (client and workers) / 2, a lower bound on its "
            "wall time there (the deterministic run and the outputs run mostly on one core).",
        ],
    }


def to_markdown(sec: dict) -> str:
    f = _common.fmt_spread
    la = sec["load_average"]
    lines = [
        f"{sec['members']}-member ensemble of the default scenario on {sec['workers']} dask workers, beside "
        f"{sec['members']} independent default runs (extrapolated from {sec['runs']}).", "",
        "| what | time |", "|---|---|",
        f"| ensemble run, end to end (`--workers {sec['workers']}`) | **{sec['ensemble_wall_s']:.0f} s** |",
        f"| of which the ensemble stage | {sec['ensemble_stage_s']:.0f} s "
        f"({sec['per_member_s']:.2f} s per member) |" if sec.get("ensemble_stage_s") is not None else
        "| of which the ensemble stage | — |",
        f"| ensemble run, CPU (client and workers) | {sec['ensemble_cpu_s']:.0f} s; / 2 = "
        f"**{sec['two_free_cores_s']:.0f} s on two free cores** |",
        f"| one default run | {f(sec['single_run_s'])}; CPU {f(sec['single_run_cpu_s'])} |",
        f"| {sec['members']} independent default runs, CPU (extrapolated) | {sec['independent_runs_cpu_s']:.0f} s |",
        f"| {sec['members']} independent default runs (extrapolated) | {sec['independent_runs_s']:.0f} s |",
        f"| ratio (independent runs / ensemble) | **{sec['ratio']:.1f}x** |", "",
        f"Goal: under {sec['goal_s']:.0f} s: **{'met' if sec['goal_met'] else 'NOT met'}** on this machine as "
        f"measured; **{'met' if sec['goal_met_on_two_free_cores'] else 'NOT met'}** on two free cores (CPU / 2). "
        f"Viable links per member {sec['viable_links']['min']}-{sec['viable_links']['max']}"
        + (f", Spearman with the deterministic ranking {sec['spearman']['min']:.2f}-{sec['spearman']['max']:.2f} "
           f"(median {sec['spearman']['median']:.2f})" if sec.get("spearman") else "")
        + f"; links in the top 10 of every member: {sec['certain_top10']}.", "",
        f"Load average (1, 5, 15 min): start {la['start']}, after the single runs {la['after_runs']}, "
        f"end {la['end']}. Effective cores (2 = two free cores): start {sec['effective_cores']['start']}, "
        f"end {sec['effective_cores']['end']}.", "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="timed default runs (the peer)")
    ap.add_argument("--out", type=Path, help="write the result as JSON (and Markdown beside it)")
    a = ap.parse_args(argv)
    result = run(a.members, a.workers, a.runs)
    md = to_markdown(result) + "\n" + "\n".join(f"- {n}" for n in result["notes"]) + "\n"
    print(md)
    if a.out:
        _common.write_atomic(a.out, _common.dump_json(result))
        _common.write_atomic(a.out.with_suffix(".md"), md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
