"""Embedded data: the North-East Asia default dataset and species resistance profiles.

The files live inside the package (``nea/``, ``species/``) and are found with
:mod:`importlib.resources`, so they work from a wheel as well as from a source checkout.
"""

from .nea import (
    CIRCLE_SEGMENTS,
    DEFAULT_PA_RADIUS_M,
    NEA_FILES,
    NEA_LICENCES,
    NEA_SOURCES,
    NEADataset,
    nea,
    reserves_as_circles,
)
from .species import (LANDCOVER_CLASSES, FlywayRange, SpeciesProfile, load_profile, species_names,
                      species_profile)

__all__ = [
    "nea",
    "NEADataset",
    "reserves_as_circles",
    "DEFAULT_PA_RADIUS_M",
    "CIRCLE_SEGMENTS",
    "NEA_FILES",
    "NEA_SOURCES",
    "NEA_LICENCES",
    "LANDCOVER_CLASSES",
    "SpeciesProfile",
    "FlywayRange",
    "species_profile",
    "species_names",
    "load_profile",
]
