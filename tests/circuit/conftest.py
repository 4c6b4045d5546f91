"""Independent dense oracle for circuit tests: plain-Python graph building and pseudo-inverses.

Nothing here calls corridors' graph code; it follows the written Circuitscape rules directly.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest



def dense_graph(cond, groups=(), eight=True, avg_res=False):
    """(labels per cell (-1 none), dense Laplacian) by brute force on a small grid."""
    nr, nc = cond.shape
    ncell = nr * nc
    parent = list(range(ncell))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    member = [cond.flat[i] > 0 for i in range(ncell)]
    for g in groups:
        g = [int(x) for x in g]
        for c in g:
            member[c] = True
            a, b = find(g[0]), find(c)
            if a != b:
                parent[max(a, b)] = min(a, b)
    has_valid = {}
    for c in range(ncell):
        if cond.flat[c] > 0:
            has_valid[find(c)] = True
    labels = -np.ones(ncell, dtype=int)
    roots = {}
    for c in range(ncell):
        if member[c] and has_valid.get(find(c)):
            labels[c] = roots.setdefault(find(c), len(roots))
    n = len(roots)
    w = np.zeros((n, n))
    offs = [(0, 1, False), (1, 0, False)] + ([(1, 1, True), (-1, 1, True)] if eight else [])
    for r in range(nr):
        for c in range(nc):
            a = labels[r * nc + c]
            if a < 0:
                continue
            for dr, dc, diag in offs:
                rr, cc = r + dr, c + dc
                if not (0 <= rr < nr and 0 <= cc < nc):
                    continue
                b = labels[rr * nc + cc]
                if b < 0 or b == a:
                    continue
                g1, g2 = cond[r, c], cond[rr, cc]
                if avg_res:
                    wt = 0.0 if (g1 == 0 or g2 == 0) else 1.0 / ((1 / g1 + 1 / g2) / 2)
                else:
                    wt = (g1 + g2) / 2
                if diag:
                    wt /= math.sqrt(2)
                w[a, b] += wt
                w[b, a] += wt
    lap = np.diag(w.sum(1)) - w
    return labels, lap


def components(lap):
    n = lap.shape[0]
    comp = -np.ones(n, dtype=int)
    k = 0
    for s in range(n):
        if comp[s] >= 0:
            continue
        stack = [s]
        comp[s] = k
        while stack:
            x = stack.pop()
            for y in np.flatnonzero(lap[x] != 0):
                if comp[y] < 0:
                    comp[y] = k
                    stack.append(y)
        k += 1
    return comp


def pair_solution(lap, a, b):
    """(R_ab, voltages with a at 0 V and 1 A injected at b) via a per-component pseudo-inverse."""
    comp = components(lap)
    if comp[a] != comp[b]:
        return None, None
    idx = np.flatnonzero(comp == comp[a])
    pinv = np.linalg.pinv(lap[np.ix_(idx, idx)])
    e = np.zeros(idx.size)
    e[np.searchsorted(idx, b)] += 1
    e[np.searchsorted(idx, a)] -= 1
    x = pinv @ e
    x -= x[np.searchsorted(idx, a)]
    v = np.zeros(lap.shape[0])
    v[idx] = x
    return float(v[b]), v


def node_current(lap, v, ground=None):
    """max(inflow, outflow) per node from a dense Laplacian."""
    w = -lap.copy()
    np.fill_diagonal(w, 0.0)
    flow = w * (v[:, None] - v[None, :])  # flow i -> j
    out = np.clip(flow, 0, None).sum(1)
    inn = np.clip(-flow, 0, None).sum(1)
    if ground is not None:
        f = ground * v
        out += np.clip(f, 0, None)
        inn += np.clip(-f, 0, None)
    return np.maximum(inn, out)


def read_asc(path):
    with open(path) as fh:
        hdr = {}
        for _ in range(6):
            k, v = fh.readline().split()
            hdr[k.lower()] = float(v)
    a = np.loadtxt(path, skiprows=6, ndmin=2).astype(float)
    nd = hdr.get("nodata_value")
    if nd is not None:
        a[a == nd] = np.nan
    return a


@pytest.fixture
def oracle():
    return SimpleNamespace(dense_graph=dense_graph, components=components, pair_solution=pair_solution,
                           node_current=node_current)


@pytest.fixture
def ref(test_data):
    """Circuitscape.jl's reference cases (tests/data/circuitscape/Circuitscape.jl)."""
    root = test_data.jl
    return SimpleNamespace(root=root, read=lambda rel: read_asc(root / rel))
