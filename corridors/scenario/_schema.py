"""Typed scenario objects: frozen dataclasses whose field metadata is the one place for defaults,
allowed values and help text.

Every field carries a :class:`Check` in its metadata; :mod:`corridors.scenario._parse` uses it to
refuse unknown keys and bad values with the key's dotted name, the value and the allowed range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Check",
    "ExtraLayer",
    "Inputs",
    "Species",
    "Parameters",
    "RankingWeights",
    "Ranking",
    "Outputs",
    "LineEdit",
    "AreaEdit",
    "ReserveEdit",
    "SOLVERS",
    "NEIGHBOURS",
]

#: solver names passed to the circuit core (``corridors.circuit``).
SOLVERS = ("auto", "cholmod", "pardiso", "splu", "cg+amg")  # = corridors.circuit.solvers.METHODS
NEIGHBOURS = (4, 8)


@dataclass(frozen=True)
class Check:
    """How one scenario key is validated.

    kind : 'float' | 'int' | 'str' | 'bool' | 'path' | 'choice' | 'wkt' | 'crs'
    """

    kind: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    choices: tuple = ()
    optional: bool = True
    odd: bool = False  # integers only: the value must be odd (e.g. a centred window)

    def describe(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind in ("float", "int"):
            lo = "" if self.minimum is None else (f"> {self.minimum:g}" if self.exclusive_min else f">= {self.minimum:g}")
            hi = "" if self.maximum is None else f"<= {self.maximum:g}"
            rng = " and ".join(x for x in (lo, hi) if x)
            noun = "a number" if self.kind == "float" else ("an odd integer" if self.odd else "an integer")
            return f"{noun} {rng}".strip()
        return {
            "str": "a string",
            "bool": "true or false",
            "path": "a path to an existing file (relative to the scenario file)",
            "wkt": "a WKT geometry string",
            "crs": "a CRS (e.g. 'EPSG:4326', a PROJ string or WKT)",
        }.get(self.kind, self.kind)


def _f(default: Any, kind: str, help: str, **kw) -> Any:
    return field(default=default, metadata={"check": Check(kind, help, **kw)})


# ---------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ExtraLayer:
    """An extra raster combined with the land-cover resistance (``[[inputs.layers]]``)."""

    path: Path | None = _f(None, "path", "raster file on any grid (resampled onto the land cover)", optional=False)
    kind: str = _f(
        "resistance", "choice",
        "'resistance': values are resistances; 'slope': an elevation raster (metres) turned into a "
        "slope resistance with rasters.slope_resistance",
        choices=("resistance", "slope"),
    )
    combine: str = _f("max", "choice", "how it is combined with the land-cover resistance",
                      choices=("max", "sum", "product"))
    resampling: str = _f("bilinear", "choice", "resampling onto the land-cover grid",
                         choices=("nearest", "bilinear"))
    nonpositive: str = _f("error", "choice",
                          "cells <= 0 are not resistances: 'error' refuses them, 'unchanged' says they "
                          "mean no change (e.g. 0 off the roads of a roads raster)",
                          choices=("error", "unchanged"))


@dataclass(frozen=True)
class Inputs:
    """``[inputs]``: every input not given comes from the embedded dataset (``dataset``)."""

    dataset: str = _f("nea", "choice", "embedded dataset that supplies every input not given here", choices=("nea",))

    landcover: Path | None = _f(None, "path", "land-cover raster (projected CRS in metres); default: embedded NEA 5 km grid")
    resistance_table: Path | None = _f(None, "path", "CSV or TOML table land-cover code -> resistance; default: the species profile's table")
    protected_areas: Path | None = _f(None, "path", "protected areas (vector file with pa_id, name, iso3); default: embedded NEA reserves")
    protected_areas_layer: str | None = _f(None, "str", "layer name inside protected_areas")
    countries: Path | None = _f(None, "path", "country polygons (vector file with iso3, name); default: embedded NEA countries")
    countries_layer: str | None = _f(None, "str", "layer name inside countries")
    dissolve_duplicates: bool = _f(False, "bool", "features of protected_areas that share a pa_id are parts of one reserve: dissolve them (default: an error)")
    nodata_in_table: str = _f("error", "choice", "land-cover cells equal to its nodata value when that value is also a class of the resistance table: 'error', 'nodata' (barriers) or 'class' (the table's resistance)", choices=("error", "nodata", "class"))
    layers: tuple[ExtraLayer, ...] = field(default=(), metadata={"check": Check("tables", "extra raster layers ([[inputs.layers]])")})


@dataclass(frozen=True)
class Species:
    """``[species]``: the species profile (resistance table and dispersal limit)."""

    profile: str | None = _f(None, "str", "species profile name (see `corridors datasets species`); default: the dataset's default profile")


# ---------------------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Parameters:
    """``[parameters]``: distances in metres, costs in cost units (resistance x metres)."""

    border_distance: float = _f(50_000.0, "float", "a reserve is a border reserve within this distance of an international land border (m)", minimum=0.0)
    max_gap: float = _f(400_000.0, "float", "candidate transboundary pairs are reserves at most this far apart, edge to edge (m)", minimum=0.0, exclusive_min=True)
    max_cost_distance: float | None = _f(None, "float", "links whose cost-weighted distance exceeds this are not viable (cost units); default: species profile", minimum=0.0, exclusive_min=True)
    corridor_width: float = _f(50_000.0, "float", "corridor = cells whose normalised least-cost corridor value is <= this (cost units)", minimum=0.0, exclusive_min=True)
    neighbours: int = _f(8, "choice", "grid connectivity for least-cost and circuit graphs", choices=NEIGHBOURS)
    solver: str = _f("auto", "choice", "circuit solver", choices=SOLVERS)
    drop_through_cores: bool = _f(True, "bool", "drop links whose least-cost path passes through a third reserve (Linkage Mapper's option)")


@dataclass(frozen=True)
class RankingWeights:
    """``[ranking.weights]``: weights of the normalised score components (they are rescaled to sum 1)."""

    cost: float = _f(0.35, "float", "weight of the cost-weighted distance component (lower cost ranks higher)", minimum=0.0)
    resistance: float = _f(0.25, "float", "weight of the effective-resistance component (lower ranks higher)", minimum=0.0)
    centrality: float = _f(0.30, "float", "weight of the link's current-flow centrality (higher ranks higher)", minimum=0.0)
    unprotected: float = _f(0.10, "float", "weight of the share of the corridor outside reserves (higher = more conservation need)", minimum=0.0)


@dataclass(frozen=True)
class Ranking:
    """``[ranking]``: score weights and how many corridors the gap analysis covers."""

    weights: RankingWeights = field(default_factory=RankingWeights, metadata={"check": Check("table", "score weights")})
    gap_top: int = _f(10, "int", "gaps are reported for the corridors ranked 1..gap_top", minimum=1)
    min_gap_area: float = _f(25.0, "float", "gap polygons smaller than this are dropped (km2)", minimum=0.0)
    pinch_points_per_link: int = _f(3, "int", "worst pinch points kept per link", minimum=0)
    pinch_window: int = _f(5, "int", "window (cells, odd) for the local-maximum search of pinch points",
                           minimum=3, odd=True)


@dataclass(frozen=True)
class Outputs:
    """``[outputs]``: optional products."""

    shapefiles: bool = _f(False, "bool", "also export every layer as a Shapefile (field names <= 10 chars)")
    report: bool = _f(True, "bool", "write report.html with PNG maps")
    cogs: bool = _f(True, "bool", "write resistance, corridor mosaic and current density COGs")


# ---------------------------------------------------------------------------------------- edits
@dataclass(frozen=True)
class LineEdit:
    """``[[edits]] type = "road" | "fence"``: lines burnt into the resistance."""

    type: str = _f("road", "choice", "edit type", choices=("road", "fence"))
    name: str = _f("", "str", "label used in the manifest and report")
    wkt: str | None = _f(None, "wkt", "line geometry as WKT (give wkt or path)")
    path: Path | None = _f(None, "path", "vector file of lines (give wkt or path)")
    layer: str | None = _f(None, "str", "layer name inside path")
    crs: str | None = _f(None, "crs", "CRS of wkt/path when it differs from the land cover")
    width_m: float = _f(1_000.0, "float", "width of the burnt strip (m)", minimum=0.0, exclusive_min=True)
    resistance: float = _f(1_000.0, "float", "resistance inside the strip", minimum=0.0, exclusive_min=True)
    rule: str = _f("max", "choice", "how the value meets the existing resistance", choices=("max", "set", "add"))


@dataclass(frozen=True)
class AreaEdit:
    """``[[edits]] type = "area"``: a restored or degraded area."""

    type: str = _f("area", "choice", "edit type", choices=("area",))
    name: str = _f("", "str", "label used in the manifest and report")
    wkt: str | None = _f(None, "wkt", "polygon as WKT (give wkt or path)")
    path: Path | None = _f(None, "path", "vector file of polygons (give wkt or path)")
    layer: str | None = _f(None, "str", "layer name inside path")
    crs: str | None = _f(None, "crs", "CRS of wkt/path when it differs from the land cover")
    rule: str = _f("set", "choice", "set / add / multiply the resistance inside", choices=("set", "add", "multiply"))
    value: float | None = _f(None, "float", "value used by the rule", optional=False)


@dataclass(frozen=True)
class ReserveEdit:
    """``[[edits]] type = "reserve"``: a new protected area (becomes a core)."""

    type: str = _f("reserve", "choice", "edit type", choices=("reserve",))
    name: str = _f("", "str", "reserve name", optional=False)
    pa_id: str = _f("", "str", "unique reserve id", optional=False)
    iso3: str = _f("", "str", "ISO 3166-1 alpha-3 code of the country", optional=False)
    wkt: str | None = _f(None, "wkt", "polygon as WKT (give wkt or path)")
    path: Path | None = _f(None, "path", "vector file of polygons (give wkt or path)")
    layer: str | None = _f(None, "str", "layer name inside path")
    crs: str | None = _f(None, "crs", "CRS of wkt/path when it differs from the land cover")


EDIT_TYPES = {"road": LineEdit, "fence": LineEdit, "area": AreaEdit, "reserve": ReserveEdit}
