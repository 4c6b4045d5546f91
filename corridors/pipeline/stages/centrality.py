"""Stage 6: current-flow centrality of reserves and links on the reserve graph.

The reserve graph has one node per reserve and one edge per viable link, with edge conductance
``1 / Eff_Resist`` (effective resistance of the link's corridor circuit). Centrality follows
Linkage Mapper's Centrality Mapper and Newman (2005): inject 1 A between every pair of reserves
of a connected component in turn and sum the current each edge (or node) carries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import InputError

__all__ = ["Centrality", "reserve_centrality", "current_flow_centrality"]


@dataclass
class Centrality:
    """Result of :func:`reserve_centrality`.

    links : DataFrame, the link table with ``Eff_Resist`` and ``CF_Central`` added;
    nodes : Series of ``CF_Central`` by ``pa_id`` (every reserve, 0 when it has no link).
    """

    links: pd.DataFrame
    nodes: pd.Series


def reserve_centrality(links, circuits, pas) -> Centrality:
    """Current-flow centrality on the reserve graph whose edges are the links, with conductance
    ``1 / Eff_Resist`` from each link's corridor circuit (:class:`~.circuits.CircuitSet`)."""
    table = links.links.copy()
    table["Eff_Resist"] = table["Link_ID"].map(circuits.eff_resist).astype(float)
    link_cf, node_cf = current_flow_centrality(table, nodes=list(pas["pa_id"].astype(str)))
    table["CF_Central"] = link_cf.to_numpy()
    return Centrality(links=table, nodes=node_cf)


def current_flow_centrality(
    links: pd.DataFrame, *, nodes: list[str] | None = None,
    from_col: str = "From_PA", to_col: str = "To_PA", resist_col: str = "Eff_Resist",
) -> tuple[pd.Series, pd.Series]:
    """Unnormalised current-flow betweenness of links and reserves.

    Parameters
    ----------
    links : DataFrame
        One row per link with the two reserve ids and the effective resistance (ohm-like
        resistance units, > 0 and finite).
    nodes : list of str, optional
        All reserve ids (reserves without links get 0).

    Returns
    -------
    link_centrality : Series
        Indexed like ``links``: for each link, the sum over all unordered reserve pairs (s, t) of its
        component of the absolute current through the link when 1 A flows from s to t.
        A link that is the only path between its two sides of ``k`` and ``m`` reserves carries
        exactly ``k * m``.
    node_centrality : Series
        Indexed by reserve id: networkx ``current_flow_betweenness_centrality(normalized=False)``
        per connected component (current through the node summed over pairs it is not an end of);
        0 for reserves in components of fewer than 3.

    Notes
    -----
    networkx needs a connected graph, so each component is solved on its own; pairs in different
    components exchange no current. Cost: one dense solve per component (reserves number tens).
    """
    import networkx as nx

    # networkx's current-flow solvers visit nodes in set order; string labels hash differently in
    # every process (PYTHONHASHSEED), which changed results in the last digits from run to run.
    # Integer labels in sorted order, and each component built afresh in that order, make the
    # computation (and so ranking.csv) byte-identical across runs and dask workers.
    ids = sorted(set(nodes or ()) | set(links[from_col]) | set(links[to_col]), key=str)
    label = {pa: k for k, pa in enumerate(ids)}
    edges = []
    for idx, row in links.iterrows():
        r = float(row[resist_col])
        if not np.isfinite(r) or r <= 0:
            raise InputError(f"link {idx}: effective resistance {r!r} is not a positive finite number; "
                             f"give every link in column {resist_col!r} a resistance > 0")
        a, b = sorted((label[row[from_col]], label[row[to_col]]))
        edges.append((a, b, 1.0 / r, idx))
    g = nx.Graph()
    g.add_nodes_from(range(len(ids)))
    for a, b, w, idx in sorted(edges, key=lambda e: (e[0], e[1], str(e[3]))):
        g.add_edge(a, b, weight=w, idx=idx)
    edge_c: dict = {}
    node_c: dict = dict.fromkeys(ids, 0.0)
    for comp in sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: c[0]):
        if len(comp) < 2:
            continue
        sub = nx.Graph()
        sub.add_nodes_from(comp)
        sub.add_edges_from(sorted((u, v, d) for u, v, d in g.edges(comp, data=True)))
        ec = nx.edge_current_flow_betweenness_centrality(sub, normalized=False, weight="weight")
        for (u, v), val in ec.items():
            # networkx's unnormalised edge value is half the per-pair sum (it divides by 2)
            edge_c[sub.edges[u, v]["idx"]] = 2.0 * float(val)
        if len(comp) >= 3:
            nc = nx.current_flow_betweenness_centrality(sub, normalized=False, weight="weight")
            for n, val in nc.items():
                node_c[ids[n]] = float(val)
    link_series = pd.Series([edge_c.get(i, 0.0) for i in links.index], index=links.index, name="CF_Central")
    node_series = pd.Series(node_c, name="CF_Central", dtype=float)
    node_series.index.name = "pa_id"
    return link_series, node_series
