"""Circuitscape compatibility: run Circuitscape INI jobs and write Circuitscape's outputs.

>>> from corridors.circuitscape import load_config, run
>>> summary = run(load_config("job.ini"))          # doctest: +SKIP

* :func:`load_config` parses an INI into a typed :class:`CircuitscapeConfig` (unknown keys and
  bad values are errors; relative paths resolve against the current directory or ``base_dir``).
* :func:`run` dispatches on ``data_type`` (raster / network) and ``scenario`` (pairwise,
  one-to-all, all-to-one, advanced) and writes Circuitscape's files (``_resistances.out``, maps).
* :mod:`.readers` / :mod:`.writers` hold the text formats; :data:`.options.OPTIONS` the table of
  every Circuitscape option and its default.
"""

from .config import CircuitscapeConfig, config_from_dict, load_config, parse_ini
from .options import OPTIONS
from .readers import (
    IncludedPairs,
    read_focal_list,
    read_graph,
    read_included_pairs,
    read_node_list,
    read_node_values,
    read_source_strengths,
)
from .runner import RunSummary, run

__all__ = [
    "CircuitscapeConfig",
    "load_config",
    "parse_ini",
    "config_from_dict",
    "OPTIONS",
    "run",
    "RunSummary",
    "IncludedPairs",
    "read_focal_list",
    "read_included_pairs",
    "read_source_strengths",
    "read_graph",
    "read_node_list",
    "read_node_values",
]
