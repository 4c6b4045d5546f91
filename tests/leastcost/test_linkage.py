import numpy as np
import pytest
from affine import Affine
from scipy.sparse.csgraph import dijkstra

import corridors
from rasters.errors import InputError
from rasters.grid import Grid


def _three_in_a_row():
    # 3 x 9, resistance 2, cell 10 m: cores 1 | 2 | 3 at columns 0, 4, 8
    res = np.full((3, 9), 2.0)
    cores = np.zeros((3, 9), np.int32)
    cores[:, 0], cores[:, 4], cores[:, 8] = 1, 2, 3
    return res, cores


@pytest.mark.parametrize("adjacency", ["cost", "euclidean", "both"])
def test_hand_linkage_table(adjacency):
    res, cores = _three_in_a_row()
    net = corridors.linkage_network(res, cores, cellsize=10.0, adjacency=adjacency)
    t = net.links
    assert t[["From_Core", "To_Core"]].values.tolist() == [[1, 2], [2, 3]]
    assert t["Link_ID"].tolist() == [1, 2]
    # 4 orthogonal steps of (2 + 2) / 2 * 10
    assert t["CW_Dist"].tolist() == [80.0, 80.0]
    assert t["Euc_Dist"].tolist() == [40.0, 40.0]
    assert t["LCP_Length"].tolist() == [40.0, 40.0]
    assert t["cwd2Euc_R"].tolist() == [2.0, 2.0] and t["cwd2Path_R"].tolist() == [2.0, 2.0]
    assert not t["Thru_Core"].any()
    assert net.paths[1][0, 1] == 0 and net.paths[1][-1, 1] == 4 and len(net.paths[1]) == 5
    # every straight row between cores 1 and 2 costs the LCD, cells beyond core 2 do not
    c = net.corridor(1, width=0.0)
    assert np.isfinite(c[1, :5]).all() and np.isinf(c[:, 5:]).all()


def test_through_core_flag_and_drop():
    res, cores = _three_in_a_row()
    net = corridors.linkage_network(res, cores, cellsize=10.0, pairs=[(3, 1)], drop_through_cores=False)
    row = net.links.iloc[0]
    assert (row.From_Core, row.To_Core, row.CW_Dist, bool(row.Thru_Core)) == (1, 3, 160.0, True)
    assert row.Euc_Dist == 80.0
    dropped = corridors.linkage_network(res, cores, cellsize=10.0, pairs=[(1, 3), (1, 2)],
                                        drop_through_cores=True)
    assert dropped.links[["From_Core", "To_Core"]].values.tolist() == [[1, 2]]
    assert dropped.dropped.drop(columns="limit").values.tolist() == [[1, 3, 160.0, "through core"]]
    assert np.isnan(dropped.dropped["limit"]).all()


def test_max_cost_distance_drops_and_bounds():
    res, cores = _three_in_a_row()
    res[:, 6] = 10.0  # link 2-3 now costs (2+10)/2*10*2 + 2*10*2 = 160
    net = corridors.linkage_network(res, cores, cellsize=10.0, max_cost_distance=100.0,
                                    corridor_width=5.0)
    assert net.links[["From_Core", "To_Core", "CW_Dist"]].values.tolist() == [[1, 2, 80.0]]
    assert net.dropped[["From_Core", "To_Core", "reason", "limit"]].values.tolist() == [
        [2, 3, "above max_cost_distance", 100.0]]
    assert net.search_cost == 105.0
    cd = net.cost_distance(2)
    assert np.isinf(cd[:, 8]).all() and cd[1, 2] == 40.0
    with pytest.raises(InputError, match="corridor_width"):
        net.corridor(1, width=50.0)


def test_random_network_against_oracle_and_parallel_equals_serial(graph):
    rng = np.random.default_rng(17)
    res = rng.uniform(1, 20, (40, 50))
    res[rng.random(res.shape) < 0.08] = np.nan
    cores = np.zeros(res.shape, np.int32)
    blocks = {4: (3, 3), 8: (30, 8), 15: (5, 40), 16: (33, 42), 23: (18, 24)}
    for k, (r, c) in blocks.items():
        cores[r:r + 4, c:c + 3] = k
        res[r:r + 4, c:c + 3] = 1.0
    serial = corridors.linkage_network(res, cores, cellsize=3.0, adjacency="both", workers=1)
    par = corridors.linkage_network(res, cores, cellsize=3.0, adjacency="both", workers=2)
    assert serial.links.equals(par.links) and len(serial.links) >= 4
    for lid in serial.paths:
        assert np.array_equal(serial.paths[lid], par.paths[lid])
    for k in blocks:
        assert np.array_equal(serial.cost_distance(k), par.cost_distance(k))
    g = graph(res, 3.0, 8)
    ys, xs = np.mgrid[0:40, 0:50]
    for row in serial.links.itertuples():
        ia = np.flatnonzero(cores.ravel() == row.From_Core)
        ib = np.flatnonzero(cores.ravel() == row.To_Core)
        d = dijkstra(g, indices=ia, min_only=True)
        assert row.CW_Dist == pytest.approx(d[ib].min(), rel=1e-9)
        pa = np.column_stack([ys.ravel()[ia], xs.ravel()[ia]]) * 3.0
        pb = np.column_stack([ys.ravel()[ib], xs.ravel()[ib]]) * 3.0
        euc = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1)).min()
        assert row.Euc_Dist == pytest.approx(euc)
        cells = serial.paths[row.Link_ID]
        assert cores[tuple(cells[0])] == row.From_Core and cores[tuple(cells[-1])] == row.To_Core
        through = set(cores[cells[:, 0], cells[:, 1]].tolist()) - {0, row.From_Core, row.To_Core}
        assert row.Thru_Core == bool(through)
        assert row.cwd2Path_R == pytest.approx(row.CW_Dist / row.LCP_Length)
    mos = serial.mosaic(width=30.0)
    each = [serial.corridor(i, 30.0) for i in serial.links.Link_ID]
    assert np.array_equal(mos, np.minimum.reduce(each))
    mos2, link = serial.mosaic(width=30.0, return_link=True)
    _, link_ref = corridors.corridor_mosaic(dict(zip(serial.links.Link_ID.tolist(), each)), return_link=True)
    assert np.array_equal(mos2, mos) and np.array_equal(link, link_ref) and (link >= 1).any()


