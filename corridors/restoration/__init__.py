"""Restoration opportunities: barrier analysis (McRae et al. 2012) and restoration sites.

* :func:`barrier_improvement`, :func:`barrier_analysis`, :func:`barrier_network`: Barrier
  Mapper's improvement score from disk min-filters over the cores' cost distances.
* :func:`restoration_sites`: the best non-overlapping windows per link, described for planners
  (country, land cover, gap), and the combined improvement raster.
"""

from .barrier import (
    COMBINE,
    BarrierAnalysis,
    BarrierNetwork,
    LinkScores,
    barrier_analysis,
    barrier_improvement,
    barrier_network,
    link_scores,
)
from .disk import disk_footprint, disk_half_widths, disk_offsets, window_min
from .sites import (
    RANK_BY,
    SITE_COLUMNS,
    RestorationSites,
    Window,
    describe_windows,
    restoration_sites,
    select_windows,
)

__all__ = [
    "barrier_improvement",
    "barrier_analysis",
    "barrier_network",
    "BarrierAnalysis",
    "BarrierNetwork",
    "LinkScores",
    "link_scores",
    "COMBINE",
    "restoration_sites",
    "RestorationSites",
    "select_windows",
    "describe_windows",
    "Window",
    "SITE_COLUMNS",
    "RANK_BY",
    "window_min",
    "disk_footprint",
    "disk_half_widths",
    "disk_offsets",
]
