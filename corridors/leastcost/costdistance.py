"""Multi-source accumulated cost distance (the wrapper around the Numba kernels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rasters.errors import InputError

from .._kernels.cost import OFFSETS8, cost_distance_buckets, cost_distance_heap
from ._inputs import Surface, check_max_cost, source_cells, surface

__all__ = ["cost_distance", "CostDistanceResult", "BACKLINK_OFFSETS"]

#: (drow, dcol) to the predecessor for each back-link code 0..7 (-1 = source or unreached).
BACKLINK_OFFSETS = tuple(tuple(int(v) for v in o) for o in OFFSETS8)


@dataclass(frozen=True)
class CostDistanceResult:
    """Outputs of :func:`cost_distance` when optional outputs were requested.

    Attributes
    ----------
    cost : ndarray or Grid
        Accumulated cost (cost units = resistance x map units); inf where unreachable.
    allocation : ndarray or Grid or None
        int32 label of the source that reaches each cell at least cost; 0 where unreachable.
    backlink : ndarray or Grid or None
        int8 direction to the predecessor on the least-cost path, an index into
        :data:`BACKLINK_OFFSETS`; -1 at sources and unreachable cells.
    """

    cost: Any
    allocation: Any = None
    backlink: Any = None


def run_kernel(surf: Surface, idx, labels, *, max_cost=np.inf, target=-1, want_alloc=False):
    """Run the fastest exact kernel; returns flat (dist float64, back int8, alloc int32 or None)."""
    n = surf.size
    dist = np.empty(n, np.float64)
    back = np.empty(n, np.int8)
    alloc = np.empty(n if want_alloc else 0, np.int32)
    nrows, ncols = surf.shape
    kind, width, nb = surf.queue()
    if kind == "buckets":
        cost_distance_buckets(surf.flat, nrows, ncols, idx, labels, surf.codes, surf.length,
                              float(max_cost), int(target), width, nb, dist, back, alloc)
    else:
        cost_distance_heap(surf.flat, nrows, ncols, idx, labels, surf.codes, surf.length,
                           float(max_cost), int(target), dist, back, alloc)
    return dist, back, (alloc if want_alloc else None)


def cost_distance(resistance, sources, *, cellsize=None, neighbours=8, max_cost=None,
                  return_allocation=False, return_backlink=False, dtype=np.float64):
    """Accumulated least cost from the nearest source to every cell.

    A step between neighbouring cells costs the mean of their two resistances times the step
    length (cell size, or cell size x sqrt(2) on diagonals) -- the rule of scikit-image's
    ``MCP_Geometric`` and ArcGIS *Cost Distance*. Source cells cost 0.

    Parameters
    ----------
    resistance : ndarray or rasters.Grid
        2-D resistance per cell, > 0 (per map unit travelled). NaN, +inf and the Grid's nodata
        are barriers. Values <= 0 raise :class:`~rasters.errors.ResistanceValueError`.
    sources : ndarray or rasters.Grid
        Boolean mask (each True cell is a source, numbered 1..k in row-major order for the
        allocation) or integer label array (0 = not a source; labels are reported in the
        allocation). Source cells on barriers are skipped.
    cellsize : float, optional
        Cell side in map units; default 1 for arrays, the grid's cell size for a Grid.
    neighbours : {8, 4}
        Moves allowed: the 8 or 4 nearest neighbours.
    max_cost : float, optional
        Stop the search at this accumulated cost; cells beyond it are reported as unreachable
        (inf). Cells within it are exact.
    return_allocation, return_backlink : bool
        Also return the allocation (int32) and back-link (int8) rasters.
    dtype : {numpy.float64, numpy.float32}
        Output dtype of the cost raster (accumulation is always float64).

    Returns
    -------
    ndarray or Grid or CostDistanceResult
        The cost raster (a Grid with the input's georeference when ``resistance`` is a Grid);
        a :class:`CostDistanceResult` when an optional output is requested.

    Notes
    -----
    Exact Dijkstra. While the largest step costs at most about 2**18 times the cheapest (a
    resistance ratio up to about 1.8e5 with 8 neighbours) a bucket queue with O(1) operations is
    used (see :mod:`corridors._kernels.cost`), otherwise a binary heap; both give the same
    numbers. Single-threaded; :func:`corridors.linkage_network` runs one search per core on
    threads. Among equal-cost predecessors the one with the lowest flat index wins, so back-links
    and allocation are deterministic. Memory: about 17 bytes per cell besides the input
    (float64 cost, two int32 queue links, int8 back-link), +4 with allocation.
    """
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise InputError(f"dtype must be float32 or float64, got {dtype!r}")
    surf = surface(resistance, cellsize=cellsize, neighbours=neighbours)
    idx, labels, _ = source_cells(sources, surf)
    mc = check_max_cost(max_cost)
    dist, back, alloc = run_kernel(surf, idx, labels, max_cost=mc, want_alloc=return_allocation)
    if np.dtype(dtype) == np.float32:
        dist = dist.astype(np.float32)
    cost = surf.wrap(dist, name=f"cost distance ({surf.name})")
    if not (return_allocation or return_backlink):
        return cost
    return CostDistanceResult(
        cost,
        surf.wrap(alloc, nodata=0, name=f"allocation ({surf.name})") if return_allocation else None,
        surf.wrap(back, nodata=-1, name=f"backlink ({surf.name})") if return_backlink else None,
    )
