"""Step 1: load the scenario's inputs and build the resistance surface (with the edits burnt in)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, InputError
from ..scenario import AreaEdit, LineEdit, ReserveEdit, Scenario

__all__ = ["LoadedInputs", "load_inputs", "build_resistance", "edit_geometries"]

log = logging.getLogger(__name__)


@dataclass
class LoadedInputs:
    """Everything the pipeline reads, in the land-cover grid's CRS.

    landcover : Grid; table : {code: resistance}; table_source : where the table came from;
    profile : SpeciesProfile; max_cost_distance : cost units; pas : GeoDataFrame (pa_id, name, iso3;
    new reserves included, ``new`` column); countries, borders : GeoDataFrames; files : input
    files [(role, path)]; sources : [{layer, source, licence}] for the report.
    """

    landcover: Any
    table: dict
    table_source: str
    profile: Any
    max_cost_distance: float
    pas: Any
    countries: Any
    borders: Any
    files: list[tuple[str, Path]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    extra_layers: list[Any] = field(default_factory=list)


def _species(scenario: Scenario):
    from ..datasets import species_profile

    name = scenario.species.profile or "generalist"
    try:
        return species_profile(name)
    except ConfigError as exc:
        raise ConfigError(f"species.profile: {exc}") from exc


def load_inputs(scenario: Scenario) -> LoadedInputs:
    """Read land cover, table, reserves and countries; check CRS; add new reserves.

    Raises
    ------
    CRSError
        Land cover in a geographic CRS (the fix is in the message).
    ConfigError
        A new reserve reuses an existing ``pa_id``.
    """
    import geopandas as gpd
    import pandas as pd

    import rasters
    import vectors

    inp = scenario.inputs
    files: list[tuple[str, Path]] = []
    sources: list[dict[str, str]] = []
    need_embedded = any(p is None for p in (inp.landcover, inp.protected_areas, inp.countries))
    ds = None
    if need_embedded:
        from ..datasets import nea

        ds = nea()
        from ..datasets import nea as _nea_mod  # noqa: F401 - for the file list below
        from ..datasets.nea import NEA_FILES
        from ..datasets._resources import data_path

        used = {"landcover": inp.landcover is None, "protected_areas": inp.protected_areas is None,
                "boundaries": inp.countries is None}
        for role, used_it in used.items():
            if used_it:
                with data_path("nea", NEA_FILES[role]) as p:
                    files.append((f"embedded:{role}", Path(p)))
        for layer in ("landcover", "protected_areas", "countries", "borders"):
            sources.append({"layer": layer, "source": ds.sources.get(layer, ""), "licence": ds.licences.get(layer, "")})

    # land cover
    if inp.landcover is not None:
        landcover = rasters.read(inp.landcover, name=str(inp.landcover))
        files.append(("landcover", inp.landcover))
        sources.append({"layer": "landcover", "source": str(inp.landcover), "licence": "user data"})
    else:
        landcover = ds.landcover
    try:
        landcover.require_projected("corridor analysis (cost distances in metres)")
    except InputError as exc:
        raise type(exc)(f"inputs.landcover: {exc}") from exc

    profile = _species(scenario)
    sources.append({"layer": f"species profile {profile.name}", "source": str(profile.path or profile.name),
                    "licence": "values marked 'assumption' are assumptions: " + ", ".join(profile.assumed)})
    if inp.resistance_table is not None:
        table, table_source = rasters.load_reclass_table(inp.resistance_table)
        files.append(("resistance_table", inp.resistance_table))
    else:
        table, table_source = profile.resistance_table(), f"species profile {profile.name}"
    mcd = scenario.parameters.max_cost_distance or float(profile.max_cost_distance)

    # reserves
    crs = landcover.crs
    if inp.protected_areas is not None:
        pas = vectors.read_protected_areas(inp.protected_areas, layer=inp.protected_areas_layer,
                                           dissolve_duplicates=inp.dissolve_duplicates)
        files.append(("protected_areas", inp.protected_areas))
        sources.append({"layer": "protected_areas", "source": str(inp.protected_areas), "licence": "user data"})
    else:
        pas = ds.protected_areas
    pas = _to_crs(pas, crs, "inputs.protected_areas")
    pas["new"] = False

    # countries and borders
    if inp.countries is not None:
        countries = vectors.read_countries(inp.countries, inp.countries_layer)
        files.append(("countries", inp.countries))
        countries = _to_crs(countries, crs, "inputs.countries")
        borders = vectors.international_borders(countries)
        sources.append({"layer": "countries", "source": str(inp.countries), "licence": "user data"})
    else:
        countries = _to_crs(ds.countries, crs, "countries")
        borders = _to_crs(ds.borders, crs, "borders")

    # new reserves (edits)
    new_rows = []
    for i, e in enumerate(scenario.edits):
        if isinstance(e, ReserveEdit):
            geom = edit_geometries(e, crs, f"edits[{i}]")
            import shapely

            new_rows.append({"pa_id": e.pa_id, "name": e.name, "iso3": e.iso3,
                             "geometry": shapely.union_all(np.asarray(geom, dtype=object)), "new": True})
            if e.path is not None:
                files.append((f"edits[{i}].path", e.path))
    if new_rows:
        clash = sorted(set(r["pa_id"] for r in new_rows) & set(pas["pa_id"].astype(str)))
        if clash:
            raise ConfigError(f"edits: new reserve pa_id {clash[0]!r} already exists among the protected areas; choose a new id")
        add = gpd.GeoDataFrame(new_rows, geometry="geometry", crs=crs)
        pas = gpd.GeoDataFrame(pd.concat([pas, add], ignore_index=True), geometry="geometry", crs=crs)

    extra = []
    for i, layer in enumerate(inp.layers):
        files.append((f"inputs.layers[{i}]", layer.path))
        extra.append(layer)
    for i, e in enumerate(scenario.edits):
        if not isinstance(e, ReserveEdit) and e.path is not None:
            files.append((f"edits[{i}].path", e.path))
    return LoadedInputs(landcover=landcover, table=table, table_source=table_source, profile=profile,
                        max_cost_distance=float(mcd), pas=pas.reset_index(drop=True), countries=countries,
                        borders=borders, files=files, sources=sources, extra_layers=extra)


def _to_crs(gdf, crs, what: str):
    from ..errors import CRSError

    if gdf.crs is None:
        raise CRSError(f"{what}: the layer has no CRS; define it (e.g. in QGIS or with gdf.set_crs) and retry")
    return gdf.to_crs(crs)


def edit_geometries(edit, crs, key: str):
    """The edit's geometries (GeoSeries) in ``crs`` (from WKT or a vector file)."""
    import geopandas as gpd
    import shapely

    import vectors

    if edit.wkt is not None:
        src_crs = edit.crs or crs
        gs = gpd.GeoSeries([shapely.from_wkt(edit.wkt)], crs=src_crs)
    else:
        gdf = vectors.read_vector(edit.path, layer=edit.layer)
        gs = gdf.geometry
        if edit.crs is not None:
            gs = gs.set_crs(edit.crs, allow_override=True)
        if gs.crs is None:
            raise ConfigError(f"{key}.path: {edit.path} has no CRS; add `crs = \"EPSG:...\"` to the edit")
    return gs.to_crs(crs)


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