def test_grid_network_lines_and_errors():
    res, cores = _three_in_a_row()
    t = Affine(10.0, 0, 0, 0, -10.0, 30.0)
    net = corridors.linkage_network(Grid(res, t, "EPSG:3035"), Grid(cores, t, "EPSG:3035"))
    assert net.links["CW_Dist"].tolist() == [80.0, 80.0]
    # ties between the three rows go to the lowest flat index: row 0 (y = 25)
    assert list(net.lines[1].coords) == [(5.0, 25.0), (15.0, 25.0), (25.0, 25.0), (35.0, 25.0),
                                         (45.0, 25.0)]
    gdf = net.to_geodataframe()
    assert len(gdf) == 2 and gdf.crs == net.cost_distance(1).crs
    with pytest.raises(InputError, match="at least 2"):
        corridors.linkage_network(res, (cores == 1).astype(int))
    with pytest.raises(InputError, match="not in the cores"):
        corridors.linkage_network(res, cores, pairs=[(1, 9)])
    with pytest.raises(InputError, match="adjacency"):
        corridors.linkage_network(res, cores, adjacency="touching")
    with pytest.raises(InputError, match="workers"):
        corridors.linkage_network(res, cores, workers=0)


def test_map_of_core_outside_pairs_is_computed_on_demand(oracle):
    res, cores = _three_in_a_row()
    net = corridors.linkage_network(res, cores, cellsize=10.0, pairs=[(1, 2)])
    cd3 = net.cost_distance(3)
    assert cd3.dtype == np.float32
    np.testing.assert_allclose(cd3, oracle(res, cores == 3, 10.0), rtol=1e-6)


class _RecordingExecutor:
    """An ordered serial map that records what it was given (stands in for a dask Executor)."""

    def __init__(self, log, reverse=False):
        self.log, self.reverse = log, reverse

    def map(self, func, items, *, shared, desc=None, threads_ok=False):
        items = list(items)
        self.log.append((func, [c for c, _ in items], sorted(shared), threads_ok))
        out = [func(i, **shared) for i in items]
        return out[::-1] if self.reverse else out


def test_executor_hook_gives_the_thread_results_and_cropped_maps(oracle):
    from corridors.leastcost.linkage import CoreSearch, core_search

    res, cores = _three_in_a_row()
    res[0, 6] = np.nan
    log = []
    kw = dict(cellsize=10.0, max_cost_distance=100.0, corridor_width=20.0, adjacency="both")
    threads = corridors.linkage_network(res, cores, workers=2, **kw)
    mapped = corridors.linkage_network(res, cores, executor=_RecordingExecutor(log), **kw)
    assert log == [(core_search, [1, 2, 3], ["bound", "ncores", "source", "spill", "surf"], True)]
    assert threads.links.equals(mapped.links) and threads.dropped.equals(mapped.dropped)
    for lid in threads.paths:
        assert np.array_equal(threads.paths[lid], mapped.paths[lid])
    # each core's search is kept cropped to the cells it reached (bound 120 = 6 steps of 20)
    s1 = mapped._searches[1]
    assert isinstance(s1, CoreSearch) and (s1.rows, s1.cols) == ((0, 3), (0, 7))
    assert s1.cost.dtype == np.float32 and s1.back.dtype == np.int8 and s1.cost.shape == (3, 7)
    for k in (1, 2, 3):
        want = oracle(res, cores == k, 10.0)
        want[want > 120.0] = np.inf
        np.testing.assert_allclose(mapped.cost_distance(k), want, rtol=1e-6)
        assert np.array_equal(mapped.cost_distance(k), threads.cost_distance(k))


def test_executor_misuse_is_refused():
    res, cores = _three_in_a_row()
    with pytest.raises(InputError, match="not both"):
        corridors.linkage_network(res, cores, workers=2, executor=_RecordingExecutor([]))
    with pytest.raises(InputError, match="map"):
        corridors.linkage_network(res, cores, executor=4)
    with pytest.raises(InputError, match="in item order"):
        corridors.linkage_network(res, cores, executor=_RecordingExecutor([], reverse=True))
