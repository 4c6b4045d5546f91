"""The embedded NEA dataset: shipped files, grids, reserves, borders, pairs."""

import importlib.resources
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

import vectors
from corridors.datasets import CIRCLE_SEGMENTS, DEFAULT_PA_RADIUS_M, NEA_FILES, nea

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def d():
    return nea()


def test_files_found_through_importlib_resources():
    base = importlib.resources.files("corridors.datasets")
    for name in NEA_FILES.values():
        node = base.joinpath("nea", name)
        assert node.is_file(), name
    assert base.joinpath("species", "amur_tiger.toml").is_file()


def test_package_data_globs_cover_every_shipped_file():
    # a non-editable install ships only what pyproject's package-data globs name
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["corridors"]
    pkg = ROOT / "corridors"
    for folder in ("datasets/nea", "datasets/species"):
        for f in (pkg / folder).iterdir():
            rel = f.relative_to(pkg).as_posix()
            assert any(fnmatch(rel, g) for g in globs), rel


def test_grids(d):
    lc, el = d.landcover, d.elevation
    assert lc.shape == (540, 960) and el.shape == (540, 960)
    assert lc.crs.is_projected and lc.cellsize == 5000.0
    assert lc.bounds == (-2_200_000.0, -1_400_000.0, 2_600_000.0, 1_300_000.0)
    lc.check_aligned(el)
    codes, counts = np.unique(lc.values[lc.valid_mask], return_counts=True)
    assert codes.tolist() == list(d.landcover_classes) == [1, 2, 3, 4, 5, 6, 7]
    assert counts.sum() == 540 * 960
    assert counts[1] == 189  # MODIS wetland cells (data README)
    # elevation nodata is the sea; land cells lie within Earth's range
    land = el.valid_mask
    assert el.values[land].min() > -500 and el.values[land].max() < 6000
    # nearly every elevation-nodata cell is water in the land cover
    sea = ~land
    assert (lc.values[sea] == 5).mean() > 0.95


def test_reserves_are_circles_of_the_stated_area(d):
    pas = d.protected_areas
    assert len(pas) == 60 and pas.pa_id.is_unique
    assert pas.approximate.all()
    assert pas.crs == d.crs
    stated = pas.area_km2.notna()
    np.testing.assert_allclose(pas.geometry.area[stated] / 1e6, pas.area_km2[stated], rtol=1e-9)
    assert sorted(pas.pa_id[pas.area_assumed]) == ["KP03", "KP04", "KR01", "KR03"]
    assumed_area = 0.5 * CIRCLE_SEGMENTS * np.sin(2 * np.pi / CIRCLE_SEGMENTS) * DEFAULT_PA_RADIUS_M**2
    np.testing.assert_allclose(pas.geometry.area[~stated], assumed_area, rtol=1e-9)
    # centres go back to the CSV's lon/lat
    back = Transformer.from_crs(d.crs, "EPSG:4326", always_xy=True)
    lon, lat = back.transform(pas.geometry.centroid.x.to_numpy(), pas.geometry.centroid.y.to_numpy())
    np.testing.assert_allclose(lon, pas.lon, atol=1e-6)
    np.testing.assert_allclose(lat, pas.lat, atol=1e-6)
    assert sorted(pas.pa_id[pas.context]) == ["KZ01", "KZ02"]
    assert pas.set_index("pa_id").loc["KX01", "iso3"] == "KOR;PRK"
    # every point lies in (one of) its stated countries: checked by the data's author, rechecked here
    countries = d.countries.set_index("iso3").geometry
    pts = shapely.points(*Transformer.from_crs("EPSG:4326", d.crs, always_xy=True).transform(pas.lon, pas.lat))
    for pid, code, p in zip(pas.pa_id, pas.iso3, pts):
        assert any(countries[c].distance(p) < 2000 for c in code.split(";")), pid


def test_layers_are_copies(d):
    pas = d.protected_areas
    pas.loc[0, "name"] = "changed"
    assert d.protected_areas.loc[0, "name"] != "changed"
    assert nea() is d  # cached


def test_countries_borders_cities(d):
    assert list(d.countries.iso3) == ["CHN", "JPN", "KAZ", "KOR", "MNG", "PRK", "RUS"]
    b = d.borders
    assert list(b.pair) == ["CHN-KAZ", "CHN-MNG", "CHN-PRK", "CHN-RUS", "KAZ-RUS", "KOR-PRK", "MNG-RUS", "PRK-RUS"]
    # data README: NE 10m lengths CN-RU 3,545 km, CN-MN 4,376, RU-MN 2,911, KOR-PRK 204 (geodesic,
    # before the 250 m simplification): the projected lines agree within 0.5 %
    km = dict(zip(b.pair, b.length_m / 1000))
    for pair, ref in {"CHN-RUS": 3545, "CHN-MNG": 4376, "MNG-RUS": 2911, "KOR-PRK": 204, "CHN-PRK": 1005}.items():
        assert km[pair] == pytest.approx(ref, rel=5e-3), pair
    c = d.cities
    assert len(c) == 2498 and c.crs == d.crs
    seoul = c[c.name == "Seoul"].iloc[0]
    assert seoul.iso3 == "KOR" and seoul.population > 9_000_000
    assert d.countries.set_index("iso3").geometry["KOR"].contains(seoul.geometry)


def test_border_reserves_match_precomputed_distances(d):
    pas = d.protected_areas
    near = vectors.border_reserves(pas, d.borders, 50_000)
    assert len(near) >= 50
    assert not {"JP01", "JP02", "RU18", "RU19"} & set(near.pa_id)  # maritime / no land border
    # independent oracle: the CSV's dist_to_land_border_km (centre point to nearest derived border,
    # computed by the data's author) vs ours for the centre point, within 2 km (simplification)
    table = pd.read_csv(importlib.resources.files("corridors.datasets").joinpath("nea", NEA_FILES["protected_areas"]))
    ref = table.set_index("pa_id")["dist_to_land_border_km"].dropna()
    centres = pas.set_index("pa_id").geometry.centroid
    borders = shapely.union_all(d.borders.geometry.values)
    mine = {pid: centres[pid].distance(borders) / 1000 for pid in ref.index}
    diff = pd.Series(mine) - ref
    assert diff.abs().max() < 2.0, diff.abs().sort_values().tail()


def test_known_transboundary_pairs(d):
    core = d.protected_areas
    pairs = vectors.candidate_pairs(core, max_gap=25_000, borders=d.borders)
    got = set(zip(pairs.pa_a, pairs.pa_b))
    for a, b in [("CN01", "RU01"), ("CN05", "RU04"), ("MN01", "RU09"), ("MN06", "RU11"), ("CN04", "KP02")]:
        assert (a, b) in got, (a, b)
    touching = set(zip(pairs.pa_a[pairs.touching], pairs.pa_b[pairs.touching]))
    assert ("CN01", "RU01") in touching and ("MN06", "RU11") in touching
    assert (pairs.iso3_a != pairs.iso3_b).all()


def test_cores_on_embedded_grid(d):
    cores = vectors.rasterize_cores(d.protected_areas, d.landcover)
    assert cores.lost == ()
    assert (cores.cells >= 1).all()
    # a cell is 25 km2: big reserves get about area / 25 cells (minus what smaller ones take)
    big = d.protected_areas.set_index("pa_id").loc["MN12", "area_km2"]
    assert cores.cells[cores.core_id("MN12") - 1] == pytest.approx(big / 25, rel=0.05)
