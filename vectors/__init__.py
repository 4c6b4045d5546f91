"""vectors: protected areas, country borders, border reserves, candidate pairs, vector export.

pyogrio/fiona are imported only inside this package (in :mod:`vectors.io`).
"""

from ._common import ISO3_SEPARATOR, check_iso3, iso3_set
from .borders import (
    COUNTRY_FIELDS,
    DEFAULT_BORDER_TOLERANCE,
    border_lines,
    international_borders,
    lonlat_box,
    prepare_countries,
    read_countries,
)
from .cores import CoreGrid, rasterize_cores
from .io import list_layers, read_vector, read_vector_table, shapefile_field_names, write_layers, write_shapefiles
from .polygonize import cell_boxes, cells_to_polygon, strips_to_polygon
from .protected_areas import PA_FIELDS, prepare_protected_areas, read_protected_areas
from .near_borders import border_reserves
from .nodes import network_nodes, split_by_country
from .overlaps import DEFAULT_MIN_OVERLAP, dissolve_overlapping, members_of, overlap_groups
from .pairs import DEFAULT_ADJOIN_TOLERANCE, DEFAULT_MIN_SHARED_LENGTH, PAIR_KINDS, candidate_pairs, node_pairs
from .wdpa import (
    WDPA_KEPT_STATUS,
    WDPA_MAB_DESIGNATION,
    WDPA_RELEASE_FIELDS,
    find_wdpa_sources,
    is_wdpa,
    points_to_circles,
    read_wdpa,
)

__all__ = [
    "read_protected_areas",
    "prepare_protected_areas",
    "PA_FIELDS",
    "rasterize_cores",
    "CoreGrid",
    "read_countries",
    "prepare_countries",
    "COUNTRY_FIELDS",
    "international_borders",
    "DEFAULT_BORDER_TOLERANCE",
    "border_lines",
    "lonlat_box",
    "border_reserves",
    "candidate_pairs",
    "write_layers",
    "write_shapefiles",
    "shapefile_field_names",
    "read_vector",
    "cells_to_polygon",
    "cell_boxes",
    "strips_to_polygon",
    "read_vector_table",
    "list_layers",
    "iso3_set",
    "check_iso3",
    "ISO3_SEPARATOR",
    "network_nodes",
    "node_pairs",
    "split_by_country",
    "PAIR_KINDS",
    "DEFAULT_ADJOIN_TOLERANCE",
    "DEFAULT_MIN_SHARED_LENGTH",
    "dissolve_overlapping",
    "overlap_groups",
    "members_of",
    "DEFAULT_MIN_OVERLAP",
    "read_wdpa",
    "find_wdpa_sources",
    "is_wdpa",
    "points_to_circles",
    "WDPA_KEPT_STATUS",
    "WDPA_MAB_DESIGNATION",
    "WDPA_RELEASE_FIELDS",
]

# Marker checked by tests: PyPI has an unrelated package called ``vectors``.
__corridors_package__ = True
