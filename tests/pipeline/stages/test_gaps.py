"""Unprotected stretches of corridors against hand geometry: no double counting, one country each."""

import geopandas as gpd
import pytest
import shapely

from corridors.pipeline.stages.gaps import unprotected_stretches

CRS = "EPSG:3857"


def _world():
    # two corridors overlapping on x 4-6 km; a reserve on x 0-2 km; RUS west of x = 5 km, CHN east
    # of it up to x = 9 km; x 9-10 km is sea (no country)
    corr = gpd.GeoDataFrame({"Link_ID": [7, 3], "Rank": [1, 2]},
                            geometry=[shapely.box(0, 0, 6000, 2000), shapely.box(4000, 0, 10000, 2000)], crs=CRS)
    pas = gpd.GeoDataFrame({"pa_id": ["A"]}, geometry=[shapely.box(-5000, -5000, 2000, 5000)], crs=CRS)
    countries = gpd.GeoDataFrame({"iso3": ["RUS", "CHN"]}, geometry=[shapely.box(-9e4, -9e4, 5000, 9e4),
                                                                     shapely.box(5000, -9e4, 9000, 9e4)], crs=CRS)
    return corr, pas, countries


def test_overlaps_count_once_and_parts_split_at_borders():
    g = unprotected_stretches(*_world())
    assert g[["Gap_ID", "ISO3", "Area_km2", "Best_Rank", "N_Links", "Links"]].values.tolist() == [
        [1, "CHN", 8.0, 1, 2, "7;3"],  # x 5-9 km (larger first); x 9-10 km is sea, no country's gap
        [2, "RUS", 6.0, 1, 2, "7;3"],  # x 2-5 km: corridor 7, and corridor 3 from x = 4 km
    ]
    union = shapely.union_all(g.geometry.values)
    assert g.geometry.area.sum() == pytest.approx(union.area)


def test_countries_that_overlap_do_not_share_a_gap():
    corr, pas, countries = _world()
    countries.loc[1, "geometry"] = shapely.box(3000, -9e4, 9000, 9e4)  # CHN polygon overlaps RUS by 2 km
    g = unprotected_stretches(corr, pas, countries)
    assert g[["ISO3", "Area_km2"]].values.tolist() == [["CHN", 8.0], ["RUS", 6.0]]  # x 3-5 km stays with RUS
    assert g.geometry.area.sum() == pytest.approx(shapely.union_all(g.geometry.values).area)


def test_small_parts_are_dropped():
    g = unprotected_stretches(*_world(), min_area_km2=7.0)
    assert g["ISO3"].tolist() == ["CHN"] and g["Gap_ID"].tolist() == [1]
