"""The chain of stages that depend on the resistance table, from the resistance surface to the
ranking: the run calls it once, each ensemble member of an ``[uncertainty]`` run once more with
its perturbed table (so the two can never drift apart)."""

from __future__ import annotations

from .results import StageResults
from .stages import (
    assess_adjoining,
    build_corridors,
    build_nodes,
    build_resistance,
    corridor_pressure,
    find_links,
    network_connectivity,
    rank_corridors,
    solve_circuits,
)

__all__ = ["resistance_chain"]


def _call(name: str, func, *args):
    return func(*args)


def resistance_chain(r: StageResults, executor, step=_call) -> StageResults:
    """Fill ``r`` from ``resistance`` to ``ranking`` (``r.scenario`` resolved, ``r.inputs`` loaded).

    ``step(name, func, *args)`` runs each stage (the run's progress and timer; by default a plain
    call). Stages: resistance, nodes, links, corridors, circuits, adjoining, connectivity,
    pressure, ranking.
    """
    scenario = r.scenario
    p, cfg = scenario.parameters, scenario.ranking
    r.resistance = step("resistance", build_resistance, r.inputs, scenario.edits)
    grid = r.resistance.grid
    r.nodes = step("nodes", build_nodes, r.inputs, p)
    r.links = step("links", find_links, grid, r.nodes, r.inputs.borders, p, executor)
    r.corridors = step("corridors", build_corridors, r.links, grid, p.corridor_width, r.inputs.pas)
    r.circuits = step("circuits", solve_circuits, grid, r.corridors, p.graph, executor, r.links.linkage.staged)
    r.adjoining = step("adjoining", assess_adjoining, r.links, grid, p)
    r.connectivity = step("connectivity", network_connectivity, r.links, r.circuits, r.inputs)
    r.pressure = step("pressure", corridor_pressure, r.corridors, r.inputs, cfg)
    r.ranking = step("ranking", rank_corridors, r.links, r.corridors, r.circuits, r.connectivity, r.pressure,
                     scenario)
    return r
