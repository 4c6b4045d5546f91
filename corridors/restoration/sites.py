"""Restoration sites: each link's best non-overlapping windows, described for planners.

From barrier analysis (:mod:`corridors.restoration.barrier`) each link gets its top windows
(centre and radius) by estimated gain, none sharing a cell with a better one of the same link;
each is described by the country it lies in, the land cover it would restore and whether it
falls in a gap (unprotected stretch of a corridor). The result is a GeoDataFrame for a
``restoration_sites`` layer and the combined improvement raster (``barrier_improvement.tif``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rasters.errors import CRSError, InputError
from rasters.grid import Grid, as_crs, crs_equal, nodata_mask

from ..leastcost._inputs import check_max_cost, surface
from .barrier import (
    COMBINE,
    LinkScores,
    _labelled_core_cells,
    _pairs_and_labels,
    _radii,
    _restored,
    link_scores,
)
from .disk import disk_half_widths, disk_offsets, window_min

__all__ = ["Window", "select_windows", "restoration_sites", "RestorationSites", "SITE_COLUMNS",
           "RANK_BY"]

#: What :func:`select_windows` ranks windows by.
RANK_BY = ("gain", "per_unit")

#: Columns of the sites layer (Shapefile-safe, <= 10 characters), before ``geometry``.
SITE_COLUMNS = ["Site_ID", "Link_ID", "Site_Rank", "From_PA", "To_PA", "Radius_m", "Gain",
                "Gain_Unit", "Gain_Pct", "CW_Dist", "CW_After", "Row", "Col", "X", "Y", "ISO3",
                "Countries", "LC_Main", "LC_Share", "LC_Mix", "In_Gap", "Gap_Share", "Gap_IDs"]


@dataclass(frozen=True)
class Window:
    """One chosen window: centre cell (full grid), radius (map units) and its scores.

    gain: IS (cost units); per_unit: IS / 2r; lcd: the link's least-cost distance (cost units).
    """

    row: int
    col: int
    radius: float
    gain: float
    per_unit: float
    lcd: float


def select_windows(scores: LinkScores, *, top: int, cellsize: float, rank_by: str = "gain") -> list[Window]:
    """The ``top`` best windows of one link that share no cell, best first.

    Greedy, as a planner would pick: take the best window (all radii compete), drop every window
    sharing a cell with it, repeat. Only windows with a positive gain are taken.

    Parameters
    ----------
    scores : LinkScores
        One link's scores (:func:`corridors.restoration.link_scores`).
    top : int
        Most windows to return (>= 1).
    cellsize : float
        Map units per cell (to turn radii into cells).
    rank_by : {"gain", "per_unit"}
        Rank by IS (the estimated drop in least-cost distance) or by IS / 2r (the drop per map
        unit of restored diameter, which favours small windows).

    Returns
    -------
    list of Window

    Notes
    -----
    Ties go to the smaller radius, then the lower row-major cell index, so the choice is
    reproducible. Two windows share a cell when a cell centre lies within both radii; after each
    pick the picked cells are dilated by each radius (disk min-filter) to test the rest in O(1).
    """
    if rank_by not in RANK_BY:
        raise InputError(f"rank_by must be one of {RANK_BY}, got {rank_by!r}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise InputError(f"top must be a positive integer (windows per link), got {top!r}")
    imp = scores.improvement
    if imp.size == 0:
        return []
    radii = np.asarray(scores.radii, np.float64)
    key = imp if rank_by == "gain" else imp / (2.0 * radii)[:, None, None]
    k_idx, r_idx, c_idx = np.nonzero(imp > 0)
    if k_idx.size == 0:
        return []
    sh = imp.shape[1:]
    flat = r_idx * sh[1] + c_idx
    # descending score, then ascending radius, then ascending cell index
    order = np.lexsort((flat, radii[k_idx], -key[k_idx, r_idx, c_idx]))
    k_idx, r_idx, c_idx = k_idx[order], r_idx[order], c_idx[order]
    free = np.zeros(sh, np.float64)  # 0 = free cell, inf = taken (min-filter of it = overlap test)
    reach = [np.zeros(sh, bool) for _ in radii]
    chosen: list[Window] = []
    r0, c0 = scores.rows.start, scores.cols.start
    for k, r, c in zip(k_idx.tolist(), r_idx.tolist(), c_idx.tolist()):
        if reach[k][r, c]:
            continue
        chosen.append(Window(int(r + r0), int(c + c0), float(radii[k]), float(imp[k, r, c]),
                             float(imp[k, r, c] / (2.0 * radii[k])), scores.lcd))
        if len(chosen) == top:
            break
        for dr, dc in disk_offsets(radii[k], cellsize):
            rr, cc = r + dr, c + dc
            if 0 <= rr < sh[0] and 0 <= cc < sh[1]:
                free[rr, cc] = np.inf
        for j, rad in enumerate(radii):
            reach[j] = window_min(-free, rad, cellsize) == -np.inf  # a taken cell within rad
    return chosen


# ------------------------------------------------------------------------------ description
def _check_crs(layer, grid: Grid, what: str) -> None:
    crs = getattr(layer, "crs", None)
    if crs is None:
        raise CRSError(f"{what}: the layer has no CRS; set it (gdf.set_crs) to the grid's CRS")
    if grid.crs is not None and not crs_equal(as_crs(crs), grid.crs):
        raise CRSError(f"{what}: the layer is in {as_crs(crs).name!r} but the resistance grid is in "
                       f"{grid.crs.name!r}; reproject it first (layer.to_crs(grid.crs))")


def _aligned(values, grid: Grid, what: str) -> np.ndarray:
    if isinstance(values, Grid):
        grid.check_aligned(values)
        return values
    arr = np.asarray(values)
    if arr.shape != grid.shape:
        raise InputError(f"{what} has shape {arr.shape} but the resistance grid has {grid.shape}")
    return arr


def _cells(window: Window, offsets: np.ndarray, shape) -> tuple[np.ndarray, np.ndarray]:
    rr = window.row + offsets[:, 0]
    cc = window.col + offsets[:, 1]
    ok = (rr >= 0) & (rr < shape[0]) & (cc >= 0) & (cc < shape[1])
    return rr[ok], cc[ok]


def _composition(codes: np.ndarray, classes) -> tuple[str, float, str]:
    """(main class name, its share, "name 62%; name 38%") of the valid cells' codes."""
    if codes.size == 0:
        return "", 0.0, ""
    vals, counts = np.unique(codes, return_counts=True)
    order = np.lexsort((vals, -counts))
    shares = counts[order] / counts.sum()
    names = [str(classes.get(int(v), int(v))) if classes else str(int(v)) for v in vals[order]]
    mix = "; ".join(f"{n} {s * 100:.0f}%" for n, s in zip(names, shares))
    return names[0], float(shares[0]), mix


