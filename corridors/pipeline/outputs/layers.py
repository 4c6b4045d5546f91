"""The run's vector layers: built from the stage results, written to one GeoPackage (and
optionally Shapefiles); and the context layers drawn under them for orientation (countries, the
land cover's water), written to a GeoPackage of their own so the results file holds results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .tables import DOMESTIC_COLUMNS, RANKING_COLUMNS
from .uncertainty import uncertainty_layers

__all__ = ["build_layers", "build_context_layers", "links_layer", "write_vectors", "write_context",
           "GPKG_NAME", "CONTEXT_GPKG", "CONTEXT_CLASSES", "LAYER_GEOMETRY"]

GPKG_NAME = "corridors.gpkg"
CONTEXT_GPKG = "context.gpkg"

#: context layer drawn from the land cover -> the land-cover class names it covers
CONTEXT_CLASSES = {"water": ("water",)}

#: output layer -> QGIS geometry keyword
LAYER_GEOMETRY = {
    "protected_areas": "Polygon", "nodes": "Polygon", "border_reserves": "Polygon", "borders": "Line",
    "links": "Line", "domestic_links": "Line", "adjoining": "Line", "country_summary": "Polygon",
    "corridors": "Polygon", "pinch_points": "Point", "crossings": "Point", "gaps": "Polygon",
    "unlinked_pairs": "Line", "edits": "Line", "countries": "Polygon", "water": "Polygon", "robust_corridors": "Polygon",
    "restoration_sites": "Polygon",
    "flyway_sites": "Point", "flyway_legs": "Line",
}


def build_layers(r) -> dict[str, Any]:
    """``{layer name: GeoDataFrame or DataFrame}`` of a run (:class:`~..results.StageResults` ``r``);
    a DataFrame is an attribute table without geometry."""
    import geopandas as gpd

    nodes = r.links.nodes.join(r.connectivity.nodes, on="pa_id")
    countries = r.inputs.countries.set_index("iso3")
    summary = gpd.GeoDataFrame(r.countries, geometry=countries.geometry.reindex(r.countries["ISO3"]).values,
                               crs=countries.crs)
    layers: dict[str, Any] = {
        "protected_areas": _clean(r.inputs.pas), "nodes": _clean(nodes),
        "border_reserves": _clean(nodes[nodes["border"]]), "borders": _clean(r.inputs.borders),
        "links": links_layer(r), "domestic_links": domestic_layer(r), "adjoining": r.adjoining.layer,
        "corridors": r.gaps.corridors, "pinch_points": r.pinch_points.points, "crossings": r.borders.crossings,
        "gaps": r.gaps.gaps, "unlinked_pairs": r.gaps.unlinked, "country_summary": summary,
        "link_countries": r.borders.by_country, "restoration_sites": r.restoration.sites,
    }
    if len(r.resistance.edits):
        layers["edits"] = r.resistance.edits
    layers.update(uncertainty_layers(r))  # an [uncertainty] run's robust corridors
    return layers


def build_context_layers(r) -> dict[str, Any]:
    """``{layer name: GeoDataFrame}`` drawn for orientation: the countries, and one polygon layer per
    :data:`CONTEXT_CLASSES` entry (the land-cover cells of those classes, when the run's land-cover
    legend is known)."""
    import geopandas as gpd
    import numpy as np

    import vectors
    from .raster_classes import landcover_legend

    crs = r.inputs.pas.crs
    cols = [c for c in ("iso3", "name") if c in r.inputs.countries.columns]
    out: dict[str, Any] = {"countries": _clean(r.inputs.countries[cols + [r.inputs.countries.geometry.name]])}
    legend = landcover_legend(r)
    if legend is None:
        return out
    from rasters.blocks import GridBands, strips

    lc = r.inputs.landcover
    for layer, class_names in CONTEXT_CLASSES.items():
        codes = [c for c, n in legend.items() if n in class_names]
        # the class's cells strip by strip (no whole-grid mask)
        geom = vectors.strips_to_polygon(((r0, np.isin(np.asarray(rows), codes)) for r0, _, rows in strips(GridBands(lc))),
                                         lc.transform)
        if not geom.is_empty:
            out[layer] = gpd.GeoDataFrame({"classes": [", ".join(class_names)]}, geometry=[geom], crs=crs)
    return out


def write_context(folder: Path, layers: dict[str, Any]) -> list[str]:
    """The context GeoPackage; the names written."""
    import vectors

    vectors.write_layers(folder / CONTEXT_GPKG, layers, overwrite=False)
    return [CONTEXT_GPKG]


def links_layer(r):
    """The ranked links (ranking.csv's columns) with their least-cost paths as lines."""
    return _paths(r, r.ranking[RANKING_COLUMNS])


def domestic_layer(r):
    """The domestic links (domestic_links.csv's columns) with their least-cost paths."""
    return _paths(r, r.domestic[DOMESTIC_COLUMNS])


def _paths(r, table):
    import geopandas as gpd

    line_of = r.links.linkage.lines
    return gpd.GeoDataFrame(table.copy(), geometry=[line_of.get(int(i)) for i in table["Link_ID"]],
                            crs=r.inputs.pas.crs)


def write_vectors(folder: Path, layers: dict[str, Any], *, shapefiles: bool) -> list[str]:
    """GeoPackage with every layer (+ optional Shapefiles and their field-name mapping); the names written."""
    import vectors

    vectors.write_layers(folder / GPKG_NAME, layers, overwrite=False)
    if not shapefiles:
        return [GPKG_NAME]
    import geopandas as gpd

    # attribute tables without geometry are in the GeoPackage and the CSV files, not Shapefiles
    vectors.write_shapefiles(folder / "shapefiles", {k: v for k, v in layers.items() if isinstance(v, gpd.GeoDataFrame)})
    return [GPKG_NAME, "shapefiles/"]


def _clean(gdf):
    """Text for object columns (GeoPackage stores no other objects)."""
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out
