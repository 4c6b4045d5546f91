"""Barrier analysis (McRae et al. 2012): the score against a direct evaluation of the formula and
against restoring the window and recomputing the least-cost distance."""

import numpy as np
import pytest
from affine import Affine
from scipy.ndimage import minimum_filter

import corridors
from corridors.restoration import (
    barrier_analysis,
    barrier_improvement,
    barrier_network,
    disk_footprint,
    disk_half_widths,
    window_min,
)
from rasters import Grid
from rasters.errors import InputError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +ellps=WGS84 +units=m +no_defs"


def direct_scores(res, core_a, core_b, radius, restored, cellsize=1.0, neighbours=8):
    """The formula evaluated window by window: loops over every centre and every cell of its disk."""
    cwd_a = corridors.cost_distance(res, core_a, cellsize=cellsize, neighbours=neighbours)
    cwd_b = corridors.cost_distance(res, core_b, cellsize=cellsize, neighbours=neighbours)
    lcd = cwd_a[core_b].min()
    nr, nc = res.shape
    out = np.zeros(res.shape)
    for r in range(nr):
        for c in range(nc):
            ma = mb = np.inf
            for r2 in range(nr):
                for c2 in range(nc):
                    if ((r2 - r) ** 2 + (c2 - c) ** 2) * cellsize ** 2 <= radius ** 2 + 1e-9:
                        ma = min(ma, cwd_a[r2, c2])
                        mb = min(mb, cwd_b[r2, c2])
            out[r, c] = max(0.0, lcd - (ma + mb + restored * 2 * radius))
    return out, lcd


