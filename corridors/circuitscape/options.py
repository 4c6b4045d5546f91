"""Circuitscape's INI options: one table of every key any Circuitscape version knew.

Sources (read, not copied): Circuitscape.jl 5.x ``src/config.jl`` (``CSConfig``,
``init_config``) and its history (``max_parallel``, ``meta_parallelize``, ``index_precision``
of early 5.x); Circuitscape 4 (Python) ``circuitscape/cfg.py`` ``CSConfig.DEFAULTS`` and the 3.x
``cs_cfg.py`` / GUI that wrote ``point_file_contains_polygons`` and ``"not entered"`` defaults;
the INIs of Circuitscape's BigTests (``inputdir``, written by the 3.x GUI).

``effect`` says what corridors does with a key:

``used``
    Implemented with Circuitscape's meaning.
``ignored``
    Not implemented, and ignoring it cannot change a result: it only tunes Circuitscape's own
    runtime (threads, memory, logging, index width, batching) or names GUI state. A run lists
    the ignored keys its INI sets in one warning line (:func:`ignored_keys_message`).
``info``
    Metadata (``version``); never reported.

A key whose value asks for something that would change a result and that corridors cannot do
is refused with the reason (see :mod:`.config`); a key in no version of Circuitscape is a
warning with a "did you mean" (an error with ``strict=True``, CLI ``--strict``).

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
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Option", "OPTIONS", "CHOICES", "ignored_keys_message"]


@dataclass(frozen=True)
class Option:
    """One INI key: its kind, default (as Circuitscape writes it), what corridors does with it,
    the Circuitscape versions that know it and, for ignored keys, why ignoring is safe."""

    kind: str
    default: str
    effect: str = "used"
    doc: str = ""
    versions: str = "3-5"


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
    # Circuitscape.jl 5.0-5.5 ("Int32" / "Int64"); runtime only
    "index_precision": {"int32": "int32", "int64": "int64"},
    "log_level": {
        "none": "NONE",
        "info": "INFO",
        "debug": "DEBUG",
        "warning": "WARNING",
        "warn": "WARNING",
        "critical": "CRITICAL",
        "error": "ERROR",
        "fatal": "CRITICAL",
    },
}

_IGN = "ignored"
_RUNTIME = "tunes Circuitscape's runtime (threads, memory, batching) only"
_LOG = "Circuitscape's own logging (corridors logs with -v / -q)"

OPTIONS: dict[str, Option] = {
    # [Circuitscape mode]
    "data_type": Option("choice", "raster", doc="raster or network (graph) input"),
    "scenario": Option("choice", "not entered", doc="pairwise, one-to-all, all-to-one, advanced"),
    "version": Option("str", "unknown", "info", "the Circuitscape version that wrote the INI"),
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
    # single precision only makes Circuitscape's solve less exact; corridors always solves in
    # double, so results are the ones single precision approximates
    "precision": Option("choice", "Double", doc="corridors solves in double precision"),
    "low_memory_mode": Option("bool", "False", _IGN, _RUNTIME),
    "preemptive_memory_release": Option("bool", "False", _IGN, _RUNTIME),
    "parallelize": Option("bool", "False", _IGN, _RUNTIME),
    "max_parallel": Option("int", "0", _IGN, _RUNTIME, "4-5.5"),
    "meta_parallelize": Option("bool", "False", _IGN, _RUNTIME, "5.0-5.5"),
    "index_precision": Option("choice", "Int64", _IGN, _RUNTIME, "5.0-5.5"),
    "use_64bit_indexing": Option("bool", "true", _IGN, _RUNTIME, "5"),
    "cholmod_batch_size": Option("int", "1000", _IGN, _RUNTIME, "5"),
    "print_timings": Option("bool", "False", doc="print the time of each stage"),
    "print_rusages": Option("bool", "False", _IGN, "Circuitscape's resource-usage printout", "4-5"),
    # [Options for one-to-all and all-to-one modes]
    "use_variable_source_strengths": Option("bool", "False"),
    "variable_source_file": Option("path", "None"),
    # [Options for pairwise and one-to-all and all-to-one modes]
    "use_included_pairs": Option("bool", "False"),
    "included_pairs_file": Option(
        "path", "(Browse for a file with pairs to include or exclude)"
    ),
    "point_file": Option("path", "(Browse for file with locations of focal points or regions)"),
    # Circuitscape 3 refused repeated ids unless this was True; 4 and 5 detect regions from
    # repeated ids, as corridors does, so the value cannot change a result
    "point_file_contains_polygons": Option(
        "bool", "False", _IGN, "focal regions are detected from repeated ids (as Circuitscape 4-5)", "3-4"
    ),
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
    # Circuitscape.jl 5.x ignores it too (mgVerify7 asks for it and expects a plain .asc)
    "compress_grids": Option("bool", "False", _IGN, "maps are written uncompressed, as Circuitscape 5"),
    "log_transform_maps": Option("bool", "False"),
    "write_as_tif": Option("bool", "false", versions="5"),
    # [Logging options]
    "log_file": Option("path", "None", _IGN, _LOG),
    "log_level": Option("choice", "INFO", _IGN, _LOG),
    "profiler_log_file": Option("path", "None", _IGN, _LOG, "4-5"),
    "screenprint_log": Option("bool", "False", _IGN, _LOG, "4-5"),
    "suppress_messages": Option("bool", "false", _IGN, _LOG, "5"),
    # GUI state of Circuitscape 3 (the folder last browsed; BigTests' 6m and 24m INIs carry it)
    "inputdir": Option("str", "None", _IGN, "the Circuitscape 3 GUI's last folder", "3"),
}


def ignored_keys_message(values: dict) -> str | None:
    """One line naming the options of ``values`` (INI key -> text) that corridors ignores.

    Every option Circuitscape knows but corridors does not act on is listed, whatever its value,
    so a user sees once which lines of an old INI have no effect here; ``precision = single`` is
    listed with the note that the solve is in double precision. None if there is nothing to say.
    """
    items = sorted(k for k in values if k in OPTIONS and OPTIONS[k].effect == _IGN)
    if str(values.get("precision", "double")).strip().lower() == "single":
        items.append("precision = single (solved in double precision)")
    if not items:
        return None
    return ("Circuitscape options ignored (runtime, logging or GUI settings that cannot change "
            "results here): " + ", ".join(items))
