"""Scenarios: typed, validated descriptions of one corridor analysis (TOML or Python).

A scenario file looks like ``examples/new_road.toml``; every key, its default and allowed values
are declared once, in :mod:`corridors.scenario._schema`.
"""

from ._schema import (
    AreaEdit,
    BorderFenceEdit,
    CrossingEdit,
    ExtraLayer,
    Inputs,
    LineEdit,
    Outputs,
    Parameters,
    Ranking,
    RankingWeights,
    ReserveEdit,
    Restoration,
    Species,
)
from ._scenario import Edit, Scenario
from ._uncertainty import ClassFactors, Uncertainty

__all__ = [
    "Scenario",
    "Edit",
    "Inputs",
    "ExtraLayer",
    "Species",
    "Parameters",
    "Ranking",
    "RankingWeights",
    "Restoration",
    "Outputs",
    "LineEdit",
    "AreaEdit",
    "ReserveEdit",
    "BorderFenceEdit",
    "CrossingEdit",
    "Uncertainty",
    "ClassFactors",
]
