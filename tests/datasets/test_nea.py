"""The embedded NEA dataset: shipped files, grids, reserves, borders, pairs."""

import importlib
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
from corridors.datasets import NEA_FILES, load_reserves, nea
from corridors.datasets import _build_nea_reserves as build
from corridors.errors import DataFormatError

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


def test_reserve_table_and_shapes(d):
    table = build.read_table()
    every = d.reserves(include_not_legal=True)
    assert list(every.pa_id) == list(table.pa_id) and every.pa_id.is_unique
    assert every.approximate.all() and every.crs == d.crs
    # the DMZ halves are the only rows that are not legal reserves; protected_areas leaves them out
    assert sorted(every.pa_id[~every.legal]) == ["KX01", "KX02"]
    assert set(every.set_index("pa_id").loc[["KX01", "KX02"], "iso3"]) == {"KOR", "PRK"}
    assert not {"KX01", "KX02"} & set(d.protected_areas.pa_id)
    assert sorted(every.pa_id[every.context]) == ["JP01", "JP02", "KZ01", "KZ02"]
    assert (every.iso3.str.len() == 3).all()  # one sovereign country per row
    # every row names a source; unknown areas are flagged, never invented
    assert (every.source.str.len() > 10).all() and (every.source_check != "").all()
    # source_check either names the page that was read or says the source was recalled
    assert every.source_check.str.fullmatch(r"checked: \S.*|not checked in this session").all()
    assumed = every[every.area_assumed]
    assert assumed.area_km2.isna().all()
    # every point lies in its country (checked by the builder's seed shift too)
    countries = d.countries.set_index("iso3").geometry
    pts = shapely.points(*Transformer.from_crs("EPSG:4326", d.crs, always_xy=True).transform(every.lon, every.lat))
    for pid, code, p in zip(every.pa_id, every.iso3, pts):
        assert countries[code].distance(p) < 2000, pid


def test_shapes_inside_their_country_area_true_and_on_land(d):
    every = d.reserves(include_not_legal=True)
    countries = d.countries.set_index("iso3").geometry
    outside = [shapely.area(shapely.difference(g, countries[c])) / shapely.area(g) for g, c in zip(every.geometry, every.iso3)]
    assert max(outside) <= 0.01  # issue 11: at most 1 % outside the own country (measured: 0)
    np.testing.assert_allclose(every.outside_share, outside, atol=1e-9)
    known = every[~every.area_assumed & (every.habitat != "strip")]
    target = known.area_km2 - known.marine_km2.fillna(0)
    err = known.geometry.area / 1e6 / target - 1
    assert err.abs().max() <= 0.10, known.pa_id[err.abs().idxmax()]
    # on land: the country polygons hold no sea, so "inside the country" is "on land or in a lake";
    # only lake, wetland and coast reserves may hold much lake water (5 km water cells; the
    # worst dry reserve is the Kuril island RU18, whose coastal cells are water at 5 km)
    dry = every[~every.habitat.isin(["lake", "wetland", "coast", "strip"])]
    assert dry.water_share.max() <= 0.2, dry.pa_id[dry.water_share.idxmax()]
    # nested reserves lie inside their parent
    by = every.set_index("pa_id")
    for pid, parent in zip(every["pa_id"], every["within"]):
        if parent:
            g = by.loc[pid].geometry
            assert shapely.area(shapely.difference(g, by.loc[parent].geometry)) / shapely.area(g) < 1e-6, pid


def test_listed_adjacencies_are_realised(d):
    every = d.reserves(include_not_legal=True).set_index("pa_id")
    pairs = sorted({tuple(sorted((a, b))) for a, v in every.adjoins_pa_ids.items() for b in v.split(";") if b})
    assert len(pairs) >= 36
    for a, b in pairs:  # gap <= one cell of the default 5 km grid
        assert every.loc[a].geometry.distance(every.loc[b].geometry) <= 5000, (a, b)
    # the same pairs and gaps the builder recorded
    with importlib.resources.as_file(importlib.resources.files("corridors.datasets").joinpath(
            "nea", NEA_FILES["reserve_shapes"])) as p:
        adj = vectors.read_vector_table(p, layer="adjacency")
    assert sorted(zip(adj.pa_a, adj.pa_b)) == pairs
    assert adj.gap_m.max() <= 5000


