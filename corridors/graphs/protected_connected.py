"""ProtConn: the percentage of a region covered by protected and connected land, and its fractions.

References
----------
Saura, S., Bastin, L., Battistella, L., Mandrici, A. & Dubois, G. (2017). Protected areas in the
world's ecoregions: How well connected are they? Ecological Indicators 76:144-158 (ProtConn,
ProtUnconn, RelConn; the fractions Prot / Trans / Unprot and Within / Contig; foreign PAs as
stepping stones with no area).

Saura, S., Bertzky, B., Bastin, L., Battistella, L., Mandrici, A. & Dubois, G. (2018). Protected
area connectivity: Shortfalls in global targets and country-level priorities. Biological
Conservation 219:53-67 (per country; ProtUnconn[Design] and ProtConn[Bound], which do not
penalise a country for isolation caused by the sea or by foreign land).

The R package Makurhini (Godinez-Gomez et al., github.com/connectscape/Makurhini, function
``MK_ProtConn``), written with the indicator's authors, was read to see how the fractions are
computed in practice; the differences from it are listed in :func:`protconn`'s Notes.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import CRSError, InputError
from ._graph import DEFAULT_MIN_PROBABILITY, _positive_finite
from .probability import _check_min_probability, pc

__all__ = ["protconn", "protconn_by_country", "PROTCONN_FIELDS", "OVERLAP_TOLERANCE_M2"]

#: Fields of the Series :func:`protconn` returns, in order. Percentages of the region's area:
#: Prot, ProtConn, ProtUnconn, ProtUnconn_Design, ProtConn_Bound; RelConn is % of Prot; the
#: fractions ProtConn_Prot .. ProtConn_Contig are % of ProtConn.
PROTCONN_FIELDS = ("Prot", "ProtConn", "ProtUnconn", "RelConn", "ProtConn_Prot",
                   "ProtConn_Trans", "ProtConn_Unprot", "ProtConn_Within", "ProtConn_Contig",
                   "ProtUnconn_Design", "ProtConn_Bound", "ECA_km2", "Prot_km2", "Region_km2",
                   "n_units", "n_transboundary")

#: Two protected-area pieces that overlap by more than this (m2) are one unit; less is taken as
#: a shared boundary (digitising noise), and the pieces stay separate, touching units.
OVERLAP_TOLERANCE_M2 = 1.0

_M2_PER_KM2 = 1e6


def protconn(protected_areas, region, *, median_dispersal: float, transboundary: float | None = None,
             min_probability: float = DEFAULT_MIN_PROBABILITY) -> pd.Series:
    """Protected Connected indicator (ProtConn) of one region and its fractions.

    Parameters
    ----------
    protected_areas : geopandas.GeoDataFrame or GeoSeries
        Protected-area polygons in a projected CRS in metres, anywhere (inside, across or outside
        the region). Only their parts inside ``region`` count as protected land.
    region : geopandas.GeoDataFrame, GeoSeries or shapely geometry
        The region (country, ecoregion); several features are united. A bare shapely geometry
        is taken to be in the CRS of ``protected_areas``.
    median_dispersal : float
        Median dispersal distance, metres: ``p_ij = exp(-k d_ij)`` with ``p = 0.5`` there, ``d_ij``
        the edge-to-edge Euclidean distance between protected-area units.
    transboundary : float, optional
        Protected land outside the region within this many metres of it is kept as stepping
        stones (area 0: it can link two domestic reserves but adds no protected land of its
        own). Default None: no foreign protected land at all.
    min_probability : float, default 1e-3
        Links with a direct probability below this are dropped (:func:`corridors.graphs.pc`).

    Returns
    -------
    pandas.Series
        Indexed by :data:`PROTCONN_FIELDS`:

        ``Prot``, ``ProtConn``, ``ProtUnconn`` (%, of the region's area), ``RelConn`` (% of
        Prot); ``ProtConn_Prot``, ``ProtConn_Trans``, ``ProtConn_Unprot`` (% of ProtConn, summing
        to 100); ``ProtConn_Within``, ``ProtConn_Contig`` (% of ProtConn, summing to
        ProtConn_Prot); ``ProtUnconn_Design``, ``ProtConn_Bound`` (% of the region); ``ECA_km2``,
        ``Prot_km2`` (protected land in the region), ``Region_km2``; ``n_units`` (domestic
        protected-area units) and ``n_transboundary`` (foreign stepping stones kept).
        With no protected land in the region, Prot = ProtConn = 0 and the fractions are NaN.

    Notes
    -----
    **Nodes.** The protected areas are cut by the region. Inside, every polygon part is a
    piece; pieces overlapping by more than :data:`OVERLAP_TOLERANCE_M2` are united into one
    *unit* (so no land is counted twice); pieces that only touch stay separate units at distance
    0. A unit's attribute ``a_i`` is its area. Outside the region (when ``transboundary`` is
    given) every part within ``transboundary`` metres of the region is a node with ``a_i = 0``,
    including the foreign part of a reserve that straddles the border.

    **Published definitions, line by line** (Saura et al. 2017 for ProtConn and the fractions,
    2018 for the country refinements). The papers' full texts were not at hand while this was
    written: the lines below follow their abstracts, the issue that asked for this module, and
    Makurhini's code, and equation or section numbers are deliberately not quoted. ``A_L`` is
    the region's area, ``n`` the domestic units, ``t`` the foreign stepping stones::

        ECA        = sqrt(sum_{i=1..n+t} sum_{j=1..n+t} a_i a_j p*_ij),   a_i = 0 for the t
        ProtConn   = 100 ECA / A_L
        Prot       = 100 (protected land in the region) / A_L
        ProtUnconn = Prot - ProtConn
        RelConn    = 100 ProtConn / Prot

    ProtConn is partitioned by the kind of movement that makes land reachable, each part first
    in % of the region, then reported in % of ProtConn::

        ProtConn[Within] = 100 sqrt(sum_i a_i**2) / A_L          movement inside each unit
        ProtConn[Prot]   = 100 sqrt(sum_c A_c**2) / A_L          ... and between touching units
                           (A_c: area of each cluster of units that touch, where p = 1)
        ProtConn[Contig] = ProtConn[Prot] - ProtConn[Within]
        ProtConn[Trans]  = ProtConn - ProtConn(without the t foreign stepping stones)
        ProtConn[Unprot] = ProtConn - ProtConn[Prot] - ProtConn[Trans]  (through unprotected land)

    so Prot + Trans + Unprot = 100 % of ProtConn and Within + Contig = Prot. For countries
    (Saura et al. 2018)::

        ProtConn[Design]   = 100 ECA_design / A_L, where each land part of the region (island,
                             exclave, mainland) is added as a node of area 0 at distance 0 from
                             the units on it: everything on one piece of land is connected
        ProtUnconn[Design] = ProtConn[Design] - ProtConn   (isolation the PA system's design
                             could fix, as opposed to isolation by sea or foreign land)
        ProtConn[Bound]    = Prot - ProtUnconn[Design]

    For one compact piece of land ``ProtConn[Design] = Prot`` and so ProtConn[Bound] = ProtConn;
    a country of islands is credited with the isolation it cannot remove. (This is how
    Makurhini computes ProtUnconn[Design]: the region's parts as zero-area nodes.)

    **Interpretations** (where the papers leave room, or where we differ from Makurhini):

    - Overlapping protected areas are united, touching ones are not (above), so
      ProtConn[Contig] measures connectivity between adjoining reserves; Makurhini instead
      scales ``sqrt(sum a_i**2)`` of the overlapping pieces by ``sqrt(Prot area / sum a_i)``.
    - Makurhini's current code reports ``ProtConn_Contig = 100 - ProtConn_Within`` next to a
      Within in % of ProtConn (its vignettes show Within + Contig = 100 while Prot = 85.8);
      an older version's output had Within + Contig = Prot (94.784 + 2.728 = 97.512). Here both
      are in % of ProtConn and Within + Contig = Prot, as the partition requires.
    - Multi-part reserves are split into their parts (dispersal between parts is not free).
    - A foreign stepping stone is kept whole when any of it lies within ``transboundary`` of the
      region (Makurhini clips it to the buffer).
    - Makurhini gives pairs involving a transboundary node the weight 1 instead of
      ``a_i a_j = 0``; here they weigh 0, as the papers define.
    - Distances are straight-line edge-to-edge; for least-cost ProtConn, build the distance
      matrix yourself and call :func:`corridors.graphs.pc`.
    """
    pas, crs = _pa_geometries(protected_areas)
    reg = _region_geometry(region, crs, "region")
    m = _positive_finite(median_dispersal, "median_dispersal")
    tb = _check_transboundary(transboundary)
    return _protconn(pas, reg, m, tb, _check_min_probability(min_probability))


def protconn_by_country(protected_areas, countries, *, median_dispersal: float,
                        transboundary: float | None = None,
                        min_probability: float = DEFAULT_MIN_PROBABILITY) -> pd.DataFrame:
    """:func:`protconn` for every country: one row per ``iso3``.

    Parameters
    ----------
    protected_areas : geopandas.GeoDataFrame or GeoSeries
        Protected-area polygons (projected CRS, metres), of every country.
    countries : geopandas.GeoDataFrame
        Country polygons with an ``iso3`` column, same CRS; features sharing a code are united.
    median_dispersal, transboundary, min_probability
        As for :func:`protconn`. Each country's protected land is what lies inside its polygon
        (whatever a reserve's own ``iso3`` says); with ``transboundary``, protected land of the
        other countries (and beyond ``countries``) within that distance acts as stepping stones.

    Returns
    -------
    pandas.DataFrame
        Index ``iso3`` (sorted), columns :data:`PROTCONN_FIELDS`.
    """
    pas, crs = _pa_geometries(protected_areas)
    if not isinstance(countries, gpd.GeoDataFrame):
        raise InputError(f"countries must be a GeoDataFrame with an 'iso3' column, got "
                         f"{type(countries).__name__}")
    if "iso3" not in countries.columns:
        raise InputError(f"countries: no 'iso3' column (columns are {list(countries.columns)}); "
                         "read them with vectors.read_countries or rename the code column")
    _same_crs(countries, crs, "countries")
    m = _positive_finite(median_dispersal, "median_dispersal")
    tb = _check_transboundary(transboundary)
    pmin = _check_min_probability(min_probability)
    codes = countries["iso3"].astype(str).str.strip().str.upper()
    rows = {}
    for code in sorted(set(codes)):
        geom = _region_geometry(countries.geometry[codes.values == code], crs,
                                f"countries (iso3 {code})")
        rows[code] = _protconn(pas, geom, m, tb, pmin)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "iso3"
    return out[list(PROTCONN_FIELDS)]


# ==================================================================================== core
def _protconn(pas: np.ndarray, reg, m: float, tb: float | None, pmin: float) -> pd.Series:
    area_l = float(shapely.area(reg))
    dom = _polygon_parts(shapely.intersection(pas, reg))
    prot_area = float(shapely.area(shapely.union_all(dom))) if dom.size else 0.0
    units = _units(dom)
    foreign = np.empty(0, dtype=object)
    if tb is not None:
        outside = _polygon_parts(shapely.difference(pas, reg))
        if outside.size:
            foreign = outside[shapely.distance(outside, reg) <= tb]
    out = dict.fromkeys(PROTCONN_FIELDS, math.nan)
    out.update(Prot=100.0 * prot_area / area_l, Prot_km2=prot_area / _M2_PER_KM2,
               Region_km2=area_l / _M2_PER_KM2, n_units=float(units.size),
               n_transboundary=float(foreign.size))
    if units.size == 0:
        out.update(ProtConn=0.0, ProtUnconn=0.0, ECA_km2=0.0, ProtUnconn_Design=0.0,
                   ProtConn_Bound=0.0)
        return pd.Series(out, name="ProtConn")[list(PROTCONN_FIELDS)]

    lands = _polygon_parts(np.array([reg], dtype=object))
    nodes = np.concatenate([units, foreign, lands])
    nu, nf = units.size, foreign.size
    area = np.zeros(nodes.size)
    area[:nu] = shapely.area(units)
    cutoff = m * math.log2(1.0 / pmin) if pmin > 0 else math.inf
    dist = _distances(nodes, cutoff)

    def eca(idx):
        return pc(area[idx], dist[np.ix_(idx, idx)], median_dispersal=m, landscape_area=area_l,
                  min_probability=pmin).eca

    dom_idx = np.arange(nu)
    eca_all = eca(np.arange(nu + nf))
    eca_dom = eca(dom_idx) if nf else eca_all
    eca_design = eca(np.arange(nodes.size))
    within = math.sqrt(float(np.sum(area[:nu] ** 2)))
    prot = math.sqrt(float(np.sum(_cluster_areas(dist[:nu, :nu], area[:nu]) ** 2)))

    protconn_pct = 100.0 * eca_all / area_l
    f_prot = 100.0 * prot / eca_all
    f_within = 100.0 * within / eca_all
    f_trans = 100.0 * (eca_all - eca_dom) / eca_all
    design = 100.0 * eca_design / area_l - protconn_pct
    out.update(ProtConn=protconn_pct, ProtUnconn=out["Prot"] - protconn_pct,
               RelConn=100.0 * protconn_pct / out["Prot"], ProtConn_Prot=f_prot,
               ProtConn_Trans=f_trans, ProtConn_Unprot=100.0 - f_prot - f_trans,
               ProtConn_Within=f_within, ProtConn_Contig=f_prot - f_within,
               ProtUnconn_Design=design, ProtConn_Bound=out["Prot"] - design,
               ECA_km2=eca_all / _M2_PER_KM2)
    return pd.Series(out, name="ProtConn")[list(PROTCONN_FIELDS)]


def _units(pieces: np.ndarray) -> np.ndarray:
    """Unite pieces that overlap by more than the tolerance; deterministic order (first piece)."""
    n = pieces.size
    if n == 0:
        return pieces
    tree = shapely.STRtree(pieces)
    a, b = tree.query(pieces, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if a.size:
        overlap = shapely.area(shapely.intersection(pieces[a], pieces[b])) > OVERLAP_TOLERANCE_M2
        a, b = a[overlap], b[overlap]
    adj = coo_matrix((np.ones(a.size), (a, b)), shape=(n, n))
    ncomp, label = connected_components(adj, directed=False)
    if ncomp == n:
        return pieces
    first = np.full(ncomp, n)
    np.minimum.at(first, label, np.arange(n))
    units = []
    for comp in np.argsort(first, kind="stable"):
        members = pieces[label == comp]
        units.append(members[0] if members.size == 1 else shapely.union_all(members))
    return _polygon_parts(np.array(units, dtype=object))


def _cluster_areas(dist: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Total area of each group of units that touch (distance 0, so ``p = 1`` between them)."""
    touch = dist == 0.0
    np.fill_diagonal(touch, False)
    ncomp, label = connected_components(coo_matrix(touch), directed=False)
    return np.bincount(label, weights=area, minlength=ncomp)


def _distances(geoms: np.ndarray, cutoff: float) -> np.ndarray:
    """Edge-to-edge distances (metres) of the pairs within ``cutoff``; inf elsewhere."""
    n = geoms.size
    d = np.full((n, n), np.inf)
    np.fill_diagonal(d, 0.0)
    if n < 2:
        return d
    if math.isfinite(cutoff):
        a, b = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=cutoff)
        keep = a < b
        a, b = a[keep], b[keep]
    else:
        a, b = np.triu_indices(n, 1)
    dd = shapely.distance(geoms[a], geoms[b])
    d[a, b] = dd
    d[b, a] = dd
    return d


# ============================================================================= input checks
def _polygon_parts(geoms: np.ndarray) -> np.ndarray:
    """Single polygons with area > 0 from any geometries (lines and points of a cut dropped)."""
    geoms = np.asarray(geoms, dtype=object)
    if geoms.size == 0:
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(geoms)
    parts = parts[np.isin(shapely.get_type_id(parts), (3, 6, 7))]
    # collections (rare: a cut made of a polygon and a line) are flattened once more
    while parts.size and (shapely.get_type_id(parts) != 3).any():
        parts = shapely.get_parts(parts)
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6, 7))]
    return parts[shapely.area(parts) > 0]


