"""Pair-weighted current-flow betweenness against networkx and a bridge computed by hand."""

import networkx as nx
import numpy as np
import pytest

from corridors.errors import InputError
from corridors.graphs import current_flow_betweenness


def test_unit_weights_match_networkx():
    rng = np.random.default_rng(1)
    g = nx.gnm_random_graph(14, 30, seed=3)
    g = nx.convert_node_labels_to_integers(g.subgraph(max(nx.connected_components(g), key=len)).copy())
    edges = np.array(list(g.edges()))
    cond = rng.uniform(0.5, 2.0, len(edges))
    for (a, b), c in zip(edges, cond):
        g[a][b]["weight"] = c
    eb, nb = current_flow_betweenness(g.number_of_nodes(), edges, cond)
    ref = nx.edge_current_flow_betweenness_centrality(g, normalized=False, weight="weight")
    # networkx's unnormalised edge value is half the sum over unordered pairs
    want = np.array([2 * ref.get((a, b), ref.get((b, a))) for a, b in edges])
    np.testing.assert_allclose(eb, want, rtol=1e-10, atol=1e-12)
    refn = nx.current_flow_betweenness_centrality(g, normalized=False, weight="weight")
    np.testing.assert_allclose(nb, [refn[i] for i in range(len(nb))], rtol=1e-10, atol=1e-12)


def test_a_bridge_carries_the_product_of_its_sides():
    # triangle 0-1-2 (areas 1, 2, 3) bridged by 2-3 to the pair 3-4 (areas 4, 5): W1 = 6, W2 = 9
    edges = [(0, 1), (1, 2), (0, 2), (2, 3), (3, 4)]
    w = [1.0, 2.0, 3.0, 4.0, 5.0]
    eb, _ = current_flow_betweenness(5, edges, [1.0, 0.5, 2.0, 0.3, 1.0], w)
    assert eb[3] == pytest.approx(6.0 * 9.0)
    assert eb[4] == pytest.approx(5.0 * (1 + 2 + 3 + 4))  # 3-4 is a bridge too: node 4 against the rest


def test_components_exchange_no_current_and_order_does_not_matter():
    edges = np.array([[0, 1], [2, 3]])
    eb, nb = current_flow_betweenness(4, edges, [1.0, 1.0], [2.0, 3.0, 5.0, 7.0])
    np.testing.assert_allclose(eb, [6.0, 35.0])
    np.testing.assert_allclose(nb, 0.0)
    perm = np.array([3, 1, 0, 2])  # relabel nodes
    inv = np.argsort(perm)
    eb2, _ = current_flow_betweenness(4, inv[edges], [1.0, 1.0], np.array([2.0, 3.0, 5.0, 7.0])[perm])
    np.testing.assert_allclose(eb2, eb)


def test_bad_input_is_refused():
    with pytest.raises(InputError, match="conductances must be finite and > 0"):
        current_flow_betweenness(2, [(0, 1)], [0.0])
    with pytest.raises(InputError, match="joins a node to itself"):
        current_flow_betweenness(2, [(1, 1)], [1.0])
    with pytest.raises(InputError, match="2 finite weights"):
        current_flow_betweenness(2, [(0, 1)], [1.0], [1.0])
