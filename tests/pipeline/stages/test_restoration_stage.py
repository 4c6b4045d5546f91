"""The restoration stage on a hand landscape: two reserves across a border, a wall of cropland
between them; the sites, their gain (checked by restoring the window and recomputing the
least-cost distance), country, land cover and gap membership; the layer, raster, styles and
report table of a run."""

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

import corridors
import rasters
import vectors
from corridors.parallel import Executor
from corridors.pipeline.chain import resistance_chain
from corridors.pipeline.results import StageResults
from corridors.pipeline.stages import find_gaps, find_restoration_sites, load_inputs
from corridors.pipeline.stages.restoration import SITES_LAYER_COLUMNS
from corridors.restoration import disk_offsets
from corridors.scenario import Restoration, Scenario

CELL = 1000.0
X0, Y0 = 500_000.0, 4_600_000.0  # UTM 52N
CRS = "EPSG:32652"
SHAPE = (30, 40)
WALL = 20  # column of cropland (class 3: resistance 10 in the generalist profile), full height


def _box(r0, r1, c0, c1):
    return shapely.box(X0 + c0 * CELL, Y0 - r1 * CELL, X0 + c1 * CELL, Y0 - r0 * CELL)


@pytest.fixture(scope="module")
def walled_world(tmp_path_factory):
    """Forest (resistance 1) with a cropland wall on column 20 (resistance 10); Russia west of
    x = 20 km (the wall's west edge), China east; reserve RA rows 10-14, cols 2-6 (RUS), CB rows
    10-14, cols 33-37 (CHN). Returns (folder, StageResults of the chain + gaps, run result)."""
    d = tmp_path_factory.mktemp("walled")
    lc = np.ones(SHAPE, np.uint8)
    lc[:, WALL] = 3
    grid = rasters.Grid(lc, Affine(CELL, 0, X0, 0, -CELL, Y0), CRS, 255, "landcover")
    rasters.write(grid, d / "landcover.tif")
    countries = gpd.GeoDataFrame({"iso3": ["RUS", "CHN"], "name": ["Russia", "China"]},
                                 geometry=[_box(-5, 35, -5, WALL), _box(-5, 35, WALL, 45)], crs=CRS)
    vectors.write_layers(d / "countries.gpkg", {"countries": countries})
    pas = gpd.GeoDataFrame({"pa_id": ["RA", "CB"], "name": ["Reserve A", "Reserve B"], "iso3": ["RUS", "CHN"]},
                           geometry=[_box(10, 15, 2, 7), _box(10, 15, 33, 38)], crs=CRS)
    vectors.write_layers(d / "pas.gpkg", {"pas": pas})
    (d / "scenario.toml").write_text(
        'name = "walled"\n[inputs]\nlandcover = "landcover.tif"\nprotected_areas = "pas.gpkg"\n'
        'countries = "countries.gpkg"\n[parameters]\ncorridor_width = 3000\nmax_cost_distance = 100000\n'
        '[ranking]\nmin_gap_area = 0\n[restoration]\nradii = [1, 2]\nsites_per_link = 3\n'
        '[outputs]\nreport = true\n', encoding="utf-8")
    sc = Scenario.from_toml(d / "scenario.toml").resolved()
    r = StageResults(sc)
    r.inputs = load_inputs(sc)
    with Executor(None) as ex:
        resistance_chain(r, ex)
    r.gaps = find_gaps(r.corridors, r.ranking, r.links, r.inputs, sc.ranking)
    from corridors.pipeline import run_scenario

    result = run_scenario(d / "scenario.toml", d / "out", progress=False)
    return d, r, result


def _lcd_after(res, core_a, core_b, row, col, radius_cells, restored=1.0):
    """Least-cost distance between the cores once the window is restored (recomputed)."""
    v = res.copy()
    for dr, dc in disk_offsets(radius_cells * CELL, CELL):
        rr, cc = row + dr, col + dc
        if 0 <= rr < v.shape[0] and 0 <= cc < v.shape[1]:
            v[rr, cc] = restored
    return corridors.cost_distance(v, core_a, cellsize=CELL)[core_b].min()


