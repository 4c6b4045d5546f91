"""``corridors circuitscape CONFIG.ini``: run a Circuitscape job."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["register"]


@click.command("circuitscape")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--base-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that relative paths in the INI are resolved against "
    "(default: the current directory, as Circuitscape does).",
)
@click.option("--overwrite", is_flag=True, help="Replace outputs of an earlier run.")
@click.option(
    "--solver",
    "method",
    type=click.Choice(["direct", "auto", "cholmod", "cholespy", "pardiso", "splu", "cg+amg"]),
    default=None,
    help="Override the INI's solver (direct: fastest installed exact factorisation; "
    "cg+amg: iterative; auto: by memory).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse INI keys that no Circuitscape version knows (default: warn with a "
    "'did you mean' and ignore them, as Circuitscape does).",
)
def circuitscape(config: Path, base_dir: Path | None, overwrite: bool, method: str | None,
                 strict: bool) -> None:
    """Run the Circuitscape job described by CONFIG (a Circuitscape .ini file).

    Old INI files (Circuitscape 3.5, 4, 5) run unchanged: options corridors does not act on are
    listed in one warning line. Writes Circuitscape's output files (names and formats as
    Circuitscape.jl) next to the INI's output_file, each atomically.
    """
    from ..circuitscape import load_config, run

    cfg = load_config(config, base_dir=base_dir, strict=strict)
    summary = run(cfg, overwrite=overwrite, method=method)
    for line in summary.lines():
        click.echo(line)


def register(main: click.Group) -> None:
    """Add the ``circuitscape`` command to the ``corridors`` group."""
    main.add_command(circuitscape)
