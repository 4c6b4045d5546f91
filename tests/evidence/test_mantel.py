"""Mantel and partial Mantel: r is Pearson of the upper triangles; seeded, reproducible p."""

import numpy as np
import pytest
from scipy import stats

from corridors.errors import InputError
from corridors.evidence import mantel, partial_mantel


def _dist(points):
    return np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))


@pytest.fixture
def related():
    rng = np.random.default_rng(3)
    pts = rng.uniform(0, 100, (20, 2))
    a = _dist(pts)
    noise = rng.normal(0, 10, (20, 20))
    b = a + (noise + noise.T)
    np.fill_diagonal(b, 0)
    return a, b, rng


def test_r_is_pearson_of_upper_triangles(related):
    a, b, _ = related
    iu = np.triu_indices(20, 1)
    r, p = mantel(a, b, permutations=99, seed=1)
    assert r == pytest.approx(stats.pearsonr(a[iu], b[iu])[0], abs=1e-12)
    assert p == pytest.approx(1 / 100)  # strongly related: no relabelling does as well


def test_p_reproducible_with_seed_and_varies_across_seeds():
    rng = np.random.default_rng(5)
    a = _dist(rng.uniform(0, 1, (15, 2)))
    b = _dist(rng.uniform(0, 1, (15, 2)))  # independent layouts
    r1, p1 = mantel(a, b, permutations=199, seed=7)
    r2, p2 = mantel(a, b, permutations=199, seed=7)
    assert (r1, p1) == (r2, p2)
    ps = {mantel(a, b, permutations=199, seed=s)[1] for s in range(5)}
    assert len(ps) > 1
    assert 0.05 < p1 < 1.0  # no association: p is not small
    assert p1 * 200 == pytest.approx(round(p1 * 200))  # (1 + count) / (permutations + 1)


def test_p_matches_a_naive_permutation_loop(related):
    a, b, _ = related
    b = b + np.random.default_rng(0).normal(0, 200, b.shape)
    b = (b + b.T) / 2
    np.fill_diagonal(b, 0)
    iu = np.triu_indices(20, 1)
    r, p = mantel(a, b, permutations=99, seed=11)
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(99):
        pi = rng.permutation(20)
        hits += np.corrcoef(a[np.ix_(pi, pi)][iu], b[iu])[0, 1] >= r - 1e-12
    assert p == pytest.approx((1 + hits) / 100)


def test_partial_mantel_r_is_correlation_of_residuals(related):
    a, b, rng = related
    c = _dist(rng.uniform(0, 100, (20, 2))) + 0.3 * a
    iu = np.triu_indices(20, 1)
    va, vb, vc = a[iu], b[iu], c[iu]

    def resid(v):
        coef = np.polyfit(vc, v, 1)
        return v - np.polyval(coef, vc)

    expected = np.corrcoef(resid(va), resid(vb))[0, 1]
    r, p = partial_mantel(a, b, c, permutations=99, seed=2)
    assert r == pytest.approx(expected, abs=1e-10)
    assert p == pytest.approx(0.01)
    assert partial_mantel(a, b, c, permutations=99, seed=2) == (r, p)


@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 4)), "square"),
    (np.array([[0, 1, 2], [1, 0, 3], [2, 4, 0.]]), "not symmetric"),
    (np.array([[0, np.nan, 2], [np.nan, 0, 3], [2, 3, 0.]]), "not a finite"),
    (np.zeros((4, 4)), "all pairwise values are equal"),
])
def test_bad_matrices(bad, match):
    good = _dist(np.random.default_rng(0).uniform(0, 1, (bad.shape[0], 2)))
    with pytest.raises(InputError, match=match):
        mantel(bad, good)


def test_bad_permutations():
    a = _dist(np.random.default_rng(0).uniform(0, 1, (5, 2)))
    with pytest.raises(InputError, match="permutations"):
        mantel(a, a, permutations=0)
