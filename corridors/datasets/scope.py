"""Which network nodes a species run uses (its scope), from the profile's ``[scope]`` table."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

import vectors
from rasters.grid import Grid

from ..errors import InputError
from .species import SpeciesProfile

__all__ = ["species_nodes", "habitat_share"]


def habitat_share(nodes: gpd.GeoDataFrame, landcover: Grid, classes) -> np.ndarray:
    """Share of each node's cells (cell centre inside, as :func:`vectors.rasterize_cores`) in ``classes``.

    A node nested in another keeps its own cells, as in the core grid; a node with no cell centre
    gets the cell under a point on its surface. Returns float64, one share per row of ``nodes``.
    """
    cores = vectors.rasterize_cores(nodes, landcover)
    ids = np.asarray(cores.grid.values)
    lc = np.asarray(landcover.values)
    n = len(nodes)
    total, good = np.zeros(n + 1), np.zeros(n + 1)
    step = max(1, (1 << 21) // max(ids.shape[1], 1))
    for r in range(0, ids.shape[0], step):  # a strip at a time: no grid-sized 8-byte temporaries
        strip = ids[r:r + step].ravel()
        hab = np.isin(lc[r:r + step].ravel(), np.asarray(list(classes)))
        total += np.bincount(strip, minlength=n + 1)
        good += np.bincount(strip[hab], minlength=n + 1)
    total, good = total[1:], good[1:]
    return np.divide(good, total, out=np.zeros_like(good), where=total > 0)


def species_nodes(nodes: gpd.GeoDataFrame, profile: SpeciesProfile, landcover: Grid | None = None) -> gpd.GeoDataFrame:
    """The nodes a run for ``profile`` links: those inside its range that are its habitat.

    A node is kept when all of these hold:

    * its ``iso3`` is one of ``profile.scope.countries`` (when the profile lists countries; the
      Amur tiger and leopard list none in the ROK, where both are extinct);
    * it intersects ``profile.scope.range_lonlat`` (when the profile gives a range polygon);
    * it names one of ``profile.scope.focus_codes`` in its ``focus_species``, or its habitat share
      (:func:`habitat_share`, on ``landcover``) is at least ``profile.scope.min_habitat_share``
      (when neither is given, every node inside the countries and range is kept).

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Network nodes (:func:`vectors.network_nodes`): ``pa_id``, ``iso3``, optionally
        ``focus_species`` (``;``-separated codes), projected CRS.
    profile : SpeciesProfile
        With or without a ``scope`` (without: every node is kept).
    landcover : rasters.Grid, optional
        Needed when the scope uses ``min_habitat_share``.

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows of ``nodes`` in their order, plus ``scope_reason`` (``"focus"``,
        ``"habitat 0.63"`` or ``"no scope"``) and ``habitat_share`` (NaN when not computed).
    """
    out = nodes.copy()
    out["habitat_share"] = np.nan
    scope = profile.scope
    if scope is None:
        out["scope_reason"] = "no scope"
        return out.reset_index(drop=True)
    keep = np.ones(len(out), dtype=bool)
    if scope.countries:
        keep &= out["iso3"].astype(str).isin(scope.countries).to_numpy()
    if scope.range_lonlat:
        ring = gpd.GeoSeries([shapely.Polygon(scope.range_lonlat)], crs="EPSG:4326").to_crs(out.crs).iloc[0]
        keep &= shapely.intersects(ring, np.asarray(out.geometry.values, dtype=object))
    focus = np.zeros(len(out), dtype=bool)
    if scope.focus_codes and "focus_species" in out.columns:
        wanted = set(scope.focus_codes)
        focus = np.array([bool(wanted & set(str(v).split(";"))) for v in out["focus_species"].fillna("")])
    habitat = np.zeros(len(out), dtype=bool)
    if scope.min_habitat_share is not None:
        if landcover is None:
            raise InputError(
                f"species profile {profile.name}: its scope uses min_habitat_share, so species_nodes needs the "
                "land-cover grid (landcover=...)"
            )
        share = habitat_share(out, landcover, profile.habitat_classes)
        out["habitat_share"] = share
        habitat = share >= scope.min_habitat_share
    if scope.focus_codes or scope.min_habitat_share is not None:
        keep &= focus | habitat
    reason = np.where(focus, "focus", np.char.add("habitat ", np.char.mod("%.2f", np.nan_to_num(out["habitat_share"]))))
    if not (scope.focus_codes or scope.min_habitat_share is not None):
        reason = np.full(len(out), "in range")
    out["scope_reason"] = reason
    return out[keep].reset_index(drop=True)
