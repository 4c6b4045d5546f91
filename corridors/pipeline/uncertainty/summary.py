"""The ensemble's summaries: rank probabilities per link and corridor frequency per cell.

Links are matched across members by their two reserves (``From_PA``, ``To_PA`` in either order).
For ``M`` members, member ``m`` with ``N_m`` viable (ranked) links, and a link ``l``:

* ``P_viable(l) = (1/M) * #{m : l is ranked in m}``
* ``P_top10(l) = (1/M) * #{m : l is ranked in m and Rank_m(l) <= 10}``
* ``r_m(l) = Rank_m(l)`` when ``l`` is ranked in ``m``, else ``N_m + 1`` (after every viable link)
* ``Rank_p05``, ``Rank_p50``, ``Rank_p95``: the 5th, 50th and 95th percentiles of
  ``r_1(l) .. r_M(l)``, linearly interpolated between order statistics (numpy's default,
  Hyndman & Fan 1996 type 7).

The corridor frequency of a cell is the share of members in which it lies in a corridor (the
corridor mosaic's cells); the robust corridors are the cells with a frequency of at least
``robust_share`` (0.9 by default), as polygons, one per 4-connected patch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TOP", "RANK_UNCERTAINTY_COLUMNS", "rank_matrix", "rank_uncertainty", "member_summary",
           "corridor_frequency", "robust_corridors"]

#: rank up to which a link counts as top (the ``P_top10`` column)
TOP = 10

#: rank_uncertainty.csv columns (Shapefile's 10 characters; names as in ranking.csv)
RANK_UNCERTAINTY_COLUMNS = ["Rank", "From_PA", "To_PA", "From_Name", "To_Name", "From_ISO3", "To_ISO3",
                            "P_top10", "P_viable", "Rank_p05", "Rank_p50", "Rank_p95"]


def _key(a, b) -> tuple[str, str]:
    a, b = str(a), str(b)
    return (a, b) if a <= b else (b, a)


def rank_matrix(deterministic: pd.DataFrame, members: list[pd.DataFrame]):
    """Every link's rank in every member.

    Parameters
    ----------
    deterministic : DataFrame
        The run's ranking (``From_PA``, ``To_PA``, ``Rank``).
    members : list of DataFrame
        Each member's ranking (same columns), in member order.

    Returns
    -------
    links : DataFrame
        One row per link seen anywhere: ``From_PA``, ``To_PA`` (as the deterministic run has
        them, else as the first member that ranks the link), ``Rank`` (deterministic; <NA>
        when not viable there). The deterministic run's links come first, in rank order, then
        the others in the order members first rank them.
    ranks : ndarray, float64 (links, members)
        ``r_m(l)``: the member's rank, or ``N_m + 1`` where the link is not viable.
    viable : ndarray, bool (links, members)
    """
    order: dict[tuple[str, str], tuple[str, str]] = {}
    for df in [deterministic.sort_values("Rank"), *members]:
        for a, b in zip(df["From_PA"], df["To_PA"]):
            order.setdefault(_key(a, b), (str(a), str(b)))
    index = {k: i for i, k in enumerate(order)}
    det_rank = {_key(a, b): int(r) for a, b, r in zip(deterministic["From_PA"], deterministic["To_PA"],
                                                      deterministic["Rank"])}
    n, m = len(order), len(members)
    ranks = np.zeros((n, m), dtype=np.float64)
    viable = np.zeros((n, m), dtype=bool)
    for j, df in enumerate(members):
        ranks[:, j] = len(df) + 1
        for a, b, r in zip(df["From_PA"], df["To_PA"], df["Rank"]):
            i = index[_key(a, b)]
            ranks[i, j] = float(r)
            viable[i, j] = True
    links = pd.DataFrame({"From_PA": [v[0] for v in order.values()], "To_PA": [v[1] for v in order.values()],
                          "Rank": pd.array([det_rank.get(k) for k in order], dtype="Int64")})
    return links, ranks, viable


def rank_uncertainty(deterministic: pd.DataFrame, members: list[pd.DataFrame], pas=None) -> pd.DataFrame:
    """The ``rank_uncertainty.csv`` table (see the module docstring for every column).

    ``pas``: reserves (``pa_id``, ``name``, ``iso3``) for the names and countries of each end.
    Rows: the deterministic ranking's links in rank order, then the rest by ``Rank_p50``, then by
    their reserves' ids.
    """
    links, ranks, viable = rank_matrix(deterministic, members)
    out = links.copy()
    if pas is not None:
        info = pas.set_index(pas["pa_id"].astype(str))
        for end in ("From", "To"):
            out[f"{end}_Name"] = out[f"{end}_PA"].map(info["name"]).astype(str)
            out[f"{end}_ISO3"] = out[f"{end}_PA"].map(info["iso3"]).astype(str)
    else:
        for end in ("From", "To"):
            out[f"{end}_Name"] = ""
            out[f"{end}_ISO3"] = ""
    m = ranks.shape[1]
    out["P_top10"] = (viable & (ranks <= TOP)).sum(axis=1) / m
    out["P_viable"] = viable.sum(axis=1) / m
    q = np.percentile(ranks, [5, 50, 95], axis=1) if len(out) else np.zeros((3, 0))
    out["Rank_p05"], out["Rank_p50"], out["Rank_p95"] = q[0], q[1], q[2]
    det = out["Rank"].astype("float64").fillna(np.inf).to_numpy()
    order = np.lexsort((out["To_PA"].to_numpy(), out["From_PA"].to_numpy(), out["Rank_p50"].to_numpy(), det))
    return out.iloc[order][RANK_UNCERTAINTY_COLUMNS].reset_index(drop=True)


def member_summary(draws, results, deterministic: pd.DataFrame, class_names: dict[int, str]) -> pd.DataFrame:
    """One row per member: ``Member``, ``Transform``, ``F_Disp`` (factor on max_cost_distance),
    ``F_<class>`` per class, ``N_Viable`` (links ranked), ``Spearman`` (rank correlation with the
    deterministic ranking over its links, ``r_m`` as in :func:`rank_matrix`; NaN when either side
    has a single distinct rank) and ``Note`` (why a member has no link)."""
    from scipy.stats import spearmanr

    det = deterministic.sort_values("Rank")
    _, ranks, _ = rank_matrix(det, [r.links for r in results])
    det_ranks = det["Rank"].to_numpy(dtype=np.float64)
    rows = []
    for j, (d, res) in enumerate(zip(draws, results)):
        row = {"Member": d.member, "Transform": d.transform, "F_Disp": d.dispersal}
        for code, f in d.factors:
            row[f"F_{class_names.get(code, code)}"] = f
        row["N_Viable"] = len(res.links)
        mine = ranks[: len(det_ranks), j]
        if len(det_ranks) > 1 and np.unique(mine).size > 1 and np.unique(det_ranks).size > 1:
            row["Spearman"] = float(spearmanr(det_ranks, mine).statistic)
        else:
            row["Spearman"] = np.nan
        row["Note"] = res.note
        rows.append(row)
    return pd.DataFrame(rows)


def corridor_frequency(results, shape: tuple[int, int], valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(counts, frequency)``: per cell, the number of members whose corridors hold it (int32)
    and that number over the members (float32, 0..1; NaN where ``valid`` is False)."""
    counts = np.zeros(int(np.prod(shape)), dtype=np.int32)
    for r in results:
        counts[r.corridor_cells] += 1
    counts = counts.reshape(shape)
    freq = (counts / max(len(results), 1)).astype(np.float32)
    if valid is not None:
        freq[~valid] = np.nan
    return counts, freq


