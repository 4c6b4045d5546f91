"""Fences along borders and crossings: scenario keys, the resistance they build, and the circuit
through a crossing."""

import tomllib

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

import corridors
import rasters
import vectors
from corridors.circuit import pairwise
from corridors.errors import ConfigError
from corridors.pipeline.stages.inputs import RunInputs, load_inputs
from corridors.pipeline.stages.resistance import build_resistance
from corridors.scenario import BorderFenceEdit, CrossingEdit, LineEdit, Scenario

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
CS = 1000.0


# ------------------------------------------------------------------------------------ schema

def _surface(inputs, scenario):
    """(resistance Grid, edits layer) of a scenario's edits on loaded inputs."""
    r = build_resistance(inputs, scenario.edits)
    return r.grid, r.edits

def test_fence_along_and_crossing_parse_and_roundtrip(tmp_path):
    f = tmp_path / "fence.toml"
    f.write_text(
        """
[[edits]]
type = "fence"
name = "Primorye fence"
along = "CHN-RUS"
bbox = [130.4, 42.4, 133.2, 45.3]
[[edits]]
type = "fence"
along = ["CHN-RUS", "PRK-RUS"]
resistance = 500
width_m = 200
within = "POLYGON ((0 0, 1 0, 1 1, 0 0))"
[[edits]]
type = "fence"
wkt = "LINESTRING (0 0, 1000 1000)"
[[edits]]
type = "crossing"
name = "overpass"
wkt = "POINT (131.1 43.2)"
crs = "EPSG:4326"
width_m = 80
"""
    )
    sc = Scenario.from_toml(f)
    a, b, c, d = sc.edits
    assert isinstance(a, BorderFenceEdit) and a.along == ("CHN-RUS",) and a.bbox == (130.4, 42.4, 133.2, 45.3)
    assert a.resistance == "barrier" and a.width_m == 1000.0 and a.rule == "max"
    assert isinstance(b, BorderFenceEdit) and b.along == ("CHN-RUS", "PRK-RUS") and b.resistance == 500.0
    assert isinstance(c, LineEdit) and c.type == "fence"
    assert isinstance(d, CrossingEdit) and d.width_m == 80.0 and d.crs == "EPSG:4326"
    assert Scenario.from_dict(tomllib.loads(sc.to_toml()), base_dir=tmp_path) == sc


@pytest.mark.parametrize(
    "edit, needle",
    [
        ({"type": "fence", "along": "CHNRUS"}, "a border pair is two different upper-case ISO3 codes"),
        ({"type": "fence", "along": "chn-rus"}, "upper-case"),
        ({"type": "fence", "along": []}, "key 'edits[0].along'"),
        ({"type": "fence", "along": "CHN-RUS", "wkt": "LINESTRING (0 0, 1 1)"}, "takes no 'wkt'"),
        ({"type": "fence", "along": "CHN-RUS", "bbox": [135, 40, 130, 45]}, "west, south, east, north"),
        ({"type": "fence", "along": "CHN-RUS", "bbox": [130, 40, 135]}, "key 'edits[0].bbox'"),
        ({"type": "fence", "along": "CHN-RUS", "resistance": "wall"}, "a number > 0 or 'barrier'"),
        ({"type": "fence", "along": "CHN-RUS", "within": "LINESTRING (0 0, 1 1)"}, "needs a Polygon"),
        ({"type": "fence", "along": "CHN-RUS", "bbx": [1, 2, 3, 4]}, "did you mean 'bbox'?"),
        ({"type": "crossing", "wkt": "POINT (1 2)"}, "key 'edits[0].width_m': missing"),
        ({"type": "crossing", "wkt": "LINESTRING (0 0, 1 1)", "width_m": 50}, "a crossing needs a Point"),
        ({"type": "crossing", "width_m": 50}, "give exactly one of 'wkt'"),
    ],
)
def test_bad_fence_and_crossing_keys(edit, needle, tmp_path):
    with pytest.raises(ConfigError) as err:
        Scenario.from_dict({"edits": [edit]}, base_dir=tmp_path, source="s.toml")
    assert needle in str(err.value)