def test_sites_sit_on_the_wall_with_the_recomputed_gain(walled_world):
    """By hand: the path runs along a row from col 6 to col 33, 25 steps of 1 km at resistance 1
    and two at (1 + 10) / 2: CW_Dist = 36,000. A window of radius 1 cell on the wall, in a row of
    the reserves (10-14), reaches CWD_A = 13,000 (col 19) and CWD_B = 12,000 (col 21), so IS =
    36,000 - (13,000 + 12,000 + 1 x 2,000) = 9,000, exactly what restoring its wall cell gives (27
    steps of 1 km); radius 2 gains the same (ties go to the smaller radius). The first window is
    row 10 (lowest index); row 13 is the next that shares no cell with it (rows 11 and 12 share
    cell (11, 20)); the third, row 16, is two rows off the reserves: each side's cheapest cell
    costs 2 (sqrt 2 - 1) km more, IS = 9,000 - 4,000 (sqrt 2 - 1) = 7,343 - an underestimate of
    restoring it (a diagonal step through (15, 20) gains 8,172): the formula is Barrier Mapper's
    estimate, exact only for straight crossings."""
    _, r, _ = walled_world
    res = r.resistance.grid
    st = find_restoration_sites(r.links, r.ranking, r.gaps, res, r.inputs, r.scenario)
    s = st.sites
    assert list(s.columns) == SITES_LAYER_COLUMNS + ["geometry"]
    assert len(r.ranking) == 1 and st.link_ids == [int(r.ranking.Link_ID.iloc[0])]
    assert st.radii == (1000.0, 2000.0)
    assert st.lcd == {st.link_ids[0]: pytest.approx(36_000.0)}
    assert s[["Row", "Col", "Radius_m"]].values.tolist() == [[10, WALL, 1000.0], [13, WALL, 1000.0],
                                                            [16, WALL, 1000.0]]
    assert s["Site_ID"].tolist() == [1, 2, 3] and s["Site_Rank"].tolist() == [1, 2, 3]
    assert (s["Rank"] == 1).all() and (s["From_PA"] + s["To_PA"]).isin(["RACB", "CBRA"]).all()
    third = 9_000.0 - 4_000.0 * (np.sqrt(2) - 1)
    assert s["Gain"].tolist() == pytest.approx([9_000.0, 9_000.0, third], rel=1e-9)
    core_a = r.links.cores.grid.values == int(r.ranking.From_Core.iloc[0])
    core_b = r.links.cores.grid.values == int(r.ranking.To_Core.iloc[0])
    recomputed = [s.CW_Dist.iloc[0] - _lcd_after(res.values.astype(np.float64), core_a, core_b, row, col, 1)
                  for row, col in zip(s.Row, s.Col)]
    assert recomputed[:2] == pytest.approx([9_000.0, 9_000.0], rel=1e-9)  # straight crossings: exact
    assert recomputed[2] == pytest.approx(36_000.0 - (25_000.0 + 2_000.0 * np.sqrt(2)), rel=1e-9)
    assert s["CW_After"].tolist() == pytest.approx([27_000.0, 27_000.0, 36_000.0 - third])
    assert s["Gain_Pct"].tolist() == pytest.approx([25.0, 25.0, 100 * third / 36_000.0])
    assert s["Gain_Unit"].tolist() == pytest.approx([4.5, 4.5, third / 2_000.0])
    for site in s.itertuples():
        # centre x = 20.5 km: China; the circle reaches x = 19.5 km: Russia too
        assert site.ISO3 == "CHN" and site.Countries == "CHN;RUS"
        # window: 3 wall cells (cropland) and one forest cell either side
        assert site.LC_Main == "cropland" and site.LC_Share == pytest.approx(0.6)
        assert site.LC_Mix == "cropland 60%; forest 40%"
    # rows 10 and 13 lie in the corridor outside the reserves (gap land); row 16 is 2 km off the
    # path, inside the 3,000-cost-unit corridor too
    assert s["In_Gap"].all()
    # the raster: the combined IS (max over radii), empty (NaN) where no window gains
    v = st.improvement.values
    assert st.improvement.transform == res.transform and np.isnan(st.improvement.nodata)
    assert np.nanmax(v) == pytest.approx(9_000.0)
    assert np.isnan(v[:, :WALL - 3]).all() and np.isnan(v[:, WALL + 4:]).all()  # nothing away from the wall
    assert (np.nan_to_num(v) > 0).sum() > 0 and np.nanmin(v) > 0


