"""Parse a Circuitscape INI file into a typed :class:`CircuitscapeConfig`.

Circuitscape reads its INI loosely: section headers are ignored and every ``key = value`` line
sets a global key. We read it the same way (so every Circuitscape INI, including ones with
repeated sections, parses). Old INI files run unchanged: every option of Circuitscape 3.5, 4 and
5 is known (:data:`~corridors.circuitscape.options.OPTIONS`); those corridors does not act on are
listed in one warning line. A key no Circuitscape knows is a warning with a "did you mean"
(``strict=True``: an error). A bad value, or a value that asks for something corridors cannot do
and that would change a result, is a :class:`~corridors.errors.ConfigError` that names the key,
the value and the fix.

Relative paths
--------------
Circuitscape opens relative paths against the **current working directory** (its reference INIs
say ``habitat_file = input/raster/pairwise/1/cellmap.asc`` and are run from the Circuitscape.jl
folder). :func:`load_config` does the same by default and takes ``base_dir`` to resolve them
against another folder (the CLI's ``--base-dir``). Nothing is guessed: a missing file is reported
with the folder it was looked for in.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..errors import ConfigError
from .options import CHOICES, OPTIONS, ignored_keys_message

log = logging.getLogger(__name__)

__all__ = ["CircuitscapeConfig", "load_config", "parse_ini", "config_from_dict"]

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_UNSET = {"", "none"}


@dataclass(frozen=True)
class CircuitscapeConfig:
    """A Circuitscape job, typed. Field names are Circuitscape's INI keys.

    Paths are absolute :class:`pathlib.Path` objects or ``None`` when not given. ``solver`` is
    the canonical Circuitscape name (``cg+amg``, ``cholmod``, ``pardiso``, ``accelerate``).
    ``source`` is the INI path (``None`` for a config built from a dict); ``raw`` keeps every key
    as read, after defaults, for the record written next to the outputs; ``warnings`` holds the
    warning lines the config gave (also logged on the ``corridors.circuitscape`` logger).
    """

    data_type: str
    scenario: str
    habitat_file: Path
    habitat_map_is_resistances: bool
    output_file: Path
    connect_four_neighbors_only: bool = False
    connect_using_avg_resistances: bool = False
    use_polygons: bool = False
    polygon_file: Path | None = None
    point_file: Path | None = None
    use_included_pairs: bool = False
    included_pairs_file: Path | None = None
    use_variable_source_strengths: bool = False
    variable_source_file: Path | None = None
    use_mask: bool = False
    mask_file: Path | None = None
    source_file: Path | None = None
    ground_file: Path | None = None
    ground_file_is_resistances: bool = True
    use_unit_currents: bool = False
    use_direct_grounds: bool = False
    remove_src_or_gnd: str = "keepall"
    use_reclass_table: bool = False
    reclass_file: Path | None = None
    solver: str = "cg+amg"
    precision: str = "double"
    write_cur_maps: bool = False
    write_volt_maps: bool = False
    write_cum_cur_map_only: bool = False
    write_max_cur_maps: bool = False
    set_null_currents_to_nodata: bool = False
    set_null_voltages_to_nodata: bool = False
    set_focal_node_currents_to_zero: bool = False
    log_transform_maps: bool = False
    write_as_tif: bool = False
    print_timings: bool = False
    source: Path | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    warnings: tuple = field(default=(), repr=False, compare=False)

    @property
    def output_prefix(self) -> Path:
        """``output_file`` without a trailing ``.out`` (or ``.tif`` / ``.tiff``, which ask for
        GeoTIFF maps): every output name starts with it."""
        p = self.output_file
        for ext in (".out", ".tiff", ".tif"):
            if p.name.lower().endswith(ext):
                return p.with_name(p.name[: -len(ext)])
        return p

    @property
    def maps_as_tif(self) -> bool:
        """Write maps as GeoTIFF: ``write_as_tif = True`` or an ``output_file`` ending in .tif."""
        return self.write_as_tif or self.output_file.suffix.lower() in (".tif", ".tiff")

    @property
    def is_network(self) -> bool:
        return self.data_type == "network"


def parse_ini(path) -> dict[str, str]:
    """Read ``key = value`` lines of a Circuitscape INI (sections ignored) into a dict.

    Blank lines and lines starting with ``#`` or ``;`` are comments. A key given twice with two
    different values is an error (Circuitscape keeps the last silently).

    Raises
    ------
    ConfigError
        The file is missing, a line has no ``=``, or a key repeats with another value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"Circuitscape config file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at offset "
                          f"{exc.start}); re-save the INI as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read Circuitscape config {path}: {exc}") from exc
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s[0] in "#;[":
            continue
        if "=" not in s:
            raise ConfigError(
                f"{path}, line {lineno}: expected 'key = value', got {s!r}"
            )
        key, value = s.split("=", 1)
        key, value = key.strip(), value.strip()
        if key in out and out[key] != value:
            raise ConfigError(
                f"{path}: {key!r} is set twice with different values ({out[key]!r} on line "
                f"{lines[key]}, {value!r} on line {lineno}); keep one"
            )
        out[key], lines[key] = value, lineno
    return out


