"""Advanced mode: current sources and grounds anywhere on the grid (Circuitscape semantics).

* Source amperes are summed per node (cells without a node are ignored).
* Grounds are resistances (ohm; 0 = direct ground) or conductances (siemens; +inf = direct); they are
  summed per node as conductances. ``use_direct_grounds`` ties every ground directly to 0 V.
* A node with both a source and a ground follows ``policy``: ``keepall`` keeps both, ``rmvsrc``
  drops the source, ``rmvgnd`` the ground, ``rmvall`` both. Then a direct ground on a node that still
  has a positive source is dropped.
* Each connected component is solved only if its sources sum to non-zero and it has a ground;
  other components stay at 0 V.
* Node current = max(inflow, outflow) over the node's branches, the finite ground included.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .currents import node_currents
from .graph import CircuitGraph, build_graph, _as_array
from .solvers import make_solver

__all__ = ["advanced", "AdvancedResult", "solve_sources_grounds", "POLICIES"]

log = logging.getLogger("corridors.circuit")

POLICIES = ("keepall", "rmvsrc", "rmvgnd", "rmvall")


@dataclass
class AdvancedResult:
    """Result of :func:`advanced`.

    Attributes
    ----------
    voltage : 2-D ndarray
        Volts per cell (0 for cells without a node).
    current : 2-D ndarray
        Amperes per cell.
    node_voltages : ndarray (n_nodes,)
    graph : CircuitGraph
    solved_components : ndarray of int
    info : dict
    """

    voltage: np.ndarray
    current: np.ndarray
    node_voltages: np.ndarray
    graph: CircuitGraph
    solved_components: np.ndarray
    info: dict


def _per_node(graph, grid, what):
    """Sum a per-cell array onto nodes (NaN/0 cells ignored)."""
    vals = np.asarray(_as_array(grid, what), dtype=np.float64)
    if vals.shape != graph.shape:
        raise InputError(f"{what} shape {vals.shape} differs from habitat shape {graph.shape}")
    flat = vals.ravel()
    use = np.isfinite(flat) & (flat != 0) & (graph.node_of_cell >= 0)
    return flat, use


def solve_sources_grounds(graph, sources, ground_g, direct, *, solver="auto"):
    """Solve node voltages for per-node sources (A), finite grounds (S) and direct grounds.

    Parameters
    ----------
    graph : CircuitGraph
    sources, ground_g : ndarray (n_nodes,)
    direct : ndarray of bool (n_nodes,)
    solver : str

    Returns
    -------
    (voltages, solved_components, method)
    """
    comp = graph.component
    nc = graph.n_components
    src_sum = np.bincount(comp, weights=sources, minlength=nc)
    has_ground = np.bincount(comp, weights=(ground_g > 0) | direct, minlength=nc) > 0
    solved = np.flatnonzero((src_sum != 0) & has_ground)
    volts = np.zeros(graph.n_nodes)
    if solved.size == 0:
        return volts, solved, None
    unknown = np.isin(comp, solved) & ~direct
    idx = np.flatnonzero(unknown)
    mat = graph.laplacian[idx][:, idx].tocsr()
    mat = (mat + _diag(ground_g[idx])).tocsr()
    slv = make_solver(mat, solver, grid=graph.grid_positions(idx))
    volts[idx] = slv.solve(sources[idx])
    return volts, solved, slv.method


def _diag(d):
    import scipy.sparse as sp

    return sp.diags(d, format="csr")


def advanced(
    habitat,
    sources,
    grounds,
    *,
    habitat_is_resistance: bool = True,
    neighbours: int = 8,
    average: str = "conductance",
    grounds_are_resistances: bool = True,
    use_direct_grounds: bool = False,
    policy: str = "keepall",
    unit_currents: bool = False,
    polygons=None,
    mask=None,
    solver: str = "auto",
) -> AdvancedResult:
    """Voltages and currents for arbitrary sources and grounds.

    Parameters
    ----------
    habitat : 2-D array or Grid
        Resistance (ohm) or conductance (siemens) per cell; NaN = nodata.
    sources : 2-D array
        Amperes per cell (0/NaN = none; negative = sink).
    grounds : 2-D array
        Ground resistance (ohm, 0 = direct) or conductance (siemens, +inf = direct) per cell;
        NaN = none (and 0 = none for conductances).
    grounds_are_resistances, use_direct_grounds, policy, unit_currents
        See the module notes.
    neighbours, average, polygons, mask, solver
        As in :func:`build_graph` / :func:`make_solver`.

    Returns
    -------
    AdvancedResult
    """
    if policy not in POLICIES:
        raise InputError(f"policy must be one of {POLICIES}, got {policy!r}")
    graph = build_graph(habitat, habitat_is_resistance=habitat_is_resistance, neighbours=neighbours,
                        average=average, mask=mask, polygons=polygons)
    n = graph.n_nodes
    sflat, suse = _per_node(graph, sources, "sources")
    svals = np.where(unit_currents, 1.0, sflat[suse])
    src = np.bincount(graph.node_of_cell[suse], weights=np.broadcast_to(svals, (int(suse.sum()),)),
                      minlength=n).astype(np.float64)

    gvals = np.asarray(_as_array(grounds, "grounds"), dtype=np.float64)
    if gvals.shape != graph.shape:
        raise InputError(f"grounds shape {gvals.shape} differs from habitat shape {graph.shape}")
    gflat = gvals.ravel()
    present = ~np.isnan(gflat)
    if np.any(gflat[present] < 0):
        raise InputError(f"grounds contain negative values (first {gflat[present][gflat[present] < 0][0]!r}); "
                         "give resistances or conductances >= 0")
    if grounds_are_resistances:
        with np.errstate(divide="ignore"):
            gcond = np.where(present, 1.0 / np.where(present, gflat, 1.0), 0.0)  # R = 0 -> inf
    else:
        gcond = np.where(present, gflat, 0.0)
    guse = (gcond > 0) & (graph.node_of_cell >= 0)
    if use_direct_grounds:
        gcond = np.where(guse, np.inf, 0.0)
    gnode = np.zeros(n)
    np.add.at(gnode, graph.node_of_cell[guse], gcond[guse])

    conflict = (src != 0) & (gnode != 0)
    if conflict.any():
        if policy in ("rmvsrc", "rmvall"):
            src[conflict] = 0.0
        if policy in ("rmvgnd", "rmvall"):
            gnode[conflict] = 0.0
    direct = np.isinf(gnode)
    direct[direct & (src > 0)] = False  # a direct ground on a positive source is dropped
    gnode[np.isinf(gnode) & ~direct] = 0.0
    finite = np.where(direct, 0.0, gnode)
    volts, solved, method = solve_sources_grounds(graph, src, finite, direct, solver=solver)
    in_solved = np.isin(graph.component, solved)
    finite_solved = np.where(in_solved, finite, 0.0)
    cur = node_currents(graph, volts, ground_conductance=finite_solved)
    cur[~in_solved] = 0.0
    info = dict(solver=method, nodes=n, components=graph.n_components, solved=int(solved.size))
    return AdvancedResult(voltage=graph.paint(volts), current=graph.paint(cur), node_voltages=volts,
                          graph=graph, solved_components=solved, info=info)
