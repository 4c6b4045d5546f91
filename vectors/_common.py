"""Small shared helpers: CRS checks, field mapping, country-code sets, polygon repair."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from rasters.errors import CRSError, InputError

log = logging.getLogger("corridors.vectors")

#: Separator for reserves that straddle several countries (e.g. the Korean DMZ: ``"KOR;PRK"``).
ISO3_SEPARATOR = ";"


def require_columns(gdf, what: str, cols) -> None:
    """Raise :class:`InputError` unless ``gdf`` is a GeoDataFrame with every column of ``cols``."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    missing = sorted(set(cols) - set(gdf.columns))
    if missing:
        raise InputError(f"{what}: missing column(s) {missing}; columns are {list(gdf.columns)}")


def iso3_set(value) -> frozenset[str]:
    """The set of ISO 3166-1 alpha-3 codes in an ``iso3`` value (``"KOR;PRK"`` -> {KOR, PRK})."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    return frozenset(p.strip().upper() for p in str(value).split(ISO3_SEPARATOR) if p.strip())


def _iso3_codes() -> frozenset[str]:
    import iso3166

    return frozenset(iso3166.countries_by_alpha3)


def _suggest_iso3(code: str) -> str | None:
    """The alpha-3 code a wrong value probably meant ("Russia" -> RUS, "ru" -> RUS), or None."""
    import difflib

    import iso3166

    try:
        return iso3166.countries.get(code).alpha3
    except (KeyError, AttributeError):
        pass
    if len(code) <= 3:
        return None
    names = {c.name.lower(): c.alpha3 for c in iso3166.countries}
    names.update({c.apolitical_name.lower(): c.alpha3 for c in iso3166.countries})
    # "Russia" -> "Russian Federation": a name that starts with the value, else a close spelling
    close = [n for n in sorted(names) if n.startswith(code.lower())][:1]
    close = close or difflib.get_close_matches(code.lower(), list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def check_iso3(codes: Mapping[str, object], source: str, what: str = "iso3") -> None:
    """Raise :class:`InputError` unless every code is an ISO 3166-1 alpha-3 country code.

    Parameters
    ----------
    codes : mapping
        Label (a reserve's pa_id, a row) -> code value (``"KOR;PRK"`` holds two codes).
    source : str
        File or layer named in the message.
    what : str
        The column or key the codes come from.

    Notes
    -----
    The list is ISO 3166-1 as packaged by ``iso3166`` (officially assigned codes). Codes that
    look right but are not assigned (``ZZZ``) and names (``Russia``) are refused, each with a
    suggestion where one is found, since a wrong code silently breaks the border tests.
    """
    valid = _iso3_codes()
    bad: dict[str, list[str]] = {}
    for label, value in codes.items():
        raw = "" if value is None else str(value)
        for part in (p.strip() for p in raw.split(ISO3_SEPARATOR)):
            if part and part.upper() not in valid:
                bad.setdefault(part, []).append(str(label))
    if bad:
        shown = []
        for code, labels in list(bad.items())[:5]:
            hint = _suggest_iso3(code)
            tip = f" (did you mean {hint}?)" if hint else ""
            shown.append(f"{code!r}{tip} for {', '.join(labels[:3])}{' ...' if len(labels) > 3 else ''}")
        raise InputError(
            f"{source}: {len(bad)} value(s) of {what} are not ISO 3166-1 alpha-3 country codes: "
            f"{'; '.join(shown)}. Use the three-letter codes (RUS, CHN, MNG, PRK, KOR; several "
            f"joined by '{ISO3_SEPARATOR}')"
        )


def require_projected(gdf: gpd.GeoDataFrame, what: str, purpose: str) -> CRS:
    """Return the CRS of ``gdf`` or raise :class:`CRSError` unless it is projected (metres)."""
    if gdf.crs is None:
        raise CRSError(
            f"{what}: no CRS; {purpose} needs a projected CRS in metres. "
            "Set it with gdf.set_crs(...) or read the file with crs=..."
        )
    crs = CRS.from_user_input(gdf.crs)
    if not crs.is_projected:
        raise CRSError(
            f"{what}: CRS {crs.name!r} is geographic (degrees); {purpose} needs metres. "
            "Reproject first, e.g. gdf.to_crs('+proj=laea +lat_0=45 +lon_0=115 +units=m')"
        )
    return crs


def require_same_crs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what_a: str, what_b: str) -> None:
    """Raise :class:`CRSError` naming both layers unless they share a CRS."""
    if a.crs is None or b.crs is None or CRS.from_user_input(a.crs) != CRS.from_user_input(b.crs):
        name_a = CRS.from_user_input(a.crs).name if a.crs is not None else None
        name_b = CRS.from_user_input(b.crs).name if b.crs is not None else None
        raise CRSError(
            f"{what_a} (CRS {name_a!r}) and {what_b} (CRS {name_b!r}) must share one CRS; "
            f"reproject one with .to_crs(other.crs)"
        )


def map_fields(
    columns: Sequence[str],
    wanted: Mapping[str, Sequence[str]],
    fields: Mapping[str, str] | None,
    source: str,
) -> dict[str, str]:
    """Resolve our field names to source column names.

    Parameters
    ----------
    columns : sequence of str
        Columns present in the source.
    wanted : mapping
        Our name -> candidate source names, tried in order, case-insensitively.
    fields : mapping or None
        Explicit our name -> source column; wins over the candidates.
    source : str
        Label for error messages (usually the path).

    Returns
    -------
    dict
        Our name -> source column, for every name in ``wanted``.
    """
    fields = dict(fields or {})
    unknown = sorted(set(fields) - set(wanted))
    if unknown:
        raise InputError(
            f"{source}: unknown target field(s) {unknown} in fields=; "
            f"the targets are {sorted(wanted)}"
        )
    lower = {c.lower(): c for c in columns}
    out: dict[str, str] = {}
    for ours, candidates in wanted.items():
        if ours in fields:
            col = fields[ours]
            if col not in columns:
                raise InputError(
                    f"{source}: fields={{{ours!r}: {col!r}}} names a column that is not there; "
                    f"columns are {list(columns)}"
                )
            out[ours] = col
            continue
        for cand in candidates:
            if cand.lower() in lower:
                out[ours] = lower[cand.lower()]
                break
        else:
            raise InputError(
                f"{source}: no column for {ours!r} (looked for {list(candidates)}); "
                f"columns are {list(columns)}. Pass fields={{{ours!r}: 'YOUR_COLUMN'}}"
            )
    return out


def normalise_columns(
    gdf: gpd.GeoDataFrame,
    wanted: Mapping[str, Sequence[str]],
    fields: Mapping[str, str] | None,
    source: str,
    *,
    reserved: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Check the CRS, map the source columns to ours and keep the other columns as extras.

    Parameters
    ----------
    gdf : GeoDataFrame
        The source layer.
    wanted, fields, source
        As for :func:`map_fields`.
    reserved : sequence of str
        Source columns dropped because we compute them (e.g. ``n_parts``).

    Returns
    -------
    df : DataFrame
        Our columns (renamed, in ``wanted`` order) then the extras, without geometry.
    mapping : dict
        Our name -> source column.

    Raises
    ------
    CRSError
        The layer has no CRS.
    """
    if gdf.crs is None:
        raise CRSError(f"{source}: the layer has no CRS; set it (gdf.set_crs) or fix the file")
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    mapping = map_fields(cols, wanted, fields, source)
    ours = {v: k for k, v in mapping.items()}
    extras = [c for c in cols if c not in ours and c not in wanted and c not in reserved]
    return gdf[[*mapping.values(), *extras]].rename(columns=ours), mapping


def repair_polygons(geoms: gpd.GeoSeries, labels: Sequence[str], source: str) -> tuple[gpd.GeoSeries, dict]:
    """Make polygon geometries valid, keeping only their polygonal parts.

    Returns
    -------
    (GeoSeries, dict)
        Repaired geometries and ``{label: reason}`` for every geometry that was invalid
        (reason from GEOS ``is_valid_reason``).
    """
    arr = np.asarray(geoms.values, dtype=object)
    missing = [labels[i] for i, g in enumerate(arr) if g is None or shapely.is_empty(g)]
    if missing:
        raise InputError(
            f"{source}: {len(missing)} feature(s) have no geometry: {missing[:10]}; "
            "remove them or fix their geometry"
        )
    types = shapely.get_type_id(arr)
    bad = [labels[i] for i, t in enumerate(types) if t not in (3, 6, 7)]  # Polygon, MultiPolygon, GC
    if bad:
        raise InputError(
            f"{source}: feature(s) {bad[:10]} are not polygons; protected areas and countries must "
            "be polygons (buffer point records to their reported area first)"
        )
    invalid = ~shapely.is_valid(arr)
    reasons = {}
    if invalid.any():
        for i in np.flatnonzero(invalid):
            reasons[labels[i]] = shapely.is_valid_reason(arr[i])
        fixed = shapely.make_valid(arr[invalid])
        # make_valid may return collections with stray lines/points: keep the area only
        fixed = [polygonal_part(g) for g in fixed]
        arr = arr.copy()
        arr[invalid] = fixed
        empty = [labels[i] for i in np.flatnonzero(invalid) if shapely.is_empty(arr[i])]
        if empty:
            raise InputError(f"{source}: geometry of {empty} has no area after repair; fix it by hand")
        log.warning("%s: repaired %d invalid geometr%s: %s", source, len(reasons),
                    "y" if len(reasons) == 1 else "ies", reasons)
    types = shapely.get_type_id(arr)
    if (types == 7).any():  # valid collections: keep the polygons
        arr = np.array([polygonal_part(g) if t == 7 else g for g, t in zip(arr, types)], dtype=object)
    return gpd.GeoSeries(arr, index=geoms.index, crs=geoms.crs), reasons


def polygonal_part(geom):
    """The polygonal part of ``geom`` (a Polygon or MultiPolygon, possibly empty)."""
    if geom is None:
        return shapely.MultiPolygon()
    t = shapely.get_type_id(geom)
    if t in (3, 6):
        return geom
    if t == 7:
        polys = []
        for part in shapely.get_parts(geom):
            sub = polygonal_part(part)
            if not sub.is_empty:
                polys.extend(shapely.get_parts(sub))
        if not polys:
            return shapely.MultiPolygon()
        merged = shapely.union_all(polys)
        return merged
    return shapely.MultiPolygon()