# ------------------------------------------------------------------------- synthetic inputs
def synthetic(rows, cols, border_col):
    """Land cover all class 1 (resistance 1); country AAA west of the centre line of
    ``border_col``, BBB east of it; the border is that centre line."""
    t = Affine(CS, 0, 0, 0, -CS, rows * CS)
    lc = rasters.Grid(np.ones((rows, cols), np.uint8), t, LAEA, 255, "lc")
    xb = (border_col + 0.5) * CS
    countries = gpd.GeoDataFrame({"iso3": ["AAA", "BBB"]},
                                 geometry=[shapely.box(0, 0, xb, rows * CS),
                                           shapely.box(xb, 0, cols * CS, rows * CS)], crs=LAEA)
    borders = vectors.international_borders(countries)
    empty = gpd.GeoDataFrame({"pa_id": [], "name": [], "iso3": []}, geometry=[], crs=LAEA)
    return RunInputs(landcover=lc, table={1: 1.0}, table_source="test", profile=None,
                     pas=empty, countries=countries, borders=borders)


def resistance_with(loaded, *edits):
    sc = Scenario.default().with_edits(*edits)
    return _surface(loaded, sc)


def test_hand_circuit_all_current_through_the_crossing():
    """3 x 3 cells of resistance 1; a fence down the middle column with one crossing cell (1, 1);
    reserves = the west and east columns (each shorted to one node).

    By hand: the crossing node links to the three west cells by one orthogonal branch (1 S) and
    two diagonal ones (1/sqrt 2 S each, Circuitscape's rule), so 1 + sqrt 2 S to each side and
    R_eff = 2 / (1 + sqrt 2) = 0.8284 ohm; and all 1 A passes through the crossing cell."""
    loaded = synthetic(3, 3, 1)
    res, edits = resistance_with(
        loaded, BorderFenceEdit(name="fence", along=("AAA-BBB",), width_m=100.0),
        CrossingEdit(name="gate", wkt="POINT (1500 1500)", width_m=50.0))
    v = res.values
    assert np.isnan(v[0, 1]) and np.isnan(v[2, 1]) and v[1, 1] == 1.0
    assert np.isfinite(v[:, [0, 2]]).all()
    assert list(edits["Type"]) == ["fence", "crossing"]
    focal = {1: np.flatnonzero(np.array([[1, 0, 0]] * 3, bool)), 2: np.flatnonzero(np.array([[0, 0, 1]] * 3, bool))}
    out = pairwise(v.astype(np.float64), focal, neighbours=8, current_maps=True)
    assert out.resistance(1, 2) == pytest.approx(2 / (1 + np.sqrt(2)), rel=1e-9)
    cur = out.current_maps[(1, 2)]
    assert cur[1, 1] == pytest.approx(1.0, rel=1e-9)  # the total current (1 A injected)
    # without the crossing the reserves are cut apart
    closed, _ = resistance_with(loaded, BorderFenceEdit(name="fence", along=("AAA-BBB",), width_m=100.0))
    assert np.isnan(closed.values[:, 1]).all()
    assert pairwise(closed.values.astype(np.float64), focal, neighbours=8).resistance(1, 2) == -1


@pytest.mark.parametrize("neighbours", [8, 4])
def test_bigger_circuit_current_through_the_crossing_equals_total(neighbours):
    """7 x 9 cells, fence on column 4 with a crossing at row 2; reserves in columns 0 and 8. The
    crossing cell carries the whole 1 A; so does every column between reserve and fence (a cut)."""
    loaded = synthetic(7, 9, 4)
    res, _ = resistance_with(
        loaded, BorderFenceEdit(along=("AAA-BBB",), width_m=100.0),
        CrossingEdit(wkt="POINT (4500 4500)", width_m=50.0))
    v = res.values.astype(np.float64)
    assert np.isnan(v[:, 4]).sum() == 6 and v[2, 4] == 1.0
    west = np.zeros(v.shape, bool)
    west[:, 0] = True
    east = np.zeros(v.shape, bool)
    east[:, -1] = True
    out = pairwise(v, {1: np.flatnonzero(west), 2: np.flatnonzero(east)}, neighbours=neighbours,
                   current_maps=True)
    cur = out.current_maps[(1, 2)]
    assert cur[2, 4] == pytest.approx(1.0, rel=1e-9)
    assert np.nanmax(cur[:, 1:8]) <= 1.0 + 1e-9


