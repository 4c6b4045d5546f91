"""Stage: the ranking of the transboundary corridors - a weighted sum of components, each on a
fixed, documented scale, every raw value, component and weight written out.

Score
-----
For each viable transboundary link (a least-cost link between border reserves of two countries
that do not share a border segment; adjoining pairs are reported apart, :mod:`.adjoining`):

* ``N_Import = dPCnum / (dPCnum + S_I)``: importance for the reserve network. ``dPCnum``
  (km^4) is the loss of the PC numerator ``sum_i sum_j a_i a_j p*_ij`` when the link is removed
  (Saura & Pascual-Hortal 2007; Saura & Rubio 2010: a link's dPC is its connector fraction),
  with the reserves' areas ``a`` (km2) and ``p_ij = exp(-k CW_Dist)``, ``p = 0.5`` at the
  species' median dispersal distance (cost units, :func:`~.connectivity.median_dispersal_cost`).
  ``S_I`` = ``ranking.importance_scale`` (km^4; default 1e4, what joining two 100 km2 reserves at
  the median dispersal distance adds) is where a link scores 0.5.
* ``N_Central = CF_Area / (CF_Area + S_C)``: area-weighted current-flow betweenness of the link
  on the reserve graph (pairs weighted by ``a_s a_t``; :func:`corridors.graphs.
  current_flow_betweenness`); ``S_C`` = ``ranking.centrality_scale`` (km^4; default 1e8, the
  current of a bridge between two groups of 10,000 km2: the size of the region's large parks).
* ``N_Press = 1 - (1 - D / (D + D_0)) (1 - Land_Press)``: human pressure on the corridor, with
  ``D = Pop_Expo / Corr_km2`` the towns' population decayed with distance
  (:func:`~.pressure.town_exposure`) per km2 of corridor, ``D_0`` =
  ``ranking.pressure_density`` (people per km2, an assumption), and ``Land_Press`` the share of
  corridor cells under cropland or urban land. Pressure counts as urgency.
* ``N_Unprot = Unprot_Shr``: share of the corridor's cells outside every reserve (need).
* ``N_Feas = max(0, 1 - CW_Dist / max_cost_distance)``: feasibility, against the species' limit.

``Score = sum W_k N_k`` with the weights ``[ranking.weights]`` divided by their sum; ``Rank`` 1 is
the highest score; ties go to the lower ``CW_Dist``, then the lower ``Link_ID``. The scales are
fixed numbers of the scenario (assumptions, stated above), never the other links' values, so a link's score does not change when an unrelated link (one
that changes none of its paths) enters or leaves the set. Every raw value, component and weight
is a column of ``ranking.csv``: the rank can be recomputed from that file alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConfigError, InputError

__all__ = ["rank_corridors", "domestic_links", "score_closeness", "link_table", "rank_links", "score_components", "COMPONENTS",
           "SCORE_FORMULA"]

#: (component column, weight column, weight key)
COMPONENTS = (
    ("N_Import", "W_Import", "importance"),
    ("N_Central", "W_Central", "centrality"),
    ("N_Press", "W_Press", "pressure"),
    ("N_Unprot", "W_Unprot", "unprotected"),
    ("N_Feas", "W_Feas", "feasibility"),
)

SCORE_FORMULA = (
    "Score = W_Import*N_Import + W_Central*N_Central + W_Press*N_Press + W_Unprot*N_Unprot + W_Feas*N_Feas; "
    "N_Import = dPCnum/(dPCnum + S_I); N_Central = CF_Area/(CF_Area + S_C); N_Press = 1 - (1 - D/(D + D_0))(1 - Land_Press), "
    "D = Pop_Expo/Corr_km2; N_Unprot = Unprot_Shr; N_Feas = max(0, 1 - CW_Dist/max_cost_distance); weights "
    "divided by their sum; Rank 1 = highest Score, ties by lower CW_Dist then lower Link_ID"
)


def score_components(links: pd.DataFrame, *, importance_scale: float, centrality_scale: float,
                     pressure_density: float, max_cost_distance: float) -> pd.DataFrame:
    """The five components of :data:`COMPONENTS` from the raw columns (see the module docstring).

    Needs ``dPCnum`` and ``CF_Area`` (km^4), ``Pop_Expo`` (people),
    ``Corr_km2`` (km2), ``Land_Press`` and ``Unprot_Shr`` (0..1) and ``CW_Dist`` (cost units).
    """
    need = ("dPCnum", "CF_Area", "Pop_Expo", "Corr_km2", "Land_Press", "Unprot_Shr", "CW_Dist")
    for c in need:
        v = links[c].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            bad = links.loc[~(np.isfinite(v) & (v >= 0)), "Link_ID"].tolist()
            raise InputError(f"{c} is not a finite number >= 0 for links {bad}; cannot rank them")
    dens = np.divide(links["Pop_Expo"].to_numpy(dtype=np.float64), links["Corr_km2"].to_numpy(dtype=np.float64),
                     out=np.zeros(len(links)), where=links["Corr_km2"].to_numpy() > 0)
    out = pd.DataFrame(index=links.index)
    out["N_Import"] = links["dPCnum"] / (links["dPCnum"] + float(importance_scale))
    out["N_Central"] = links["CF_Area"] / (links["CF_Area"] + float(centrality_scale))
    out["N_Press"] = 1.0 - (1.0 - dens / (dens + float(pressure_density))) * (1.0 - links["Land_Press"])
    out["N_Unprot"] = links["Unprot_Shr"].astype(float)
    out["N_Feas"] = np.maximum(0.0, 1.0 - links["CW_Dist"] / float(max_cost_distance))
    return out


def rank_links(links: pd.DataFrame, weights, **scales) -> pd.DataFrame:
    """Add the components (:func:`score_components`, ``scales`` its keyword arguments), weights,
    ``Score`` and ``Rank`` to a link table; a copy sorted by ``Rank``.

    ``weights``: RankingWeights or a mapping with the keys of :data:`COMPONENTS`, >= 0, not all 0.
    """
    w = {k: float(getattr(weights, k) if not isinstance(weights, dict) else weights[k]) for _, _, k in COMPONENTS}
    total = sum(w.values())
    if total <= 0:
        raise ConfigError(f"ranking.weights are all 0 ({w}); give at least one weight > 0")
    out = links.copy()
    comps = score_components(out, **scales)
    score = np.zeros(len(out))
    for comp, wcol, key in COMPONENTS:
        out[comp] = comps[comp].to_numpy()
        out[wcol] = w[key] / total
        score += out[wcol].to_numpy() * out[comp].to_numpy()
    out["Score"] = score
    order = np.lexsort((out["Link_ID"].to_numpy(), out["CW_Dist"].to_numpy(), -score))
    out = out.iloc[order].reset_index(drop=True)
    out["Rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    return out


def link_table(links, corridors, circuits, connectivity, pressure) -> pd.DataFrame:
    """Every link (transboundary and domestic) with its corridor, circuit, network and pressure values."""
    table = links.links.copy()
    table["Eff_Resist"] = table["Link_ID"].map(circuits.eff_resist).astype(float)
    table = table.join(connectivity.links)
    table = table.merge(corridors.polygons[["Link_ID", "Corr_km2", "Unprot_Shr"]], on="Link_ID", how="left")
    return table.merge(pressure, on="Link_ID", how="left")


def rank_corridors(links, corridors, circuits, connectivity, pressure, scenario) -> pd.DataFrame:
    """The ranked transboundary links (see the module docstring); ``scenario`` resolved."""
    table = link_table(links, corridors, circuits, connectivity, pressure)
    cfg = scenario.ranking
    trans = table[table["Link_Info"] == "transboundary"]
    return rank_links(trans, cfg.weights, importance_scale=cfg.importance_scale,
                      centrality_scale=cfg.centrality_scale, pressure_density=cfg.pressure_density,
                      max_cost_distance=scenario.parameters.max_cost_distance)


def domestic_links(links, corridors, circuits, connectivity, pressure) -> pd.DataFrame:
    """The links between nodes of one country (stepping stones, not ranked), by ``Link_ID``."""
    table = link_table(links, corridors, circuits, connectivity, pressure)
    return table[table["Link_Info"] == "domestic"].sort_values("Link_ID").reset_index(drop=True)


def score_closeness(ranking: pd.DataFrame) -> float | None:
    """Spearman's rho of ``Score`` with ``-Euc_Dist``: 1 if the ranking only rewarded closeness
    (None for fewer than 3 links)."""
    if len(ranking) < 3:
        return None
    from scipy.stats import spearmanr

    return float(spearmanr(ranking["Score"], -ranking["Euc_Dist"])[0])