def test_dmz_is_a_strip_split_at_the_border(d):
    every = d.reserves(include_not_legal=True).set_index("pa_id")
    kor, prk = every.loc["KX01"].geometry, every.loc["KX02"].geometry
    line = d.borders.set_index("pair").geometry["KOR-PRK"]
    assert kor.intersection(prk).area == pytest.approx(0, abs=1e4)
    # each half is the 2 km strip on its side: area about 2 km x border length
    for g in (kor, prk):
        assert g.area == pytest.approx(2000 * line.length, rel=0.1)
        assert g.hausdorff_distance(line) < 2000 + 2000  # never farther than the strip width (+ ends)


def test_nodes_merge_nested_and_split_sovereign(d):
    nodes = vectors.network_nodes(d.protected_areas, d.countries)
    by = nodes.set_index("pa_id")
    assert by.loc["RU01", "members"] == "RU01;RU02"
    assert set(by.loc["CN01", "members"].split(";")) == {"CN01", "CN02", "CN03", "CN13"}
    assert not {"KZ01", "KZ02", "JP01", "JP02", "KX01", "KX02"} & set(nodes.pa_id)
    pairs = vectors.node_pairs(nodes, max_gap=25_000, borders=d.borders, adjoin_tolerance=5000)
    tb = pairs[pairs.kind == "transboundary"]
    assert (tb.iso3_a != tb.iso3_b).all()
    adjoining = set(zip(tb.pa_a[tb.adjoining], tb.pa_b[tb.adjoining]))
    for a, b in [("CN01", "RU01"), ("CN05", "RU04"), ("MN01", "RU09"), ("MN06", "RU11"), ("CN04", "KP02"),
                 ("CN11", "MN10"), ("MN09", "RU13")]:
        assert (a, b) in adjoining, (a, b)


def test_stale_build_is_refused(tmp_path, monkeypatch):
    nea_mod = importlib.import_module("corridors.datasets.north_east_asia")

    real = nea_mod.resource

    def fake(*parts):
        if parts[-1] == NEA_FILES["protected_areas"]:
            f = tmp_path / "t.csv"
            f.write_bytes(real(*parts).read_bytes() + b"\n")
            return f
        return real(*parts)

    monkeypatch.setattr(nea_mod, "resource", fake)
    with pytest.raises(DataFormatError, match="rebuild it with"):
        load_reserves()


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


def test_border_reserves_and_stored_distances(d):
    pas = d.protected_areas
    near = vectors.border_reserves(pas, d.borders, 50_000)
    core = near[~near.context]
    # issue 11: at least 100 legal border reserves in the five core countries (measured: 103; the
    # data README states the same counts, update both when the table changes)
    assert len(core) >= 100
    assert core.iso3.value_counts().to_dict() == {"CHN": 36, "RUS": 27, "MNG": 24, "KOR": 11, "PRK": 5}
    assert not {"JP01", "JP02", "RU18"} & set(near.pa_id)  # maritime / no land border
    # the builder's edge_to_border_km (own-country borders) agrees with border_reserves
    by = pas.set_index("pa_id")
    for pid, dist in zip(near.pa_id, near.border_dist_m):
        assert by.loc[pid, "edge_to_border_km"] == pytest.approx(dist / 1000, abs=1e-6), pid
    assert set(pas.pa_id[pas.edge_to_border_km <= 50]) == set(near.pa_id)
    # rows the table describes as interior really lie more than 50 km from their land borders
    every = d.reserves(include_not_legal=True)
    said = every[every.location_note.str.contains("interior", case=False)
                 | every.note.str.contains("interior", case=False)]
    assert len(said) >= 15 and (said.edge_to_border_km > 50).all(), said.pa_id[said.edge_to_border_km <= 50].tolist()


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
    assert (cores.cells >= 1).all()
