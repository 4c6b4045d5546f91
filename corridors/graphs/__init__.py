"""Graph connectivity indices on any node/edge set: PC, EC/ECA, IIC, dPC, link importance, ProtConn.

Nodes are habitat patches or protected areas with an attribute (area); links carry a distance
(edge-to-edge Euclidean or least-cost, in the unit of the dispersal distance). Usable from Python
without the pipeline:

>>> from corridors import graphs
>>> r = graphs.pc(areas, distances, median_dispersal=20_000, landscape_area=region_m2)
>>> r.pc, r.eca, r.dpc, r.link_importance(0, 3)
>>> graphs.protconn(pas, region, median_dispersal=20_000, transboundary=100_000)
"""

from ._graph import DEFAULT_MIN_PROBABILITY, NodeGraph, decay_rate
from .current_flow import current_flow_betweenness
from .integral import iic
from .probability import DPC_COLUMNS, LINK_COLUMNS, PCResult, pc
from .protected_connected import PROTCONN_FIELDS, protconn, protconn_by_country

__all__ = [
    "pc",
    "PCResult",
    "DPC_COLUMNS",
    "LINK_COLUMNS",
    "iic",
    "current_flow_betweenness",
    "decay_rate",
    "NodeGraph",
    "DEFAULT_MIN_PROBABILITY",
    "protconn",
    "protconn_by_country",
    "PROTCONN_FIELDS",
]
