import numpy as np
import pytest
from affine import Affine
from scipy.sparse.csgraph import dijkstra

import corridors
from corridors._kernels.cost import (cost_distance_buckets, cost_distance_heap, neighbour_table,
                                     resistance_stats)
from corridors.leastcost import BACKLINK_OFFSETS, trace_path
from rasters.errors import CRSError, InputError, ResistanceValueError
from rasters.grid import Grid

S2 = np.sqrt(2.0)


def test_hand_3x3_eight_neighbours():
    r = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    src = np.zeros((3, 3), bool)
    src[0, 0] = True
    expected = np.array([
        [0.0, 1.5, 1.5 + 2.5],
        [2.5, 3 * S2, 1.5 + 4 * S2],
        [2.5 + 5.5, 3 * S2 + 6.5, 3 * S2 + 7 * S2],
    ])
    np.testing.assert_allclose(corridors.cost_distance(r, src), expected, rtol=1e-12)
    # 4 neighbours, cell size 2: (1,1) = min(1.5 + 3.5, 2.5 + 4.5) * 2
    e4 = np.array([[0, 1.5, 4.0], [2.5, 5.0, 8.5], [8.0, 11.5, 16.0]]) * 2
    np.testing.assert_allclose(corridors.cost_distance(r, src, cellsize=2, neighbours=4), e4,
                               rtol=1e-12)


@pytest.mark.parametrize("shape", [(1, 17), (17, 1), (23, 31), (2, 40)])
@pytest.mark.parametrize("neighbours", [4, 8])
@pytest.mark.parametrize("cellsize", [1.0, 2.5])
def test_matches_csgraph(shape, neighbours, cellsize, oracle, make_surface):
    rng = np.random.default_rng(hash((shape, neighbours, cellsize)) % 2**32)
    res = make_surface(rng, shape)
    src = np.zeros(shape, bool)
    flat = np.flatnonzero(np.isfinite(res.ravel()))
    src.ravel()[rng.choice(flat, size=min(3, flat.size), replace=False)] = True
    got = corridors.cost_distance(res, src, cellsize=cellsize, neighbours=neighbours)
    want = oracle(res, src, cellsize, neighbours)
    assert np.array_equal(np.isinf(got), np.isinf(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9)


def test_heap_and_bucket_kernels_identical(oracle):
    rng = np.random.default_rng(5)
    res = rng.uniform(1, 30, (40, 37))
    res[rng.random(res.shape) < 0.1] = np.inf
    res[:, 18] = 1.0  # ties along a uniform column
    nr, nc = res.shape
    flat = res.ravel()
    src = np.array([5, 700, 1400], np.int64)
    lab = np.array([4, 9, 2], np.int32)
    for nb in (4, 8):
        codes, length = neighbour_table(nb, 1.5)
        lo, hi = resistance_stats(flat)[:2]
        out_b = (np.empty(nr * nc), np.empty(nr * nc, np.int8), np.empty(nr * nc, np.int32))
        out_h = (np.empty(nr * nc), np.empty(nr * nc, np.int8), np.empty(nr * nc, np.int32))
        w = lo * 1.5 * (1 - 1e-9)
        cost_distance_buckets(flat, nr, nc, src, lab, codes, length, np.inf, -1, w, 256, *out_b)
        cost_distance_heap(flat, nr, nc, src, lab, codes, length, np.inf, -1, *out_h)
        for a, b in zip(out_b, out_h):
            assert np.array_equal(a, b)
        mask = np.zeros(nr * nc, bool)
        mask[src] = True
        want = oracle(res, mask.reshape(res.shape), 1.5, nb).ravel()
        fin = np.isfinite(want)
        np.testing.assert_allclose(out_b[0][fin], want[fin], rtol=1e-9)


def test_wide_resistance_range_uses_heap_and_is_exact(oracle):
    rng = np.random.default_rng(11)
    res = 10.0 ** rng.uniform(-3, 4, (30, 30))  # ratio 1e7: too many buckets, heap path
    src = np.zeros(res.shape, bool)
    src[3, 4] = src[25, 20] = True
    from corridors.leastcost._inputs import surface

    assert surface(res).queue()[0] == "heap"
    got = corridors.cost_distance(res, src)
    np.testing.assert_allclose(got, oracle(res, src), rtol=1e-9)


def test_matches_scikit_image_mcp(make_surface):
    from skimage.graph import MCP_Geometric

    rng = np.random.default_rng(3)
    res = make_surface(rng, (64, 48))
    starts = [(10, 10), (50, 40)]
    for r, c in starts:
        res[r, c] = 3.0
    src = np.zeros(res.shape, bool)
    for r, c in starts:
        src[r, c] = True
    costs = np.where(np.isfinite(res), res, np.inf)
    for nb, fc in ((8, True), (4, False)):
        mcp = MCP_Geometric(costs, fully_connected=fc, sampling=(2.5, 2.5))
        want, _ = mcp.find_costs(starts)
        got = corridors.cost_distance(res, src, cellsize=2.5, neighbours=nb)
        assert np.array_equal(np.isinf(got), np.isinf(want))
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9)


