"""INI parsing: typed values, Circuitscape defaults, refusals with the key, value and fix."""

from pathlib import Path

import pytest

from corridors.circuitscape import config_from_dict, load_config, parse_ini
from corridors.circuitscape.options import OPTIONS
from corridors.errors import ConfigError

MINIMAL = {
    "data_type": "raster",
    "scenario": "pairwise",
    "habitat_file": "hab.asc",
    "point_file": "pts.txt",
    "output_file": "out/job.out",
}


def _write(tmp_path, lines, name="job.ini") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def test_sections_ignored_and_types(tmp_path):
    ini = _write(tmp_path, [
        "[Circuitscape mode]", "data_type = raster", "scenario = one_to_all",
        "[Habitat raster or graph]", "habitat_file = maps/hab.asc", "habitat_map_is_resistances = false",
        "# a comment", "; another", "",
        "[x]", "point_file = pts.txt", "output_file = out/job.out", "solver = cholesky",
        "max_parallel = 4", "use_polygons = True", "polygon_file = (Browse for a short-circuit region file)",
        "use_mask = False", "mask_file = None",
    ])
    with pytest.raises(ConfigError, match="use_polygons = True needs 'polygon_file'"):
        load_config(ini, base_dir=tmp_path)
    ini = _write(tmp_path, ini.read_text().replace("use_polygons = True", "use_polygons = False").splitlines())
    cfg = load_config(ini, base_dir=tmp_path)
    assert cfg.scenario == "one-to-all"          # alias -> canonical
    assert cfg.solver == "cholmod"               # cholesky is Circuitscape's alias of cholmod
    assert cfg.habitat_map_is_resistances is False
    assert cfg.habitat_file == tmp_path / "maps/hab.asc"
    assert cfg.polygon_file is None and cfg.mask_file is None  # placeholders and None unset
    assert cfg.output_prefix == tmp_path / "out" / "job"
    assert cfg.raw["max_parallel"] == "4"
    # defaults are Circuitscape.jl's
    assert cfg.connect_four_neighbors_only is False and cfg.connect_using_avg_resistances is False
    assert cfg.ground_file_is_resistances is True


def test_relative_paths_default_to_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config_from_dict(MINIMAL)
    assert cfg.habitat_file == tmp_path / "hab.asc"


@pytest.mark.parametrize(
    "key,value,match",
    [
        ("solver", "wrong_solver_name", r"solver = 'wrong_solver_name' is not allowed; use one of: cg\+amg"),
        ("scenario", "pairwize", "scenario = 'pairwize' is not allowed"),
        ("data_type", "vector", "data_type = 'vector' is not allowed; use one of: raster, network"),
        ("use_mask", "maybe", "use_mask = 'maybe' is not a boolean"),
        ("max_parallel", "four", "max_parallel = 'four' is not a whole number"),
        ("remove_src_or_gnd", "drop", "remove_src_or_gnd = 'drop' is not allowed"),
        ("habitat_map_is_resistances", "not entered", "Circuitscape 3's placeholder"),
    ],
)
def test_bad_values_refused(key, value, match, tmp_path):
    with pytest.raises(ConfigError, match=match):
        config_from_dict({**MINIMAL, key: value}, base_dir=tmp_path)


def test_unknown_key_warns_with_suggestion_and_strict_refuses(caplog, tmp_path):
    with caplog.at_level("WARNING", logger="corridors.circuitscape"):
        cfg = config_from_dict({**MINIMAL, "habitat_fil": "x"}, base_dir=tmp_path)
    assert len(cfg.warnings) == 1
    assert "unknown Circuitscape option 'habitat_fil' (did you mean 'habitat_file'?)" in cfg.warnings[0]
    assert "habitat_fil" in caplog.text and "habitat_fil" not in cfg.raw
    with pytest.raises(ConfigError, match=r"unknown Circuitscape option 'habitat_fil' \(did you mean 'habitat_file'\?\)"):
        config_from_dict({**MINIMAL, "habitat_fil": "x"}, base_dir=tmp_path, strict=True)
    with pytest.raises(ConfigError, match=r"options 'zzz_key', 'write_cur_map' \(did you mean 'write_cur_maps'\?\)"):
        config_from_dict({**MINIMAL, "zzz_key": "1", "write_cur_map": "1"}, base_dir=tmp_path, strict=True)


