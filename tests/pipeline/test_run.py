"""The default North-East Asia run, a road scenario, compare, dask == serial, broken scenarios."""

import dataclasses
import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

import vectors
from corridors.cli import main
from corridors.pipeline import compare_runs, run_scenario
from corridors.pipeline.outputs.tables import RANKING_COLUMNS
from corridors.scenario import LineEdit, Scenario

LAYERS = ["protected_areas", "border_reserves", "borders", "links", "corridors", "pinch_points", "crossings", "gaps"]


def _pairs(df):
    return {frozenset((a, b)) for a, b in zip(df["From_PA"], df["To_PA"])}


#: the transboundary complexes whose reserves share a border segment (adjoining: no corridor)
ADJOINING_COMPLEXES = [("CN01", "RU01"),  # NE China Tiger and Leopard NP - Land of the Leopard NP
                       ("MN06", "RU11"),  # Onon-Balj NP - Sokhondinsky
                       ("CN05", "RU04"),  # Xingkai Lake - Khankaisky (Khanka lake)
                       ("MN01", "RU09")]  # Mongol Daguur - Daursky (Dauria)


def test_known_complexes_adjoin_and_are_not_ranked(default_run):
    adjoining = pd.read_csv(default_run.out / "adjoining.csv")
    touching = _pairs(adjoining)
    ranked = _pairs(default_run.ranking)
    for a, b in ADJOINING_COMPLEXES:
        assert frozenset((a, b)) in touching, (a, b)
        assert frozenset((a, b)) not in ranked, (a, b)
    assert (adjoining["Shared_km"] > 0).all()
    assert ((adjoining["Permeab"] > 0) & (adjoining["Permeab"] <= 1) | adjoining["N_Steps"].eq(0)).all()


def test_ranked_links_join_two_sovereign_core_countries(default_run):
    r = default_run.ranking
    assert len(r) > 10
    assert (r["From_ISO3"] != r["To_ISO3"]).all() and (r["Link_Info"] == "transboundary").all()
    core = {"CHN", "RUS", "MNG", "PRK", "KOR"}  # Kazakhstan and Japan are context only
    assert set(r["From_ISO3"]) | set(r["To_ISO3"]) <= core
    assert not r["From_PA"].str.startswith("KX").any() and not r["To_PA"].str.startswith("KX").any()  # no DMZ
    nodes = vectors.read_vector(default_run.out / "corridors.gpkg", layer="nodes").set_index("pa_id")
    for a, b in zip(r["From_PA"], r["To_PA"]):  # no link between members of one merged node
        assert b not in str(nodes.at[a, "members"]).split(";") and a not in str(nodes.at[b, "members"]).split(";")
    domestic = pd.read_csv(default_run.out / "domestic_links.csv")
    assert len(domestic) > 0 and (domestic["From_ISO3"] == domestic["To_ISO3"]).all()


def test_no_ranked_pair_touches(default_run):
    """Independent of node_pairs: the two nodes of every ranked link share no stretch of outline
    (within one 5 km cell) of 1 km or more, so touching reserves are never 'corridors'."""
    nodes = vectors.read_vector(default_run.out / "corridors.gpkg", layer="nodes").set_index("pa_id")
    cell = 5000.0
    for a, b in zip(default_run.ranking["From_PA"], default_run.ranking["To_PA"]):
        ga, gb = nodes.at[a, "geometry"], nodes.at[b, "geometry"]
        shared = min(shapely.intersection(ga.boundary, gb.buffer(cell)).length,
                     shapely.intersection(gb.boundary, ga.buffer(cell)).length) - 2 * cell
        assert shared < 1000.0, (a, b, shared)


@pytest.mark.parametrize("profile", ["amur_tiger", "amur_leopard"])
def test_big_cat_runs_have_no_node_in_south_korea(profile):
    from corridors.pipeline.stages import build_nodes, load_inputs
    from corridors.scenario import Species

    sc = dataclasses.replace(Scenario.default(), species=Species(profile=profile)).resolved()
    nodes = build_nodes(load_inputs(sc), sc.parameters).nodes
    assert len(nodes) >= 3 and "KOR" not in set(nodes["iso3"])
    assert set(nodes["iso3"]) <= {"CHN", "RUS", "PRK"}


