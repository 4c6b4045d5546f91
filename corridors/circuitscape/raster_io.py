"""Run a Circuitscape raster job: read grids and lists, call the raster circuit core, write maps.

Map post-processing follows Circuitscape.jl: with ``set_null_*_to_nodata`` the cells without
habitat (conductance 0 after the mask) are written as -9999; ``log_transform_maps`` writes
``log10`` of each current map (-9999 where the current is 0) and, like Circuitscape, the
cumulative and maximum maps are built from the transformed per-pair maps;
``set_focal_node_currents_to_zero`` zeroes the current on the cells of the focal nodes solved.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..circuit.focal import FocalSet
from ..errors import AlignmentError, ConfigError, DataFormatError
from .readers import (
    cells_from_xy,
    is_text_list,
    read_focal_list,
    read_included_pairs,
    read_source_strengths,
    read_table,
)
from .writers import NODATA, GridMeta, resistances_2col_text
from .writers import resistances_3col_text, resistances_matrix_text

__all__ = ["run_raster", "read_grid", "RasterInputs", "read_inputs"]

log = logging.getLogger(__name__)


def read_grid(path: Path, what: str):
    """Read a raster input (GeoTIFF, .asc, .asc.gz) as a :class:`rasters.Grid`."""
    from rasters.io import read

    if not Path(path).exists():
        raise DataFormatError(f"{what} not found: {path}")
    return read(path, name=str(path))


def _values(grid, template=None, what="grid") -> np.ndarray:
    """Float values with nodata as NaN, checked against the habitat grid's shape."""
    v = grid.masked_float(np.float64)
    if template is not None and v.shape != template.shape:
        raise AlignmentError(
            f"{what} {grid.name} is {v.shape[0]}x{v.shape[1]} cells but the habitat map "
            f"{template.name} is {template.shape[0]}x{template.shape[1]}; give grids of the same size"
        )
    if template is not None and not np.allclose(
        tuple(grid.transform)[:6], tuple(template.transform)[:6], rtol=0, atol=1e-6 * abs(template.transform.a)
    ):
        log.warning("%s %s is not georeferenced like the habitat map %s; cells are matched by position",
                    what, grid.name, template.name)
    return v


