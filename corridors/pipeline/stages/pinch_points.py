"""Stage 8: pinch points - local maxima of each link's current density inside its corridor and
outside every reserve (where all routes squeeze through) - and the current-density raster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PinchPoints", "find_pinch_points", "pinch_points"]

_COLUMNS = ["Link_ID", "Rank", "Current", "Row", "Col", "geometry"]


@dataclass
class PinchPoints:
    """Result of :func:`find_pinch_points`.

    points : GeoDataFrame ``PP_ID``, ``PP_Rank``, ``Link_ID``, ``Rank``, ``Current`` (A), ``Row``,
    ``Col``, point geometry, highest current first; current_bands : :class:`rasters.WindowMosaic`
    of the highest current density of any ranked link in each corridor cell outside its two
    reserves (NaN elsewhere), assembled strip by strip from the links' windows when written.
    """

    points: Any
    current_bands: Any

    @property
    def current(self):
        """The current density as a whole float32 Grid (built on each access: at scale, stream
        :attr:`current_bands` instead)."""
        return self.current_bands.to_grid()


def find_pinch_points(circuits, corridors, ranking, grid, cfg) -> PinchPoints:
    """The ``cfg.pinch_points_per_link`` worst pinch points of every link (``cfg``: ``[ranking]``)."""
    import geopandas as gpd
    import shapely

    import rasters

    pieces = []
    rank_of = dict(zip(ranking["Link_ID"], ranking["Rank"]))
    by_id = {w.link_id: w for w in corridors.windows}
    rows = []
    for r in circuits.results:
        if r.link_id not in rank_of:  # domestic links: stepping stones, not ranked corridors
            continue
        w = by_id[r.link_id]
        pieces.append((w.rows.start, w.cols.start, r.current.shape, _outside_reserves(w, r.current)))
        found = pinch_points(r.current, w.corridor, corridors.protected[w.rows, w.cols],
                             window=cfg.pinch_window, top=cfg.pinch_points_per_link)
        for rr, cc, val in found:
            row, col = rr + w.rows.start, cc + w.cols.start
            rows.append({"Link_ID": r.link_id, "Rank": int(rank_of[r.link_id]), "Current": val,
                         "Row": row, "Col": col, "geometry": shapely.Point(*grid.xy(row, col))})
    points = gpd.GeoDataFrame(rows, columns=_COLUMNS, geometry="geometry", crs=grid.crs)
    if len(points):
        points = points.sort_values(["Current", "Rank", "Row", "Col"], ascending=[False, True, True, True],
                                    kind="mergesort").reset_index(drop=True)
    points.insert(0, "PP_Rank", np.arange(1, len(points) + 1, dtype=np.int64))
    points.insert(0, "PP_ID", points["PP_Rank"].to_numpy())
    current = rasters.WindowMosaic(grid, pieces, "max", "current density")
    return PinchPoints(points=points, current_bands=current)


def _outside_reserves(window, current):
    """A callable giving the link's current in its corridor cells outside its two reserves (NaN
    elsewhere): the piece of the current-density mosaic, made when the mosaic is read."""

    def piece():
        return np.where(window.corridor & ~(window.core_a | window.core_b), current, np.nan)

    return piece


def pinch_points(current: np.ndarray, corridor: np.ndarray, protected: np.ndarray, *,
                 window: int = 5, top: int = 3) -> list[tuple[int, int, float]]:
    """Worst pinch points of one link: local maxima of current outside reserves.

    Parameters
    ----------
    current : 2-D float array
        Current density of the link's corridor circuit (A per cell); NaN or 0 outside.
    corridor : 2-D bool array
        Cells of the corridor.
    protected : 2-D bool array
        Cells inside any protected area.
    window : int
        Side of the square neighbourhood (cells) in which a pinch point must be the maximum.
    top : int
        How many to return.

    Returns
    -------
    list of (row, col, current)
        Highest current first; ties broken by row then column (deterministic).
    """
    from scipy import ndimage

    if top <= 0:
        return []
    cur = np.where(np.isfinite(current) & corridor, current, 0.0).astype(np.float64)
    local_max = ndimage.maximum_filter(cur, size=window, mode="constant", cval=0.0)
    cand = (cur > 0) & (cur >= local_max) & corridor & ~protected
    rr, cc = np.nonzero(cand)
    vals = cur[rr, cc]
    order = np.lexsort((cc, rr, -vals))[:top]
    return [(int(rr[i]), int(cc[i]), float(vals[i])) for i in order]