def test_ranking_recomputes_from_csv_alone(default_run):
    df = pd.read_csv(default_run.out / "ranking.csv")
    assert list(df.columns) == RANKING_COLUMNS
    assert all(len(c) <= 10 for c in df.columns)
    cfg, mcd = Scenario.default().ranking, 300000.0  # the generalist profile's limit
    dens = df["Pop_Expo"] / df["Corr_km2"]
    comps = {"N_Import": df["dPCnum"] / (df["dPCnum"] + cfg.importance_scale),
             "N_Central": df["CF_Area"] / (df["CF_Area"] + cfg.centrality_scale),
             "N_Press": 1 - (1 - dens / (dens + cfg.pressure_density)) * (1 - df["Land_Press"]),
             "N_Unprot": df["Unprot_Shr"], "N_Feas": np.maximum(0.0, 1 - df["CW_Dist"] / mcd)}
    score = sum(df["W" + k[1:]] * v for k, v in comps.items())
    for k, v in comps.items():
        np.testing.assert_allclose(df[k], v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(df["Score"], score, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(df[["W_Import", "W_Central", "W_Press", "W_Unprot", "W_Feas"]].iloc[0].sum(), 1.0)
    order = sorted(range(len(df)), key=lambda i: (-score[i], df["CW_Dist"][i], df["Link_ID"][i]))
    assert df["Rank"].to_numpy().tolist() == [int(df["Rank"][i]) for i in order] == list(range(1, len(df) + 1))


def test_every_ranked_link_has_a_border_crossing(default_run):
    cross = vectors.read_vector(default_run.out / "corridors.gpkg", layer="crossings")
    assert set(default_run.ranking["Link_ID"]) <= set(cross["Link_ID"])
    gaps = vectors.read_vector(default_run.out / "corridors.gpkg", layer="gaps")
    assert gaps["ISO3"].str.len().eq(3).all()  # each gap in exactly one country
    assert gaps.area.sum() == pytest.approx(shapely.union_all(gaps.geometry.values).area, rel=1e-3)


def test_output_folder_contents(default_run):
    out = default_run.out
    for name in ["corridors.gpkg", "ranking.csv", "resistance.tif", "corridor_mosaic.tif", "current_density.tif",
                 "report.html", "manifest.json", "scenario.resolved.toml", "corridors.log", "corridors.qgs",
                 "map_overview.png"]:
        assert (out / name).is_file(), name
    assert not list(out.parent.glob(".baseline.corridors-*"))  # no temporary folder or lock left
    layers = vectors.list_layers(out / "corridors.gpkg")
    for name in LAYERS:
        assert name in layers
        assert (out / f"{name}.qml").is_file()
    links = vectors.read_vector(out / "corridors.gpkg", layer="links")
    for col in ["Rank", "Link_ID", "From_PA", "To_PA", "From_Name", "To_Name", "From_ISO3", "To_ISO3", "CW_Dist",
                "Eff_Resist", "CF_Central"]:
        assert col in links.columns
    assert links.geom_type.isin(["LineString", "MultiLineString"]).all()
    gaps = vectors.read_vector(out / "corridors.gpkg", layer="gaps")
    assert len(gaps) > 0 and (gaps["Area_km2"] > 0).all()
    gap_links = {int(i) for ids in gaps["Links"] for i in ids.split(";")}
    assert gap_links <= set(links.loc[links["Rank"] <= 10, "Link_ID"])  # gaps of the top 10 only
    assert gaps.area.sum() == pytest.approx(shapely.union_all(gaps.geometry.values).area, rel=1e-6)
    pp = vectors.read_vector(out / "corridors.gpkg", layer="pinch_points")
    assert len(pp) > 0 and pp["PP_Rank"].tolist() == list(range(1, len(pp) + 1))
    # the project references layers that exist
    root = ET.parse(out / "corridors.qgs").getroot()
    for src in (e.text for e in root.iter("datasource")):
        path, _, rest = src.partition("|layername=")
        assert (out / path).exists(), src
        if rest:
            assert rest in vectors.list_layers(out / path), src
    man = json.loads((out / "manifest.json").read_text())
    assert man["inputs"] and all(len(i["sha256"]) == 64 for i in man["inputs"])
    assert set(man["timings_s"]) >= {"links", "circuits", "outputs"}
    assert man["versions"]["numpy"]
    # the resolved scenario runs as a scenario again (parses to the same parameters)
    again = Scenario.from_toml(out / "scenario.resolved.toml")
    assert again.parameters.max_cost_distance == 300000.0  # the generalist profile's, written out


def _road_across(link_line, length=300_000.0):
    mid = link_line.interpolate(0.5, normalized=True)
    a, b = np.array(link_line.coords[0]), np.array(link_line.coords[-1])
    d = (b - a) / np.linalg.norm(b - a)
    n = np.array([-d[1], d[0]]) * length / 2
    return shapely.LineString([(mid.x - n[0], mid.y - n[1]), (mid.x + n[0], mid.y + n[1])])


@pytest.mark.slow
def test_road_raises_corridor_cost_and_compare(default_run, tmp_path):
    base = default_run.out
    links = vectors.read_vector(base / "corridors.gpkg", layer="links")
    # the best-ranked link long enough to cross (adjoining reserves now touch: their links are 1-2 cells)
    # whose crossing road meets no reserve: a road through a third reserve leaves a way round
    pas = vectors.read_vector(base / "corridors.gpkg", layer="protected_areas")
    long = links[links["LCP_Length"] >= 15000].sort_values("Rank")
    clear = [i for i, g in zip(long.index, long.geometry) if not pas.intersects(_road_across(g).buffer(1000)).any()]
    top = long.loc[clear[0]]
    road = _road_across(top.geometry)
    sc = Scenario.default().with_edits(LineEdit(type="road", name="test road", wkt=road.wkt, width_m=1000.0,
                                                resistance=1000.0), name="new-road")
    sc = dataclasses.replace(sc, outputs=dataclasses.replace(sc.outputs, report=False, shapefiles=True))
    out = tmp_path / "road"
    run_scenario(sc, out, progress=False)
    r = pd.read_csv(out / "ranking.csv", dtype={"From_PA": str, "To_PA": str})
    key = frozenset((top["From_PA"], top["To_PA"]))
    after = r[[frozenset((a, b)) == key for a, b in zip(r["From_PA"], r["To_PA"])]]
    assert after.empty  # a 1 km strip of resistance 1000 across the whole corridor: the link is lost
    # shapefiles: field names within 10 characters, mapping written down
    shp = out / "shapefiles"
    mapping = pd.read_csv(shp / "field_names.csv")
    assert (mapping["shapefile_field"].str.len() <= 10).all()
    assert (shp / "links.shp").is_file()
    # compare: the pair's link is reported lost
    res = compare_runs(base, out, tmp_path / "cmp")
    row = res.table[res.table["Pair"] == "|".join(sorted(key))].iloc[0]
    assert row["Status"] == "lost"
    assert (tmp_path / "cmp" / "compare.csv").is_file() and (tmp_path / "cmp" / "change_resistance.tif").is_file()
    ch = vectors  # noqa: F841
    import rasters

    diff = rasters.read(tmp_path / "cmp" / "change_resistance.tif").masked_float()
    assert np.nanmax(diff) > 0 and np.nanmin(diff) >= 0  # the road only adds resistance
    # the CLI prints the same comparison
    cli = CliRunner().invoke(main, ["compare", str(base), str(out), "--out", str(tmp_path / "cmp2")])
    assert cli.exit_code == 0, cli.output
    assert "cost rose" in cli.output


@pytest.mark.slow
def test_dask_run_gives_the_same_ranking(default_run, tmp_path):
    sc = Scenario.default()
    sc = dataclasses.replace(sc, outputs=dataclasses.replace(sc.outputs, report=False, cogs=False))
    out = tmp_path / "dask"
    res = run_scenario(sc, out, workers=2, progress=False)
    assert json.loads((out / "manifest.json").read_text())["executor"]["kind"] == "local-cluster"
    a = (default_run.out / "ranking.csv").read_text()
    b = (out / "ranking.csv").read_text()
    assert a == b
    assert len(res.ranking) == len(default_run.ranking)


# ------------------------------------------------------------------ broken scenarios through the CLI
def _grid_tif(path, crs, values):
    import rasters
    from affine import Affine

    g = rasters.Grid(values.astype(np.uint8), Affine(5000.0, 0, 0.0, 0, -5000.0, 100000.0) if crs != "EPSG:4326"
                     else Affine(0.05, 0, 120.0, 0, -0.05, 45.0), crs, None, "lc")
    rasters.write(g, path)
    return path


@pytest.mark.parametrize("case", ["unknown_key", "missing_file", "wrong_crs", "missing_class", "bad_value",
                                  "edit_in_degrees_without_crs"])
def test_broken_scenarios_exit_nonzero_and_write_nothing(case, tmp_path):
    toml = tmp_path / "s.toml"
    laea = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    if case == "unknown_key":
        toml.write_text("[parameters]\ncorridor_widht = 1000\n")
        expect = "did you mean 'corridor_width'"
    elif case == "missing_file":
        toml.write_text('[inputs]\nlandcover = "no_such.tif"\n')
        expect = "key 'inputs.landcover': file 'no_such.tif' not found"
    elif case == "wrong_crs":
        _grid_tif(tmp_path / "lc.tif", "EPSG:4326", np.ones((10, 10)))
        toml.write_text('[inputs]\nlandcover = "lc.tif"\n')
        expect = "geographic"
    elif case == "missing_class":
        v = np.ones((10, 10))
        v[3, 4] = 9
        _grid_tif(tmp_path / "lc.tif", laea, v)
        toml.write_text('[inputs]\nlandcover = "lc.tif"\n')
        expect = "missing from the reclassification table: 9"
    elif case == "edit_in_degrees_without_crs":
        toml.write_text('[[edits]]\ntype = "road"\nwkt = "LINESTRING (127.53 37.80, 127.54 38.05)"\n'
                        'width_m = 60\nresistance = 500\n')
        expect = 'Add `crs = "EPSG:4326"` to edits[0]'
    else:
        toml.write_text("[parameters]\nneighbours = 6\n")
        expect = "parameters.neighbours"
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(out)])
    assert res.exit_code != 0
    assert res.output.startswith("error: "), res.output
    assert expect in res.output, res.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.corridors-")]


