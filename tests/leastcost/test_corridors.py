import numpy as np
import pytest

import corridors
from rasters.errors import InputError


def test_nlcc_by_hand():
    # 1 x 5 strip, resistance 1, cores at both ends
    a = np.array([[0.0, 1, 2, 3, 4]])
    b = a[:, ::-1].copy()
    nlcc = corridors.least_cost_corridor(a, b)
    assert nlcc.tolist() == [[0, 0, 0, 0, 0]]
    # a side cell: cost 1 + detour
    a2 = np.array([[0.0, 1, 2], [1.0, 1.5, 2.5]])
    b2 = np.array([[2.0, 1, 0], [2.5, 1.5, 1.0]])
    got = corridors.least_cost_corridor(a2, b2, width=0.75)
    want = np.array([[0, 0, 0], [1.5, 1.0, 1.5]]) - 0 + 0.0
    want = np.where(want > 0.75, np.inf, want)
    assert np.array_equal(got, want)
    with pytest.raises(InputError, match="not connected"):
        corridors.least_cost_corridor(np.array([[0.0, np.inf]]), np.array([[np.inf, 0.0]]))


def test_nlcc_from_cost_distance_is_zero_on_path():
    rng = np.random.default_rng(2)
    res = rng.uniform(1, 9, (20, 24))
    sa = np.zeros(res.shape, bool)
    sb = np.zeros(res.shape, bool)
    sa[2, 2] = sb[17, 20] = True
    ca = corridors.cost_distance(res, sa)
    cb = corridors.cost_distance(res, sb)
    nlcc = corridors.least_cost_corridor(ca, cb)
    p = corridors.least_cost_path(res, (2, 2), (17, 20))
    assert ca[17, 20] == pytest.approx(p.cost)
    np.testing.assert_allclose(nlcc[p.cells[:, 0], p.cells[:, 1]], 0, atol=1e-9 * p.cost)
    assert np.all(nlcc >= -1e-9 * p.cost)


def test_mosaic_minimum_and_link():
    c1 = np.array([[0.0, 2.0, np.inf, 5.0]])
    c2 = np.array([[3.0, 1.0, np.inf, 5.0]])
    m, link = corridors.corridor_mosaic({11: c1, 12: c2}, return_link=True)
    assert m.tolist() == [[0.0, 1.0, np.inf, 5.0]]
    assert link.tolist() == [[11, 12, -1, 11]]
    m2 = corridors.corridor_mosaic([c1, c2], width=1.5)
    assert m2.tolist() == [[0.0, 1.0, np.inf, np.inf]]
    with pytest.raises(InputError):
        corridors.corridor_mosaic([])
