"""Stage: what each link means for the reserve network - its importance for the probability of
connectivity (dPC, Saura & Rubio 2010) and its area-weighted current-flow centrality - and the
nodes' own importance.

The graph: every node (reserve) with its area; an edge per viable link (transboundary and
domestic) with its cost-weighted distance, and per adjoining pair at distance 0 (they touch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import ConfigError

__all__ = ["Connectivity", "network_connectivity", "median_dispersal_cost"]

NODE_COLUMNS = ["dPC", "dPCintra", "dPCflux", "dPCconnector", "CF_Area"]


@dataclass
class Connectivity:
    """Result of :func:`network_connectivity`.

    links : DataFrame indexed like the link table: ``dPCnum`` (km^4, the loss of the PC
    numerator without the link), ``dPC`` (% of PC), ``dECA`` (km2), ``CF_Area`` (area-weighted
    current-flow betweenness, km^4), ``CF_Central`` (the same with every area 1: Linkage
    Mapper's centrality); nodes : DataFrame indexed by ``pa_id`` with :data:`NODE_COLUMNS`;
    pc, eca : the network's PC (unitless) and ECA (km2); median_dispersal : the median dispersal
    distance used (cost units); landscape_km2 : the region area A_L; node_km2 : the nodes' total
    area (the scale of the ranking's importance and centrality components).
    """

    links: pd.DataFrame
    nodes: pd.DataFrame
    pc: float
    eca: float
    median_dispersal: float
    landscape_km2: float
    node_km2: float


def median_dispersal_cost(profile, table) -> float:
    """The profile's median dispersal distance in cost units: metres through its cheapest habitat.

    A cost unit is resistance x metres; an animal crossing its best habitat (the smallest
    resistance of the table) pays ``min(resistance)`` per metre, so ``median_dispersal_m x
    min(resistance)`` cost units is its median dispersal along a least-cost path. An assumption
    (dispersal through poorer land is shorter in metres), stated in the report.
    """
    if profile.median_dispersal_m is None:
        raise ConfigError(
            f"species profile {profile.name!r} has no median_dispersal_m; the connectivity metrics need one "
            "(metres, with its source in [sources]); give it in the profile")
    finite = [float(v) for v in table.values() if np.isfinite(float(v))]
    return float(profile.median_dispersal_m) * min(finite)


def network_connectivity(links, circuits, inputs) -> Connectivity:
    """PC, dPC and centralities of the reserve network of :class:`~.links.LinkSet` ``links``."""
    from ...graphs import current_flow_betweenness, pc

    nodes = links.nodes
    ids = nodes["pa_id"].astype(str).tolist()
    index = {p: i for i, p in enumerate(ids)}
    areas = nodes["area_km2"].to_numpy(dtype=np.float64)
    n = len(ids)
    table = links.links
    a = table["From_PA"].map(index).to_numpy(dtype=np.int64)
    b = table["To_PA"].map(index).to_numpy(dtype=np.int64)
    dist = np.full((n, n), np.inf)
    dist[a, b] = dist[b, a] = table["CW_Dist"].to_numpy(dtype=np.float64)
    adj_a = links.adjoining["pa_a"].astype(str).map(index).to_numpy(dtype=np.int64)
    adj_b = links.adjoining["pa_b"].astype(str).map(index).to_numpy(dtype=np.int64)
    dist[adj_a, adj_b] = dist[adj_b, adj_a] = 0.0
    m = median_dispersal_cost(inputs.profile, inputs.table)
    landscape = _landscape_km2(inputs, set(nodes["iso3"].astype(str)))
    res = pc(areas, dist, median_dispersal=m, landscape_area=landscape, min_probability=0.0)
    imp = res.link_importances(list(zip(a, b))) if len(a) else pd.DataFrame(columns=["dPC", "dPCnum", "dECA"])
    out = pd.DataFrame({"dPCnum": imp["dPCnum"].to_numpy(), "dPC": imp["dPC"].to_numpy(),
                        "dECA": imp["dECA"].to_numpy()}, index=table.index)
    # centrality: adjoining nodes are one patch for the current (contracted), links are conductances
    group = _contract(n, adj_a, adj_b)
    k = int(group.max()) + 1 if n else 0
    g_areas = np.bincount(group, weights=areas, minlength=k)
    ends = np.column_stack([group[a], group[b]])
    eff = table["Link_ID"].map(circuits.eff_resist).to_numpy(dtype=np.float64)
    loop = ends[:, 0] == ends[:, 1]  # a link inside a contracted group carries no group-to-group current
    cf_area, node_area = np.zeros(len(table)), np.zeros(k)
    cf_plain = np.zeros(len(table))
    if (~loop).any():
        cf_area[~loop], node_area = current_flow_betweenness(k, ends[~loop], 1.0 / eff[~loop], g_areas)
        cf_plain[~loop], _ = current_flow_betweenness(k, ends[~loop], 1.0 / eff[~loop])
    out["CF_Area"] = cf_area
    out["CF_Central"] = cf_plain
    dpc = res.dpc.copy()
    dpc.index = pd.Index(ids, name="pa_id")
    dpc["CF_Area"] = node_area[group]
    return Connectivity(links=out, nodes=dpc[NODE_COLUMNS], pc=float(res.pc), eca=float(res.eca),
                        median_dispersal=m, landscape_km2=landscape, node_km2=float(areas.sum()))


def _contract(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Group label (0..k-1, in order of the lowest member) of every node, adjoining pairs joined."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    adj = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    first = {}
    return np.array([first.setdefault(x, len(first)) for x in lab], dtype=np.int64)


def _landscape_km2(inputs, codes: set[str]) -> float:
    """Area (km2) of the countries whose reserves are nodes, inside the grid: the region A_L."""
    import shapely

    grid = inputs.landcover
    box = shapely.box(*grid.bounds)
    mine = inputs.countries[inputs.countries["iso3"].astype(str).isin(codes)]
    land = shapely.intersection(shapely.union_all(mine.geometry.values), box)
    return float(land.area / 1e6)
