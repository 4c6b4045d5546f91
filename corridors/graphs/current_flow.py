"""Current-flow betweenness of links and nodes on a weighted node graph, with pairs weighted by
their nodes' areas.

Each unordered pair of nodes (s, t) of a connected component sends one unit of current from s to t
through the graph, edges being conductances (Newman 2005, Social Networks 27:39; Linkage Mapper's
Centrality Mapper; McRae et al. 2008, Ecology 89:2712). The betweenness of an edge is the current
it carries summed over the pairs, each pair weighted by ``w_s w_t`` (with ``w`` the node areas:
a link between two large reserves matters more than one between two small ones; ``w = 1``
gives the plain count).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

__all__ = ["current_flow_betweenness"]


def current_flow_betweenness(n: int, edges, conductance, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Pair-weighted current-flow betweenness of every edge and node.

    Parameters
    ----------
    n : int
        Number of nodes (0 .. n-1).
    edges : array_like (m, 2) of int
        Node pairs; parallel edges add their conductances.
    conductance : array_like (m,)
        Edge conductances, > 0 and finite (e.g. 1 / effective resistance).
    weights : array_like (n,), optional
        Node weights ``w`` (areas), >= 0; default 1.

    Returns
    -------
    edge_betweenness : ndarray (m,)
        ``sum_{s<t} w_s w_t |I_e^{st}|``, with ``I_e^{st} = g_e (phi_u - phi_v)`` the current
        through edge ``e = (u, v)`` when a unit current enters at ``s`` and leaves at ``t``, and
        ``phi = L^+ (e_s - e_t)`` (``L`` the weighted Laplacian of the component, ``L^+`` its
        pseudo-inverse). Pairs in different components exchange no current. A bridge whose removal
        splits its component into sides of total weight ``W_1`` and ``W_2`` carries exactly
        ``W_1 W_2``.
    node_betweenness : ndarray (n,)
        ``sum_{s<t, v not in {s,t}} w_s w_t T_v^{st}``, with the throughput
        ``T_v^{st} = 1/2 sum_{e at v} |I_e^{st}|`` (networkx's current-flow betweenness for
        ``w = 1``, unnormalised).

    Notes
    -----
    One dense pseudo-inverse per connected component (``O(k^3)`` for a component of ``k``
    nodes) and ``O(m k^2)`` for the sums: meant for reserve networks (hundreds of nodes), not
    for cells.
    """
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    g = np.asarray(conductance, dtype=np.float64).reshape(-1)
    if e.shape[0] != g.size:
        raise InputError(f"current_flow_betweenness: {e.shape[0]} edges but {g.size} conductances")
    if g.size and (not np.all(np.isfinite(g)) or np.any(g <= 0)):
        raise InputError("current_flow_betweenness: conductances must be finite and > 0")
    if e.size and (e.min() < 0 or e.max() >= n):
        raise InputError(f"current_flow_betweenness: edge nodes must lie in 0..{n - 1}")
    if np.any(e[:, 0] == e[:, 1]):
        raise InputError("current_flow_betweenness: an edge joins a node to itself")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.size != n or np.any(~np.isfinite(w)) or np.any(w < 0):
        raise InputError(f"current_flow_betweenness: give {n} finite weights >= 0")
    edge_b = np.zeros(e.shape[0])
    node_b = np.zeros(n)
    for comp in _components(n, e):
        if comp.size < 2:
            continue
        _component_betweenness(comp, e, g, w, edge_b, node_b)
    return edge_b, node_b


def _components(n: int, e: np.ndarray) -> list[np.ndarray]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    adj = coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
    k, lab = connected_components(adj, directed=False)
    return [np.flatnonzero(lab == c) for c in range(k)]


def _component_betweenness(comp, e, g, w, edge_b, node_b) -> None:
    k = comp.size
    local = np.full(w.size, -1, dtype=np.int64)
    local[comp] = np.arange(k)
    inside = np.flatnonzero(local[e[:, 0]] >= 0)
    u, v, ge = local[e[inside, 0]], local[e[inside, 1]], g[inside]
    lap = np.zeros((k, k))
    np.add.at(lap, (u, v), -ge)
    np.add.at(lap, (v, u), -ge)
    np.add.at(lap, (u, u), ge)
    np.add.at(lap, (v, v), ge)
    lp = np.linalg.pinv(lap, hermitian=True)
    wc = w[comp]
    s, t = np.triu_indices(k, 1)
    pair_w = wc[s] * wc[t]
    # current through edge (u, v) for pair (s, t): g (Lp[u,s] - Lp[u,t] - Lp[v,s] + Lp[v,t])
    cur = np.abs(ge[:, None] * ((lp[u][:, s] - lp[u][:, t]) - (lp[v][:, s] - lp[v][:, t])))
    edge_b[inside] += cur @ pair_w
    # throughput of node x for pair (s, t): half the current on its edges, x not an end
    through = np.zeros((k, s.size))
    np.add.at(through, u, cur)
    np.add.at(through, v, cur)
    through *= 0.5
    through[s, np.arange(s.size)] = 0.0
    through[t, np.arange(s.size)] = 0.0
    node_b[comp] += through @ pair_w
