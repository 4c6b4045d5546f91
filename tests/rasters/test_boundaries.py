"""Package rules from DESIGN.md: rasterio is used only inside ``rasters``; the API is exported."""

import ast
import pathlib

import rasters

ROOT = pathlib.Path(rasters.__file__).resolve().parent.parent


def _imports_rasterio(path: pathlib.Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "rasterio" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "rasterio":
            return True
    return False


def test_rasterio_is_imported_only_inside_rasters():
    offenders = [
        str(p.relative_to(ROOT))
        for pkg in ("vectors", "corridors")
        if (ROOT / pkg).is_dir()
        for p in (ROOT / pkg).rglob("*.py")
        if _imports_rasterio(p)
    ]
    assert offenders == [], f"rasterio imported outside rasters/: {offenders}"


def test_public_api_is_exported():
    for name in (
        "read write resample_to reproject reclassify check_resistance burn_lines apply_polygons "
        "slope_degrees slope_resistance combine rasterize Grid DataFormatError"
    ).split():
        assert name in rasters.__all__ and callable(getattr(rasters, name)), name
