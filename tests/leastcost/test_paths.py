import numpy as np
import pytest
from affine import Affine
from scipy.sparse.csgraph import dijkstra

import corridors
from corridors.leastcost import NoPathError
from rasters.errors import InputError
from rasters.grid import Grid


def _sum_cost(res, cells, cellsize):
    total = 0.0
    for a, b in zip(cells[:-1], cells[1:]):
        step = cellsize * (np.sqrt(2) if np.all(a != b) else 1.0)
        total += (res[tuple(a)] + res[tuple(b)]) / 2 * step
    return total


@pytest.mark.parametrize("neighbours", [4, 8])
def test_path_cost_equals_oracle(neighbours, graph, make_surface):
    rng = np.random.default_rng(21 + neighbours)
    res = make_surface(rng, (30, 26), barrier_frac=0.15)
    res[0, 0] = res[29, 25] = res[15, 3] = 4.0
    d = dijkstra(graph(res, 2.5, neighbours), indices=0).reshape(res.shape)
    for end in [(29, 25), (15, 3)]:
        if not np.isfinite(d[end]):
            continue
        p = corridors.least_cost_path(res, (0, 0), end, cellsize=2.5, neighbours=neighbours)
        assert tuple(p.cells[0]) == (0, 0) and tuple(p.cells[-1]) == end
        steps = np.abs(np.diff(p.cells, axis=0))
        assert np.all(steps.max(axis=1) == 1)
        if neighbours == 4:
            assert np.all(steps.sum(axis=1) == 1)
        assert np.all(np.isfinite(res[p.cells[:, 0], p.cells[:, 1]]))
        assert p.cost == pytest.approx(d[end], rel=1e-9)
        assert _sum_cost(res, p.cells, 2.5) == pytest.approx(p.cost, rel=1e-12)
        # the path cost equals the cost distance at its end
        full = corridors.cost_distance(res, np.eye(1, res.size, 0, dtype=bool).reshape(res.shape),
                                       cellsize=2.5, neighbours=neighbours)
        assert p.cost == pytest.approx(full[end], rel=1e-12)
        diag = np.sum(steps.sum(axis=1) == 2)
        assert p.length == pytest.approx(2.5 * (len(steps) - diag + diag * np.sqrt(2)))


def test_path_hand_grid_and_determinism():
    # a cheap corridor of 1s along row 1 through an expensive field
    res = np.full((3, 6), 10.0)
    res[1, :] = 1.0
    p = corridors.least_cost_path(res, (1, 0), (1, 5))
    assert p.cells.tolist() == [[1, c] for c in range(6)]
    assert p.cost == 5.0 and p.length == 5.0
    # uniform grid: many equal paths, the same one every time
    u = np.ones((5, 5))
    runs = {tuple(map(tuple, corridors.least_cost_path(u, (0, 0), (4, 2), neighbours=4).cells))
            for _ in range(3)}
    assert len(runs) == 1


def test_path_errors_and_grid_line():
    res = np.ones((3, 5))
    res[:, 2] = np.inf
    with pytest.raises(NoPathError):
        corridors.least_cost_path(res, (0, 0), (0, 4))
    with pytest.raises(InputError, match="barrier"):
        corridors.least_cost_path(res, (0, 2), (0, 4))
    with pytest.raises(InputError, match="outside"):
        corridors.least_cost_path(res, (0, 0), (5, 4))
    g = Grid(np.ones((4, 4)), Affine(100.0, 0, 0, 0, -100.0, 400.0), "EPSG:3035")
    p = corridors.least_cost_path(g, (0, 0), (3, 3))
    assert p.cells.tolist() == [[0, 0], [1, 1], [2, 2], [3, 3]]
    assert list(p.line.coords) == [(50, 350), (150, 250), (250, 150), (350, 50)]
    assert p.length == pytest.approx(300 * np.sqrt(2)) and p.line.length == pytest.approx(p.length)
    q = corridors.least_cost_path(g, (50, 350), (350, 50), xy=True)
    assert q.cells.tolist() == p.cells.tolist()
