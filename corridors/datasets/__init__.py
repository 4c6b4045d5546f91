"""Embedded data: the North-East Asia default dataset and species resistance profiles.

The files live inside the package (``nea/``, ``species/``) and are found with
:mod:`importlib.resources`, so they work from a wheel as well as from a source checkout.
"""

from .north_east_asia import (
    CONTEXT_COUNTRIES,
    NEA_FILES,
    NEA_LICENCES,
    NEA_SOURCES,
    NEADataset,
    nea,
    load_reserves,
)
from .scope import habitat_share, species_nodes
from .species import (
    LANDCOVER_CLASSES,
    FlywayRange,
    SpeciesProfile,
    SpeciesScope,
    load_profile,
    species_names,
    species_profile,
)
from ..errors import ConfigError

#: embedded datasets by name, and the species profile each uses by default
DATASETS = {"nea": nea}
DEFAULT_PROFILE = {"nea": "generalist"}


def dataset(name: str = "nea") -> NEADataset:
    """An embedded dataset by name (:data:`DATASETS`), loaded once."""
    if name not in DATASETS:
        raise ConfigError(f"unknown embedded dataset {name!r}; choose one of {sorted(DATASETS)}")
    return DATASETS[name]()


__all__ = [
    "dataset",
    "DATASETS",
    "DEFAULT_PROFILE",
    "nea",
    "NEADataset",
    "load_reserves",
    "CONTEXT_COUNTRIES",
    "NEA_FILES",
    "NEA_SOURCES",
    "NEA_LICENCES",
    "LANDCOVER_CLASSES",
    "SpeciesProfile",
    "FlywayRange",
    "species_profile",
    "species_names",
    "load_profile",
    "SpeciesScope",
    "species_nodes",
    "habitat_share",
]
