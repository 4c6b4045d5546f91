"""Integral index of connectivity (IIC), the binary-link counterpart of PC.

Reference
---------
Pascual-Hortal, L. & Saura, S. (2006). Comparison and development of new graph-based landscape
connectivity indices: towards the priorization of habitat patches and corridors for
conservation. Landscape Ecology 21:959-967.
"""

from __future__ import annotations

import numpy as np

from .._kernels.pathprob import hop_sums
from ..errors import InputError
from ._graph import _positive_finite, build_graph, check_areas, check_distances

__all__ = ["iic"]


def iic(areas, distances, *, max_distance: float, landscape_area: float) -> float:
    """Integral index of connectivity of a node graph.

    Parameters
    ----------
    areas : array_like, shape (n,)
        Node attributes ``a_i`` (areas), >= 0, in the unit of ``landscape_area``.
    distances : array_like, shape (n, n)
        Symmetric distances, ``numpy.inf`` = no link, diagonal ignored (Euclidean or
        least-cost, as for :func:`corridors.graphs.pc`).
    max_distance : float
        Two nodes are linked when ``d_ij <= max_distance`` (same unit as ``distances``);
        ``numpy.inf`` links every finite pair.
    landscape_area : float
        ``A_L`` in the unit of ``areas``.

    Returns
    -------
    float
        ``IIC = sum_i sum_j a_i a_j / (1 + nl_ij) / A_L**2`` (Pascual-Hortal & Saura 2006),
        where ``nl_ij`` is the number of links on the shortest (fewest-links) path between i and
        j, ``nl_ii = 0``, and pairs without a path add 0. Ordered pairs, i = j included.
    """
    a = check_areas(areas)
    d = check_distances(distances, a.size)
    la = _positive_finite(landscape_area, "landscape_area")
    try:
        cut = float(max_distance)
    except (TypeError, ValueError):
        raise InputError(f"max_distance must be a number >= 0, got {max_distance!r}") from None
    if not cut >= 0:
        raise InputError(f"max_distance must be >= 0 (numpy.inf links every finite pair), got "
                         f"{max_distance!r}")
    keep = np.isfinite(d) & (d <= cut)
    np.fill_diagonal(keep, False)
    g = build_graph(d, keep, 1.0)
    sums = hop_sums(g.indptr, g.indices, a)
    return float(np.sum(a * sums)) / (la * la)