def two_cores(shape, rng):
    a = np.zeros(shape, bool)
    b = np.zeros(shape, bool)
    a[rng.integers(0, shape[0]), 0:2] = True
    b[rng.integers(0, shape[0]), -2:] = True
    return a, b


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("neighbours", [8, 4])
def test_equals_direct_evaluation_every_cell_and_radius(seed, neighbours):
    rng = np.random.default_rng(seed)
    shape = (9, 12)
    res = rng.uniform(1, 30, shape)
    res[rng.random(shape) < 0.1] = np.nan  # barriers
    a, b = two_cores(shape, rng)
    res[a | b] = 1.0
    radii = [1, 1.5, 2, 2.9, 4]
    ana = barrier_analysis(res, a, b, radii=radii, restored_resistance=2.0, neighbours=neighbours)
    for k, r in enumerate(radii):
        want, lcd = direct_scores(res, a, b, r, 2.0, neighbours=neighbours)
        assert ana.lcd == pytest.approx(lcd, rel=1e-12)
        np.testing.assert_allclose(ana.improvement[k], want, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(ana.per_unit[k], want / (2 * r), rtol=1e-12, atol=1e-9)
        single = barrier_improvement(res, a, b, radius=r, restored_resistance=2.0, neighbours=neighbours)
        np.testing.assert_array_equal(single, ana.improvement[k])
    assert ana.improvement.max() > 0  # the test would notice scores stuck at 0


def test_cellsize_and_grid_in_grid_out():
    rng = np.random.default_rng(5)
    res = rng.uniform(1, 20, (8, 10))
    a, b = two_cores(res.shape, rng)
    cs = 5000.0
    grid = Grid(res, Affine(cs, 0, 0, 0, -cs, 0), LAEA, None, "res")
    out = barrier_improvement(grid, Grid(a, grid.transform, LAEA), Grid(b, grid.transform, LAEA),
                              radius=2 * cs)
    assert isinstance(out, Grid) and out.transform == grid.transform and out.crs == grid.crs
    want, _ = direct_scores(res, a, b, 2 * cs, 1.0, cellsize=cs)
    np.testing.assert_allclose(out.values, want, rtol=1e-12, atol=1e-6)
    # the same with a plain array and cellsize: radius in map units
    arr = barrier_improvement(res, a, b, radius=2 * cs, cellsize=cs)
    np.testing.assert_array_equal(arr, out.values)


def wall_case(neighbours):
    """Resistance 1 with a one-column wall of resistance 100 at column 7; cores = first and last
    columns. The least-cost path is any straight row of 14 steps: 12 unit steps + 2 steps into and
    out of the wall at (1 + 100) / 2 each: LCD = 12 + 101 = 113."""
    res = np.ones((9, 15))
    res[:, 7] = 100.0
    a = np.zeros(res.shape, bool)
    a[:, 0] = True
    b = np.zeros(res.shape, bool)
    b[:, -1] = True
    return res, a, b


@pytest.mark.parametrize("neighbours", [8, 4])
@pytest.mark.parametrize("radius", [1, 2, 3])
def test_single_wall_best_window_gain_equals_recomputed_lcd(neighbours, radius):
    """Set-up where the prediction and the recomputation are exactly comparable:

    * the wall runs along a grid axis and the cores are whole columns, so every least-cost path
      is a straight row of orthogonal steps (no diagonal step is ever cheaper, with 8 or 4
      neighbours);
    * the radius is a whole number of cells, so the window's extreme cells on the centre row lie
      exactly 2r apart along cell centres: crossing the restored window costs R' * 2r exactly;
    * everything outside the wall already has resistance R' = 1, so restoring the window changes
      only wall cells and neither CWD outside the window.

    Then LCD_after = 14 (a straight row at resistance 1) for every window holding a wall cell,
    and the best window's predicted gain LCD - (minA + minB + 2r) is that recomputed drop. With
    diagonal crossings (a wall at 45 degrees) the path through the disk is a staircase of
    sqrt(2)-steps whose cost is not 2r, and the two agree only approximately.
    """
    res, a, b = wall_case(neighbours)
    lcd0 = corridors.cost_distance(res, a, neighbours=neighbours)[b].min()
    assert lcd0 == pytest.approx(113.0)
    score = barrier_improvement(res, a, b, radius=radius, neighbours=neighbours)
    best = score.max()
    rows, cols = np.nonzero(score == best)
    # windows whose disk spans the wall on its row; the centre of the best ones lies within
    # r - 1 columns of the wall, and for r = 1 exactly on it
    assert set(cols.tolist()) == set(range(7 - (radius - 1), 7 + radius))
    assert set(rows.tolist()) == set(range(res.shape[0]))
    r0, c0 = rows[0], cols[0]
    restored = res.copy()
    fp = disk_footprint(radius)
    for dr in range(-radius, radius + 1):
        for dc in range(-radius, radius + 1):
            rr, cc = r0 + dr, c0 + dc
            if fp[dr + radius, dc + radius] and 0 <= rr < res.shape[0] and 0 <= cc < res.shape[1]:
                restored[rr, cc] = 1.0
    lcd1 = corridors.cost_distance(restored, a, neighbours=neighbours)[b].min()
    assert lcd1 == pytest.approx(14.0)
    assert best == pytest.approx(lcd0 - lcd1, rel=1e-12)
    assert best == pytest.approx(99.0)
    # a window centred off the wall (r = 1: one column away) is predicted to gain half
    if radius == 1:
        assert score[4, 6] == pytest.approx(49.5)
        assert score[4, 5] == 0.0


def test_diagonal_wall_estimate_is_approximate():
    """A wall at 45 degrees: the estimate and the recomputation differ (documented caveat)."""
    n = 13
    res = np.ones((n, n))
    rr, cc = np.indices(res.shape)
    res[(rr + cc == n - 1) | (rr + cc == n)] = 100.0  # 4-connected: no diagonal step slips through
    a = np.zeros(res.shape, bool)
    a[0, 0] = True
    b = np.zeros(res.shape, bool)
    b[-1, -1] = True
    radius = 2
    score = barrier_improvement(res, a, b, radius=radius)
    r0, c0 = np.unravel_index(np.argmax(score), score.shape)
    assert res[r0, c0] == 100.0  # best window on the wall
    lcd0 = corridors.cost_distance(res, a)[b].min()
    restored = res.copy()
    for dr, dc in np.argwhere(disk_footprint(radius)) - radius:
        rr, cc = r0 + dr, c0 + dc
        if 0 <= rr < n and 0 <= cc < n:
            restored[rr, cc] = 1.0
    true_gain = lcd0 - corridors.cost_distance(restored, a)[b].min()
    assert score.max() > 0 and true_gain > 0
    assert score.max() != pytest.approx(true_gain, rel=1e-6)  # the estimate is not exact here
    assert score.max() == pytest.approx(true_gain, rel=0.1)  # but close


def test_best_over_radii_and_per_unit():
    res, a, b = wall_case(8)
    ana = barrier_analysis(res, a, b, radii=[1, 2, 3])
    val, rad = ana.best(per_unit=True)
    # on the wall every radius gains 99; per unit of diameter the smallest radius wins
    assert val[4, 7] == pytest.approx(99 / 2)
    assert rad[4, 7] == 1.0
    val2, rad2 = ana.best(per_unit=False)
    assert val2[4, 7] == pytest.approx(99.0) and rad2[4, 7] == 1.0  # tie -> smallest radius
    assert np.isnan(rad[4, 1])  # no window there gains anything


def test_window_touching_a_core_is_kept():
    """Windows overlapping a core use CWD 0 inside it (the full disk is kept)."""
    res = np.ones((5, 9))
    res[:, 2] = 50.0  # wall right next to core A
    a = np.zeros(res.shape, bool)
    a[:, 0] = True
    b = np.zeros(res.shape, bool)
    b[:, -1] = True
    score = barrier_improvement(res, a, b, radius=2)
    # centre (2, 2): disk reaches column 0 (core A, CWD 0) and column 4
    lcd = 6 + 51.0  # 8 steps: 6 at resistance 1, 2 into and out of the wall at (1 + 50) / 2
    cwd_b_col4 = 4.0
    assert score[2, 2] == pytest.approx(lcd - (0.0 + cwd_b_col4 + 4.0))


def test_barrier_network_combines_links():
    rng = np.random.default_rng(3)
    res = rng.uniform(1, 10, (10, 14))
    cores = np.zeros(res.shape, np.int32)
    cores[0:2, 0:2] = 1
    cores[8:10, 12:14] = 2
    cores[0:2, 12:14] = 3
    pairs = [(1, 2), (1, 3), (2, 3)]
    radii = [1, 2]
    net_max = barrier_network(res, cores, pairs, radii=radii, combine="max")
    net_sum = barrier_network(res, cores, pairs, radii=radii, combine="sum")
    singles = [barrier_analysis(res, cores == p, cores == q, radii=radii) for p, q in pairs]
    stack = np.stack([s.improvement for s in singles])
    np.testing.assert_allclose(net_max.improvement, stack.max(axis=0), rtol=1e-12)
    np.testing.assert_allclose(net_sum.improvement, stack.sum(axis=0), rtol=1e-12)
    for (p, q), s in zip(pairs, singles):
        assert net_max.lcd[(p, q)] == pytest.approx(s.lcd)
    np.testing.assert_allclose(net_sum.per_unit[1], stack.sum(axis=0)[1] / 4)


def test_window_min_matches_scipy():
    rng = np.random.default_rng(7)
    for shape in [(1, 1), (1, 9), (9, 1), (17, 23)]:
        v = rng.uniform(0, 100, shape)
        v[rng.random(shape) < 0.2] = np.inf
        for r in [1, 1.5, 2, 3.2, 4, 6]:
            want = minimum_filter(v, footprint=disk_footprint(r), mode="constant", cval=np.inf)
            np.testing.assert_array_equal(window_min(v, r), want)


def test_disk_membership_by_centre_distance():
    np.testing.assert_array_equal(disk_half_widths(1), [0, 1, 0])
    np.testing.assert_array_equal(disk_half_widths(2), [0, 1, 2, 1, 0])
    np.testing.assert_array_equal(disk_half_widths(2 ** 0.5), [1, 1, 1])  # corners at sqrt 2
    np.testing.assert_array_equal(disk_half_widths(10_000, 5_000), [0, 1, 2, 1, 0])
    np.testing.assert_array_equal(disk_half_widths(2.5), [1, 2, 2, 2, 1])


def test_errors():
    res, a, b = wall_case(8)
    with pytest.raises(InputError, match="smaller than one cell"):
        barrier_improvement(res, a, b, radius=0.5)
    with pytest.raises(InputError, match="restored_resistance"):
        barrier_improvement(res, a, b, radius=1, restored_resistance=0)
    walled = res.copy()
    walled[:, 7] = np.nan
    with pytest.raises(InputError, match="not connected"):
        barrier_improvement(walled, a, b, radius=1)
    with pytest.raises(InputError, match="no cell"):
        barrier_improvement(res, np.zeros_like(a), b, radius=1)
    with pytest.raises(InputError, match="repeat"):
        barrier_analysis(res, a, b, radii=[1, 1])
    with pytest.raises(InputError, match="combine"):
        barrier_network(res, a.astype(int) + 2 * b, [(1, 2)], radii=[1], combine="mean")


def test_lazy_public_names():
    assert corridors.barrier_improvement is barrier_improvement
    assert corridors.restoration.barrier_network is barrier_network
