"""restoration_sites on the default North-East Asia run, as the pipeline stage calls it: the
top ranked links, the run's gap polygons, the embedded land cover and countries; each site checked
against a single-link barrier analysis, point-in-polygon and the gap polygons of its own link; the
run's restoration_sites layer and barrier_improvement.tif equal the recomputation."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import rasters
import vectors
from corridors.datasets import nea
from corridors.pipeline.stages.inputs import load_inputs
from corridors.pipeline.stages.resistance import build_resistance
from corridors.restoration import barrier_analysis, disk_offsets, restoration_sites
from corridors.scenario import Scenario



def _surface(inputs, scenario):
    """(resistance Grid, edits layer) of a scenario's edits on loaded inputs."""
    r = build_resistance(inputs, scenario.edits)
    return r.grid, r.edits

def test_sites_for_the_top_links(default_run, tmp_path):
    run = default_run  # the session's default run (tests/pipeline/conftest.py)
    gaps = gpd.read_file(run.out / "corridors.gpkg", layer="gaps")
    sc = Scenario.default()
    loaded = load_inputs(sc.resolved())
    res, _ = _surface(loaded, sc)
    from corridors.pipeline.stages import build_nodes

    cores = vectors.rasterize_cores(build_nodes(loaded, sc.resolved().parameters).nodes, res)  # the run's cores
    top = run.ranking.sort_values("Rank").head(10)
    radii = [k * res.cellsize for k in range(1, 6)]
    out = restoration_sites(res, cores.grid, top, radii=radii, top=3, landcover=loaded.landcover,
                            classes=dict(nea().landcover_classes), countries=loaded.countries,
                            gaps=gaps, gaps_of_link=True, max_cost=sc.resolved().parameters.max_cost_distance)
    s = out.sites
    assert len(s) > 0
    for lid, lcd in out.lcd.items():  # the same least-cost distances as the link table
        assert lcd == pytest.approx(float(top.set_index("Link_ID").CW_Dist[lid]), rel=1e-9)
    checked = 0
    for link_id, grp in s.groupby("Link_ID"):
        rec = top.set_index("Link_ID").loc[link_id]
        ana = barrier_analysis(res, cores.grid.values == rec.From_Core, cores.grid.values == rec.To_Core,
                               radii=radii)
        best = ana.improvement.max()
        assert grp.Gain.iloc[0] == pytest.approx(best, rel=1e-9)  # the first site is the best window
        cells = []
        for site in grp.itertuples():
            k = radii.index(site.Radius_m)
            assert site.Gain == pytest.approx(ana.improvement[k, site.Row, site.Col], rel=1e-9)
            off = disk_offsets(site.Radius_m, res.cellsize)
            cells.append({(site.Row + a, site.Col + b) for a, b in off})
            x, y = res.xy(site.Row, site.Col)
            inside = loaded.countries[loaded.countries.contains(shapely.Point(x, y))].iso3.tolist()
            assert site.ISO3 == ";".join(sorted(inside))
            own = gaps[[str(link_id) in ids.split(";") for ids in gaps["Links"]]]  # gaps of its corridor
            assert site.In_Gap == bool(own.intersects(site.geometry).any())
            met = own[own.intersects(site.geometry)]["Gap_ID"].astype(str)
            assert set(filter(None, site.Gap_IDs.split(";"))) == set(met)
            checked += 1
        for i in range(len(cells)):  # a link's sites share no cell
            for j in range(i + 1, len(cells)):
                assert not (cells[i] & cells[j])
    assert checked == len(s)
    # the run's layer: the same sites (ordered by link rank, then site rank) with the link's Rank
    layer = gpd.read_file(run.out / "corridors.gpkg", layer="restoration_sites")
    rank_of = dict(zip(top.Link_ID, top.Rank))
    want = s.assign(Rank=s.Link_ID.map(rank_of)).sort_values(["Rank", "Site_Rank"], kind="mergesort")
    assert layer[["Link_ID", "Rank", "Site_Rank", "Row", "Col", "Radius_m"]].values.tolist() == \
        want[["Link_ID", "Rank", "Site_Rank", "Row", "Col", "Radius_m"]].values.tolist()
    np.testing.assert_allclose(layer.Gain, want.Gain, rtol=1e-12)
    assert layer.In_Gap.tolist() == want.In_Gap.tolist() and layer.ISO3.tolist() == want.ISO3.tolist()
    tif = rasters.read(run.out / "barrier_improvement.tif").values
    np.testing.assert_array_equal(np.nan_to_num(tif), out.improvement.values)
    # ready for the layer and the raster
    vectors.write_layers(tmp_path / "r.gpkg", {"restoration_sites": s})
    back = gpd.read_file(tmp_path / "r.gpkg", layer="restoration_sites")
    assert list(back.columns) == list(s.columns)
    vectors.write_shapefiles(tmp_path / "shp", {"restoration_sites": s})
    rasters.write(out.improvement, tmp_path / "barrier_improvement.tif")
    again = rasters.read(tmp_path / "barrier_improvement.tif")
    np.testing.assert_array_equal(again.values, out.improvement.values)
    assert isinstance(s, gpd.GeoDataFrame) and isinstance(top, pd.DataFrame)
