"""Stage 7: the corridor ranking score, a weighted sum of normalised components, all written out.

Score
-----
For each viable link ``i`` (a least-cost link within the maximum cost distance):

* ``N_Cost   = (max(CW_Dist) - CW_Dist_i) / (max(CW_Dist) - min(CW_Dist))`` - cheap links rank high:
  a low cost-weighted distance means the species can realistically move along the corridor.
* ``N_Resist = (max(Eff_Resist) - Eff_Resist_i) / (max - min)`` - low effective resistance of the
  corridor circuit means many parallel routes (redundancy), not one thin path.
* ``N_Central = (CF_Central_i - min) / (max - min)`` - links that carry much current between all
  reserve pairs of the transboundary network are keystones of that network.
* ``N_Unprot = Unprot_Shr_i`` (already 0..1) - the share of the corridor's area outside any reserve:
  at equal quality, a corridor that is mostly unprotected is where protection adds the most.

Minimum and maximum run over the links in ``ranking.csv``; when all values are equal the component
is 1 for every link. Weights ``W_*`` are the scenario's ``[ranking.weights]`` divided by their sum,
and ``Score = W_Cost*N_Cost + W_Resist*N_Resist + W_Central*N_Central + W_Unprot*N_Unprot``.
``Rank`` 1 is the highest score; ties go to the lower ``CW_Dist``, then the lower ``Link_ID``.
Every raw value, component and weight is a column of ``ranking.csv``, so the rank can be
recomputed from the CSV alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConfigError, InputError

__all__ = ["rank_corridors", "rank_links", "COMPONENTS", "SCORE_FORMULA", "normalise"]

#: (raw column, component column, weight column, weight key, higher raw value is better)
COMPONENTS = (
    ("CW_Dist", "N_Cost", "W_Cost", "cost", False),
    ("Eff_Resist", "N_Resist", "W_Resist", "resistance", False),
    ("CF_Central", "N_Central", "W_Central", "centrality", True),
    ("Unprot_Shr", "N_Unprot", "W_Unprot", "unprotected", None),  # None: used as is (0..1)
)

SCORE_FORMULA = (
    "Score = W_Cost*N_Cost + W_Resist*N_Resist + W_Central*N_Central + W_Unprot*N_Unprot; "
    "N_Cost = (max CW_Dist - CW_Dist)/(max - min); N_Resist likewise on Eff_Resist; "
    "N_Central = (CF_Central - min)/(max - min); N_Unprot = Unprot_Shr; a component is 1 for all "
    "links when max = min; weights divided by their sum; Rank 1 = highest Score, ties by lower "
    "CW_Dist then lower Link_ID"
)


def normalise(values: np.ndarray, higher_is_better: bool | None) -> np.ndarray:
    """Min-max normalise to 0..1 so that 1 is best (see module docstring)."""
    v = np.asarray(values, dtype=np.float64)
    if higher_is_better is None:
        return v.copy()
    if v.size == 0:
        return v.copy()
    lo, hi = float(np.min(v)), float(np.max(v))
    if not hi > lo:
        return np.ones_like(v)
    return (v - lo) / (hi - lo) if higher_is_better else (hi - v) / (hi - lo)


def rank_corridors(centrality, corridors, weights) -> pd.DataFrame:
    """The ranked link table: the centrality stage's links (with ``Eff_Resist``, ``CF_Central``)
    joined with each corridor's ``Corr_km2`` and ``Unprot_Shr``, scored by :func:`rank_links`."""
    polygons = corridors.polygons[["Link_ID", "Corr_km2", "Unprot_Shr"]]
    table = centrality.links.merge(polygons, on="Link_ID", how="left")
    return rank_links(table, weights)


def rank_links(links: pd.DataFrame, weights) -> pd.DataFrame:
    """Add normalised components, weights, ``Score`` and ``Rank`` to a link table.

    Parameters
    ----------
    links : DataFrame
        Needs ``Link_ID``, ``CW_Dist`` (cost units), ``Eff_Resist`` (resistance units),
        ``CF_Central`` (amperes summed over reserve pairs) and ``Unprot_Shr`` (0..1).
    weights : RankingWeights or mapping
        Weights ``cost``, ``resistance``, ``centrality``, ``unprotected`` (>= 0, not all 0).

    Returns
    -------
    DataFrame
        A copy sorted by ``Rank`` with columns ``N_*``, ``W_*``, ``Score``, ``Rank`` added.
    """
    w = {k: float(getattr(weights, k) if not isinstance(weights, dict) else weights[k])
         for _, _, _, k, _ in COMPONENTS}
    total = sum(w.values())
    if total <= 0:
        raise ConfigError(f"ranking.weights are all 0 ({w}); give at least one weight > 0")
    out = links.copy()
    score = np.zeros(len(out))
    for raw, comp, wcol, key, higher in COMPONENTS:
        vals = out[raw].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(vals)):
            bad = out.loc[~np.isfinite(vals), "Link_ID"].tolist()
            raise InputError(f"{raw} is not finite for links {bad}; cannot rank them (drop those links or fix their {raw})")
        out[comp] = normalise(vals, higher)
        out[wcol] = w[key] / total
        score += out[wcol].to_numpy() * out[comp].to_numpy()
    out["Score"] = score
    order = np.lexsort((out["Link_ID"].to_numpy(), out["CW_Dist"].to_numpy(), -score))
    out = out.iloc[order].reset_index(drop=True)
    out["Rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    return out
