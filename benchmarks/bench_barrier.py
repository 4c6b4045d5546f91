"""Barrier analysis (McRae et al. 2012): min-filters over the cores' cost distances against
recomputing the least-cost distance for every restored window, and the default-grid target.

Three parts, one process, one thread, Numba compilation excluded (warm-up first):

1. ``small``: on a small random grid (same input for both), ``barrier_analysis`` at several radii
   against the brute force -- for every radius and every window centre, set the disk's cells to
   the restored resistance and rerun ``cost_distance`` from core A to get the true least-cost
   distance after restoration. Reported: both times and the ratio, and how well the estimate
   matches the truth (best window, gain there, max |estimate - truth|).
2. ``filter``: the disk min-filter, Numba (``corridors.restoration.window_min``) against
   ``scipy.ndimage.minimum_filter`` with the same disk footprint, on the 960 x 540 default grid
   size, at radii of 1 to 5 and 10 cells; results must be identical.
3. ``nea``: the embedded North-East Asia default: the top 10 ranked links (the run's stages up
   to the gaps) at five radii (1 to 5 cells of 5 km): ``barrier_network`` and the pipeline's
   restoration stage (``find_restoration_sites``: sites described with land cover, countries
   and the gaps). Goal: under 30 s. The brute force for the same job
   is extrapolated from the mean time of a few restored-window recomputations.

Usage::

    NUMBA_NUM_THREADS=1 python benchmarks/bench_barrier.py [--size 40] [--repeats 3] [--out FILE.json]

``run(...)`` returns the dict that ``benchmarks/run.py`` stores under ``barrier``.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED = 20261116
RADII_CELLS = (1, 2, 3)
NEA_RADII_CELLS = (1, 2, 3, 4, 5)
NEA_TOP = 10
FILTER_RADII = (1, 2, 3, 4, 5, 10)
RESTORED = 1.0


def _timed(fn, repeats):
    out, times = None, []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, times


def _spread(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


# ------------------------------------------------------------------------------ small grid
def make_small(n: int, seed: int = SEED):
    """n x n resistance 1-20 with a wall of resistance 200 (a few random gaps) across the middle,
    core A on the left edge, core B on the right edge (three cells each)."""
    rng = np.random.default_rng(seed)
    res = rng.uniform(1.0, 20.0, (n, n))
    res[:, n // 2] = 200.0
    res[rng.integers(0, n, 2), n // 2] = 30.0
    a = np.zeros((n, n), bool)
    b = np.zeros((n, n), bool)
    a[n // 2 - 1:n // 2 + 2, 0] = True
    b[n // 3 - 1:n // 3 + 2, n - 1] = True
    res[a | b] = 1.0
    return res, a, b


def brute_force(res, a, b, radii, restored=RESTORED):
    """True LCD drop for every (radius, centre): restore the disk, rerun the search."""
    import corridors
    from corridors.restoration import disk_offsets

    lcd0 = float(corridors.cost_distance(res, a)[b].min())
    nr, nc = res.shape
    out = np.zeros((len(radii), nr, nc))
    for k, r in enumerate(radii):
        off = disk_offsets(r)
        for i in range(nr):
            for j in range(nc):
                rr, cc = i + off[:, 0], j + off[:, 1]
                ok = (rr >= 0) & (rr < nr) & (cc >= 0) & (cc < nc)
                win = res.copy()
                win[rr[ok], cc[ok]] = restored
                out[k, i, j] = lcd0 - float(corridors.cost_distance(win, a, max_cost=lcd0)[b].min())
    return out


def small(n: int, repeats: int) -> dict:
    from corridors.restoration import barrier_analysis

    res, a, b = make_small(n)
    radii = [float(r) for r in RADII_CELLS]
    barrier_analysis(res, a, b, radii=radii)  # warm-up
    brute_force(*make_small(8), [1.0])  # warm-up
    est, t_est = _timed(lambda: barrier_analysis(res, a, b, radii=radii), repeats)
    truth, t_bf = _timed(lambda: brute_force(res, a, b, radii), 1)
    imp = est.improvement
    k_e, r_e, c_e = np.unravel_index(np.argmax(imp), imp.shape)
    k_t, r_t, c_t = np.unravel_index(np.argmax(truth), truth.shape)
    pos = truth > 0
    return {
        "size": n, "cells": n * n, "radii_cells": list(RADII_CELLS), "windows": n * n * len(radii),
        "estimate_s": _spread(t_est), "brute_force_s": _spread(t_bf),
        "ratio": statistics.median(t_bf) / statistics.median(t_est),
        "lcd": est.lcd,
        "best_estimate": {"radius": radii[k_e], "row": int(r_e), "col": int(c_e),
                          "estimated_gain": float(imp[k_e, r_e, c_e]),
                          "true_gain_there": float(truth[k_e, r_e, c_e])},
        "best_true": {"radius": radii[k_t], "row": int(r_t), "col": int(c_t),
                      "true_gain": float(truth[k_t, r_t, c_t])},
        "max_abs_diff": float(np.max(np.abs(imp - truth))),
        "estimate_le_truth_share": float(np.mean(imp[pos] <= truth[pos] + 1e-9)) if pos.any() else None,
        "spearman_on_positive_truth": _spearman(imp[pos], truth[pos]) if pos.sum() > 2 else None,
    }


def _spearman(x, y):
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


# ---------------------------------------------------------------------------- min-filter
def filter_peers(repeats: int, shape=(540, 960)) -> list[dict]:
    from scipy.ndimage import minimum_filter

    from corridors.restoration import disk_footprint, window_min

    rng = np.random.default_rng(SEED)
    v = rng.uniform(0, 1e5, shape)
    v[rng.random(shape) < 0.3] = np.inf
    window_min(v[:20, :20], 3)  # warm-up
    rows = []
    for r in FILTER_RADII:
        fp = disk_footprint(r)
        ours, t_ours, t_scipy = None, [], []
        for _ in range(repeats):  # interleaved
            t = time.perf_counter()
            ours = window_min(v, r)
            t_ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            peer = minimum_filter(v, footprint=fp, mode="constant", cval=np.inf)
            t_scipy.append(time.perf_counter() - t)
        rows.append({"radius_cells": r, "footprint_cells": int(fp.sum()),
                     "numba_s": _spread(t_ours), "scipy_s": _spread(t_scipy),
                     "ratio": statistics.median(t_scipy) / statistics.median(t_ours),
                     "identical": bool(np.array_equal(ours, peer))})
    return rows


# ----------------------------------------------------------------------------------- NEA
def nea(repeats: int) -> dict:
    """The default scenario's stages up to the gaps (the functions the run calls), then the top
    ``NEA_TOP`` links at five radii: ``barrier_network`` (unbounded searches), the pipeline's
    ``restoration`` stage (what a default run times under ``restoration``: bounded searches,
    three sites per link described), and the brute force extrapolated."""
    import corridors
    from corridors.parallel import Executor
    from corridors.pipeline.chain import resistance_chain
    from corridors.pipeline.results import StageResults
    from corridors.pipeline.stages import find_gaps, find_restoration_sites, load_inputs
    from corridors.restoration import barrier_network, disk_offsets
    from corridors.scenario import Scenario

    sc = Scenario.default().resolved()
    if tuple(sc.restoration.radii) != NEA_RADII_CELLS or sc.ranking.gap_top != NEA_TOP:
        raise RuntimeError(f"the default scenario no longer analyses the top {NEA_TOP} links at radii "
                           f"{NEA_RADII_CELLS} cells; update the benchmark")
    r = StageResults(sc)
    r.inputs = load_inputs(sc)
    with Executor(None) as ex:
        resistance_chain(r, ex)
    r.gaps = find_gaps(r.corridors, r.ranking, r.links, r.inputs, sc.ranking)
    res, cores = r.resistance.grid, r.links.cores.grid
    links = r.ranking.sort_values("Rank").head(NEA_TOP)
    cs = res.cellsize
    radii = [k * cs for k in NEA_RADII_CELLS]
    pairs = list(zip(links.From_Core, links.To_Core))
    barrier_network(res, cores, pairs[:1], radii=radii[:1])  # warm-up
    find_restoration_sites(r.links, r.ranking, r.gaps, res, r.inputs, sc)  # warm-up
    _, t_net = _timed(lambda: barrier_network(res, cores, pairs, radii=radii), repeats)
    stage, t_stage = _timed(lambda: find_restoration_sites(r.links, r.ranking, r.gaps, res, r.inputs, sc),
                            repeats)
    # brute force, extrapolated: a few restored windows of the first link, full recomputation each
    a = cores.values == links.From_Core.iloc[0]
    b = cores.values == links.To_Core.iloc[0]
    vals = res.masked_float(np.float64)
    lcd0 = float(corridors.cost_distance(vals, a, cellsize=cs)[b].min())
    rng = np.random.default_rng(SEED)
    off = disk_offsets(radii[2], cs)
    sample = []
    for _ in range(5):
        i, j = int(rng.integers(0, vals.shape[0])), int(rng.integers(0, vals.shape[1]))
        win = vals.copy()
        rr, cc = i + off[:, 0], j + off[:, 1]
        ok = (rr >= 0) & (rr < vals.shape[0]) & (cc >= 0) & (cc < vals.shape[1])
        win[rr[ok], cc[ok]] = RESTORED
        t = time.perf_counter()
        corridors.cost_distance(win, a, cellsize=cs, max_cost=lcd0)[b].min()
        sample.append(time.perf_counter() - t)
    windows = len(links) * len(radii) * vals.size
    sites = stage.sites
    return {
        "grid": list(vals.shape), "cellsize_m": cs, "links": len(links),
        "link_ids": links.Link_ID.astype(int).tolist(), "radii_m": radii,
        "barrier_network_s": _spread(t_net), "restoration_sites_s": _spread(t_stage),
        "sites": int(len(sites)), "links_with_sites": int(sites.Link_ID.nunique()),
        "best_gain": float(sites.Gain.max()) if len(sites) else 0.0,
        "brute_force_one_window_s": _spread(sample), "brute_force_windows": windows,
        "brute_force_extrapolated_s": statistics.median(sample) * windows,
        "ratio_extrapolated": statistics.median(sample) * windows / statistics.median(t_net),
        "goal_s": 30.0,
    }


def run(size: int = 40, repeats: int = 3, include_nea: bool = True) -> dict:
    out = {"small": small(size, repeats), "filter": filter_peers(repeats)}
    if include_nea:
        out["nea"] = nea(repeats)
    return out


def to_markdown(sec: dict) -> str:
    from _common import fmt_ratio, fmt_spread

    L = []
    s = sec.get("small")
    if s:
        L += [f"Small grid {s['size']}x{s['size']}, radii {s['radii_cells']} cells ({s['windows']} windows), "
              "same input for both:", "",
              "| method | time | ratio |", "|---|---|---|",
              f"| barrier_analysis (min-filters over two CWD surfaces) | {fmt_spread(s['estimate_s'])} | |",
              f"| brute force: restore each window, rerun cost distance | {fmt_spread(s['brute_force_s'])} "
              f"| {fmt_ratio(s['ratio'])} |", "",
              f"Best window by the estimate: r = {s['best_estimate']['radius']:g} cells at "
              f"({s['best_estimate']['row']}, {s['best_estimate']['col']}), estimated gain "
              f"{s['best_estimate']['estimated_gain']:.4g}, true gain there "
              f"{s['best_estimate']['true_gain_there']:.4g} (LCD {s['lcd']:.4g}); best by brute force: "
              f"r = {s['best_true']['radius']:g} at ({s['best_true']['row']}, {s['best_true']['col']}), "
              f"gain {s['best_true']['true_gain']:.4g}. Max |estimate - truth| {s['max_abs_diff']:.4g}; "
              f"estimate <= truth in {100 * (s['estimate_le_truth_share'] or 0):.0f} % of the windows "
              f"with a true gain; Spearman {s['spearman_on_positive_truth'] or float('nan'):.2f}.", ""]
    f = sec.get("filter")
    if f:
        L += ["Disk min-filter on 960 x 540 (30 % inf):", "",
              "| radius (cells) | footprint | Numba window_min | scipy minimum_filter (ratio) | identical |",
              "|---|---|---|---|---|"]
        for r in f:
            L.append(f"| {r['radius_cells']} | {r['footprint_cells']} | {fmt_spread(r['numba_s'])} | "
                     f"{fmt_spread(r['scipy_s'])} ({fmt_ratio(r['ratio'])}) | {r['identical']} |")
        L.append("")
    n = sec.get("nea")
    if n:
        L += [f"Default grid {n['grid'][1]} x {n['grid'][0]} ({n['cellsize_m']:g} m), top {n['links']} "
              f"ranked links, radii {[int(r) for r in n['radii_m']]} m:", "",
              "| step | time |", "|---|---|",
              f"| barrier_network (10 links x 5 radii) | **{fmt_spread(n['barrier_network_s'])}** |",
              f"| restoration stage (same, bounded searches, plus 3 sites per link described) | "
              f"{fmt_spread(n['restoration_sites_s'])} |",
              f"| brute force, extrapolated ({n['brute_force_windows']:,} windows x "
              f"{fmt_spread(n['brute_force_one_window_s'])}) | {n['brute_force_extrapolated_s']:.3g} s "
              f"({fmt_ratio(n['ratio_extrapolated'])}) |", "",
              f"{n['sites']} sites on {n.get('links_with_sites', '?')} links, best estimated gain "
              f"{n['best_gain']:.4g} cost units; goal < "
              f"{n['goal_s']:g} s.", ""]
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=40, help="side of the small grid (cells)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-nea", action="store_true", help="skip the default-grid part")
    ap.add_argument("--out", type=Path, help="write the results as JSON")
    a = ap.parse_args(argv)
    res = run(a.size, a.repeats, include_nea=not a.no_nea)
    print(to_markdown(res))
    if a.out:
        a.out.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
