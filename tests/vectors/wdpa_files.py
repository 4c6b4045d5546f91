"""Small synthetic files in the exact schema of the public WDPA release (no WDPA data).

Field names and types follow the WDPA User Manual and the March 2025 public release as served by
Protected Planet: the Shapefile download's polygon layer has WDPAID (Real), WDPA_PID (String 52),
PA_DEF (String 20), NAME, ORIG_NAME, DESIG, DESIG_ENG (String 254), DESIG_TYPE, IUCN_CAT
(String 20), INT_CRIT (String 100), MARINE (String 20: "0", "1", "2"), REP_M_AREA, GIS_M_AREA,
REP_AREA, GIS_AREA (Real, km2), NO_TAKE (String 50), NO_TK_AREA (Real), STATUS (String 100),
STATUS_YR (Integer), GOV_TYPE, OWN_TYPE, MANG_AUTH, MANG_PLAN (String 254), VERIF (String 20),
METADATAID (Integer), SUB_LOC (String 100), PARENT_ISO (String 50; PARENT_ISO3 in the
geodatabase), ISO3 (String 50), SUPP_INFO (String 254), CONS_OBJ (String 100); the point layer
has the same fields without GIS_AREA and GIS_M_AREA, and MultiPoint geometries.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPoint, box

POLY_FIELDS = [
    "WDPAID", "WDPA_PID", "PA_DEF", "NAME", "ORIG_NAME", "DESIG", "DESIG_ENG", "DESIG_TYPE", "IUCN_CAT",
    "INT_CRIT", "MARINE", "REP_M_AREA", "GIS_M_AREA", "REP_AREA", "GIS_AREA", "NO_TAKE", "NO_TK_AREA",
    "STATUS", "STATUS_YR", "GOV_TYPE", "OWN_TYPE", "MANG_AUTH", "MANG_PLAN", "VERIF", "METADATAID",
    "SUB_LOC", "PARENT_ISO", "ISO3", "SUPP_INFO", "CONS_OBJ",
]
POINT_FIELDS = [f for f in POLY_FIELDS if f not in ("GIS_AREA", "GIS_M_AREA")]
_REAL = {"WDPAID", "REP_M_AREA", "GIS_M_AREA", "REP_AREA", "GIS_AREA", "NO_TK_AREA"}
_INT = {"STATUS_YR", "METADATAID"}

# lon/lat boxes near 43 N 131 E; the synthetic border between RUS (east) and CHN (west) is 131 E
SITES = [
    # wdpaid, pid, name, desig_eng, marine, status, pa_def, iso3, geometry (lon/lat), rep_area
    (1001, "1001", "Big park", "National Park", "0", "Designated", "1", "RUS", box(131.2, 43.0, 131.6, 43.3), 0),
    (1002, "1002", "Inner reserve", "Strict Nature Reserve", "0", "Designated", "1", "RUS",
     box(131.3, 43.1, 131.4, 43.2), 0),
    (1003, "1003", "Planned park", "National Park", "0", "Proposed", "1", "RUS", box(131.7, 43.0, 131.8, 43.1), 0),
    (1004, "1004", "Unknown status", "Nature Reserve", "0", "Not Reported", "1", "RUS",
     box(131.7, 43.2, 131.8, 43.3), 0),
    (1005, "1005", "Sea reserve", "Marine Reserve", "2", "Designated", "1", "RUS", box(131.9, 42.6, 132.1, 42.8), 0),
    (1006, "1006", "Biosphere", "UNESCO-MAB Biosphere Reserve", "1", "Designated", "1", "RUS",
     box(131.1, 42.9, 131.7, 43.4), 0),
    (1007, "1007_A", "Two parcels", "Wildlife Refuge", "1", "Established", "1", "RUS",
     box(132.0, 43.0, 132.1, 43.1), 0),
    (1007, "1007_B", "Two parcels", "Wildlife Refuge", "1", "Established", "1", "RUS",
     box(132.2, 43.0, 132.3, 43.1), 0),
    (1008, "1008", "Border reserve", "Nature Reserve", "0", "Inscribed", "1", "CHN;RUS",
     box(130.8, 43.5, 131.2, 43.7), 0),
    (1009, "1009", "Conserved area", "OECM", "0", "Designated", "0", "CHN", box(130.5, 43.0, 130.6, 43.1), 0),
    (1010, "1010", "Far away", "National Park", "0", "Designated", "1", "RUS", box(140.0, 50.0, 140.2, 50.2), 0),
    (1011, "1011", "Adopted plan", "Nature Reserve", "0", "Adopted", "1", "CHN", box(130.4, 43.4, 130.5, 43.45), 0),
]
POINTS = [
    (2001, "2001", "Point reserve", "Nature Reserve", "0", "Designated", "1", "CHN", MultiPoint([(130.6, 43.3)]), 100.0),
    (2002, "2002", "Point without area", "Nature Reserve", "0", "Designated", "1", "CHN",
     MultiPoint([(130.6, 43.6)]), 0.0),
    (2003, "2003", "Two points", "Nature Reserve", "0", "Established", "1", "CHN",
     MultiPoint([(130.3, 43.0), (130.3, 43.2)]), 50.0),
]

#: lon/lat study extent of the files (site 1010 is outside it)
EXTENT = (129.5, 42.0, 133.5, 44.5)


def countries_lonlat() -> gpd.GeoDataFrame:
    """Two synthetic countries split at 131 E (CHN west, RUS east)."""
    geoms = [shapely.segmentize(box(125, 38, 131, 50), 0.05), shapely.segmentize(box(131, 38, 140, 55), 0.05)]
    return gpd.GeoDataFrame({"iso3": ["CHN", "RUS"], "role": ["core", "core"]}, geometry=geoms, crs="EPSG:4326")


def _frame(records, fields, gdb: bool) -> gpd.GeoDataFrame:
    rows = []
    for wid, pid, name, desig_eng, marine, status, pa_def, iso3, geom, rep in records:
        row = {f: "" for f in fields}
        row.update({f: 0.0 for f in fields if f in _REAL})
        row.update({f: 0 for f in fields if f in _INT})
        gis_area = shapely.area(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:6933").iloc[0]) / 1e6
        row.update({
            "WDPAID": float(wid), "WDPA_PID": pid, "PA_DEF": pa_def, "NAME": name, "ORIG_NAME": name,
            "DESIG": desig_eng, "DESIG_ENG": desig_eng,
            "DESIG_TYPE": "International" if desig_eng.startswith("UNESCO") else "National",
            "IUCN_CAT": "Not Reported", "INT_CRIT": "Not Applicable", "MARINE": marine,
            "REP_AREA": rep if rep else round(gis_area, 3), "STATUS": status, "STATUS_YR": 2001,
            "GOV_TYPE": "Federal or national ministry or agency", "OWN_TYPE": "State", "MANG_AUTH": "Ministry",
            "MANG_PLAN": "Not Reported", "VERIF": "State Verified", "METADATAID": 1234, "SUB_LOC": "Not Reported",
            "PARENT_ISO": iso3, "ISO3": iso3, "NO_TAKE": "Not Applicable", "SUPP_INFO": "Not Applicable",
            "CONS_OBJ": "Not Applicable",
        })
        if "GIS_AREA" in fields:
            row["GIS_AREA"] = round(gis_area, 3)
        rows.append(row)
    df = pd.DataFrame(rows, columns=fields).astype({f: "int32" for f in fields if f in _INT})
    if gdb:
        df = df.rename(columns={"PARENT_ISO": "PARENT_ISO3"})
    # densified, so that boxes stay boxes (meridians and parallels) after reprojection
    return gpd.GeoDataFrame(df, geometry=[r[8] if r[8].geom_type == "MultiPoint" else shapely.segmentize(r[8], 0.01) for r in records], crs="EPSG:4326")


def polygons(gdb: bool = False, records=None) -> gpd.GeoDataFrame:
    return _frame(SITES if records is None else records, POLY_FIELDS, gdb)


def points(gdb: bool = False, records=None) -> gpd.GeoDataFrame:
    return _frame(POINTS if records is None else records, POINT_FIELDS, gdb)


def write_shapefile_download(folder, parts: int = 2) -> list:
    """The Shapefile download, unzipped: ``parts`` folders, each with a polygon and a point file."""
    written = []
    poly, pts = polygons(), points()
    for k in range(parts):
        sub = folder / f"WDPA_Mar2025_Public_shp_{k}"
        sub.mkdir(parents=True)
        p = sub / "WDPA_Mar2025_Public_shp-polygons.shp"
        q = sub / "WDPA_Mar2025_Public_shp-points.shp"
        pyogrio.write_dataframe(poly.iloc[k::parts], p, driver="ESRI Shapefile", encoding="UTF-8")
        pyogrio.write_dataframe(pts.iloc[k::parts], q, driver="ESRI Shapefile", encoding="UTF-8",
                                geometry_type="MultiPoint")
        written += [p, q]
    return written


def write_geodatabase(path) -> None:
    """The File Geodatabase download: a polygon and a point layer (plus a non-spatial table)."""
    pyogrio.write_dataframe(polygons(gdb=True), path, layer="WDPA_poly_Mar2025", driver="OpenFileGDB",
                            promote_to_multi=True)
    pyogrio.write_dataframe(points(gdb=True), path, layer="WDPA_point_Mar2025", driver="OpenFileGDB",
                            append=True, geometry_type="MultiPoint")
    table = pd.DataFrame({"METADATAID": pd.array([1234], dtype="int32"), "DATA_TITLE": ["synthetic"]})
    pyogrio.write_dataframe(table, path, layer="WDPA_source_Mar2025", driver="OpenFileGDB", append=True)
