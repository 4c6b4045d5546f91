"""Graph assembly: hand-computed weights, merging rules, and an independent dense builder."""

import math

import numpy as np
import pytest

from corridors.circuit import FocalSet, build_graph
from corridors.errors import InputError

S2 = math.sqrt(2)


def _w(graph, a, b):
    return -graph.laplacian[a, b]


def test_2x2_avg_resistance_8nb_hand_computed():
    g = build_graph(np.array([[1.0, 2.0], [4.0, 8.0]]), neighbours=8, average="resistance")
    assert g.n_nodes == 4
    assert _w(g, 0, 1) == pytest.approx(2 / 3)
    assert _w(g, 0, 2) == pytest.approx(0.4)
    assert _w(g, 1, 3) == pytest.approx(0.2)
    assert _w(g, 2, 3) == pytest.approx(1 / 6)
    assert _w(g, 0, 3) == pytest.approx(2 / 9 / S2)
    assert _w(g, 1, 2) == pytest.approx(1 / 3 / S2)
    assert np.allclose(np.asarray(g.laplacian.sum(axis=1)).ravel(), 0)
    assert len(g.node_i) == 6 and np.all(g.node_i < g.node_j)


def test_2x2_avg_conductance_hand_computed_and_4nb():
    hab = np.array([[1.0, 0.5], [0.25, 0.125]])
    g8 = build_graph(hab, habitat_is_resistance=False, neighbours=8, average="conductance")
    assert _w(g8, 0, 1) == pytest.approx(0.75)
    assert _w(g8, 0, 3) == pytest.approx(1.125 / 2 / S2)
    assert _w(g8, 1, 2) == pytest.approx(0.75 / 2 / S2)
    g4 = build_graph(hab, habitat_is_resistance=False, neighbours=4)
    assert _w(g4, 0, 3) == 0 and _w(g4, 1, 2) == 0
    assert _w(g4, 2, 3) == pytest.approx(0.1875)


def test_3x1_series_resistances():
    from corridors.circuit import effective_resistance

    col = np.array([[1.0], [2.0], [3.0]])
    focal = np.array([[1], [0], [2]])
    ids, m = effective_resistance(col, focal, average="resistance")
    assert ids == [1, 2] and m[0, 1] == pytest.approx(1.5 + 2.5)
    ids, m = effective_resistance(col, focal, average="conductance")
    assert m[0, 1] == pytest.approx(1 / 0.75 + 1 / (0.5 * (0.5 + 1 / 3)))


def test_nodata_mask_and_polygon_rules():
    hab = np.array([[1.0, np.nan, 1.0], [1.0, 1.0, np.nan], [np.nan, np.nan, np.nan]])
    poly = np.array([[0, 0, 0], [0, 0, 7], [7, 7, 0]])
    g = build_graph(hab, polygons=poly, neighbours=4)
    noc = g.node_of_cell.reshape(3, 3)
    # the polygon has no habitat cell at all -> not a node
    assert noc[2, 0] == -1 and noc[1, 2] == -1
    poly2 = np.array([[0, 0, 0], [0, 7, 7], [7, 0, 0]])
    g2 = build_graph(hab, polygons=poly2, neighbours=4)
    noc2 = g2.node_of_cell.reshape(3, 3)
    # nodata cells of a polygon with habitat join its node
    assert noc2[1, 1] == noc2[1, 2] == noc2[2, 0] >= 0
    assert noc2[0, 1] == -1
    mask = np.array([[True, True, False], [True, True, True], [True, True, True]])
    g3 = build_graph(hab, mask=mask, neighbours=4)
    assert g3.node_of_cell[2] == -1 and g3.n_nodes == 3


def test_parallel_edges_summed_and_self_loops_dropped():
    hab = np.ones((2, 3))
    g = build_graph(hab, neighbours=4, merge_groups=[np.array([0, 3])])  # merge left column
    # merged node touches cells 1 and 4 through two edges of weight 1 each, no self loop
    a = g.node_of_cell[0]
    assert g.node_of_cell[3] == a
    assert _w(g, a, g.node_of_cell[1]) == pytest.approx(1.0)
    assert _w(g, a, g.node_of_cell[4]) == pytest.approx(1.0)
    assert g.laplacian[a, a] == pytest.approx(2.0)


@pytest.mark.parametrize("polygons", [True, False])  # merged nodes; single cells (stencil path)
@pytest.mark.parametrize("neighbours,average", [(4, "resistance"), (8, "conductance"), (8, "resistance")])
def test_random_grid_matches_dense_builder(oracle, neighbours, average, polygons):
    rng = np.random.default_rng(7)
    hab = rng.uniform(0.5, 5.0, (9, 11))
    hab[rng.random(hab.shape) < 0.2] = np.nan
    poly = np.zeros(hab.shape, dtype=int)
    if polygons:
        poly[2:4, 3:6] = 1
        poly[6, 1:4] = 2
    g = build_graph(hab, neighbours=neighbours, average=average, polygons=poly)
    cond = np.where(np.isfinite(hab), 1 / np.nan_to_num(hab, nan=1.0), 0.0)
    groups = [np.flatnonzero(poly.ravel() == i) for i in (1, 2) if (poly == i).any()]
    labels, lap = oracle.dense_graph(cond, groups, eight=neighbours == 8, avg_res=average == "resistance")
    assert np.array_equal(labels, g.node_of_cell)
    assert np.allclose(g.laplacian.toarray(), lap, rtol=1e-13, atol=1e-14)
    assert g.n_components == oracle.components(lap).max() + 1
    # the edge lists, read off the Laplacian on demand, against the dense builder's upper triangle
    ei, ej, cond_e = g.edges()
    ui, uj = np.nonzero(np.triu(lap, k=1))
    assert np.array_equal(ei, ui) and np.array_equal(ej, uj)
    assert np.allclose(cond_e, -lap[ui, uj], rtol=1e-13, atol=0)
    assert np.array_equal(g.node_i, ei) and np.array_equal(g.conductance, cond_e)


def test_bad_inputs_raise():
    with pytest.raises(InputError, match="resistance must be > 0"):
        build_graph(np.array([[1.0, 0.0]]))
    with pytest.raises(InputError, match="neighbours"):
        build_graph(np.ones((2, 2)), neighbours=6)
    with pytest.raises(InputError, match="average"):
        build_graph(np.ones((2, 2)), average="mean")
    with pytest.raises(InputError, match="outside"):
        FocalSet.from_cells({1: [(5, 0)]}, (2, 2))


def test_focalset_from_grid_and_cells():
    grid = np.array([[1, 0, 2], [np.nan, -3, 2]])
    fs = FocalSet.from_grid(grid)
    assert fs.ids == [1, 2] and list(fs[2]) == [2, 5]
    fs2 = FocalSet.from_cells({4: [(0, 0)], 5: [(0, 0), (1, 1)]}, (2, 3))
    assert list(fs2[4]) == [0] and list(fs2[5]) == [0, 4]
