"""Benchmark: pairwise effective resistances vs plain pyamg and scipy baselines, same run.

Cases (random log-normal resistance grid, seeded, 8 neighbours, mean conductance):

* ``points``  k focal points (single cells).
* ``regions`` k focal regions (3x3 blocks), Circuitscape semantics (only the pair's regions shorted).
* ``nea``     the embedded NEA grid (960x540, 5 km): amur_tiger resistance, reserves 1, 4, 10 and 11
  of ``vectors.rasterize_cores`` as focal regions (``--nea``; size and k are ignored).

``--before DIR`` also times an older corridors package found in DIR (e.g. ``git archive HEAD
corridors | tar -x -C DIR``) on the same cases, so before/after figures come from one run.

Peers, measured in the same run on the same grid:

* ``pyamg``  plain pyamg smoothed aggregation + CG: one hierarchy on the Laplacian grounded at the
  first focal node (regions: every region merged at once, so the graph is fixed), one solve per pair.
* ``scipy``  scipy ``splu`` of the same grounded matrix, one solve per pair.

Every measurement runs in a fresh subprocess so its peak resident memory can be reported.

Usage::

    python benchmarks/bench_circuit.py [--size 600] [--k 8] [--large] [--nea] [--before DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

CG_TOL = 1e-8  # relative residual for the plain-pyamg peer (resistances then good to ~1e-7)


NEA_RESERVES = (1, 4, 10, 11)


def make_case(size, k, kind, seed=0):
    """Resistance grid and focal id grid."""
    if kind == "nea":
        return _nea_case()
    rng = np.random.default_rng(seed)
    hab = rng.lognormal(0.0, 1.0, (size, size))
    hab[rng.random(hab.shape) < 0.05] = np.nan  # scattered barriers
    focal = np.zeros(hab.shape)
    margin = max(3, size // 20)
    spots = rng.integers(margin, size - margin, (k, 2))
    for i, (r, c) in enumerate(spots, 1):
        if kind == "regions":
            hab[r - 1:r + 2, c - 1:c + 2] = 1.0
            focal[r - 1:r + 2, c - 1:c + 2] = i
        else:
            hab[r, c] = 1.0
            focal[r, c] = i
    return hab, focal


def _nea_case():
    """NEA amur_tiger resistance (ohm per cell) and reserves 1, 4, 10, 11 as focal regions."""
    import rasters
    import vectors
    from corridors import datasets

    nea = datasets.nea()
    res = rasters.reclassify(nea.landcover, datasets.species_profile("amur_tiger").resistance)
    cores = vectors.rasterize_cores(nea.protected_areas, res).grid.values
    focal = np.where(np.isin(cores, NEA_RESERVES), cores, 0).astype(np.float64)
    return res.masked_float(), focal


def _use_engine(path):
    """Import corridors from ``path`` (an older copy) in this child process."""
    if path:
        sys.path.insert(0, str(path))
        import corridors

        assert str(Path(corridors.__file__).resolve()).startswith(str(Path(path).resolve())), corridors.__file__


def _ours(size, k, kind, solver, engine_path=None):
    _use_engine(engine_path)
    from corridors.circuit import pairwise

    hab, focal = make_case(size, k, kind)
    t0 = time.perf_counter()
    res = pairwise(hab, focal, neighbours=8, average="conductance", solver=solver)
    return dict(seconds=time.perf_counter() - t0, matrix=res.resistances.tolist(), info=res.info)


def _baseline(size, k, kind, peer, max_pairs=None):
    """One grounded matrix shared by all pairs; one solve per pair.

    With ``max_pairs`` only that many pairs are solved and the time for all pairs is extrapolated
    (setup + mean solve time x pairs); the row says so.
    """
    import scipy.sparse as sp

    from corridors.circuit import FocalSet, build_graph

    hab, focal = make_case(size, k, kind)
    fs = FocalSet.from_grid(focal)
    k = len(fs.ids)  # the NEA case passes k=0
    t0 = time.perf_counter()
    g = build_graph(hab, neighbours=8, average="conductance", merge_groups=[fs[i] for i in fs.ids])
    nodes = np.array([g.node_of_cell[fs[i]].max() for i in fs.ids])
    comp = g.component[nodes[0]]
    keep = np.flatnonzero(g.component == comp)
    ground = nodes[0]
    keep = keep[keep != ground]
    pos = np.full(g.n_nodes, -1)
    pos[keep] = np.arange(keep.size)
    a = g.laplacian[keep][:, keep].tocsr()
    t_setup = time.perf_counter()
    if peer == "pyamg":
        import pyamg

        ml = pyamg.smoothed_aggregation_solver(a, symmetry="symmetric")
        solve = lambda b: ml.solve(b, tol=CG_TOL, accel="cg", maxiter=2000)
    else:
        from scipy.sparse.linalg import splu

        lu = splu(sp.csc_matrix(a))
        solve = lu.solve
    t_setup = time.perf_counter() - t_setup
    m = -np.ones((k, k))
    np.fill_diagonal(m, 0)
    nsolve = 0
    t_solves = time.perf_counter()
    for i in range(k):
        for j in range(i + 1, k):
            if max_pairs is not None and nsolve >= max_pairs:
                continue
            if g.component[nodes[i]] != comp or g.component[nodes[j]] != comp:
                continue
            b = np.zeros(keep.size)
            if pos[nodes[j]] >= 0:
                b[pos[nodes[j]]] += 1
            if pos[nodes[i]] >= 0:
                b[pos[nodes[i]]] -= 1
            x = solve(b)
            vi = x[pos[nodes[i]]] if pos[nodes[i]] >= 0 else 0.0
            vj = x[pos[nodes[j]]] if pos[nodes[j]] >= 0 else 0.0
            m[i, j] = m[j, i] = vj - vi
            nsolve += 1
    seconds = time.perf_counter() - t0
    info = dict(solves=nsolve, solver=peer)
    npairs = k * (k - 1) // 2
    if max_pairs is not None and nsolve < npairs:
        per = (time.perf_counter() - t_solves) / max(nsolve, 1)
        seconds += per * (npairs - nsolve)
        info["extrapolated_from_solves"] = nsolve
    return dict(seconds=seconds, setup_seconds=t_setup, matrix=m.tolist(), info=info)


def _child(conn, fn, args):
    try:
        out = fn(*args)
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        conn.send(out)
    except Exception as exc:  # report, never hide
        conn.send(dict(error=f"{type(exc).__name__}: {exc}"))
    conn.close()


def measure(fn, *args):
    """Run ``fn(*args)`` in a fresh process; return its dict plus peak RSS (MiB)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    p = ctx.Process(target=_child, args=(child, fn, args))
    p.start()
    out = parent.recv()
    p.join()
    return out


