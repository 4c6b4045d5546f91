"""Shared pieces of the reliability suite: a tiny scenario, folder snapshots, a child runner.

The tiny scenario (36 x 24 cells of 5 km, two countries, four reserves) runs end to end in a
couple of seconds; tests about folder handling use it, or :func:`rasters.atomic.output_folder`
with a trivial writer, instead of the full North-East Asia run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +units=m"
REPO = Path(__file__).resolve().parents[2]


def make_tiny_inputs(folder: Path, *, report: bool = False) -> Path:
    """Write land cover, countries, reserves and ``tiny.toml`` into ``folder``; return the TOML."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from affine import Affine

    import rasters
    from rasters.grid import Grid

    folder.mkdir(parents=True, exist_ok=True)
    nr, nc, cell = 24, 36, 5000.0
    lc = np.ones((nr, nc), dtype=np.uint8)  # forest
    lc[:, 16:20] = 6  # a grassland strip along the border
    lc[10:14, :] = 3  # a cropland band across it
    rasters.write(Grid(lc, Affine(cell, 0, 0, 0, -cell, nr * cell), rasters.as_crs(LAEA), 255, "lc"),
                  folder / "landcover.tif")
    w, h = nc * cell, nr * cell
    gpd.GeoDataFrame({"iso3": ["CHN", "RUS"], "name": ["West", "East"]}, crs=LAEA, geometry=[
        shapely.box(-1e4, -1e4, w / 2, h + 1e4), shapely.box(w / 2, -1e4, w + 1e4, h + 1e4)],
    ).to_file(folder / "countries.gpkg")
    sites = [("CN1", "CHN", w / 2 - 20e3, 30e3), ("CN2", "CHN", w / 2 - 25e3, 90e3),
             ("RU1", "RUS", w / 2 + 20e3, 35e3), ("RU2", "RUS", w / 2 + 25e3, 85e3)]
    gpd.GeoDataFrame({"pa_id": [s[0] for s in sites], "name": [s[0] for s in sites],
                      "iso3": [s[1] for s in sites]}, crs=LAEA,
                     geometry=[shapely.Point(x, y).buffer(8000) for *_, x, y in sites]).to_file(folder / "pas.gpkg")
    toml = folder / "tiny.toml"
    toml.write_text(
        'name = "tiny"\n[inputs]\nlandcover = "landcover.tif"\nprotected_areas = "pas.gpkg"\n'
        f'countries = "countries.gpkg"\n[outputs]\nreport = {"true" if report else "false"}\n',
        encoding="utf-8",
    )
    return toml


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Path:
    """The tiny scenario's TOML (inputs beside it, in a session temporary folder)."""
    return make_tiny_inputs(tmp_path_factory.mktemp("tiny-inputs"))


@pytest.fixture(scope="session")
def tiny_run(tiny, tmp_path_factory) -> Path:
    """One output folder of ``corridors run`` on the tiny scenario (read-only use: copy it)."""
    from corridors.pipeline import run_scenario

    out = tmp_path_factory.mktemp("tiny-run") / "run"
    run_scenario(tiny, out, progress=False)
    return out


def snapshot(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under ``folder`` (hidden files included)."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_child(code: str, *, cwd: Path, timeout: float = 120, env: dict | None = None,
              umask: int | None = None) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a fresh interpreter (the repository's environment) and wait."""
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})}, preexec_fn=preexec)


@pytest.fixture
def sentinel(tmp_path):
    """A folder holding user files that no corridors command may touch, and a check of them."""
    home = tmp_path / "user"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"years of work")
    (home / "data").mkdir()
    (home / "data" / "field.csv").write_text("site,count\nA,3\n")
    before = snapshot(home)

    def intact() -> bool:
        return home.is_dir() and snapshot(home) == before

    return SimpleNamespace(path=home, intact=intact)