def _metres(crs, what: str) -> CRS:
    if crs is None:
        raise CRSError(f"{what}: no CRS; ProtConn needs a projected CRS in metres. Set it with "
                       "gdf.set_crs(...)")
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        raise CRSError(f"{what}: CRS {crs.name!r} is geographic (degrees); ProtConn needs areas "
                       "and distances in metres. Reproject first, e.g. "
                       "gdf.to_crs('+proj=laea +lat_0=45 +lon_0=115 +units=m')")
    units = {ax.unit_name for ax in crs.axis_info}
    if not units <= {"metre", "meter"}:
        raise CRSError(f"{what}: CRS {crs.name!r} has axis units {sorted(units)}, not metres; "
                       "reproject to a metric CRS")
    return crs


def _pa_geometries(protected_areas) -> tuple[np.ndarray, CRS]:
    if isinstance(protected_areas, gpd.GeoDataFrame):
        geoms = protected_areas.geometry
    elif isinstance(protected_areas, gpd.GeoSeries):
        geoms = protected_areas
    else:
        raise InputError(f"protected_areas must be a GeoDataFrame or GeoSeries, got "
                         f"{type(protected_areas).__name__}")
    crs = _metres(geoms.crs, "protected_areas")
    arr = np.asarray(geoms.values, dtype=object)
    _check_polygons(arr, geoms.index, "protected_areas")
    return arr, crs


