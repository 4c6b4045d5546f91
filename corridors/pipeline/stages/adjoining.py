"""Stage: reserves of two countries that share a border segment (*adjoining* pairs) need no
corridor; what matters between them is how permeable their common border is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Adjoining", "assess_adjoining", "border_steps"]

ADJOINING_COLUMNS = ["From_PA", "To_PA", "From_Name", "To_Name", "From_ISO3", "To_ISO3", "Link_Info", "Border",
                     "Shared_km", "N_Steps", "Open_Shr", "Mean_Res", "Permeab"]


@dataclass
class Adjoining:
    """Result of :func:`assess_adjoining`: ``table`` (one row per adjoining pair, columns
    :data:`ADJOINING_COLUMNS`) and ``layer`` (the same rows with the shared outline as lines)."""

    table: pd.DataFrame
    layer: Any


def border_steps(labels: np.ndarray, resistance: np.ndarray, neighbours: int = 8) -> pd.DataFrame:
    """Every grid step between cells of two different cores, summed per pair of cores.

    A step joins neighbouring cells ``u`` and ``v`` (4 or 8 neighbours) with core labels
    ``a != b``, both > 0. It is *open* when both cells have a finite resistance. Its conductance
    relative to resistance 1 is ``2 / (r_u + r_v)`` (the inverse of the mean resistance, the
    cost rule of the least-cost core), the same for straight and diagonal steps.

    Returns
    -------
    DataFrame
        ``a`` < ``b`` (labels), ``n_steps``, ``n_open``, ``conductance`` (sum over open steps),
        ``mean_res`` (mean of ``(r_u + r_v) / 2`` over open steps; NaN without one).
    """
    lab = np.asarray(labels)
    res = np.asarray(resistance, dtype=np.float64)
    shifts = [((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
              ((slice(None, -1), slice(None)), (slice(1, None), slice(None)))]
    if neighbours == 8:
        shifts += [((slice(None, -1), slice(None, -1)), (slice(1, None), slice(1, None))),
                   ((slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1)))]
    keys, opens, conds, means = [], [], [], []
    for su, sv in shifts:
        a, b = lab[su].ravel(), lab[sv].ravel()
        m = (a != b) & (a > 0) & (b > 0)
        if not m.any():
            continue
        ru, rv = res[su].ravel()[m], res[sv].ravel()[m]
        lo, hi = np.minimum(a[m], b[m]).astype(np.int64), np.maximum(a[m], b[m]).astype(np.int64)
        is_open = np.isfinite(ru) & np.isfinite(rv)
        mean = np.where(is_open, (ru + rv) / 2, np.nan)
        keys.append(lo * (1 << 32) + hi)
        opens.append(is_open)
        conds.append(np.where(is_open, 1.0 / mean, 0.0))
        means.append(mean)
    if not keys:
        return pd.DataFrame(columns=["a", "b", "n_steps", "n_open", "conductance", "mean_res"])
    df = pd.DataFrame({"key": np.concatenate(keys), "open": np.concatenate(opens),
                       "cond": np.concatenate(conds), "mean": np.concatenate(means)})
    g = df.groupby("key", sort=True)
    out = pd.DataFrame({"n_steps": g.size(), "n_open": g["open"].sum(), "conductance": g["cond"].sum(),
                        "mean_res": g["mean"].mean()}).reset_index()
    key = out["key"].to_numpy(dtype=np.int64)
    out.insert(0, "a", key >> 32)
    out.insert(1, "b", key & 0xFFFFFFFF)
    return out.drop(columns="key")


def assess_adjoining(links, resistance, params) -> Adjoining:
    """Border permeability of every adjoining pair of :class:`~.links.LinkSet` ``links``.

    For the grid steps between the two reserves' cells (:func:`border_steps`): ``N_Steps``,
    ``Open_Shr`` (share of steps with no barrier cell), ``Mean_Res`` (mean resistance of the open
    steps) and ``Permeab`` = sum of the open steps' conductance ``2 / (r_u + r_v)`` / ``N_Steps``:
    1 for a border of resistance 1 without barriers, 0 when a fence (or any barrier) closes
    every step. ``Shared_km``: length of the shared outline (:func:`vectors.node_pairs`).
    """
    import geopandas as gpd
    import shapely

    nodes = links.nodes.set_index(links.nodes["pa_id"].astype(str))
    cores = links.cores
    steps = border_steps(cores.grid.values, resistance.masked_float(np.float64), params.neighbours)
    by_pair = {frozenset((cores.pa_ids[a - 1], cores.pa_ids[b - 1])): rec
               for a, b, rec in zip(steps["a"], steps["b"], steps.itertuples(index=False))}
    rows, lines = [], []
    tol = resistance.cellsize
    for rec in links.adjoining.itertuples(index=False):
        a, b = str(rec.pa_a), str(rec.pa_b)
        s = by_pair.get(frozenset((a, b)))
        n = int(s.n_steps) if s is not None else 0
        rows.append({"From_PA": a, "To_PA": b, "From_Name": str(nodes.at[a, "name"]), "To_Name": str(nodes.at[b, "name"]),
                     "From_ISO3": str(rec.iso3_a), "To_ISO3": str(rec.iso3_b), "Link_Info": str(rec.kind),
                     "Border": str(rec.border_pair or ""), "Shared_km": float(rec.shared_m) / 1000.0, "N_Steps": n,
                     "Open_Shr": float(s.n_open) / n if n else np.nan,
                     "Mean_Res": float(s.mean_res) if n else np.nan,
                     "Permeab": float(s.conductance) / n if n else np.nan})
        ga, gb = nodes.at[a, "geometry"], nodes.at[b, "geometry"]
        lines.append(shapely.intersection(ga.boundary, gb.buffer(tol)))
    table = pd.DataFrame(rows, columns=ADJOINING_COLUMNS)
    table = table.sort_values(["Link_Info", "Permeab", "From_PA", "To_PA"], ascending=[False, True, True, True],
                              kind="mergesort", na_position="first")
    order = table.index.to_numpy()
    table = table.reset_index(drop=True)
    layer = gpd.GeoDataFrame(table.copy(), geometry=[lines[i] for i in order], crs=resistance.crs)
    return Adjoining(table=table, layer=layer)
