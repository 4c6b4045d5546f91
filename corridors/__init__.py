"""corridors: find, measure and rank wildlife corridors between protected areas.

The public API is gathered here and imported lazily (numba kernels and geopandas load only when a
name that needs them is first used); each name lives in a module with one job.
"""

from __future__ import annotations

import importlib

from ._version import __version__
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _error_names

__corridors_package__ = True

# public name -> module that defines it
_LAZY = {
    # least-cost core
    "cost_distance": "corridors.leastcost",
    "CostDistanceResult": "corridors.leastcost",
    "least_cost_path": "corridors.leastcost",
    "LeastCostPath": "corridors.leastcost",
    "NoPathError": "corridors.leastcost",
    "trace_path": "corridors.leastcost",
    "least_cost_corridor": "corridors.leastcost",
    "corridor_mosaic": "corridors.leastcost",
    "linkage_network": "corridors.leastcost",
    "LinkageNetwork": "corridors.leastcost",
    # restoration: barrier analysis (McRae et al. 2012)
    "barrier_improvement": "corridors.restoration",
    "barrier_analysis": "corridors.restoration",
    "barrier_network": "corridors.restoration",
    "restoration_sites": "corridors.restoration",
    # circuit core
    "effective_resistance": "corridors.circuit",
    # main job
    "Scenario": "corridors.scenario",
    "run_scenario": "corridors.pipeline",
}
_SUBMODULES = {"datasets", "circuit", "leastcost", "circuitscape", "pipeline", "scenario",
               "restoration", "graphs", "flyway", "evidence"}

__all__ = ["__version__", *_error_names, *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'corridors' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
