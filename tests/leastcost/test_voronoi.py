"""The row-by-row Euclidean allocation kernel against scipy's feature transform (the oracle)."""

import numpy as np
import pytest
from scipy.ndimage import distance_transform_edt

from corridors._kernels.labels import touching_pairs
from corridors._kernels.voronoi import euclidean_zones
from corridors.leastcost.linkage import euclidean_neighbours


def scipy_allocation(lab):
    ri, ci = distance_transform_edt(lab == 0, return_distances=False, return_indices=True)
    return lab[ri, ci]


def numpy_touching(lab, diagonals):
    """Pairs of distinct non-zero labels in neighbouring cells, by array shifts."""
    shifts = [((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
              ((slice(None, -1), slice(None)), (slice(1, None), slice(None)))]
    if diagonals:
        shifts += [((slice(None, -1), slice(None, -1)), (slice(1, None), slice(1, None))),
                   ((slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1)))]
    out = set()
    for s0, s1 in shifts:
        a, b = lab[s0].ravel(), lab[s1].ravel()
        m = (a != b) & (a > 0) & (b > 0)
        out |= {(int(min(x, y)), int(max(x, y))) for x, y in zip(a[m], b[m])}
    return out


def random_labels(rng):
    nr, nc = (int(v) for v in rng.integers(1, 25, 2))
    lab = np.zeros((nr, nc), np.int16)
    for i in range(int(rng.integers(1, 8))):
        r, c = rng.integers(0, nr), rng.integers(0, nc)
        lab[r:r + rng.integers(1, 4), c:c + rng.integers(1, 4)] = i + 1
    if rng.random() < 0.3:  # scattered single cells: many ties
        lab[rng.random((nr, nc)) < 0.1] = rng.integers(1, 5)
    return lab


@pytest.mark.parametrize("seed", range(4))
def test_allocation_is_scipys_cell_for_cell(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        lab = random_labels(rng)
        alloc = np.zeros_like(lab)
        euclidean_zones(lab, True, alloc)
        np.testing.assert_array_equal(alloc, scipy_allocation(lab))


@pytest.mark.parametrize("diagonals", [False, True])
def test_touching_zones_match_the_allocation(diagonals):
    rng = np.random.default_rng(7)
    for _ in range(60):
        lab = random_labels(rng)
        keys = euclidean_zones(lab, diagonals, np.zeros((0, 0), lab.dtype))
        got = {(int(k >> 32), int(k & 0xFFFFFFFF)) for k in np.unique(keys)}
        assert got == numpy_touching(scipy_allocation(lab), diagonals)


def test_ties_break_as_scipy_does():
    # the middle column is equidistant from both labels: scipy gives it to the left one (1)
    lab = np.array([[1, 0, 2]], np.int16)
    alloc = np.zeros_like(lab)
    euclidean_zones(lab, True, alloc)
    assert alloc.tolist() == [[1, 1, 2]] == scipy_allocation(lab).tolist()
    col = lab.T.copy()
    alloc = np.zeros_like(col)
    euclidean_zones(col, True, alloc)
    assert alloc.ravel().tolist() == [1, 1, 2] == scipy_allocation(col).ravel().tolist()


def test_one_row_and_one_column():
    lab = np.array([[0, 3, 0, 0, 0, 5, 0]], np.int32)
    alloc = np.zeros_like(lab)
    euclidean_zones(lab, False, alloc)
    assert alloc.tolist() == [[3, 3, 3, 3, 5, 5, 5]]
    assert euclidean_neighbours(lab, 4) == {(3, 5)} == euclidean_neighbours(lab.T.copy(), 8)


@pytest.mark.parametrize("diagonals", [False, True])
def test_touching_pairs_kernel(diagonals):
    rng = np.random.default_rng(3)
    for _ in range(60):
        lab = random_labels(rng)
        keys = touching_pairs(lab, diagonals)
        got = {(int(k >> 32), int(k & 0xFFFFFFFF)) for k in np.unique(keys)}
        assert got == numpy_touching(lab, diagonals)


def test_corner_contact_counts_only_with_diagonals():
    lab = np.array([[1, 0], [0, 2]], np.int16)
    assert touching_pairs(lab, False).size == 0
    assert touching_pairs(lab, True).tolist() == [(1 << 32) + 2]
