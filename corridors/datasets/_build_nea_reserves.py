"""Build the approximate reserve shapes of the embedded NEA dataset.

Run from a source checkout (deterministic: the same table and data give the same file)::

    python -m corridors.datasets._build_nea_reserves            # writes nea/nea_reserves_laea.gpkg
    python -m corridors.datasets._build_nea_reserves --check    # rebuild in memory, compare, report

Input: ``nea/nea_border_pas.csv`` (one row per reserve: representative point, reported area,
habitat, nesting, adjoining reserves, sources) and the embedded land cover and country polygons.
Output: ``nea/nea_reserves_laea.gpkg`` with layers ``reserves`` (the table's columns, the shape and
its checks), ``adjacency`` (every listed pair and its gap) and ``build_info`` (the table's SHA-256
and the build settings; the loader refuses a GeoPackage built from another table).

Shapes are grown by :mod:`corridors.datasets._reserve_shapes` on a 1 km grid (the 5 km land-cover
cells cut 5 x 5). The Korean DMZ is a geometric strip instead: 2 km either side of the KOR-PRK land
border, split into its two sovereign halves.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ..errors import DataFormatError
from . import _reserve_shapes as rs

__all__ = [
    "FACTOR",
    "ITERATIONS",
    "DMZ_HALF_WIDTH_M",
    "ASSUMED_AREA_KM2",
    "TABLE_COLUMNS",
    "read_table",
    "build",
    "main",
]

#: Fine-grid cells per land-cover cell side (5 km / 5 = 1 km cells).
FACTOR = 5
#: Growth runs; after each, quotas are rescaled by target / obtained area (clipping to the country).
ITERATIONS = 3
#: Half width of the DMZ strip (metres): 2 km either side of the Military Demarcation Line.
DMZ_HALF_WIDTH_M = 2000.0
#: Area given to a reserve whose area is not known (km²): a 5 km radius, an assumption.
ASSUMED_AREA_KM2 = math.pi * 5.0**2

TABLE_COLUMNS = (
    "pa_id", "name", "iso3", "designation", "iucn_cat", "established", "area_km2", "area_conf", "marine_km2",
    "lon", "lat", "coord_conf", "location_note", "habitat", "within", "adjoins_pa_ids", "complex",
    "focus_species", "legal", "wdpa_id", "source", "source_check", "note",
)

_HERE = Path(__file__).resolve().parent
TABLE = _HERE / "nea" / "nea_border_pas.csv"
OUTPUT = _HERE / "nea" / "nea_reserves_laea.gpkg"


def table_sha256(path: Path = TABLE) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _codes(value) -> list[str]:
    return [p.strip() for p in str(value).split(";") if p.strip() and p.strip() != "-"]


def read_table(path: Path = TABLE) -> pd.DataFrame:
    """Read and validate the reserve table (column set, ids, codes, references between rows)."""
    df = pd.read_csv(path, keep_default_na=False, dtype=str)
    cols = tuple(df.columns)
    if cols != TABLE_COLUMNS:
        raise DataFormatError(f"{path}: columns {list(cols)}; expected {list(TABLE_COLUMNS)}")
    ids = df["pa_id"].str.strip()
    if (ids == "").any() or ids.duplicated().any():
        raise DataFormatError(f"{path}: blank or duplicated pa_id {ids[ids.duplicated()].tolist()}")
    known = set(ids)
    bad_iso = df.loc[~df["iso3"].str.fullmatch(r"[A-Z]{3}"), "pa_id"].tolist()
    if bad_iso:
        raise DataFormatError(f"{path}: rows {bad_iso} need one ISO alpha-3 code in iso3 (split multi-country sites)")
    habitats = set(rs.HABITAT_COSTS) | {"strip"}
    bad_hab = df.loc[~df["habitat"].isin(habitats), "pa_id"].tolist()
    if bad_hab:
        raise DataFormatError(f"{path}: rows {bad_hab} have a habitat outside {sorted(habitats)}")
    for col in ("within", "adjoins_pa_ids"):
        for pid, v in zip(ids, df[col]):
            unknown = [c for c in _codes(v) if c not in known]
            if unknown:
                raise DataFormatError(f"{path}: {pid}.{col} names unknown reserve(s) {unknown}")
    if not df["legal"].isin(["true", "false"]).all():
        raise DataFormatError(f"{path}: legal must be 'true' or 'false'")
    out = df.copy()
    out["pa_id"] = ids
    for col in ("area_km2", "marine_km2", "lon", "lat"):
        out[col] = pd.to_numeric(out[col].replace("", np.nan), errors="raise")
    out["legal"] = out["legal"] == "true"
    if (out["area_km2"] <= 0).any():
        raise DataFormatError(f"{path}: area_km2 must be > 0 (blank when unknown)")
    return out


def _base():
    """Land cover, countries and borders of the embedded dataset (without the reserves)."""
    from .north_east_asia import _load_base

    return _load_base()


#: Smooth random roughness of the growth cost (see :func:`_reserve_shapes.smooth_roughness`):
#: correlation length (cells of 1 km), strength and seed. Breaks the octagons that a uniform cost
#: distance draws over uniform land cover; an assumption, not data.
ROUGHNESS = {"sigma_cells": 6.0, "strength": 0.5, "seed": 20261101}


def _fine_grid(landcover, countries, elevation=None) -> rs.FineGrid:
    from affine import Affine

    from rasters import Grid, rasterize

    nrows, ncols = landcover.shape
    t = landcover.transform
    fine_t = t * Affine.scale(1.0 / FACTOR)
    template = Grid(np.zeros((nrows * FACTOR, ncols * FACTOR), dtype=np.uint8), fine_t, landcover.crs, name="fine")
    iso3 = tuple(countries["iso3"].astype(str))
    country = rasterize(list(countries.geometry.values), template, values=list(range(1, len(iso3) + 1)),
                        dtype=np.int16).values
    lc = np.repeat(np.repeat(np.asarray(landcover.values), FACTOR, axis=0), FACTOR, axis=1)
    elev = None
    if elevation is not None:
        from scipy.ndimage import zoom

        z = np.asarray(elevation.values, dtype=np.float32)
        z = np.where(elevation.valid_mask, z, 0.0).astype(np.float32)  # sea: 0 m (no country there)
        elev = zoom(z, FACTOR, order=1, mode="nearest", grid_mode=True).astype(np.float32)
    rough = rs.smooth_roughness(country.shape, **ROUGHNESS)
    return rs.FineGrid(country=np.ascontiguousarray(country), landcover=np.ascontiguousarray(lc, dtype=np.uint8),
                       x0=float(fine_t.c), y0=float(fine_t.f), cell=float(fine_t.a), iso3=iso3,
                       elevation=elev, roughness=rough)


def _dmz(table, countries, borders):
    """Polygons of the DMZ halves (rows with habitat 'strip'), by pa_id."""
    line = borders.loc[borders["pair"] == "KOR-PRK"].geometry
    if line.empty:
        raise DataFormatError("embedded borders lack the KOR-PRK border needed for the DMZ strip")
    strip = shapely.buffer(line.iloc[0], DMZ_HALF_WIDTH_M, cap_style="flat")
    poly = dict(zip(countries["iso3"], countries.geometry.values))
    return {pid: rs_polygonal(shapely.intersection(strip, poly[iso]))
            for pid, iso in zip(table["pa_id"], table["iso3"]) if table.set_index("pa_id").loc[pid, "habitat"] == "strip"}


def rs_polygonal(g):
    from vectors._common import polygonal_part

    return polygonal_part(g)


def _cells_in(fine: rs.FineGrid, geom) -> np.ndarray:
    """Flat indices of fine cells whose centre lies in ``geom``."""
    xmin, ymin, xmax, ymax = geom.bounds
    r0, c0 = fine.rowcol(xmin, ymax)
    r1, c1 = fine.rowcol(xmax, ymin)
    rows, cols = np.mgrid[max(r0, 0):min(r1 + 1, fine.shape[0]), max(c0, 0):min(c1 + 1, fine.shape[1])]
    cx, cy = fine.centre(rows.ravel(), cols.ravel())
    inside = shapely.contains_xy(geom, cx, cy)
    return (rows.ravel()[inside] * fine.shape[1] + cols.ravel()[inside]).astype(np.int64)


def build(table: pd.DataFrame | None = None, *, verbose: bool = True) -> dict:
    """Grow every reserve of the table; returns the GeoPackage layers (``reserves``, ``adjacency``, ``build_info``)."""
    table = read_table() if table is None else table
    base = _base()
    landcover, countries, borders = base["landcover"], base["countries"], base["borders"]
    crs = landcover.crs
    fine = _fine_grid(landcover, countries, base["elevation"])
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_map.transform(table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    table = table.assign(map_x=x, map_y=y)
    poly = dict(zip(countries["iso3"], countries.geometry.values))
    border_line = {frozenset((a, b)): g for a, b, g in zip(borders["iso3_a"], borders["iso3_b"], borders.geometry)}

    dmz = _dmz(table, countries, borders)
    fixed = {pid: _cells_in(fine, g) for pid, g in dmz.items()}
    grown = table[table["habitat"] != "strip"]
    target = np.where(grown["area_km2"].isna(), ASSUMED_AREA_KM2,
                      grown["area_km2"].to_numpy(float) - grown["marine_km2"].fillna(0).to_numpy(float))
    if (target <= 0).any():
        raise DataFormatError("reserve table: marine_km2 >= area_km2 for "
                              f"{grown.loc[target <= 0, 'pa_id'].tolist()}")
    specs = [
        rs.ReserveSpec(pa_id=r.pa_id, iso3=r.iso3, x=float(r.map_x), y=float(r.map_y), target_km2=float(t),
                       habitat=r.habitat, within=r.within.strip(), adjoins=tuple(_codes(r.adjoins_pa_ids)))
        for r, t in zip(grown.itertuples(index=False), target)
    ]
    # adjacency is symmetric: a pair listed on either side joins both
    adj = {s.pa_id: set(s.adjoins) for s in specs}
    for s in specs:
        for o in s.adjoins:
            if o in adj:
                adj[o].add(s.pa_id)
    specs = [rs.ReserveSpec(**{**s.__dict__, "adjoins": tuple(sorted(adj[s.pa_id]))}) for s in specs]
    target_of = {s.pa_id: s.target_km2 for s in specs}
    scale = {s.pa_id: 1.0 for s in specs}
    shapes: dict = {}
    result = None
    for it in range(ITERATIONS):
        result = rs.grow_reserves(fine, specs, borders=border_line, fixed=fixed, quota_scale=scale)
        for s in specs:
            g = rs.cells_to_polygon(fine, result.cells[s.pa_id])
            shapes[s.pa_id] = rs_polygonal(shapely.intersection(g, poly[s.iso3]))
        worst = 0.0
        for s in specs:
            got = shapely.area(shapes[s.pa_id]) / 1e6
            if got > 0:  # bounded: a reserve that cannot grow (an island) must not inflate its quota
                scale[s.pa_id] = min(max(scale[s.pa_id] * target_of[s.pa_id] / got, 0.5), 2.0)
            worst = max(worst, abs(got / target_of[s.pa_id] - 1))
        if verbose:
            print(f"iteration {it + 1}: worst area error {worst:.3%}", file=sys.stderr)
    shapes.update(dmz)

    ncols = fine.shape[1]
    lc_flat = fine.landcover.reshape(-1)
    rows = []
    own_borders = {iso: shapely.union_all([g for p, g in border_line.items() if iso in p] or [shapely.LineString()])
                   for iso in poly}
    for r in table.itertuples(index=False):
        g = shapes[r.pa_id]
        area = shapely.area(g) / 1e6
        outside = shapely.area(shapely.difference(g, poly[r.iso3])) / 1e6
        cells = result.cells.get(r.pa_id, fixed.get(r.pa_id, np.zeros(0, dtype=np.int64)))
        water = float((lc_flat[cells] == 5).mean()) if len(cells) else 0.0
        b = own_borders[r.iso3]
        dist = float(shapely.distance(g, b)) / 1000 if not b.is_empty else float("nan")
        t = ASSUMED_AREA_KM2 if math.isnan(r.area_km2) else r.area_km2 - (0 if math.isnan(r.marine_km2) else r.marine_km2)
        method = "DMZ strip (2 km either side of the KOR-PRK border)" if r.habitat == "strip" else (
            "grown on a 1 km grid" + (f" inside {r.within}" if r.within else ""))
        notes = "; ".join(result.notes.get(r.pa_id, [])) if result else ""
        rows.append({
            "pa_id": r.pa_id,
            "target_km2": float("nan") if r.habitat == "strip" else float(t),
            "shape_km2": area,
            "area_error": float("nan") if r.habitat == "strip" else area / t - 1,
            "area_assumed": bool(math.isnan(r.area_km2)) and r.habitat != "strip",
            "outside_share": outside / area if area else float("nan"),
            "water_share": water,
            "seed_shift_m": float(result.seed_shift_m.get(r.pa_id, 0.0)),
            "edge_to_border_km": dist,
            "shape_method": method,
            "build_notes": notes,
        })
    checks = pd.DataFrame(rows)
    out = table.drop(columns=["map_x", "map_y"]).merge(checks, on="pa_id", how="left", validate="one_to_one")
    reserves = gpd.GeoDataFrame(out, geometry=[shapes[p] for p in out["pa_id"]], crs=crs)
    pairs = sorted({tuple(sorted((s, o))) for s in table["pa_id"] for o in
                    _codes(table.set_index("pa_id").loc[s, "adjoins_pa_ids"])})
    geom = dict(zip(reserves["pa_id"], reserves.geometry))
    iso = dict(zip(table["pa_id"], table["iso3"]))
    adjacency = pd.DataFrame(
        [{"pa_a": a, "pa_b": b, "iso3_a": iso[a], "iso3_b": iso[b],
          "gap_m": float(shapely.distance(geom[a], geom[b]))} for a, b in pairs],
        columns=["pa_a", "pa_b", "iso3_a", "iso3_b", "gap_m"],
    )
    info = pd.DataFrame({
        "key": ["table_sha256", "factor", "cell_m", "iterations", "dmz_half_width_m", "assumed_area_km2",
                "roughness"],
        "value": [table_sha256(), str(FACTOR), f"{fine.cell:g}", str(ITERATIONS), f"{DMZ_HALF_WIDTH_M:g}",
                  f"{ASSUMED_AREA_KM2:.6f}", str(ROUGHNESS)],
    })
    return {"reserves": reserves, "adjacency": adjacency, "build_info": info}


def _report(layers: dict) -> str:
    res, adj = layers["reserves"], layers["adjacency"]
    grown = res[res["habitat"] != "strip"]
    checked = grown[~grown["area_assumed"]]
    core = res[~res["iso3"].isin(["KAZ", "JPN"]) & res["legal"]]
    border = core[core["edge_to_border_km"] <= 50]
    lines = [
        f"reserves: {len(res)} rows; core-country legal reserves within 50 km of a land border of their own country: {len(border)}",
        f"max outside share: {res['outside_share'].max():.4%}",
        f"worst area error (reported area known): {checked['area_error'].abs().max():.3%} "
        f"({checked.loc[checked['area_error'].abs().idxmax(), 'pa_id']})",
        f"adjacencies listed: {len(adj)}; worst gap {adj['gap_m'].max():.0f} m "
        f"({'-'.join(adj.loc[adj['gap_m'].idxmax(), ['pa_a', 'pa_b']])}); over 5 km: {int((adj['gap_m'] > 5000).sum())}",
    ]
    noted = res[res["build_notes"].astype(str) != ""]
    for pid, n in zip(noted["pa_id"], noted["build_notes"]):
        lines.append(f"  note {pid}: {n}")
    return "\n".join(lines)


def main(argv=None) -> int:
    """Command line: build (default) or ``--check`` against the stored GeoPackage."""
    import vectors

    ap = argparse.ArgumentParser(prog="python -m corridors.datasets._build_nea_reserves", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUTPUT, help="GeoPackage to write (default: the packaged file)")
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with the stored file")
    args = ap.parse_args(argv)
    layers = build()
    print(_report(layers))
    if args.check:
        stored = vectors.read_vector(OUTPUT, layer="reserves")
        # the stored layer is MultiPolygon throughout: compare shapes, not geometry types
        same = (list(stored["pa_id"]) == list(layers["reserves"]["pa_id"]) and all(
            shapely.area(shapely.symmetric_difference(a, b)) < 1.0
            for a, b in zip(stored.geometry, layers["reserves"].geometry)))
        print("stored file matches the rebuild" if same else "stored file DIFFERS from the rebuild")
        return 0 if same else 1
    vectors.write_layers(args.out, layers, overwrite=True, geometry_types={"reserves": "MultiPolygon"})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
