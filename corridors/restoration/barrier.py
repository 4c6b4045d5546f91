"""Barrier analysis: where restoring a circular window would shorten a link the most.

After McRae, Hall, Beier & Theobald (2012), "Where to restore ecological connectivity? Detecting
barriers and quantifying restoration benefits", PLoS ONE 7:e52604 (Linkage Mapper's Barrier
Mapper). For a link between cores A and B with least-cost distance LCD, and a disk D(c, r) of
radius r centred on cell c, the improvement score is

    IS(c, r) = max(0, LCD - (min_{x in D(c,r)} CWD_A(x) + min_{x in D(c,r)} CWD_B(x) + R' * 2r))

where CWD_A, CWD_B are the cost-weighted distances from the two cores and R' is the resistance
the window would have once restored: a path reaches the window at its cheapest cell from A,
crosses it in a straight line (length 2r, the diameter) at resistance R', and leaves it at its
cheapest cell towards B. IS is the estimated drop in LCD (cost units); IS / 2r is the drop per
map unit of restored diameter. The two CWD surfaces are computed once; each radius costs two disk
min-filters (:func:`corridors.restoration.disk.window_min`), not a least-cost search per window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from rasters.errors import InputError
from rasters.grid import Grid

from .._kernels.labels import labels_present
from ..leastcost._inputs import Surface, check_max_cost, label_array, surface
from ..leastcost.costdistance import run_kernel
from .disk import check_radius, disk_half_widths, window_min

__all__ = [
    "barrier_improvement",
    "barrier_analysis",
    "barrier_network",
    "BarrierAnalysis",
    "BarrierNetwork",
    "LinkScores",
    "link_scores",
    "COMBINE",
]

#: How :func:`barrier_network` combines the links' scores in each cell (Barrier Mapper's options).
COMBINE = ("max", "sum")


# ------------------------------------------------------------------------------------ inputs
def _restored(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"restored_resistance must be a number > 0, got {value!r}")
    v = float(value)
    if not (np.isfinite(v) and v > 0):
        raise InputError(
            f"restored_resistance={value!r}: the resistance of a restored window must be a finite "
            "number > 0 (per map unit, as the resistance surface); 1 is the default"
        )
    return v


def _radii(radii, cellsize: float) -> tuple[float, ...]:
    if isinstance(radii, (int, float, np.integer, np.floating)) and not isinstance(radii, bool):
        radii = [radii]
    try:
        items = list(radii)
    except TypeError:
        raise InputError(f"radii must be a list of radii (map units), got {radii!r}") from None
    if not items:
        raise InputError("radii is empty; give at least one radius (map units)")
    out = tuple(check_radius(r, cellsize, what=f"radii[{i}]") for i, r in enumerate(items))
    if len(set(out)) != len(out):
        raise InputError(f"radii {list(out)} repeat a value; give each radius once")
    return out


def _core_cells(mask, surf: Surface, what: str) -> np.ndarray:
    """Flat indices of a core's cells that are not barriers."""
    arr = label_array(mask, surf, what=what, allow_mask=True, none="not in the core")
    cells = np.flatnonzero(arr.reshape(-1) != 0).astype(np.int64)
    if cells.size == 0:
        raise InputError(f"{what}: the core has no cell (mask all False)")
    cells = cells[surf.flat[cells] < np.inf]
    if cells.size == 0:
        raise InputError(f"{what}: every cell of the core is a barrier (NaN, inf or nodata resistance)")
    return cells


def _labelled_core_cells(surf: Surface, dense: np.ndarray, core: int) -> np.ndarray:
    """Flat indices (int64) of core ``core``'s cells in ``dense`` that are not barriers."""
    cells = np.flatnonzero(dense == core).astype(np.int64)
    cells = cells[surf.flat[cells] < np.inf]
    if cells.size == 0:
        raise InputError(f"core {core}: no cell off the barriers (or no cell at all)")
    return cells


def _search(surf: Surface, cells: np.ndarray, max_cost: float) -> np.ndarray:
    dist, _, _ = run_kernel(surf, cells, np.ones(cells.size, np.int32), max_cost=max_cost)
    return dist.reshape(surf.shape)


