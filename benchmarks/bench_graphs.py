"""Graph benchmark: dPC (node importance) for 1,000 reserves vs plain scipy and networkx, same run.

Input (seeded): ``n`` circular reserves with centres uniform in a 1000 x 1000 km square and
log-normal radii (median 3 km, sigma 0.8); distances are edge to edge (``max(0, |c_i - c_j| -
r_i - r_j)``, so big reserves act as stepping stones); areas ``pi r**2`` km2; median dispersal
10 km; links with ``p < 0.001`` (longer than 99.7 km) pruned. The edges per node after pruning
are reported with every row.

Engines, on the same pruned graph:

* ``corridors``  ``corridors.graphs.pc(...)`` then ``.dpc``: one Dijkstra search per source and
  re-searches of the affected subtrees only (corridors/_kernels/pathprob.py).
* ``scipy``      the plain way: ``scipy.sparse.csgraph.dijkstra`` over all pairs, then for each
  node the same on the graph without it, ``dPC_k = 100 (PCnum - PCnum_k) / PCnum``.
* ``networkx``   the same with ``networkx.all_pairs_dijkstra_path_length``.

The peers are timed on ``peer_nodes`` (scipy) and ``nx_nodes`` (networkx) removals and their
time for all n removals is extrapolated as ``base search + n x mean removal time`` (stated in
every row); their dPC values on those nodes are compared with ours (max abs difference, in
percentage points). Times are medians of ``repeats`` runs, engines interleaved within a repeat.

Usage::

    python benchmarks/bench_graphs.py [--sizes 1000] [--repeats 3] [--peer-nodes 40] [--nx-nodes 1]

``run(...)`` returns the rows (one dict per size) for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time

import numpy as np

SEED = 20261201
SIDE_KM = 1000.0
RADIUS_MEDIAN_KM = 3.0
RADIUS_SIGMA = 0.8
MEDIAN_DISPERSAL_KM = 10.0
MIN_PROBABILITY = 1e-3


def make_input(n: int, seed: int = SEED):
    """Areas (km2), edge-to-edge distances (km, n x n) and the landscape area (km2)."""
    rng = np.random.default_rng(seed + n)
    xy = rng.uniform(0.0, SIDE_KM, (n, 2))
    r = np.exp(rng.normal(math.log(RADIUS_MEDIAN_KM), RADIUS_SIGMA, n))
    d = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2) - r[:, None] - r[None, :]
    np.maximum(d, 0.0, out=d)
    np.fill_diagonal(d, 0.0)
    return math.pi * r**2, d, SIDE_KM * SIDE_KM


def _weights(d):
    """Dense ``-log p`` weights of the pruned graph, inf for no link (peer input, not timed)."""
    k = math.log(2.0) / MEDIAN_DISPERSAL_KM
    w = d * k
    w[w > -math.log(MIN_PROBABILITY)] = np.inf
    np.fill_diagonal(w, np.inf)
    return w


def ours(areas, d, la):
    from corridors.graphs import pc

    r = pc(areas, d, median_dispersal=MEDIAN_DISPERSAL_KM, landscape_area=la,
           min_probability=MIN_PROBABILITY)
    return r, r.dpc


def scipy_dpc(areas, w, nodes):
    """Plain dPC by removal with scipy's Dijkstra; (dPC of ``nodes``, base s, removal s each)."""
    from scipy.sparse import csgraph

    t0 = time.perf_counter()
    g = csgraph.csgraph_from_dense(w, null_value=np.inf)  # zero weights (touching) stay edges
    p = np.exp(-csgraph.dijkstra(g, directed=False))
    num = areas @ p @ areas
    base = time.perf_counter() - t0
    out, each = [], []
    n = areas.size
    for k in nodes:
        t0 = time.perf_counter()
        keep = np.r_[0:k, k + 1:n]
        gk = csgraph.csgraph_from_dense(w[np.ix_(keep, keep)], null_value=np.inf)
        pk = np.exp(-csgraph.dijkstra(gk, directed=False))
        ak = areas[keep]
        out.append(100.0 * (num - ak @ pk @ ak) / num)
        each.append(time.perf_counter() - t0)
    return np.array(out), base, each


def networkx_dpc(areas, w, nodes):
    """Plain dPC by removal with networkx's Dijkstra; same return as :func:`scipy_dpc`."""
    import networkx as nx

    a = areas.tolist()  # Python floats: no numpy scalar overhead in the double loop

    def numerator(g):
        total = 0.0
        for i, lengths in nx.all_pairs_dijkstra_path_length(g):
            ai = a[i]
            for j, dist in lengths.items():
                total += ai * a[j] * math.exp(-dist)
        return total

    t0 = time.perf_counter()
    iu, ju = np.nonzero(np.isfinite(np.triu(w, 1)))
    g = nx.Graph()
    g.add_nodes_from(range(areas.size))
    g.add_weighted_edges_from(zip(iu.tolist(), ju.tolist(), w[iu, ju].tolist()))
    num = numerator(g)
    base = time.perf_counter() - t0
    out, each = [], []
    for k in nodes:
        t0 = time.perf_counter()
        gk = g.copy()
        gk.remove_node(int(k))
        out.append(100.0 * (num - numerator(gk)) / num)
        each.append(time.perf_counter() - t0)
    return np.array(out), base, each


def warm_up():
    """Compile (or load numba's cache for) the kernels on a small case."""
    a, d, la = make_input(30)
    r, _ = ours(a, d, la)
    r.link_importances()