def test_crossing_on_a_line_from_a_users_file(tmp_path):
    """Crossings apply after every line edit, so they open lines read from a user's file too (and
    restore the land-cover resistance, not a constant)."""
    loaded = synthetic(5, 7, 3)
    lc_res = np.where(np.arange(7)[None, :] % 2 == 0, 1, 2).repeat(5, axis=0).astype(np.uint8)
    lc = loaded.landcover.with_values(lc_res)
    loaded = RunInputs(**{**loaded.__dict__, "landcover": lc, "table": {1: 1.0, 2: 7.0}})
    road = gpd.GeoDataFrame({"kind": ["rail"]}, geometry=[shapely.LineString([(0, 2500), (7000, 2500)])], crs=LAEA)
    path = tmp_path / "rail.gpkg"
    vectors.write_layers(path, {"rail": road})
    sc_edits = (CrossingEdit(name="underpass", wkt="POINT (3500 2500)", width_m=30.0),  # listed first
                LineEdit(type="fence", name="rail fence", path=path, width_m=100.0, resistance=900.0))
    res, edits = resistance_with(loaded, *sc_edits)
    assert res.values[2, 3] == 7.0  # class 2 (column 3 is odd) back under the crossing
    assert (np.delete(res.values[2], 3) == 900.0).all()
    assert set(edits["Type"]) == {"fence", "crossing"}


def test_crossing_errors_name_the_edit():
    loaded = synthetic(5, 7, 3)
    with pytest.raises(ConfigError, match=r"edits\[0\] \(crossing 'lost'\): there is no road or fence"):
        resistance_with(loaded, CrossingEdit(name="lost", wkt="POINT (3500 2500)", width_m=30.0))
    with pytest.raises(ConfigError, match=r"edits\[1\] \(crossing 'far'\).*EPSG:4326"):
        resistance_with(loaded, BorderFenceEdit(along=("AAA-BBB",)),
                        CrossingEdit(name="far", wkt="POINT (131.1 43.2)", width_m=30.0))
    with pytest.raises(ConfigError, match=r"edits\[0\] \(fence 'f' along AAA-CCC\).*AAA-BBB"):
        resistance_with(loaded, BorderFenceEdit(name="f", along=("AAA-CCC",)))


# ---------------------------------------------------------------------- embedded CHN-RUS fence
@pytest.fixture(scope="module")
def nea_fenced():
    sc = Scenario.default().with_edits(BorderFenceEdit(name="CN-RU fence", along=("CHN-RUS",)))
    loaded = load_inputs(sc.resolved())
    fenced, _ = _surface(loaded, sc)
    open_, _ = _surface(loaded, Scenario.default())
    return loaded, fenced, open_


def _side_cells(loaded, grid, iso3):
    """Cells whose centre lies in the country ``iso3`` and in one of its reserves."""
    country = loaded.countries[loaded.countries.iso3 == iso3]
    in_country = rasters.rasterize(country, grid, values=1).values.astype(bool)
    pas = loaded.pas[loaded.pas.iso3 == iso3]
    in_pa = rasters.rasterize(pas, grid, values=1).values.astype(bool)
    return in_country, in_country & in_pa


