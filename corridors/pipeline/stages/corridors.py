"""Stage 4: each link's least-cost corridor (cells with NLCC <= the corridor width), cropped to a
window around it, the corridor mosaic, and the corridor polygons with their unprotected share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CorridorWindow", "CorridorSet", "build_corridors", "corridor_windows"]


@dataclass
class CorridorWindow:
    """One link's corridor cropped to its bounding box (plus a one-cell margin).

    rows, cols : slices of the window in the full grid; nlcc : float32 NLCC inside the window
    (inf outside the corridor); core_a, core_b : bool masks of the two reserves' cells.
    """

    link_id: int
    rows: slice
    cols: slice
    nlcc: np.ndarray
    core_a: np.ndarray
    core_b: np.ndarray

    @property
    def corridor(self) -> np.ndarray:
        return np.isfinite(self.nlcc)


@dataclass
class CorridorSet:
    """Result of :func:`build_corridors`.

    windows : one :class:`CorridorWindow` per link, in link order; mosaic : float32 Grid of the
    lowest NLCC over all corridors (NaN outside every corridor); protected : bool array, cells in
    any reserve; polygons : GeoDataFrame ``Link_ID``, ``Corr_km2``, ``Unprot_Shr`` (share of the
    corridor's cells outside every reserve), polygon geometry.
    """

    windows: list[CorridorWindow]
    mosaic: Any
    protected: np.ndarray
    polygons: Any


def build_corridors(links, resistance, width: float, reserves) -> CorridorSet:
    """Corridors of every link in ``links`` (a :class:`~.links.LinkSet`), ``width`` in cost units;
    ``reserves``: the legal protected areas (what counts as protected, nodes or not)."""
    import geopandas as gpd

    import vectors

    from .nodes import legal_reserves

    grid = resistance
    windows = corridor_windows(links, width)
    mosaic = np.full(grid.shape, np.inf, dtype=np.float32)
    for w in windows:
        sub = mosaic[w.rows, w.cols]
        np.fmin(sub, w.nlcc, out=sub)
    mosaic[np.isinf(mosaic)] = np.nan  # outside every corridor: nodata
    protected = vectors.rasterize_cores(legal_reserves(reserves), grid).grid.values > 0
    cell_area_km2 = grid.cellsize ** 2 / 1e6
    rows = []
    for w in windows:
        cmask = w.corridor
        n = int(cmask.sum())
        unprot = int((cmask & ~protected[w.rows, w.cols]).sum())
        geom = vectors.cells_to_polygon(cmask, grid.transform, offset=(w.rows.start, w.cols.start))
        rows.append({"Link_ID": w.link_id, "Corr_km2": n * cell_area_km2,
                     "Unprot_Shr": unprot / n if n else 0.0, "geometry": geom})
    polygons = gpd.GeoDataFrame(rows, geometry="geometry", crs=grid.crs)
    return CorridorSet(windows=windows, mosaic=grid.with_values(mosaic, nodata=np.nan, name="corridor mosaic"),
                       protected=protected, polygons=polygons)


def corridor_windows(links, width: float) -> list[CorridorWindow]:
    """Each link's corridor (NLCC <= ``width``) with its two cores, cropped to their bounding box."""
    net = links.linkage
    core_grid = links.cores.grid.values
    out = []
    for rec in links.links.itertuples(index=False):
        nlcc = np.asarray(net.corridor(int(rec.Link_ID), width).values, dtype=np.float32)
        ca = core_grid == int(rec.From_Core)
        cb = core_grid == int(rec.To_Core)
        keep = np.isfinite(nlcc) | ca | cb
        rr = np.flatnonzero(keep.any(axis=1))
        cc = np.flatnonzero(keep.any(axis=0))
        r0, r1 = max(rr[0] - 1, 0), min(rr[-1] + 2, keep.shape[0])
        c0, c1 = max(cc[0] - 1, 0), min(cc[-1] + 2, keep.shape[1])
        rows, cols = slice(r0, r1), slice(c0, c1)
        out.append(CorridorWindow(int(rec.Link_ID), rows, cols, nlcc[rows, cols].copy(),
                                  ca[rows, cols].copy(), cb[rows, cols].copy()))
    return out
