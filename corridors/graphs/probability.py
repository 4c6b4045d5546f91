"""Probability of connectivity (PC), equivalent connected area (EC/ECA) and dPC importance.

References
----------
Saura, S. & Pascual-Hortal, L. (2007). A new habitat availability index to integrate
connectivity in landscape conservation planning: comparison with existing indices and
application to a case study. Landscape and Urban Planning 83:91-103 (PC, ``p*_ij``).

Saura, S. & Rubio, L. (2010). A common currency for the different ways in which patches and
links can contribute to habitat availability and connectivity in the landscape. Ecography
33:523-537 (dPC = dPCintra + dPCflux + dPCconnector; link importance).

Saura, S., Estreguil, C., Mouton, C. & Rodriguez-Freire, M. (2011). Network analysis to assess
landscape connectivity trends: application to European forests (1990-2000). Ecological
Indicators 11:407-416 (EC(PC), the equivalent connected area, ``ECA = sqrt(PC numerator)``).
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import pandas as pd

from .._kernels.pathprob import connectivity_sums, max_product_matrix
from ..errors import InputError
from ._graph import (DEFAULT_MIN_PROBABILITY, NodeGraph, _positive_finite, build_graph,
                     check_areas, check_distances, decay_rate)

__all__ = ["pc", "PCResult", "DPC_COLUMNS", "LINK_COLUMNS"]

#: Columns of :attr:`PCResult.dpc`, all in % of PC.
DPC_COLUMNS = ("dPC", "dPCintra", "dPCflux", "dPCconnector")

#: Link-removal measures of :meth:`PCResult.link_importance`.
LINK_COLUMNS = ("dPC", "dPCconnector", "dPCnum", "dECA")

#: Sources are split into this many chunks, whatever the thread count (identical sums).
_CHUNKS = 64


def pc(areas, distances, *, median_dispersal: float, landscape_area: float,
       min_probability: float = DEFAULT_MIN_PROBABILITY) -> "PCResult":
    """Probability of connectivity of a node graph, with node (dPC) and link importance.

    Parameters
    ----------
    areas : array_like, shape (n,)
        Attribute of each node ``a_i`` (usually habitat or reserve area), >= 0. A node of area 0
        is a pure stepping stone. Same area unit as ``landscape_area`` (e.g. km2 and km2).
    distances : array_like, shape (n, n)
        Distance ``d_ij`` between nodes, ``numpy.inf`` where there is no link; the diagonal is
        ignored; symmetric (up to a relative 1e-6, the smaller value is used). The function is
        agnostic about what the distance is: edge-to-edge Euclidean distance (metres) or a
        least-cost (cost-weighted) distance (cost units) both work, as long as
        ``median_dispersal`` is in the same unit. 0 means touching (``p_ij = 1``).
    median_dispersal : float
        Distance at which the direct dispersal probability is 0.5, same unit as ``distances``.
    landscape_area : float
        ``A_L``, the area of the study region (maximum landscape attribute), in the unit of
        ``areas``. Only PC itself depends on it (ECA and dPC do not).
    min_probability : float, default 1e-3
        Links with ``p_ij < min_probability`` are dropped before the path search (longer than
        ``median_dispersal * log2(1 / min_probability)``, 9.97 median distances at 1e-3); 0 keeps
        every finite link. Paths through several kept links may still reach lower
        probabilities; those are kept exactly.

    Returns
    -------
    PCResult
        ``.pc``, ``.eca``, ``.dpc`` (lazy, a DataFrame), ``.link_importance(i, j)``.

    Notes
    -----
    Direct probability ``p_ij = exp(-k d_ij)`` with ``k = ln 2 / median_dispersal``, so
    ``p = 0.5`` at the median dispersal distance. ``p*_ij`` is the maximum product of ``p`` over
    all paths from i to j (``p*_ii = 1``), found by Dijkstra's algorithm on ``-log p = k d``
    (Saura & Pascual-Hortal 2007)::

        PC   = sum_i sum_j a_i a_j p*_ij / A_L**2        (i = j included; unitless, 0..1)
        ECA  = EC(PC) = sqrt(sum_i sum_j a_i a_j p*_ij)  (area unit of ``areas``)

    The double sum runs over ordered pairs, so each unordered pair counts twice, as in the
    papers. Time: one Dijkstra search per node with area > 0, O(n E log n) in all; memory O(n + E)
    (no n x n matrix). :attr:`PCResult.edges_per_node` says how many links pruning kept.

    Examples
    --------
    Two reserves of 1 km2 one median dispersal distance apart in a 100 km2 region
    (p = 0.5): PC numerator = 1 + 1 + 2 * 0.5 = 3 km4, ECA = sqrt(3) km2.

    >>> r = pc([1.0, 1.0], [[0, 10.0], [10.0, 0]], median_dispersal=10.0, landscape_area=100.0)
    >>> round(r.eca, 6), round(r.pc, 6)
    (1.732051, 0.0003)
    """
    a = check_areas(areas)
    n = a.size
    d = check_distances(distances, n)
    rate = decay_rate(median_dispersal)
    la = _positive_finite(landscape_area, "landscape_area")
    pmin = _check_min_probability(min_probability)
    keep = np.isfinite(d)
    if pmin > 0:
        keep &= d * rate <= -math.log(pmin)
    np.fill_diagonal(keep, False)
    graph = build_graph(d, keep, rate)
    return PCResult(a, graph, la, float(median_dispersal), pmin, rate, d)


def _check_min_probability(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"min_probability must be a number in [0, 1), got {value!r}") from None
    if not (0.0 <= v < 1.0):
        raise InputError(f"min_probability must be in [0, 1) (0 keeps every link), got {value!r}")
    return v


class PCResult:
    """Probability of connectivity of one node graph (returned by :func:`pc`).

    Attributes
    ----------
    pc : float
        ``PC = sum_i sum_j a_i a_j p*_ij / A_L**2`` (0..1 when the areas fit in ``A_L``).
    pc_num : float
        The PC numerator ``sum_i sum_j a_i a_j p*_ij`` (area unit squared).
    eca : float
        Equivalent connected area ``EC(PC) = sqrt(pc_num)`` (area unit). ``ec`` is the same.
    landscape_area, median_dispersal, decay_rate, min_probability : float
        The inputs (``decay_rate = k = ln 2 / median_dispersal``).
    n_nodes, n_links : int
        Nodes, and links kept after pruning.
    edges_per_node : float
        ``2 n_links / n_nodes``.
    graph : NodeGraph
        The pruned graph (CSR, ``-log p`` weights).
    """

    def __init__(self, areas: np.ndarray, graph: NodeGraph, landscape_area: float,
                 median_dispersal: float, min_probability: float, rate: float,
                 distances: np.ndarray):
        self.areas = areas
        self.graph = graph
        self.landscape_area = landscape_area
        self.median_dispersal = median_dispersal
        self.min_probability = min_probability
        self.decay_rate = rate
        self._distances = distances
        rows, _, _ = self._sums(want_nodes=False)
        self._rows = rows
        self.pc_num = float(np.sum(areas * areas) + np.sum(areas * rows))
        self.eca = math.sqrt(self.pc_num)
        self.pc = self.pc_num / (landscape_area * landscape_area)

    # ------------------------------------------------------------------------------ scalars
    @property
    def ec(self) -> float:
        """Alias of :attr:`eca` (EC(PC) in Saura et al. 2011)."""
        return self.eca

    @property
    def n_nodes(self) -> int:
        return self.graph.n

    @property
    def n_links(self) -> int:
        return self.graph.n_edges

    @property
    def edges_per_node(self) -> float:
        return self.graph.edges_per_node

    def __repr__(self) -> str:
        return (f"PCResult(n_nodes={self.n_nodes}, n_links={self.n_links}, pc={self.pc:.6g}, "
                f"eca={self.eca:.6g})")

    # ------------------------------------------------------------------------------ kernels
    def _sums(self, *, want_nodes: bool, edge_mask: np.ndarray | None = None):
        g = self.graph
        mask = np.zeros(0, np.bool_) if edge_mask is None else edge_mask
        return connectivity_sums(g.indptr, g.indices, g.weights, g.edge_id, self.areas,
                                 g.n_edges, want_nodes, mask, min(_CHUNKS, g.n))

    # ---------------------------------------------------------------------------------- dPC
    @cached_property
    def dpc(self) -> pd.DataFrame:
        """Importance of each node: dPC and its three fractions, in % of PC (Saura & Rubio 2010).

        One row per node in input order (index ``node`` = 0..n-1), columns ``dPC``,
        ``dPCintra``, ``dPCflux``, ``dPCconnector``::

            dPC_k          = 100 (PC - PC_remove,k) / PC
                           = dPCintra_k + dPCflux_k + dPCconnector_k
            dPCintra_k     = 100 a_k**2 / PCnum
            dPCflux_k      = 100 sum_{i,j: i=k or j=k, i != j} a_i a_j p*_ij / PCnum
                           = 100 * 2 a_k sum_{j != k} a_j p*_kj / PCnum
            dPCconnector_k = 100 sum_{i != k, j != k} a_i a_j (p*_ij - p*_ij(-k)) / PCnum

        where ``PCnum`` is the PC numerator and ``p*_ij(-k)`` the best path avoiding node k;
        ``A_L`` stays the same after the removal, so it cancels (Saura & Rubio 2010).
        dPCintra is the habitat inside the node, dPCflux the dispersal flux that starts or ends
        in it, dPCconnector its role as a stepping stone between other nodes (> 0 only if some
        best path passes through it; a node of area 0 can only be a connector).

        Notes
        -----
        One Dijkstra search per source builds its shortest-path tree; removing node k changes
        only the distances to k's descendants in that tree, and only those are searched again
        (seeded from their unchanged neighbours), so the cost is the sum of subtree sizes, not
        n searches per removal. Computed on first access and cached.
        """
        rows, node_loss, _ = self._sums(want_nodes=True)
        a = self.areas
        num = self.pc_num
        intra = 100.0 * a * a / num
        flux = 100.0 * 2.0 * a * rows / num
        conn = 100.0 * node_loss / num
        df = pd.DataFrame({"dPC": intra + flux + conn, "dPCintra": intra, "dPCflux": flux,
                           "dPCconnector": conn}, index=pd.RangeIndex(self.n_nodes, name="node"))
        return df

    # --------------------------------------------------------------------------------- links
    def link_importance(self, i: int, j: int) -> pd.Series:
        """Importance of the link between nodes ``i`` and ``j``, by removing it.

        Returns
        -------
        pandas.Series
            ``dPC`` (= ``dPCconnector``: a link has no area and starts no flux, so its whole dPC
            is its connector fraction; Saura & Rubio 2010), in % of PC; ``dPCnum``, the absolute
            loss of the PC numerator ``sum_i sum_j a_i a_j (p*_ij - p*_ij(-link))`` (area unit
            squared; it does not change when unrelated links are added elsewhere); ``dECA``,
            the loss of ECA (area unit).

        Raises
        ------
        InputError
            ``i`` or ``j`` is not a node, ``i == j``, or there is no link between them (infinite
            distance, or pruned below ``min_probability``).
        """
        return self.link_importances([(i, j)]).iloc[0][list(LINK_COLUMNS)].astype(float)

    def link_importances(self, pairs=None) -> pd.DataFrame:
        """:meth:`link_importance` for many links in one pass (every kept link by default).

        Parameters
        ----------
        pairs : sequence of (i, j), optional
            Links to evaluate, in the order wanted; default every kept link, ``i < j``,
            row-major.

        Returns
        -------
        pandas.DataFrame
            Columns ``i``, ``j``, ``distance``, ``p`` (direct probability), then
            :data:`LINK_COLUMNS`; one row per link.
        """
        g = self.graph
        if pairs is None:
            eids = np.arange(g.n_edges, dtype=np.int64)
            ii, jj = g.edge_i.copy(), g.edge_j.copy()
        else:
            ii, jj, eids = self._link_ids(pairs)
        mask = np.zeros(g.n_edges, np.bool_)
        mask[eids] = True
        if g.n_edges:
            _, _, edge_loss = self._sums(want_nodes=False, edge_mask=mask)
            loss = edge_loss[eids]
        else:
            loss = np.zeros(0)
        dist = g.edge_distance[eids]
        rest = np.maximum(self.pc_num - loss, 0.0)
        return pd.DataFrame({
            "i": ii, "j": jj, "distance": dist, "p": np.exp(-self.decay_rate * dist),
            "dPC": 100.0 * loss / self.pc_num, "dPCconnector": 100.0 * loss / self.pc_num,
            "dPCnum": loss, "dECA": self.eca - np.sqrt(rest)})

    def _link_ids(self, pairs):
        g = self.graph
        ii, jj, eids = [], [], []
        for pair in pairs:
            try:
                i, j = pair
            except (TypeError, ValueError):
                raise InputError(f"a link is a pair of node numbers (i, j), got {pair!r}") from None
            i, j = self._node(i, "i"), self._node(j, "j")
            if i == j:
                raise InputError(f"a link joins two different nodes, got i = j = {i}")
            e = g.link_index(i, j)
            if e < 0:
                d = self._distances[i, j]
                if not np.isfinite(d):
                    why = "their distance is inf (no link in the input)"
                else:
                    why = (f"p = exp(-k d) = {math.exp(-self.decay_rate * d):.3g} at d = {d:g} is "
                           f"below min_probability = {self.min_probability:g}; pass "
                           "min_probability=0 to pc() to keep every finite link")
                raise InputError(f"no link between nodes {i} and {j}: {why}")
            ii.append(i)
            jj.append(j)
            eids.append(e)
        return (np.array(ii, np.int64), np.array(jj, np.int64), np.array(eids, np.int64))

    def _node(self, v, name: str) -> int:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise InputError(f"node {name} must be an integer position 0..{self.n_nodes - 1}, "
                             f"got {v!r}")
        if not 0 <= int(v) < self.n_nodes:
            raise InputError(f"node {name} = {v} is out of range 0..{self.n_nodes - 1}")
        return int(v)

    # -------------------------------------------------------------------------- matrices
    def probabilities(self) -> np.ndarray:
        """Dense n x n matrix of ``p*_ij`` (1 on the diagonal, 0 where no path exists).

        Memory: 8 n**2 bytes (80 MB for 3,000 nodes); the indices themselves never need it.
        """
        g = self.graph
        out = np.empty((g.n, g.n), np.float64)
        max_product_matrix(g.indptr, g.indices, g.weights, out)
        return out
