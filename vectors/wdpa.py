"""The World Database on Protected Areas (WDPA) as users download it from Protected Planet.

The public release comes as a File Geodatabase (one polygon and one point layer) or as Shapefiles
split into several parts (each a polygon and a point file); the global files are several GB, so
only the study extent is read (OGR's spatial filter). What is kept follows the WDPA statistics
methodology (UNEP-WCMC & IUCN, Protected Planet; WDPA User Manual):

* STATUS ``Designated``, ``Inscribed``, ``Established`` or ``Adopted`` (``Proposed`` and
  ``Not Reported`` are dropped and counted);
* PA_DEF ``1`` (protected areas; the WDPA_WDOECM release also holds OECMs, ``PA_DEF = 0``);
* MARINE ``0`` or ``1`` (``2``, marine only, is dropped unless ``keep_marine``);
* not a UNESCO-MAB Biosphere Reserve (``DESIG_ENG``), unless ``keep_mab`` (biosphere reserves
  are zoning designations that mostly overlay other sites and are left out of the statistics);
* point records become circles of their reported area ``REP_AREA`` (km²); points without an area
  are dropped and counted;
* sites coded with several countries (``ISO3 = "CHN;RUS"``) are split by country polygons when
  ``countries`` is given;
* overlapping and nested sites of one country are dissolved into non-overlapping units that keep
  the list of their WDPAIDs (:func:`vectors.dissolve_overlapping`).

Nothing from the WDPA is shipped with corridors: its licence forbids redistribution.
"""

from __future__ import annotations

import logging
import math
import os
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from rasters.errors import DataFormatError, InputError

from ._common import ISO3_SEPARATOR, iso3_set, repair_polygons
from .overlaps import DEFAULT_MIN_OVERLAP, MEMBER_SEPARATOR, dissolve_overlapping
from .pa_table import prepare_protected_areas

__all__ = [
    "WDPA_KEPT_STATUS",
    "WDPA_MAB_DESIGNATION",
    "WDPA_RELEASE_FIELDS",
    "CIRCLE_SEGMENTS",
    "WDPASource",
    "looks_like_wdpa",
    "find_wdpa_sources",
    "is_wdpa",
    "read_wdpa",
    "points_to_circles",
]

log = logging.getLogger("corridors.vectors")

#: STATUS values kept (WDPA statistics methodology); others are dropped and counted.
WDPA_KEPT_STATUS = ("Designated", "Inscribed", "Established", "Adopted")

#: DESIG_ENG of UNESCO-MAB Biosphere Reserves (international designation, WDPA User Manual).
WDPA_MAB_DESIGNATION = "UNESCO-MAB Biosphere Reserve"

#: Fields that mark a layer as a WDPA release (besides ``WDPAID``); all are in the polygon and
#: point layers of every release (Shapefile and File Geodatabase alike).
WDPA_RELEASE_FIELDS = ("WDPAID", "NAME", "DESIG_ENG", "STATUS", "MARINE", "REP_AREA", "ISO3")

#: Further fields read when present (``PARENT_ISO`` is the Shapefile's 10-character name of
#: ``PARENT_ISO3``).
_OPTIONAL_FIELDS = ("WDPA_PID", "PA_DEF", "DESIG", "DESIG_TYPE", "IUCN_CAT", "REP_M_AREA", "STATUS_YR",
                    "PARENT_ISO3", "PARENT_ISO")

#: Vertices of the circle that stands for a point record.
CIRCLE_SEGMENTS = 64

_VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")


@dataclass(frozen=True)
class WDPASource:
    """One WDPA layer: ``path`` (a file, a ``.gdb`` folder or a GDAL ``/vsizip/`` path) and ``layer``."""

    path: str
    layer: str
    geometry_type: str

    @property
    def is_points(self) -> bool:
        return "point" in self.geometry_type.lower()


def looks_like_wdpa(columns: Iterable[str]) -> bool:
    """True when ``columns`` hold every field of :data:`WDPA_RELEASE_FIELDS` (case-insensitive)."""
    have = {str(c).upper() for c in columns}
    return all(f in have for f in WDPA_RELEASE_FIELDS)


def _layers(path: str) -> list[tuple[str, str]]:
    try:
        return [(str(n), str(t)) for n, t in pyogrio.list_layers(path)]
    except Exception as exc:
        raise DataFormatError(f"{path}: cannot read as a vector data set ({exc})") from exc


