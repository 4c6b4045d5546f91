"""Read what ``corridors validate`` needs from a finished run folder (layers, rasters, resolved scenario)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFormatError, InputError

__all__ = ["RunInputs", "read_run"]


@dataclass
class RunInputs:
    """Corridors, borders, countries and resistance of a run.

    corridors : GeoDataFrame (layer ``corridors``: ``Link_ID``, ``From_PA``, ``To_PA``, ...);
    borders : GeoDataFrame (layer ``borders``) or None; countries : GeoDataFrame (``iso3``) from
    the scenario's inputs or the embedded dataset; resistance : Grid or None (``resistance.tif``);
    species_profile : name; files : [(role, path)].
    """

    corridors: object
    borders: object
    countries: object
    resistance: object
    species_profile: str
    files: list


def read_run(run_dir) -> RunInputs:
    """Read ``corridors.gpkg``, ``resistance.tif`` and ``scenario.resolved.toml`` of a run folder.

    Raises
    ------
    DataFormatError
        The folder is not a finished ``corridors run`` output.
    """
    import rasters
    import vectors

    from ..scenario import Scenario

    run = Path(run_dir)
    gpkg, resolved, tif = run / "corridors.gpkg", run / "scenario.resolved.toml", run / "resistance.tif"
    missing = [p.name for p in (gpkg, resolved) if not p.is_file()]
    if missing:
        raise DataFormatError(f"{run}: no {', '.join(missing)}; give the output folder of `corridors run`")
    layers = vectors.list_layers(gpkg)
    if "corridors" not in layers:
        raise DataFormatError(f"{gpkg}: no 'corridors' layer (layers: {layers}); was it written by `corridors run`?")
    corridors = vectors.read_vector(gpkg, layer="corridors")
    borders = vectors.read_vector(gpkg, layer="borders") if "borders" in layers else None
    sc = Scenario.from_toml(resolved)
    files = [("corridors", gpkg), ("scenario", resolved)]
    if sc.inputs.countries is not None:
        countries = vectors.read_countries(sc.inputs.countries, sc.inputs.countries_layer)
        files.append(("countries", Path(sc.inputs.countries)))
    else:
        from ..datasets import nea

        countries = nea().countries
        files.append(("countries", Path("embedded:nea countries")))
    resistance = None
    if tif.is_file():
        resistance = rasters.read(tif, name=str(tif))
        files.append(("resistance", tif))
    if corridors.crs is None:
        raise InputError(f"{gpkg}: layer 'corridors' has no CRS")
    return RunInputs(corridors, borders, countries, resistance, sc.species.profile or "", files)