class RasterInputs:
    """The inputs of a raster job, read and checked (see :func:`read_inputs`)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _reclass(values: np.ndarray, path: Path) -> np.ndarray:
    table = read_table(path, 2)
    out = values.copy()
    for old, new in table:
        out[values == old] = new
    return out


def _points_from_list(table: np.ndarray, meta: GridMeta, source) -> dict:
    rows, cols = cells_from_xy(
        table[:, 1], table[:, 2], shape=(meta.nrows, meta.ncols), xll=meta.xllcorner,
        yll=meta.yllcorner, cellsize=meta.cellsize, source=source,
    )
    cells: dict = {}
    for ident, r, c in zip(table[:, 0].astype(np.int64), rows, cols):
        cells.setdefault(int(ident), []).append((int(r), int(c)))
    return cells


def _point_values_grid(path: Path, meta: GridMeta, template, what: str, fill: float) -> np.ndarray:
    """A source/ground input as a grid: raster, or text ``value x y`` (values summed per cell)."""
    if is_text_list(path):
        t = read_table(path, 3)
        rows, cols = cells_from_xy(
            t[:, 1], t[:, 2], shape=(meta.nrows, meta.ncols), xll=meta.xllcorner,
            yll=meta.yllcorner, cellsize=meta.cellsize, source=path,
        )
        out = np.full((meta.nrows, meta.ncols), fill)
        out[rows, cols] = 0.0
        np.add.at(out, (rows, cols), t[:, 0])
        return out
    return _values(read_grid(path, what), template, what)


def read_inputs(cfg) -> RasterInputs:
    """Read every raster-job input named by ``cfg`` (habitat, polygons, mask, points, ...)."""
    hab_grid = read_grid(cfg.habitat_file, "habitat_file")
    meta = GridMeta.from_grid(hab_grid)
    hab = hab_grid.masked_float(np.float64)
    # Circuitscape treats -9999 in a habitat map as nodata even when the header declares no
    # NODATA_value (Circuitscape 4's verify/7/cellmap7.asc relies on it)
    hab[hab == NODATA] = np.nan
    if cfg.use_reclass_table:
        hab = _reclass(hab, cfg.reclass_file)
    polygons = mask = None
    if cfg.use_polygons:
        p = _values(read_grid(cfg.polygon_file, "polygon_file"), hab_grid, "polygon_file")
        polygons = np.where(np.isfinite(p), p, 0)
    if cfg.use_mask:
        m = _values(read_grid(cfg.mask_file, "mask_file"), hab_grid, "mask_file")
        mask = np.isfinite(m) & (m > 0)
        if not mask.any():
            raise ConfigError(f"mask_file {cfg.mask_file} removes every cell (no value > 0)")
    # cells Circuitscape writes as nodata with set_null_*_to_nodata: no conductance after the mask
    null = ~np.isfinite(hab) | (hab == 0)
    if mask is not None:
        null |= ~mask
    focal = None
    if cfg.scenario != "advanced":
        if is_text_list(cfg.point_file):
            cells = _points_from_list(read_focal_list(cfg.point_file), meta, cfg.point_file)
            focal = FocalSet.from_cells(cells, hab.shape)
        else:
            pv = _values(read_grid(cfg.point_file, "point_file"), hab_grid, "point_file")
            focal = FocalSet.from_grid(np.where(np.isfinite(pv) & (pv > 0), pv, 0))
        if len(focal) == 0:
            raise ConfigError(f"point_file {cfg.point_file} holds no focal node (ids > 0)")
    include = None
    if cfg.use_included_pairs and cfg.scenario != "advanced":
        pairs = read_included_pairs(cfg.included_pairs_file)
        keep = pairs.keep_ids(focal.ids)
        if not keep:
            raise ConfigError(
                f"included_pairs_file {cfg.included_pairs_file} names none of the focal ids in "
                f"{cfg.point_file}"
            )
        focal = focal.subset(keep)
        include = pairs.included(keep)
    strengths = None
    if cfg.use_variable_source_strengths and cfg.scenario in ("one-to-all", "all-to-one"):
        strengths = read_source_strengths(cfg.variable_source_file)
    sources = grounds = None
    if cfg.scenario == "advanced":
        s = _point_values_grid(cfg.source_file, meta, hab_grid, "source_file", 0.0)
        sources = np.where(np.isfinite(s), s, 0.0)
        grounds = _point_values_grid(cfg.ground_file, meta, hab_grid, "ground_file", np.nan)
    return RasterInputs(
        grid=hab_grid, meta=meta, habitat=hab, polygons=polygons, mask=mask, null=null,
        focal=focal, include=include, strengths=strengths, sources=sources, grounds=grounds,
    )


class _MapWriter:
    """Post-processes and writes maps with Circuitscape's names."""

    def __init__(self, cfg, inp: RasterInputs, sink):
        self.cfg, self.inp, self.sink = cfg, inp, sink

    def current(self, cmap: np.ndarray, focal_ids=()) -> np.ndarray:
        """A per-pair/per-node current map after Circuitscape's per-map processing."""
        c = np.array(cmap, dtype=np.float64)
        if self.cfg.set_focal_node_currents_to_zero:
            for i in focal_ids:
                c.ravel()[self.inp.focal[i]] = 0.0
        if self.cfg.log_transform_maps:
            with np.errstate(divide="ignore", invalid="ignore"):
                c = np.where(c > 0, np.log10(np.where(c > 0, c, 1.0)), float(NODATA))
        if self.cfg.set_null_currents_to_nodata:
            c[self.inp.null] = NODATA
        return c

    def voltage(self, vmap: np.ndarray) -> np.ndarray:
        v = np.array(vmap, dtype=np.float64)
        if self.cfg.set_null_voltages_to_nodata:
            v[self.inp.null] = NODATA
        return v

    def write(self, name: str, values: np.ndarray) -> None:
        """Queue a map for the sink's writer threads (``values`` must not change afterwards)."""
        if self.cfg.maps_as_tif:
            grid = self.inp.grid.with_values(np.asarray(values, np.float64), nodata=float(NODATA),
                                             name=name)
            self.sink.tif_map(f"_{name}.tif", grid)
        else:
            self.sink.ascii_map(f"_{name}.asc", values, self.inp.meta)


