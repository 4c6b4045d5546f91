"""The linkage network: which cores to link, their least-cost paths, Linkage Mapper's link table."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rasters.errors import InputError
from rasters.grid import Grid

from .._kernels.cost import label_minima
from .._kernels.labels import label_counts, labels_present, relabel, touching_pairs
from .._kernels.paths import path_cost_length, trace_backlink
from .._kernels.voronoi import euclidean_zones
from ..parallel import Executor
from ._inputs import Surface, check_max_cost, label_array, surface
from .corridor import least_cost_corridor
from .costdistance import run_kernel
from .paths import path_line
from .windows import ArrayWindows, RasterWindows, reach_cells, search_window, to_grid, to_window

__all__ = ["linkage_network", "LinkageNetwork", "CoreSearch", "SpilledSearch", "core_search", "ADJACENCY", "DROP_THROUGH_CORES",
           "euclidean_neighbours"]

#: Ways to find neighbouring cores when ``pairs`` is not given.
ADJACENCY = ("cost", "euclidean", "both")
#: default of ``drop_through_cores`` (Linkage Mapper drops corridors that cross a third core)
DROP_THROUGH_CORES = True

LINK_COLUMNS = ["Link_ID", "From_Core", "To_Core", "Euc_Dist", "CW_Dist", "LCP_Length",
                "cwd2Euc_R", "cwd2Path_R", "Thru_Core"]


def label_dtype(nlabels: int) -> np.dtype:
    """The smallest signed integer type that holds labels 0..``nlabels`` (int16 up to 32,767)."""
    return np.dtype(np.int16) if nlabels <= np.iinfo(np.int16).max else np.dtype(np.int32)


def _core_labels(cores, surf: Surface):
    """Dense labels 1..K on the surface's grid (flat, :func:`label_dtype`) and the original core
    ids (sorted)."""
    arr = label_array(cores, surf, what="cores", allow_mask=False, none="no core").reshape(-1)
    top = int(arr.max()) if arr.size else 0
    if top <= max(arr.size, 1 << 20):  # ids small enough to count directly (no sort of the grid)
        ids = np.flatnonzero(labels_present(arr, top))
        ids = ids[ids > 0]
        if ids.size == top and arr.dtype == label_dtype(top):  # already 1..K: no copy of the grid
            dense = arr
        else:
            lut = np.zeros(top + 1, label_dtype(ids.size))
            lut[ids] = np.arange(1, ids.size + 1)
            dense = relabel(arr, lut, np.empty(arr.size, lut.dtype))
    else:
        ids, dense = np.unique(arr, return_inverse=True)
        if ids[0] == 0:
            ids = ids[1:]
        else:
            dense = dense + 1
        dense = dense.astype(label_dtype(ids.size))
    if ids.size < 2:
        raise InputError(f"a linkage network needs at least 2 cores, found {ids.size}")
    _, passable = label_counts(dense, surf.flat, ids.size)
    if np.any(passable[1:] == 0):
        bad = ids[passable[1:] == 0].tolist()
        raise InputError(f"core(s) {bad} lie entirely on barriers (NaN, inf or nodata resistance)")
    return dense, [int(i) for i in ids]


def _adjacent_pairs(label2d, neighbours):
    """Set of (a, b), a < b, of distinct nonzero labels in neighbouring cells (one pass, no
    grid-sized temporaries)."""
    keys = np.unique(touching_pairs(np.ascontiguousarray(label2d), neighbours == 8))
    return {(int(p >> 32), int(p & 0xFFFFFFFF)) for p in keys}


def euclidean_neighbours(cores, neighbours: int = 8) -> set[tuple[int, int]]:
    """Pairs ``(a, b)``, ``a < b``, of core ids whose Euclidean allocation zones touch.

    Every cell goes to its nearest core (straight-line distance between cell centres); two cores
    are neighbours when cells of their zones are neighbours (4 or 8): Linkage Mapper's
    "Euclidean adjacency". ``cores``: 2-D int array or Grid, 0 = no core.
    """
    arr = np.asarray(getattr(cores, "values", cores))
    if arr.ndim != 2:
        raise InputError(f"cores must be a 2-D grid of core ids, got shape {arr.shape}")
    if not (arr > 0).any():
        return set()
    return _euclidean_adjacent_pairs(arr, neighbours)


def _euclidean_adjacent_pairs(label2d, neighbours):
    """Pairs (a, b), a < b, of labels whose Euclidean allocation zones touch: the zones of
    scipy's feature transform (``distance_transform_edt(return_indices=True)``, its tie-breaks),
    computed row by row (:mod:`corridors._kernels.voronoi`: 4 bytes per labelled cell instead of
    the transform's 8 bytes per cell plus the allocation grid)."""
    lab = np.ascontiguousarray(label2d)
    keys = np.unique(euclidean_zones(lab, neighbours == 8, np.zeros((0, 0), lab.dtype)))
    return {(int(p >> 32), int(p & 0xFFFFFFFF)) for p in keys}


def _edge_distances(dense2d, k, cellsize):
    """Minimum cell-centre distance between every pair of cores (map units), K+1 x K+1."""
    from scipy.spatial import cKDTree

    pad = np.pad(dense2d, 1, constant_values=0)
    inner = pad[1:-1, 1:-1]
    edge = ((inner != pad[:-2, 1:-1]) | (inner != pad[2:, 1:-1]) |
            (inner != pad[1:-1, :-2]) | (inner != pad[1:-1, 2:])) & (inner > 0)
    r, c = np.nonzero(edge)
    lab = inner[r, c]
    order = np.argsort(lab, kind="stable")
    r, c, lab = r[order], c[order], lab[order]
    bounds = np.searchsorted(lab, np.arange(k + 2))
    pts = [None] + [np.column_stack([r[bounds[i]:bounds[i + 1]], c[bounds[i]:bounds[i + 1]]])
                    * float(cellsize) for i in range(1, k + 1)]
    trees = [None] + [cKDTree(p) for p in pts[1:]]
    return pts, trees


class LinkageNetwork:
    """Result of :func:`linkage_network`.

    Attributes
    ----------
    links : pandas.DataFrame
        One row per kept link with Linkage Mapper's fields: ``Link_ID`` (1..L), ``From_Core``,
        ``To_Core`` (core ids, From < To), ``Euc_Dist`` (map units, minimum distance between the
        two cores' cell centres), ``CW_Dist`` (least-cost distance, cost units), ``LCP_Length``
        (map units along cell centres), ``cwd2Euc_R`` = CW_Dist / Euc_Dist, ``cwd2Path_R`` =
        CW_Dist / LCP_Length, ``Thru_Core`` (the path crosses a third core).
    dropped : pandas.DataFrame
        Candidate pairs not kept: ``From_Core``, ``To_Core``, ``CW_Dist``, ``reason``
        ("unreachable", "above max_cost_distance", "through core") and ``limit`` (the
        max_cost_distance exceeded, cost units; NaN for the other reasons).
    paths : dict[int, ndarray]
        Link_ID -> (n, 2) (row, col) cells from the From_Core to the To_Core.
    lines : dict[int, shapely.LineString]
        Link_ID -> path through cell centres in map coordinates (empty without a Grid).
    core_ids : list[int]
    search_cost : float
        Cost at which each core's search stopped (inf: unbounded).
    allocation : ndarray or Grid or None
        Cost allocation of all cores (core ids; 0 unreachable) when adjacency used it.
    staged : RasterWindows or None
        The resistance and core-label GeoTIFFs the dask workers read their windows from (in the
        scratch folder; they live as long as it does), or None when the arrays stayed in memory.
        Later per-link stages of a run on a cluster read their windows from the same files.
    """

    def __init__(self, surf, dense, core_ids, searches, links, dropped, paths, lines,
                 search_cost, allocation, staged=None):
        self._surf = surf
        self._dense = dense
        self.core_ids = core_ids
        self._index = {c: i + 1 for i, c in enumerate(core_ids)}
        self._searches = searches  # dense label -> CoreSearch (cropped to the reached cells)
        self.links = links
        self.dropped = dropped
        self.paths = paths
        self.lines = lines
        self.search_cost = search_cost
        self.allocation = allocation
        self.staged = staged

    def __repr__(self):
        return (f"LinkageNetwork({len(self.core_ids)} cores, {len(self.links)} links, "
                f"{len(self.dropped)} dropped)")

    def _search(self, k: int) -> CoreSearch:
        """The search of dense label ``k`` (read back if spilled; run now if it never ran)."""
        found = self._searches.get(k)
        if found is None:  # core outside every candidate pair: search it now
            cells = np.flatnonzero(self._dense == k).astype(np.int64)
            found = self._searches[k] = core_search(
                (k, cells), surf=self._surf, source=ArrayWindows(self._surf.flat.reshape(self._surf.shape),
                                                                 self._dense.reshape(self._surf.shape)),
                ncores=len(self.core_ids), bound=self.search_cost)
        return found.load() if isinstance(found, SpilledSearch) else found

    def _label(self, core_id) -> int:
        if core_id not in self._index:
            raise InputError(f"unknown core id {core_id!r}; known: {self.core_ids}")
        return self._index[core_id]

    def _map(self, core_id):
        return self._search(self._label(core_id)).cost_full()

    def cost_distance(self, core_id):
        """Cost distance (float32, cost units) from one core; inf beyond :attr:`search_cost`."""
        return self._surf.wrap(self._map(core_id), name=f"cost distance from core {core_id}")

    def _link_row(self, link_id):
        row = self.links.loc[self.links["Link_ID"] == link_id]
        if row.empty:
            known = self.links["Link_ID"].tolist()
            raise InputError(f"unknown Link_ID {link_id!r}; links are {known}")
        return row.iloc[0]

    def _check_width(self, link_id, row, width) -> None:
        need = float(row["CW_Dist"]) + (np.inf if width is None else float(width))
        if need > self.search_cost:
            raise InputError(
                f"link {link_id}: a corridor of width {width} needs cost distances up to {need:g} "
                f"but the searches stopped at {self.search_cost:g}; rerun linkage_network with "
                f"corridor_width >= {width}"
            )

    def corridor(self, link_id, width=None):
        """Normalised least-cost corridor of one link, truncated at ``width`` (cost units).

        A whole grid (see :meth:`corridor_window` for the part where it is finite).

        Raises
        ------
        InputError
            If the per-core searches stopped too early for this width (``CW_Dist + width`` above
            :attr:`search_cost`); pass ``corridor_width`` to :func:`linkage_network`.
        """
        row = self._link_row(link_id)
        self._check_width(link_id, row, width)
        a = self._map(int(row["From_Core"])).reshape(self._surf.shape)
        b = self._map(int(row["To_Core"])).reshape(self._surf.shape)
        nlcc = least_cost_corridor(a, b, width=width)
        return self._surf.wrap(nlcc.reshape(-1), name=f"corridor link {link_id}")

    def corridor_window(self, link_id, width=None):
        """The normalised corridor of one link on the only window where it can be finite.

        Returns ``(rows, cols, nlcc)``: half-open row and column ranges of the full grid (where
        both cores' searches reached) and the float32 NLCC there, equal cell for cell to
        :meth:`corridor` (inf where that is inf). Memory and time follow the window, not the grid.
        """
        row = self._link_row(link_id)
        self._check_width(link_id, row, width)
        sa = self._search(self._label(int(row["From_Core"])))
        sb = self._search(self._label(int(row["To_Core"])))
        rows = (max(sa.rows[0], sb.rows[0]), min(sa.rows[1], sb.rows[1]))
        cols = (max(sa.cols[0], sb.cols[0]), min(sa.cols[1], sb.cols[1]))
        if rows[0] >= rows[1] or cols[0] >= cols[1]:
            raise InputError(f"link {link_id}: the searches of its two cores reach no common cell")
        nlcc = least_cost_corridor(sa.cost_in(rows, cols), sb.cost_in(rows, cols), width=width)
        return rows, cols, nlcc

    def mosaic(self, width=None, link_ids=None, return_link=False):
        """Minimum over the links' corridors (default: all kept links); see :func:`corridor_mosaic`.

        Notes
        -----
        Accumulates one corridor at a time: memory is two full grids (plus the link raster with
        ``return_link``), whatever the number of links. Ties go to the first link in ``link_ids``.
        """
        ids = self.links["Link_ID"].tolist() if link_ids is None else list(link_ids)
        if not ids:
            raise InputError("the network has no links to mosaic")
        out = link = None
        for lid in (int(i) for i in ids):
            cor = self.corridor(lid, width)  # already inf beyond ``width``, NaN-free
            v = cor.values if isinstance(cor, Grid) else cor
            if out is None:
                out = v.copy()
                if return_link:
                    link = np.where(np.isfinite(out), lid, -1).astype(np.int32)
                continue
            better = v < out
            out[better] = v[better]
            if return_link:
                link[better] = lid
        mosaic = self._surf.wrap(out, name="corridor mosaic")
        if return_link:
            return mosaic, self._surf.wrap(link, nodata=-1, name="corridor mosaic link")
        return mosaic

    def to_geodataframe(self):
        """Links as a GeoDataFrame with LineString geometries (needs a Grid input)."""
        if self._surf.grid is None:
            raise InputError("to_geodataframe needs the resistance as a Grid (map coordinates)")
        import geopandas as gpd

        geoms = [self.lines[i] for i in self.links["Link_ID"]]
        return gpd.GeoDataFrame(self.links.copy(), geometry=geoms, crs=self._surf.grid.crs)


@dataclass(frozen=True)
class CoreSearch:
    """One core's bounded search, cropped to the bounding box of the cells it reached.

    Attributes
    ----------
    core : int
        Dense core label (1..K).
    shape : (int, int)
        Full grid shape.
    rows, cols : (int, int)
        Half-open row and column range of the window in the full grid.
    cost : float32 ndarray
        Cost distance (cost units) inside the window; inf where not reached.
    back : int8 ndarray
        Back-link codes inside the window; -1 at sources and unreached cells.
    mins : float64 ndarray (K + 1,)
        Least cost from this core to each core label (inf: not reached).
    arg : int64 ndarray (K + 1,)
        Flat index (full grid) of the lowest-index cell reaching ``mins[k]`` (-1: none).

    Notes
    -----
    5 bytes per window cell: this is what a worker sends back (or writes to the scratch folder,
    :meth:`spill`), and what :class:`LinkageNetwork` keeps per core. Cells outside the window
    hold inf / -1, exactly as the uncropped kernel output, so :meth:`cost_full` and
    :meth:`back_full` restore it.
    """

    core: int
    shape: tuple
    rows: tuple
    cols: tuple
    cost: np.ndarray
    back: np.ndarray
    mins: np.ndarray
    arg: np.ndarray

    @classmethod
    def crop(cls, core, dist, back, shape, mins, arg, *, origin=(0, 0), full_shape=None):
        """Crop the kernel's output on a window of ``shape`` whose first cell is ``origin`` of a
        grid of ``full_shape`` (default: the window is the grid) to the cells it reached."""
        d2 = dist.reshape(shape)
        reached = d2 < np.inf
        rr = np.flatnonzero(reached.any(axis=1))
        if rr.size == 0:  # only possible if every core cell is a barrier, which is refused
            rows = cols = (0, 0)
        else:
            cc = np.flatnonzero(reached.any(axis=0))
            rows, cols = (int(rr[0]), int(rr[-1]) + 1), (int(cc[0]), int(cc[-1]) + 1)
        win = (slice(*rows), slice(*cols))
        r0, c0 = int(origin[0]), int(origin[1])
        full = tuple(shape) if full_shape is None else tuple(int(v) for v in full_shape)
        return cls(int(core), full, (rows[0] + r0, rows[1] + r0), (cols[0] + c0, cols[1] + c0),
                   d2[win].astype(np.float32), back.reshape(shape)[win].copy(), mins, arg)

    def _full(self, part, fill, dtype):
        out = np.full(self.shape, fill, dtype)
        out[slice(*self.rows), slice(*self.cols)] = part
        return out.reshape(-1)

    def cost_full(self):
        """Flat float32 cost distance over the whole grid (inf outside the window)."""
        return self._full(self.cost, np.inf, np.float32)

    def back_full(self):
        """Flat int8 back-links over the whole grid (-1 outside the window)."""
        return self._full(self.back, -1, np.int8)

    def cost_in(self, rows, cols) -> np.ndarray:
        """float32 cost over the window ``rows`` x ``cols`` of the full grid (inf where not reached)."""
        out = np.full((rows[1] - rows[0], cols[1] - cols[0]), np.inf, np.float32)
        r0, r1 = max(rows[0], self.rows[0]), min(rows[1], self.rows[1])
        c0, c1 = max(cols[0], self.cols[0]), min(cols[1], self.cols[1])
        if r0 < r1 and c0 < c1:
            out[r0 - rows[0]:r1 - rows[0], c0 - cols[0]:c1 - cols[0]] = \
                self.cost[r0 - self.rows[0]:r1 - self.rows[0], c0 - self.cols[0]:c1 - self.cols[0]]
        return out

    def trace(self, end: int) -> np.ndarray:
        """Flat indices (full grid) of the least-cost path from this core to the cell ``end``
        (flat index, full grid, reached), traced on the cropped back-links."""
        nc = self.shape[1]
        local = int(to_window(np.array([end]), nc, self.rows, self.cols)[0])
        cells = trace_backlink(self.back.reshape(-1), self.cols[1] - self.cols[0], local)
        return to_grid(cells, nc, self.rows, self.cols)

    def spill(self, folder) -> "SpilledSearch":
        """Write the cost and back-links to ``folder`` (atomically) and return the handle that
        reads them back; the handle holds only the small per-core arrays."""
        from pathlib import Path

        from rasters.atomic import replacing

        path = Path(folder) / f"core_{self.core}.npz"
        with replacing(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, cost=self.cost, back=self.back)
        return SpilledSearch(self.core, self.shape, self.rows, self.cols, self.mins, self.arg, str(path))


@dataclass(frozen=True)
class SpilledSearch:
    """A :class:`CoreSearch` whose cost and back-links wait in a file (``path``): what a search
    in a scratch folder returns; :meth:`load` reads it back."""

    core: int
    shape: tuple
    rows: tuple
    cols: tuple
    mins: np.ndarray
    arg: np.ndarray
    path: str

    def load(self) -> CoreSearch:
        with np.load(self.path) as z:
            cost, back = z["cost"], z["back"]
        return CoreSearch(self.core, self.shape, self.rows, self.cols, cost, back, self.mins, self.arg)


def core_search(item, *, surf, source, ncores, bound, spill=None):
    """Bounded cost-distance search from one core (the task :func:`linkage_network` maps).

    The search runs on the core's window (:func:`~.windows.search_window`: its bounding box
    grown by the cells ``bound`` can reach), read from ``source``; inside it the costs, back-links
    and tie-breaks are those of a search on the whole grid (see :mod:`.windows`).

    Parameters
    ----------
    item : (int, int64 ndarray)
        Dense core label and the flat indices (full grid) of its cells.
    surf : Surface
        Validated resistance; only its shape, cell size, neighbour table and resistance range
        are used (its ``flat`` may be empty when ``source`` reads files).
    source : ArrayWindows or RasterWindows
        Where the window's resistance and dense core labels come from.
    ncores : int
    bound : float
        Cost at which the search stops (inf: unbounded, the window is the whole grid).
    spill : folder, optional
        Write the cropped search there and return a :class:`SpilledSearch` (what a worker
        sends back is then a few small arrays).

    Returns
    -------
    CoreSearch or SpilledSearch
    """
    c, cells = item
    nc = surf.shape[1]
    rows, cols = search_window(cells, surf.shape, reach_cells(bound, surf.min_res, surf.cellsize))
    res, lab = source.read(rows, cols)
    win = dataclasses.replace(surf, flat=res.reshape(-1), shape=res.shape, grid=None)
    local = to_window(cells, nc, rows, cols)
    dist, back, _ = run_kernel(win, local, np.full(local.size, c, np.int32), max_cost=bound)
    del res
    mins, arg = label_minima(dist, lab.reshape(-1), ncores)
    arg = np.where(arg >= 0, to_grid(np.maximum(arg, 0), nc, rows, cols), -1)
    found = CoreSearch.crop(c, dist, back, win.shape, mins, arg, origin=(rows[0], cols[0]), full_shape=surf.shape)
    return found if spill is None else found.spill(spill)


def linkage_network(resistance, cores, *, cellsize=None, neighbours=8, pairs=None,
                    max_cost_distance=None, adjacency="cost", drop_through_cores=DROP_THROUGH_CORES,
                    corridor_width=None, workers=None, executor=None, scratch=None):
    """Least-cost linkage network between habitat cores (Linkage Mapper's link table).

    Parameters
    ----------
    resistance : ndarray or rasters.Grid
        Resistance surface (see :func:`corridors.cost_distance`).
    cores : ndarray or rasters.Grid of int
        Core ids per cell, 0 = no core, on the resistance grid.
    cellsize : float, optional
        Map units per cell (default 1, or the grid's).
    neighbours : {8, 4}
    pairs : sequence of (core_id, core_id), optional
        Links to evaluate. When given, ``adjacency`` is not used.
    max_cost_distance : float, optional
        Links whose least-cost distance exceeds it are dropped; each core's search stops at
        ``max_cost_distance + corridor_width``.
    adjacency : {"cost", "euclidean", "both"}
        Without ``pairs``: link cores whose cost-allocation zones touch ("cost"), whose Euclidean
        allocation zones touch ("euclidean"), or either ("both").
    drop_through_cores : bool
        Drop links whose least-cost path crosses a third core (otherwise keep them, flagged in
        ``Thru_Core``).
    corridor_width : float, optional
        Widest corridor (cost units) that :meth:`LinkageNetwork.corridor` will be asked for;
        extends the bounded searches so those corridors are exact.
    workers : int, optional
        Threads for the per-core searches (default: CPU count); results do not depend on it.
    executor : corridors.parallel.Executor, optional
        Run the per-core searches on this executor instead (threads, or a dask cluster).
        The function mapped is the module-level :func:`core_search`; the shared arguments hold the
        resistance (without its georeference) and the core labels, sent to each worker once.
        Results do not depend on it. Not together with ``workers``.
    scratch : folder, optional
        Write each core's search to a new folder inside this one and keep only a handle (memory
        then no longer grows with the number of cores); with a dask executor the workers also
        read their windows of the resistance and core labels from GeoTIFFs written there, so
        it must be a path every worker can read (a shared file system).

    Returns
    -------
    LinkageNetwork

    Notes
    -----
    One bounded cost-distance search per core (threads, or the executor's workers), on the
    core's window: its bounding box grown by the cells the search's cost bound can reach
    (:mod:`.windows`; the whole grid when unbounded), with exactly the results of a search on
    the whole grid. Each core's map is kept cropped to the cells its search reached, as float32
    with an int8 back-link (5 bytes per window cell and core); that cropped :class:`CoreSearch`
    is also all a worker sends back (or writes to ``scratch``).
    CW_Dist is the float64 minimum over the To_Core's cells of the From_Core's search, and the
    path is traced back from the lowest-index cell reaching it.
    """
    surf = surface(resistance, cellsize=cellsize, neighbours=neighbours)
    dense, core_ids = _core_labels(cores, surf)
    mcd = check_max_cost(max_cost_distance)
    cw = 0.0 if corridor_width is None else check_max_cost(corridor_width)
    bound = mcd + cw
    executor = _executor(executor, workers)
    if pairs is not None:
        cand, allocation = _given_pairs(pairs, core_ids), None
    else:
        cand, allocation = _adjacent_cores(surf, dense, core_ids, adjacency, neighbours)
    needed = sorted({c for p in cand for c in p})
    searches, staged = _search_cores(surf, dense, len(core_ids), needed, bound, executor, scratch)
    links, dropped, paths, lines = _trace_links(surf, dense, core_ids, cand, searches, mcd, drop_through_cores)
    return LinkageNetwork(surf, dense, core_ids, searches, links, dropped, paths, lines, bound, allocation,
                          staged)


def _executor(executor, workers):
    """The executor of the per-core searches: the one given, or a thread pool of ``workers``."""
    if executor is not None:
        if workers is not None:
            raise InputError("give workers (threads) or executor, not both")
        if not callable(getattr(executor, "map", None)):
            raise InputError(f"executor must have a map(func, items, shared=...) method, got {executor!r}")
        return executor
    if workers is None or (isinstance(workers, (int, np.integer)) and not isinstance(workers, bool) and workers >= 1):
        return Executor(threads=None if workers is None else int(workers))
    raise InputError(f"workers must be a positive integer or None, got {workers!r}")


def _given_pairs(pairs, core_ids) -> list[tuple[int, int]]:
    """The given (core_id, core_id) pairs as sorted dense label pairs."""
    index = {c: i + 1 for i, c in enumerate(core_ids)}
    cand = set()
    for p in pairs:
        try:
            a, b = (int(v) for v in p)
        except (TypeError, ValueError) as exc:
            raise InputError(f"pairs must hold (core_id, core_id) tuples, got {p!r}") from exc
        for c in (a, b):
            if c not in index:
                raise InputError(f"pair {p!r}: core id {c} is not in the cores raster "
                                 f"(ids {core_ids[:10]}{'...' if len(core_ids) > 10 else ''})")
        if a == b:
            raise InputError(f"pair {p!r} links a core to itself")
        cand.add((min(index[a], index[b]), max(index[a], index[b])))
    return sorted(cand)


def _adjacent_cores(surf, dense, core_ids, adjacency, neighbours):
    """Pairs of cores whose cost (or Euclidean) allocation zones touch, and the cost allocation."""
    if adjacency not in ADJACENCY:
        raise InputError(f"adjacency must be one of {ADJACENCY}, got {adjacency!r}")
    cand, allocation = set(), None
    if adjacency in ("cost", "both"):
        src = np.flatnonzero(dense).astype(np.int64)
        _, _, alloc = run_kernel(surf, src, dense[src], want_alloc=True)
        cand |= _adjacent_pairs(alloc.reshape(surf.shape), neighbours)
        ids_arr = np.array([0] + core_ids, dtype=np.int64)
        allocation = surf.wrap(ids_arr[alloc].astype(np.int32), nodata=0, name="core cost allocation")
    if adjacency in ("euclidean", "both"):
        cand |= _euclidean_adjacent_pairs(dense.reshape(surf.shape), neighbours)
    return sorted(cand), allocation


def _label_boxes(lab2d, k, labels):
    """Bounding box (slices) of each label in ``labels`` on the 2-D label grid (1..k)."""
    from scipy.ndimage import find_objects

    boxes = find_objects(lab2d, max_label=k)
    return [boxes[c - 1] for c in labels]


def _label_cells(lab2d, c, box) -> np.ndarray:
    """Flat indices (row-major order) of the cells labelled ``c``, found inside its bounding box."""
    if box is None:
        return np.empty(0, np.int64)
    rr, cc = np.nonzero(lab2d[box] == c)
    return (rr.astype(np.int64) + box[0].start) * lab2d.shape[1] + (cc + box[1].start)


def _search_cores(surf, dense, k, needed, bound, executor, scratch=None):
    """One bounded cost-distance search per core in ``needed``, on the executor: ``({core:
    search}, staged)``, ``staged`` the :class:`RasterWindows` the workers read (or None).

    Without ``scratch`` every search comes back whole (a :class:`CoreSearch`) and the windows are
    cut from arrays sent to each worker once. With a ``scratch`` folder the searches are written
    there (:class:`SpilledSearch`, read back one or two at a time), and on a dask cluster the
    workers read their windows from two GeoTIFFs written there instead of receiving the grid:
    each task then carries only its core's cells, the window parameters and the two paths.
    """
    import tempfile

    res2d, lab2d = surf.flat.reshape(surf.shape), dense.reshape(surf.shape)
    items = [(c, _label_cells(lab2d, c, box)) for c, box in zip(needed, _label_boxes(lab2d, k, needed))]
    spill = None
    if scratch is not None:
        spill = tempfile.mkdtemp(prefix="linkage-", dir=str(scratch))
    distributed = bool(getattr(executor, "is_distributed", False))
    staged = None
    if distributed and spill is not None:
        source = staged = RasterWindows.write(spill, res2d, lab2d, surf.grid)
        meta = dataclasses.replace(surf, flat=np.empty(0, surf.flat.dtype), grid=None)
    else:  # only what the kernels need travels to workers: no georeferenced Grid, one copy per map
        source = ArrayWindows(res2d, lab2d)
        meta = dataclasses.replace(surf, grid=None)
    shared = {"surf": meta, "source": source, "ncores": k, "bound": bound, "spill": spill}
    results = list(executor.map(core_search, items, shared=shared, desc="cost distance (per core)",
                                threads_ok=True))
    if len(results) != len(needed) or any(
            not isinstance(r, (CoreSearch, SpilledSearch)) or r.core != c for r, c in zip(results, needed)):
        raise InputError("executor.map must return one core_search result per item, in item order")
    return {r.core: r for r in results}, staged


def _trace_links(surf, dense, core_ids, cand, searches, mcd, drop_through_cores):
    """Trace each candidate pair's least-cost path; the link table, the dropped pairs, the paths
    (cells) and their lines."""
    import pandas as pd

    k = len(core_ids)
    pts, trees = _edge_distances(dense.reshape(surf.shape), k, surf.cellsize) if cand else (None, None)
    nc = surf.shape[1]
    rows, dropped, paths, lines, backs = [], [], {}, {}, {}
    for a, b in cand:
        lcd = float(searches[a].mins[b])
        ida, idb = core_ids[a - 1], core_ids[b - 1]
        if not np.isfinite(lcd):
            dropped.append((ida, idb, lcd, "unreachable", np.nan) if not np.isfinite(mcd) else
                           (ida, idb, lcd, "above max_cost_distance", mcd))
            continue
        if lcd > mcd:
            dropped.append((ida, idb, lcd, "above max_cost_distance", mcd))
            continue
        if a not in backs:  # candidate pairs are sorted: one core's links come together
            backs.clear()
            found = searches[a]
            backs[a] = found.load() if isinstance(found, SpilledSearch) else found
        cells = backs[a].trace(int(searches[a].arg[b]))
        _, length = path_cost_length(surf.flat, cells, nc, surf.cellsize)
        lab = dense[cells]
        thru = bool(np.any((lab != 0) & (lab != a) & (lab != b)))
        if thru and drop_through_cores:
            dropped.append((ida, idb, lcd, "through core", np.nan))
            continue
        euc = float(trees[b].query(pts[a], k=1)[0].min())
        rows.append((ida, idb, euc, lcd, float(length), lcd / euc,
                     lcd / length if length > 0 else np.inf, thru, cells))
    columns = {"Link_ID": np.int64, "From_Core": np.int64, "To_Core": np.int64, "Euc_Dist": np.float64,
               "CW_Dist": np.float64, "LCP_Length": np.float64, "cwd2Euc_R": np.float64,
               "cwd2Path_R": np.float64, "Thru_Core": bool}
    values = [[i + 1 for i in range(len(rows))]] + [[r[j] for r in rows] for j in range(8)]
    links = pd.DataFrame({name: np.array(v, dtype=dt) for (name, dt), v in zip(columns.items(), values)})
    for lid, r in zip(links["Link_ID"], rows):
        paths[int(lid)] = np.column_stack(np.divmod(r[8], nc))
        line = path_line(surf.grid, r[8], nc)
        if line is not None:
            lines[int(lid)] = line
    dropped_df = pd.DataFrame(dropped, columns=["From_Core", "To_Core", "CW_Dist", "reason", "limit"])
    dropped_df["limit"] = dropped_df["limit"].astype(np.float64)
    return links, dropped_df, paths, lines
