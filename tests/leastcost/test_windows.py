"""Windowed bounded searches equal searches on the whole grid, bit for bit; spilled searches read
back unchanged; a link's corridor window equals the whole-grid corridor where it is finite."""

import dataclasses

import numpy as np
import pytest

import corridors
from corridors._kernels.cost import label_minima
from corridors.leastcost._inputs import surface
from corridors.leastcost.costdistance import run_kernel
from corridors.leastcost.linkage import CoreSearch, SpilledSearch, core_search
from corridors.leastcost.windows import ArrayWindows, RasterWindows, reach_cells, search_window


def _surface(seed=3, shape=(90, 120), res_range=(1.0, 9.0)):
    rng = np.random.default_rng(seed)
    res = rng.uniform(*res_range, shape).astype(np.float32)
    res[rng.random(shape) < 0.05] = np.nan
    labels = np.zeros(shape, np.int16)
    for k, (r, c) in enumerate([(10, 10), (12, 60), (70, 20), (60, 100), (40, 55)], start=1):
        labels[r:r + 5, c:c + 4] = k
        res[r:r + 5, c:c + 4] = 1.0
    return res, labels


def _whole_grid_search(surf, labels, k, bound):
    """The search as it was before windows: the kernel on the whole grid, then cropped."""
    cells = np.flatnonzero(labels.ravel() == k).astype(np.int64)
    dist, back, _ = run_kernel(surf, cells, np.full(cells.size, k, np.int32), max_cost=bound)
    mins, arg = label_minima(dist, labels.ravel(), int(labels.max()))
    return CoreSearch.crop(k, dist, back, surf.shape, mins, arg)


def test_reach_is_the_most_steps_a_bounded_search_can_take():
    assert reach_cells(np.inf, 1.0, 10.0) is None
    assert reach_cells(100.0, 2.0, 10.0) == 6  # 5 steps of cost >= 20, plus one for rounding
    assert reach_cells(99.0, 2.0, 10.0) == 5
    assert reach_cells(50.0, np.inf, 10.0) == 1  # nothing passable: the sources only
    assert search_window(np.array([5 * 20 + 7]), (30, 20), 3) == ((2, 9), (4, 11))
    assert search_window(np.array([0]), (30, 20), None) == ((0, 30), (0, 20))
    assert search_window(np.array([0, 599]), (30, 20), 2) == ((0, 30), (0, 20))  # clipped


@pytest.mark.parametrize("bound,neighbours", [(60.0, 8), (150.0, 8), (150.0, 4), (np.inf, 8)])
def test_windowed_search_equals_the_whole_grid_search(bound, neighbours):
    res, labels = _surface()
    surf = surface(res, cellsize=2.0, neighbours=neighbours)
    source = ArrayWindows(res, labels)
    for k in range(1, 6):
        cells = np.flatnonzero(labels.ravel() == k).astype(np.int64)
        got = core_search((k, cells), surf=surf, source=source, ncores=5, bound=bound)
        want = _whole_grid_search(surf, labels, k, bound)
        assert (got.rows, got.cols, got.shape) == (want.rows, want.cols, want.shape)
        assert np.array_equal(got.cost, want.cost) and np.array_equal(got.back, want.back)
        assert np.array_equal(got.mins, want.mins) and np.array_equal(got.arg, want.arg)
        if np.isfinite(bound):  # the window was smaller than the grid
            assert (got.rows[1] - got.rows[0]) * (got.cols[1] - got.cols[0]) < res.size


def test_spilled_and_file_read_searches_read_back_unchanged(tmp_path):
    res, labels = _surface(seed=5)
    surf = surface(res, cellsize=2.0)
    files = RasterWindows.write(tmp_path, res, labels)
    meta = dataclasses.replace(surf, flat=np.empty(0, np.float32))
    cells = np.flatnonzero(labels.ravel() == 2).astype(np.int64)
    mem = core_search((2, cells), surf=surf, source=ArrayWindows(res, labels), ncores=5, bound=120.0)
    spilled = core_search((2, cells), surf=meta, source=files, ncores=5, bound=120.0, spill=tmp_path)
    assert isinstance(spilled, SpilledSearch) and not hasattr(spilled, "cost")
    back = spilled.load()
    for f in ("rows", "cols", "shape", "cost", "back", "mins", "arg"):
        assert np.array_equal(getattr(back, f), getattr(mem, f)), f


def test_traced_path_and_corridor_window_match_the_whole_grid(tmp_path):
    res, labels = _surface(seed=11, shape=(80, 110))
    kw = dict(cellsize=2.0, pairs=[(1, 2), (1, 3), (2, 5), (3, 5), (4, 5)], max_cost_distance=400.0,
              corridor_width=40.0)
    mem = corridors.linkage_network(res, labels, **kw)
    spilled = corridors.linkage_network(res, labels, scratch=tmp_path, **kw)
    assert isinstance(spilled._searches[1], SpilledSearch)
    assert mem.links.equals(spilled.links) and len(mem.links) >= 3
    for lid in mem.paths:
        assert np.array_equal(mem.paths[lid], spilled.paths[lid])
        full = np.asarray(mem.corridor(lid, 40.0))
        rows, cols, win = spilled.corridor_window(lid, 40.0)
        assert np.array_equal(full[slice(*rows), slice(*cols)], win)
        outside = np.ones(full.shape, bool)
        outside[slice(*rows), slice(*cols)] = False
        assert np.all(np.isinf(full[outside]))
        # the path runs along the corridor's floor
        assert np.all(full[mem.paths[lid][:, 0], mem.paths[lid][:, 1]] < 1e-3)
