"""border_lines: the border of a country pair, cut to a longitude/latitude box or a polygon."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box

import vectors
from corridors.errors import InputError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def three_countries():
    # AAA west, BBB east (y 0..100 km), CCC south of both: borders AAA-BBB (100 km, x = 100 km),
    # AAA-CCC and BBB-CCC
    geoms = {"AAA": box(0, 0, 100_000, 100_000), "BBB": box(100_000, 0, 200_000, 100_000),
             "CCC": box(0, -50_000, 200_000, 0)}
    c = gpd.GeoDataFrame({"iso3": list(geoms)}, geometry=list(geoms.values()), crs=LAEA)
    return vectors.international_borders(c)


def test_whole_border_either_order_and_several_pairs():
    b = three_countries()
    one = vectors.border_lines(b, "BBB-AAA")
    assert one.geom_type == "MultiLineString"
    assert one.length == pytest.approx(100_000.0, abs=0.1)
    assert one.hausdorff_distance(shapely.LineString([(100_000, 0), (100_000, 100_000)])) < 0.1
    two = vectors.border_lines(b, ["AAA-BBB", "AAA-CCC"])
    assert two.length == pytest.approx(200_000.0, abs=0.1)


def test_cut_by_polygon_and_by_lonlat_box():
    b = three_countries()
    half = vectors.border_lines(b, "AAA-BBB", within=box(50_000, 25_000, 150_000, 75_000))
    assert half.length == pytest.approx(50_000.0, abs=0.1)
    # the same cut as a longitude/latitude box: the corners of the polygon in degrees
    tr = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)
    lon0, lat0 = tr.transform(50_000, 25_000)
    lon1, lat1 = tr.transform(150_000, 75_000)
    # the border x = 100 km is nearly a meridian here: cut it at the latitudes of y = 25, 75 km
    _, la = tr.transform(100_000, 25_000)
    _, lb = tr.transform(100_000, 75_000)
    cut = vectors.border_lines(b, "AAA-BBB", bbox=(lon0 - 1, la, lon1 + 1, lb))
    assert cut.length == pytest.approx(50_000.0, rel=1e-3)
    ys = shapely.get_coordinates(cut)[:, 1]
    assert ys.min() == pytest.approx(25_000, abs=100) and ys.max() == pytest.approx(75_000, abs=100)
    both = vectors.border_lines(b, "AAA-BBB", bbox=(lon0 - 1, la, lon1 + 1, lb),
                                within=box(0, 0, 200_000, 50_000))
    assert both.length == pytest.approx(25_000.0, rel=1e-3)


def test_border_line_errors():
    b = three_countries()
    with pytest.raises(InputError, match=r"not in the borders layer.*AAA-BBB, AAA-CCC, BBB-CCC"):
        vectors.border_lines(b, "AAA-DDD")
    with pytest.raises(InputError, match="AAA-BBB"):
        vectors.border_lines(b, "AAABBB")
    with pytest.raises(InputError, match="no part of it"):
        vectors.border_lines(b, "AAA-BBB", within=box(150_000, 0, 160_000, 10))
    with pytest.raises(InputError, match="west, south, east, north"):
        vectors.border_lines(b, "AAA-BBB", bbox=(120, 50, 110, 40))


def test_embedded_chn_rus_border():
    from corridors.datasets import nea

    ds = nea()
    full = vectors.border_lines(ds.borders, "CHN-RUS")
    assert full.length == pytest.approx(float(ds.borders.set_index("pair").length_m["CHN-RUS"]), rel=1e-6)
    east = vectors.border_lines(ds.borders, "RUS-CHN", bbox=(110, 35, 140, 60))
    west = vectors.border_lines(ds.borders, "CHN-RUS", bbox=(80, 40, 95, 55))
    assert 0 < west.length < east.length < full.length
    assert east.length + west.length == pytest.approx(full.length, rel=1e-6)
    assert np.isfinite(east.length)