def _fields(path: str, layer: str) -> list[str]:
    try:
        return [str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]]
    except Exception as exc:
        raise DataFormatError(f"{path}: cannot read layer {layer!r} ({exc})") from exc


def _sources_in(path: str) -> list[WDPASource]:
    """WDPA layers of one data set (file or .gdb); layers without geometry are skipped."""
    out = []
    for name, gtype in _layers(path):
        if gtype in ("None", "", None):
            continue
        if looks_like_wdpa(_fields(path, name)):
            out.append(WDPASource(path=path, layer=name, geometry_type=gtype))
    return out


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise DataFormatError(f"{path}: not a readable zip file ({exc})") from exc
    inner_zips = [n for n in names if n.lower().endswith(".zip")]
    if inner_zips:
        raise DataFormatError(
            f"{path} holds further zip files ({inner_zips[:3]}...): the WDPA Shapefile download is a "
            "zip of zips; unzip it once and pass the folder"
        )
    gdbs = sorted({n.split(".gdb/")[0] + ".gdb" for n in names if ".gdb/" in n})
    shps = [n for n in names if n.lower().endswith(".shp")]
    return [f"/vsizip/{path}/{n}" for n in [*gdbs, *shps]]


def find_wdpa_sources(source) -> list[WDPASource]:
    """The WDPA layers in a path, a list of paths, or a folder.

    Parameters
    ----------
    source : path-like or iterable of path-like
        A ``.gdb`` folder (its polygon and point layers), a Shapefile, GeoPackage or GeoJSON
        file, a zip file holding Shapefiles or a geodatabase, a folder (searched recursively for
        all of these, e.g. the unzipped ``..._shp_0``, ``_shp_1``, ``_shp_2`` parts), or a list of
        any of them.

    Returns
    -------
    list of WDPASource
        Layers whose fields include :data:`WDPA_RELEASE_FIELDS`, in path order.

    Raises
    ------
    DataFormatError
        A path does not exist, cannot be read, or holds no WDPA layer.
    """
    if isinstance(source, (str, os.PathLike)):
        items = [source]
    else:
        items = list(source)
        if not items:
            raise InputError("WDPA: an empty list of paths; give the downloaded files or their folder")
    out: list[WDPASource] = []
    for item in items:
        p = Path(item)
        if str(item).startswith("/vsi"):
            found = _sources_in(str(item))
        elif not p.exists():
            raise DataFormatError(f"{p}: no such file or folder")
        elif p.is_dir() and p.suffix.lower() == ".gdb":
            found = _sources_in(str(p))
        elif p.is_dir():
            found = []
            for sub in sorted(p.rglob("*")):
                if any(part.lower().endswith(".gdb") for part in sub.relative_to(p).parts[:-1]):
                    continue  # files inside a geodatabase folder
                if sub.is_dir() and sub.suffix.lower() == ".gdb":
                    found += _sources_in(str(sub))
                elif sub.is_file() and sub.suffix.lower() in _VECTOR_SUFFIXES:
                    found += _sources_in(str(sub))
                elif sub.is_file() and sub.suffix.lower() == ".zip":
                    for member in _zip_members(sub):
                        found += _sources_in(member)
        elif p.suffix.lower() == ".zip":
            found = [s for member in _zip_members(p) for s in _sources_in(member)]
        else:
            found = _sources_in(str(p))
        if not found:
            raise DataFormatError(
                f"{p}: no WDPA layer found (a WDPA layer has the fields {list(WDPA_RELEASE_FIELDS)}); "
                "pass the polygon and point files of the download, its .gdb folder or its folder"
            )
        out += found
    return out


def is_wdpa(source) -> bool:
    """True when ``source`` is (or holds) a WDPA release: see :func:`find_wdpa_sources`.

    A plain vector file is WDPA when one of its layers has the WDPA fields; a folder, a ``.gdb``,
    a zip or a list is always treated as WDPA (the other readers take one file).
    """
    if not isinstance(source, (str, os.PathLike)):
        return True
    p = Path(source)
    if p.is_dir() or p.suffix.lower() == ".zip":
        return True
    if not p.is_file() or p.suffix.lower() not in _VECTOR_SUFFIXES:
        return False
    return bool(_sources_in(str(p)))


