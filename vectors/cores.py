"""Protected-area polygons to a core-id grid."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from rasters.errors import CRSError, InputError
from rasters.grid import Grid

from ._common import log

__all__ = ["CoreGrid", "rasterize_cores"]


@dataclass(frozen=True)
class CoreGrid:
    """Core ids on a grid.

    Attributes
    ----------
    grid : rasters.Grid
        int16 grid (int32 beyond 32,767 reserves, :func:`core_dtype`) on the template's
        georeference; 0 = no core, ``k`` = ``pa_ids[k - 1]``.
    pa_ids : tuple of str
        Reserve id of each core, in the row order of the input layer.
    cells : numpy.ndarray
        int64, cells held by each core (``cells[k - 1]`` for core ``k``).
    lost : tuple of str
        Reserves that got no cell: outside the grid, or sharing their only cell with a smaller
        reserve. Empty in the normal case; a warning is logged otherwise.
    """

    grid: Grid
    pa_ids: tuple[str, ...]
    cells: np.ndarray
    lost: tuple[str, ...] = ()

    def core_id(self, pa_id: str) -> int:
        """The core id (1-based) of a reserve."""
        try:
            return self.pa_ids.index(str(pa_id)) + 1
        except ValueError:
            raise InputError(f"no reserve {pa_id!r} among the {len(self.pa_ids)} cores") from None

    def mask(self, pa_id: str) -> np.ndarray:
        """Boolean mask of a reserve's cells."""
        return self.grid.values == self.core_id(pa_id)


def _cells_per_core(cores: np.ndarray, n: int) -> np.ndarray:
    """Cells of each core 1..n, counted a strip of rows at a time (``bincount`` first converts
    its input to 8-byte integers: on the whole grid that is 8 bytes a cell)."""
    counts = np.zeros(n + 1, np.int64)
    step = max(1, (1 << 21) // max(cores.shape[1], 1))
    for r in range(0, cores.shape[0], step):
        counts += np.bincount(cores[r:r + step].ravel(), minlength=n + 1)
    return counts[1:]


def core_dtype(n: int) -> np.dtype:
    """The cores grid's integer type for ``n`` reserves: int16 (2 bytes a cell) up to 32,767,
    int32 beyond."""
    return np.dtype(np.int16) if n <= np.iinfo(np.int16).max else np.dtype(np.int32)


def rasterize_cores(pas: gpd.GeoDataFrame, template: Grid) -> CoreGrid:
    """Burn protected areas into a core-id grid aligned with ``template``.

    A cell belongs to a reserve when its centre lies inside the polygon. Where reserves overlap,
    the smaller one (by polygon area) wins, so a reserve nested in a larger one keeps its own
    cells; ties go to the earlier row. A reserve that covers no cell centre (smaller than a cell,
    or thin) still gets the cell that contains its representative point
    (``shapely.point_on_surface``), taking it over from any larger reserve.

    Parameters
    ----------
    pas : geopandas.GeoDataFrame
        Protected areas with ``pa_id``, in the template's CRS.
    template : rasters.Grid
        Grid whose shape, transform and CRS the result shares.

    Returns
    -------
    CoreGrid
        Core ``k`` is ``pas.iloc[k - 1]``.
    """
    from rasters import rasterize  # helper R's rasterio bridge

    if "pa_id" not in pas.columns:
        raise InputError("protected areas: no 'pa_id' column; read them with vectors.read_protected_areas")
    if len(pas) == 0:
        raise InputError("protected areas: the layer is empty; at least one reserve is needed")
    if pas.crs is None or template.crs is None or CRS.from_user_input(pas.crs) != template.crs:
        a = CRS.from_user_input(pas.crs).name if pas.crs is not None else None
        b = template.crs.name if template.crs is not None else None
        raise CRSError(
            f"protected areas (CRS {a!r}) and grid {template.name!r} (CRS {b!r}) differ; "
            "reproject the reserves with pas.to_crs(grid.crs)"
        )
    ids = pas["pa_id"].astype(str).tolist()
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"protected areas: duplicated pa_id {dup[:10]}; dissolve them first")
    geoms = np.asarray(pas.geometry.values, dtype=object)
    area = shapely.area(geoms)
    n = len(geoms)
    # larger first so smaller reserves are burned last and win; on equal area the earlier row
    # is burned last and wins
    order = sorted(range(n), key=lambda k: (-area[k], -k))
    dtype = core_dtype(n)
    values = np.arange(1, n + 1, dtype=dtype)
    burned = rasterize(
        [geoms[k] for k in order], template, values=[int(values[k]) for k in order],
        all_touched=False, fill=0, dtype=dtype,
    )
    out = burned.values if burned.values.flags.writeable else burned.values.copy()
    counts = _cells_per_core(out, n)
    # reserves with no cell centre inside: give them the cell under a point on their surface,
    # smallest last so that it wins a shared cell
    empty = [k for k in order if counts[k] == 0]
    if empty:
        pts = shapely.point_on_surface(geoms[empty])
        rows, cols = template.rowcol(shapely.get_x(pts), shapely.get_y(pts))
        rows, cols = np.atleast_1d(rows), np.atleast_1d(cols)
        for k, r, c in zip(empty, rows.tolist(), cols.tolist()):
            if template.contains_cell(r, c):
                out[r, c] = values[k]
        counts = _cells_per_core(out, n)
    lost = tuple(ids[k] for k in range(n) if counts[k] == 0)
    if lost:
        log.warning(
            "%d reserve(s) got no cell on grid %s (outside it, or sharing their only cell with a "
            "smaller reserve): %s", len(lost), template.name, list(lost)[:20]
        )
    grid = template.with_values(out, nodata=None, name="cores")
    return CoreGrid(grid=grid, pa_ids=tuple(ids), cells=counts.astype(np.int64), lost=lost)