def _row(engine, kind, sz, kk, ours):
    row = dict(case=kind, size=sz if kind != "nea" else "960x540", k=kk if kind != "nea" else len(NEA_RESERVES),
               engine=engine, **{x: ours.get(x) for x in ("seconds", "peak_mb", "error")})
    if "info" in ours:
        row.update(strategy=ours["info"]["strategy"], solver=ours["info"]["solver"],
                   solves=ours["info"]["solves"])
    return row


def _max_rel(a, b):
    a, b = np.array(a), np.array(b)
    ok = (a > 0) & (b > 0)
    return float(np.max(np.abs(a[ok] - b[ok]) / b[ok])) if ok.any() else None


def run(size=600, k=8, kinds=("points", "regions"), solver="auto", peers=("pyamg", "scipy"),
        large=False, large_size=2000, large_k=10, large_peer_pairs=3, base=True, nea=False,
        before=None) -> list:
    """Run the benchmark; returns one dict per measurement (ratios against the peers included)."""
    rows = []
    plans = [(size, k, kind, True) for kind in kinds] if base else []
    if nea:
        plans.append((0, 0, "nea", True))
    if large:
        plans += [(large_size, large_k, kind, False) for kind in kinds]
    for sz, kk, kind, with_peers in plans:
        ours = measure(_ours, sz, kk, kind, solver)
        row = _row("corridors", kind, sz, kk, ours)
        rows.append(row)
        if before:
            old = measure(_ours, sz, kk, kind, solver, str(before))
            orow = _row("corridors-before", kind, sz, kk, old)
            if "matrix" in old and "matrix" in ours:
                orow["max_rel_diff_vs_corridors"] = _max_rel(ours["matrix"], old["matrix"])
            if old.get("seconds") and ours.get("seconds"):
                row["speedup_vs_before"] = old["seconds"] / ours["seconds"]
            rows.append(orow)
        for peer in (peers if with_peers else ("pyamg",)):
            base = measure(_baseline, sz, kk, kind, peer, None if with_peers else large_peer_pairs)
            brow = dict(case=kind, size=row["size"], k=row["k"], engine=f"plain-{peer}",
                        **{x: base.get(x) for x in ("seconds", "setup_seconds", "peak_mb", "error")})
            if "info" in base:
                brow["solves"] = base["info"]["solves"]
                if "extrapolated_from_solves" in base["info"]:
                    brow["note"] = f"extrapolated from {base['info']['extrapolated_from_solves']} solves"
            if "matrix" in base and "matrix" in ours and kind == "points":
                # regions: the peer shorts every region at once (other semantics), so no comparison
                brow["max_rel_diff_vs_corridors"] = _max_rel(ours["matrix"], base["matrix"])
            if base.get("seconds") and ours.get("seconds"):
                row[f"speedup_vs_{peer}"] = base["seconds"] / ours["seconds"]
            rows.append(brow)
    return rows


def to_markdown(rows) -> str:
    cols = ["case", "size", "k", "engine", "solver", "strategy", "solves", "seconds", "peak_mb",
            "speedup_vs_before", "speedup_vs_pyamg", "speedup_vs_scipy", "max_rel_diff_vs_corridors", "note", "error"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            cells.append("" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=600)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--kinds", default="points,regions")
    ap.add_argument("--solver", default="auto")
    ap.add_argument("--peers", default="pyamg,scipy")
    ap.add_argument("--large", action="store_true", help="also 10 focal ids on 2000x2000 (pyamg peer: 3 solves timed, the rest extrapolated)")
    ap.add_argument("--large-size", type=int, default=2000)
    ap.add_argument("--only-large", action="store_true", help="skip the --size cases")
    ap.add_argument("--nea", action="store_true", help="also the NEA grid with 4 reserves as focal regions")
    ap.add_argument("--before", type=Path, default=None,
                    help="folder holding an older corridors package to time beside this one")
    ap.add_argument("--out", type=Path, default=None, help="write bench_circuit.json and .md here")
    a = ap.parse_args(argv)
    rows = run(a.size, a.k, tuple(a.kinds.split(",")), a.solver, tuple(p for p in a.peers.split(",") if p),
               a.large or a.only_large, a.large_size, base=not a.only_large, nea=a.nea,
               before=a.before)
    md = to_markdown(rows)
    print(md)
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "bench_circuit.json").write_text(json.dumps(rows, indent=2))
        (a.out / "bench_circuit.md").write_text(md + "\n")
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
