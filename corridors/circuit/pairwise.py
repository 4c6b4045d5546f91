"""Pairwise effective resistances, voltage and current maps between focal nodes or regions.

Semantics (Circuitscape's raster pairwise mode): for a pair (a, b) the cells of a are shorted to one
node, the cells of b to another, polygons are always merged, and other focal regions stay
unshorted. ``R_ab`` is the exact effective resistance; the voltage map grounds a (0 V) and injects
1 A at b (so ``V_b = R_ab``); pairs in different components, on no habitat, or excluded are -1;
two ids that resolve to the same node give 0 (and no maps).

Speed: the network is reduced once onto the focal regions' boundary nodes ("ports"), after which
each pair is a small dense problem. With CHOLMOD the reduced network is read off one factorisation
that eliminates the ports last (:mod:`.schur`; geometric nested dissection orders big rasters), so
the cost is one factorisation whatever the number of ports; other solvers need one solve per port.
Cells of a region without habitat join the region's node when it is shorted and then (mean
conductance) gain branches to their habitat neighbours; those neighbours become ports and the
branches are added to the pair's small problem. Each pair gets its own graph and solve
(``per_pair``) only where that cannot be represented (such a cell inside a short-circuit polygon,
or a branch into a component the region's habitat does not reach), or when the solve-based
reduction would need more solves than re-solving every pair.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import InputError
from ._sparse import principal_submatrix
from .currents import node_currents
from .focal import as_focal_set
from .graph import _as_array, _polygon_groups, assemble, check_options, conductance_from_habitat
from .reduced import ReducedNetwork
from .schur import SCHUR_MAX_KEEP
from .solvers import available_methods, make_solver

__all__ = ["pairwise", "effective_resistance", "PairwiseResult"]

log = logging.getLogger("corridors.circuit")

STRATEGIES = ("auto", "shared", "per_pair")


@dataclass
class PairwiseResult:
    """Result of :func:`pairwise`.

    Attributes
    ----------
    ids : list of int
        Focal ids, ascending.
    resistances : ndarray (k, k)
        Effective resistances (ohm); -1 unreachable or excluded; 0 on the diagonal and for ids on
        the same node.
    voltage_maps, current_maps : dict {(a, b): 2-D ndarray}
        Per solved pair (a < b): volts with a grounded and 1 A injected at b; amperes per cell.
    cumulative_current, max_current : 2-D ndarray or None
        Sum and cell-wise maximum of the pair current maps (cells without a node 0).
    info : dict
        Solver method, strategy, number of solves, seconds.
    """

    ids: list
    resistances: np.ndarray
    voltage_maps: dict = field(default_factory=dict)
    current_maps: dict = field(default_factory=dict)
    cumulative_current: np.ndarray | None = None
    max_current: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    def resistance(self, a, b) -> float:
        """R between ids a and b (ohm, -1 if not solved)."""
        return float(self.resistances[self.ids.index(a), self.ids.index(b)])

    def three_columns(self) -> np.ndarray:
        """Rows ``(id_i, id_j, R)`` for i < j in id order (Circuitscape's 3-column output)."""
        k = len(self.ids)
        return np.array([(self.ids[i], self.ids[j], self.resistances[i, j])
                         for i in range(k) for j in range(i + 1, k)], dtype=np.float64).reshape(-1, 3)


def _normalise_pairs(include_pairs, ids):
    if include_pairs is None:
        return None
    idset = set(ids)
    out = set()
    for pair in include_pairs:
        try:
            a, b = (int(round(float(x))) for x in pair)
        except (TypeError, ValueError):
            raise InputError(f"include_pairs must hold (id, id) pairs, got {pair!r}") from None
        if a in idset and b in idset:
            out.add((min(a, b), max(a, b)))
    return out


def _region_nodes(node_of_cell, cells):
    """Nodes of a focal region's cells, and its cells without a node (joined when shorted)."""
    nodes = node_of_cell[cells]
    valid = nodes >= 0
    uniq = np.unique(nodes[valid])
    extra = cells[~valid] if (uniq.size and cells.size > 1) else cells[:0]
    return uniq.astype(np.int64), extra


def _shorting_branches(graph, nodes, extra, neighbours, average, poly_cell):
    """Branches a region gains when shorted: its nodata cells join its node (mean conductance).

    Under ``average="conductance"`` a nodata cell x merged into the region's node connects to
    each habitat neighbour y with ``(0 + g_y) / 2`` (diagonals / sqrt 2), as in the pair's own
    graph; under mean resistance the weight is 0. Edges to the region's own nodes are internal.

    Returns
    -------
    (other, weight, ok) : int64 nodes, their summed branch conductances (siemens), and False
    when the reduced network cannot represent the shorting exactly (a nodata cell also lies in
    a polygon, which would merge more cells, or a branch reaches a component the region's nodes
    do not touch).
    """
    none = (np.zeros(0, np.int64), np.zeros(0))
    if average != "conductance" or extra.size == 0:
        return none + (True,)
    if poly_cell[extra].any():
        return none + (False,)
    nrows, ncols = graph.shape
    r, c = np.divmod(extra, ncols)
    offs = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    if neighbours == 8:
        offs += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    ys, ws = [], []
    for dr, dc in offs:
        rr, cc = r + dr, c + dc
        ok = (rr >= 0) & (rr < nrows) & (cc >= 0) & (cc < ncols)
        q = rr[ok] * ncols + cc[ok]
        g = graph.cell_conductance[q]
        nd = graph.node_of_cell[q]
        sel = (nd >= 0) & (g > 0)
        w = 0.5 * (0.0 + g[sel])  # the kernel's order of operations
        if dr and dc:
            w = w / math.sqrt(2.0)
        ys.append(nd[sel].astype(np.int64))
        ws.append(w)
    y, w = np.concatenate(ys), np.concatenate(ws)
    outside = ~np.isin(y, nodes)
    y, w = y[outside], w[outside]
    if y.size == 0:
        return none + (True,)
    other, inv = np.unique(y, return_inverse=True)
    weight = np.bincount(inv, weights=w, minlength=other.size)
    ok = bool(np.isin(graph.component[other], graph.component[nodes]).all())
    return other, weight, ok


def _boundary_nodes(graph, nodes):
    """Nodes of a set with a neighbour outside it, plus the set's first node in each component."""
    if nodes.size == 0:
        return nodes
    inside = np.zeros(graph.n_nodes, dtype=bool)
    inside[nodes] = True
    sub = graph.laplacian[nodes]
    outside = ~inside[sub.indices]
    has_out = np.add.reduceat(outside.astype(np.int64), sub.indptr[:-1]) > 0
    _, first = np.unique(graph.component[nodes], return_index=True)
    keep = has_out.copy()
    keep[first] = True
    return nodes[keep]


def pairwise(
    habitat,
    focal,
    *,
    habitat_is_resistance: bool = True,
    neighbours: int = 8,
    average: str = "conductance",
    polygons=None,
    mask=None,
    include_pairs=None,
    solver: str = "auto",
    voltage_maps: bool = False,
    current_maps: bool = False,
    cumulative_current: bool = False,
    max_current: bool = False,
    strategy: str = "auto",
    map_callback: Callable | None = None,
) -> PairwiseResult:
    """Effective resistance (and optionally voltage/current maps) between every pair of focal ids.

    Parameters
    ----------
    habitat : 2-D array or Grid
        Resistance (ohm) or conductance (siemens) per cell; NaN = nodata.
    focal : 2-D id grid, Grid, FocalSet or mapping {id: flat cells}
        Focal points (one cell) or regions (several cells) per id.
    habitat_is_resistance, neighbours, average, polygons, mask
        Graph options, see :func:`build_graph`.
    include_pairs : iterable of (a, b) or None
        Only these unordered pairs are solved; others are -1.
    solver : str
        ``auto``, ``cholmod``, ``pardiso``, ``splu`` or ``cg+amg``.
    voltage_maps, current_maps, cumulative_current, max_current : bool
        Which maps to produce.
    strategy : {"auto", "shared", "per_pair"}
        ``shared`` reduces the network once (one CHOLMOD factorisation, or one solve per boundary
        node with other solvers); ``per_pair`` builds and solves each pair's own graph (always
        exact Circuitscape semantics, one factorisation per pair).
    map_callback : callable or None
        ``f(a, b, voltage, current)`` called per solved pair instead of storing the maps.

    Returns
    -------
    PairwiseResult

    Notes
    -----
    Memory: the graph (about 60 bytes per cell), the solver (see :mod:`.solvers`; reading the
    reduced network off a CHOLMOD factor briefly holds a second copy of the factor, 12 bytes per
    nonzero: 3.3 GB at 2000 x 2000), and, with maps, one solve per pair or one float64 vector per
    boundary node, whichever is fewer (capped at 2 GiB).

    Time (2-core machine): NEA 960 x 540 with 4 reserve polygons about 4 s (was 16-53 s);
    see ``benchmarks/bench_circuit.py``.
    """
    t0 = time.perf_counter()
    check_options(neighbours, average)
    if strategy not in STRATEGIES:
        raise InputError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    hab = _as_array(habitat, "habitat")
    shape = np.shape(hab)
    cond = conductance_from_habitat(hab, habitat_is_resistance, mask)
    polys = _polygon_groups(polygons, shape)
    graph = assemble(cond, shape, neighbours, average, polys, polys)
    fs = as_focal_set(focal, shape)
    ids = fs.ids
    k = len(ids)
    pairs_ok = _normalise_pairs(include_pairs, ids)
    res = -np.ones((k, k))
    np.fill_diagonal(res, 0.0)
    want_current = current_maps or cumulative_current or max_current
    want_maps = voltage_maps or want_current
    cum = np.zeros(shape) if cumulative_current else None
    mx = np.zeros(shape) if max_current else None
    out = PairwiseResult(ids=ids, resistances=res, cumulative_current=cum, max_current=mx)

    regions = [_region_nodes(graph.node_of_cell, fs[i]) for i in ids]
    todo = []
    for i in range(k):
        for j in range(i + 1, k):
            if pairs_ok is not None and (ids[i], ids[j]) not in pairs_ok:
                continue
            if regions[i][0].size == 0 or regions[j][0].size == 0:
                continue
            todo.append((i, j))

    poly_cell = np.zeros(cond.size, dtype=bool)
    for grp in polys:
        poly_cell[grp] = True
    branches = [_shorting_branches(graph, n, ex, neighbours, average, poly_cell) for n, ex in regions]
    needs_per_pair = not all(ok for _, _, ok in branches)
    ports = np.unique(np.concatenate([_boundary_nodes(graph, n) for n, _ in regions]
                                     + [y for y, _, _ in branches] + [np.zeros(0, np.int64)]))
    nsolves_shared = ports.size - np.unique(graph.component[ports]).size if ports.size else 0
    # CHOLMOD reads the reduced network off one factorisation: no solve per port
    schur_ok = (solver in ("auto", "cholmod") and "cholmod" in available_methods()
                and ports.size <= SCHUR_MAX_KEEP)
    chosen = strategy
    if strategy == "auto":
        if needs_per_pair:
            chosen = "per_pair"
        elif schur_ok or (nsolves_shared <= max(64, 6 * len(todo)) and ports.size <= 8000):
            chosen = "shared"
        else:
            chosen = "per_pair"
    elif strategy == "shared" and needs_per_pair:
        raise InputError(
            "strategy='shared' cannot represent these focal regions: a region's nodata cells "
            "also lie in a short-circuit polygon, or (average='conductance') connect it to a "
            "component its habitat cells do not reach; use strategy='per_pair' or 'auto'"
        )

    def emit(i, j, volt, curr):
        a, b = ids[i], ids[j]
        if map_callback is not None:
            map_callback(a, b, volt if voltage_maps else None, curr if current_maps else None)
        else:
            if voltage_maps:
                out.voltage_maps[(a, b)] = volt
            if current_maps:
                out.current_maps[(a, b)] = curr
        if cum is not None:
            np.add(cum, curr, out=cum)
        if mx is not None:
            np.maximum(mx, curr, out=mx)

    nsolves = 0
    method = None
    if chosen == "shared" and todo:
        rn = ReducedNetwork(graph, ports, solver=solver, keep_solutions=want_maps,
                             voltage_calls=len(todo))
        nsolves = rn.solves
        method = rn.solver.method if rn.solver else None
        for i, j in todo:
            na, ea = regions[i]
            nb, eb = regions[j]
            if np.intersect1d(na, nb).size or np.intersect1d(fs[ids[i]], fs[ids[j]]).size:
                res[i, j] = res[j, i] = 0.0  # one node in the pair's graph
                continue
            ca, cb = graph.component[na], graph.component[nb]
            common = np.intersect1d(ca, cb)
            if common.size == 0:
                continue
            pa = rn.port_index(np.intersect1d(na[np.isin(ca, common)], rn.ports))
            pb = rn.port_index(np.intersect1d(nb[np.isin(cb, common)], rn.ports))
            fixed = np.concatenate([pa, pb])
            extra = _pair_branches(rn, graph, common, (pa, branches[i]), (pb, branches[j]))
            idx, v, jn = rn.solve(fixed, np.concatenate([np.zeros(pa.size), np.ones(pb.size)]),
                                  branches=extra)
            current_b = jn[np.searchsorted(idx, pb)].sum()
            if not current_b > 0:
                continue
            r = 1.0 / current_b
            res[i, j] = res[j, i] = r
            if not want_maps:
                continue
            v = v * r
            # the base network's injections exclude the shorting branches' currents
            jbase = rn.S[np.ix_(idx, idx)] @ v if extra is not None else jn * r
            volts = rn.voltages(idx, v, jbase)
            only_b = np.isin(graph.component, np.setdiff1d(cb, common))
            volts[only_b] = r
            vmap = graph.paint(volts)
            vmap.flat[eb] = r
            curr = None
            if want_current:
                nodecur = _node_currents_with_branches(graph, volts, na, nb, rn, extra)
                curr = graph.paint(nodecur)
                if ea.size:
                    curr.flat[ea] = nodecur[na[0]]
                if eb.size:
                    curr.flat[eb] = nodecur[nb[0]]
            emit(i, j, vmap, curr)
    elif chosen == "per_pair":
        for i, j in todo:
            r, volt, curr, method = _solve_pair_own_graph(
                cond, shape, neighbours, average, polys, fs[ids[i]], fs[ids[j]], solver,
                want_maps, want_current)
            if r is None:
                continue
            res[i, j] = res[j, i] = r
            nsolves += 1 if r > 0 else 0
            if r > 0 and want_maps:
                emit(i, j, volt, curr)
    out.info = dict(strategy=chosen, solver=method, solves=nsolves, ports=int(ports.size),
                    pairs=len(todo), seconds=time.perf_counter() - t0, nodes=graph.n_nodes)
    log.info("pairwise: %d ids, %d pairs, strategy %s, %d solves, %.2f s", k, len(todo), chosen,
             nsolves, out.info["seconds"])
    return out


def _pair_branches(rn, graph, common, end_a, end_b):
    """Shorting branches of a pair as port-index triples ``(u, v, w)``, or None if there are none.

    Each region's branches hang on its first port in the pair's components (all its ports share
    one voltage); branches into components outside ``common`` cannot carry current and are left out.
    """
    us, vs, ws = [], [], []
    for ports, (other, weight, _) in (end_a, end_b):
        if other.size == 0 or ports.size == 0:
            continue
        inside = np.isin(graph.component[other], common)
        if not inside.any():
            continue
        us.append(np.full(int(inside.sum()), ports[0], dtype=np.int64))
        vs.append(rn.port_index(other[inside]))
        ws.append(weight[inside])
    if not us:
        return None
    return np.concatenate(us), np.concatenate(vs), np.concatenate(ws)


def _node_currents_with_branches(graph, volts, na, nb, rn, extra):
    """:func:`node_currents` with a and b shorted, plus the pair's shorting branches."""
    if extra is None:
        return node_currents(graph, volts, shorted=(na, nb))
    from .._kernels import graph as kgraph

    n = graph.n_nodes
    group = np.arange(n, dtype=np.int64)
    ngroups = n
    for nodes in (na, nb):
        if nodes.size > 1:
            group[nodes] = ngroups
            ngroups += 1
    lap = graph.laplacian
    inflow, outflow = kgraph.group_flows(lap.indptr.astype(np.int64), lap.indices.astype(np.int64),
                                         lap.data, volts, group, ngroups, np.zeros(n))
    u, v, w = extra
    gu, gv = group[rn.ports[u]], group[rn.ports[v]]
    f = w * (volts[rn.ports[u]] - volts[rn.ports[v]])  # amperes from u's side to v's side
    np.add.at(outflow, gu, np.maximum(f, 0.0))
    np.add.at(inflow, gv, np.maximum(f, 0.0))
    np.add.at(inflow, gu, np.maximum(-f, 0.0))
    np.add.at(outflow, gv, np.maximum(-f, 0.0))
    return np.maximum(inflow, outflow)[group]


def _solve_pair_own_graph(cond, shape, neighbours, average, polys, cells_a, cells_b, solver,
                          want_maps, want_current):
    """Build the pair's graph (a and b shorted) and solve it: (R or None, vmap, cmap, method)."""
    g = assemble(cond, shape, neighbours, average, list(polys) + [cells_a, cells_b], polys)
    na = g.node_of_cell[cells_a]
    nb = g.node_of_cell[cells_b]
    na, nb = na[na >= 0], nb[nb >= 0]
    if na.size == 0 or nb.size == 0:
        return None, None, None, None
    a, b = int(na[0]), int(nb[0])
    if a == b:
        return 0.0, None, None, None
    if g.component[a] != g.component[b]:
        return None, None, None, None
    sub = np.flatnonzero(g.component == g.component[a])
    sub = sub[sub != a]
    mat = principal_submatrix(g.laplacian, sub)
    slv = make_solver(mat, solver, grid=g.grid_positions(sub))
    rhs = np.zeros(sub.size)
    rhs[np.searchsorted(sub, b)] = 1.0
    x = slv.solve(rhs)
    volts = np.zeros(g.n_nodes)
    volts[sub] = x
    r = float(volts[b])
    if not want_maps:
        return r, None, None, slv.method
    vmap = g.paint(volts)
    cmap = g.paint(node_currents(g, volts)) if want_current else None
    return r, vmap, cmap, slv.method


def effective_resistance(
    resistance,
    focal,
    *,
    neighbours: int = 8,
    average: str = "conductance",
    polygons=None,
    mask=None,
    solver: str = "auto",
):
    """Effective resistance matrix between focal points or regions on a resistance grid.

    Parameters
    ----------
    resistance : 2-D array or Grid
        Resistance per cell (ohm, > 0); NaN or the Grid's nodata = barrier (no node).
    focal : 2-D id grid, Grid, FocalSet or mapping {id: flat cells}
    neighbours, average, polygons, mask, solver
        See :func:`pairwise`.

    Returns
    -------
    (ids, matrix) : list of int, ndarray (k, k)
        Ohms; -1 for pairs that are not connected (or on no habitat); 0 on the diagonal.
    """
    r = pairwise(resistance, focal, habitat_is_resistance=True, neighbours=neighbours,
                 average=average, polygons=polygons, mask=mask, solver=solver)
    return r.ids, r.resistances