def test_full_chn_rus_fence_is_continuous(nea_fenced):
    """No least-cost path between Russian and Chinese reserves across the CHN-RUS border once it
    is fenced. The search is kept inside China and Russia (other countries are barriers), so the
    only way across is that border: a finite cost would mean a hole in the fence (8 neighbours:
    a diagonal step between two fence cells counts). The same search without the fence reaches
    Chinese reserves, so the test can fail."""
    loaded, fenced, open_ = nea_fenced
    ru, ru_pa = _side_cells(loaded, fenced, "RUS")
    cn, cn_pa = _side_cells(loaded, fenced, "CHN")
    domain = ru | cn
    assert ru_pa.sum() > 100 and cn_pa.sum() > 100
    for res, blocked in ((fenced, True), (open_, False)):
        v = np.where(domain, res.values, np.nan)
        src = ru_pa & np.isfinite(v)
        cost = corridors.cost_distance(v, src, neighbours=8)
        reached = np.isfinite(cost[cn_pa])
        if blocked:
            assert not reached.any(), f"{reached.sum()} Chinese reserve cells reached through the fence"
            # and not one Chinese cell at all: the fence is closed along its whole length
            assert not np.isfinite(cost[cn & ~ru]).any()
        else:
            assert reached.any()
    # the fence cells are barriers and lie on the border
    line = vectors.border_lines(loaded.borders, "CHN-RUS")
    new = np.isnan(fenced.values) & ~np.isnan(open_.values)
    rr, cc = np.nonzero(new)
    x, y = fenced.xy(rr, cc)
    assert np.all(shapely.distance(shapely.points(x, y), line) <= 500 + fenced.cellsize * 1.5)
    assert new.sum() > line.length / fenced.cellsize  # about one cell per 5 km of border or more


def test_reserve_under_the_fence_is_reported_not_fatal(nea_fenced):
    """At 5 km a fence cell can cover a small reserve's only cell (KP01 Rason, on the Tumen under
    a PRK-RUS fence): its pairs are reported unlinked with the reason instead of failing the run."""
    from corridors.parallel import Executor
    from corridors.pipeline.stages import build_nodes, find_links

    loaded, _, _ = nea_fenced
    sc = Scenario.default().with_edits(BorderFenceEdit(along=("CHN-RUS", "PRK-RUS"))).resolved()
    fenced, _ = _surface(loaded, sc)
    net = find_links(fenced, build_nodes(loaded, sc.parameters), loaded.borders, sc.parameters, Executor(threads=1))
    core = net.cores.grid.values == net.cores.core_id("KP01")
    assert core.any() and np.isnan(fenced.values[core]).all()
    rows = net.unlinked[(net.unlinked.pa_a == "KP01") | (net.unlinked.pa_b == "KP01")]
    assert len(rows) >= 1 and rows["Reason"].str.contains("every cell of a reserve is a barrier").all()
    assert not ((net.links.From_PA == "KP01") | (net.links.To_PA == "KP01")).any()


def test_border_fence_example_builds():
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "examples" / "border_fence.toml"
    sc = Scenario.from_toml(path)
    loaded = load_inputs(sc.resolved())
    res, edits = _surface(loaded, sc)
    base, _ = _surface(loaded, Scenario.default())
    fence_cells = np.isnan(res.values) & ~np.isnan(base.values)
    assert fence_cells.sum() > 100  # about 560 km of border at 5 km
    assert list(edits["Type"]) == ["fence", "crossing"]
    gap = edits.geometry.iloc[1]
    rr, cc = np.nonzero(rasters.rasterize([gap], res, values=1, all_touched=True).values.astype(bool))
    assert np.isfinite(res.values[rr, cc]).all()  # the gate is open
    import dataclasses

    closed, _ = _surface(loaded, dataclasses.replace(sc, edits=sc.edits[:1]))
    assert np.isnan(closed.values[rr, cc]).any()  # and it was shut before the crossing


# ------------------------------------------------- the main job's links under a full CHN-RUS fence
def _chn_rus(df, a="From_ISO3", b="To_ISO3"):
    return df[[{x, y} == {"CHN", "RUS"} for x, y in zip(df[a], df[b])]].reset_index(drop=True)


@pytest.fixture(scope="module")
def nea_links(nea_fenced):
    """The main job's links and adjoining stages (the functions the run calls) on the open
    surface, under a full CHN-RUS fence, and under fences along every land border of Russia."""
    from corridors.parallel import Executor
    from corridors.pipeline.stages import assess_adjoining, build_nodes, find_links

    loaded, fenced, open_ = nea_fenced
    sc = Scenario.default().resolved()
    nodes = build_nodes(loaded, sc.parameters)
    every = Scenario.default().with_edits(
        BorderFenceEdit(name="Russia", along=("CHN-RUS", "PRK-RUS", "KAZ-RUS", "MNG-RUS")))
    all_russia, _ = _surface(loaded, every)
    out = {}
    for name, res in (("open", open_), ("fenced", fenced), ("all_russia", all_russia)):
        net = find_links(res, nodes, loaded.borders, sc.parameters, Executor(threads=1))
        out[name] = (net, assess_adjoining(net, res, sc.parameters), res)
    return loaded, out