def test_allocation_and_backlink(graph, make_surface):
    rng = np.random.default_rng(8)
    res = make_surface(rng, (25, 30))
    labels = np.zeros(res.shape, np.int32)
    cells = [(2, 3), (20, 25), (12, 14)]
    for k, (r, c) in zip((7, 3, 5), cells):
        res[r, c] = 2.0
        labels[r, c] = k
    out = corridors.cost_distance(res, labels, cellsize=1.5, return_allocation=True,
                                  return_backlink=True)
    g = graph(res, 1.5, 8)
    per_source = {k: dijkstra(g, indices=r * 30 + c).reshape(res.shape)
                  for k, (r, c) in zip((7, 3, 5), cells)}
    best = np.minimum.reduce(list(per_source.values()))
    np.testing.assert_allclose(out.cost[np.isfinite(best)], best[np.isfinite(best)], rtol=1e-9)
    reached = np.isfinite(best)
    assert np.all(out.allocation[~reached] == 0)
    assert np.all(out.backlink[~reached] == -1)
    for r, c in zip(*np.nonzero(reached)):
        k = out.allocation[r, c]
        # the allocated source reaches the cell at the least cost
        assert per_source[k][r, c] == pytest.approx(best[r, c], rel=1e-9)
        path = trace_path(out.backlink, (r, c))
        assert labels[tuple(path[0])] == k
        steps = np.diff(path, axis=0)
        assert np.all(np.abs(steps).max(axis=1) == 1)
        total = sum((res[tuple(a)] + res[tuple(b)]) / 2 * 1.5 * (S2 if abs(d).sum() == 2 else 1)
                    for a, b, d in zip(path[:-1], path[1:], steps))
        assert total == pytest.approx(out.cost[r, c], rel=1e-9, abs=1e-12)


def test_boolean_mask_allocation_numbers_sources_in_row_major_order():
    res = np.ones((1, 7))
    src = np.zeros((1, 7), bool)
    src[0, 1] = src[0, 5] = True
    out = corridors.cost_distance(res, src, return_allocation=True)
    assert out.allocation.tolist() == [[1, 1, 1, 1, 2, 2, 2]]  # tie at col 3 -> lower index pred
    assert out.cost.tolist() == [[1, 0, 1, 2, 1, 0, 1]]


def test_tie_break_lowest_flat_index_predecessor():
    res = np.ones((3, 3))
    src = np.zeros((3, 3), bool)
    src[0, 0] = True
    out = corridors.cost_distance(res, src, neighbours=4, return_backlink=True)
    # (2,2) is reached at cost 4 from (1,2) [index 5] and (2,1) [index 7]: (1,2) wins -> "up"
    assert BACKLINK_OFFSETS[out.backlink[2, 2]] == (-1, 0)
    assert BACKLINK_OFFSETS[out.backlink[1, 1]] == (-1, 0)  # (0,1) index 1 beats (1,0) index 3


def test_max_cost_stops_early(oracle, make_surface):
    rng = np.random.default_rng(4)
    res = make_surface(rng, (40, 40))
    src = np.zeros(res.shape, bool)
    src[20, 20] = True
    res[20, 20] = 1.0
    full = oracle(res, src)
    for m in (0.0, 35.0, 120.0):
        got = corridors.cost_distance(res, src, max_cost=m, return_allocation=True)
        inside = full <= m
        np.testing.assert_allclose(got.cost[inside], full[inside], rtol=1e-9)
        assert np.all(np.isinf(got.cost[~inside]))
        assert np.all(got.allocation[~inside] == 0) and np.all(got.allocation[inside] == 1)


