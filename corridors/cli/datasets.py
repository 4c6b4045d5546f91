"""``corridors datasets``: list the embedded datasets and species profiles with their sources."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["register", "datasets"]


def _wrap(text: str, indent: str) -> str:
    import textwrap

    return textwrap.fill(" ".join(str(text).split()), width=100, initial_indent=indent,
                         subsequent_indent=indent)


def _list_all() -> None:
    from ..datasets import NEA_FILES, NEA_LICENCES, NEA_SOURCES, species_names, species_profile

    click.echo("Embedded datasets")
    click.echo("  nea  North-East Asia borderlands: 5 km LAEA grid (960 x 540), 7-class land cover,")
    click.echo("       elevation, countries and land borders, cities, 115 reserves")
    click.echo("       (APPROXIMATE shapes). Python: corridors.datasets.nea()")
    for layer in ("landcover", "elevation", "countries", "borders", "cities", "protected_areas"):
        click.echo(f"    {layer}")
        click.echo(_wrap(f"source: {NEA_SOURCES[layer]}", "      "))
        click.echo(_wrap(f"licence: {NEA_LICENCES[layer]}", "      "))
    click.echo(f"    files and caveats: corridors/datasets/nea/{NEA_FILES['readme']}"
               " (corridors datasets --readme)")
    click.echo("")
    click.echo("Species profiles (corridors datasets --species NAME)")
    for name in species_names():
        p = species_profile(name)
        code = f" [{p.code}]" if p.code else ""
        click.echo(f"  {name:<22} {p.common_name}{code}, max cost distance "
                   f"{p.max_cost_distance:,.0f}; {len(p.assumed)} of 9 values are assumptions")


def _show_species(name: str) -> None:
    from ..datasets import LANDCOVER_CLASSES, species_profile

    p = species_profile(name)
    click.echo(f"{p.name}: {p.common_name} ({p.scientific_name}), {p.group}"
               + (f", code {p.code}" if p.code else ""))
    click.echo(f"file: corridors/datasets/{p.path}")
    click.echo("resistance (cost per metre) by land-cover class:")
    for code, value in p.resistance.items():
        cls = LANDCOVER_CLASSES[code]
        click.echo(f"  {code} {cls:<10} {value:>8g}")
        click.echo(_wrap(p.sources["resistance"][cls], "      "))
    click.echo(f"max_cost_distance: {p.max_cost_distance:,.0f} cost units (resistance x metres)")
    click.echo(_wrap(p.sources["max_cost_distance"], "      "))
    hab = ", ".join(f"{c} {LANDCOVER_CLASSES[c]}" for c in p.habitat_classes)
    click.echo(f"habitat_classes: {hab}")
    click.echo(_wrap(p.sources["habitat_classes"], "      "))
    if p.notes:
        click.echo("notes:")
        click.echo(_wrap(p.notes, "  "))


@click.command("datasets")
@click.option("--species", "species", metavar="NAME", default=None,
              help="Show one species profile with the source of every value.")
@click.option("--readme", is_flag=True, help="Print the README of the embedded NEA data.")
@click.option("--resample", "cellsize", metavar="METRES", type=float, default=None,
              help="Write the embedded region on a grid of this cell size (e.g. 1000: 13 M cells) into "
                   "--out, with a scenario to run it. Upsampled data tests scaling, not ecology.")
@click.option("--out", "out", metavar="DIR", type=click.Path(path_type=Path), default=None,
              help="Folder for --resample (written safely: a temporary folder renamed on success).")
@click.option("--overwrite", is_flag=True, help="With --resample: replace a folder corridors wrote before.")
def datasets(species: str | None, readme: bool, cellsize: float | None, out: Path | None, overwrite: bool) -> None:
    """List the embedded datasets and species profiles with their sources and licences; with
    --resample, write the region on a finer grid."""
    if (cellsize is None) != (out is None):
        raise click.UsageError("--resample METRES and --out DIR go together (e.g. --resample 1000 --out nea-1km)")
    if cellsize is not None:
        from ..datasets.finer import UPSAMPLED_NOTE, write_finer_nea

        folder = write_finer_nea(out, cellsize, overwrite=overwrite)
        click.echo(f"{folder}: landcover.tif, elevation.tif, scenario.toml, README.md at {cellsize:g} m")
        click.echo(_wrap(f"NOTE: {UPSAMPLED_NOTE}.", ""))
        click.echo(f"run it: corridors run {folder / 'scenario.toml'} --out RUN_FOLDER")
    elif species is not None:
        _show_species(species)
    elif readme:
        from ..datasets._resources import resource

        click.echo(resource("nea", "README.md").read_text(encoding="utf-8"))
    else:
        _list_all()


def register(main: click.Group) -> None:
    """Add ``corridors datasets`` to the command group."""
    main.add_command(datasets)
