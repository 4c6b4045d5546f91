"""How a raster becomes a graph: the options shared by the least-cost and circuit cores.

The allowed values are defined here once; the scenario schema, the circuit core and the
Circuitscape reader import them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError

__all__ = ["NEIGHBOURS", "AVERAGES", "SOLVERS", "GraphOptions"]

#: grid connectivity: rook (4) or queen (8) neighbours
NEIGHBOURS = (4, 8)
#: how an edge's conductance is formed from its two cells (Circuitscape's ``connect_using_avg_resistances``)
AVERAGES = ("conductance", "resistance")
#: circuit solvers (see :mod:`corridors.circuit.solvers`); "auto" picks by estimated memory
SOLVERS = ("auto", "cholmod", "cholespy", "pardiso", "splu", "cg+amg")


@dataclass(frozen=True)
class GraphOptions:
    """Validated graph options, passed down as one value.

    Parameters
    ----------
    neighbours : {4, 8}
        Cells connect to their 4 or 8 neighbours; diagonal steps are sqrt(2) cell sizes long.
    average : {"conductance", "resistance"}
        Edge conductance as the mean of the two cells' conductances, or the inverse of the mean
        of their resistances (Circuitscape's two rules).
    solver : str
        One of :data:`SOLVERS`.
    """

    neighbours: int = 8
    average: str = "conductance"
    solver: str = "auto"

    def __post_init__(self) -> None:
        if isinstance(self.neighbours, bool) or self.neighbours not in NEIGHBOURS:
            raise ConfigError(f"neighbours: got {self.neighbours!r}; expected one of {', '.join(map(str, NEIGHBOURS))}")
        if self.average not in AVERAGES:
            raise ConfigError(f"average: got {self.average!r}; expected one of {', '.join(map(repr, AVERAGES))}")
        if self.solver not in SOLVERS:
            raise ConfigError(f"solver: got {self.solver!r}; expected one of {', '.join(map(repr, SOLVERS))}")
