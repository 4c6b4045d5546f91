"""Re-export of the one error tree (defined in :mod:`rasters.errors`, the lowest package)."""

from rasters.errors import *  # noqa: F401,F403
from rasters.errors import __all__  # noqa: F401
