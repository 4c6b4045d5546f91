"""Command-line interface: ``corridors``.

One module per command family; each registers its commands on :data:`main` in :func:`_register`.
A command module that cannot be imported is a broken installation: the error is raised, never
skipped, so no command silently disappears.
"""

import importlib

from .main import main

#: command families, one module each
COMMANDS = ("datasets", "circuitscape", "run", "compare", "qgis", "validate", "calibrate")


def _register() -> None:
    for module in COMMANDS:
        importlib.import_module(f"{__name__}.{module}").register(main)


_register()

__all__ = ["main", "COMMANDS"]