def test_in_gap_counts_only_the_links_own_gaps(walled_world):
    """A gap polygon listed for another link does not make the site 'in a gap'."""
    _, r, _ = walled_world
    own = r.gaps.gaps
    assert len(own) >= 2 and set(own["ISO3"]) == {"RUS", "CHN"}  # split at the border
    lid = str(int(r.ranking.Link_ID.iloc[0]))
    assert (own["Links"] == lid).all()
    other = dataclasses.replace(r.gaps, gaps=own.assign(Links="999"))
    s = find_restoration_sites(r.links, r.ranking, other, r.resistance.grid, r.inputs, r.scenario).sites
    assert not s["In_Gap"].any() and (s["Gap_Share"] == 0).all() and (s["Gap_IDs"] == "").all()
    both = dataclasses.replace(r.gaps, gaps=own.assign(Links=f"999;{lid}"))
    s2 = find_restoration_sites(r.links, r.ranking, both, r.resistance.grid, r.inputs, r.scenario).sites
    assert s2["In_Gap"].all()
    chn = own.loc[own["ISO3"] == "CHN", "Gap_ID"].astype(str).tolist()
    rus = own.loc[own["ISO3"] == "RUS", "Gap_ID"].astype(str).tolist()
    for ids in s2["Gap_IDs"]:  # the circle crosses the border: it meets a gap on each side
        assert set(ids.split(";")) & set(chn) and set(ids.split(";")) & set(rus)


def test_scenario_keys_shape_the_sites(walled_world):
    _, r, _ = walled_world
    sc = dataclasses.replace(r.scenario, restoration=Restoration(radii=(2,), sites_per_link=1))
    s = find_restoration_sites(r.links, r.ranking, r.gaps, r.resistance.grid, r.inputs, sc).sites
    assert len(s) == 1 and s["Radius_m"].tolist() == [2000.0]
    # radius 2: CWD_A = 12,000 (col 18), CWD_B = 11,000 (col 22), + 1 x 4,000 -> IS = 9,000
    assert s["Gain"].iloc[0] == pytest.approx(9_000.0)
    sc = dataclasses.replace(r.scenario, restoration=Restoration(radii=(1,), restored_resistance=4.0))
    s = find_restoration_sites(r.links, r.ranking, r.gaps, r.resistance.grid, r.inputs, sc).sites
    # R' = 4: 36,000 - (13,000 + 12,000 + 4 x 2,000) = 3,000 on rows 10 and 13; row 16 as above
    assert s["Gain"].tolist() == pytest.approx([3_000.0, 3_000.0, 3_000.0 - 4_000.0 * (np.sqrt(2) - 1)])


def test_run_writes_the_layer_raster_styles_and_report_table(walled_world):
    import json

    d, r, result = walled_world
    out = d / "out"
    assert "restoration" in result.timings
    layer = gpd.read_file(out / "corridors.gpkg", layer="restoration_sites")
    assert list(layer.columns) == SITES_LAYER_COLUMNS + ["geometry"]
    assert layer["Gain"].tolist() == pytest.approx([9_000.0, 9_000.0, 9_000.0 - 4_000.0 * (np.sqrt(2) - 1)])
    tif = rasters.read(out / "barrier_improvement.tif")
    assert np.nanmax(tif.values) == pytest.approx(9_000.0)
    import rasterio

    with rasterio.open(out / "barrier_improvement.tif") as src:  # a COG: tiled, with overviews
        assert src.profile.get("tiled") or src.block_shapes[0][0] < src.height
    assert (out / "restoration_sites.qml").is_file() and (out / "barrier_improvement.qml").is_file()
    assert "restoration_sites" in (out / "corridors.qgs").read_text(encoding="utf-8")
    import pyogrio

    styles = pyogrio.read_dataframe(out / "corridors.gpkg", layer="layer_styles")
    assert "restoration_sites" in set(styles["f_table_name"])
    html = (out / "report.html").read_text(encoding="utf-8")
    start = html.index("id='report-data'>") + len("id='report-data'>")
    data = json.loads(html[start:html.index("</script>", start)])
    table = next(t for t in data["tables"] if t["key"] == "restoration_sites")
    assert len(table["rows"]) == 3 and "Gain" in table["columns"]
    assert "restoration_sites" in data["layers"] and "barrier_improvement" in data["rasters"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["restoration_sites"] == 3
    assert "barrier_improvement.tif" in manifest["outputs"]
    assert isinstance(layer, gpd.GeoDataFrame) and isinstance(r.ranking, pd.DataFrame)
