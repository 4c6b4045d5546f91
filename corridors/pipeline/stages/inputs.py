"""Stage 1: read the scenario's inputs (land cover, resistance table, reserves, countries) onto the
land cover's CRS, and add the new reserves the scenario's edits create."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ConfigError, CRSError, InputError
from ...scenario import ReserveEdit, Scenario

__all__ = ["RunInputs", "load_inputs", "edit_geometries"]

log = logging.getLogger(__name__)


@dataclass
class RunInputs:
    """Everything the run reads, in the land-cover grid's CRS.

    landcover : Grid; table : {code: resistance}; table_source : where the table came from;
    profile : SpeciesProfile; pas : GeoDataFrame (pa_id, name, iso3; new reserves included,
    ``new`` column; the embedded reserves with their ``legal`` flag, the DMZ halves too);
    countries, borders : GeoDataFrames; cities : towns (points with ``population``) or None; files : input files [(role, path)];
    sources : [{layer, source, licence}] for the report; extra_layers : the scenario's
    ``[[inputs.layers]]``; nodata_in_table : ``inputs.nodata_in_table`` (what a land-cover nodata
    value that is also a table class means).
    """

    landcover: Any
    table: dict
    table_source: str
    profile: Any
    pas: Any
    countries: Any
    borders: Any
    cities: Any = None
    files: list[tuple[str, Path]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    extra_layers: list[Any] = field(default_factory=list)
    nodata_in_table: str = "error"

    def source(self, layer: str, source: str, licence: str) -> None:
        self.sources.append({"layer": layer, "source": source, "licence": licence})


def load_inputs(scenario: Scenario) -> RunInputs:
    """Read land cover, table, reserves and countries; check CRS; add new reserves.

    ``scenario`` must be resolved (:meth:`Scenario.resolved`), so that its species profile is named.

    Raises
    ------
    CRSError
        Land cover in a geographic CRS, or a layer without CRS (the fix is in the message).
    ConfigError
        A new reserve reuses an existing ``pa_id``.
    """
    from ...datasets import dataset, species_profile

    inp = scenario.inputs
    ds = dataset(inp.dataset) if None in (inp.landcover, inp.protected_areas, inp.countries) else None
    profile = species_profile(scenario.species.profile)
    run = RunInputs(landcover=None, table={}, table_source="", profile=profile, pas=None, countries=None,
                    borders=None, extra_layers=list(inp.layers), nodata_in_table=inp.nodata_in_table)
    if ds is not None:
        _embedded_files(run, ds, inp)
    run.landcover = _landcover(run, ds, inp)
    run.source(f"species profile {profile.name}", str(profile.path or profile.name),
               "values marked 'assumption' are assumptions: " + ", ".join(profile.assumed))
    if inp.resistance_table is not None:
        import rasters

        run.table, run.table_source = rasters.load_reclass_table(inp.resistance_table)
        run.files.append(("resistance_table", inp.resistance_table))
    else:
        run.table, run.table_source = profile.resistance_table(), f"species profile {profile.name}"
    crs = run.landcover.crs
    run.pas = _reserves(run, ds, inp, crs)
    run.countries, run.borders = _countries(run, ds, inp, crs)
    run.cities = _cities(run, ds, inp, crs)
    run.pas = _with_new_reserves(run, scenario.edits, crs)
    for i, layer in enumerate(inp.layers):
        run.files.append((f"inputs.layers[{i}]", layer.path))
    for i, e in enumerate(scenario.edits):
        if not isinstance(e, ReserveEdit) and getattr(e, "path", None) is not None:
            run.files.append((f"edits[{i}].path", e.path))
    return run


def _embedded_files(run: RunInputs, ds, inp) -> None:
    from ...datasets import NEA_FILES
    from ...datasets._resources import data_path

    used = {"landcover": inp.landcover is None, "protected_areas": inp.protected_areas is None,
            "boundaries": inp.countries is None}
    for role, used_it in used.items():
        if used_it:
            with data_path(inp.dataset, NEA_FILES[role]) as p:
                run.files.append((f"embedded:{role}", Path(p)))
    for layer in ("landcover", "protected_areas", "countries", "borders"):
        run.source(layer, ds.sources.get(layer, ""), ds.licences.get(layer, ""))


def _landcover(run: RunInputs, ds, inp):
    import rasters

    if inp.landcover is None:
        landcover = ds.landcover
    else:
        landcover = rasters.read(inp.landcover, name=str(inp.landcover))
        run.files.append(("landcover", inp.landcover))
        run.source("landcover", str(inp.landcover), "user data")
    try:
        landcover.require_projected("corridor analysis (cost distances in metres)")
    except InputError as exc:
        raise type(exc)(f"inputs.landcover: {exc}") from exc
    return landcover


def _reserves(run: RunInputs, ds, inp, crs):
    import vectors

    if inp.protected_areas is None:
        pas = ds.reserves(include_not_legal=True)  # the nodes stage leaves the not-legal ones out
    else:
        pas = vectors.read_protected_areas(inp.protected_areas, layer=inp.protected_areas_layer,
                                           dissolve_duplicates=inp.dissolve_duplicates)
        run.files.append(("protected_areas", inp.protected_areas))
        run.source("protected_areas", str(inp.protected_areas), "user data")
    pas = _to_crs(pas, crs, "inputs.protected_areas")
    pas["new"] = False
    return pas


def _countries(run: RunInputs, ds, inp, crs):
    import vectors

    if inp.countries is None:
        return _to_crs(ds.countries, crs, "countries"), _to_crs(ds.borders, crs, "borders")
    countries = vectors.read_countries(inp.countries, inp.countries_layer)
    run.files.append(("countries", inp.countries))
    run.source("countries", str(inp.countries), "user data")
    countries = _to_crs(countries, crs, "inputs.countries")
    return countries, vectors.international_borders(countries)


def _cities(run: RunInputs, ds, inp, crs):
    """Towns for the human-pressure term: the user's points, or the embedded GeoNames towns."""
    import vectors

    if inp.cities is None:
        return None if ds is None else _to_crs(ds.cities, crs, "cities")
    towns = vectors.read_vector(inp.cities)
    if "population" not in towns.columns:
        raise InputError(f"inputs.cities: {inp.cities} has no 'population' column (columns: "
                         f"{[c for c in towns.columns if c != towns.geometry.name]}); add the number of inhabitants")
    pop = towns["population"]
    if not np.issubdtype(pop.dtype, np.number) or pop.isna().any() or (pop < 0).any():
        raise InputError(f"inputs.cities: {inp.cities}: 'population' must be a number >= 0 in every row")
    if not towns.geom_type.isin(["Point"]).all():
        raise InputError(f"inputs.cities: {inp.cities}: towns must be points")
    run.files.append(("cities", inp.cities))
    run.source("cities", str(inp.cities), "user data")
    return _to_crs(towns, crs, "inputs.cities")


def _with_new_reserves(run: RunInputs, edits, crs):
    """The reserves plus one row per ``type = "reserve"`` edit (``new`` = True)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    pas = run.pas
    new_rows = []
    for i, e in enumerate(edits):
        if isinstance(e, ReserveEdit):
            geom = edit_geometries(e, crs, f"edits[{i}]")
            new_rows.append({"pa_id": e.pa_id, "name": e.name, "iso3": e.iso3,
                             "geometry": shapely.union_all(np.asarray(geom, dtype=object)), "new": True})
            if e.path is not None:
                run.files.append((f"edits[{i}].path", e.path))
    if new_rows:
        clash = sorted(set(r["pa_id"] for r in new_rows) & set(pas["pa_id"].astype(str)))
        if clash:
            raise ConfigError(f"edits: new reserve pa_id {clash[0]!r} already exists among the protected areas; choose a new id")
        add = gpd.GeoDataFrame(new_rows, geometry="geometry", crs=crs)
        pas = gpd.GeoDataFrame(pd.concat([pas, add], ignore_index=True), geometry="geometry", crs=crs)
    return pas.reset_index(drop=True)


def _to_crs(gdf, crs, what: str):
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
