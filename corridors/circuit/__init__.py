"""Circuit theory (Circuitscape-compatible): graphs, solvers and the analysis modes.

Rasters: :class:`CircuitGraph` (the resistor network of a grid's cells) and the raster modes
(:func:`pairwise`, :func:`one_to_all`, :func:`all_to_one`, :func:`advanced`). Circuitscape's
network mode: :class:`ResistorNetwork` (a resistor network given as edges between node ids),
:func:`network_pairwise` and :func:`network_advanced` (module :mod:`.network`).
"""

from .advanced import POLICIES, AdvancedResult, advanced, solve_sources_grounds
from .currents import node_currents
from .focal import FocalSet, as_focal_set
from .graph import CircuitGraph, build_graph, conductance_from_habitat
from .network import ResistorNetwork, network_advanced, network_pairwise
from .onetoall import OneToAllResult, all_to_one, one_to_all
from .pairwise import PairwiseResult, effective_resistance, pairwise
from .reduced import ReducedNetwork
from .solvers import available_methods, estimate_memory, make_solver

from . import solvers  # noqa: E402  (public submodule)

__all__ = [
    "CircuitGraph",
    "build_graph",
    "conductance_from_habitat",
    "FocalSet",
    "as_focal_set",
    "pairwise",
    "PairwiseResult",
    "effective_resistance",
    "one_to_all",
    "all_to_one",
    "OneToAllResult",
    "advanced",
    "AdvancedResult",
    "solve_sources_grounds",
    "POLICIES",
    "node_currents",
    "ReducedNetwork",
    "ResistorNetwork",
    "network_pairwise",
    "network_advanced",
    "make_solver",
    "available_methods",
    "estimate_memory",
    "solvers",
]
