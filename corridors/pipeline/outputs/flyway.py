"""What a flyway run writes (a species profile with a ``[flyway]`` table): the ``flyway_sites``
(points) and ``flyway_legs`` (lines) layers and the ``flyway_countries`` table in
``corridors.gpkg`` with the reserves and borders for context, ``context.gpkg``, the styles and
``corridors.qgs``, and ``flyway_ranking.csv``, ``flyway_countries.csv`` and
``flyway_sensitivity.csv``. None of the terrestrial outputs: no resistance surface, corridor,
link or ranking.csv (the land-cover resistance means nothing for a bird; see
:mod:`..stages.flyway`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...flyway import RANKING_COLUMNS
from .layers import _clean, build_context_layers, write_context, write_vectors
from .qgis import write_styles_and_project
from .sources import sources_line
from .styles import FLYWAY_SITE_CLASSES
from .tables import write_table

__all__ = ["flyway_layers", "flyway_extent", "site_classes", "write_flyway_outputs", "FLYWAY_TABLES"]

#: the CSV files of a flyway run: file -> what it holds
FLYWAY_TABLES = {
    "flyway_ranking.csv": "every site of the species: site_id, name, iso3, role, connections_lost, critical, dPC, "
                          "protected (most important first)",
    "flyway_countries.csv": "per country: sites, critical sites and unprotected critical sites, and their shares",
    "flyway_sensitivity.csv": "critical sites and connected pairs with the flight range 25 % shorter .. 25 % longer",
}


def site_classes(sites) -> np.ndarray:
    """``map_class`` of each site (:data:`~.styles.FLYWAY_SITE_CLASSES`): ``critical_unprotected``
    for a critical site with ``protected == "no"``, ``critical`` for another critical site, else its role."""
    critical = sites["critical"].to_numpy(bool)
    unprotected = (sites["protected"] == "no").to_numpy()
    out = np.where(critical, np.where(unprotected, "critical_unprotected", "critical"), sites["role"].to_numpy(str))
    known = {c[0] for c in FLYWAY_SITE_CLASSES}
    assert set(out) <= known, set(out) - known  # the style table lists every class
    return out.astype(object)


def flyway_layers(r) -> dict[str, Any]:
    """``{layer name: GeoDataFrame or DataFrame}`` of a flyway run (StageResults ``r``): the sites
    with their ranking and ``map_class``, the legs, the per-country table, and the run's reserves
    and borders for context."""
    fw = r.flyway
    sites = fw.sites.copy()
    sites["map_class"] = site_classes(sites)
    return {"flyway_sites": _clean(sites), "flyway_legs": fw.legs, "flyway_countries": fw.countries,
            "protected_areas": _clean(r.inputs.pas), "borders": _clean(r.inputs.borders)}


def flyway_extent(r, pad: float = 0.06) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the sites and legs in the run's CRS, grown by ``pad`` of the
    larger side: the initial view of the project and the report (the sites reach beyond the
    land-cover grid, to Taiwan and Vietnam)."""
    x0, y0, x1, y1 = r.flyway.sites.total_bounds
    if len(r.flyway.legs):
        lx0, ly0, lx1, ly1 = r.flyway.legs.total_bounds
        x0, y0, x1, y1 = min(x0, lx0), min(y0, ly0), max(x1, lx1), max(y1, ly1)
    margin = pad * max(x1 - x0, y1 - y0, 1.0)
    return float(x0 - margin), float(y0 - margin), float(x1 + margin), float(y1 + margin)


def write_flyway_outputs(folder: Path, r) -> list[str]:
    """The GeoPackages, the styles and the QGIS project, and the flyway CSV tables; the names written."""
    fw = r.flyway
    layers = flyway_layers(r)
    files = write_vectors(folder, layers, shapefiles=r.scenario.outputs.shapefiles)
    context = build_context_layers(r)
    files += write_context(folder, context)
    write_table(folder / "flyway_ranking.csv", fw.ranking[list(RANKING_COLUMNS)])
    write_table(folder / "flyway_countries.csv", fw.countries)
    write_table(folder / "flyway_sensitivity.csv", fw.sensitivity)
    files += list(FLYWAY_TABLES)
    files += write_styles_and_project(folder, layers=layers, context=context, raster_classes={}, n_links=1,
                                      crs=r.inputs.landcover.crs, extent=flyway_extent(r),
                                      title=f"corridors flyway: {fw.species} ({r.scenario.name})",
                                      sources=sources_line(r))
    return files
