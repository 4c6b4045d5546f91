"""corridors inside QGIS: a Processing provider (the ``corridors_processing`` plugin folder shipped
with the package) and the jobs it runs in corridors' own Python (:mod:`.jobs`).

Install it from the Python that has corridors::

    corridors qgis-plugin --install          # into the default QGIS profile
    corridors qgis-plugin --install --plugins-dir DIR

The plugin runs every algorithm as ``<that python> -m corridors qgis-job JOB.json``, so QGIS's
own Python (any version QGIS ships) never imports corridors or its numpy; the interpreter's path
is written into the installed plugin (``corridors_python.txt``) and can be changed in
Processing > Options > Providers > corridors.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from ..datasets import species_names
from ..errors import InputError, OutputExistsError

__all__ = ["PLUGIN_NAME", "PLUGIN_DIRS", "plugin_source", "default_plugins_dir", "install_plugin", "PYTHON_FILE"]

PLUGIN_NAME = "corridors_processing"
#: file in the installed plugin naming the Python that runs the jobs
PYTHON_FILE = "corridors_python.txt"
#: file in the installed plugin listing the species profiles (the main job's choices)
SPECIES_FILE = "corridors_species.txt"
_MARKER = ".installed-by-corridors"

#: QGIS 3 default-profile plugin folder per platform (``sys.platform`` prefix -> path parts)
PLUGIN_DIRS = {
    "linux": ("~", ".local", "share", "QGIS", "QGIS3", "profiles", "default", "python", "plugins"),
    "darwin": ("~", "Library", "Application Support", "QGIS", "QGIS3", "profiles", "default", "python", "plugins"),
    "win32": ("%APPDATA%", "QGIS", "QGIS3", "profiles", "default", "python", "plugins"),
}


def plugin_source() -> Path:
    """The plugin folder inside the installed package."""
    return Path(str(resources.files(__package__).joinpath(PLUGIN_NAME)))


def default_plugins_dir() -> Path:
    """QGIS 3's plugin folder of the default profile on this platform."""
    for prefix, parts in PLUGIN_DIRS.items():
        if sys.platform.startswith(prefix):
            return Path(os.path.expandvars(os.path.expanduser(os.path.join(*parts))))
    raise InputError(f"no known QGIS plugin folder on platform {sys.platform!r}; pass plugins_dir")


def install_plugin(plugins_dir: str | Path | None = None, *, python: str | None = None) -> Path:
    """Copy the plugin into ``plugins_dir`` (default :func:`default_plugins_dir`) and record the
    Python that runs its jobs (default: this one); returns the installed folder.

    An earlier installation made by this function is replaced (copied beside, then swapped in);
    a folder of the same name that it did not make is refused.
    """
    target_root = Path(plugins_dir) if plugins_dir is not None else default_plugins_dir()
    target = target_root / PLUGIN_NAME
    if target.exists() and not (target / _MARKER).is_file():
        raise OutputExistsError(f"{target} exists and was not installed by corridors; move it away first")
    target_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}.", dir=target_root))
    try:
        staged = tmp / PLUGIN_NAME
        shutil.copytree(plugin_source(), staged, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (staged / PYTHON_FILE).write_text((python or sys.executable) + "\n", encoding="utf-8")
        (staged / SPECIES_FILE).write_text("".join(n + "\n" for n in species_names()), encoding="utf-8")
        (staged / _MARKER).write_text("installed by `corridors qgis-plugin --install`\n", encoding="utf-8")
        old = tmp / "old"
        if target.exists():
            target.rename(old)
        try:
            staged.rename(target)
        except OSError:
            if old.exists():
                old.rename(target)
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