class _PerKey:
    """Writes each pair's (or node's) maps as they are solved and, when Circuitscape's per-map
    processing applies (log transform, focal currents zeroed), accumulates the processed current
    maps into the cumulative and maximum maps the way Circuitscape.jl does."""

    def __init__(self, cfg, writer, accumulate: bool, write_current: bool):
        self.cfg, self.w, self.accumulate, self.write_current = cfg, writer, accumulate, write_current
        self.cum = self.mx = None
        self.n_maps = 0

    def __call__(self, key, vmap, cmap) -> None:
        name = f"{key[0]}_{key[1]}" if isinstance(key, tuple) else str(key)
        ids = key if isinstance(key, tuple) else (key,)
        if self.cfg.write_volt_maps and vmap is not None:
            self.w.write(f"voltmap_{name}", self.w.voltage(vmap))
            self.n_maps += 1
        if cmap is None:
            return
        c = self.w.current(cmap, ids)
        if self.write_current:
            self.w.write(f"curmap_{name}", c)
            self.n_maps += 1
        if self.accumulate:
            self.cum = c.copy() if self.cum is None else self.cum + c
            self.mx = c.copy() if self.mx is None else np.maximum(self.mx, c)

    def cum_and_max(self, shape) -> tuple[np.ndarray, np.ndarray]:
        nod = float(NODATA)
        cum = np.zeros(shape) if self.cum is None else np.maximum(self.cum, nod)
        mx = np.full(shape, nod) if self.mx is None else np.maximum(self.mx, nod)
        return cum, mx


def _common(cfg, inp, method) -> dict:
    return dict(
        habitat_is_resistance=cfg.habitat_map_is_resistances,
        neighbours=4 if cfg.connect_four_neighbors_only else 8,
        average="resistance" if cfg.connect_using_avg_resistances else "conductance",
        polygons=inp.polygons,
        mask=inp.mask,
        solver=method,
    )


def run_raster(cfg, sink, method: str) -> tuple:
    """Solve a raster job and write its outputs through ``sink`` (see :mod:`.runner`)."""
    inp = read_inputs(cfg)
    w = _MapWriter(cfg, inp, sink)
    kw = _common(cfg, inp, method)
    if cfg.scenario == "advanced":
        return _advanced(cfg, inp, w, kw)
    per_map = cfg.log_transform_maps or cfg.set_focal_node_currents_to_zero
    want_cum = cfg.write_cur_maps or cfg.write_cum_cur_map_only
    want_pair_cur = cfg.write_cur_maps and not cfg.write_cum_cur_map_only
    want_cur = want_pair_cur or (want_cum and per_map) or (cfg.write_max_cur_maps and per_map)
    maps = dict(
        voltage_maps=cfg.write_volt_maps,
        current_maps=want_cur,
        cumulative_current=want_cum and not per_map,
        max_current=cfg.write_max_cur_maps and not per_map,
    )
    per_key = _PerKey(cfg, w, per_map, want_pair_cur)
    if cfg.scenario == "pairwise":
        from ..circuit.pairwise import pairwise

        res = pairwise(inp.habitat, inp.focal, include_pairs=inp.include, **kw, **maps,
                       map_callback=lambda a, b, v, c: per_key((a, b), v, c))
        sink("_resistances.out", resistances_matrix_text(res.ids, res.resistances))
        sink("_resistances_3columns.out", resistances_3col_text(res.ids, res.resistances))
    else:
        from .. import circuit

        fn = circuit.one_to_all if cfg.scenario == "one-to-all" else circuit.all_to_one
        res = fn(inp.habitat, inp.focal, include_pairs=inp.include,
                 included_ids=inp.focal.ids if inp.include is not None else None,
                 variable_sources=inp.strengths, **kw, **maps,
                 map_callback=lambda n, v, c: per_key(n, v, c))
        sink("_resistances.out", resistances_2col_text(res.ids, res.values[:, 1]))
    counts = {"focal nodes": len(res.ids), "maps written": per_key.n_maps}
    if want_cum or cfg.write_max_cur_maps:
        if per_map:
            cum, mx = per_key.cum_and_max(inp.habitat.shape)
        else:
            cum = w.current(res.cumulative_current) if want_cum else None
            mx = w.current(res.max_current) if cfg.write_max_cur_maps else None
        if want_cum:
            w.write("cum_curmap", cum)
        if cfg.write_max_cur_maps:
            w.write("max_curmap", mx)
    return counts, res



def _advanced(cfg, inp, w, kw) -> tuple:
    from .. import circuit

    out = circuit.advanced(
        inp.habitat, inp.sources, inp.grounds,
        grounds_are_resistances=cfg.ground_file_is_resistances,
        use_direct_grounds=cfg.use_direct_grounds,
        policy=cfg.remove_src_or_gnd,
        unit_currents=cfg.use_unit_currents,
        **kw,
    )
    vmap, cmap = out.voltage, out.current
    if cfg.write_volt_maps:
        w.write("voltmap", w.voltage(vmap))
    if cfg.write_cur_maps or cfg.write_cum_cur_map_only:
        w.write("curmap", w.current(cmap))
    counts = {"sources": int(np.count_nonzero(inp.sources)),
              "grounds": int(np.count_nonzero(np.isfinite(inp.grounds)))}
    return counts, out