def test_full_chn_rus_fence_closes_every_crossing_of_that_border(nea_links):
    """Issue 16's done-when on the main job. The ranked links are the LinkSet's transboundary
    links (rank_corridors ranks exactly those). Without a fence, 11 CHN-RUS links, most of whose
    least-cost paths cross the CHN-RUS border. Under a full CHN-RUS fence no link's path crosses
    that border any more. The CHN-RUS links that survive go round the fence's ends through a third
    country, which a fence along CHN-RUS cannot stop: Changbaishan (CN04) and Tianfozhishan (CN37)
    to Khasan (RU20) through the DPRK (past the CHN-PRK-RUS tripoint on the Tumen), Kanas (CN11) to
    Katunsky (RU16) through Kazakhstan (the Altai: Kazakhstan lies between the two countries west
    of their 55 km of common border there; that path never crossed the CHN-RUS border even
    without the fence). Fencing every land border of Russia removes every CHN-RUS link (the sea,
    water at resistance 20, is too costly a way round)."""
    loaded, out = nea_links
    border = vectors.border_lines(loaded.borders, "CHN-RUS")
    third = loaded.countries[~loaded.countries.iso3.isin(["CHN", "RUS"])]

    def crossing(net):
        lines = net.linkage.lines
        return [int(i) for i in net.transboundary.Link_ID if lines[int(i)].intersects(border)]

    open_net = out["open"][0]
    open_cr = _chn_rus(open_net.transboundary)
    assert len(open_cr) >= 10
    across = set(crossing(open_net))
    assert len(across) >= 8 and across <= set(open_cr.Link_ID)  # only CHN-RUS links cross it
    fenced_net = out["fenced"][0]
    assert crossing(fenced_net) == []  # no path of any link crosses the fenced border
    survivors = _chn_rus(fenced_net.transboundary)
    pairs = {frozenset((a, b)) for a, b in zip(survivors.From_PA, survivors.To_PA)}
    assert pairs == {frozenset(p) for p in (("CN04", "RU20"), ("CN37", "RU20"), ("CN11", "RU16"))}
    for rec in survivors.itertuples():
        line = fenced_net.linkage.lines[int(rec.Link_ID)]
        via = set(third[third.intersects(line)].iso3)
        assert via & {"PRK", "KAZ", "MNG"}, f"{rec.From_PA}-{rec.To_PA} stays in China and Russia"
    gone = {frozenset((a, b)) for a, b, i in zip(open_cr.From_PA, open_cr.To_PA, open_cr.Link_ID) if i in across}
    assert not gone & pairs  # every CHN-RUS link whose path crossed that border is removed
    assert len(_chn_rus(out["all_russia"][0].transboundary)) == 0


def test_full_chn_rus_fence_zeroes_every_adjoining_chn_rus_permeability(nea_links):
    """Every adjoining CHN-RUS pair (reserves that share the border, e.g. Northeast China Tiger and
    Leopard NP, CN01, and Land of the Leopard NP, RU01): open border steps before, permeability 0
    and no open step under the fence, with the same steps counted."""
    _, out = nea_links
    before = _chn_rus(out["open"][1].table).set_index(["From_PA", "To_PA"]).sort_index()
    after = _chn_rus(out["fenced"][1].table).set_index(["From_PA", "To_PA"]).sort_index()
    assert len(before) >= 5 and list(before.index) == list(after.index)
    assert {"CN01", "RU01"} in [set(k) for k in before.index]
    assert (before.N_Steps > 0).all() and (before.Permeab > 0).all()
    cn01_ru01 = next(k for k in before.index if set(k) == {"CN01", "RU01"})
    assert before.loc[cn01_ru01, "Permeab"] == pytest.approx(1.0)  # forest on both sides, no barrier
    assert (after.N_Steps == before.N_Steps).all()
    assert (after.Permeab == 0).all() and (after.Open_Shr == 0).all()


#: a point on the CN01-RU01 shared border where a crossing opens exactly one 5 km cell
GATE = "POINT (131.2509 43.3474)"


