"""The stages of the main job, in the order :func:`corridors.pipeline.run._run` runs them (a
flyway run, for a bird profile with a ``[flyway]`` table: inputs, then :func:`build_flyway`).

Each module is one step: a function from typed inputs to a typed result, usable and testable on
its own from Python.
"""

from .adjoining import Adjoining, assess_adjoining
from .border_accounting import BorderAccount, account_borders
from .circuits import CircuitSet, solve_circuits
from .connectivity import Connectivity, network_connectivity
from .corridors import CorridorSet, build_corridors
from .flyway import Flyway, build_flyway, check_flyway_scenario, is_flyway_profile
from .countries import summarise_countries
from .gaps import Gaps, find_gaps
from .inputs import RunInputs, load_inputs
from .links import LinkSet, find_links
from .nodes import NodeSet, build_nodes
from .pinch_points import PinchPoints, find_pinch_points
from .pressure import corridor_pressure
from .ranking import domestic_links, rank_corridors
from .resistance import Resistance, build_resistance
from .restoration import Restoration, find_restoration_sites

__all__ = [
    "load_inputs", "RunInputs",
    "build_resistance", "Resistance",
    "build_nodes", "NodeSet",
    "find_links", "LinkSet",
    "build_corridors", "CorridorSet",
    "solve_circuits", "CircuitSet",
    "assess_adjoining", "Adjoining",
    "network_connectivity", "Connectivity",
    "corridor_pressure",
    "rank_corridors", "domestic_links",
    "find_pinch_points", "PinchPoints",
    "account_borders", "BorderAccount",
    "find_gaps", "Gaps",
    "find_restoration_sites", "Restoration",
    "summarise_countries",
    "build_flyway", "Flyway", "check_flyway_scenario", "is_flyway_profile",
]
