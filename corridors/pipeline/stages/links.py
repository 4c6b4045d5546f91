"""Stage: candidate pairs of nodes (transboundary, domestic, adjoining) and their least-cost links."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError, NoViableLinkError

__all__ = ["LinkSet", "find_links", "candidate_pairs", "unlinked_pairs"]

log = logging.getLogger(__name__)


@dataclass
class LinkSet:
    """Result of :func:`find_links`.

    cores : vectors.CoreGrid of the nodes; nodes : GeoDataFrame of the network's nodes (with
    ``border``); pairs : every candidate pair (:func:`vectors.node_pairs` columns: ``pa_a``,
    ``pa_b``, ``iso3_a``, ``iso3_b``, ``kind``, ``gap_m``, ``shared_m``, ``adjoining``,
    ``border_pair``); adjoining : the pairs that share a border segment (not corridors);
    linkage : corridors.leastcost.LinkageNetwork; links : Linkage Mapper's link table with each
    end's reserve id, name and country (``From_PA``, ``From_Name``, ``From_ISO3``, ...) and
    ``Link_Info`` ("transboundary" or "domestic"); unlinked : candidate pairs (not adjoining)
    without a viable link, with ``Reason``.
    """

    cores: Any
    nodes: Any
    pairs: pd.DataFrame
    adjoining: pd.DataFrame
    linkage: Any
    links: pd.DataFrame
    unlinked: pd.DataFrame

    @property
    def border_reserves(self):
        """The nodes that are border reserves."""
        return self.nodes[self.nodes["border"]].reset_index(drop=True)

    @property
    def transboundary(self) -> pd.DataFrame:
        """The links between nodes of two countries (the ones ranked)."""
        return self.links[self.links["Link_Info"] == "transboundary"].reset_index(drop=True)


def find_links(resistance, nodes, borders, params, executor=None) -> LinkSet:
    """Candidate pairs of nodes -> least-cost links (Linkage Mapper's table).

    Candidate pairs (:func:`candidate_pairs`): transboundary pairs of border reserves at most
    ``max_gap`` apart edge to edge, across a land border; and, with ``domestic_links``, pairs of
    one country's nodes at most ``max_gap`` apart whose Euclidean allocation zones touch
    (neighbours, as Linkage Mapper links cores). Pairs that share a border segment are
    *adjoining*: they need no corridor and are reported apart. Every node is a core (so paths
    through a third reserve are detected).

    Parameters
    ----------
    resistance : rasters.Grid
    nodes : NodeSet
        From :func:`~.nodes.build_nodes`.
    borders : GeoDataFrame
        Land borders, in the grid's CRS.
    params : corridors.scenario.Parameters
        Resolved (``max_cost_distance`` set).
    executor : corridors.parallel.Executor, optional
        Runs the per-core cost-distance searches (threads, or one task per core on a dask
        cluster); the links do not depend on it.

    Raises
    ------
    InputError
        No candidate pair, or no viable link among them.
    """
    import vectors

    from ...leastcost import linkage_network

    pas = nodes.nodes
    cores = vectors.rasterize_cores(pas, resistance)
    _check_cores_on_grid(cores, pas, resistance)
    pairs = candidate_pairs(nodes, cores, borders, params, cellsize=resistance.cellsize)
    adjoining = pairs[pairs["adjoining"]].reset_index(drop=True)
    pairs_to_link = pairs[~pairs["adjoining"]]
    lost = set(cores.lost)
    walled = _reserves_on_barriers(cores, pas, resistance)
    reasons = {}
    for a, b in zip(pairs_to_link["pa_a"], pairs_to_link["pa_b"]):
        if a in lost or b in lost:
            reasons[frozenset((a, b))] = "reserve has no cell on the grid"
        elif a in walled or b in walled:
            reasons[frozenset((a, b))] = ("every cell of a reserve is a barrier (land-cover nodata, a barrier "
                                          "class or a fence edit)")
    usable = pairs_to_link[[frozenset((a, b)) not in reasons
                            for a, b in zip(pairs_to_link["pa_a"], pairs_to_link["pa_b"])]]
    if not (usable["kind"] == "transboundary").any():
        _no_usable_pairs(pairs_to_link[pairs_to_link["kind"] == "transboundary"], nodes.border_reserves, lost,
                         len(pas), params, adjoining=len(adjoining))
    core_pairs = [(cores.core_id(a), cores.core_id(b)) for a, b in zip(usable["pa_a"], usable["pa_b"])]
    log.info("%d nodes (%d border reserves), %d candidate pairs (%d transboundary), %d adjoining pairs",
             len(pas), int(pas["border"].sum()), len(usable), int((usable["kind"] == "transboundary").sum()),
             len(adjoining))
    core_grid = cores.grid
    if walled:  # such a reserve cannot be a source: leave it out of the least-cost searches
        gone = np.isin(core_grid.values, [cores.core_id(p) for p in walled])
        core_grid = core_grid.with_values(np.where(gone, 0, core_grid.values))
    net = linkage_network(resistance, core_grid, neighbours=params.neighbours, pairs=core_pairs,
                          max_cost_distance=params.max_cost_distance, drop_through_cores=params.drop_through_cores,
                          corridor_width=params.corridor_width, executor=executor,
                          scratch=getattr(executor, "scratch", None))
    pa_of = {k + 1: pid for k, pid in enumerate(cores.pa_ids)}
    links = _name_ends(net.links, pas, pa_of)
    links["Link_Info"] = np.where(links["From_ISO3"] != links["To_ISO3"], "transboundary", "domestic")
    reasons.update(_drop_reasons(net.dropped, pa_of))
    touching = int((adjoining["kind"] == "transboundary").sum())
    if links.empty and touching:  # nothing to map: no corridor, no current, only the adjoining table
        raise NoViableLinkError(
            f"no viable least-cost link among {len(usable)} candidate pairs (max_cost_distance "
            f"{params.max_cost_distance:g}); the countries' reserves meet only where they adjoin ({touching} "
            "pair(s)); raise parameters.max_cost_distance or check the resistance table"
        )
    if not (links["Link_Info"] == "transboundary").any() and not touching:
        raise NoViableLinkError(
            f"no viable transboundary link among {int((usable['kind'] == 'transboundary').sum())} candidate "
            f"pairs (max_cost_distance {params.max_cost_distance:g}); raise parameters.max_cost_distance or "
            "check the resistance table"
        )
    if not (links["Link_Info"] == "transboundary").any():
        log.warning("no transboundary corridor to rank: the countries' reserves meet only where they adjoin "
                    "(%d pair(s), see adjoining.csv) and every other candidate corridor is above "
                    "max_cost_distance or crosses a third reserve", touching)
    linked = {frozenset((a, b)) for a, b in zip(links["From_PA"], links["To_PA"])}
    unlinked = unlinked_pairs(pairs_to_link, linked, reasons)
    return LinkSet(cores=cores, nodes=pas, pairs=pairs, adjoining=adjoining, linkage=net, links=links,
                   unlinked=unlinked)


def candidate_pairs(nodes, cores, borders, params, *, cellsize: float) -> pd.DataFrame:
    """The pairs of nodes the run considers (see :func:`find_links`), sorted as
    :func:`vectors.node_pairs` sorts them, with ``adjoining`` (outlines within one cell along a
    shared segment)."""
    import vectors

    from ...leastcost.linkage import euclidean_neighbours

    pairs = vectors.node_pairs(nodes.nodes, max_gap=params.max_gap, borders=borders, adjoin_tolerance=cellsize)
    border = nodes.border_ids
    trans = (pairs["kind"] == "transboundary") & pairs["pa_a"].isin(border) & pairs["pa_b"].isin(border)
    keep = trans.to_numpy().copy()
    if params.domestic_links:
        near = {frozenset((cores.pa_ids[a - 1], cores.pa_ids[b - 1]))
                for a, b in euclidean_neighbours(cores.grid, params.neighbours)}
        domestic = (pairs["kind"] == "domestic") & (
            pairs["adjoining"] | pd.Series([frozenset((a, b)) in near for a, b in zip(pairs["pa_a"], pairs["pa_b"])],
                                           index=pairs.index))
        keep |= domestic.to_numpy()
    else:
        keep |= ((pairs["kind"] == "domestic") & pairs["adjoining"]).to_numpy()
    return pairs[keep].reset_index(drop=True)


def _check_cores_on_grid(cores, pas, resistance) -> None:
    """Refuse, naming reserves by pa_id, when fewer than two reserves lie on the grid."""
    on_grid = [k for k, n in enumerate(cores.cells) if n > 0]
    if not on_grid:
        lb = tuple(round(v) for v in pas.total_bounds) if len(pas) else ()
        raise InputError(
            f"no reserve on the land-cover grid: none of the {len(pas)} protected areas (bounds {lb}) "
            f"covers a cell of the grid (bounds {tuple(round(v) for v in resistance.bounds)}); check "
            "the CRS and extent of inputs.protected_areas and inputs.landcover"
        )
    if len(on_grid) < 2:
        raise InputError(
            f"only one reserve ({cores.pa_ids[on_grid[0]]}) lies on the land-cover grid; a corridor "
            "needs two: check the CRS and extent of inputs.protected_areas and inputs.landcover"
        )


def _no_usable_pairs(pairs, br, lost, n_pas, params, *, adjoining: int = 0) -> None:
    """Raise the error that says why no transboundary pair can be linked."""
    if len(pairs):
        off = sorted({p for a, b in zip(pairs["pa_a"], pairs["pa_b"]) for p in (a, b) if p in lost})
        raise InputError(
            f"no reserve of the {len(pairs)} candidate pairs lies on the land-cover grid (off it: "
            f"{', '.join(off[:10])}); check the CRS and extent of the reserves and of inputs.landcover"
        )
    if br.empty:
        raise InputError(
            f"no border reserves: none of the {n_pas - len(lost)} reserves on the grid lies within "
            f"{params.border_distance:g} m of an international land border; raise parameters.border_distance "
            "or check the countries layer (its borders and iso3 codes)"
        )
    also = f" ({adjoining} pair(s) adjoin: they share a border segment and need no corridor)" if adjoining else ""
    raise InputError(
        f"no candidate transboundary pairs: {len(br)} border reserves within "
        f"{params.border_distance:g} m of a border, none within max_gap {params.max_gap:g} m of a reserve in a "
        f"neighbouring country{also}; raise parameters.max_gap (or parameters.border_distance)"
    )


def _reserves_on_barriers(cores, pas, resistance) -> set[str]:
    """Reserves all of whose cells are barriers (land-cover nodata, a barrier class or a fence
    edit): they take no part in the links; logged by pa_id and name, and reported unlinked."""
    from ..._kernels.labels import label_counts

    nd = resistance.nodata
    plain = nd is None or (isinstance(nd, float) and np.isnan(nd))
    res = resistance.values if plain else resistance.masked_float(np.float32)
    n = len(cores.pa_ids)
    total, free = label_counts(cores.grid.values.ravel(), res.ravel(), n)  # one pass, no grid-sized copies
    total, free = total[1:], free[1:]
    walled = {cores.pa_ids[k] for k in range(n) if total[k] > 0 and free[k] == 0}
    if walled:
        names = dict(zip(pas["pa_id"].astype(str), pas["name"].astype(str)))
        shown = ", ".join(f"{p} ({names.get(p, '')})" for p in sorted(walled)[:20])
        log.warning("reserve(s) %s lie entirely on cells without a resistance (land-cover nodata, a barrier "
                    "class or a fence edit) and take no part in the links", shown)
    return walled


def _name_ends(links: pd.DataFrame, pas, pa_of: dict[int, str]) -> pd.DataFrame:
    """The link table with each end's reserve id, name and country."""
    info = pas.set_index(pas["pa_id"].astype(str))
    links = links.copy()
    for end, col in (("From", "From_Core"), ("To", "To_Core")):
        ids = links[col].map(pa_of)
        links[f"{end}_PA"] = ids.astype(str)
        links[f"{end}_Name"] = ids.map(info["name"]).astype(str)
        links[f"{end}_ISO3"] = ids.map(info["iso3"]).astype(str)
    return links


def _drop_reasons(dropped: pd.DataFrame, pa_of: dict[int, str]) -> dict[frozenset, str]:
    """Why each dropped link was dropped, keyed by its reserve pair."""
    reasons = {}
    for rec in dropped.itertuples(index=False):
        detail = rec.reason
        if np.isfinite(rec.CW_Dist):
            limit = f", max {rec.limit:.4g}" if np.isfinite(rec.limit) else ""
            detail += f" (CW_Dist {rec.CW_Dist:.4g}{limit})"
        reasons[frozenset((pa_of[int(rec.From_Core)], pa_of[int(rec.To_Core)]))] = detail
    return reasons


def unlinked_pairs(pairs: pd.DataFrame, linked: set[frozenset], reasons: dict[frozenset, str]) -> pd.DataFrame:
    """Candidate pairs (``pa_a``, ``pa_b``, ...) without a viable link, with ``Reason``."""
    keep = [frozenset((a, b)) not in linked for a, b in zip(pairs["pa_a"], pairs["pa_b"])]
    out = pairs.loc[keep].copy()
    out["Reason"] = [reasons.get(frozenset((a, b)), "no least-cost path")
                     for a, b in zip(out["pa_a"], out["pa_b"])]
    return out.reset_index(drop=True)
