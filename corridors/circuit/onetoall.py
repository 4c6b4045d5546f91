"""One-to-all and all-to-one modes (Circuitscape raster semantics).

All focal regions are shorted at once (and merged with polygons they touch). For each focal id n:

* one-to-all: ``strength(n)`` amperes enter at n; every other focal node (with included pairs: only
  n's partners) is tied directly to ground. Value = V_n / strength, or -1 if n is on no habitat,
  has no ground in its component, or V_n is 0.
* all-to-one: n is tied directly to ground; every other retained focal node injects 1 A (its
  variable strength if it is one of n's partners). Value 0 if solved, -1 if n is on no habitat, has
  no included partner, or its component has no source.

Only n's component is solved. One reduction onto the focal nodes serves every id (k - 1 solves).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..graph_options import GraphOptions
from .currents import node_currents
from .focal import as_focal_set
from ._maps import MapSink
from .graph import PreparedHabitat
from .pairwise import _normalise_pairs
from .reduced import ReducedNetwork

__all__ = ["one_to_all", "all_to_one", "OneToAllResult"]

log = logging.getLogger("corridors.circuit")


@dataclass
class OneToAllResult:
    """Result of :func:`one_to_all` / :func:`all_to_one`.

    Attributes
    ----------
    values : ndarray (k, 2)
        Rows ``(id, value)``: one-to-all V_n/strength (ohm) or -1; all-to-one 0 solved, -1 not.
    voltage_maps, current_maps : dict {id: 2-D ndarray}
    cumulative_current, max_current : 2-D ndarray or None
    info : dict
    """

    mode: str
    values: np.ndarray
    voltage_maps: dict = field(default_factory=dict)
    current_maps: dict = field(default_factory=dict)
    cumulative_current: np.ndarray | None = None
    max_current: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @property
    def ids(self) -> list:
        return [int(i) for i in self.values[:, 0]]


def one_to_all(habitat, focal, **kwargs) -> OneToAllResult:
    """Inject current at each focal node in turn with all the others grounded.

    Parameters are those of :func:`_one_all` (``mode`` aside).
    """
    return _one_all("one_to_all", habitat, focal, **kwargs)


def all_to_one(habitat, focal, **kwargs) -> OneToAllResult:
    """Ground each focal node in turn with all the others injecting current.

    Parameters are those of :func:`_one_all` (``mode`` aside).
    """
    return _one_all("all_to_one", habitat, focal, **kwargs)


def _one_all(
    mode,
    habitat,
    focal,
    *,
    habitat_is_resistance: bool = True,
    neighbours: int = 8,
    average: str = "conductance",
    polygons=None,
    mask=None,
    include_pairs=None,
    included_ids=None,
    variable_sources=None,
    solver: str = "auto",
    voltage_maps: bool = False,
    current_maps: bool = False,
    cumulative_current: bool = False,
    max_current: bool = False,
    map_callback=None,
) -> OneToAllResult:
    """Shared driver.

    Parameters
    ----------
    habitat, focal, habitat_is_resistance, neighbours, average, polygons, mask, solver
        As in :func:`pairwise`.
    include_pairs : iterable of (a, b) or None
        Partner pairs (unordered).
    included_ids : iterable of int or None
        Ids retained by the included-pairs input (default: every id in ``include_pairs``); other
        ids are dropped entirely. Ignored without ``include_pairs``.
    variable_sources : mapping {id: amperes} or None
        Source strength per id (default 1 A).
    voltage_maps, current_maps, cumulative_current, max_current : bool
    map_callback : callable or None
        ``f(id, voltage, current)`` per solved id instead of storing maps.
    """
    t0 = time.perf_counter()
    options = GraphOptions(neighbours=neighbours, average=average, solver=solver)
    hab = PreparedHabitat.prepare(habitat, habitat_is_resistance=habitat_is_resistance, polygons=polygons,
                                  mask=mask, options=options)
    fs = as_focal_set(focal, hab.shape)
    ids = fs.ids
    pairs = _normalise_pairs(include_pairs, ids)
    if pairs is not None:
        keep = set(included_ids) if included_ids is not None else {x for p in pairs for x in p}
        keep = {int(x) for x in keep}
        ids = [i for i in ids if i in keep]
    strengths = _source_strengths(variable_sources)
    graph = hab.graph([fs[i] for i in ids])
    node = np.array([graph.node_of_cell[fs[i]].max() for i in ids], dtype=np.int64)
    k = len(ids)
    values = np.zeros((k, 2))
    values[:, 0] = ids
    values[:, 1] = -1.0
    maps = MapSink(hab.shape, voltage_maps, current_maps, cumulative_current, max_current, map_callback)
    out = OneToAllResult(mode=mode, values=values, voltage_maps=maps.voltage, current_maps=maps.current,
                         cumulative_current=maps.cumulative, max_current=maps.maximum)
    ports = np.unique(node[node >= 0])
    rn = ReducedNetwork(graph, ports, solver=options.solver, keep_solutions=maps.wanted) if ports.size else None
    for t, n in enumerate(ids):
        if node[t] < 0:
            continue
        if pairs is not None:
            partner = np.array([(min(n, m), max(n, m)) in pairs for m in ids])
        else:
            partner = np.ones(k, dtype=bool)
        partner[t] = False
        comp = graph.component[node[t]]
        same_comp = (node >= 0) & (graph.component[np.maximum(node, 0)] == comp)
        if mode == "one_to_all":
            solved = _one_to_all_solve(rn, node, t, partner & same_comp, strengths.get(n, 1.0))
        elif pairs is not None and not partner.any():
            solved = None
        else:
            solved = _all_to_one_solve(rn, node, t, same_comp, partner, [strengths.get(m, 1.0) for m in ids])
        if solved is None:
            continue
        values[t, 1], (idx, v, j) = solved
        if maps.wanted:
            volts = rn.voltages(idx, v, j)
            curr = graph.paint(node_currents(graph, volts)) if maps.want_current else None
            maps.emit(n, graph.paint(volts), curr)
    out.info = dict(solver=rn.solver.method if rn is not None and rn.solver else None,
                    solves=rn.solves if rn is not None else 0, nodes=graph.n_nodes,
                    seconds=time.perf_counter() - t0)
    log.info("%s: %d ids, %d solves, %.2f s", mode, k, out.info["solves"], out.info["seconds"])
    return out


def _source_strengths(variable_sources) -> dict[int, float]:
    """Source amperes per id, checked finite."""
    strengths = {}
    for key, val in (variable_sources or {}).items():
        val = float(val)
        if not np.isfinite(val):
            raise InputError(f"variable source strength for id {key} is {val!r}; give a finite number")
        strengths[int(key)] = val
    return strengths


def _one_to_all_solve(rn, node, t, grounded, strength):
    """``strength`` amperes into id t's node, the ``grounded`` ids' nodes at 0 V.

    Returns (V_n / strength, (indices, voltages, injections)), or None when nothing is solved.
    """
    me = rn.port_index([node[t]])
    gnodes = np.unique(node[grounded])
    gnodes = gnodes[gnodes != node[t]]  # rmvgnd: a ground on the source node is dropped
    if gnodes.size == 0 or strength == 0:
        return None
    idx, v, j = rn.solve(rn.port_index(gnodes), np.zeros(gnodes.size), me, [strength])
    vn = v[np.searchsorted(idx, me[0])]
    if np.isclose(vn, 0.0, atol=1e-12 * max(abs(strength), 1.0)):
        return None
    return vn / strength, (idx, v, j)


def _all_to_one_solve(rn, node, t, same_comp, partner, strength):
    """Id t's node at 0 V, every other id of its component injecting (partners: their ``strength``, others 1 A).

    Returns (0.0, (indices, voltages, injections)), or None when nothing is solved.
    """
    k = node.size
    others = np.flatnonzero(same_comp & (np.arange(k) != t) & (node != node[t]))
    amps = np.array([strength[o] if partner[o] else 1.0 for o in others])
    if others.size == 0 or amps.sum() == 0:
        return None
    idx, v, j = rn.solve(rn.port_index([node[t]]), [0.0], rn.port_index(node[others]), amps)
    return 0.0, (idx, v, j)
