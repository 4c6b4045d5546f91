"""Circuit analysis on a graph given as edges (Circuitscape's "network" data type).

A network is a list of ``i j value`` edges between integer node ids; values are resistances
(ohms) or conductances (siemens). Both orientations of an edge and repeated edges are summed in
conductance (Circuitscape builds ``A + A'``); self-loops carry no current and are ignored.

Two modes, with Circuitscape.jl's conventions:

* :func:`network_pairwise`: effective resistance between every pair of focal nodes in the same
  connected component (-1 otherwise or when the pair is excluded). For a pair a < b the
  voltages ground a (0 V) and inject 1 A at b, so ``V_b = R_ab``.
* :func:`network_advanced`: current sources and grounds (finite, or direct = 0 V) solved at once.

Node current is ``max(total inflow, total outflow)`` over a node's branches (and its finite
ground); branch current is ``|g (V_i - V_j)|``.

Notes
-----
Each connected component is factorised once (``corridors.circuit.solvers.make_solver``) with one
node grounded, and every focal node's potential is one solve; a pair's voltages are then the
difference of two of those, so k focal nodes cost k solves, not k(k-1)/2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import InputError

__all__ = [
    "ResistorNetwork",
    "PairSolution",
    "NetworkPairwiseResult",
    "NetworkAdvancedResult",
    "network_pairwise",
    "network_advanced",
    "significant_branches",
]

# Circuitscape lists a branch in its per-pair and advanced branch-current files only when it
# carries at least this current (amps); its expected files drop e.g. 2.8e-7 A and keep 1.1e-6 A.
BRANCH_MIN_AMPS = 1e-6


def _make_solver(matrix, method):
    from .solvers import make_solver  # C1's solver factory (direct / iterative)

    return make_solver(matrix.tocsr(), method)


@dataclass(frozen=True)
class ResistorNetwork:
    """A resistor network given as edges between node ids (Circuitscape's network mode), and its Laplacian.

    (:class:`~corridors.circuit.CircuitGraph` is the resistor network of a raster's cells.)

    Attributes
    ----------
    node_ids : numpy.ndarray
        int64, sorted user ids; node k of every array below is ``node_ids[k]``.
    edge_i, edge_j : numpy.ndarray
        int64 node indices of each distinct edge, ``edge_i < edge_j``, sorted.
    conductance : numpy.ndarray
        float64 siemens per edge (parallel edges summed), all > 0.
    laplacian : scipy.sparse.csr_matrix
        n x n graph Laplacian.
    component : numpy.ndarray
        int32 connected-component label of each node.
    """

    node_ids: np.ndarray
    edge_i: np.ndarray
    edge_j: np.ndarray
    conductance: np.ndarray
    laplacian: sp.csr_matrix = field(repr=False)
    component: np.ndarray = field(repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @classmethod
    def from_edges(cls, i, j, values, *, values_are_resistances: bool, source: str = "graph"):
        """Build a resistor network from ``i j value`` edge lists.

        Parameters
        ----------
        i, j : array-like of int
            Node ids (any non-negative integers; they need not be contiguous).
        values : array-like of float
            Resistance (ohms) or conductance (siemens) of each edge.
        values_are_resistances : bool
            True: ``values`` are resistances (conductance = 1/R).
        source : str
            Name used in error messages (the file).

        Raises
        ------
        InputError
            A resistance <= 0, a negative conductance or a non-finite value.
        """
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        v = np.asarray(values, dtype=np.float64)
        if not (len(i) == len(j) == len(v)):
            raise InputError(f"{source}: edge arrays differ in length")
        if not np.all(np.isfinite(v)):
            k = int(np.flatnonzero(~np.isfinite(v))[0])
            raise InputError(f"{source}: edge {i[k]}-{j[k]} has value {float(v[k])!r}; use a finite number")
        if values_are_resistances:
            bad = v <= 0
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{source}: edge {i[k]}-{j[k]} has resistance {float(v[k])!r}; resistances must be > 0 "
                    "(drop the edge for no connection)"
                )
            g = 1.0 / v
        else:
            bad = v < 0
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{source}: edge {i[k]}-{j[k]} has conductance {float(v[k])!r}; conductances must be >= 0"
                )
            g = v
        node_ids = np.unique(np.concatenate([i, j]))
        a = np.searchsorted(node_ids, i)
        b = np.searchsorted(node_ids, j)
        keep = (a != b) & (g > 0)
        lo, hi, g = np.minimum(a, b)[keep], np.maximum(a, b)[keep], g[keep]
        n = len(node_ids)
        upper = sp.coo_matrix((g, (lo, hi)), shape=(n, n)).tocsr()  # sums repeats
        upper.sum_duplicates()
        coo = upper.tocoo()
        order = np.lexsort((coo.col, coo.row))
        ei, ej, eg = coo.row[order].astype(np.int64), coo.col[order].astype(np.int64), coo.data[order]
        adj = sp.coo_matrix((np.r_[eg, eg], (np.r_[ei, ej], np.r_[ej, ei])), shape=(n, n)).tocsr()
        lap = (sp.diags(np.asarray(adj.sum(axis=1)).ravel()) - adj).tocsr()
        _, comp = connected_components(adj, directed=False)
        return cls(node_ids, ei, ej, eg, lap, comp.astype(np.int32))

    def index_of(self, ids, what: str = "node") -> np.ndarray:
        """Node indices of user ``ids``.

        Raises
        ------
        InputError
            An id is not a node of the graph (named in the message).
        """
        ids = np.asarray(ids, dtype=np.int64).ravel()
        idx = np.searchsorted(self.node_ids, ids)
        idx_c = np.minimum(idx, self.n_nodes - 1)
        missing = self.node_ids[idx_c] != ids
        if missing.any():
            bad = ids[missing]
            raise InputError(
                f"{what} {bad[:10].tolist()} {'is' if len(bad) == 1 else 'are'} not in the graph "
                f"(it has {self.n_nodes} nodes, ids {self.node_ids[0]}..{self.node_ids[-1]}); "
                "every focal, source or ground node must appear in an edge"
            )
        return idx

    # -- currents -------------------------------------------------------------------------
    def branch_currents(self, voltages) -> np.ndarray:
        """Signed current i -> j on every edge (amps) for node ``voltages`` (volts)."""
        return self.conductance * (voltages[self.edge_i] - voltages[self.edge_j])

    def node_currents(self, voltages, ground_conductance=None) -> np.ndarray:
        """``max(inflow, outflow)`` at every node (amps), finite-ground current included."""
        cur = self.branch_currents(voltages)
        pos, neg = np.maximum(cur, 0.0), np.maximum(-cur, 0.0)
        n = self.n_nodes
        out = np.bincount(self.edge_i, pos, n) + np.bincount(self.edge_j, neg, n)
        inn = np.bincount(self.edge_j, pos, n) + np.bincount(self.edge_i, neg, n)
        if ground_conductance is not None:
            gi = ground_conductance * voltages  # current into the ground (out of the node)
            out += np.maximum(gi, 0.0)
            inn += np.maximum(-gi, 0.0)
        return np.maximum(inn, out)


def significant_branches(currents: np.ndarray) -> np.ndarray:
    """Mask of branch currents Circuitscape lists: ``|I| >= BRANCH_MIN_AMPS``."""
    return np.abs(currents) >= BRANCH_MIN_AMPS


@dataclass(frozen=True)
class PairSolution:
    """One focal pair (a < b): a grounded, 1 A injected at b.

    Attributes
    ----------
    nodes : numpy.ndarray
        Node indices of the pair's component, ascending.
    voltages : numpy.ndarray
        Volts at ``nodes``.
    node_currents : numpy.ndarray
        Amps at ``nodes``.
    edges : numpy.ndarray
        Indices (into the network's edge arrays) of the edges that carry current.
    branch_currents : numpy.ndarray
        ``|I|`` in amps on ``edges``.
    """

    nodes: np.ndarray
    voltages: np.ndarray
    node_currents: np.ndarray
    edges: np.ndarray
    branch_currents: np.ndarray


@dataclass(frozen=True)
class NetworkPairwiseResult:
    """Result of :func:`network_pairwise`.

    Attributes
    ----------
    ids : numpy.ndarray
        Focal node ids, ascending.
    resistances : numpy.ndarray
        k x k effective resistances (ohms); -1 when not solved (different components or
        excluded), 0 on the diagonal.
    pairs : dict
        ``{(a, b): PairSolution}`` for solved pairs when ``keep_pairs`` was set.
    cum_node_currents, cum_branch_currents : numpy.ndarray
        Sums over solved pairs, per node and per edge (amps).
    """

    ids: np.ndarray
    resistances: np.ndarray
    pairs: dict
    cum_node_currents: np.ndarray
    cum_branch_currents: np.ndarray


def network_pairwise(
    network: ResistorNetwork,
    focal_ids,
    *,
    include_pairs=None,
    solver: str = "auto",
    keep_pairs: bool = False,
) -> NetworkPairwiseResult:
    """Effective resistance, voltages and currents between every pair of focal nodes.

    Parameters
    ----------
    network : ResistorNetwork
    focal_ids : array-like of int
        Focal node ids (duplicates removed).
    include_pairs : set of (int, int), optional
        Pairs ``(a, b)`` with a < b to solve; others get -1. Default: all pairs.
    solver : str
        Method for ``corridors.circuit.solvers.make_solver``.
    keep_pairs : bool
        Keep each pair's voltages and currents in ``result.pairs``.

    Returns
    -------
    NetworkPairwiseResult

    Notes
    -----
    Memory: one factorisation per component at a time; with ``keep_pairs`` each pair stores
    O(component size) numbers.
    """
    ids = np.unique(np.asarray(focal_ids, dtype=np.int64))
    idx = network.index_of(ids, "focal node")
    k = len(ids)
    res = -np.ones((k, k))
    np.fill_diagonal(res, 0.0)
    cum_node = np.zeros(network.n_nodes)
    cum_branch = np.zeros(len(network.conductance))
    pairs: dict = {}
    edge_comp = network.component[network.edge_i]
    for c in np.unique(network.component[idx]):
        members = np.flatnonzero(network.component[idx] == c)  # positions in ids
        todo = [
            (p, q)
            for a, p in enumerate(members)
            for q in members[a + 1 :]
            if include_pairs is None or (int(ids[p]), int(ids[q])) in include_pairs
        ]
        if not todo:
            continue
        nodes = np.flatnonzero(network.component == c)
        local = np.full(network.n_nodes, -1, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        # potentials with the component's first node grounded, one unit injection per focal node
        lap = network.laplacian[nodes][:, nodes]
        reduced = lap[1:, 1:]
        solve = _make_solver(reduced, solver) if len(nodes) > 1 else None
        pot = {}
        for p in {p for pq in todo for p in pq}:
            x = np.zeros(len(nodes))
            li = local[idx[p]]
            if li > 0:
                rhs = np.zeros(len(nodes) - 1)
                rhs[li - 1] = 1.0
                x[1:] = solve.solve(rhs)
            pot[p] = x
        edges = np.flatnonzero(edge_comp == c)
        for p, q in todo:
            v = pot[q] - pot[p]
            la, lb = local[idx[p]], local[idx[q]]
            r = v[lb] - v[la]
            res[p, q] = res[q, p] = r
            volts = np.zeros(network.n_nodes)
            volts[nodes] = v - v[la]
            ncur = network.node_currents(volts)
            bcur = np.abs(network.branch_currents(volts)[edges])
            cum_node[nodes] += ncur[nodes]
            cum_branch[edges] += bcur
            if keep_pairs:
                sig = significant_branches(bcur)
                pairs[(int(ids[p]), int(ids[q]))] = PairSolution(
                    nodes, volts[nodes], ncur[nodes], edges[sig], bcur[sig]
                )
    return NetworkPairwiseResult(ids, res, pairs, cum_node, cum_branch)


@dataclass(frozen=True)
class NetworkAdvancedResult:
    """Result of :func:`network_advanced`: per-node volts and amps, per-edge amps (``|I|``)."""

    voltages: np.ndarray
    node_currents: np.ndarray
    branch_currents: np.ndarray


def _per_node(network: ResistorNetwork, ids, values, what: str) -> np.ndarray:
    out = np.zeros(network.n_nodes)
    if len(ids):
        np.add.at(out, network.index_of(ids, what), np.asarray(values, dtype=np.float64))
    return out


def network_advanced(
    network: ResistorNetwork,
    source_ids,
    source_amps,
    ground_ids,
    ground_values,
    *,
    grounds_are_resistances: bool = True,
    use_direct_grounds: bool = False,
    policy: str = "keepall",
    unit_currents: bool = False,
    solver: str = "auto",
) -> NetworkAdvancedResult:
    """Solve a network with current sources and grounds (Circuitscape's advanced mode).

    Parameters
    ----------
    network : ResistorNetwork
    source_ids, source_amps : array-like
        Source nodes and their currents (amps; repeats summed; negative = sink).
    ground_ids, ground_values : array-like
        Ground nodes and their resistance (ohms) or conductance (siemens) to ground; a
        resistance of 0 (or an infinite conductance) is a direct ground held at 0 V. Repeats
        combine in parallel.
    grounds_are_resistances : bool
    use_direct_grounds : bool
        Treat every ground as direct.
    policy : {"keepall", "rmvsrc", "rmvgnd", "rmvall"}
        Where a node has both a source and a ground: keep both, drop the source, drop the
        ground. ``rmvall`` drops only the source, exactly as Circuitscape (4 and 5) does.
    unit_currents : bool
        Every source node injects 1 A.
    solver : str
        Method for ``corridors.circuit.solvers.make_solver``.

    Returns
    -------
    NetworkAdvancedResult
        A component without a ground (or without a source) stays at 0 V. A direct ground on a
        node that also has a positive source is dropped (Circuitscape's rule).

    Raises
    ------
    InputError
        Unknown node, negative ground value, unknown policy.
    """
    if policy not in ("keepall", "rmvsrc", "rmvgnd", "rmvall"):
        raise InputError(f"policy {policy!r} is not one of keepall, rmvsrc, rmvgnd, rmvall")
    src = _per_node(network, source_ids, source_amps, "source node")
    gv = np.asarray(ground_values, dtype=np.float64)
    if (gv < 0).any() or np.isnan(gv).any():
        raise InputError(f"ground values must be >= 0, got {gv[(gv < 0) | np.isnan(gv)][:5].tolist()}")
    with np.errstate(divide="ignore"):
        g = 1.0 / gv if grounds_are_resistances else gv.copy()
    direct = np.zeros(network.n_nodes, dtype=bool)
    gnd = np.zeros(network.n_nodes)
    if len(ground_ids):
        gidx = network.index_of(ground_ids, "ground node")
        inf = np.isinf(g)
        direct[gidx[inf]] = True
        np.add.at(gnd, gidx[~inf], g[~inf])
        if use_direct_grounds:
            direct[gidx[g > 0]] = True
    if unit_currents:
        src = np.where(src != 0, 1.0, 0.0)
    has_gnd = direct | (gnd > 0)
    if policy in ("rmvsrc", "rmvall"):
        src[has_gnd] = 0.0
    elif policy == "rmvgnd":
        drop = src != 0
        direct[drop], gnd[drop] = False, 0.0
    direct &= ~(src > 0)
    gnd[direct] = 0.0

    n = network.n_nodes
    volts = np.zeros(n)
    grounded = np.zeros(n, dtype=bool)
    for c in np.unique(network.component):
        m = network.component == c
        if (direct[m] | (gnd[m] > 0)).any() and (src[m] != 0).any():
            grounded |= m
    free = np.flatnonzero(grounded & ~direct)
    if len(free):
        a = network.laplacian[free][:, free] + sp.diags(gnd[free])
        volts[free] = _make_solver(a.tocsr(), solver).solve(src[free])
    return NetworkAdvancedResult(
        volts, network.node_currents(volts, gnd), np.abs(network.branch_currents(volts))
    )