def build_resistance(loaded: LoadedInputs, scenario: Scenario):
    """Reclassify, combine extra layers, burn the edits; returns (resistance Grid, edits GeoDataFrame).

    Raises
    ------
    MissingClassesError
        Land-cover codes missing from the table (all listed).
    ResistanceValueError
        A value <= 0 after the edits.
    """
    import geopandas as gpd

    import rasters

    lc = loaded.landcover
    from ..errors import MissingClassesError

    try:
        res = rasters.reclassify(lc, loaded.table, name="resistance",
                                 nodata_in_table=scenario.inputs.nodata_in_table)
    except MissingClassesError as exc:
        raise MissingClassesError(
            f"inputs.landcover / resistance table ({loaded.table_source}): {exc}. Give a table that "
            "covers every class with inputs.resistance_table, or pick another species.profile",
            exc.missing,
        ) from exc
    for i, layer in enumerate(loaded.extra_layers):
        g = rasters.read(layer.path, name=f"inputs.layers[{i}] {layer.path}")
        g = rasters.resample_to(g, lc, resampling=layer.resampling)
        if layer.kind == "slope":
            g = rasters.slope_resistance(g)
        res = rasters.combine([res, g], layer.combine, name="resistance", nonpositive=layer.nonpositive)
    drawn = []
    for i, e in enumerate(scenario.edits):
        if isinstance(e, ReserveEdit):
            continue
        geoms = edit_geometries(e, lc.crs, f"edits[{i}]")
        _check_edit_inside(geoms, lc, e, i)
        before = res.values
        label = f"edits[{i}] ({e.type} {e.name!r})"
        if isinstance(e, LineEdit):
            res = rasters.burn_lines(res, geoms, width=e.width_m, value=e.resistance, rule=e.rule, name="resistance",
                                     label=label, keys={"width": "width_m", "value": "resistance"})
        elif isinstance(e, AreaEdit):
            res = rasters.apply_polygons(res, geoms, value=e.value, rule=e.rule, name="resistance", label=label)
        for g in geoms:
            drawn.append({"Edit": i, "Type": e.type, "Name": e.name, "geometry": g})
        changed = int(np.count_nonzero(~((res.values == before) | (np.isnan(res.values) & np.isnan(before)))))
        log.info("edit %d (%s %s) applied: %d cells changed", i, e.type, e.name, changed)
    rasters.check_resistance(res)
    edits = gpd.GeoDataFrame(drawn, columns=["Edit", "Type", "Name", "geometry"], geometry="geometry", crs=lc.crs)
    return res, edits
