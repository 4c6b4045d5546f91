"""Least-cost core: cost distance, least-cost paths, corridors and the linkage network.

Cost rule everywhere: a step between neighbouring cells costs the mean of their resistances times
the step length (diagonal = cell size x sqrt(2)), as scikit-image's ``MCP_Geometric`` and ArcGIS.
"""

from .corridor import corridor_mosaic, least_cost_corridor
from .costdistance import BACKLINK_OFFSETS, CostDistanceResult, cost_distance
from .linkage import LinkageNetwork, linkage_network
from .paths import LeastCostPath, NoPathError, least_cost_path, trace_path

__all__ = [
    "cost_distance",
    "CostDistanceResult",
    "BACKLINK_OFFSETS",
    "least_cost_path",
    "LeastCostPath",
    "NoPathError",
    "trace_path",
    "least_cost_corridor",
    "corridor_mosaic",
    "linkage_network",
    "LinkageNetwork",
]
