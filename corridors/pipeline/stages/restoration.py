"""Stage: where to restore - barrier analysis of the top-ranked links (McRae, Hall, Beier &
Theobald 2012, PLoS ONE 7:e52604, Linkage Mapper's Barrier Mapper) and each link's best
restoration sites.

For each link ranked ``1..ranking.gap_top`` and each radius r of ``restoration.radii`` (cells x
cell size), the improvement score of the disk window D(c, r) centred on every cell c is

    IS(c, r) = max(0, CW_Dist - (min_{D(c,r)} CWD_A + min_{D(c,r)} CWD_B + R' * 2r))

(cost units: the estimated drop of the link's least-cost distance if the window were restored
to resistance R' = ``restoration.restored_resistance``), from one cost-distance search per
reserve (:func:`corridors.restoration.restoration_sites`). Each link keeps its
``restoration.sites_per_link`` best windows that share no cell, described by country, land-cover
composition and whether they meet an unprotected stretch of that link's own corridor (a polygon
of the gaps layer whose ``Links`` lists the link).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Restoration", "find_restoration_sites", "SITES_LAYER_COLUMNS"]

#: columns of the ``restoration_sites`` layer (before geometry): the library's site columns with
#: the link's ``Rank`` after ``Link_ID``
SITES_LAYER_COLUMNS = ["Site_ID", "Link_ID", "Rank", "Site_Rank", "From_PA", "To_PA", "Radius_m", "Gain",
                       "Gain_Unit", "Gain_Pct", "CW_Dist", "CW_After", "Row", "Col", "X", "Y", "ISO3",
                       "Countries", "LC_Main", "LC_Share", "LC_Mix", "In_Gap", "Gap_Share", "Gap_IDs"]


@dataclass
class Restoration:
    """Result of :func:`find_restoration_sites`.

    sites : GeoDataFrame (:data:`SITES_LAYER_COLUMNS`, circle of each window), by link rank then
    site rank; ``Gain`` = IS (cost units), ``Gain_Pct`` = 100 IS / CW_Dist, ``CW_After`` =
    CW_Dist - IS, ``In_Gap`` = the window meets a gap of its link's corridor.
    improvement : float32 Grid, per cell the largest IS over the radii of the links (combined by
    ``restoration.combine``), cost units; NaN where no window centred there shortens any of them
    (the ``barrier_improvement.tif`` raster).
    radii : window radii (m); link_ids : the links analysed, by rank; lcd : {Link_ID: CW_Dist}.
    """

    sites: Any
    improvement: Any
    radii: tuple
    link_ids: list
    lcd: dict


def find_restoration_sites(links, ranking, gaps, grid, inputs, scenario) -> Restoration:
    """Barrier analysis and restoration sites of the links ranked ``1..ranking.gap_top``.

    Parameters
    ----------
    links : :class:`~.links.LinkSet` (its ``cores``: the reserves' core ids of ``From_Core`` /
        ``To_Core``).
    ranking : the ranked link table.
    gaps : :class:`~.gaps.Gaps` (its ``gaps`` layer: one country each, ``Links`` the Link_IDs).
    grid : the resistance Grid.
    inputs : :class:`~.inputs.RunInputs` (land cover, countries).
    scenario : the resolved Scenario (``restoration``, ``ranking.gap_top``,
        ``parameters.max_cost_distance`` and ``neighbours``).

    Returns
    -------
    Restoration

    Notes
    -----
    Each reserve's search is bounded at ``max_cost_distance`` (every ranked link's CW_Dist is
    below it, so the scores are exact) and run once for all its links. About 2 s on the embedded
    960 x 540 grid for 10 links at 5 radii (``benchmarks/bench_barrier.py``).
    """
    from ...restoration import restoration_sites

    cfg = scenario.restoration
    p = scenario.parameters
    top = ranking[ranking["Rank"] <= scenario.ranking.gap_top].sort_values("Rank")
    radii = tuple(float(k) * grid.cellsize for k in cfg.radii)
    if top.empty:  # no ranked corridor (reserves that only adjoin): nothing to restore between them
        import geopandas as gpd

        empty = gpd.GeoDataFrame(columns=SITES_LAYER_COLUMNS + ["geometry"], geometry="geometry", crs=grid.crs)
        nothing = grid.with_values(np.full(grid.shape, np.nan, np.float32), nodata=np.nan, name="barrier improvement")
        return Restoration(sites=empty, improvement=nothing, radii=radii, link_ids=[], lcd={})
    out = restoration_sites(grid, links.cores.grid, top, radii=radii, top=cfg.sites_per_link,
                            rank_by=cfg.rank_by, combine=cfg.combine, restored_resistance=cfg.restored_resistance,
                            neighbours=p.neighbours, max_cost=p.max_cost_distance, landcover=inputs.landcover,
                            classes=_landcover_classes(scenario), countries=inputs.countries, gaps=gaps.gaps,
                            gaps_of_link=True, no_gain=np.nan)
    sites = out.sites
    rank_of = dict(zip(top["Link_ID"].astype(int), top["Rank"].astype(int)))
    sites.insert(sites.columns.get_loc("Link_ID") + 1, "Rank",
                 sites["Link_ID"].map(rank_of).astype(np.int64))
    sites = sites.sort_values(["Rank", "Site_Rank"], kind="mergesort").reset_index(drop=True)
    sites["Site_ID"] = np.arange(1, len(sites) + 1, dtype=np.int64)
    # out.improvement is NaN (nodata) where no window gains; out's per-radius tiles go with it
    return Restoration(sites=sites[SITES_LAYER_COLUMNS + [sites.geometry.name]], improvement=out.improvement,
                       radii=out.radii, link_ids=top["Link_ID"].astype(int).tolist(), lcd=out.lcd)


def _landcover_classes(scenario) -> dict[int, str] | None:
    """Land-cover code -> class name when the run's resistance table is keyed on the profiles'
    legend (no ``inputs.resistance_table``), else None (the sites then name the codes)."""
    if scenario.inputs.resistance_table is not None:
        return None
    from ...datasets import LANDCOVER_CLASSES

    return dict(LANDCOVER_CLASSES)