def load_config(path, *, base_dir=None, strict: bool = False) -> CircuitscapeConfig:
    """Parse and validate a Circuitscape INI file.

    Parameters
    ----------
    path : str or path-like
        The INI file.
    base_dir : str or path-like, optional
        Folder that relative paths in the INI are resolved against. Default: the current working
        directory, as Circuitscape does.
    strict : bool
        Refuse keys that no Circuitscape version knows (default: warn and ignore them, as
        Circuitscape does, with a "did you mean").

    Returns
    -------
    CircuitscapeConfig

    Raises
    ------
    ConfigError
        Bad value, missing required key, a value corridors cannot honour (the message says why),
        or (``strict``) an unknown key.
    """
    path = Path(path)
    cfg = config_from_dict(parse_ini(path), base_dir=base_dir, source=str(path), strict=strict)
    return cfg


def _bool(key: str, value: str, where: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    if v == "not entered":
        if OPTIONS[key].effect != "used":
            return _bool(key, OPTIONS[key].default, where)
        # Circuitscape 3 wrote this placeholder and refused to run until it was chosen; either
        # guess would change the result
        raise ConfigError(
            f"{where}: {key} = not entered (Circuitscape 3's placeholder): the choice changes "
            f"the result; set {key} = True or False"
        )
    raise ConfigError(f"{where}: {key} = {value!r} is not a boolean; use True or False")


def _choice(key: str, value: str, where: str) -> str:
    table = CHOICES[key]
    v = value.strip().lower()
    if v in table:
        return table[v]
    allowed = ", ".join(dict.fromkeys(table))
    raise ConfigError(f"{where}: {key} = {value!r} is not allowed; use one of: {allowed}")


def _is_unset_path(value: str) -> bool:
    v = value.strip()
    return v.lower() in _UNSET or (v.startswith("(") and v.endswith(")"))


_NEEDS = {
    "use_polygons": "polygon_file",
    "use_mask": "mask_file",
    "use_included_pairs": "included_pairs_file",
    "use_variable_source_strengths": "variable_source_file",
    "use_reclass_table": "reclass_file",
}


def _check_required(typed: dict, where: str) -> None:
    """Refuse a config whose mode or switches need a file that is not given."""
    scenario, network = typed["scenario"], typed["data_type"] == "network"
    if scenario == "advanced":
        for key in ("source_file", "ground_file"):
            if typed[key] is None:
                raise ConfigError(f"{where}: advanced mode needs {key!r}; give a file name")
    elif typed["point_file"] is None:
        raise ConfigError(f"{where}: {scenario} mode needs 'point_file' (the focal nodes)")
    if network and scenario in ("one-to-all", "all-to-one"):
        raise ConfigError(
            f"{where}: scenario = {scenario} is not available for data_type = network "
            "(Circuitscape.jl runs network graphs in pairwise or advanced mode only)"
        )
    for switch, key in _NEEDS.items():
        if typed[switch] and typed[key] is None:
            raise ConfigError(f"{where}: {switch} = True needs {key!r}; give a file name")


def _unknown_message(where: str, unknown: list) -> str:
    parts = []
    for k in unknown:
        close = difflib.get_close_matches(k, OPTIONS, n=1)
        parts.append(f"{k!r} (did you mean {close[0]!r}?)" if close else repr(k))
    return (f"{where}: unknown Circuitscape option{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(parts)}: no Circuitscape version knows "
            f"{'them' if len(unknown) > 1 else 'it'} (list: corridors.circuitscape.options.OPTIONS)")


def config_from_dict(values: dict, *, base_dir=None, source=None, strict: bool = False) -> CircuitscapeConfig:
    """Build a :class:`CircuitscapeConfig` from Circuitscape ``key -> str`` pairs.

    Missing keys take Circuitscape's defaults (:data:`~corridors.circuitscape.options.OPTIONS`).
    Same arguments and errors as :func:`load_config`.
    """
    where = str(source) if source is not None else "Circuitscape config"
    notes = []
    unknown = [k for k in values if k not in OPTIONS]
    if unknown:
        msg = _unknown_message(where, unknown)
        if strict:
            raise ConfigError(msg + "; fix or remove the line (or run without --strict to ignore it)")
        notes.append(msg + "; ignored")
    ignored = ignored_keys_message(values)
    if ignored:
        notes.append(f"{where}: {ignored}")
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    raw = {k: opt.default for k, opt in OPTIONS.items()}
    raw.update({k: str(v) for k, v in values.items() if k in OPTIONS})

    typed: dict = {}
    for key, opt in OPTIONS.items():
        value = raw[key]
        if opt.kind == "bool":
            typed[key] = _bool(key, value, where)
        elif opt.kind == "int":
            try:
                typed[key] = int(value)
            except ValueError:
                raise ConfigError(f"{where}: {key} = {value!r} is not a whole number") from None
        elif opt.kind == "choice":
            if key == "scenario" and value == "not entered":
                raise ConfigError(
                    f"{where}: 'scenario' is missing; set scenario = pairwise, one-to-all, "
                    "all-to-one or advanced"
                )
            if value.strip().lower() == "not entered":  # Circuitscape's GUI placeholder
                value = opt.default
            typed[key] = _choice(key, value, where)
        elif opt.kind == "path":
            typed[key] = None if _is_unset_path(value) else (base / value.strip())
        else:
            typed[key] = value

    for key in ("habitat_file", "output_file"):
        if typed[key] is None:
            raise ConfigError(f"{where}: {key!r} is required; give a file name")
    _check_required(typed, where)
    typed["precision"] = "double"  # single only approximates the double solve (see OPTIONS)

    names = {f.name for f in fields(CircuitscapeConfig)}
    kwargs = {k: v for k, v in typed.items() if k in names}
    for line in notes:
        log.warning("%s", line)
    return CircuitscapeConfig(
        **kwargs, source=Path(source) if source is not None else None, raw=raw,
        warnings=tuple(notes),
    )