def describe_windows(windows: dict, grid: Grid, *, links=None, landcover=None, classes=None,
                     countries=None, gaps=None, gaps_of_link: bool = False):
    """The sites layer: one row per window with its place, land cover and gap membership.

    Parameters
    ----------
    windows : dict {Link_ID: list of Window}
    grid : Grid
        The resistance grid (georeference of the windows).
    links : pandas.DataFrame, optional
        With ``Link_ID`` and optionally ``From_PA``, ``To_PA`` (copied to the sites).
    landcover : Grid or ndarray, optional
        Land-cover codes on the grid; nodata cells are left out of the composition.
    classes : mapping {code: name}, optional
        Class names for ``LC_Main`` / ``LC_Mix`` (default: the codes).
    countries : GeoDataFrame, optional
        Country polygons with ``iso3``, in the grid's CRS.
    gaps : GeoDataFrame or GeoSeries of polygons, or boolean ndarray / Grid, optional
        Gap polygons (e.g. the unprotected stretches of the corridors, with ``Gap_ID``) or a gap
        mask on the grid.
    gaps_of_link : bool
        Count, for a site of link L, only the gap polygons whose ``Links`` column (";"-joined
        Link_IDs, as the pipeline's gaps layer has) lists L: "in a gap of its own corridor".
        Default False: every gap counts.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`SITE_COLUMNS` and a circle polygon of the window's radius around its centre
        (the window is the cells whose centres lie inside it). ``Gain`` = IS (cost units),
        ``Gain_Unit`` = IS / 2r (cost units per map unit), ``Gain_Pct`` = 100 IS / CW_Dist,
        ``CW_After`` = CW_Dist - IS (predicted least-cost distance once restored), ``ISO3`` =
        country of the centre ("" at sea or outside every polygon), ``Countries`` = countries
        the circle touches (";"-joined), ``LC_Share`` = share of the main class among the window's
        valid land-cover cells, ``In_Gap`` = the circle meets a gap polygon (or a window cell is
        in the gap mask), ``Gap_Share`` = share of the window's cells in a gap, ``Gap_IDs`` = the
        gaps met (";"-joined ``Gap_ID``; "" without polygons with that column).
    """
    import geopandas as gpd
    import shapely

    pa = {}
    if links is not None:
        for rec in links.to_dict("records"):
            pa[int(rec["Link_ID"])] = (str(rec.get("From_PA", "")), str(rec.get("To_PA", "")))
    lc = lc_nodata = None  # land cover, read at each window's cells (no whole-grid mask)
    if landcover is not None:
        lcg = _aligned(landcover, grid, "landcover")
        lc, lc_nodata = (np.asarray(lcg.values), lcg.nodata) if isinstance(lcg, Grid) else (lcg, None)
    if countries is not None:
        _check_crs(countries, grid, "countries")
        if "iso3" not in countries.columns:
            raise InputError("countries: no 'iso3' column; read them with vectors.read_countries")
        ctree = shapely.STRtree(np.asarray(countries.geometry.values, dtype=object))
        ciso = countries["iso3"].astype(str).to_numpy()
    gap_mask = gap_geoms = gap_ids = gap_links = None
    if gaps is not None:
        if hasattr(gaps, "geometry") or hasattr(gaps, "geom_type"):
            _check_crs(gaps, grid, "gaps")
            geoms = gaps.geometry if hasattr(gaps, "geometry") else gaps
            gap_geoms = np.asarray(geoms.values, dtype=object)
            gap_ids = (gaps["Gap_ID"].astype(str).to_numpy() if hasattr(gaps, "columns")
                       and "Gap_ID" in gaps.columns else None)
            gap_tree = shapely.STRtree(gap_geoms)
            if gaps_of_link:
                gap_links = _gap_links(gaps)
        elif gaps_of_link:
            raise InputError("gaps_of_link needs gap polygons with a 'Links' column, not a gap mask")
        else:
            g = _aligned(gaps, grid, "gaps")
            gap_mask = np.asarray(g.values if isinstance(g, Grid) else g)
            if gap_mask.dtype != bool:
                raise InputError(f"gaps: a gap mask must be boolean, got dtype {gap_mask.dtype}")
    rows = []
    offsets_of: dict[float, np.ndarray] = {}
    for link_id in sorted(windows):
        mine = None  # with gaps_of_link: this link's gaps (indices)
        if gap_links is not None:
            mine = np.flatnonzero([int(link_id) in ids for ids in gap_links])
        counted = None if gap_geoms is None else gap_geoms if mine is None else gap_geoms[mine]
        for rank, w in enumerate(windows[link_id], start=1):
            off = offsets_of.setdefault(w.radius, disk_offsets(w.radius, grid.cellsize))
            rr, cc = _cells(w, off, grid.shape)
            x, y = grid.xy(w.row, w.col)
            centre = shapely.Point(float(x), float(y))
            circle = centre.buffer(w.radius, quad_segs=16)
            iso3, touched = "", ""
            if countries is not None:
                hit = ctree.query(centre, predicate="intersects")
                iso3 = ";".join(sorted(set(ciso[hit]))) if hit.size else ""
                near = ctree.query(circle, predicate="intersects")
                touched = ";".join(sorted(set(ciso[near])))
            main, share, mix = "", 0.0, ""
            if lc is not None:
                codes = lc[rr, cc]
                main, share, mix = _composition(codes[~nodata_mask(codes, lc_nodata)], classes)
            in_gap, gshare, gids = False, 0.0, ""
            if gap_mask is not None or counted is not None:
                inside = gap_mask[rr, cc] if gap_mask is not None else _centres_in(counted, grid, rr, cc)
                gshare = float(inside.mean()) if rr.size else 0.0
                in_gap = gshare > 0
                if gap_geoms is not None:
                    met = gap_tree.query(circle, predicate="intersects")
                    if mine is not None:
                        met = np.intersect1d(met, mine)
                    in_gap = bool(met.size) or in_gap
                    if gap_ids is not None:
                        gids = ";".join(sorted(set(gap_ids[met]), key=lambda s: (len(s), s)))
            fpa, tpa = pa.get(int(link_id), ("", ""))
            rows.append({
                "Link_ID": int(link_id), "Site_Rank": rank, "From_PA": fpa, "To_PA": tpa,
                "Radius_m": w.radius, "Gain": w.gain, "Gain_Unit": w.per_unit,
                "Gain_Pct": 100.0 * w.gain / w.lcd if w.lcd > 0 else 0.0, "CW_Dist": w.lcd,
                "CW_After": w.lcd - w.gain, "Row": w.row, "Col": w.col, "X": float(x), "Y": float(y),
                "ISO3": iso3, "Countries": touched, "LC_Main": main, "LC_Share": share,
                "LC_Mix": mix, "In_Gap": bool(in_gap), "Gap_Share": gshare, "Gap_IDs": gids,
                "geometry": circle,
            })
    out = gpd.GeoDataFrame(rows, columns=[c for c in SITE_COLUMNS if c != "Site_ID"] + ["geometry"],
                           geometry="geometry", crs=grid.crs)
    out.insert(0, "Site_ID", np.arange(1, len(out) + 1, dtype=np.int64))
    for col, dt in (("Link_ID", np.int64), ("Site_Rank", np.int64), ("Row", np.int64),
                    ("Col", np.int64), ("In_Gap", bool)):
        out[col] = out[col].astype(dt)
    return out