OLD_KEYS = {  # as Circuitscape 3 / 4 GUIs and BigTests' INIs write them
    "inputdir": "False", "print_timings": "True", "compress_grids": "False",
    "point_file_contains_polygons": "False", "max_parallel": "0", "low_memory_mode": "False",
    "screenprint_log": "False", "profiler_log_file": "None", "log_level": "WARN",
    "meta_parallelize": "False", "index_precision": "Int32", "cholmod_batch_size": "1000",
    "precision": "single", "version": "4.0.5", "source_file": "(Browse for a current source file)",
}


def test_old_version_keys_accepted_with_one_warning_line(tmp_path):
    cfg = config_from_dict({**MINIMAL, **OLD_KEYS}, base_dir=tmp_path, strict=True)
    assert len(cfg.warnings) == 1
    line = cfg.warnings[0]
    assert "\n" not in line
    for k in ("inputdir", "compress_grids", "point_file_contains_polygons", "max_parallel",
              "index_precision", "precision = single (solved in double precision)"):
        assert k in line
    # used or informational keys are not listed as ignored
    assert "print_timings" not in line and "version" not in line and "source_file" not in line
    assert cfg.print_timings is True and cfg.precision == "double" and cfg.source_file is None
    # nothing to report for a plain Circuitscape 5 INI
    assert config_from_dict(MINIMAL, base_dir=tmp_path).warnings == ()


def test_every_option_documented():
    for key, opt in OPTIONS.items():
        assert opt.effect in ("used", "ignored", "info"), key
        if opt.effect == "ignored":
            assert opt.doc, f"{key}: an ignored option says why ignoring cannot change a result"


def test_required_keys(tmp_path):
    d = dict(MINIMAL)
    del d["scenario"]
    with pytest.raises(ConfigError, match="'scenario' is missing"):
        config_from_dict(d, base_dir=tmp_path)
    d = dict(MINIMAL, scenario="advanced")
    with pytest.raises(ConfigError, match="advanced mode needs 'source_file'"):
        config_from_dict(d, base_dir=tmp_path)
    d = dict(MINIMAL, data_type="network", scenario="one-to-all")
    with pytest.raises(ConfigError, match="not available for data_type = network"):
        config_from_dict(d, base_dir=tmp_path)
    d = dict(MINIMAL)
    del d["output_file"]
    with pytest.raises(ConfigError, match="'output_file' is required"):
        config_from_dict(d, base_dir=tmp_path)


def test_parse_ini_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        parse_ini(tmp_path / "missing.ini")
    bad = _write(tmp_path, ["data_type raster"])
    with pytest.raises(ConfigError, match="line 1: expected 'key = value'"):
        parse_ini(bad)
    dup = _write(tmp_path, ["solver = cholmod", "[s]", "solver = cg+amg"])
    with pytest.raises(ConfigError, match="'solver' is set twice with different values"):
        parse_ini(dup)
    same = _write(tmp_path, ["solver = cholmod", "[s]", "solver = cholmod"])
    assert parse_ini(same) == {"solver": "cholmod"}


def test_options_table_has_every_key_of_the_reference_inis():
    # every key used by the Circuitscape.jl / Python 4 INIs of the reference set, by name
    keys = {
        "write_volt_maps", "write_cur_maps", "write_cum_cur_map_only", "use_unit_currents",
        "use_direct_grounds", "source_file", "solver", "scenario", "remove_src_or_gnd",
        "print_timings", "output_file", "log_transform_maps", "habitat_map_is_resistances",
        "habitat_file", "ground_file_is_resistances", "ground_file", "connect_using_avg_resistances",
        "connect_four_neighbors_only", "compress_grids", "use_polygons", "polygon_file", "point_file",
        "set_null_voltages_to_nodata", "set_null_currents_to_nodata", "low_memory_mode",
        "variable_source_file", "use_variable_source_strengths", "use_mask", "use_included_pairs",
        "mask_file", "included_pairs_file", "write_max_cur_maps", "version", "data_type",
        "parallelize", "set_focal_node_currents_to_zero", "print_rusages", "preemptive_memory_release",
        "use_reclass_table", "reclass_file", "screenprint_log", "profiler_log_file", "log_level",
        "log_file", "max_parallel", "point_file_contains_polygons", "use_64bit_indexing",
        # Circuitscape 3 GUI / early Circuitscape.jl 5 / Circuitscape.jl 5.x
        "inputdir", "meta_parallelize", "index_precision", "cholmod_batch_size", "write_as_tif",
        "precision", "suppress_messages",
    }
    assert keys <= set(OPTIONS)