def _extent_geometry(extent, extent_crs):
    """(shapely polygon, CRS) of the study extent, or (None, None)."""
    if extent is None:
        return None, None
    if isinstance(extent, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if extent.crs is None:
            raise InputError("WDPA extent: the layer has no CRS; set it with .set_crs(...)")
        return shapely.union_all(np.asarray(extent.geometry.values if isinstance(extent, gpd.GeoDataFrame)
                                            else extent.values, dtype=object)), CRS.from_user_input(extent.crs)
    if isinstance(extent, shapely.Geometry):
        return extent, CRS.from_user_input(extent_crs)
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise InputError(
            f"WDPA extent {extent!r}: give (xmin, ymin, xmax, ymax), a shapely geometry or a GeoDataFrame"
        ) from None
    if not (xmin < xmax and ymin < ymax):
        raise InputError(f"WDPA extent {extent!r}: need xmin < xmax and ymin < ymax")
    return shapely.box(xmin, ymin, xmax, ymax), CRS.from_user_input(extent_crs)


def _to_crs(geom, src: CRS, dst: CRS):
    if src.equals(dst):
        return geom
    return gpd.GeoSeries([shapely.segmentize(geom, _densify_step(geom))], crs=src).to_crs(dst).iloc[0]


def _densify_step(geom) -> float:
    xmin, ymin, xmax, ymax = geom.bounds
    return max(xmax - xmin, ymax - ymin) / 64 or 1.0


def _read_source(src: WDPASource, extent, extent_crs) -> gpd.GeoDataFrame:
    fields = _fields(src.path, src.layer)
    upper = {f.upper(): f for f in fields}
    wanted = [upper[f] for f in (*WDPA_RELEASE_FIELDS, *_OPTIONAL_FIELDS) if f in upper]
    info_crs = pyogrio.read_info(src.path, layer=src.layer).get("crs")
    if not info_crs:
        raise DataFormatError(f"{src.path} (layer {src.layer!r}): no CRS; the WDPA is in EPSG:4326")
    layer_crs = CRS.from_user_input(info_crs)
    kwargs = {}
    local = None
    if extent is not None:
        local = _to_crs(extent, extent_crs, layer_crs)
        kwargs["bbox"] = tuple(local.bounds)
    try:
        gdf = pyogrio.read_dataframe(src.path, layer=src.layer, columns=wanted, **kwargs)
    except Exception as exc:
        raise DataFormatError(f"{src.path}: cannot read layer {src.layer!r} ({exc})") from exc
    gdf = gdf.rename(columns={v: k for k, v in upper.items() if v in gdf.columns})
    if "PARENT_ISO" in gdf.columns and "PARENT_ISO3" not in gdf.columns:
        gdf = gdf.rename(columns={"PARENT_ISO": "PARENT_ISO3"})
    if gdf.crs is None:
        gdf = gdf.set_crs(layer_crs)
    if local is not None and len(gdf):
        shapely.prepare(local)
        gdf = gdf[shapely.intersects(local, np.asarray(gdf.geometry.values, dtype=object))]
    gdf = gdf.reset_index(drop=True)
    gdf["_point"] = src.is_points
    gdf["_source"] = f"{src.path}:{src.layer}"
    return gdf


def points_to_circles(points: gpd.GeoDataFrame, area_km2, *, segments: int = CIRCLE_SEGMENTS) -> gpd.GeoSeries:
    """Circles of the given areas around point (or multipoint) records, area-true.

    Each circle is drawn in a Lambert azimuthal equal-area projection centred on its own point,
    with the radius enlarged so that the ``segments``-gon, not the ideal circle, has the area,
    then taken back to the points' CRS. A multipoint's area is shared equally by its points.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Point or MultiPoint geometries with a CRS.
    area_km2 : array-like
        Area of each record, km² (> 0).
    segments : int
        Vertices per circle.

    Returns
    -------
    geopandas.GeoSeries
        Polygons (MultiPolygons for multipoints), index and CRS of ``points``.
    """
    if points.crs is None:
        raise InputError("point records have no CRS; set it first")
    area = np.asarray(area_km2, dtype=float)
    if len(area) != len(points) or not (np.isfinite(area) & (area > 0)).all():
        raise InputError("points_to_circles: need one finite area > 0 km2 per point")
    src = CRS.from_user_input(points.crs)
    to_lonlat = Transformer.from_crs(src, "EPSG:4326", always_xy=True)
    ngon = 0.5 * segments * math.sin(2 * math.pi / segments)
    angles = 2 * np.pi * np.arange(segments) / segments
    out = []
    for geom, a in zip(points.geometry.values, area):
        parts = shapely.get_parts(geom)
        r = math.sqrt(a / len(parts) * 1e6 / ngon)
        circles = []
        for pt in parts:
            lon, lat = to_lonlat.transform(pt.x, pt.y)
            laea = CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m +no_defs")
            back = Transformer.from_crs(laea, src, always_xy=True)
            x, y = back.transform(r * np.cos(angles), r * np.sin(angles))
            circles.append(shapely.Polygon(np.column_stack([x, y])))
        out.append(circles[0] if len(circles) == 1 else shapely.MultiPolygon(circles))
    return gpd.GeoSeries(out, index=points.index, crs=points.crs)


def _marine_code(values: pd.Series) -> np.ndarray:
    """MARINE as 0/1/2 (text in the Shapefile and geodatabase); -1 where unreadable."""
    num = pd.to_numeric(values, errors="coerce")
    return num.fillna(-1).astype(int).to_numpy()


def read_wdpa(
    source,
    *,
    extent=None,
    extent_crs="EPSG:4326",
    crs=None,
    countries: gpd.GeoDataFrame | None = None,
    keep_marine: bool = False,
    keep_mab: bool = False,
    keep_oecm: bool = False,
    statuses: Iterable[str] = WDPA_KEPT_STATUS,
    dissolve: bool = True,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    layers: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a WDPA download for the study extent as non-overlapping protected-area units.

    Parameters
    ----------
    source : path-like or iterable of path-like
        The download: a ``.gdb`` folder, the Shapefile parts (files or their folder), a zip of
        Shapefiles, or a list of these (see :func:`find_wdpa_sources`).
    extent : tuple, shapely geometry or GeoDataFrame, optional
        Study extent; only records whose geometry intersects it are read (OGR spatial filter on
        its bounding box, then an exact test). Default: everything (slow on the global files).
    extent_crs : optional
        CRS of a tuple or bare geometry ``extent`` (default lon/lat, EPSG:4326).
    crs : optional
        CRS of the result (e.g. the land-cover grid's). Default: the WDPA's (EPSG:4326).
    countries : geopandas.GeoDataFrame, optional
        Country polygons with ``iso3``; when given, multi-country sites are split by them
        (:func:`vectors.split_by_country`).
    keep_marine : bool
        Keep MARINE = 2 (marine-only) sites. Default False.
    keep_mab : bool
        Keep UNESCO-MAB Biosphere Reserves. Default False.
    keep_oecm : bool
        Keep OECMs (PA_DEF = 0) of the WDPA_WDOECM release. Default False.
    statuses : iterable of str
        STATUS values to keep. Default :data:`WDPA_KEPT_STATUS`.
    dissolve : bool
        Dissolve overlapping sites of one country into units (default). With False each site
        (WDPAID, parcels united) is one row.
    min_overlap : float
        Share of the smaller site two sites must overlap by to be dissolved together.
    layers : iterable of str, optional
        Read only these layers of the sources (default: every WDPA layer found).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit, in the :func:`vectors.read_protected_areas` schema: ``pa_id`` (WDPAID of
        the largest site of the unit, with ``_ISO`` appended to the pieces of a split site),
        ``name``, ``iso3``, ``wdpa_ids`` (every WDPAID of the unit, ``;``-joined), ``n_sites``,
        ``desig_eng``, ``iucn_cat``, ``status``, ``status_yr``, ``marine``, ``rep_area_km2``,
        ``from_point`` (the largest site was a point record), ``members``, ``n_parts``,
        ``repaired``, ``geometry``. ``attrs["wdpa_counts"]`` holds what was read and dropped
        (also logged at INFO level).

    Raises
    ------
    DataFormatError
        Unreadable or missing files, no WDPA layer, no CRS.
    InputError
        A bad extent or option; nothing left in the extent after filtering.
    """
    sources = _chosen_sources(source, layers)
    ext, ext_crs = _extent_geometry(extent, extent_crs)
    gdf, counts = _read_records(sources, ext, ext_crs)
    base_crs = gdf.crs
    gdf = _filter_records(gdf, counts, tuple(str(s) for s in statuses), keep_oecm=keep_oecm,
                          keep_marine=keep_marine, keep_mab=keep_mab)
    gdf = _points_as_circles(gdf, counts)
    if gdf.empty:
        raise InputError(f"WDPA: every record in the extent was dropped ({counts}); see the keep_* options")

    wdpa_id = pd.to_numeric(gdf["WDPAID"], errors="coerce")
    if wdpa_id.isna().any():
        raise DataFormatError(f"WDPA: {int(wdpa_id.isna().sum())} record(s) have no WDPAID ({counts['files']})")
    gdf["pa_id"] = wdpa_id.astype("int64").astype(str)
    geoms, reasons = repair_polygons(gdf.geometry, gdf["pa_id"].tolist(), "WDPA")
    gdf = gdf.set_geometry(geoms.values)
    site = _sites(gdf)
    counts["sites"] = int(len(site))
    site = _units(site, counts, crs if crs is not None else base_crs, countries, dissolve, min_overlap)
    out = prepare_protected_areas(site.drop(columns=["n_members"], errors="ignore"), source="WDPA")
    out.attrs["repaired"] = {**dict(reasons), **out.attrs.get("repaired", {})}
    out.attrs["wdpa_counts"] = counts
    log.info(
        "WDPA: %d record(s) read (%d points) from %d layer(s); dropped by STATUS %s, OECM %s, marine %s, "
        "UNESCO-MAB %s, points without REP_AREA %s; %d point(s) turned into circles; %d site(s) -> %d unit(s)",
        counts["read"], counts["read_points"], counts["layers"], counts["dropped_status"],
        counts.get("dropped_oecm", 0), counts.get("dropped_marine", 0), counts.get("dropped_mab", 0),
        counts["dropped_points_without_area"], counts["points_to_circles"], counts["sites"], counts["units"],
    )
    return out


def _chosen_sources(source, layers) -> list:
    """The WDPA layers of ``source`` (see :func:`find_wdpa_sources`), only ``layers`` if given."""
    sources = find_wdpa_sources(source)
    if layers is not None:
        chosen = {str(x) for x in ([layers] if isinstance(layers, str) else layers)}
        found = sorted({s.layer for s in sources})
        if not chosen <= set(found):
            raise DataFormatError(f"WDPA: no layer(s) {sorted(chosen - set(found))}; the WDPA layers are {found}")
        sources = [s for s in sources if s.layer in chosen]
    return sources


def _read_records(sources, ext, ext_crs) -> tuple[gpd.GeoDataFrame, dict]:
    """Every record in the extent, all layers in the first layer's CRS; and the counts so far."""
    frames = [_read_source(s, ext, ext_crs) for s in sources]
    frames = [f for f in frames if len(f)]
    counts: dict = {"files": sorted({s.path for s in sources}), "layers": len(sources)}
    if not frames:
        raise InputError(
            f"WDPA: no record intersects the study extent in {len(sources)} layer(s); check the "
            "extent and its CRS"
        )
    base_crs = CRS.from_user_input(frames[0].crs)
    frames = [f if CRS.from_user_input(f.crs).equals(base_crs) else f.to_crs(base_crs) for f in frames]
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=base_crs)
    counts["read"] = int(len(gdf))
    counts["read_points"] = int(gdf["_point"].sum())
    return gdf, counts


def _filter_records(gdf, counts: dict, keep_status, *, keep_oecm, keep_marine, keep_mab) -> gpd.GeoDataFrame:
    """Drop records by STATUS, OECM, marine, UNESCO-MAB and points without area; ``counts`` says how many."""

    def drop(mask, key):
        nonlocal gdf
        n = int(mask.sum())
        counts[key] = n
        gdf = gdf[~mask].reset_index(drop=True)

    status = gdf["STATUS"].fillna("Not Reported").astype(str)
    bad = ~status.isin(keep_status)
    counts["dropped_status"] = dict(sorted(Counter(status[bad]).items()))
    gdf = gdf[~bad].reset_index(drop=True)
    if "PA_DEF" in gdf.columns and not keep_oecm:
        drop(pd.to_numeric(gdf["PA_DEF"], errors="coerce").fillna(1).to_numpy() == 0, "dropped_oecm")
    marine = _marine_code(gdf["MARINE"])
    if not keep_marine:
        drop(marine == 2, "dropped_marine")
    if not keep_mab:
        drop(gdf["DESIG_ENG"].fillna("").astype(str).str.strip() == WDPA_MAB_DESIGNATION, "dropped_mab")
    rep = pd.to_numeric(gdf["REP_AREA"], errors="coerce").to_numpy(dtype=float)
    pts = gdf["_point"].to_numpy(dtype=bool)
    no_area = pts & ~(np.isfinite(rep) & (rep > 0))
    drop(no_area, "dropped_points_without_area")
    return gdf


def _points_as_circles(gdf, counts: dict) -> gpd.GeoDataFrame:
    """Point records replaced by area-true circles of their REP_AREA (:func:`points_to_circles`)."""
    pts = gdf["_point"].to_numpy(dtype=bool)
    if pts.any():
        rep = pd.to_numeric(gdf["REP_AREA"], errors="coerce").to_numpy(dtype=float)
        circles = points_to_circles(gdf[pts], rep[pts])
        geoms = np.asarray(gdf.geometry.values, dtype=object).copy()
        geoms[pts] = np.asarray(circles.values, dtype=object)
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, crs=gdf.crs).values)
    counts["points_to_circles"] = int(pts.sum())
    return gdf


