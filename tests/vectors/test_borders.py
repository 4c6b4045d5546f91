"""international_borders / read_countries on hand-made countries and on the embedded data."""

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

import vectors
from corridors.errors import CRSError, InputError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def countries(**geoms):
    return gpd.GeoDataFrame({"iso3": list(geoms)}, geometry=list(geoms.values()), crs=LAEA)


def test_two_touching_squares_share_exactly_their_edge():
    # A = [0,10 km] x [0,10 km], B to its east; the shared edge is x = 10 km, 10 km long
    b = vectors.international_borders(countries(BBB=box(10_000, 0, 20_000, 10_000), AAA=box(0, 0, 10_000, 10_000)))
    assert list(b["pair"]) == ["AAA-BBB"]
    assert (b.iso3_a[0], b.iso3_b[0]) == ("AAA", "BBB")
    assert b.length_m[0] == pytest.approx(10_000.0, abs=0.01)
    line = b.geometry[0]
    assert line.hausdorff_distance(shapely.LineString([(10_000, 0), (10_000, 10_000)])) < 0.01


def test_partial_edge_and_tripoint():
    # A west, B east (both y 0..10 km); C south, spanning x 5..15 km under both
    a = box(0, 0, 10_000, 10_000)
    b = box(10_000, 0, 20_000, 10_000)
    c = box(5_000, -8_000, 15_000, 0)
    out = vectors.international_borders(countries(AAA=a, BBB=b, CCC=c))
    got = dict(zip(out.pair, out.length_m))
    assert got == pytest.approx({"AAA-BBB": 10_000.0, "AAA-CCC": 5_000.0, "BBB-CCC": 5_000.0}, abs=0.01)


def test_gap_below_tolerance_is_closed_and_coasts_are_not_borders():
    # generalised outlines 400 m apart: one border of 10 km (on A's side), nothing along the coast
    a = box(0, 0, 10_000, 10_000)
    b = box(10_400, 0, 20_000, 10_000)
    out = vectors.international_borders(countries(AAA=a, BBB=b), tolerance=1000)
    assert out.length_m[0] == pytest.approx(10_000.0, abs=0.01)
    far = vectors.international_borders(countries(AAA=a, BBB=box(15_000, 0, 20_000, 10_000)))
    assert len(far) == 0


def test_border_errors():
    geo = countries(AAA=box(0, 0, 1, 1), BBB=box(1, 0, 2, 1)).set_crs(4326, allow_override=True)
    with pytest.raises(CRSError, match="geographic"):
        vectors.international_borders(geo)
    with pytest.raises(InputError, match="tolerance"):
        vectors.international_borders(countries(AAA=box(0, 0, 1, 1)), tolerance=0)


def test_read_countries_maps_natural_earth_fields(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"ADM0_A3": ["CHN", "RUS", "CHN"], "ISO_A3": ["-99", "RUS", "-99"], "ADMIN": ["A", "B", "A"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2)], crs=LAEA,
    )
    path = tmp_path / "c.geojson"
    gdf.to_file(path)
    c = vectors.read_countries(path)
    assert list(c.iso3) == ["CHN", "RUS"]  # ADM0_A3 preferred over ISO_A3's -99
    assert list(c.name) == ["A", "B"]
    assert c.geometry[0].area == pytest.approx(2.0)  # two features of CHN dissolved
    with pytest.raises(InputError, match="-99"):
        vectors.read_countries(path, fields={"iso3": "ISO_A3"})


def test_embedded_borders_match_stored_layer():
    from corridors.datasets import nea

    d = nea()
    mine = vectors.international_borders(d.countries)
    ref = d.borders
    assert list(mine.pair) == list(ref.pair) == [
        "CHN-KAZ", "CHN-MNG", "CHN-PRK", "CHN-RUS", "KAZ-RUS", "KOR-PRK", "MNG-RUS", "PRK-RUS"]
    for m, r in zip(mine.itertuples(), ref.itertuples()):
        # same line within 1.5 km everywhere, lengths within 0.1 % or 500 m
        assert m.geometry.hausdorff_distance(r.geometry) < 1500, m.pair
        assert abs(m.length_m - r.length_m) <= max(0.001 * r.length_m, 500), m.pair
