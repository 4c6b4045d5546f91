"""Stage 5: circuit metrics per link - effective resistance and current density in the corridor.

As Linkage Mapper's Pinchpoint Mapper does, each link gets its own pairwise circuit: the two
reserves are focal regions (each shorted to one node), the habitat is the resistance surface
restricted to the link's corridor (cells with NLCC <= corridor width) plus the two reserves, and
1 A flows from one reserve to the other. The effective resistance between them is ``Eff_Resist``;
the current through each cell shows where the corridor pinches.

Each link is one independent task (:func:`solve_link`), cropped to the corridor's bounding box, so
the tasks fan out to the executor (serial or dask) and transfer only small arrays. On a dask
cluster whose run staged the resistance in its scratch folder (the per-core searches' GeoTIFF,
:attr:`~corridors.leastcost.LinkageNetwork.staged`), a task is a :class:`LinkWindow` instead: the
window's bounds, the file's path and three bit-packed masks (3 bits a window cell instead of the
10 bytes of a float64 window and two bool masks); the worker reads its window from the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import SolverError

__all__ = ["LinkCircuit", "LinkWindow", "LinkResult", "CircuitSet", "solve_circuits", "link_tasks", "solve_link"]


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


@dataclass(frozen=True)
class LinkWindow:
    """One link's circuit input as a worker on a cluster receives it: where to read it.

    link_id : int; rows, cols : window slices in the full grid; res_path : resistance raster
    (any path or URL GDAL reads, e.g. the run's staged GeoTIFF in its scratch folder) whose
    barriers are NaN (as :class:`~corridors.leastcost.windows.RasterWindows` writes it); keep, core_a,
    core_b : the circuit's cells and the two reserves, ``numpy.packbits`` of the flat window mask.

    :meth:`load` gives the :class:`LinkCircuit` that :func:`link_tasks` cuts from the arrays in
    memory, value for value (the file holds the same float32/float64 values; the cast to float64
    is exact).
    """

    link_id: int
    rows: slice
    cols: slice
    res_path: str
    keep: np.ndarray
    core_a: np.ndarray
    core_b: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return (self.rows.stop - self.rows.start, self.cols.stop - self.cols.start)

    @classmethod
    def of(cls, window, res_path: str) -> "LinkWindow":
        """The task of one corridor window (:class:`~.corridors.CorridorWindow`)."""
        keep = window.corridor | window.core_a | window.core_b
        return cls(window.link_id, window.rows, window.cols, str(res_path), *(
            np.packbits(m.reshape(-1)) for m in (keep, window.core_a, window.core_b)))

    def _mask(self, bits) -> np.ndarray:
        n = self.shape[0] * self.shape[1]
        return np.unpackbits(bits, count=n).view(bool).reshape(self.shape)

    def load(self) -> LinkCircuit:
        """Read the window from :attr:`res_path` and rebuild the :class:`LinkCircuit`."""
        import rasters

        win = rasters.read_window(self.res_path, (self.rows.start, self.rows.stop),
                                  (self.cols.start, self.cols.stop)).astype(np.float64)
        if win.shape != self.shape:
            raise SolverError(f"link {self.link_id}: {self.res_path} gave a {win.shape} window, expected {self.shape}")
        win[~self._mask(self.keep)] = np.nan
        return LinkCircuit(self.link_id, self.rows, self.cols, win, self._mask(self.core_a), self._mask(self.core_b))


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


def solve_circuits(resistance, corridors, graph, executor, staged=None) -> CircuitSet:
    """Solve every link's corridor circuit (one task per link on ``executor``).

    ``corridors`` is a :class:`~.corridors.CorridorSet`; ``graph`` the
    :class:`~corridors.graph_options.GraphOptions` (neighbours, solver); ``staged`` the
    :class:`~corridors.leastcost.windows.RasterWindows` holding ``resistance`` (barriers NaN) on a path
    the workers read: on a dask executor the tasks are then :class:`LinkWindow` (no array of
    resistance travels), otherwise it is not used. The results do not depend on it.
    """
    if staged is not None and getattr(executor, "is_distributed", False):
        if tuple(staged.shape) != tuple(resistance.shape):
            raise SolverError(f"staged resistance {staged.res_path} is {staged.shape}, the grid {resistance.shape}")
        tasks = [LinkWindow.of(w, staged.res_path) for w in corridors.windows]
    else:
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


def solve_link(task, *, neighbours: int = 8, solver: str = "auto") -> LinkResult:
    """Solve one link's pairwise circuit (module-level so dask can pickle it).

    ``task``: a :class:`LinkCircuit`, or a :class:`LinkWindow` read here (on the worker).
    Edge conductances follow Circuitscape's defaults for resistance habitat (average conductance,
    diagonals divided by sqrt 2) via :func:`corridors.circuit.pairwise`.
    """
    from threadpoolctl import threadpool_limits

    from ...circuit.pairwise import pairwise
    from ...circuit.solvers import load_backends

    if isinstance(task, LinkWindow):
        task = task.load()
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