def test_existing_output_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    for extra in ([], ["--overwrite"]):  # not a corridors output: refused even with --overwrite
        res = CliRunner().invoke(main, ["run", "--out", str(out), *extra])
        assert res.exit_code == 1 and "not written by corridors" in res.output and "keep.txt" in res.output
        assert (out / "keep.txt").read_text() == "x"


def test_the_four_complexes_adjoin_whatever_the_profile():
    """With a crane profile (water 5) the links differ, but the four complexes still share a border
    segment: they are adjoining pairs, never corridors."""
    from corridors.pipeline.stages import build_nodes, build_resistance, find_links, load_inputs
    from corridors.scenario import Species

    sc = dataclasses.replace(Scenario.default(), species=Species(profile="hooded_crane")).resolved()
    inputs = load_inputs(sc)
    res = build_resistance(inputs, sc.edits).grid
    net = find_links(res, build_nodes(inputs, sc.parameters), inputs.borders, sc.parameters)
    touching = {frozenset((a, b)) for a, b in zip(net.adjoining["pa_a"], net.adjoining["pa_b"])}
    for a, b in ADJOINING_COMPLEXES:
        assert frozenset((a, b)) in touching, (a, b)
    assert (net.transboundary["From_ISO3"] != net.transboundary["To_ISO3"]).all()


def test_tiger_run_ranks_no_corridor_where_its_reserves_only_adjoin(tmp_path):
    """For the Amur tiger (China and Russia only) every candidate corridor crosses a third reserve
    or is too costly: its transboundary connection is the adjoining Land of the Leopard - NE China
    Tiger and Leopard NP complex. The run says so and writes the adjoining table, not an error."""
    toml = tmp_path / "tiger.toml"
    toml.write_text('[species]\nprofile = "amur_tiger"\n[outputs]\nreport = false\n')
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    assert pd.read_csv(out / "ranking.csv").empty
    adjoining = pd.read_csv(out / "adjoining.csv")
    assert frozenset(("CN01", "RU01")) in _pairs(adjoining)
    assert set(adjoining["From_ISO3"]) | set(adjoining["To_ISO3"]) <= {"CHN", "RUS"}
    assert len(pd.read_csv(out / "domestic_links.csv")) > 0
