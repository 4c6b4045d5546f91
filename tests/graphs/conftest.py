"""Independent oracles for the graph indices; nothing here calls corridors' graph code.

* :func:`enumerated_pstar`: maximum-product probabilities by enumerating every simple path with
  networkx (exponential: small graphs only).
* :func:`scipy_pstar`: the same from scipy's Dijkstra on ``-log p`` (a different algorithm and
  code base), for larger graphs.
* :func:`removal_dpc`: dPC by literally deleting a node (or a link) and recomputing everything.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csgraph


def direct_links(distances, median, pmin=0.0):
    """{(i, j): p_ij} for i < j with p = 0.5 ** (d / median) >= pmin (finite d only)."""
    d = np.asarray(distances, float)
    n = d.shape[0]
    out = {}
    for i in range(n):
        for j in range(i + 1, n):
            if np.isfinite(d[i, j]):
                p = 0.5 ** (d[i, j] / median)
                if p >= pmin:
                    out[(i, j)] = p
    return out


def enumerated_pstar(n, links, *, drop_node=None, drop_link=None):
    """p*_ij = max over all simple paths of the product of link probabilities (networkx)."""
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for (i, j), p in links.items():
        g.add_edge(i, j, p=p)
    if drop_node is not None:
        g.remove_node(drop_node)
    if drop_link is not None:
        g.remove_edge(*drop_link)
    P = np.zeros((n, n))
    for i in g.nodes:
        P[i, i] = 1.0
        for j in g.nodes:
            if j == i:
                continue
            best = 0.0
            for path in nx.all_simple_paths(g, i, j):
                prod = 1.0
                for u, v in zip(path[:-1], path[1:]):
                    prod *= g[u][v]["p"]
                best = max(best, prod)
            P[i, j] = best
    return P


def scipy_pstar(n, links, *, drop_node=None, drop_link=None):
    """p*_ij from scipy.sparse.csgraph.dijkstra on weights -log p (zero weights kept)."""
    w = np.full((n, n), np.inf)
    for (i, j), p in links.items():
        if drop_link is not None and {i, j} == set(drop_link):
            continue
        w[i, j] = w[j, i] = -math.log(p)
    if drop_node is not None:
        w[drop_node, :] = np.inf
        w[:, drop_node] = np.inf
    g = csgraph.csgraph_from_dense(w, null_value=np.inf)
    P = np.exp(-csgraph.dijkstra(g, directed=False))
    if drop_node is not None:
        P[drop_node, :] = 0.0
        P[:, drop_node] = 0.0
    return P


def pc_num(areas, P):
    a = np.asarray(areas, float)
    return float(a @ P @ a)


def removal_dpc(areas, n, links, pstar=enumerated_pstar):
    """(dPC per node, fractions, dPC per link) by removal and full recomputation, in %."""
    a = np.asarray(areas, float)
    P = pstar(n, links)
    num = pc_num(a, P)
    node = []
    for k in range(n):
        ak = a.copy()
        ak[k] = 0.0
        node.append(100.0 * (num - pc_num(ak, pstar(n, links, drop_node=k))) / num)
    intra = 100.0 * a * a / num
    flux = np.array([100.0 * 2 * a[k] * sum(a[j] * P[k, j] for j in range(n) if j != k) / num
                     for k in range(n)])
    link = {e: 100.0 * (num - pc_num(a, pstar(n, links, drop_link=e))) / num for e in links}
    return np.array(node), intra, flux, link, num, P


def random_case(rng, n, *, p_missing=0.3, p_zero_area=0.2, touching=True):
    """Edge-to-edge distances between random disks (some touching), some links removed."""
    xy = rng.uniform(0, 10, (n, 2))
    r = rng.uniform(0.2, 1.5, n)
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2) - r[:, None] - r[None]
    d = np.maximum(d, 0.0) if touching else np.abs(d)
    drop = np.triu(rng.uniform(size=(n, n)) < p_missing, 1)
    d[drop | drop.T] = np.inf
    np.fill_diagonal(d, 0.0)
    a = rng.uniform(0.1, 3.0, n)
    a[rng.uniform(size=n) < p_zero_area] = 0.0
    a[0] = max(a[0], 1.0)
    return a, d


@pytest.fixture
def rng():
    return np.random.default_rng(20260527)
