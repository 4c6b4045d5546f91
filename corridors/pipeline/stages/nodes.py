"""Stage: the nodes of the reserve network - every reserve of the countries of interest, one
country's nested or overlapping reserves merged into one node, multi-country reserves split at the
border, kept when the species lives there (its scope) - and which of them are border reserves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NodeSet", "build_nodes", "legal_reserves"]


@dataclass
class NodeSet:
    """Result of :func:`build_nodes`.

    nodes : GeoDataFrame, one row per node (:func:`vectors.network_nodes` columns: ``pa_id``,
    ``name``, ``iso3``, ``members``, ``area_km2``, ...), plus ``scope_reason`` and
    ``habitat_share`` (:func:`corridors.datasets.species_nodes`) and ``border`` (edge within
    ``border_distance`` of a land border of its own country) with ``border_dist_m``;
    left_out : the node ids the species scope left out.
    """

    nodes: Any
    left_out: list[str]

    @property
    def border_ids(self) -> set[str]:
        return set(self.nodes.loc[self.nodes["border"], "pa_id"].astype(str))


def legal_reserves(pas):
    """The reserves that are legal protected areas (rows with ``legal`` False, the DMZ halves, out)."""
    if "legal" not in pas.columns:
        return pas
    return pas[pas["legal"].astype(bool)].reset_index(drop=True)


def build_nodes(inputs, params) -> NodeSet:
    """Nodes of the network for the run's species (``params``: the scenario's ``[parameters]``)."""
    import vectors

    from ...datasets import species_nodes

    nodes = vectors.network_nodes(inputs.pas, inputs.countries,
                                  countries_of_interest=params.countries_of_interest or None,
                                  include_not_legal=params.include_not_legal)
    scoped = species_nodes(nodes, inputs.profile, inputs.landcover)
    left_out = sorted(set(nodes["pa_id"].astype(str)) - set(scoped["pa_id"].astype(str)))
    near = vectors.border_reserves(scoped, inputs.borders, params.border_distance)
    dist = dict(zip(near["pa_id"].astype(str), near["border_dist_m"]))
    scoped["border"] = scoped["pa_id"].astype(str).isin(dist).to_numpy()
    scoped["border_dist_m"] = scoped["pa_id"].astype(str).map(dist).astype(float).fillna(np.nan).to_numpy()
    return NodeSet(nodes=scoped.reset_index(drop=True), left_out=left_out)
