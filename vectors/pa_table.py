"""Protected-area tables: one row per reserve with ``pa_id``, ``name``, ``iso3`` and a valid
polygon, from any layer (our own files, WDPA records, Natural Earth)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from rasters.errors import InputError

from ._common import ISO3_SEPARATOR, check_iso3, iso3_set, log, normalise_columns, repair_polygons

__all__ = ["PA_FIELDS", "prepare_protected_areas"]

#: Our field -> source columns tried in order (case-insensitive). WDPA, Natural Earth and our own
#: names are covered; anything else goes through ``fields=``.
PA_FIELDS: dict[str, tuple[str, ...]] = {
    "pa_id": ("pa_id", "WDPAID", "WDPA_PID", "SITE_ID", "id"),
    "name": ("name", "NAME", "ORIG_NAME", "name_en"),
    "iso3": ("iso3", "ISO3", "PARENT_ISO", "PARENT_ISO3", "iso_a3", "adm0_a3"),
}


def prepare_protected_areas(
    gdf: gpd.GeoDataFrame,
    *,
    fields: Mapping[str, str] | None = None,
    crs=None,
    source: str = "protected areas",
    dissolve_duplicates: bool = False,
) -> gpd.GeoDataFrame:
    """Normalise an in-memory protected-area layer as :func:`read_protected_areas` does."""
    df, _ = normalise_columns(gdf, PA_FIELDS, fields, source, reserved=("n_parts", "repaired"))
    df["pa_id"] = _ids(df["pa_id"], source)
    df["name"] = df["name"].fillna("").astype(str)
    check_iso3(dict(zip(df["pa_id"], df["iso3"])), source, "iso3 (reserves named by pa_id)")
    df["iso3"] = [ISO3_SEPARATOR.join(sorted(iso3_set(v))) for v in df["iso3"]]
    no_country = df.loc[df["iso3"] == "", "pa_id"].tolist()
    if no_country:
        raise InputError(
            f"{source}: reserve(s) {no_country[:10]} have no country code; fill the iso3 column "
            "(ISO 3166-1 alpha-3, several joined by ';')"
        )
    geoms, reasons = repair_polygons(gdf.geometry, df["pa_id"].tolist(), source)
    out = gpd.GeoDataFrame(df, geometry=geoms.values, crs=gdf.crs)
    out["repaired"] = out["pa_id"].isin(list(reasons))
    if not dissolve_duplicates:
        counts = out["pa_id"].value_counts(sort=False)
        dup = counts[counts > 1]
        if len(dup):
            shown = ", ".join(f"{i!r} ({n} features)" for i, n in list(dup.items())[:10])
            raise InputError(
                f"{source}: {len(dup)} pa_id(s) are shared by several features: {shown}; give each "
                "reserve its own id, or if they are parts of one reserve say so with "
                "dissolve_duplicates=True (scenario: dissolve_duplicates = true under [inputs])"
            )
    out = _dissolve(out, source)
    if crs is not None:
        out = out.to_crs(crs)
    out.attrs["repaired"] = dict(reasons)
    return out


def _ids(series: pd.Series, source: str) -> pd.Series:
    blank = series.isna() | (series.astype(str).str.strip() == "")
    if blank.any():
        raise InputError(
            f"{source}: {int(blank.sum())} feature(s) have no pa_id (rows {list(series.index[blank][:10])}); "
            "every protected area needs an id"
        )
    # integral floats (WDPAID read as float) become "123", not "123.0"
    def fmt(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return series.map(fmt)


def _dissolve(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """One row per pa_id: union of the parts, country codes merged, other fields from the first."""
    counts = gdf.groupby("pa_id", sort=False).size()
    gdf = gdf.assign(n_parts=gdf["pa_id"].map(counts).astype("int32"))
    if (counts == 1).all():
        return gdf.reset_index(drop=True)
    multi = counts[counts > 1]
    log.info("%s: dissolving %d ids with several features: %s", source, len(multi), dict(multi))
    geom = gdf.geometry.name
    agg = {c: _first for c in gdf.columns if c not in (geom, "pa_id")}
    agg.update(iso3=_merge_iso3, repaired="any")
    out = gdf.dissolve(by="pa_id", aggfunc=agg, sort=False).reset_index()[list(gdf.columns)]
    # aggregated columns may come back as object: keep the source dtypes
    return out.astype({c: gdf[c].dtype for c in gdf.columns if c != geom})


def _first(values: pd.Series):
    """The first part's value, even when missing (pandas' "first" would skip NaN)."""
    return values.iloc[0]


def _merge_iso3(values: pd.Series) -> str:
    """Every country of the parts, sorted and joined: ["KOR", "PRK"] -> "KOR;PRK"."""
    return ISO3_SEPARATOR.join(sorted(set().union(*map(iso3_set, values))))