# ------------------------------------------------------------------------------------ scores
@dataclass(frozen=True)
class LinkScores:
    """Improvement scores of one link, cropped to the cells where they can be > 0.

    Attributes
    ----------
    lcd : float
        Least-cost distance between the two cores (cost units).
    radii : tuple of float
        Window radii (map units).
    rows, cols : slice
        The crop in the full grid; outside it every score is 0.
    improvement : float64 ndarray (len(radii), nrows, ncols)
        IS per radius inside the crop (cost units), >= 0.
    shape : (int, int)
        Full grid shape.
    """

    lcd: float
    radii: tuple
    rows: slice
    cols: slice
    improvement: np.ndarray
    shape: tuple

    def full(self, k: int) -> np.ndarray:
        """IS for radius ``radii[k]`` on the full grid (float64, cost units)."""
        out = np.zeros(self.shape, np.float64)
        out[self.rows, self.cols] = self.improvement[k]
        return out


def _bbox(mask: np.ndarray):
    rr = np.flatnonzero(mask.any(axis=1))
    cc = np.flatnonzero(mask.any(axis=0))
    return rr[0], rr[-1] + 1, cc[0], cc[-1] + 1


def link_scores(cwd_a: np.ndarray, cwd_b: np.ndarray, lcd: float, radii, *, cellsize: float,
                restored_resistance: float) -> LinkScores:
    """Improvement scores from two cost-weighted-distance surfaces (the formula, cropped).

    Parameters
    ----------
    cwd_a, cwd_b : float64 (nrows, ncols)
        Cost distances from the two cores (cost units); inf where unreached. Values above ``lcd``
        may be inf (a bounded search): they cannot give a positive score.
    lcd : float
        Least-cost distance between the cores (finite, cost units).
    radii : sequence of float
        Radii in map units, already checked.
    cellsize : float
        Map units per cell.
    restored_resistance : float
        R' (per map unit).

    Returns
    -------
    LinkScores

    Notes
    -----
    A window can score > 0 only if it holds a cell with CWD_A < LCD and one with CWD_B < LCD, so
    its centre lies within R cells (R = floor(r / cellsize)) of both sets; the min-filters run on
    that box widened by R (where every cell the windows need lies). Time: two disk min-filters per
    radius over the crop.
    """
    shape = cwd_a.shape
    near_a = cwd_a < lcd
    near_b = cwd_b < lcd
    big_r = max((disk_half_widths(r, cellsize).size - 1) // 2 for r in radii)
    empty = LinkScores(float(lcd), tuple(radii), slice(0, 0), slice(0, 0),
                       np.zeros((len(radii), 0, 0)), shape)
    if not near_a.any() or not near_b.any():
        return empty
    a0, a1, a2, a3 = _bbox(near_a)
    b0, b1, b2, b3 = _bbox(near_b)
    # centres that can score: within big_r of both boxes
    c0, c1 = max(a0, b0) - big_r, min(a1, b1) + big_r
    c2, c3 = max(a2, b2) - big_r, min(a3, b3) + big_r
    c0, c2 = max(c0, 0), max(c2, 0)
    c1, c3 = min(c1, shape[0]), min(c3, shape[1])
    if c0 >= c1 or c2 >= c3:
        return empty
    # data the windows of those centres read
    d0, d1 = max(c0 - big_r, 0), min(c1 + big_r, shape[0])
    d2, d3 = max(c2 - big_r, 0), min(c3 + big_r, shape[1])
    sub_a = np.where(near_a[d0:d1, d2:d3], cwd_a[d0:d1, d2:d3], np.inf)
    sub_b = np.where(near_b[d0:d1, d2:d3], cwd_b[d0:d1, d2:d3], np.inf)
    inner = (slice(c0 - d0, c1 - d0), slice(c2 - d2, c3 - d2))
    out = np.empty((len(radii), c1 - c0, c3 - c2), np.float64)
    for k, r in enumerate(radii):
        ma = window_min(sub_a, r, cellsize)[inner]
        mb = window_min(sub_b, r, cellsize)[inner]
        est = ma + mb + restored_resistance * 2.0 * r  # predicted LCD through the window
        np.subtract(lcd, est, out=out[k])
        np.maximum(out[k], 0.0, out=out[k])  # -inf (window misses a side) and losses -> 0
    return LinkScores(float(lcd), tuple(radii), slice(c0, c1), slice(c2, c3), out, shape)


def _pair_searches(surf: Surface, core_a, core_b, max_cost: float):
    """CWD from A, LCD, CWD from B bounded at LCD (cells beyond it cannot score)."""
    ca = _core_cells(core_a, surf, "core_a")
    cb = _core_cells(core_b, surf, "core_b")
    cwd_a = _search(surf, ca, max_cost)
    lcd = float(cwd_a.reshape(-1)[cb].min())
    if not np.isfinite(lcd):
        extra = f" within max_cost {max_cost:g}" if np.isfinite(max_cost) else ""
        raise InputError(
            f"core_a and core_b are not connected{extra} (least-cost distance inf): barrier analysis "
            "scores how much a window shortens an existing link (McRae et al. 2012); a window that "
            "reconnects them would score infinity. Open a gap first (e.g. a crossing edit) or "
            "check the barriers between the cores"
        )
    cwd_b = _search(surf, cb, lcd)
    return cwd_a, cwd_b, lcd


@dataclass(frozen=True)
class BarrierAnalysis:
    """Barrier analysis of one link at several radii (:func:`barrier_analysis`).

    Attributes
    ----------
    radii : tuple of float
        Window radii, map units (cells for a plain array).
    lcd : float
        Least-cost distance between the cores (cost units).
    improvement : float64 ndarray (len(radii), nrows, ncols)
        IS(c, r) per radius (cost units), >= 0.
    restored_resistance : float
        R' used.
    georef : Grid or None
        The resistance Grid when one was given (for :meth:`as_grid`).
    """

    radii: tuple
    lcd: float
    improvement: np.ndarray
    restored_resistance: float
    georef: Any = None

    @property
    def per_unit(self) -> np.ndarray:
        """IS(c, r) / 2r per radius: cost units per map unit of restored diameter."""
        return self.improvement / (2.0 * np.asarray(self.radii))[:, None, None]

    def best(self, *, per_unit: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Per cell, the highest score over the radii and the radius that gives it.

        Parameters
        ----------
        per_unit : bool
            Compare IS / 2r (default; Barrier Mapper's "maximum across radii" of the score per
            unit restored) or IS itself (which never falls as r grows).

        Returns
        -------
        (float64 ndarray, float64 ndarray)
            The best score and its radius (map units; NaN where every score is 0). Ties go to
            the smallest radius.
        """
        s = self.per_unit if per_unit else self.improvement
        k = np.argmax(s, axis=0)  # first maximum = smallest radius (radii kept in input order)
        val = np.take_along_axis(s, k[None], axis=0)[0]
        rad = np.asarray(self.radii, np.float64)[k]
        rad[val <= 0] = np.nan
        return val, rad

    def as_grid(self, values, *, name: str = "barrier improvement"):
        """``values`` (2-D) as a Grid on the input's georeference, or as is for array input."""
        if self.georef is None:
            return values
        return Grid(np.asarray(values), self.georef.transform, self.georef.crs, None, name)


def barrier_analysis(resistance, core_a, core_b, *, radii, restored_resistance=1.0, cellsize=None,
                     neighbours=8) -> BarrierAnalysis:
    """Barrier analysis of one link at several window radii.

    Parameters
    ----------
    resistance, core_a, core_b, restored_resistance, cellsize, neighbours
        As :func:`barrier_improvement`.
    radii : float or sequence of float
        Window radii in map units (cells for a plain array), each >= one cell.

    Returns
    -------
    BarrierAnalysis
        ``improvement[k]`` equals ``barrier_improvement(..., radius=radii[k])``.
    """
    surf = surface(resistance, cellsize=cellsize, neighbours=neighbours)
    rr = _radii(radii, surf.cellsize)
    rp = _restored(restored_resistance)
    cwd_a, cwd_b, lcd = _pair_searches(surf, core_a, core_b, np.inf)
    ls = link_scores(cwd_a, cwd_b, lcd, rr, cellsize=surf.cellsize, restored_resistance=rp)
    stack = np.stack([ls.full(k) for k in range(len(rr))])
    return BarrierAnalysis(rr, lcd, stack, rp, surf.grid)


def barrier_improvement(resistance, core_a, core_b, *, radius, restored_resistance=1.0,
                        cellsize=None, neighbours=8):
    """Barrier Mapper's improvement score for one link and one window radius.

    For every cell c, with D(c, r) the cells whose centres lie within ``radius`` of c's centre
    (the full disk: windows touching or overlapping a core are kept)::

        IS(c, r) = max(0, LCD - (min_{x in D(c,r)} CWD_A(x) + min_{x in D(c,r)} CWD_B(x) + R' * 2r))

    the estimated drop in the link's least-cost distance if the window were restored to
    resistance R' (McRae, Hall, Beier & Theobald 2012, PLoS ONE 7:e52604, "Barrier Mapper").

    Parameters
    ----------
    resistance : ndarray or rasters.Grid
        Resistance per map unit (> 0; NaN, inf and nodata are barriers), as for
        :func:`corridors.cost_distance`.
    core_a, core_b : ndarray or Grid of bool
        The two cores (True = core cell; nonzero integers also count). Cells on barriers are not
        sources.
    radius : float
        Window radius in map units (cells for a plain array), >= one cell.
    restored_resistance : float
        R', the resistance of a restored window (default 1).
    cellsize : float, optional
        Cell side in map units (default 1 for arrays, the grid's for a Grid).
    neighbours : {8, 4}

    Returns
    -------
    ndarray or Grid
        float64 scores in cost units (resistance x map units), >= 0; a Grid on the input's
        georeference when ``resistance`` is a Grid. Divide by ``2 * radius`` for the score per
        unit of restored diameter (:attr:`BarrierAnalysis.per_unit`).

    Raises
    ------
    InputError
        The cores are not connected (LCD infinite: every window that reconnects them would score
        infinity), a core is empty or all barrier, a radius is under one cell.

    Notes
    -----
    LCD = min over B's cells of CWD_A. CWD_A comes from one full search, CWD_B from one search
    bounded at LCD (beyond it no window can score); each radius then costs two disk min-filters
    over the box where scores can be positive. The estimate is exact when the least-cost route
    through the restored window is the straight diameter along cell centres at resistance R'
    (e.g. an axis-aligned crossing of a wall); elsewhere the restored path may be cheaper or
    dearer than R' * 2r (diagonal steps cost sqrt 2 per cell, cells beyond the disk edge are
    not restored), so it is an estimate, as in Barrier Mapper.
    """
    ana = barrier_analysis(resistance, core_a, core_b, radii=[radius],
                           restored_resistance=restored_resistance, cellsize=cellsize,
                           neighbours=neighbours)
    return ana.as_grid(ana.improvement[0], name="barrier improvement")


# ------------------------------------------------------------------------------- many links
@dataclass(frozen=True)
class BarrierNetwork:
    """Barrier analysis of several links, combined cell by cell (:func:`barrier_network`).

    Attributes
    ----------
    radii : tuple of float
        Map units.
    combine : {"max", "sum"}
        How the links' scores were combined in each cell.
    improvement : float64 ndarray (len(radii), nrows, ncols)
        Combined IS per radius (cost units).
    lcd : dict {(core, core): float}
        Least-cost distance of each link (cost units).
    georef : Grid or None
    """

    radii: tuple
    combine: str
    improvement: np.ndarray
    lcd: dict
    georef: Any = None

    @property
    def per_unit(self) -> np.ndarray:
        """Combined IS / 2r per radius (the sum or max of the links' IS / 2r: same radius)."""
        return self.improvement / (2.0 * np.asarray(self.radii))[:, None, None]

    best = BarrierAnalysis.best
    as_grid = BarrierAnalysis.as_grid


def core_distances(surf: Surface, dense: np.ndarray, pairs: Iterable[tuple[int, int]], *,
                   max_cost: float):
    """Yield ``(pair, lcd, cwd_a, cwd_b)`` per pair, each core's search run once.

    ``dense`` is the flat core-id raster (0 = none) on ``surf``; ``pairs`` hold core ids. Each
    core is searched once, bounded at ``max_cost``; searches no later pair needs are released.
    """
    pairs = [tuple(int(v) for v in p) for p in pairs]
    last_use = {}
    for i, (a, b) in enumerate(pairs):
        last_use[a] = i
        last_use[b] = i
    cache: dict[int, np.ndarray] = {}
    for i, (a, b) in enumerate(pairs):
        for c in (a, b):
            if c not in cache:
                cache[c] = _search(surf, _labelled_core_cells(surf, dense, c), max_cost)
        cb_cells = np.flatnonzero(dense == b)
        lcd = float(cache[a].reshape(-1)[cb_cells].min())
        yield (a, b), lcd, cache[a], cache[b]
        for c in (a, b):
            if last_use[c] == i:
                del cache[c]


def _pairs_and_labels(cores, pairs, surf: Surface):
    arr = label_array(cores, surf, what="cores", allow_mask=False, none="no core")
    dense = np.ascontiguousarray(arr).reshape(-1)  # the cores' own integer type (int16: 2 bytes a cell)
    top = int(dense.max()) if dense.size else 0
    if dense.size and int(dense.min()) >= 0 and top <= max(dense.size, 1 << 20):
        present = set(np.flatnonzero(labels_present(dense, top)).tolist()) - {0}  # no sorted copy of the grid
    else:
        present = set(np.unique(dense).tolist()) - {0}
    out = []
    for p in pairs:
        try:
            a, b = (int(v) for v in p)
        except (TypeError, ValueError):
            raise InputError(f"pairs must hold (core_id, core_id) tuples, got {p!r}") from None
        for c in (a, b):
            if c not in present:
                raise InputError(f"pair {p!r}: core id {c} is not in the cores raster")
        if a == b:
            raise InputError(f"pair {p!r} links a core to itself")
        out.append((a, b))
    if not out:
        raise InputError("pairs is empty; give at least one (core_id, core_id) link")
    return dense, out


def barrier_network(resistance, cores, pairs, *, radii, combine="max", restored_resistance=1.0,
                    cellsize=None, neighbours=8, max_cost=None) -> BarrierNetwork:
    """Barrier analysis of several links, combined per cell by maximum or sum (Barrier Mapper).

    Parameters
    ----------
    resistance : ndarray or Grid
        As :func:`barrier_improvement`.
    cores : ndarray or Grid of int
        Core ids per cell (0 = no core), as for :func:`corridors.linkage_network`.
    pairs : sequence of (core_id, core_id)
        The links to analyse (e.g. ``zip(links.From_Core, links.To_Core)``).
    radii : float or sequence of float
        Window radii (map units).
    combine : {"max", "sum"}
        Per cell and radius: the best link's IS ("max") or the sum over links ("sum": a window
        that helps several links counts for each).
    restored_resistance, cellsize, neighbours
        As :func:`barrier_improvement`.
    max_cost : float, optional
        Bound of each core's search (cost units), e.g. the max cost distance of viable links:
        exact for every link whose LCD is below it. Links above it raise.

    Returns
    -------
    BarrierNetwork

    Notes
    -----
    One cost-distance search per core (not per link), kept only while a later pair needs it;
    then two disk min-filters per link and radius over the box where that link can score.
    Memory: the combined stack (8 bytes x radii x cells) plus two searches at a time per link.
    """
    if combine not in COMBINE:
        raise InputError(f"combine must be one of {COMBINE}, got {combine!r}")
    surf = surface(resistance, cellsize=cellsize, neighbours=neighbours)
    rr = _radii(radii, surf.cellsize)
    rp = _restored(restored_resistance)
    mc = check_max_cost(max_cost)
    dense, plist = _pairs_and_labels(cores, pairs, surf)
    out = np.zeros((len(rr),) + surf.shape, np.float64)
    lcds = {}
    for (a, b), lcd, cwd_a, cwd_b in core_distances(surf, dense, plist, max_cost=mc):
        if not np.isfinite(lcd):
            raise InputError(f"link ({a}, {b}): the cores are not connected (within max_cost "
                             f"{mc:g}); drop the pair or raise max_cost")
        lcds[(a, b)] = lcd
        ls = link_scores(cwd_a, cwd_b, lcd, rr, cellsize=surf.cellsize, restored_resistance=rp)
        sub = out[:, ls.rows, ls.cols]
        if combine == "max":
            np.maximum(sub, ls.improvement, out=sub)
        else:
            sub += ls.improvement
    return BarrierNetwork(rr, combine, out, lcds, surf.grid)