def robust_corridors(counts: np.ndarray, members: int, share: float, grid):
    """Polygons of the cells in corridors in at least ``share`` of the ``members`` (counts from
    :func:`corridor_frequency`), one per 4-connected patch: ``Robust_ID`` (1.. in raster order),
    ``Cells``, ``Area_km2``, ``Freq_Mean``, ``Freq_Min`` (shares of members), geometry."""
    import geopandas as gpd
    from scipy import ndimage

    import vectors

    mask = counts / max(members, 1) >= share  # float64: 9/10 >= 0.9 holds
    labels, n = ndimage.label(mask)
    rows = []
    cell_km2 = grid.cellsize ** 2 / 1e6
    for k, sl in enumerate(ndimage.find_objects(labels), start=1):
        patch = labels[sl] == k
        f = counts[sl][patch] / members
        geom = vectors.cells_to_polygon(patch, grid.transform, offset=(sl[0].start, sl[1].start))
        rows.append({"Robust_ID": k, "Cells": int(patch.sum()), "Area_km2": float(patch.sum() * cell_km2),
                     "Freq_Mean": float(f.mean()), "Freq_Min": float(f.min()), "geometry": geom})
    cols = ["Robust_ID", "Cells", "Area_km2", "Freq_Mean", "Freq_Min", "geometry"]
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=grid.crs)
