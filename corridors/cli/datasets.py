"""``corridors datasets``: list the embedded datasets and species profiles with their sources."""

from __future__ import annotations

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
def datasets(species: str | None, readme: bool) -> None:
    """List the embedded datasets and species profiles with their sources and licences."""
    if species is not None:
        _show_species(species)
    elif readme:
        from ..datasets._resources import resource

        click.echo(resource("nea", "README.md").read_text(encoding="utf-8"))
    else:
        _list_all()


def register(main: click.Group) -> None:
    """Add ``corridors datasets`` to the command group."""
    main.add_command(datasets)
