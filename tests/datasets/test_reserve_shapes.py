"""Growing approximate reserve shapes: cost-distance order, quotas, countries, adjacency, nesting."""

import numpy as np
import pytest
import shapely
from skimage.graph import MCP_Geometric

from corridors.datasets import _reserve_shapes as rs
from corridors.errors import InputError

CELL = 1000.0


def grid(nrows=40, ncols=60, split=30, lc=None):
    """Two countries: A (code 1) west of column ``split``, B (code 2) east of it."""
    country = np.ones((nrows, ncols), dtype=np.int16)
    country[:, split:] = 2
    land = np.ones((nrows, ncols), dtype=np.uint8) if lc is None else lc
    return rs.FineGrid(country=country, landcover=land, x0=0.0, y0=nrows * CELL, cell=CELL, iso3=("AAA", "BBB"))


def centre(fine, r, c):
    x, y = fine.centre(r, c)
    return float(x), float(y)


def spec(pid, iso, fine, r, c, km2, **kw):
    x, y = centre(fine, r, c)
    return rs.ReserveSpec(pa_id=pid, iso3=iso, x=x, y=y, target_km2=km2, habitat=kw.pop("habitat", "forest"), **kw)


def test_single_reserve_takes_the_cells_nearest_in_cost_distance():
    lc = np.ones((40, 60), dtype=np.uint8)
    lc[:, 10:14] = 3  # a band of cropland (x4 for a forest reserve)
    fine = grid(lc=lc)
    res = rs.grow_reserves(fine, [spec("A", "AAA", fine, 20, 8, 150.0)], borders={})
    cells = res.cells["A"]
    assert len(cells) == 150
    # independent oracle: skimage's cost distance over the same costs (mean of the two cells x step)
    costs = np.where(fine.country == 1, np.array(rs.HABITAT_COSTS["forest"])[lc - 1], np.inf)
    mcp = MCP_Geometric(costs, fully_connected=True)
    dist, _ = mcp.find_costs([(20, 8)])
    dist = dist.reshape(-1)
    inside = np.zeros(40 * 60, dtype=bool)
    inside[cells] = True
    allowed = (fine.country.reshape(-1) == 1)
    # every grown cell is at most as far as every cell left out (ties aside)
    assert dist[inside].max() <= dist[allowed & ~inside].min() + 1e-9
    assert (fine.country.reshape(-1)[cells] == 1).all()


def test_two_countries_adjoin_along_their_border_and_reach_their_quotas():
    fine = grid()
    a = spec("A", "AAA", fine, 20, 10, 120.0, adjoins=("B",))
    b = spec("B", "BBB", fine, 22, 52, 80.0, adjoins=("A",))
    border = shapely.LineString([(30 * CELL, 0), (30 * CELL, 40 * CELL)])
    res = rs.grow_reserves(fine, [a, b], borders={frozenset(("AAA", "BBB")): border})
    assert len(res.cells["A"]) == 120 and len(res.cells["B"]) == 80
    pa, pb = rs.cells_to_polygon(fine, res.cells["A"]), rs.cells_to_polygon(fine, res.cells["B"])
    assert pa.distance(pb) == 0.0  # they meet on the border line
    assert pa.area == pytest.approx(120 * CELL**2) and pb.area == pytest.approx(80 * CELL**2)
    # the meeting point minimises the sum of distances to both seeds: on the border between them
    px, py = rs.border_meeting_point(border, a.x, a.y, b.x, b.y, CELL)
    assert px == pytest.approx(30 * CELL) and 19 * CELL <= 40 * CELL - py <= 23 * CELL
    # without the listed adjacency they stay apart
    apart = rs.grow_reserves(fine, [spec("A", "AAA", fine, 20, 10, 120.0), spec("B", "BBB", fine, 22, 52, 80.0)],
                             borders={})
    assert rs.cells_to_polygon(fine, apart.cells["A"]).distance(rs.cells_to_polygon(fine, apart.cells["B"])) > 5 * CELL