def _centres_in(geoms, grid: Grid, rr: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """True for the cells (rr, cc) whose centre lies inside one of ``geoms``: the cells
    ``rasters.rasterize`` burns (``all_touched=False``), tested at the window's cells only
    instead of on a whole-grid mask per link."""
    import shapely

    x, y = grid.xy(rr, cc)
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    inside = np.zeros(x.shape, bool)
    for g in geoms:
        if g is not None and not g.is_empty:
            inside |= shapely.contains_xy(g, x, y)
    return inside


def _gap_links(gaps) -> list[set[int]]:
    """The Link_IDs of each gap polygon, from its ``Links`` column ("12;7", or one number)."""
    if not hasattr(gaps, "columns") or "Links" not in gaps.columns:
        raise InputError("gaps_of_link needs a 'Links' column in gaps (';'-joined Link_IDs, as the "
                         "pipeline's gaps layer has); pass gaps_of_link=False to count every gap")
    out = []
    for i, v in enumerate(gaps["Links"]):
        try:
            out.append({int(x) for x in str(v).split(";") if x.strip()})
        except ValueError:
            raise InputError(f"gaps: Links {v!r} in row {i} is not a ';'-joined list of Link_IDs") from None
    return out


# ------------------------------------------------------------------------------ one call
@dataclass(frozen=True)
class RestorationSites:
    """Result of :func:`restoration_sites`.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        The ``restoration_sites`` layer (:func:`describe_windows`).
    improvement : Grid
        Per cell, the largest over the radii of the links' IS combined by ``combine`` (cost
        units): the ``barrier_improvement.tif`` raster. 0 where no window gains.
    per_unit : Grid
        The same for IS / 2r (cost units per map unit of restored diameter); built on first use
        from the scores kept per tile (a grid of float32 held only by a caller that asks for it).
    best_radius : Grid
        Radius (map units) giving ``per_unit`` in each cell; NaN (nodata) where nothing gains;
        built on first use like ``per_unit``.
    radii : tuple of float
    lcd : dict {Link_ID: float}
        Least-cost distance of each link (cost units).
    """

    sites: Any
    improvement: Grid
    radii: tuple
    lcd: dict = field(default_factory=dict)
    scores: Any = field(default=None, repr=False, compare=False)  # the _TiledScores behind the grids
    combine: str = "max"

    @property
    def per_unit(self) -> Grid:
        g = self.improvement
        return Grid(self.scores.per_unit_over_radii(self.radii), g.transform, g.crs, None,
                    f"barrier improvement per unit diameter ({self.combine} over links)")

    @property
    def best_radius(self) -> Grid:
        g = self.improvement
        return Grid(self.scores.best_radius_over_radii(self.radii), g.transform, g.crs, float("nan"),
                    "barrier best radius (m)")


def restoration_sites(resistance: Grid, cores, links, *, radii, top: int = 3, rank_by: str = "gain",
                      combine: str = "max", restored_resistance: float = 1.0, neighbours: int = 8,
                      max_cost=None, landcover=None, classes=None, countries=None,
                      gaps=None, gaps_of_link: bool = False, no_gain: float = 0.0) -> RestorationSites:
    """Barrier analysis of each link, its best windows as sites, and the combined raster.

    Parameters
    ----------
    resistance : Grid
        Resistance surface (projected, map units = metres), as for :func:`barrier_improvement`.
    cores : Grid or ndarray of int
        Core ids per cell (0 = none), aligned with ``resistance`` (e.g. ``CoreGrid.grid``).
    links : pandas.DataFrame
        ``Link_ID``, ``From_Core``, ``To_Core`` (ids in ``cores``), optionally ``From_PA``,
        ``To_PA``; one barrier analysis per row (e.g. the top-ranked links).
    radii : sequence of float
        Window radii in metres (map units), each >= one cell. The main job uses 1 to 5 cells.
    top : int
        Sites per link (non-overlapping windows, best first).
    rank_by : {"gain", "per_unit"}
        See :func:`select_windows`.
    combine : {"max", "sum"}
        How the links are combined in the rasters (Barrier Mapper's options).
    restored_resistance : float
        R' of a restored window (default 1).
    neighbours : {8, 4}
    max_cost : float, optional
        Bound of each core's cost-distance search (cost units); exact for links whose least-cost
        distance is below it (pass the max cost distance of viable links).
    landcover, classes, countries, gaps, gaps_of_link
        Descriptions of the sites; see :func:`describe_windows`.
    no_gain : float
        Value of ``improvement`` where no window gains: 0 (default), or NaN to make those cells
        the raster's nodata (as ``barrier_improvement.tif`` is), set in place without a copy.

    Returns
    -------
    RestorationSites

    Notes
    -----
    One search per core, two disk min-filters per link and radius over the box where the link can
    score (:func:`corridors.restoration.barrier_network`), then the greedy non-overlapping choice
    per link. About 1.6 s for the 10 top links at 5 radii on the embedded 960 x 540 grid
    (``benchmarks/bench_barrier.py``), most of it the 20 cost-distance searches.

    Examples
    --------
    What a pipeline stage does with the run's results (resistance Grid, ``CoreGrid``, ranking,
    gap polygons, inputs)::

        top = ranking[ranking.Rank <= 10]
        out = restoration_sites(resistance, cores.grid, top,
                                radii=[k * resistance.cellsize for k in range(1, 6)],
                                max_cost=loaded.max_cost_distance, landcover=loaded.landcover,
                                classes=nea().landcover_classes, countries=loaded.countries,
                                gaps=gaps)
        layers["restoration_sites"] = out.sites       # GeoPackage layer
        rasters.write(out.improvement, folder / "barrier_improvement.tif")
    """
    import pandas as pd

    if not isinstance(resistance, Grid):
        raise InputError("restoration_sites needs the resistance as a Grid (sites have coordinates)")
    if combine not in COMBINE:
        raise InputError(f"combine must be one of {COMBINE}, got {combine!r}")
    if not isinstance(links, pd.DataFrame) or not {"Link_ID", "From_Core", "To_Core"} <= set(links.columns):
        raise InputError("links must be a DataFrame with Link_ID, From_Core and To_Core "
                         "(LinkageNetwork.links or the pipeline's link table)")
    if links["Link_ID"].duplicated().any():
        raise InputError("links: Link_ID values repeat; give each link once")
    surf = surface(resistance, neighbours=neighbours)
    rr = _radii(radii, surf.cellsize)
    rp = _restored(restored_resistance)
    mc = check_max_cost(max_cost)
    pairs = list(zip(links["From_Core"].astype(int), links["To_Core"].astype(int)))
    cores_arr = cores.values if isinstance(cores, Grid) else cores
    if isinstance(cores, Grid):
        resistance.check_aligned(cores)
    dense, plist = _pairs_and_labels(cores_arr, pairs, surf)
    ids = links["Link_ID"].astype(int).tolist()
    combined = _TiledScores(len(rr), surf.shape)
    windows, lcds = {}, {}
    pad = 2 * max((disk_half_widths(r, surf.cellsize).size - 1) // 2 for r in rr)
    for link_id, ((a, b), lcd, (u0, v0), cwd_a, cwd_b) in zip(ids, _windowed_core_distances(surf, dense, plist, mc, pad)):
        if not np.isfinite(lcd):
            raise InputError(f"link {link_id} (cores {a}, {b}): not connected within max_cost {mc:g}; "
                             "drop it or raise max_cost")
        lcds[link_id] = lcd
        ls = link_scores(cwd_a, cwd_b, lcd, rr, cellsize=surf.cellsize, restored_resistance=rp)
        del cwd_a, cwd_b
        ls = dataclasses.replace(ls, rows=slice(ls.rows.start + u0, ls.rows.stop + u0),
                                 cols=slice(ls.cols.start + v0, ls.cols.stop + v0), shape=surf.shape)
        windows[link_id] = select_windows(ls, top=top, cellsize=surf.cellsize, rank_by=rank_by)
        combined.add(ls.rows, ls.cols, ls.improvement, combine)
    sites = describe_windows(windows, resistance, links=links, landcover=landcover, classes=classes,
                             countries=countries, gaps=gaps, gaps_of_link=gaps_of_link)
    g = resistance
    values = combined.improvement_over_radii()
    nodata = None
    if no_gain != 0.0:
        none = values <= 0.0
        values[none] = no_gain
        del none
        nodata = float(no_gain)
    improvement = Grid(values, g.transform, g.crs, nodata,
                       f"barrier improvement ({combine} over links, max over radii, cost units)")
    return RestorationSites(sites=sites, improvement=improvement, radii=rr, lcd=lcds, scores=combined,
                            combine=combine)


def _best_over_radii(combined: np.ndarray, radii) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell, over the radii (axis 0 of ``combined``, float64): the largest score (float32),
    the largest score per unit diameter ``IS / 2R`` (float32) and the radius giving it (float32,
    NaN where that is <= 0; ties: the smaller radius, as ``np.argmax`` takes the first).

    One radius at a time, so the temporaries are two grids of float64, not ``len(radii)``.
    """
    best = combined[0].copy()
    best_pu = combined[0] / (2.0 * radii[0])
    best_r = np.full(best.shape, radii[0], np.float32)
    per_unit = np.empty_like(best_pu)
    for i in range(1, len(radii)):
        np.maximum(best, combined[i], out=best)
        np.divide(combined[i], 2.0 * radii[i], out=per_unit)
        better = per_unit > best_pu  # strictly: the first radius keeps a tie
        best_pu[better] = per_unit[better]
        best_r[better] = radii[i]
        del better
    best_r[best_pu <= 0] = np.nan
    return best.astype(np.float32), best_pu.astype(np.float32), best_r


class _TiledScores:
    """The links' scores combined per radius, held only in the tiles some link's crop touches.

    Each link scores a crop of the grid (about 1 % of the embedded grid for the top 10 links),
    so a whole ``(radii, rows, cols)`` float64 array (40 bytes a cell at 5 radii) would be almost
    all zeros. Tiles of :attr:`TILE` x :attr:`TILE` cells are allocated (zeros) when a crop first
    touches them; cells of no tile score 0 for every radius. Combining is cell by cell in link
    order, so the values are those of the whole array.
    """

    TILE = 256

    def __init__(self, nradii: int, shape: tuple[int, int]):
        self.nradii = nradii
        self.shape = shape
        self.tiles: dict[tuple[int, int], np.ndarray] = {}

    def _tile(self, ti: int, tj: int) -> np.ndarray:
        t = self.tiles.get((ti, tj))
        if t is None:
            h = min(self.TILE, self.shape[0] - ti * self.TILE)
            w = min(self.TILE, self.shape[1] - tj * self.TILE)
            t = self.tiles[(ti, tj)] = np.zeros((self.nradii, h, w), np.float64)
        return t

    def add(self, rows: slice, cols: slice, scores: np.ndarray, combine: str) -> None:
        """Combine ``scores`` (radii, crop rows, crop cols) into rows x cols ("max" or "sum")."""
        T = self.TILE
        r0, r1, c0, c1 = rows.start, rows.stop, cols.start, cols.stop
        if r0 >= r1 or c0 >= c1:
            return
        for ti in range(r0 // T, (r1 - 1) // T + 1):
            a0, a1 = max(r0, ti * T), min(r1, (ti + 1) * T)
            for tj in range(c0 // T, (c1 - 1) // T + 1):
                b0, b1 = max(c0, tj * T), min(c1, (tj + 1) * T)
                sub = self._tile(ti, tj)[:, a0 - ti * T:a1 - ti * T, b0 - tj * T:b1 - tj * T]
                part = scores[:, a0 - r0:a1 - r0, b0 - c0:b1 - c0]
                if combine == "max":
                    np.maximum(sub, part, out=sub)
                else:
                    sub += part

    def _whole(self, fill: float, part) -> np.ndarray:
        """A float32 grid: ``part(tile)`` on each tile, ``fill`` off the tiles."""
        out = np.full(self.shape, fill, np.float32)
        T = self.TILE
        for (ti, tj), t in self.tiles.items():
            out[ti * T:ti * T + t.shape[1], tj * T:tj * T + t.shape[2]] = part(t)
        return out

    def improvement_over_radii(self) -> np.ndarray:
        """Per cell the largest score over the radii (float32; 0 off the tiles)."""
        return self._whole(0.0, lambda t: t.max(axis=0))

    def per_unit_over_radii(self, radii) -> np.ndarray:
        """Per cell the largest score per unit diameter (float32; 0 off the tiles), as
        :func:`_best_over_radii`."""
        return self._whole(0.0, lambda t: _best_over_radii(t, radii)[1])

    def best_radius_over_radii(self, radii) -> np.ndarray:
        """Per cell the radius giving :meth:`per_unit_over_radii` (float32; NaN where nothing
        gains), as :func:`_best_over_radii`."""
        return self._whole(np.nan, lambda t: _best_over_radii(t, radii)[2])


def _windowed_core_distances(surf, dense, pairs, max_cost: float, pad: int):
    """:func:`~.barrier.core_distances` on windows: yield ``(pair, lcd, (row0, col0), cwd_a,
    cwd_b)``, the two searches on the bounding box of their windows grown by ``pad`` cells
    (clipped to the grid; inf outside each search's window) and the box's top-left corner.

    Each core's search runs once on its window (:func:`corridors.leastcost.windows.search_window`:
    its cells' box grown by the cells ``max_cost`` can reach, where the costs are those of the
    whole-grid search) and is kept until its last pair. Cells closer than the pair's least-cost
    distance to a core, the only ones a link's scores read, lie inside that core's window, and
    ``pad`` (twice the largest disk's half width) covers the scores' crop and the data it reads,
    so the scores are those of the whole grid.
    """
    from ..leastcost.costdistance import run_kernel
    from ..leastcost.windows import reach_cells, search_window, to_window

    pairs = [tuple(int(v) for v in p) for p in pairs]
    last_use = {}
    for i, (a, b) in enumerate(pairs):
        last_use[a] = last_use[b] = i
    nr, nc = surf.shape
    reach = reach_cells(max_cost, surf.min_res, surf.cellsize)
    cache: dict[int, tuple] = {}
    for i, (a, b) in enumerate(pairs):
        for c in (a, b):
            if c not in cache:
                cells = _labelled_core_cells(surf, dense, c)
                rows, cols = search_window(cells, surf.shape, reach)
                res = np.ascontiguousarray(surf.flat.reshape(surf.shape)[rows[0]:rows[1], cols[0]:cols[1]])
                win = dataclasses.replace(surf, flat=res.reshape(-1), shape=res.shape, grid=None)
                dist, _, _ = run_kernel(win, to_window(cells, nc, rows, cols), np.ones(cells.size, np.int32),
                                        max_cost=max_cost)
                cache[c] = (rows, cols, dist.reshape(res.shape))
        (ra, ca, da), (rb, cb, db) = cache[a], cache[b]
        u0, u1 = max(min(ra[0], rb[0]) - pad, 0), min(max(ra[1], rb[1]) + pad, nr)
        v0, v1 = max(min(ca[0], cb[0]) - pad, 0), min(max(ca[1], cb[1]) + pad, nc)
        cwd = []
        for rows, cols, d in ((ra, ca, da), (rb, cb, db)):
            out = np.full((u1 - u0, v1 - v0), np.inf)
            out[rows[0] - u0:rows[1] - u0, cols[0] - v0:cols[1] - v0] = d
            cwd.append(out)
        b_cells = np.flatnonzero(dense == b)
        br, bc = np.divmod(b_cells, nc)
        lcd = float(cwd[0][br - u0, bc - v0].min())
        yield (a, b), lcd, (u0, v0), cwd[0], cwd[1]
        del cwd
        for c in (a, b):
            if last_use[c] == i:
                del cache[c]
