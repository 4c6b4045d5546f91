"""Unprotected stretches of corridors against hand geometry."""

import geopandas as gpd
import shapely

from corridors.pipeline.stages.gaps import unprotected_stretches


def test_unprotected_stretches_by_hand():
    crs = "EPSG:3857"
    corr = gpd.GeoDataFrame({"Link_ID": [7], "Rank": [1]}, geometry=[shapely.box(0, 0, 10000, 2000)], crs=crs)
    pas = gpd.GeoDataFrame({"pa_id": ["A", "B"]}, geometry=[shapely.box(-5000, -5000, 2000, 5000),
                                                            shapely.box(8000, -5000, 15000, 5000)], crs=crs)
    countries = gpd.GeoDataFrame({"iso3": ["AAA", "BBB"]}, geometry=[shapely.box(-9e4, -9e4, 5000, 9e4),
                                                                     shapely.box(5000, -9e4, 9e4, 9e4)], crs=crs)
    g = unprotected_stretches(corr, pas, countries, min_area_km2=0.0)
    assert len(g) == 1
    assert g["Area_km2"].iloc[0] == 6000 * 2000 / 1e6
    assert g["Countries"].iloc[0] == "AAA;BBB"
    assert g["Link_ID"].iloc[0] == 7 and g["Gap_ID"].iloc[0] == 1
    assert len(unprotected_stretches(corr, pas, countries, min_area_km2=13.0)) == 0