def _units(site, counts: dict, out_crs, countries, dissolve: bool, min_overlap: float) -> gpd.GeoDataFrame:
    """Sites split by country (if given) and dissolved into units, in ``out_crs``.

    The work is done in the target CRS if projected, else in an equal-area one (EPSG:6933).
    """
    from .nodes import split_by_country

    work_crs = CRS.from_user_input(out_crs)
    if not work_crs.is_projected:
        work_crs = CRS.from_epsg(6933)  # equal-area, for splitting and overlap shares
    site = site.to_crs(work_crs)
    if countries is not None:
        before = len(site)
        site = split_by_country(site, countries.to_crs(work_crs)).drop(columns="source_pa_id")
        counts["split_multi_country"] = int(len(site) - before)
    if dissolve:
        wid = dict(zip(site["pa_id"], site["wdpa_ids"]))
        site = dissolve_overlapping(site, id_col="pa_id", group_col="iso3", min_overlap=min_overlap)
        site["wdpa_ids"] = [
            MEMBER_SEPARATOR.join(sorted({w for m in ms.split(MEMBER_SEPARATOR) for w in wid[m].split(MEMBER_SEPARATOR)},
                                         key=int))
            for ms in site["members"]
        ]
    else:
        site["members"] = site["pa_id"]
    site["n_sites"] = [len(w.split(MEMBER_SEPARATOR)) for w in site["wdpa_ids"]]
    counts["units"] = int(len(site))
    return site.to_crs(out_crs)


