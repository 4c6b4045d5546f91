"""corridors: find, measure and rank wildlife corridors between protected areas.

The public API is gathered here; each name lives in a module with one job.
"""

from ._version import __version__
from .errors import *  # noqa: F401,F403

__corridors_package__ = True
