"""Command-line interface: ``corridors``.

One module per command family; each registers its commands on :data:`main` in :func:`_register`.
"""

from .main import main


def _register() -> None:
    import importlib

    for module in ("datasets", "circuitscape", "run", "compare", "validate", "calibrate"):
        try:
            mod = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module}":
                continue  # command family not built yet
            raise
        mod.register(main)


_register()

__all__ = ["main"]