def _sites(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per WDPAID: parcels united, countries merged, attributes of the first parcel."""
    geom = np.asarray(gdf.geometry.values, dtype=object)
    rows, geoms = [], []
    for pid, idx in gdf.groupby("pa_id", sort=False).indices.items():
        first = gdf.iloc[idx[0]]
        codes = set().union(*(iso3_set(v) for v in gdf["ISO3"].iloc[idx]))
        rows.append({
            "pa_id": pid,
            "name": _text(first["NAME"]),
            "iso3": ISO3_SEPARATOR.join(sorted(codes)),
            "wdpa_ids": pid,
            "desig_eng": _text(first["DESIG_ENG"]),
            "iucn_cat": _text(first.get("IUCN_CAT")),
            "status": _text(first["STATUS"]),
            "status_yr": _year(first.get("STATUS_YR")),
            "marine": int(_marine_code(pd.Series([first["MARINE"]]))[0]),
            "rep_area_km2": float(pd.to_numeric(first["REP_AREA"], errors="coerce")),
            "from_point": bool(first["_point"]),
        })
        geoms.append(geom[idx[0]] if len(idx) == 1 else shapely.union_all(geom[idx]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=gdf.crs)


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _year(value) -> int:
    """STATUS_YR as an int (0 = not reported, as in the WDPA)."""
    num = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return 0 if pd.isna(num) else int(num)
