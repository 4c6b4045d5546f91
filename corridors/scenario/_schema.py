"""Typed scenario objects: frozen dataclasses whose field metadata is the one place for defaults,
allowed values and help text.

Every field carries a :class:`~corridors.scenario._checks.Check` in its metadata. The dataclasses
validate themselves when built (:class:`~corridors.scenario._checks.Validated`), from TOML or from
Python, so ``Parameters(neighbours=6)`` raises; :mod:`corridors.scenario._parse` adds what only a
file has: unknown keys, paths relative to the scenario file, the file name in every message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..graph_options import NEIGHBOURS, SOLVERS, GraphOptions
from ..leastcost.linkage import DROP_THROUGH_CORES
from ._checks import Check, FieldError, Validated

__all__ = [
    "Check",
    "ExtraLayer",
    "Inputs",
    "Species",
    "Parameters",
    "RankingWeights",
    "Ranking",
    "Restoration",
    "Outputs",
    "LineEdit",
    "AreaEdit",
    "ReserveEdit",
    "BorderFenceEdit",
    "CrossingEdit",
    "EDIT_TYPES",
    "ALL_SPECIES",
]


#: ``species.profile`` value that names every species profile of the dataset (but the generic one)
ALL_SPECIES = "all"


def _f(default: Any, kind: str, help: str, **kw) -> Any:
    return field(default=default, metadata={"check": Check(kind, help, **kw)})


# ---------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ExtraLayer(Validated):
    """An extra raster combined with the land-cover resistance (``[[inputs.layers]]``)."""

    KEY = "inputs.layers"

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
class Inputs(Validated):
    """``[inputs]``: every input not given comes from the embedded dataset (``dataset``)."""

    KEY = "inputs"

    dataset: str = _f("nea", "choice", "embedded dataset that supplies every input not given here", choices=("nea",))

    landcover: Path | None = _f(None, "path", "land-cover raster (projected CRS in metres); default: embedded NEA 5 km grid")
    resistance_table: Path | None = _f(None, "path", "CSV or TOML table land-cover code -> resistance; default: the species profile's table")
    protected_areas: Path | None = _f(None, "path", "protected areas (vector file with pa_id, name, iso3); default: embedded NEA reserves")
    protected_areas_layer: str | None = _f(None, "str", "layer name inside protected_areas")
    countries: Path | None = _f(None, "path", "country polygons (vector file with iso3, name); default: embedded NEA countries")
    countries_layer: str | None = _f(None, "str", "layer name inside countries")
    cities: Path | None = _f(None, "path", "towns as points with a 'population' field, for the human pressure on corridors; default: the embedded GeoNames towns (with the embedded dataset)")
    dissolve_duplicates: bool = _f(False, "bool", "features of protected_areas that share a pa_id are parts of one reserve: dissolve them (default: an error)")
    nodata_in_table: str = _f("error", "choice", "land-cover cells equal to its nodata value when that value is also a class of the resistance table: 'error', 'nodata' (barriers) or 'class' (the table's resistance)", choices=("error", "nodata", "class"))
    layers: tuple[ExtraLayer, ...] = field(default=(), metadata={"check": Check("tables", "extra raster layers ([[inputs.layers]])")})

    def check(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, ExtraLayer):
                raise FieldError(f"inputs.layers[{i}]", f"got {layer!r}; expected an ExtraLayer")


@dataclass(frozen=True)
class Species(Validated):
    """``[species]``: the species profile (resistance table and dispersal limit)."""

    KEY = "species"

    profile: str | tuple[str, ...] | None = _f(
        None, "profiles",
        "species profile name (see `corridors datasets species`); a list of names, or 'all' (every species "
        "profile of the dataset but the generic one), runs each species into a subfolder of its own and "
        "writes combined tables; default: the dataset's default profile")

    @property
    def several(self) -> bool:
        """Whether ``profile`` names several species (a list, or ``'all'``)."""
        return isinstance(self.profile, tuple) or (isinstance(self.profile, str)
                                                   and self.profile.strip().lower() == ALL_SPECIES)


# ---------------------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Parameters(Validated):
    """``[parameters]``: distances in metres, costs in cost units (resistance x metres)."""

    KEY = "parameters"

    border_distance: float = _f(50_000.0, "float", "a reserve is a border reserve within this distance of an international land border (m)", minimum=0.0)
    max_gap: float = _f(400_000.0, "float", "candidate transboundary pairs are reserves at most this far apart, edge to edge (m)", minimum=0.0, exclusive_min=True)
    max_cost_distance: float | None = _f(None, "float", "links whose cost-weighted distance exceeds this are not viable (cost units); default: species profile", minimum=0.0, exclusive_min=True)
    corridor_width: float = _f(50_000.0, "float", "corridor = cells whose normalised least-cost corridor value is <= this (cost units)", minimum=0.0, exclusive_min=True)
    neighbours: int = _f(8, "choice", "grid connectivity for least-cost and circuit graphs", choices=NEIGHBOURS)
    solver: str = _f("auto", "choice", "circuit solver", choices=SOLVERS)
    drop_through_cores: bool = _f(DROP_THROUGH_CORES, "bool", "drop links whose least-cost path passes through a third reserve (Linkage Mapper's option)")
    countries_of_interest: tuple[str, ...] = field(default=(), metadata={"check": Check(
        "codes", "ISO3 codes of the countries whose reserves are nodes; empty: the countries whose role "
        "is 'core' (context countries such as Kazakhstan and Japan take part only when listed)")})
    include_not_legal: bool = _f(False, "bool", "also use reserves flagged as not legal protected areas (the Korean DMZ halves) as nodes")
    domestic_links: bool = _f(True, "bool", "also link neighbouring reserves of one country (stepping stones; written to domestic_links.csv, not ranked)")

    @property
    def graph(self) -> GraphOptions:
        """The graph options (neighbours, solver) as one validated value."""
        return GraphOptions(neighbours=self.neighbours, solver=self.solver)


@dataclass(frozen=True)
class RankingWeights(Validated):
    """``[ranking.weights]``: weights of the normalised score components (they are rescaled to sum 1)."""

    KEY = "ranking.weights"

    importance: float = _f(0.35, "float", "weight of the link's importance for the reserve network (loss of the PC numerator without it)", minimum=0.0)
    centrality: float = _f(0.20, "float", "weight of the link's area-weighted current-flow centrality", minimum=0.0)
    pressure: float = _f(0.10, "float", "weight of the human pressure on the corridor (towns nearby, cropland and urban cells): urgency", minimum=0.0)
    unprotected: float = _f(0.15, "float", "weight of the share of the corridor outside reserves (conservation need)", minimum=0.0)
    feasibility: float = _f(0.20, "float", "weight of feasibility: 1 - CW_Dist / max_cost_distance", minimum=0.0)

    def check(self) -> None:
        if self.importance + self.centrality + self.pressure + self.unprotected + self.feasibility <= 0:
            raise FieldError(self.KEY, "all weights are 0; give at least one positive weight")


@dataclass(frozen=True)
class Ranking(Validated):
    """``[ranking]``: score weights and how many corridors the gap analysis covers."""

    KEY = "ranking"

    weights: RankingWeights = field(default_factory=RankingWeights, metadata={"check": Check("table", "score weights")})
    gap_top: int = _f(10, "int", "gaps are reported for the corridors ranked 1..gap_top", minimum=1)
    min_gap_area: float = _f(25.0, "float", "gap polygons smaller than this are dropped (km2)", minimum=0.0)
    pinch_points_per_link: int = _f(3, "int", "worst pinch points kept per link", minimum=0)
    pinch_window: int = _f(5, "int", "window (cells, odd) for the local-maximum search of pinch points",
                           minimum=3, odd=True)
    importance_scale: float = _f(1e4, "float", "link importance (dPCnum, km^4) at which N_Import = 0.5; default: two 100 km2 reserves joined at the median dispersal distance (an assumption)", minimum=0.0, exclusive_min=True)
    centrality_scale: float = _f(1e8, "float", "area-weighted centrality (CF_Area, km^4) at which N_Central = 0.5; default: a bridge between two groups of 10,000 km2 (an assumption)", minimum=0.0, exclusive_min=True)
    pressure_distance: float = _f(10_000.0, "float", "decay distance of a town's pressure on a corridor (m): population x exp(-distance / this)", minimum=0.0, exclusive_min=True)
    pressure_density: float = _f(50.0, "float", "town pressure scale: an exposure of this many people per km2 of corridor scores 0.5 (an assumption)", minimum=0.0, exclusive_min=True)
    protconn_transboundary: float = _f(100_000.0, "float", "ProtConn per country: reserves abroad within this distance (m) of the country are stepping stones (Saura et al. 2018); an assumption", minimum=0.0)
    pressure_classes: tuple[int, ...] = field(default=(3, 4), metadata={"check": Check(
        "ints", "land-cover codes that count as human land use in a corridor (default: cropland 3 and urban 4 of the embedded 7-class land cover)")})

    def check(self) -> None:
        if not isinstance(self.weights, RankingWeights):
            raise FieldError("ranking.weights", f"got {self.weights!r}; expected RankingWeights")


@dataclass(frozen=True)
class Restoration(Validated):
    """``[restoration]``: barrier analysis of the top links (McRae et al. 2012, PLoS ONE 7:e52604).

    For each of the links ranked ``1..ranking.gap_top``: the improvement score of circular windows
    of each radius (the estimated drop of the link's least-cost distance if the window were
    restored to ``restored_resistance``), its best non-overlapping windows as restoration sites,
    and the combined improvement raster (:mod:`corridors.restoration`).
    """

    KEY = "restoration"

    radii: tuple[int, ...] = field(default=(1, 2, 3, 4, 5), metadata={"check": Check(
        "ints", "window radii in cells of the land-cover grid (a window = the cells whose centres lie "
        "within radius x cell size of its centre); default 1 to 5 cells, as Barrier Mapper's list of radii")})
    sites_per_link: int = _f(3, "int", "restoration sites kept per link (best first, no two of a link "
                             "share a cell)", minimum=1)
    restored_resistance: float = _f(1.0, "float", "resistance of a restored window (per metre); default 1, "
                                    "the lowest resistance (forest) of every embedded species profile",
                                    minimum=0.0, exclusive_min=True)
    rank_by: str = _f("gain", "choice", "rank a link's windows by 'gain' (estimated drop of its least-cost "
                      "distance, cost units) or 'per_unit' (that drop per metre of restored diameter, which "
                      "favours small windows)", choices=("gain", "per_unit"))
    combine: str = _f("max", "choice", "how the links are combined in barrier_improvement.tif: the best "
                      "link's score ('max') or the sum over links ('sum')", choices=("max", "sum"))

    def check(self) -> None:
        if not self.radii:
            raise FieldError(f"{self.KEY}.radii", "is empty; give at least one radius in cells, e.g. [1, 2, 3, 4, 5]")
        bad = [r for r in self.radii if r < 1]
        if bad:
            raise FieldError(f"{self.KEY}.radii", f"got {list(self.radii)}; every radius is a whole number of "
                                                  f"cells >= 1 ({bad[0]} is not)")
        if len(set(self.radii)) != len(self.radii):
            raise FieldError(f"{self.KEY}.radii", f"got {list(self.radii)}; give each radius once")
        object.__setattr__(self, "radii", tuple(sorted(self.radii)))


@dataclass(frozen=True)
class Outputs(Validated):
    """``[outputs]``: optional products."""

    KEY = "outputs"

    shapefiles: bool = _f(False, "bool", "also export every layer as a Shapefile (field names <= 10 chars)")
    report: bool = _f(True, "bool", "write report.html with PNG maps")
    cogs: bool = _f(True, "bool", "write resistance, corridor mosaic and current density COGs")


# ---------------------------------------------------------------------------------------- edits
class _GeometryEdit(Validated):
    """An edit with a geometry given as ``wkt`` or as a vector file ``path``."""

    KEY = "edit"
    GEOMETRIES: ClassVar[tuple[str, ...]] = ()

    def check(self) -> None:
        if (self.wkt is None) == (self.path is None):
            raise FieldError(self.KEY, "give exactly one of 'wkt' (geometry as WKT) or 'path' (a vector file)")
        if self.wkt is not None:
            import shapely

            geom = shapely.from_wkt(self.wkt)
            if geom.geom_type not in self.GEOMETRIES or geom.is_empty:
                got = f"an empty {geom.geom_type} (no coordinates)" if geom.is_empty else geom.geom_type
                raise FieldError(f"{self.KEY}.wkt",
                                 f"a {self.type} needs a {' or '.join(self.GEOMETRIES)} with coordinates, got {got}")


@dataclass(frozen=True)
class LineEdit(_GeometryEdit):
    """``[[edits]] type = "road" | "fence"``: lines burnt into the resistance."""

    GEOMETRIES = ("LineString", "MultiLineString")

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
class AreaEdit(_GeometryEdit):
    """``[[edits]] type = "area"``: a restored or degraded area."""

    GEOMETRIES = ("Polygon", "MultiPolygon")

    type: str = _f("area", "choice", "edit type", choices=("area",))
    name: str = _f("", "str", "label used in the manifest and report")
    wkt: str | None = _f(None, "wkt", "polygon as WKT (give wkt or path)")
    path: Path | None = _f(None, "path", "vector file of polygons (give wkt or path)")
    layer: str | None = _f(None, "str", "layer name inside path")
    crs: str | None = _f(None, "crs", "CRS of wkt/path when it differs from the land cover")
    rule: str = _f("set", "choice", "set / add / multiply the resistance inside", choices=("set", "add", "multiply"))
    value: float | None = _f(None, "float", "value used by the rule", optional=False)


@dataclass(frozen=True)
class ReserveEdit(_GeometryEdit):
    """``[[edits]] type = "reserve"``: a new protected area (becomes a core)."""

    GEOMETRIES = ("Polygon", "MultiPolygon")

    def check(self) -> None:
        super().check()
        import vectors

        from ..errors import InputError

        try:
            vectors.check_iso3({self.pa_id: self.iso3}, "new reserve", "iso3")
        except InputError as exc:
            raise FieldError(f"{self.KEY}.iso3", str(exc).split(": ", 1)[1]) from None

    type: str = _f("reserve", "choice", "edit type", choices=("reserve",))
    name: str = _f("", "str", "reserve name", optional=False)
    pa_id: str = _f("", "str", "unique reserve id", optional=False)
    iso3: str = _f("", "str", "ISO 3166-1 alpha-3 code of the country", optional=False)
    wkt: str | None = _f(None, "wkt", "polygon as WKT (give wkt or path)")
    path: Path | None = _f(None, "path", "vector file of polygons (give wkt or path)")
    layer: str | None = _f(None, "str", "layer name inside path")
    crs: str | None = _f(None, "crs", "CRS of wkt/path when it differs from the land cover")


@dataclass(frozen=True)
class BorderFenceEdit(Validated):
    """``[[edits]] type = "fence"`` with ``along``: a fence along an international land border.

    The border line is the one in the borders layer (the embedded dataset's, or the one derived
    from ``inputs.countries``); ``bbox`` and ``within`` keep only part of it (both: the part
    inside both). Example, the Primorye stretch of the China-Russia border::

        [[edits]]
        type = "fence"
        along = "CHN-RUS"
        bbox = [130.4, 42.4, 133.2, 45.3]   # west, south, east, north (degrees)
    """

    KEY = "edit"

    type: str = _f("fence", "choice", "edit type", choices=("fence",))
    name: str = _f("", "str", "label used in the manifest and report")
    along: tuple[str, ...] = field(default=(), metadata={"check": Check(
        "pairs", "border pair(s) to fence, as in the borders layer ('CHN-RUS', either order)",
        optional=False)})
    bbox: tuple[float, ...] | None = field(default=None, metadata={"check": Check(
        "bbox", "keep the part of the border inside this box: [west, south, east, north] in "
        "degrees of longitude/latitude (EPSG:4326)")})
    within: str | None = _f(None, "wkt", "keep the part of the border inside this polygon (WKT in `crs`)")
    crs: str | None = _f(None, "crs", "CRS of `within` when it differs from the land cover")
    width_m: float = _f(1_000.0, "float", "width of the burnt strip (m)", minimum=0.0, exclusive_min=True)
    resistance: float | str = _f(
        "barrier", "resistance",
        "resistance inside the strip, or 'barrier' (nothing crosses: an assumption for security "
        "fences, which Linnell et al. 2016 describe as barriers to large mammals)")
    rule: str = _f("max", "choice", "how the value meets the existing resistance", choices=("max", "set"))

    def check(self) -> None:
        if self.within is not None:
            import shapely

            geom = shapely.from_wkt(self.within)
            if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
                raise FieldError(f"{self.KEY}.within", f"needs a Polygon or MultiPolygon, got {geom.geom_type}")


@dataclass(frozen=True)
class CrossingEdit(_GeometryEdit):
    """``[[edits]] type = "crossing"``: a wildlife crossing (overpass, underpass, gate) in a road or
    fence. Applied after every road and fence, it gives the cells of a strip across the nearest
    line at the point back the resistance they had without roads and fences."""

    GEOMETRIES = ("Point", "MultiPoint")

    type: str = _f("crossing", "choice", "edit type", choices=("crossing",))
    name: str = _f("", "str", "label used in the manifest and report")
    wkt: str | None = _f(None, "wkt", "point(s) as WKT, e.g. 'POINT (131.1 43.2)' (give wkt or path)")
    path: Path | None = _f(None, "path", "vector file of points (give wkt or path)")
    layer: str | None = _f(None, "str", "layer name inside path")
    crs: str | None = _f(None, "crs", "CRS of wkt/path when it differs from the land cover")
    width_m: float | None = _f(None, "float", "width of the gap along the road or fence (m); narrower "
                               "than a cell still opens one cell", minimum=0.0, exclusive_min=True,
                               optional=False)


EDIT_TYPES = {"road": LineEdit, "fence": LineEdit, "area": AreaEdit, "reserve": ReserveEdit,
              "crossing": CrossingEdit}