def _check_polygons(arr: np.ndarray, index, what: str) -> None:
    missing = [index[i] for i, g in enumerate(arr) if g is None or shapely.is_empty(g)]
    if missing:
        raise InputError(f"{what}: row(s) {missing[:10]} have no geometry; drop them first")
    types = shapely.get_type_id(arr)
    bad = [index[i] for i in np.flatnonzero(~np.isin(types, (3, 6)))]
    if bad:
        raise InputError(f"{what}: row(s) {bad[:10]} are not polygons; ProtConn needs polygon "
                         "areas (buffer point records to their reported area first)")
    invalid = np.flatnonzero(~shapely.is_valid(arr))
    if invalid.size:
        i = invalid[0]
        raise InputError(f"{what}: row {index[i]!r} is an invalid polygon "
                         f"({shapely.is_valid_reason(arr[i])}); repair it with shapely.make_valid "
                         "or read the layer with vectors.read_protected_areas / read_countries")


def _same_crs(gdf, crs: CRS, what: str) -> None:
    if gdf.crs is None or CRS.from_user_input(gdf.crs) != crs:
        name = CRS.from_user_input(gdf.crs).name if gdf.crs is not None else None
        raise CRSError(f"{what} (CRS {name!r}) and protected_areas (CRS {crs.name!r}) must share "
                       "one CRS; reproject one with .to_crs(other.crs)")


def _region_geometry(region, crs: CRS, what: str):
    if isinstance(region, (gpd.GeoDataFrame, gpd.GeoSeries)):
        _same_crs(region, crs, what)
        geoms = region.geometry if isinstance(region, gpd.GeoDataFrame) else region
        arr = np.asarray(geoms.values, dtype=object)
        if arr.size == 0:
            raise InputError(f"{what}: no features")
        _check_polygons(arr, geoms.index, what)
        geom = arr[0] if arr.size == 1 else shapely.union_all(arr)
    elif isinstance(region, shapely.Geometry):
        arr = np.array([region], dtype=object)
        _check_polygons(arr, [0], what)
        geom = region
    else:
        raise InputError(f"{what} must be a GeoDataFrame, GeoSeries or shapely polygon, got "
                         f"{type(region).__name__}")
    if not shapely.area(geom) > 0:
        raise InputError(f"{what}: the polygon has no area")
    return geom


def _check_transboundary(value) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"transboundary must be a distance in metres (>= 0) or None, got "
                         f"{value!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise InputError(f"transboundary must be a finite distance >= 0 metres or None, got "
                         f"{value!r}")
    return v
