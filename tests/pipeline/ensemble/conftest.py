"""Small synthetic landscapes for the resistance-uncertainty ensemble (issue 15).

``ladder_world``: 30 x 24 cells of 1 km (UTM 52N), Russia west of x = 12 km, China east of it,
six reserves on each side of the border in two columns (rows 1-3, 6-8, ... 26-28; cols 7-9 in
Russia, 14-16 in China), land cover drawn at random (seeded) from forest, wetland, cropland and
grassland so that the links differ: more than ten viable links, enough for ``P_top10``.

``mirror_world``: 40 x 40 cells of 1 km, Russia west of x = 20 km, China east of it; reserve A in
Russia (rows 17-22, cols 2-6), B (rows 3-8) and C (rows 31-36) in China (cols 33-37), mirror
images of each other about the middle row. Forest everywhere except a strip across the whole
height at cols 24-28: wetland (2) in rows 0-19 and grassland (6) in rows 20-39, both resistance
5 in the world's own table. So links A-B and A-C are mirror images, identical except that A-B
crosses wetland where A-C crosses grassland.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

import rasters
import vectors

CELL = 1000.0
X0, Y0 = 500_000.0, 4_600_000.0
CRS = "EPSG:32652"


def _box(r0, r1, c0, c1):
    """Polygon covering rows r0..r1-1 and cols c0..c1-1."""
    return shapely.box(X0 + c0 * CELL, Y0 - r1 * CELL, X0 + c1 * CELL, Y0 - r0 * CELL)


def _write_world(d, landcover: np.ndarray, border_col: int, reserves, table: dict | None = None):
    rows, cols = landcover.shape
    lc = rasters.Grid(landcover.astype(np.uint8), Affine(CELL, 0, X0, 0, -CELL, Y0), CRS, 255, "landcover")
    rasters.write(lc, d / "landcover.tif")
    countries = gpd.GeoDataFrame({"iso3": ["RUS", "CHN"], "name": ["Russia", "China"]},
                                 geometry=[_box(-5, rows + 5, -5, border_col), _box(-5, rows + 5, border_col, cols + 5)],
                                 crs=CRS)
    vectors.write_layers(d / "countries.gpkg", {"countries": countries})
    pas = gpd.GeoDataFrame({"pa_id": [r[0] for r in reserves], "name": [f"Reserve {r[0]}" for r in reserves],
                            "iso3": [r[1] for r in reserves]},
                           geometry=[_box(*r[2]) for r in reserves], crs=CRS)
    vectors.write_layers(d / "pas.gpkg", {"pas": pas})
    lines = ['[inputs]', 'landcover = "landcover.tif"', 'protected_areas = "pas.gpkg"', 'countries = "countries.gpkg"']
    if table is not None:
        (d / "table.csv").write_text("code,resistance\n" + "".join(f"{k},{v}\n" for k, v in table.items()),
                                     encoding="utf-8")
        lines.append('resistance_table = "table.csv"')
    lines += ["[parameters]", "corridor_width = 3000", "max_cost_distance = 100000", "[outputs]",
              "report = false", "cogs = false"]
    (d / "scenario.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d / "scenario.toml"


@pytest.fixture(scope="session")
def ladder_world(tmp_path_factory):
    """(folder, Scenario, deterministic RunResult) of the ladder world (module docstring)."""
    from corridors.pipeline import run_scenario
    from corridors.scenario import Scenario

    d = tmp_path_factory.mktemp("ladder")
    rng = np.random.default_rng(15)
    lc = rng.choice([1, 2, 3, 6], size=(30, 24), p=[0.55, 0.15, 0.15, 0.15])
    starts = (1, 6, 11, 16, 21, 26)
    reserves = [(f"R{k}", "RUS", (r, r + 3, 7, 10)) for k, r in enumerate(starts)]
    reserves += [(f"C{k}", "CHN", (r, r + 3, 14, 17)) for k, r in enumerate(starts)]
    for _, _, (r0, r1, c0, c1) in reserves:
        lc[r0:r1, c0:c1] = 1
    path = _write_world(d, lc, 12, reserves)
    result = run_scenario(path, d / "out", progress=False)
    return d, Scenario.from_toml(path), result


@pytest.fixture(scope="session")
def mirror_world(tmp_path_factory):
    """(folder, Scenario) of the mirror world (module docstring)."""
    from corridors.scenario import Scenario

    d = tmp_path_factory.mktemp("mirror")
    lc = np.ones((40, 40), np.uint8)
    lc[0:20, 24:29] = 2
    lc[20:40, 24:29] = 6
    reserves = [("A", "RUS", (17, 23, 2, 7)), ("B", "CHN", (3, 9, 33, 38)), ("C", "CHN", (31, 37, 33, 38))]
    path = _write_world(d, lc, 20, reserves, table={1: 1.0, 2: 5.0, 6: 5.0})
    return d, Scenario.from_toml(path)


def _with_uncertainty(scenario, **kw):
    from corridors.scenario import Uncertainty

    return dataclasses.replace(scenario, uncertainty=Uncertainty(**kw))


@pytest.fixture(scope="session")
def with_uncertainty():
    """``with_uncertainty(scenario, **kw)``: ``scenario`` with an ``[uncertainty]`` section built from ``kw``."""
    return _with_uncertainty