def test_float32_input_and_output(oracle, make_surface):
    rng = np.random.default_rng(9)
    res32 = make_surface(rng, (20, 20)).astype(np.float32)
    src = np.zeros(res32.shape, bool)
    src[0, 0] = True
    res32[0, 0] = 1
    want = oracle(res32.astype(np.float64), src)
    got = corridors.cost_distance(res32, src)
    assert got.dtype == np.float64
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9)
    got32 = corridors.cost_distance(res32, src, dtype=np.float32)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32[fin], want[fin], rtol=1e-6)


def test_bad_inputs():
    src = np.zeros((3, 3), bool)
    src[0, 0] = True
    with pytest.raises(ResistanceValueError, match="row 1, col 2"):
        corridors.cost_distance(np.array([[1.0, 1, 1], [1, 1, 0], [1, 1, -2]]), src)
    with pytest.raises(ResistanceValueError):
        corridors.cost_distance(np.array([[1.0, -np.inf, 1]] * 3), src)
    with pytest.raises(InputError, match="neighbours"):
        corridors.cost_distance(np.ones((3, 3)), src, neighbours=6)
    with pytest.raises(InputError, match="no source"):
        corridors.cost_distance(np.ones((3, 3)), np.zeros((3, 3), bool))
    with pytest.raises(InputError, match="shape"):
        corridors.cost_distance(np.ones((3, 4)), src)
    with pytest.raises(InputError, match="barriers"):
        corridors.cost_distance(np.array([[np.nan, 1, 1]] * 3), src)
    with pytest.raises(InputError, match="max_cost"):
        corridors.cost_distance(np.ones((3, 3)), src, max_cost=-1)
    with pytest.raises(InputError, match="cellsize"):
        corridors.cost_distance(np.ones((3, 3)), src, cellsize=0)
    with pytest.raises(InputError, match="labels"):
        corridors.cost_distance(np.ones((3, 3)), -src.astype(int))


def test_grid_in_grid_out(oracle):
    vals = np.full((6, 8), 2.0)
    vals[2, 1:7] = -9999.0  # nodata wall with a gap at col 7
    g = Grid(vals, Affine(500.0, 0, 1000.0, 0, -500.0, 9000.0), "EPSG:3035", nodata=-9999.0,
             name="res.tif")
    src = np.zeros(vals.shape, np.int32)
    src[0, 0] = 1
    out = corridors.cost_distance(g, Grid(src, g.transform, g.crs), return_backlink=True)
    assert isinstance(out.cost, Grid) and out.cost.transform == g.transform
    assert out.cost.crs == g.crs and isinstance(out.backlink, Grid)
    want = oracle(np.where(vals == -9999.0, np.nan, vals), src.astype(bool), 500.0)
    np.testing.assert_allclose(out.cost.values, want, rtol=1e-9)
    with pytest.raises(InputError, match="cellsize"):
        corridors.cost_distance(g, src, cellsize=10.0)
    geo = Grid(np.ones((3, 3)), Affine(0.1, 0, 100, 0, -0.1, 50), "EPSG:4326")
    with pytest.raises(CRSError):
        corridors.cost_distance(geo, np.ones((3, 3), bool))


def test_property_random_grids_match_csgraph(oracle):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=30, deadline=None, derandomize=True)
    @given(nr=st.integers(1, 9), nc=st.integers(1, 9), seed=st.integers(0, 2**31),
           nb=st.sampled_from([4, 8]), cellsize=st.sampled_from([0.5, 1.0, 30.0]))
    def check(nr, nc, seed, nb, cellsize):
        rng = np.random.default_rng(seed)
        res = rng.choice([0.1, 1.0, 2.0, 7.5, np.inf, np.nan], size=(nr, nc),
                         p=[0.2, 0.3, 0.2, 0.1, 0.1, 0.1])
        src = rng.random((nr, nc)) < 0.2
        src.ravel()[rng.integers(nr * nc)] = True
        if not np.any(np.isfinite(res[src])):
            return
        got = corridors.cost_distance(res, src, cellsize=cellsize, neighbours=nb)
        want = oracle(res, src, cellsize, nb)
        assert np.array_equal(np.isinf(got), np.isinf(want))
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9)

    check()