def run(sizes=(1000,), repeats=3, *, peer_nodes=40, nx_nodes=1, links=False,
        verbose=True) -> list[dict]:
    """Time dPC for each size: corridors vs scipy and networkx; one dict per size.

    ``links``: also time ``link_importances()`` for every kept link (removal of each link).
    """
    warm_up()
    rows = []
    for n in sizes:
        areas, d, la = make_input(n)
        w = _weights(d)
        rng = np.random.default_rng(SEED)
        sp_nodes = np.sort(rng.choice(n, min(peer_nodes or n, n), replace=False))
        nx_sel = sp_nodes[:min(nx_nodes, sp_nodes.size)]
        wall = {"corridors": [], "scipy": [], "networkx": []}
        cpu = {"corridors": []}
        pc_only, all_links = [], []
        for rep in range(repeats):
            c0, t0 = time.process_time(), time.perf_counter()
            res, dpc = ours(areas, d, la)
            wall["corridors"].append(time.perf_counter() - t0)
            cpu["corridors"].append(time.process_time() - c0)
            t0 = time.perf_counter()
            ours_pc_only = _pc_only(areas, d, la)
            pc_only.append(time.perf_counter() - t0)
            if links:
                t0 = time.perf_counter()
                res.link_importances()
                all_links.append(time.perf_counter() - t0)
            vals, base, each = scipy_dpc(areas, w, sp_nodes)
            wall["scipy"].append(base + n * statistics.mean(each))
            sp_diff = float(np.max(np.abs(vals - dpc["dPC"].to_numpy()[sp_nodes])))
            if nx_sel.size:
                nvals, nbase, neach = networkx_dpc(areas, w, nx_sel)
                wall["networkx"].append(nbase + n * statistics.mean(neach))
                nx_diff = float(np.max(np.abs(nvals - dpc["dPC"].to_numpy()[nx_sel])))
            if verbose:
                print(f"graphs n={n} repeat {rep + 1}/{repeats}: corridors "
                      f"{wall['corridors'][-1]:.1f} s, scipy (extrapolated) "
                      f"{wall['scipy'][-1]:.0f} s", file=sys.stderr, flush=True)
        med = {k: statistics.median(v) for k, v in wall.items() if v}
        row = {"nodes": n, "links": res.n_links, "edges_per_node": res.edges_per_node,
               "median_dispersal_km": MEDIAN_DISPERSAL_KM, "min_probability": MIN_PROBABILITY,
               "repeats": repeats, "wall_s": wall, "cpu_s": cpu, "pc_only_s": pc_only,
               "median_s": med, "pc_only_median_s": statistics.median(pc_only),
               "ratio_vs_scipy": med["scipy"] / med["corridors"],
               "scipy_removals_timed": int(sp_nodes.size), "max_abs_diff_vs_scipy": sp_diff,
               "pc_num_rel_diff_vs_pc_only": abs(ours_pc_only - res.pc_num) / res.pc_num}
        if all_links:
            row["all_links_s"] = all_links
        if nx_sel.size:
            row.update(ratio_vs_networkx=med["networkx"] / med["corridors"],
                       networkx_removals_timed=int(nx_sel.size), max_abs_diff_vs_networkx=nx_diff)
        rows.append(row)
        if verbose:
            print(to_markdown(rows[-1:]), flush=True)
    return rows


def _pc_only(areas, d, la):
    from corridors.graphs import pc

    return pc(areas, d, median_dispersal=MEDIAN_DISPERSAL_KM, landscape_area=la,
              min_probability=MIN_PROBABILITY).pc_num


def to_markdown(rows) -> str:
    L = ["| nodes | links (per node) | corridors PC + dPC | PC alone | every link's dPC | "
         "scipy plain (extrapolated) | x faster | networkx plain (extrapolated) | x faster | "
         "max abs diff dPC (pp) scipy / networkx |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        m = r["median_s"]
        nx_t = f"{m['networkx']:.0f} s ({r['networkx_removals_timed']} removals timed)" \
            if "networkx" in m else "—"
        nx_x = f"{r['ratio_vs_networkx']:.0f}x" if "ratio_vs_networkx" in r else "—"
        nx_d = f"{r['max_abs_diff_vs_networkx']:.1e}" if "max_abs_diff_vs_networkx" in r else "—"
        L.append(f"| {r['nodes']} | {r['links']} ({r['edges_per_node']:.1f}) | "
                 f"{_spread(r['wall_s']['corridors'])} | {_spread(r['pc_only_s'])} | "
                 f"{_spread(r['all_links_s']) if r.get('all_links_s') else '—'} | "
                 f"{m['scipy']:.0f} s ({r['scipy_removals_timed']} removals timed) | "
                 f"{r['ratio_vs_scipy']:.0f}x | {nx_t} | {nx_x} | "
                 f"{r['max_abs_diff_vs_scipy']:.1e} / {nx_d} |")
    return "\n".join(L)


def _spread(xs):
    xs = sorted(xs)
    if len(xs) == 1:
        return f"{xs[0]:.2f} s (n=1)"
    return f"{statistics.median(xs):.2f} s ({xs[0]:.2f}–{xs[-1]:.2f}, n={len(xs)})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peer-nodes", type=int, default=40,
                    help="removals timed for scipy (0: all n)")
    ap.add_argument("--nx-nodes", type=int, default=1, help="removals timed for networkx (0: none)")
    ap.add_argument("--links", action="store_true",
                    help="also time the importance of every link (one removal each)")
    ap.add_argument("--json", help="also write the rows to this file")
    a = ap.parse_args(argv)
    rows = run(a.sizes, a.repeats, peer_nodes=a.peer_nodes, nx_nodes=a.nx_nodes, links=a.links)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
