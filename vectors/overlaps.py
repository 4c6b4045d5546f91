"""Overlapping and nested polygons of one country dissolved into non-overlapping units.

Used for WDPA sites (a national park and the older reserve inside it, a Ramsar site over both)
and for the network nodes of the embedded reserves: two polygons that overlap are one habitat
unit for connectivity, so they become one unit that keeps the list of its members.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from rasters.errors import InputError

from ._common import polygonal_part

__all__ = [
    "DEFAULT_MIN_OVERLAP",
    "MEMBER_SEPARATOR",
    "overlap_groups",
    "dissolve_overlapping",
    "members_of",
]

#: Two polygons are merged when their intersection covers more than this share of the smaller
#: one. Below it an overlap is taken for a digitising sliver between neighbours that share a
#: boundary (the sliver is then cut from one of them so that units never overlap).
DEFAULT_MIN_OVERLAP = 0.01

#: Separator of member ids in the ``members`` column.
MEMBER_SEPARATOR = ";"


def overlap_groups(geoms, *, groups=None, min_overlap: float = DEFAULT_MIN_OVERLAP) -> np.ndarray:
    """Label connected sets of polygons that overlap (transitively), within each group.

    Polygons ``i`` and ``j`` are linked when they are in the same group and
    ``area(i ∩ j) > min_overlap * min(area(i), area(j))``. Linked polygons, and polygons linked
    through others, share a label.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        Polygons in a projected CRS (areas in m²; only area ratios matter).
    groups : array-like, optional
        Group of each polygon (e.g. its country); polygons of different groups never link.
    min_overlap : float
        Share of the smaller polygon, in [0, 1). 0 links any overlap of positive area.

    Returns
    -------
    numpy.ndarray
        int64 label per polygon, 0..k-1, numbered in order of first appearance.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    if not 0 <= float(min_overlap) < 1:
        raise InputError(f"min_overlap must be a share in [0, 1), got {min_overlap!r}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    grp = np.zeros(n, dtype=object) if groups is None else np.asarray(groups, dtype=object)
    area = shapely.area(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = (left < right) & (grp[left] == grp[right])
    left, right = left[keep], right[keep]
    if len(left):
        inter = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        linked = inter > min_overlap * np.minimum(area[left], area[right])
        left, right = left[linked], right[linked]
    adj = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, raw = connected_components(adj, directed=False)
    # renumber by first appearance so labels do not depend on scipy's internal order
    _, first = np.unique(raw, return_index=True)
    order = np.argsort(first, kind="stable")
    relabel = np.empty_like(order)
    relabel[order] = np.arange(len(order))
    return relabel[np.unique(raw, return_inverse=True)[1]].astype(np.int64)


def dissolve_overlapping(
    gdf: gpd.GeoDataFrame,
    *,
    id_col: str = "pa_id",
    group_col: str | None = "iso3",
    min_overlap: float = DEFAULT_MIN_OVERLAP,
) -> gpd.GeoDataFrame:
    """One row per set of overlapping polygons of one group; units never overlap.

    Each set found by :func:`overlap_groups` becomes one unit: the union of its members. The unit
    takes the id and the other attributes of its largest member (ties: the smaller id). Slivers
    that remain shared by two units (overlaps at or below ``min_overlap``) are cut from the unit
    that comes later in the order largest unit first, so no two units of one group overlap.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons with ``id_col`` (unique) and, unless ``group_col`` is None, ``group_col``.
        Projected CRS.
    id_col : str
        Identifier column.
    group_col : str or None
        Only polygons with equal values here are merged (the country code: one country's
        reserves merge, reserves of two countries never do).
    min_overlap : float
        See :func:`overlap_groups`.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of ``gdf`` (values of the largest member) plus ``members`` (member ids,
        largest first, joined by ``;``) and ``n_members``; one row per unit, ordered as the
        first appearance of each unit in ``gdf``.
    """
    missing = [c for c in (id_col, group_col) if c is not None and c not in gdf.columns]
    if missing:
        raise InputError(f"dissolve_overlapping: column(s) {missing} missing; columns are {list(gdf.columns)}")
    ids = gdf[id_col].astype(str)
    if ids.duplicated().any():
        raise InputError(f"dissolve_overlapping: duplicated {id_col} {ids[ids.duplicated()].tolist()[:10]}")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    groups = None if group_col is None else gdf[group_col].astype(str).to_numpy()
    labels = overlap_groups(geoms, groups=groups, min_overlap=min_overlap)
    area = shapely.area(geoms)
    rows, unit_geoms, member_lists = [], [], []
    for lab in range(int(labels.max()) + 1 if len(labels) else 0):
        idx = np.flatnonzero(labels == lab)
        order = sorted(idx.tolist(), key=lambda k: (-area[k], ids.iat[k]))
        rows.append(order[0])
        member_lists.append([ids.iat[k] for k in order])
        unit_geoms.append(geoms[idx[0]] if len(idx) == 1 else shapely.union_all(geoms[idx]))
    unit_geoms = _make_disjoint(unit_geoms, None if groups is None else groups[rows])
    out = gdf.iloc[rows].copy()
    out["members"] = [MEMBER_SEPARATOR.join(m) for m in member_lists]
    out["n_members"] = np.array([len(m) for m in member_lists], dtype=np.int32)
    out = out.set_geometry(gpd.GeoSeries(unit_geoms, index=out.index, crs=gdf.crs).values)
    return out.reset_index(drop=True)


def _make_disjoint(geoms: list, groups) -> list:
    """Cut, from each unit, what larger units of its group already hold (slivers)."""
    geoms = list(geoms)
    n = len(geoms)
    if n < 2:
        return geoms
    grp = np.zeros(n, dtype=object) if groups is None else np.asarray(groups, dtype=object)
    arr = np.asarray(geoms, dtype=object)
    area = shapely.area(arr)
    rank = sorted(range(n), key=lambda k: (-area[k], k))
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="overlaps")
    before = {k: pos for pos, k in enumerate(rank)}
    cut: dict[int, list[int]] = {}
    for i, j in zip(left.tolist(), right.tolist()):
        if grp[i] == grp[j] and before[j] < before[i]:
            cut.setdefault(i, []).append(j)
    for i in sorted(cut, key=lambda k: before[k]):
        others = shapely.union_all([geoms[j] for j in cut[i]])
        geoms[i] = polygonal_part(shapely.difference(geoms[i], others))
    return geoms


def members_of(value) -> list[str]:
    """The member ids in a ``members`` value (``"RU01;RU02"`` -> ["RU01", "RU02"])."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [m for m in str(value).split(MEMBER_SEPARATOR) if m]

