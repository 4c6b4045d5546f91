"""Stage 2: the resistance surface - the land cover reclassified by the species' table, extra
layers combined, and the scenario's road, fence and area edits burnt in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import ConfigError, MissingClassesError
from ...scenario import AreaEdit, BorderFenceEdit, CrossingEdit, LineEdit, ReserveEdit
from .fences import apply_crossings, border_fence_geometries
from .inputs import edit_geometries

__all__ = ["Resistance", "build_resistance"]

log = logging.getLogger(__name__)


@dataclass
class Resistance:
    """Result of :func:`build_resistance`: grid, the resistance Grid (> 0 or nodata); edits, a
    GeoDataFrame of the edits drawn (``Edit``, ``Type``, ``Name``, geometry)."""

    grid: Any
    edits: Any


def build_resistance(inputs, edits) -> Resistance:
    """Reclassify the land cover, combine the extra layers, burn the edits.

    Parameters
    ----------
    inputs : RunInputs
        From :func:`~.inputs.load_inputs`.
    edits : sequence of scenario edits
        Road, fence (own line or along a border) and area edits are burnt in order, then the
        crossings open gaps in the lines; new reserves are not burnt (they are reserves).

    Raises
    ------
    MissingClassesError
        Land-cover codes missing from the table (all listed).
    ResistanceValueError
        A value <= 0 after the edits.
    """
    import geopandas as gpd

    import rasters

    lc = inputs.landcover
    try:
        res = rasters.reclassify(lc, inputs.table, name="resistance", nodata_in_table=inputs.nodata_in_table)
    except MissingClassesError as exc:
        raise MissingClassesError(
            f"inputs.landcover / resistance table ({inputs.table_source}): {exc}. Give a table that "
            "covers every class with inputs.resistance_table, or pick another species.profile",
            exc.missing,
        ) from exc
    for i, layer in enumerate(inputs.extra_layers):
        g = rasters.read(layer.path, name=f"inputs.layers[{i}] {layer.path}")
        g = rasters.resample_to(g, lc, resampling=layer.resampling)
        if layer.kind == "slope":
            g = rasters.slope_resistance(g)
        res = rasters.combine([res, g], layer.combine, name="resistance", nonpositive=layer.nonpositive)
    drawn = []
    unlined = res  # the surface without roads and fences: what a crossing gives back
    lines = []  # (geometries, width) of every road and fence, for the crossings
    for i, e in enumerate(edits):
        if isinstance(e, (ReserveEdit, CrossingEdit)):  # crossings: after every line, below
            continue
        if isinstance(e, BorderFenceEdit):
            geoms = border_fence_geometries(e, inputs.borders, lc.crs, f"edits[{i}]")
        else:
            geoms = edit_geometries(e, lc.crs, f"edits[{i}]")
            _check_edit_inside(geoms, lc, e, i)
        before = res.values
        label = f"edits[{i}] ({e.type} {e.name!r})"
        if isinstance(e, (LineEdit, BorderFenceEdit)):
            res = rasters.burn_lines(res, geoms, width=e.width_m, value=e.resistance, rule=e.rule, name="resistance",
                                     label=label, keys={"width": "width_m", "value": "resistance"})
            lines.append((geoms, e.width_m))
        elif isinstance(e, AreaEdit):
            res = rasters.apply_polygons(res, geoms, value=e.value, rule=e.rule, name="resistance", label=label)
            unlined = rasters.apply_polygons(unlined, geoms, value=e.value, rule=e.rule, name="resistance")
        for g in geoms:
            drawn.append({"Edit": i, "Type": e.type, "Name": e.name, "geometry": g})
        changed = int(np.count_nonzero(~((res.values == before) | (np.isnan(res.values) & np.isnan(before)))))
        log.info("edit %d (%s %s) applied: %d cells changed", i, e.type, e.name, changed)
    if any(isinstance(e, CrossingEdit) for e in edits):
        res, crossing_rows = apply_crossings(res, unlined, lines, edits, lc.crs)
        drawn += crossing_rows
    rasters.check_resistance(res)
    layer = gpd.GeoDataFrame(drawn, columns=["Edit", "Type", "Name", "geometry"], geometry="geometry", crs=lc.crs)
    return Resistance(grid=res, edits=layer)


def _check_edit_inside(geoms, grid, edit, index: int) -> None:
    """Refuse an edit that misses the grid: almost always a CRS mistake (degrees read as metres).

    An edit without ``crs`` is taken to be in the land cover's CRS; lon/lat coordinates then land
    a fraction of a metre from the projection's origin. Rather than burn nothing (or the wrong
    place) silently, say so and name the fix.
    """
    import shapely

    left, bottom, right, top = grid.bounds
    extent = shapely.box(left, bottom, right, top)
    union = shapely.union_all(list(geoms))
    if union.is_empty or not union.intersects(extent):
        crs_hint = (
            f" Its coordinates were read in the land cover's CRS because the edit has no `crs`; "
            f"if they are longitude/latitude add `crs = \"EPSG:4326\"` to edits[{index}]."
            if edit.crs is None else ""
        )
        raise ConfigError(
            f"edits[{index}] ({edit.type} {edit.name!r}): the geometry (bounds "
            f"{tuple(round(v, 3) for v in union.bounds) if not union.is_empty else 'empty'}) lies "
            f"outside the grid (bounds {tuple(round(v) for v in grid.bounds)}).{crs_hint}"
        )
    cell = grid.cellsize
    if union.length < cell / 100 and union.area < (cell / 100) ** 2:
        raise ConfigError(
            f"edits[{index}] ({edit.type} {edit.name!r}): the geometry is {union.length:.3g} map units "
            f"long, under a hundredth of a cell ({cell:g}); are its coordinates in degrees? Add "
            f"`crs = \"EPSG:4326\"` to edits[{index}] if so"
        )
