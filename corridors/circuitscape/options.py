"""Circuitscape's INI options: one table of every known key, its kind and its default.

The table follows Circuitscape.jl 5.x (``src/config.jl``: ``CSConfig`` and ``init_config``) plus
the few keys that Circuitscape 4 (Python) wrote into its INI files. A key that is not in this
table is refused by :func:`corridors.circuitscape.load_config` (Circuitscape silently ignores it),
and a value outside a key's allowed set is refused too (Circuitscape silently falls back, for
example to ``cg+amg`` for an unknown solver name).

Kinds
-----
``bool``
    ``True``/``False`` (also ``true``/``false``, ``1``/``0``, ``yes``/``no``; case-insensitive).
``path``
    A file name; ``None``, an empty value and the GUI placeholders ``(Browse for ...)`` /
    ``(Choose ...)`` mean "not given".
``str``
    Free text.
``int``
    A whole number.
``choice``
    One of a fixed set of spellings (aliases map to one canonical value). ``not entered`` (the
    GUI's placeholder) means the default, except for ``scenario``, which must be given.

``effect`` says what corridors does with a key: ``used``, or ``ignored`` for keys that only tune
Circuitscape's own runtime (logging, threads, memory) and have no effect on results.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Option", "OPTIONS", "CHOICES"]


@dataclass(frozen=True)
class Option:
    """One INI key: its kind, default (as Circuitscape writes it) and whether corridors uses it."""

    kind: str
    default: str
    effect: str = "used"
    doc: str = ""


# Allowed spellings -> canonical value (Circuitscape.jl src/consts.jl and config.jl).
CHOICES: dict[str, dict[str, str]] = {
    "data_type": {"raster": "raster", "network": "network"},
    "scenario": {
        "pairwise": "pairwise",
        "advanced": "advanced",
        "one-to-all": "one-to-all",
        "one_to_all": "one-to-all",
        "all-to-one": "all-to-one",
        "all_to_one": "all-to-one",
    },
    "solver": {
        "cg+amg": "cg+amg",
        "amg+cg": "cg+amg",
        "cholmod": "cholmod",
        "cholesky": "cholmod",
        "cholfact": "cholmod",
        "mklpardiso": "pardiso",
        "pardiso": "pardiso",
        "accelerate": "accelerate",
    },
    "remove_src_or_gnd": {
        "keepall": "keepall",
        "rmvsrc": "rmvsrc",
        "rmvgnd": "rmvgnd",
        "rmvall": "rmvall",
    },
    "precision": {"double": "double", "single": "single"},
    "log_level": {
        "none": "NONE",
        "info": "INFO",
        "debug": "DEBUG",
        "warning": "WARNING",
        "warn": "WARNING",
        "critical": "CRITICAL",
    },
}

_IGN = "ignored"

OPTIONS: dict[str, Option] = {
    # [Circuitscape mode]
    "data_type": Option("choice", "raster", doc="raster or network (graph) input"),
    "scenario": Option("choice", "not entered", doc="pairwise, one-to-all, all-to-one, advanced"),
    "version": Option("str", "unknown", _IGN),
    # [Habitat raster or graph]
    "habitat_file": Option("path", "(Browse for a resistance file)"),
    "habitat_map_is_resistances": Option("bool", "True"),
    # [Connection scheme for raster habitat data]
    "connect_four_neighbors_only": Option("bool", "False"),
    "connect_using_avg_resistances": Option("bool", "False"),
    # [Short circuit regions (aka polygons)]
    "use_polygons": Option("bool", "False"),
    "polygon_file": Option("path", "(Browse for a short-circuit region file)"),
    # [Options for advanced mode]
    "source_file": Option("path", "(Browse for a current source file)"),
    "ground_file": Option("path", "(Browse for a ground point file)"),
    "ground_file_is_resistances": Option("bool", "True"),
    "use_unit_currents": Option("bool", "False"),
    "use_direct_grounds": Option("bool", "False"),
    "remove_src_or_gnd": Option("choice", "keepall"),
    # [Mask file]
    "use_mask": Option("bool", "False"),
    "mask_file": Option("path", "None"),
    # [Calculation options]
    "solver": Option("choice", "cg+amg"),
    "precision": Option("choice", "Double"),
    "low_memory_mode": Option("bool", "False", _IGN),
    "preemptive_memory_release": Option("bool", "False", _IGN),
    "parallelize": Option("bool", "False", _IGN),
    "max_parallel": Option("int", "0", _IGN),
    "print_timings": Option("bool", "False", _IGN),
    "print_rusages": Option("bool", "False", _IGN),
    "use_64bit_indexing": Option("bool", "true", _IGN),
    "cholmod_batch_size": Option("int", "1000", _IGN),
    # [Options for one-to-all and all-to-one modes]
    "use_variable_source_strengths": Option("bool", "False"),
    "variable_source_file": Option("path", "None"),
    # [Options for pairwise and one-to-all and all-to-one modes]
    "use_included_pairs": Option("bool", "False"),
    "included_pairs_file": Option(
        "path", "(Browse for a file with pairs to include or exclude)"
    ),
    "point_file": Option("path", "(Browse for file with locations of focal points or regions)"),
    # Circuitscape 4 only: told v4 the point file held regions; regions are detected from
    # repeated ids, as Circuitscape.jl does.
    "point_file_contains_polygons": Option("bool", "False", _IGN),
    # [Options for reclassification of habitat data]
    "use_reclass_table": Option("bool", "False"),
    "reclass_file": Option("path", "(Browse for file with reclassification data)"),
    # [Output options]
    "output_file": Option("path", "(Choose a base name for output files)"),
    "write_cur_maps": Option("bool", "False"),
    "write_volt_maps": Option("bool", "False"),
    "write_cum_cur_map_only": Option("bool", "False"),
    "write_max_cur_maps": Option("bool", "False"),
    "set_null_currents_to_nodata": Option("bool", "False"),
    "set_null_voltages_to_nodata": Option("bool", "False"),
    "set_focal_node_currents_to_zero": Option("bool", "False"),
    # Circuitscape.jl 5.x ignores compress_grids (mgVerify7 asks for it and expects a plain .asc).
    "compress_grids": Option("bool", "False", _IGN),
    "log_transform_maps": Option("bool", "False"),
    "write_as_tif": Option("bool", "false"),
    # logging
    "log_file": Option("path", "None", _IGN),
    "log_level": Option("choice", "INFO", _IGN),
    "profiler_log_file": Option("path", "None", _IGN),
    "screenprint_log": Option("bool", "False", _IGN),
    "suppress_messages": Option("bool", "false", _IGN),
}
