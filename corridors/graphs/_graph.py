"""Validated node graphs for the probability and integral indices: areas, distances, CSR edges.

Distances are whatever the caller measured between nodes (edge-to-edge Euclidean metres,
least-cost cost units, ...), in the unit of the dispersal distance they are compared with;
nothing here knows or cares which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

__all__ = ["NodeGraph", "decay_rate", "check_areas", "check_distances", "build_graph",
           "DEFAULT_MIN_PROBABILITY"]

#: Links with a direct probability below this are dropped (the issue's pruning; Conefor and
#: Makurhini offer the same kind of threshold). With ``p = 0.5`` at the median dispersal
#: distance ``m`` this drops links longer than ``m * log2(1000) = 9.97 m``.
DEFAULT_MIN_PROBABILITY = 1e-3

#: Relative asymmetry of a distance matrix tolerated (float32 least-cost distances computed from
#: either end differ in the last digits); beyond it the matrix is refused.
SYMMETRY_RTOL = 1e-6


def decay_rate(median_dispersal: float) -> float:
    """``k`` of the kernel ``p = exp(-k d)`` with ``p = 0.5`` at the median dispersal distance.

    ``k = ln 2 / median_dispersal`` (Saura & Pascual-Hortal 2007; Saura et al. 2017 use the
    median so that half of the dispersers go farther), in 1 / (unit of the distances).
    """
    m = _positive_finite(median_dispersal, "median_dispersal")
    return math.log(2.0) / m


def _positive_finite(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def check_areas(areas, name: str = "areas") -> np.ndarray:
    """1-D float64 copy of ``areas``; finite, >= 0, at least one > 0."""
    a = np.asarray(areas, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise InputError(f"{name} must be a non-empty 1-D array (one value per node), got shape "
                         f"{a.shape}")
    bad = np.flatnonzero(~np.isfinite(a) | (a < 0))
    if bad.size:
        raise InputError(f"{name}: node(s) {bad[:10].tolist()} have value(s) "
                         f"{a[bad[:10]].tolist()}; areas must be finite and >= 0 (0 = a stepping "
                         "stone with no area of its own)")
    if not (a > 0).any():
        raise InputError(f"{name}: every node has area 0; the index needs at least one node with "
                         "area > 0")
    return a.copy()


def check_distances(distances, n: int, name: str = "distances") -> np.ndarray:
    """Symmetric float64 n x n distances, >= 0, +inf = no link; the diagonal is ignored.

    Asymmetry up to :data:`SYMMETRY_RTOL` (relative) is resolved by taking the smaller value of
    each pair; more is an error, as is a link present in one direction only.
    """
    d = np.array(distances, dtype=np.float64)  # a copy: the diagonal is overwritten
    if d.shape != (n, n):
        raise InputError(f"{name} must be an n x n array for n = {n} nodes, got shape {d.shape}")
    np.fill_diagonal(d, 0.0)
    nan = np.argwhere(np.isnan(d))
    if nan.size:
        i, j = nan[0]
        raise InputError(f"{name}[{i}, {j}] is NaN; use numpy.inf for 'no link'")
    neg = np.argwhere(d < 0)
    if neg.size:
        i, j = neg[0]
        raise InputError(f"{name}[{i}, {j}] = {d[i, j]!r} is negative; distances must be >= 0")
    dt = d.T
    fin, fint = np.isfinite(d), np.isfinite(dt)
    one_way = np.argwhere(fin != fint)
    if one_way.size:
        i, j = one_way[0]
        raise InputError(f"{name}[{i}, {j}] = {d[i, j]!r} but {name}[{j}, {i}] = {d[j, i]!r}: a "
                         "link must exist both ways (the graph is undirected); symmetrise with "
                         "numpy.minimum(d, d.T)")
    both = fin & fint
    diff = np.zeros_like(d)
    diff[both] = np.abs(d[both] - dt[both])
    scale = np.maximum(np.abs(d), np.abs(dt))
    too = np.argwhere(both & (diff > SYMMETRY_RTOL * scale))
    if too.size:
        i, j = too[0]
        raise InputError(f"{name} is not symmetric: [{i}, {j}] = {d[i, j]!r}, [{j}, {i}] = "
                         f"{d[j, i]!r}; the graph is undirected, symmetrise with "
                         "numpy.minimum(d, d.T) (or numpy.maximum) first")
    return np.minimum(d, dt)


@dataclass(frozen=True)
class NodeGraph:
    """An undirected node graph in CSR form with ``-log p`` weights.

    Attributes
    ----------
    n : int
        Number of nodes.
    edge_i, edge_j : ndarray of int64
        The kept links, ``edge_i < edge_j``, in row-major order; link ``e`` joins
        ``edge_i[e]`` and ``edge_j[e]``.
    edge_distance : ndarray of float64
        Distance of each link (unit of the input).
    indptr, indices, weights, edge_id : ndarray
        CSR adjacency (both directions); ``weights = k * distance = -log p``; ``edge_id`` maps
        each CSR entry to its link number.
    """

    n: int
    edge_i: np.ndarray
    edge_j: np.ndarray
    edge_distance: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    edge_id: np.ndarray

    @property
    def n_edges(self) -> int:
        return int(self.edge_i.size)

    @property
    def edges_per_node(self) -> float:
        """Mean number of links per node (each link counted at both ends: ``2 E / n``)."""
        return 2.0 * self.n_edges / self.n

    def link_index(self, i: int, j: int) -> int:
        """Number of the link between nodes ``i`` and ``j``, or -1 if there is none."""
        a, b = (i, j) if i < j else (j, i)
        lo, hi = self.indptr[a], self.indptr[a + 1]
        hit = np.flatnonzero(self.indices[lo:hi] == b)
        return int(self.edge_id[lo + hit[0]]) if hit.size else -1


def build_graph(d: np.ndarray, keep: np.ndarray, rate: float) -> NodeGraph:
    """CSR graph of the links where ``keep`` (symmetric bool) holds, weights ``rate * d``."""
    n = d.shape[0]
    iu, ju = np.nonzero(np.triu(keep, 1))
    iu = iu.astype(np.int64)
    ju = ju.astype(np.int64)
    dist = d[iu, ju]
    m = iu.size
    src = np.concatenate([iu, ju])
    dst = np.concatenate([ju, iu])
    eid = np.concatenate([np.arange(m, dtype=np.int64)] * 2)
    # rows in node order, neighbours ascending within a row: deterministic searches
    order = np.lexsort((dst, src))
    src, dst, eid = src[order], dst[order], eid[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    weights = rate * d[src, dst]
    return NodeGraph(n=n, edge_i=iu, edge_j=ju, edge_distance=dist, indptr=indptr,
                     indices=np.ascontiguousarray(dst), weights=np.ascontiguousarray(weights),
                     edge_id=np.ascontiguousarray(eid))
