"""Stage: human pressure on each corridor - towns nearby (population with a distance kernel) and
the share of its cells under cropland or urban land cover."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = ["corridor_pressure", "town_exposure", "PRESSURE_COLUMNS"]

log = logging.getLogger(__name__)

PRESSURE_COLUMNS = ["Link_ID", "Pop_Expo", "Land_Press"]


def town_exposure(polygon, towns, distance: float) -> float:
    """People exposed to a corridor: ``sum_towns population * exp(-d / distance)``.

    ``d`` is the distance (map units, metres) from the town to the corridor polygon, 0 inside it.
    Towns farther than ``10 * distance`` add less than 5e-5 of their population and are skipped.
    An assumption of the model (a smooth decay of disturbance around settlements), not a
    published kernel; ``distance`` is the scenario's ``ranking.pressure_distance``.
    """
    import shapely

    if towns is None or len(towns) == 0 or polygon is None or polygon.is_empty:
        return 0.0
    pts = np.asarray(towns.geometry.values, dtype=object)
    near = shapely.STRtree(pts).query(shapely.buffer(polygon, 10 * distance), predicate="intersects")
    if near.size == 0:
        return 0.0
    d = shapely.distance(polygon, pts[near])
    pop = towns["population"].to_numpy(dtype=np.float64)[near]
    return float(np.sum(pop * np.exp(-d / distance)))


def corridor_pressure(corridors, inputs, cfg) -> pd.DataFrame:
    """Per link: ``Pop_Expo`` (:func:`town_exposure` of its corridor polygon, people) and
    ``Land_Press`` (share of its corridor cells in ``cfg.pressure_classes``, land-cover codes).

    ``corridors``: :class:`~.corridors.CorridorSet`; ``cfg``: the scenario's ``[ranking]``.
    Without a towns layer (``inputs.cities`` None) the exposure is 0 and a warning says so.
    """
    towns = inputs.cities
    if towns is None:
        log.warning("no towns layer (inputs.cities): human pressure comes from the land cover alone")
    lc = np.asarray(inputs.landcover.values)
    classes = np.asarray(cfg.pressure_classes)
    poly = dict(zip(corridors.polygons["Link_ID"], corridors.polygons.geometry))
    rows = []
    for w in corridors.windows:
        cells = w.corridor
        n = int(cells.sum())
        pressed = int(np.isin(lc[w.rows, w.cols][cells], classes).sum())
        rows.append({"Link_ID": w.link_id,
                     "Pop_Expo": town_exposure(poly.get(w.link_id), towns, cfg.pressure_distance),
                     "Land_Press": pressed / n if n else 0.0})
    return pd.DataFrame(rows, columns=PRESSURE_COLUMNS)