def test_nested_reserve_lies_inside_its_parent_and_adjoining_domestic_pairs_meet():
    fine = grid()
    parent = spec("P", "AAA", fine, 20, 15, 200.0)
    child = spec("C", "AAA", fine, 10, 5, 30.0, within="P")
    other = spec("D", "AAA", fine, 35, 25, 40.0, adjoins=("P",))
    res = rs.grow_reserves(fine, [parent, child, other], borders={})
    assert set(res.cells["C"]) <= set(res.cells["P"])
    assert len(res.cells["P"]) == 200 and len(res.cells["C"]) == 30
    poly_p = rs.cells_to_polygon(fine, res.cells["P"])
    assert poly_p.geom_type == "Polygon"  # one piece: the child is joined by a spine
    assert poly_p.distance(rs.cells_to_polygon(fine, res.cells["D"])) == 0.0
    with pytest.raises(InputError, match="larger than it"):
        rs.grow_reserves(fine, [parent, spec("C", "AAA", fine, 10, 5, 300.0, within="P")], borders={})


def test_fixed_shapes_are_kept_and_reached():
    fine = grid()
    strip = np.array([r * 60 + 29 for r in range(40)])  # a one-cell strip along A's border
    res = rs.grow_reserves(fine, [spec("A", "AAA", fine, 20, 5, 60.0, adjoins=("S",))], borders={}, fixed={"S": strip})
    assert not set(res.cells["A"]) & set(strip)
    assert rs.cells_to_polygon(fine, res.cells["A"]).distance(rs.cells_to_polygon(fine, strip)) == 0.0


def test_point_outside_its_country_is_snapped_or_refused():
    fine = grid()
    near = spec("A", "AAA", fine, 20, 31, 10.0)  # two cells inside B
    res = rs.grow_reserves(fine, [near], borders={})
    assert res.seed_shift_m["A"] == pytest.approx(2 * CELL)
    with pytest.raises(InputError, match="no free cell of AAA"):
        rs.grow_reserves(fine, [near], borders={}, snap_radius_m=500.0)


def test_growth_is_deterministic_with_terrain_and_roughness():
    base = grid()
    rough = rs.smooth_roughness(base.shape, sigma_cells=3.0, strength=0.5, seed=7)
    assert rough.dtype == np.float32 and np.isclose(np.log(rough).std(), 0.5, rtol=1e-3)
    np.testing.assert_array_equal(rough, rs.smooth_roughness(base.shape, sigma_cells=3.0, strength=0.5, seed=7))
    elev = np.tile(np.linspace(0, 2000, 60, dtype=np.float32), (40, 1))
    fine = rs.FineGrid(country=base.country, landcover=base.landcover, x0=0.0, y0=40 * CELL, cell=CELL,
                       iso3=base.iso3, elevation=elev, roughness=rough)
    specs = [spec("A", "AAA", fine, 20, 10, 100.0, habitat="lake"), spec("M", "BBB", fine, 20, 45, 100.0,
                                                                          habitat="mountain")]
    one = rs.grow_reserves(fine, specs, borders={})
    two = rs.grow_reserves(fine, specs, borders={})
    for k in ("A", "M"):
        np.testing.assert_array_equal(one.cells[k], two.cells[k])
    # a lake reserve keeps to its elevation band (elongated north-south across the east-west slope)
    rows, cols = np.divmod(one.cells["A"], 60)
    assert np.ptp(rows) > np.ptp(cols)
    # a mountain reserve does not descend: it spreads uphill (east)
    _, mcols = np.divmod(one.cells["M"], 60)
    assert np.mean(mcols) > 45


def test_reserve_table_validation(tmp_path):
    from corridors.datasets import _build_nea_reserves as build
    from corridors.errors import DataFormatError

    text = build.TABLE.read_text(encoding="utf-8")
    table = build.read_table()
    assert len(table) == len(text.splitlines()) - 1 and table.legal.dtype == bool
    cases = [
        (text.replace("CN02,Hunchun", "CN01,Hunchun", 1), "duplicated pa_id"),
        (text.replace(",CHN,National Park,", ",CHN;RUS,National Park,", 1), "one ISO alpha-3 code"),
        (text.replace(",forest,,RU01,", ",jungle,,RU01,", 1), "habitat outside"),
        (text.replace(",forest,CN01,RU01;KP01,", ",forest,CN99,RU01;KP01,", 1), "unknown reserve"),
        (text.replace(",true,", ",yes,", 1), "legal must be"),
    ]
    for bad, match in cases:
        p = tmp_path / "t.csv"
        p.write_text(bad, encoding="utf-8")
        with pytest.raises(DataFormatError, match=match):
            build.read_table(p)
