"""Circuit graphs on rasters, built the way Circuitscape builds them.

A cell with conductance > 0 is a node; all cells of a short-circuit polygon (id > 0) form one node,
including its nodata cells as long as the polygon has at least one habitat cell; extra groups
(focal regions shorted for a pair) merge the same way. Edge conductance between neighbouring nodes
is the mean conductance ``(g1 + g2) / 2`` or ``1 / mean resistance = 2 / (r1 + r2)``; diagonal
edges (8 neighbours) divide that by sqrt(2). Parallel edges between merged nodes are summed and
edges inside a merged node are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numba as nb
import numpy as np
import scipy.sparse as sp

from rasters.grid import Grid

from .._kernels import graph as kgraph
from ..errors import InputError
from ..graph_options import GraphOptions

__all__ = ["CircuitGraph", "build_graph", "conductance_from_habitat"]


@dataclass(frozen=True, eq=False)
class CircuitGraph:
    """A resistor network over the cells of a grid.

    Attributes
    ----------
    node_of_cell : ndarray of int32, shape (rows * cols,)
        Node of each flat (row-major) cell, -1 where the cell is not part of the network.
    n_nodes : int
    laplacian : scipy.sparse.csr_matrix
        Graph Laplacian, float64, siemens; no self loops, parallel edges summed. The edge lists
        are not stored (0.5 GB at 6 M cells): :meth:`edges` reads them off this matrix.
    component : ndarray of int32
        Connected component of each node (numbered by first node).
    n_components : int
    shape : tuple of int
        Grid shape (rows, cols).
    cell_conductance : ndarray of float64, shape (rows * cols,)
        Conductance used per cell (0 = no habitat); kept to rebuild variants of the graph.
    neighbours, average : int, str
        Connection scheme used.
    """

    node_of_cell: np.ndarray
    n_nodes: int
    laplacian: sp.csr_matrix
    component: np.ndarray
    n_components: int
    shape: tuple
    cell_conductance: np.ndarray = field(repr=False)
    neighbours: int = 8
    average: str = "conductance"
    polygon_groups: tuple = field(default=(), repr=False)

    def edges(self) -> tuple:
        """Each edge once: ``(node_i, node_j, conductance)``, computed now from the Laplacian.

        Returns
        -------
        node_i, node_j : ndarray of int64
            ``node_i < node_j``, sorted by ``node_i`` then ``node_j``.
        conductance : ndarray of float64
            Edge conductances (siemens), ``-laplacian[node_i, node_j]``.

        Notes
        -----
        Not cached: 24 bytes per edge (0.5 GB at 6 M cells, 8 neighbours) live only as long as
        the caller keeps them.
        """
        lap = self.laplacian
        return kgraph.upper_edges(lap.indptr, lap.indices, lap.data)

    @property
    def node_i(self) -> np.ndarray:
        """First node of each edge (see :meth:`edges`; recomputed on every access)."""
        return self.edges()[0]

    @property
    def node_j(self) -> np.ndarray:
        """Second node of each edge (see :meth:`edges`; recomputed on every access)."""
        return self.edges()[1]

    @property
    def conductance(self) -> np.ndarray:
        """Edge conductances, siemens (see :meth:`edges`; recomputed on every access)."""
        return self.edges()[2]

    def grid_positions(self, nodes) -> tuple:
        """(rows, cols) of a cell of each node in ``nodes`` (a merged node: its last cell).

        For :func:`~corridors.circuit.solvers.make_solver`'s ``grid`` (the grid multigrid).
        """
        cell = np.zeros(self.n_nodes, dtype=np.int64)
        has = self.node_of_cell >= 0
        cell[self.node_of_cell[has]] = np.flatnonzero(has)
        return np.divmod(cell[np.asarray(nodes, dtype=np.int64)], self.shape[1])

    def paint(self, node_values, fill=0.0, dtype=np.float64) -> np.ndarray:
        """Spread per-node values onto the grid (2-D); cells without a node get ``fill``."""
        vals = np.asarray(node_values)
        if dtype == np.float64 and vals.dtype == np.float64 and vals.ndim == 1:
            out = np.empty(self.node_of_cell.shape, dtype=np.float64)
            _paint(self.node_of_cell, vals, float(fill), out)  # one pass, no mask arrays
            return out.reshape(self.shape)
        out = np.full(self.node_of_cell.shape, fill, dtype=dtype)
        m = self.node_of_cell >= 0
        out[m] = vals[self.node_of_cell[m]]
        return out.reshape(self.shape)


@nb.njit(cache=True, nogil=True)
def _paint(node_of_cell, values, fill, out):
    for i in range(node_of_cell.size):
        k = node_of_cell[i]
        out[i] = values[k] if k >= 0 else fill


def _as_array(values, name):
    """Accept an ndarray or a Grid (nodata -> NaN)."""
    if isinstance(values, Grid):
        return values.masked_float()
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D array, got shape {arr.shape}")
    return arr


def conductance_from_habitat(habitat, habitat_is_resistance=True, mask=None) -> np.ndarray:
    """Cell conductances (siemens) from a habitat grid; 0 where there is no habitat.

    Parameters
    ----------
    habitat : 2-D array or Grid
        Resistance (ohm) or conductance (siemens) per cell; NaN = nodata.
    habitat_is_resistance : bool
    mask : 2-D bool array or None
        True keeps a cell.

    Raises
    ------
    InputError
        Resistance <= 0, negative conductance, or a mask of another shape.
    """
    h = np.asarray(_as_array(habitat, "habitat"), dtype=np.float64)
    finite = np.isfinite(h)
    if habitat_is_resistance:
        bad = ~np.isnan(h) & (h <= 0)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise InputError(
                f"habitat resistance must be > 0: {int(bad.sum())} cells are <= 0 (first at row {r}, "
                f"col {c}, value {h[r, c]!r}); mark barriers as nodata (NaN) or give a large resistance"
            )
        with np.errstate(divide="ignore"):
            g = np.where(finite, 1.0 / np.where(finite, h, 1.0), 0.0)  # +inf resistance -> 0
    else:
        bad = ~np.isnan(h) & (h < 0)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise InputError(
                f"habitat conductance must be >= 0: {int(bad.sum())} cells are negative (first at row "
                f"{r}, col {c}, value {h[r, c]!r}); use NaN for nodata"
            )
        if np.isposinf(h).any():
            raise InputError("habitat conductance contains +inf; use a polygon to short-circuit cells")
        g = np.where(finite, h, 0.0)
    if mask is not None:
        m = np.asarray(_as_array(mask, "mask"))
        if m.shape != h.shape:
            raise InputError(f"mask shape {m.shape} differs from habitat shape {h.shape}")
        if m.dtype != bool:
            m = np.isfinite(m.astype(np.float64)) & (m.astype(np.float64) > 0)
        g = np.where(m, g, 0.0)
    return g.ravel()


def _polygon_groups(polygons, shape):
    """Flat cell indices of each short-circuit polygon id (> 0), sorted by id."""
    if polygons is None:
        return []
    p = np.asarray(_as_array(polygons, "polygons"))
    if p.shape != tuple(shape):
        raise InputError(f"polygons shape {p.shape} differs from habitat shape {tuple(shape)}")
    pf = p.astype(np.float64).ravel()
    cells = np.flatnonzero(np.isfinite(pf) & (pf > 0))
    if cells.size == 0:
        return []
    ids = pf[cells]
    order = np.argsort(ids, kind="stable")
    cells, ids = cells[order], ids[order]
    cuts = np.flatnonzero(np.diff(ids)) + 1
    return [g for g in np.split(cells, cuts) if g.size > 1]


def _csr_groups(groups, ncells):
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    flat = []
    for i, g in enumerate(groups):
        g = np.asarray(g, dtype=np.int64).ravel()
        if g.size and (g.min() < 0 or g.max() >= ncells):
            raise InputError(f"merge group {i} has a cell index outside 0..{ncells - 1}")
        flat.append(g)
        ptr[i + 1] = ptr[i] + g.size
    cells = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64)
    return ptr, cells


def assemble(cond, shape, neighbours, average, groups, polygon_groups=()) -> CircuitGraph:
    """Build a :class:`CircuitGraph` from cell conductances and merge groups (no validation)."""
    nrows, ncols = shape
    ptr, cells = _csr_groups(groups, cond.size)
    node_of_cell = kgraph.label_nodes(cond > 0, ptr, cells)
    n = int(node_of_cell.max()) + 1 if node_of_cell.size else 0
    eight, avg_res = neighbours == 8, average == "resistance"
    if np.all(np.diff(ptr) <= 1):  # every node one cell: the stencil gives the rows directly
        indptr, indices, data = kgraph.grid_laplacian_csr(cond, node_of_cell, nrows, ncols, eight,
                                                          avg_res)
    else:  # merged nodes: list the edges, then sum the parallel ones
        ei, ej, w = kgraph.grid_edges(cond, node_of_cell, nrows, ncols, eight, avg_res)
        indptr, indices, data = kgraph.laplacian_csr(n, ei, ej, w)
        del ei, ej, w  # the Laplacian holds the edges now
    lap = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    lap.has_sorted_indices = True
    ncomp, comp = kgraph.symmetric_components(lap.indptr, lap.indices)
    return CircuitGraph(
        node_of_cell=node_of_cell,
        n_nodes=n,
        laplacian=lap,
        component=comp,
        n_components=int(ncomp),
        shape=(int(nrows), int(ncols)),
        cell_conductance=cond,
        neighbours=neighbours,
        average=average,
        polygon_groups=tuple(polygon_groups),
    )


def build_graph(
    habitat,
    *,
    habitat_is_resistance: bool = True,
    neighbours: int = 8,
    average: str = "conductance",
    mask=None,
    polygons=None,
    merge_groups: Sequence = (),
) -> CircuitGraph:
    """Build the resistor network of a habitat grid (Circuitscape's raster graph).

    Parameters
    ----------
    habitat : 2-D array or Grid
        Resistance (ohm) or conductance (siemens) per cell; NaN (or the Grid's nodata) = no habitat.
    habitat_is_resistance : bool
        True if ``habitat`` holds resistances.
    neighbours : {4, 8}
        Connect 4 or 8 neighbours (diagonal edges divided by sqrt(2)).
    average : {"conductance", "resistance"}
        Edge conductance = mean conductance, or 1 / mean resistance.
    mask : 2-D array or None
        Bool (True keeps a cell) or numeric (> 0 keeps a cell; NaN/<= 0 removes it).
    polygons : 2-D int array or None
        Short-circuit regions: cells sharing an id > 0 become one node.
    merge_groups : sequence of int arrays
        Extra groups of flat cell indices merged into single nodes (e.g. focal regions).

    Returns
    -------
    CircuitGraph

    Notes
    -----
    Memory: about 130 bytes per cell for 8 neighbours (the Laplacian's 9 entries of 12 bytes a row,
    the cell conductances, node and component numbers; no edge lists, see
    :meth:`CircuitGraph.edges`); assembly is O(cells) in Numba.
    """
    options = GraphOptions(neighbours=neighbours, average=average)
    habitat = PreparedHabitat.prepare(habitat, habitat_is_resistance=habitat_is_resistance, polygons=polygons,
                                      mask=mask, options=options)
    return habitat.graph(merge_groups)


@dataclass(frozen=True, eq=False)
class PreparedHabitat:
    """A habitat grid checked once and ready to become circuit graphs (the circuit modes' input).

    Every graph of one analysis (the base graph, a pair's own graph with its ends shorted) is
    built from these values.

    Attributes
    ----------
    conductance : ndarray of float64, shape (rows * cols,)
        Cell conductances (siemens), 0 where there is no habitat (:func:`conductance_from_habitat`).
    shape : tuple of int
        Grid shape (rows, cols).
    polygon_groups : list of int64 arrays
        Flat cells of each short-circuit polygon (always merged).
    options : GraphOptions
        Validated neighbours, average and solver.
    """

    conductance: np.ndarray
    shape: tuple
    polygon_groups: list
    options: GraphOptions

    @classmethod
    def prepare(cls, habitat, *, habitat_is_resistance: bool, polygons, mask,
                options: GraphOptions) -> "PreparedHabitat":
        """Check ``habitat``, ``polygons`` and ``mask`` (see :func:`build_graph`) and convert them."""
        hab = _as_array(habitat, "habitat")
        shape = np.shape(hab)
        cond = conductance_from_habitat(hab, habitat_is_resistance, mask)
        return cls(cond, shape, _polygon_groups(polygons, shape), options)

    def graph(self, merge_groups: Sequence = ()) -> CircuitGraph:
        """The circuit graph with the polygons and ``merge_groups`` (flat cell arrays) merged."""
        polys = self.polygon_groups
        return assemble(self.conductance, self.shape, self.options.neighbours, self.options.average,
                        list(polys) + list(merge_groups), polys)

    def polygon_cells(self) -> np.ndarray:
        """Flat bool mask of the cells inside a short-circuit polygon."""
        inside = np.zeros(self.conductance.size, dtype=bool)
        for grp in self.polygon_groups:
            inside[grp] = True
        return inside