def test_one_crossing_carries_all_current_between_cn01_and_ru01(nea_links):
    """Full CHN-RUS fence, one crossing on the border between CN01 and RU01. The crossing opens
    one cell; its three west neighbours are CN01 cells, its three east neighbours RU01 cells, all
    forest (resistance 1), the cells north and south of it fence. The circuit between the two
    reserves (each shorted; the opened cell left out of both) on China and Russia's cells around
    them (outside them a path between the reserves must cross the fenced border, so the crop
    removes no way through) is then the 3 x 3 hand circuit: R_eff = 2 / (1 + sqrt 2) ohm and the
    whole 1 A passes through the crossing cell; without the crossing the reserves are cut apart.
    Their border permeability comes back to the crossing cell's open steps to CN01 / N_Steps.
    (On the whole grid a little current would also go round through the DPRK, as the surviving
    least-cost links do: the crop to China and Russia is what makes the cut exact.)"""
    from corridors.pipeline.stages import assess_adjoining

    loaded, out = nea_links
    net, _, fenced = out["fenced"]
    fence = BorderFenceEdit(name="CN-RU fence", along=("CHN-RUS",))
    gate = CrossingEdit(name="gate", wkt=GATE, crs="EPSG:4326", width_m=100.0)
    crossed, _ = _surface(loaded, Scenario.default().with_edits(fence, gate))
    opened = np.isnan(fenced.values) & np.isfinite(crossed.values)
    assert opened.sum() == 1
    (i, j), = np.argwhere(opened)
    cores = net.cores.grid.values
    cn01, ru01 = cores == net.cores.core_id("CN01"), cores == net.cores.core_id("RU01")
    v = crossed.values.astype(np.float64)
    west, east = (slice(i - 1, i + 2), j - 1), (slice(i - 1, i + 2), j + 1)
    assert cn01[west].all() and ru01[east].all()
    assert (v[west] == 1).all() and (v[east] == 1).all() and v[i, j] == 1
    assert np.isnan(v[i - 1, j]) and np.isnan(v[i + 1, j])
    china_russia = loaded.countries[loaded.countries.iso3.isin(["CHN", "RUS"])]
    domain = rasters.rasterize(china_russia, crossed, values=1).values.astype(bool)
    rr, cc = np.nonzero(cn01 | ru01)
    box = (slice(rr.min() - 10, rr.max() + 11), slice(cc.min() - 10, cc.max() + 11))
    for res, gate_open in ((crossed, True), (fenced, False)):
        w = np.where(domain, res.values, np.nan)[box].astype(np.float64)
        focal = {k: np.flatnonzero(m[box] & np.isfinite(w) & ~opened[box]) for k, m in ((1, cn01), (2, ru01))}
        result = pairwise(w, focal, neighbours=8, current_maps=True)
        if gate_open:
            assert result.resistance(1, 2) == pytest.approx(2 / (1 + np.sqrt(2)), rel=1e-9)
            cur = result.current_maps[(1, 2)]
            assert cur[i - box[0].start, j - box[1].start] == pytest.approx(1.0, rel=1e-9)
        else:
            assert result.resistance(1, 2) == -1
    adj = assess_adjoining(net, crossed, Scenario.default().resolved().parameters).table
    row = adj[[{a, b} == {"CN01", "RU01"} for a, b in zip(adj.From_PA, adj.To_PA)]].iloc[0]
    near = (slice(i - 1, i + 2), slice(j - 1, j + 2))
    open_steps = int((cn01[near] & np.isfinite(v[near])).sum())  # the 3 west cells: conductance 2 / (1 + 1) each
    assert open_steps == 3 and row.N_Steps > 0
    assert row.Permeab == pytest.approx(open_steps / row.N_Steps)
    assert row.Open_Shr == pytest.approx(open_steps / row.N_Steps)
    others = adj[[{a, b} == {"CHN", "RUS"} and {c, d} != {"CN01", "RU01"}
                  for a, b, c, d in zip(adj.From_ISO3, adj.To_ISO3, adj.From_PA, adj.To_PA)]]
    assert len(others) >= 4 and (others.Permeab == 0).all()  # the crossing opens only its own pair
