"""Stage: reserves of two countries that share a border segment (*adjoining* pairs) need no
corridor; what matters between them is how permeable their common border is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._kernels.labels import group_sums

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
        ``mean_res`` (mean of ``(r_u + r_v) / 2`` over open steps; NaN without one). Sums are
        compensated (:func:`corridors._kernels.labels.group_sums`) in the order of the steps
        (straight right, down, then the diagonals; row-major in each), so a window holding both
        cores gives the sums of the whole grid.
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
    key, is_open = np.concatenate(keys), np.concatenate(opens)
    uniq, group = np.unique(key, return_inverse=True)
    n = uniq.size
    cond, _ = group_sums(group, np.concatenate(conds), n)
    mean_sum, n_mean = group_sums(group, np.concatenate(means), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_res = np.where(n_mean > 0, mean_sum / np.maximum(n_mean, 1), np.nan)
    return pd.DataFrame({"a": uniq >> 32, "b": uniq & 0xFFFFFFFF,
                         "n_steps": np.bincount(group, minlength=n).astype(np.int64),
                         "n_open": np.bincount(group, weights=is_open, minlength=n).astype(np.int64),
                         "conductance": cond, "mean_res": mean_res})


def _pair_steps(links, resistance, neighbours) -> dict:
    """:func:`border_steps` of each adjoining pair, ``{frozenset(pa_a, pa_b): row}``, each on the
    window that holds both reserves' cells (the steps, and the order they are summed in, of the
    whole grid)."""
    from scipy.ndimage import find_objects

    from .circuits import window_float64

    cores = links.cores
    lab = cores.grid.values
    boxes = find_objects(lab)
    out = {}
    for rec in links.adjoining.itertuples(index=False):
        ka, kb = cores.core_id(str(rec.pa_a)), cores.core_id(str(rec.pa_b))
        ba = boxes[ka - 1] if ka <= len(boxes) else None
        bb = boxes[kb - 1] if kb <= len(boxes) else None
        if ba is None or bb is None:  # a reserve without a cell: no step between them
            continue
        rows = slice(min(ba[0].start, bb[0].start), max(ba[0].stop, bb[0].stop))
        cols = slice(min(ba[1].start, bb[1].start), max(ba[1].stop, bb[1].stop))
        steps = border_steps(lab[rows, cols], window_float64(resistance, rows, cols), neighbours)
        lo, hi = min(ka, kb), max(ka, kb)
        hit = steps[(steps["a"] == lo) & (steps["b"] == hi)]
        if len(hit):
            out[frozenset((cores.pa_ids[lo - 1], cores.pa_ids[hi - 1]))] = next(hit.itertuples(index=False))
    return out


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
    by_pair = _pair_steps(links, resistance, params.neighbours)
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
