"""Stage 5: circuit metrics per link - effective resistance and current density in the corridor.

As Linkage Mapper's Pinchpoint Mapper does, each link gets its own pairwise circuit: the two
reserves are focal regions (each shorted to one node), the habitat is the resistance surface
restricted to the link's corridor (cells with NLCC <= corridor width) plus the two reserves, and
1 A flows from one reserve to the other. The effective resistance between them is ``Eff_Resist``;
the current through each cell shows where the corridor pinches.

Each link is one independent task (:func:`solve_link`), cropped to the corridor's bounding box, so
the tasks fan out to the executor (serial or dask) and transfer only small arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import SolverError

__all__ = ["LinkCircuit", "LinkResult", "CircuitSet", "solve_circuits", "link_tasks", "solve_link"]


@dataclass
class LinkCircuit:
    """One link's circuit input: window of resistance (NaN outside the circuit) and the two ends.

    link_id : int; rows, cols : window slices in the full grid; resistance : float64 (rows, cols)
    with NaN where the cell is not part of the corridor circuit; core_a, core_b : bool masks.
    """

    link_id: int
    rows: slice
    cols: slice
    resistance: np.ndarray
    core_a: np.ndarray
    core_b: np.ndarray


@dataclass
class LinkResult:
    """Circuit output of one link.

    link_id : int; eff_resist : effective resistance between the two reserves (resistance units,
    as Circuitscape reports it); current : float32 window of current per cell (A, 1 A injected),
    NaN outside the circuit; solver : the solver the circuit core chose.
    """

    link_id: int
    eff_resist: float
    current: np.ndarray
    solver: str = ""


@dataclass
class CircuitSet:
    """Result of :func:`solve_circuits`: one :class:`LinkResult` per corridor window, in order."""

    results: list[LinkResult]

    @property
    def eff_resist(self) -> dict[int, float]:
        """``{Link_ID: effective resistance}``."""
        return {r.link_id: r.eff_resist for r in self.results}

    @property
    def solvers(self) -> list[str]:
        """The solvers the circuit core chose, sorted, once each."""
        return sorted({r.solver for r in self.results if r.solver})


def solve_circuits(resistance, corridors, graph, executor) -> CircuitSet:
    """Solve every link's corridor circuit (one task per link on ``executor``).

    ``corridors`` is a :class:`~.corridors.CorridorSet`; ``graph`` the
    :class:`~corridors.graph_options.GraphOptions` (neighbours, solver).
    """
    tasks = link_tasks(resistance, corridors.windows)
    results = executor.map(solve_link, tasks, shared={"neighbours": graph.neighbours, "solver": graph.solver},
                           desc="circuits (per link)")
    return CircuitSet(results)


def link_tasks(resistance, windows) -> list[LinkCircuit]:
    """Cut one :class:`LinkCircuit` per corridor window from the full resistance grid (float64
    per window; nodata cells NaN)."""
    tasks = []
    for w in windows:
        win = window_float64(resistance, w.rows, w.cols)
        keep = w.corridor | w.core_a | w.core_b
        win[~keep] = np.nan
        tasks.append(LinkCircuit(w.link_id, w.rows, w.cols, win, w.core_a, w.core_b))
    return tasks


def window_float64(grid, rows: slice, cols: slice) -> np.ndarray:
    """A window of a Grid as a fresh float64 array with its nodata cells NaN: the window of
    ``grid.masked_float(np.float64)``, without converting the whole grid."""
    win = grid.values[rows, cols]
    out = win.astype(np.float64)
    nd = grid.nodata
    if nd is not None and not (isinstance(nd, float) and np.isnan(nd)):
        out[win == nd] = np.nan
    return out


def solve_link(task: LinkCircuit, *, neighbours: int = 8, solver: str = "auto") -> LinkResult:
    """Solve one link's pairwise circuit (module-level so dask can pickle it).

    Edge conductances follow Circuitscape's defaults for resistance habitat (average conductance,
    diagonals divided by sqrt 2) via :func:`corridors.circuit.pairwise`.
    """
    from threadpoolctl import threadpool_limits

    from ...circuit.pairwise import pairwise
    from ...circuit.solvers import load_backends

    load_backends()  # so that threadpool_limits below sees the solver's BLAS
    focal = {1: np.flatnonzero(task.core_a.ravel()), 2: np.flatnonzero(task.core_b.ravel())}
    # Multithreaded BLAS (and OpenMP) inside the sparse factorisation sums in an order that depends on the
    # thread count, which moved Eff_Resist in the last digits between a serial run and dask
    # workers. Corridor circuits are small, so one BLAS thread costs nothing and makes
    # ranking.csv byte-identical whatever the machine's or the worker's thread count.
    with threadpool_limits(limits=1):
        result = pairwise(task.resistance, focal, neighbours=neighbours, solver=solver, current_maps=True)
    eff = result.resistance(1, 2)
    cur = result.current_maps.get((1, 2))
    if eff <= 0 or cur is None:
        raise SolverError(
            f"link {task.link_id}: its two reserves are not connected inside the corridor circuit "
            f"(effective resistance {eff}); widen parameters.corridor_width"
        )
    cur = np.where(np.isfinite(task.resistance), np.asarray(cur, dtype=np.float32), np.nan).astype(np.float32)
    return LinkResult(task.link_id, float(eff), cur, str(result.info["solver"]))
