"""The run's vector layers: built from the stage results, written to one GeoPackage (and
optionally Shapefiles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .tables import RANKING_COLUMNS
from .uncertainty import uncertainty_layers

__all__ = ["build_layers", "links_layer", "write_vectors", "GPKG_NAME", "LAYER_GEOMETRY"]

GPKG_NAME = "corridors.gpkg"

#: output layer -> QGIS geometry keyword
LAYER_GEOMETRY = {
    "protected_areas": "Polygon", "border_reserves": "Polygon", "borders": "Line", "links": "Line",
    "corridors": "Polygon", "pinch_points": "Point", "crossings": "Point", "gaps": "Polygon", "unlinked_pairs": "Line",
    "edits": "Line", "robust_corridors": "Polygon",
}


def build_layers(r) -> dict[str, Any]:
    """``{layer name: GeoDataFrame}`` of a run (:class:`~..results.StageResults` ``r``)."""
    node_cf = r.centrality.nodes
    pas = r.inputs.pas.copy()
    pas["CF_Central"] = pas["pa_id"].astype(str).map(node_cf).fillna(0.0).to_numpy()
    pas["Border_Res"] = pas["pa_id"].isin(r.links.border_reserves["pa_id"])
    br = r.links.border_reserves.copy()
    br["CF_Central"] = br["pa_id"].astype(str).map(node_cf).fillna(0.0).to_numpy()
    layers: dict[str, Any] = {
        "protected_areas": _clean(pas), "border_reserves": _clean(br), "borders": _clean(r.inputs.borders),
        "links": links_layer(r), "corridors": r.gaps.corridors, "pinch_points": r.pinch_points.points,
        "crossings": r.borders.crossings,
        "gaps": r.gaps.gaps, "unlinked_pairs": r.gaps.unlinked,
    }
    if len(r.resistance.edits):
        layers["edits"] = r.resistance.edits
    layers.update(uncertainty_layers(r))  # an [uncertainty] run's robust corridors
    return layers


def links_layer(r):
    """The ranked links (ranking.csv's columns) with their least-cost paths as lines."""
    import geopandas as gpd

    line_of = r.links.linkage.lines
    return gpd.GeoDataFrame(r.ranking[RANKING_COLUMNS].copy(),
                            geometry=[line_of.get(int(i)) for i in r.ranking["Link_ID"]], crs=r.inputs.pas.crs)


def write_vectors(folder: Path, layers: dict[str, Any], *, shapefiles: bool) -> list[str]:
    """GeoPackage with every layer (+ optional Shapefiles and their field-name mapping); the names written."""
    import vectors

    vectors.write_layers(folder / GPKG_NAME, layers, overwrite=False)
    if not shapefiles:
        return [GPKG_NAME]
    vectors.write_shapefiles(folder / "shapefiles", layers)
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
