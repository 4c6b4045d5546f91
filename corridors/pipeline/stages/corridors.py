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

    windows : one :class:`CorridorWindow` per link, in link order; mosaic_bands : the corridor
    mosaic as a :class:`rasters.WindowMosaic` (lowest NLCC over all corridors, NaN outside
    every corridor), assembled strip by strip from the windows when written; protected : bool
    array, cells in any reserve; polygons : GeoDataFrame ``Link_ID``, ``Corr_km2``,
    ``Unprot_Shr`` (share of the corridor's cells outside every reserve), polygon geometry.
    """

    windows: list[CorridorWindow]
    mosaic_bands: Any
    protected: np.ndarray
    polygons: Any

    @property
    def mosaic(self):
        """The corridor mosaic as a whole float32 Grid (built on each access: at scale, stream
        :attr:`mosaic_bands` instead)."""
        return self.mosaic_bands.to_grid()


def build_corridors(links, resistance, width: float, reserves) -> CorridorSet:
    """Corridors of every link in ``links`` (a :class:`~.links.LinkSet`), ``width`` in cost units;
    ``reserves``: the legal protected areas (what counts as protected, nodes or not)."""
    import geopandas as gpd

    import rasters
    import vectors

    from .nodes import legal_reserves

    grid = resistance
    windows = corridor_windows(links, width)
    mosaic = rasters.WindowMosaic(grid, [(w.rows.start, w.cols.start, w.nlcc) for w in windows], "min",
                                  "corridor mosaic")
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
    return CorridorSet(windows=windows, mosaic_bands=mosaic, protected=protected, polygons=polygons)


def corridor_windows(links, width: float) -> list[CorridorWindow]:
    """Each link's corridor (NLCC <= ``width``) with its two cores, cropped to their bounding box
    (plus one cell).

    Works on windows only: the NLCC where both cores' searches reached
    (:meth:`~corridors.leastcost.LinkageNetwork.corridor_window`) and the cores' bounding boxes,
    never a whole grid per link.
    """
    from scipy.ndimage import find_objects

    net = links.linkage
    core_grid = links.cores.grid.values
    boxes = find_objects(core_grid)
    nr, nc = core_grid.shape
    out = []
    for rec in links.links.itertuples(index=False):
        (ir0, ir1), (ic0, ic1), inner = net.corridor_window(int(rec.Link_ID), width)
        inner = np.asarray(inner, dtype=np.float32)
        finite = np.isfinite(inner)
        spans = [_span(boxes, int(rec.From_Core)), _span(boxes, int(rec.To_Core))]
        if finite.any():
            rr, cc = np.flatnonzero(finite.any(axis=1)), np.flatnonzero(finite.any(axis=0))
            spans.append((ir0 + rr[0], ir0 + rr[-1] + 1, ic0 + cc[0], ic0 + cc[-1] + 1))
        spans = [s for s in spans if s is not None]
        r0, r1 = max(min(s[0] for s in spans) - 1, 0), min(max(s[1] for s in spans) + 1, nr)
        c0, c1 = max(min(s[2] for s in spans) - 1, 0), min(max(s[3] for s in spans) + 1, nc)
        rows, cols = slice(r0, r1), slice(c0, c1)
        nlcc = np.full((r1 - r0, c1 - c0), np.inf, dtype=np.float32)
        a, b, c, d = max(r0, ir0), min(r1, ir1), max(c0, ic0), min(c1, ic1)
        if a < b and c < d:
            nlcc[a - r0:b - r0, c - c0:d - c0] = inner[a - ir0:b - ir0, c - ic0:d - ic0]
        sub = core_grid[rows, cols]
        out.append(CorridorWindow(int(rec.Link_ID), rows, cols, nlcc, sub == int(rec.From_Core),
                                  sub == int(rec.To_Core)))
    return out


def _span(boxes, core: int):
    """(r0, r1, c0, c1) of a core's cells, or None when it has none."""
    box = boxes[core - 1] if 0 < core <= len(boxes) else None
    if box is None:
        return None
    return box[0].start, box[0].stop, box[1].start, box[1].stop
