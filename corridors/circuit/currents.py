"""Node currents from node voltages, as Circuitscape maps them.

The current of a node is ``max(total inflow, total outflow)`` over its branches (a finite ground
counts as a branch to 0 V); nodes shorted together count as one node, and that value is written to
every cell of the node.
"""

from __future__ import annotations

import numpy as np

from .._kernels import graph as kgraph

__all__ = ["node_currents"]


def node_currents(graph, voltages, *, shorted=(), ground_conductance=None):
    """Current through each node (amperes).

    Parameters
    ----------
    graph : CircuitGraph
    voltages : ndarray, shape (n_nodes,)
    shorted : sequence of int arrays
        Node sets shorted together (their internal branches are ignored, totals shared).
    ground_conductance : ndarray or None
        Finite ground conductance per node (siemens).

    Returns
    -------
    ndarray, shape (n_nodes,)
    """
    n = graph.n_nodes
    group = np.arange(n, dtype=np.int64)
    ngroups = n
    for nodes in shorted:
        nodes = np.asarray(nodes, dtype=np.int64)
        if nodes.size > 1:
            group[nodes] = ngroups
            ngroups += 1
    g = np.zeros(n) if ground_conductance is None else np.asarray(ground_conductance, dtype=np.float64)
    lap = graph.laplacian
    # the kernel takes the CSR index arrays as they are (no per-call int64 copies of the graph)
    inflow, outflow = kgraph.group_flows(lap.indptr, lap.indices, lap.data, np.asarray(voltages, dtype=np.float64), group,
                                         ngroups, g)
    return np.maximum(inflow, outflow)[group]
