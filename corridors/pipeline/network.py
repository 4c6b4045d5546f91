"""Step 2: cores, border reserves, candidate transboundary pairs, least-cost links and corridors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["Network", "build_network", "corridor_windows", "CorridorWindow"]

log = logging.getLogger(__name__)


@dataclass
class CorridorWindow:
    """One link's corridor cropped to its bounding box (plus a one-cell margin).

    rows, cols : slices of the window in the full grid; nlcc : float32 NLCC inside the window
    (inf outside the corridor); core_a, core_b : bool masks of the two reserves' cells.
    """

    link_id: int
    rows: slice
    cols: slice
    nlcc: np.ndarray
    core_a: np.ndarray
    core_b: np.ndarray

    @property
    def corridor(self) -> np.ndarray:
        return np.isfinite(self.nlcc)


@dataclass
class Network:
    """Result of :func:`build_network`.

    cores : vectors.CoreGrid; border_reserves : GeoDataFrame; pairs : candidate pairs (pa ids);
    linkage : LinkageNetwork; links : link table with reserve ids/names/countries added;
    unlinked : candidate pairs without a viable link, with ``Reason``.
    """

    cores: Any
    border_reserves: Any
    pairs: pd.DataFrame
    linkage: Any
    links: pd.DataFrame
    unlinked: pd.DataFrame


def build_network(resistance, pas, borders, *, border_distance: float, max_gap: float,
                  max_cost_distance: float, corridor_width: float, neighbours: int,
                  drop_through_cores: bool, threads: int | None = None, executor=None) -> Network:
    """Border reserves -> candidate pairs -> least-cost links (Linkage Mapper's table).

    Every reserve is a core (so paths through a third reserve are detected), but only candidate
    transboundary pairs of border reserves are linked.

    ``threads`` runs the per-core cost-distance searches on that many threads (default: CPU
    count); a distributed :class:`~corridors.pipeline.executor.Executor` runs them as one task per
    core on its dask cluster instead (the resistance is sent to each worker once; each task sends
    back its cost distance cropped to the cells it reached). The links do not depend on either.
    """
    import vectors

    from ..leastcost import linkage_network
    from .gaps import unlinked_pairs

    cores = vectors.rasterize_cores(pas, resistance)
    _check_cores_on_grid(cores, pas, resistance)
    br = vectors.border_reserves(pas, borders, border_distance)
    pairs = vectors.candidate_pairs(br, max_gap=max_gap, borders=borders)
    lost = set(cores.lost)
    reasons: dict[frozenset, str] = {}
    for a, b in zip(pairs["pa_a"], pairs["pa_b"]):
        if a in lost or b in lost:
            reasons[frozenset((a, b))] = "reserve has no cell on the grid"
    usable = pairs[[frozenset((a, b)) not in reasons for a, b in zip(pairs["pa_a"], pairs["pa_b"])]]
    if usable.empty:
        if len(pairs):
            off = sorted({p for a, b in zip(pairs["pa_a"], pairs["pa_b"]) for p in (a, b) if p in lost})
            raise InputError(
                f"no reserve of the {len(pairs)} candidate pairs lies on the land-cover grid (off it: "
                f"{', '.join(off[:10])}); check the CRS and extent of the reserves and of inputs.landcover"
            )
        if br.empty:
            raise InputError(
                f"no border reserves: none of the {len(pas) - len(lost)} reserves on the grid lies within "
                f"{border_distance:g} m of an international land border; raise parameters.border_distance "
                "or check the countries layer (its borders and iso3 codes)"
            )
        raise InputError(
            f"no candidate transboundary pairs: {len(br)} border reserves within "
            f"{border_distance:g} m of a border, none within max_gap {max_gap:g} m of a reserve in a "
            "neighbouring country; raise parameters.max_gap (or parameters.border_distance)"
        )
    core_pairs = [(cores.core_id(a), cores.core_id(b)) for a, b in zip(usable["pa_a"], usable["pa_b"])]
    log.info("%d border reserves, %d candidate pairs", len(br), len(usable))
    if executor is not None and executor.is_distributed:
        if threads is not None:
            raise InputError("build_network: give threads or a distributed executor, not both")
        how = {"mapper": partial(executor.map, desc="cost distance (per core)")}
    else:
        how = {"workers": threads}
    net = linkage_network(resistance, cores.grid, neighbours=neighbours, pairs=core_pairs,
                          max_cost_distance=max_cost_distance, drop_through_cores=drop_through_cores,
                          corridor_width=corridor_width, **how)
    info = pas.set_index(pas["pa_id"].astype(str))
    pa_of = {k + 1: pid for k, pid in enumerate(cores.pa_ids)}
    links = net.links.copy()
    for end, col in (("From", "From_Core"), ("To", "To_Core")):
        ids = links[col].map(pa_of)
        links[f"{end}_PA"] = ids.astype(str)
        links[f"{end}_Name"] = ids.map(info["name"]).astype(str)
        links[f"{end}_ISO3"] = ids.map(info["iso3"]).astype(str)
    for rec in net.dropped.itertuples(index=False):
        a, b = pa_of[int(rec.From_Core)], pa_of[int(rec.To_Core)]
        detail = rec.reason
        if np.isfinite(rec.CW_Dist):
            limit = f", max {rec.limit:.4g}" if np.isfinite(rec.limit) else ""
            detail += f" (CW_Dist {rec.CW_Dist:.4g}{limit})"
        reasons[frozenset((a, b))] = detail
    linked = {frozenset((a, b)) for a, b in zip(links["From_PA"], links["To_PA"])}
    unlinked = unlinked_pairs(pairs, linked, reasons)
    return Network(cores=cores, border_reserves=br, pairs=pairs, linkage=net, links=links, unlinked=unlinked)


def _check_cores_on_grid(cores, pas, resistance) -> None:
    """Refuse, naming reserves by pa_id, when none lies on the grid or one lies only on barriers."""
    on_grid = [k for k, n in enumerate(cores.cells) if n > 0]
    if not on_grid:
        lb = tuple(round(v) for v in pas.total_bounds) if len(pas) else ()
        raise InputError(
            f"no reserve on the land-cover grid: none of the {len(pas)} protected areas (bounds {lb}) "
            f"covers a cell of the grid (bounds {tuple(round(v) for v in resistance.bounds)}); check "
            "the CRS and extent of inputs.protected_areas and inputs.landcover"
        )
    if len(on_grid) < 2:
        raise InputError(
            f"only one reserve ({cores.pa_ids[on_grid[0]]}) lies on the land-cover grid; a corridor "
            "needs two: check the CRS and extent of inputs.protected_areas and inputs.landcover"
        )
    passable = np.isfinite(resistance.masked_float(np.float32))
    labels = cores.grid.values
    reached = np.bincount(labels[passable].ravel(), minlength=len(cores.pa_ids) + 1)[1:]
    stuck = [cores.pa_ids[k] for k in on_grid if reached[k] == 0]
    if stuck:
        names = dict(zip(pas["pa_id"].astype(str), pas["name"].astype(str)))
        shown = ", ".join(f"{p} ({names.get(p, '')})" for p in stuck[:10])
        raise InputError(
            f"reserve(s) {shown} lie entirely on cells without a resistance (land-cover nodata or a "
            "'barrier' class); check the land cover under them or give those classes a resistance"
        )


def corridor_windows(network: Network, width: float) -> list[CorridorWindow]:
    """Each link's corridor (NLCC <= ``width``) with its two cores, cropped to their bounding box."""
    net = network.linkage
    core_grid = network.cores.grid.values
    out = []
    for rec in network.links.itertuples(index=False):
        nlcc = np.asarray(net.corridor(int(rec.Link_ID), width).values, dtype=np.float32)
        ca = core_grid == int(rec.From_Core)
        cb = core_grid == int(rec.To_Core)
        keep = np.isfinite(nlcc) | ca | cb
        rr = np.flatnonzero(keep.any(axis=1))
        cc = np.flatnonzero(keep.any(axis=0))
        r0, r1 = max(rr[0] - 1, 0), min(rr[-1] + 2, keep.shape[0])
        c0, c1 = max(cc[0] - 1, 0), min(cc[-1] + 2, keep.shape[1])
        rows, cols = slice(r0, r1), slice(c0, c1)
        out.append(CorridorWindow(int(rec.Link_ID), rows, cols, nlcc[rows, cols].copy(),
                                  ca[rows, cols].copy(), cb[rows, cols].copy()))
    return out
