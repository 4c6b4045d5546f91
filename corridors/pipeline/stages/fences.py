"""Fences along borders and crossing structures: the scenario edits ``type = "fence"`` with
``along`` and ``type = "crossing"``, turned into geometries and applied to the resistance.

The geometry work lives in :func:`vectors.border_lines` and :func:`rasters.open_crossings`; this
module only reads the edits and names them in errors.
"""

from __future__ import annotations

import numpy as np

from ...errors import ConfigError, InputError
from ...scenario import BorderFenceEdit, CrossingEdit

__all__ = ["border_fence_geometries", "apply_crossings"]


def border_fence_geometries(edit: BorderFenceEdit, borders, crs, key: str):
    """The fence's line (GeoSeries of one MultiLineString) in ``crs``.

    ``borders`` is the run's borders layer (already in ``crs``); ``bbox`` is in degrees,
    ``within`` in the edit's ``crs`` (default ``crs``).
    """
    import geopandas as gpd
    import shapely

    import vectors

    within = None
    if edit.within is not None:
        within = gpd.GeoSeries([shapely.from_wkt(edit.within)], crs=edit.crs or crs).to_crs(crs).iloc[0]
    try:
        line = vectors.border_lines(borders.to_crs(crs), list(edit.along), bbox=edit.bbox, within=within)
    except InputError as exc:
        raise ConfigError(f"{key} (fence {edit.name!r} along {'+'.join(edit.along)}): {exc}") from exc
    return gpd.GeoSeries([line], crs=crs)


def apply_crossings(resistance, unlined, lines, edits, crs):
    """Open every crossing edit in ``resistance``; returns (Grid, rows for the edits layer).

    Parameters
    ----------
    resistance : Grid
        With every road and fence burnt in.
    unlined : Grid
        The same surface without roads and fences (what a crossing gives back).
    lines : list of (GeoSeries, width_m)
        Every road and fence burnt, in the grid's CRS, with the width it was burnt with.
    edits : sequence of scenario edits
        Only the :class:`CrossingEdit` ones are used, in order.
    crs : the grid's CRS.
    """
    import logging

    import rasters

    from .inputs import edit_geometries

    log = logging.getLogger(__name__)
    rows = []
    geoms = [g for gs, _ in lines for g in gs]
    widths = [w for gs, w in lines for _ in gs]
    for i, e in enumerate(edits):
        if not isinstance(e, CrossingEdit):
            continue
        key = f"edits[{i}]"
        if not geoms:
            raise ConfigError(f"{key} (crossing {e.name!r}): there is no road or fence to cross; add "
                              "a road or fence edit (the crossing opens a gap in one)")
        points = edit_geometries(e, crs, key)
        try:
            out = rasters.open_crossings(resistance, unlined, points, geoms, width=e.width_m,
                                         line_widths=widths, name="resistance")
        except InputError as exc:
            hint = ("" if e.crs is not None else
                    f" The point was read in the land cover's CRS because the edit has no `crs`; "
                    f"if it is longitude/latitude add `crs = \"EPSG:4326\"` to {key}.")
            raise ConfigError(f"{key} (crossing {e.name!r}): {exc}.{hint}") from exc
        resistance = out.resistance
        for c in out.crossings:
            rows.append({"Edit": i, "Type": e.type, "Name": e.name, "geometry": c.strip})
        log.info("edit %d (crossing %s): %d gap(s), %d cells reopened", i, e.name, len(out.crossings),
                 int(np.sum([c.cells for c in out.crossings])))
    return resistance, rows
