"""Refactor-only golden test: the default run's results must not change by accident.

Compares the default North-East Asia run with the digest stored in
``tests/data/golden/nea-default.json``. A change that alters results on purpose updates the
digest and says so in its commit:
``CORRIDORS_UPDATE_GOLDEN=1 python -m pytest tests/pipeline/test_golden.py``.

The digest keeps what a refactor must not change and drops what changes by itself (timestamps,
paths, timings): ranking.csv as text, every GeoPackage layer's columns, attribute values and
geometries, and every raster's values. Geometries are compared after snapping to 1 cm and rasters
by exact hash where the values come from tables and least-cost searches, by statistics where they
come from a sparse solver (whose last digits depend on the solver and BLAS).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

#: rasters from sparse solves: compared by statistics at this relative tolerance
SOLVED_RASTERS = ("current_density",)
RTOL = 1e-6


def _geometry_hash(geoms) -> str:
    import shapely

    h = hashlib.sha256()
    for g in geoms:
        if g is None:
            h.update(b"<none>")
            continue
        snapped = shapely.set_precision(g, 0.01)
        h.update(shapely.to_wkb(shapely.normalize(snapped), hex=False))
    return h.hexdigest()


def _value(v):
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def digest_layers(gpkg: Path) -> dict:
    import pyogrio

    out = {}
    for name, _ in pyogrio.list_layers(gpkg):
        if name == "layer_styles":  # QGIS styles stored with the layers (issue 18): not results
            continue
        df = pyogrio.read_dataframe(gpkg, layer=name)
        spatial = hasattr(df, "geometry")
        attrs = df.drop(columns=df.geometry.name) if spatial else df
        out[name] = {
            "columns": list(attrs.columns),
            "rows": [[_value(v) for v in row] for row in attrs.itertuples(index=False)],
            "geometry": _geometry_hash(df.geometry.values) if spatial else None,
            "area": float(df.geometry.area.sum()) if spatial else 0.0,
            "length": float(df.geometry.length.sum()) if spatial else 0.0,
        }
    return out


def digest_rasters(folder: Path) -> dict:
    import rasterio

    out = {}
    for tif in sorted(folder.glob("*.tif")):
        with rasterio.open(tif) as src:
            v = src.read(1)
            info = {"shape": list(v.shape), "dtype": str(v.dtype), "transform": list(src.transform)[:6],
                    "nodata": _value(src.nodata)}
        finite = np.isfinite(v) if v.dtype.kind == "f" else np.ones(v.shape, bool)
        info["finite_hash"] = hashlib.sha256(np.packbits(finite).tobytes()).hexdigest()
        if tif.stem in SOLVED_RASTERS:
            x = v[finite].astype(np.float64)
            info["stats"] = [float(x.sum()), float((x * x).sum()), float(x.max()), float(np.median(x))]
        else:
            info["values_hash"] = hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()
        out[tif.stem] = info
    return out


def digest_run(folder: str | Path) -> dict:
    folder = Path(folder)
    return {"ranking_csv": (folder / "ranking.csv").read_text(encoding="utf-8"),
            "layers": digest_layers(folder / "corridors.gpkg"), "rasters": digest_rasters(folder)}


def write_digest(digest: dict, path: Path) -> None:
    path.write_text(json.dumps(digest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_digest(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "nea-default.json"


@pytest.fixture(scope="module")
def digests(default_run):
    new = digest_run(default_run.out)
    if os.environ.get("CORRIDORS_UPDATE_GOLDEN") == "1":
        write_digest(new, GOLDEN)
    return read_digest(GOLDEN), new


def _column_scales(rows, n: int) -> list[float]:
    """The largest magnitude of each float column: values that come out of a sparse solve as 0
    carry noise of about 1e-15 of the column's scale, not of 1."""
    out = []
    for k in range(n):
        vals = [abs(r[k]) for r in rows if isinstance(r[k], float)]
        out.append(max(vals) if vals else 0.0)
    return out


def _close(a, b, scale: float = 0.0) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=max(1e-12, 1e-9 * scale))
    return a == b


def test_ranking_csv_is_unchanged(digests):
    old, new = digests
    a = pd.read_csv(io.StringIO(old["ranking_csv"]))
    b = pd.read_csv(io.StringIO(new["ranking_csv"]))
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("layer", ["protected_areas", "nodes", "border_reserves", "borders", "links",
                                   "domestic_links", "adjoining", "corridors", "pinch_points", "crossings", "gaps",
                                   "unlinked_pairs", "country_summary", "link_countries",
                                   "restoration_sites"])
def test_layer_is_unchanged(digests, layer):
    old, new = digests
    assert sorted(new["layers"]) == sorted(old["layers"])
    o, n = old["layers"][layer], new["layers"][layer]
    assert n["columns"] == o["columns"]
    assert len(n["rows"]) == len(o["rows"])
    scale = _column_scales(o["rows"], len(o["columns"]))
    for i, (ro, rn) in enumerate(zip(o["rows"], n["rows"])):
        bad = [c for c, a, b, sc in zip(o["columns"], ro, rn, scale) if not _close(a, b, sc)]
        assert not bad, f"{layer} row {i}: columns {bad} differ: {ro} != {rn}"
    assert n["geometry"] == o["geometry"]
    assert math.isclose(n["area"], o["area"], rel_tol=1e-12)
    assert math.isclose(n["length"], o["length"], rel_tol=1e-12)


def test_rasters_are_unchanged(digests):
    old, new = digests
    assert sorted(new["rasters"]) == sorted(old["rasters"])
    for name, o in old["rasters"].items():
        n = new["rasters"][name]
        for key in ("shape", "dtype", "transform", "nodata", "finite_hash", "values_hash"):
            assert n.get(key) == o.get(key), f"{name}.tif: {key} differs"
        if "stats" in o:
            for a, b in zip(o["stats"], n["stats"]):
                assert math.isclose(a, b, rel_tol=RTOL), f"{name}.tif: statistics differ ({o['stats']} vs {n['stats']})"
