"""``corridors qgis-plugin``: install the QGIS Processing provider; ``corridors qgis-job``: run one
of its jobs (called by the plugin, not by people)."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["register"]


@click.command("qgis-plugin")
@click.option("--install", is_flag=True, help="Copy the plugin into QGIS's plugin folder.")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="QGIS plugin folder (default: the default profile's, e.g. "
                   "~/.local/share/QGIS/QGIS3/profiles/default/python/plugins).")
def qgis_plugin(install: bool, plugins_dir: Path | None) -> None:
    """Show where the corridors Processing plugin is, or install it (--install).

    After installing, enable "corridors Processing" in QGIS (Plugins > Manage and Install
    Plugins > Installed); its algorithms appear in the Processing Toolbox under corridors and
    run with this Python.
    """
    import sys

    from ..qgis_plugin import default_plugins_dir, install_plugin, plugin_source

    if not install:
        click.echo(f"plugin folder: {plugin_source()}")
        click.echo(f"install it with: corridors qgis-plugin --install  (into {plugins_dir or default_plugins_dir()})")
        return
    target = install_plugin(plugins_dir)
    click.echo(f"installed {target}; jobs run with {sys.executable}")
    click.echo("enable it in QGIS: Plugins > Manage and Install Plugins > Installed > corridors Processing")


@click.command("qgis-job", hidden=True)
@click.argument("job", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def qgis_job(job: Path) -> None:
    """Run one Processing job file (written by the QGIS plugin) and print its result as JSON."""
    from ..qgis_plugin.jobs import run_job_file

    click.echo(json.dumps(run_job_file(job)))


def register(main: click.Group) -> None:
    """Add the ``qgis-plugin`` and ``qgis-job`` commands to the ``corridors`` group."""
    main.add_command(qgis_plugin)
    main.add_command(qgis_job)
