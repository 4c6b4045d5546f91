"""Independent oracle for the least-cost tests: scipy.sparse.csgraph.dijkstra on an explicit graph."""

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra


def grid_graph(res, cellsize=1.0, neighbours=8):
    """Explicit directed graph: edge u->v costs mean(r_u, r_v) * step length; barriers have no edges."""
    nr, nc = res.shape
    ok = np.isfinite(res)
    moves = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    if neighbours == 8:
        moves += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    rows, cols, w = [], [], []
    idx = np.arange(nr * nc).reshape(nr, nc)
    for dr, dc in moves:
        length = cellsize * (np.sqrt(2.0) if dr and dc else 1.0)
        for r in range(nr):
            for c in range(nc):
                r2, c2 = r + dr, c + dc
                if 0 <= r2 < nr and 0 <= c2 < nc and ok[r, c] and ok[r2, c2]:
                    rows.append(idx[r, c])
                    cols.append(idx[r2, c2])
                    w.append((res[r, c] + res[r2, c2]) / 2.0 * length)
    return coo_matrix((w, (rows, cols)), shape=(nr * nc, nr * nc)).tocsr()


def oracle_cost(res, sources, cellsize=1.0, neighbours=8):
    """Multi-source cost distance (inf unreachable) from a boolean source mask, by csgraph."""
    g = grid_graph(res, cellsize, neighbours)
    src = np.flatnonzero(sources.ravel() & np.isfinite(res.ravel()))
    d = dijkstra(g, directed=True, indices=src, min_only=True)
    return d.reshape(res.shape)


def random_surface(rng, shape, barrier_frac=0.12, lo=1.0, hi=50.0):
    res = rng.uniform(lo, hi, shape)
    bar = rng.random(shape) < barrier_frac
    res[bar & (rng.random(shape) < 0.5)] = np.nan
    res[bar & ~np.isnan(res)] = np.inf
    return res


@pytest.fixture
def oracle():
    return oracle_cost


@pytest.fixture
def make_surface():
    return random_surface


@pytest.fixture
def graph():
    return grid_graph
