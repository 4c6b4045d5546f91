"""Camera-trap detections of identified individuals: Camtrap DP 1.0 packages and a plain CSV.

Camtrap DP 1.0 (Bubnicki et al. 2023, Remote Sensing in Ecology and Conservation,
doi:10.1002/rse2.374; schemas at https://camtrap-dp.tdwg.org): ``datapackage.json`` names the
``deployments``, ``media`` and ``observations`` resources. Used fields: deployments
``deploymentID``, ``latitude``, ``longitude`` (WGS 84); media ``mediaID``, ``deploymentID``;
observations ``observationID``, ``deploymentID``, ``mediaID``, ``eventStart`` (ISO 8601 with a
UTC offset), ``observationType``, ``scientificName``, ``individualID``. A detection is an
observation of type ``animal`` with an ``individualID``; other rows are counted in
``Detections.skipped``, never silently dropped.

Plain CSV: ``station``, ``x``/``y`` (in a CRS you name) or ``lon``/``lat``, ``datetime``
(ISO 8601; with a UTC offset, or give ``timezone``), ``species`` (scientific name),
``individual``; header spellings in :data:`corridors.evidence._tables.COLUMN_ALIASES`.

Species are matched by scientific name at species level (:func:`match_species`). Bad input,
every bad row one line naming file and line: unknown species names, stations without
coordinates, observations pointing to unknown deployments or media, dates that do not parse.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

import numpy as np

from ..errors import DataFormatError, InputError
from ._tables import coordinate_columns, find_columns, join_problems, parse_float, read_rows

__all__ = ["Detections", "read_detections", "match_species", "DETECTION_COLUMNS"]

log = logging.getLogger("corridors.evidence")

#: Columns of :attr:`Detections.table` (besides geometry).
DETECTION_COLUMNS = ["det_id", "station", "species", "sci_name", "individual", "time", "source", "line"]

_OBS_FIELDS = ["observationID", "deploymentID", "eventStart", "observationType", "scientificName", "individualID"]
_DEP_FIELDS = ["deploymentID", "latitude", "longitude"]
_MEDIA_FIELDS = ["mediaID", "deploymentID"]


@dataclass
class Detections:
    """Detections of identified individuals.

    Attributes
    ----------
    table : geopandas.GeoDataFrame
        One row per detection: ``det_id`` (1..n in file order), ``station``, ``species``
        (profile name), ``sci_name`` (as recorded), ``individual``, ``time`` (UTC), ``source``,
        ``line`` and the station point (WGS 84 for Camtrap DP and lon/lat tables).
    skipped : dict {reason: count}
        Rows that are not detections of an identified individual, by reason.
    source : str
    """

    table: object
    skipped: dict = field(default_factory=dict)
    source: str = ""

    def __len__(self) -> int:
        return len(self.table)


# ------------------------------------------------------------------------------- species names
def _name_parts(name: str) -> tuple[str, str, str | None] | None:
    """(genus, species, subspecies or None), lower case; authorship and 'ssp.' dropped."""
    words = [w for w in str(name).replace("_", " ").split() if w.lower().rstrip(".") not in ("ssp", "subsp")]
    if len(words) < 2 or not words[0].isalpha() or not words[1].isalpha() or not words[1].islower():
        return None
    sub = words[2] if len(words) > 2 and words[2].isalpha() and words[2].islower() else None
    return words[0].lower(), words[1], sub


def match_species(name: str, profiles) -> list[str]:
    """Names of the profiles whose ``accepted_names`` accept a recorded scientific name.

    Matching is at species level with the subspecies optional: a record ``Genus species``
    matches any accepted name of that species; ``Genus species subspecies`` matches an accepted
    name with that subspecies, or an accepted species-level name (a profile for the whole
    species). Case of the genus, extra spaces, ``ssp.`` and authorship are ignored.

    Parameters
    ----------
    name : str
    profiles : iterable of SpeciesProfile

    Returns
    -------
    list of str
        Usually zero or one profile name.
    """
    parts = _name_parts(name)
    if parts is None:
        return []
    g, s, sub = parts
    out = []
    for prof in profiles:
        for acc in prof.accepted_names:
            a = _name_parts(acc)
            if a is None or a[:2] != (g, s):
                continue
            if sub is None or a[2] is None or a[2] == sub:
                out.append(prof.name)
                break
    return out


# ------------------------------------------------------------------------------- times
def _tzinfo(timezone):
    if timezone is None:
        return None
    if isinstance(timezone, str):
        text = timezone.strip()
        if text[:1] in "+-" and ":" in text:
            sign = 1 if text[0] == "+" else -1
            hh, mm = text[1:].split(":", 1)
            return dt_timezone(sign * timedelta(hours=int(hh), minutes=int(mm)))
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"timezone {timezone!r}: not an IANA zone (e.g. 'Asia/Vladivostok') or an offset '+10:00'") from None
    return timezone


def _parse_time(text: str, tz, *, need_offset: str | None):
    """UTC datetime of an ISO 8601 text, or an error string."""
    t = text.strip()
    if not t:
        return None, "empty date-time"
    try:
        value = datetime.fromisoformat(t)
    except ValueError:
        return None, f"date-time {t!r} does not parse (ISO 8601 expected, e.g. 2021-03-05T06:40:00+10:00)"
    if value.tzinfo is None:
        if tz is None:
            return None, (f"date-time {t!r} has no UTC offset; " + (need_offset or
                          "add one (+10:00) or give the stations' time zone (timezone=, --timezone)"))
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt_timezone.utc), None


# ------------------------------------------------------------------------------- Camtrap DP
def _camtrap_resources(package: Path) -> dict[str, Path]:
    try:
        meta = json.loads(package.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFormatError(f"{package}: cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{package}: not valid JSON ({exc})") from exc
    profile = str(meta.get("profile", ""))
    if "camtrap-dp" in profile and not any(v in profile for v in ("/1.0/", "/1.0.", "/1.0-")):
        raise InputError(f"{package}: profile {profile!r} is not Camtrap DP 1.0; export the package as Camtrap DP 1.0 "
                         "(field names differ between versions)")
    out = {}
    for res in meta.get("resources", []) if isinstance(meta.get("resources"), list) else []:
        name = res.get("name") if isinstance(res, dict) else None
        if name in ("deployments", "media", "observations"):
            p = res.get("path")
            if isinstance(p, list):
                if len(p) != 1:
                    raise InputError(f"{package}: resource {name!r} is split over {len(p)} files; join them into one CSV")
                p = p[0]
            if not isinstance(p, str):
                raise InputError(f"{package}: resource {name!r} has no 'path' (inline data is not supported)")
            if "://" in p:
                raise InputError(f"{package}: resource {name!r} path {p!r} is a URL; download the file beside datapackage.json")
            out[name] = package.parent / p
    missing = [n for n in ("deployments", "media", "observations") if n not in out]
    if missing:
        raise InputError(f"{package}: resources {missing} are missing; a Camtrap DP package lists deployments, media and observations")
    return out


def _column_index(header, fields, path):
    pos = {h: k for k, h in enumerate(header)}
    missing = [f for f in fields if f not in pos]
    if missing:
        raise InputError(f"{path}: line 1: missing Camtrap DP field(s) {missing}; the header is {header}")
    return pos


def _read_camtrap(package: Path, profiles, problems):
    paths = _camtrap_resources(package)
    dpath = paths["deployments"]
    header, rows = read_rows(dpath)
    col = _column_index(header, _DEP_FIELDS, dpath)
    stations: dict[str, tuple | None] = {}
    dep_line: dict[str, int] = {}
    for line, rec in rows:
        rec = rec + [""] * (len(header) - len(rec))
        dep = rec[col["deploymentID"]].strip()
        if not dep:
            problems.append(f"{dpath}: line {line}: empty deploymentID")
            continue
        if dep in dep_line:
            problems.append(f"{dpath}: line {line}: deploymentID {dep!r} repeats line {dep_line[dep]}")
            continue
        dep_line[dep] = line
        lat, lon = parse_float(rec[col["latitude"]]), parse_float(rec[col["longitude"]])
        if lat is None or lon is None:
            problems.append(f"{dpath}: line {line}: deployment {dep!r} has no coordinates "
                            f"(latitude={rec[col['latitude']]!r}, longitude={rec[col['longitude']]!r})")
            stations[dep] = None
        elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.append(f"{dpath}: line {line}: deployment {dep!r}: latitude {lat}, longitude {lon} are not WGS 84 degrees")
            stations[dep] = None
        else:
            stations[dep] = (lon, lat)

    mpath = paths["media"]
    header, rows = read_rows(mpath)
    col = _column_index(header, _MEDIA_FIELDS, mpath)
    media = set()
    for line, rec in rows:
        rec = rec + [""] * (len(header) - len(rec))
        dep = rec[col["deploymentID"]].strip()
        if dep not in stations:
            problems.append(f"{mpath}: line {line}: media {rec[col['mediaID']]!r} points to unknown deployment {dep!r}")
        media.add(rec[col["mediaID"]].strip())

    opath = paths["observations"]
    header, rows = read_rows(opath)
    col = _column_index(header, _OBS_FIELDS, opath)
    has_media = "mediaID" in col
    out, skipped = [], {}
    for line, rec in rows:
        rec = rec + [""] * (len(header) - len(rec))
        dep = rec[col["deploymentID"]].strip()
        oid = rec[col["observationID"]].strip()
        if dep not in stations:
            problems.append(f"{opath}: line {line}: observation {oid!r} points to unknown deployment {dep!r}")
            continue
        mid = rec[col["mediaID"]].strip() if has_media else ""
        if mid and mid not in media:
            problems.append(f"{opath}: line {line}: observation {oid!r} points to unknown media {mid!r}")
            continue
        otype = rec[col["observationType"]].strip()
        if otype != "animal":
            skipped[f"observationType {otype or '(empty)'}"] = skipped.get(f"observationType {otype or '(empty)'}", 0) + 1
            continue
        ind = rec[col["individualID"]].strip()
        if not ind:
            skipped["animal without individualID"] = skipped.get("animal without individualID", 0) + 1
            continue
        out.append(dict(station=dep, xy=stations[dep], sci=rec[col["scientificName"]].strip(), individual=ind,
                        time_text=rec[col["eventStart"]], source=str(opath), line=line))
    return out, skipped, "camtrap"


# ------------------------------------------------------------------------------- plain CSV
def _read_plain(path: Path, crs, problems):
    header, rows = read_rows(path)
    cols = find_columns(header, ["station", "datetime", "species", "individual"], path)
    mode, ccols, ccrs = coordinate_columns(header, path, crs)
    kx, ky = ("lon", "lat") if mode == "lonlat" else ("x", "y")
    out, skipped = [], {}
    for line, rec in rows:
        rec = rec + [""] * (len(header) - len(rec))
        st = rec[cols["station"]].strip()
        if not st:
            problems.append(f"{path}: line {line}: empty station")
            continue
        x, y = parse_float(rec[ccols[kx]]), parse_float(rec[ccols[ky]])
        if x is None or y is None:
            problems.append(f"{path}: line {line}: station {st!r} has no coordinates "
                            f"({kx}={rec[ccols[kx]]!r}, {ky}={rec[ccols[ky]]!r})")
            continue
        if mode == "lonlat" and not (-180 <= x <= 180 and -90 <= y <= 90):
            problems.append(f"{path}: line {line}: station {st!r}: lon={x}, lat={y} are not degrees")
            continue
        ind = rec[cols["individual"]].strip()
        if not ind:
            skipped["row without individual id"] = skipped.get("row without individual id", 0) + 1
            continue
        out.append(dict(station=st, xy=(x, y), sci=rec[cols["species"]].strip(), individual=ind,
                        time_text=rec[cols["datetime"]], source=str(path), line=line))
    return out, skipped, ccrs


def read_detections(path, *, profiles=None, crs=None, timezone=None) -> Detections:
    """Read detections of identified individuals from a Camtrap DP 1.0 package or a plain CSV.

    Parameters
    ----------
    path : str or Path
        A Camtrap DP folder (or its ``datapackage.json``), or a ``.csv`` file.
    profiles : iterable of SpeciesProfile, optional
        Species whose names are accepted (default: every shipped profile).
    crs : CRS, optional
        CRS of ``x``/``y`` columns in a plain CSV.
    timezone : str, optional
        IANA zone (``"Asia/Vladivostok"``) or offset (``"+10:00"``) for plain-CSV date-times
        without an offset (Camtrap DP requires offsets).

    Returns
    -------
    Detections

    Raises
    ------
    InputError
        One line per bad row (file and line): unknown species, station without coordinates,
        observation pointing to an unknown deployment or media, unparseable date-time.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    if profiles is None:
        from ..datasets import species_names, species_profile

        profiles = [species_profile(n) for n in species_names()]
    profiles = list(profiles)
    path = Path(path)
    problems: list[str] = []
    if path.is_dir() or path.name == "datapackage.json":
        package = path / "datapackage.json" if path.is_dir() else path
        if not package.is_file():
            raise DataFormatError(f"{path}: no datapackage.json; give a Camtrap DP folder or a detections CSV")
        rows, skipped, kind = _read_camtrap(package, profiles, problems)
        ccrs, tz, need = "EPSG:4326", None, "Camtrap DP requires offsets (e.g. 2021-03-05T06:40:00+10:00)"
        source = str(package)
    elif path.suffix.lower() == ".csv":
        rows, skipped, ccrs = _read_plain(path, crs, problems)
        tz, need = _tzinfo(timezone), None
        source = str(path)
    else:
        raise DataFormatError(f"{path}: not a Camtrap DP folder nor a .csv file")
    recs = []
    accepted = sorted({n for p in profiles for n in p.accepted_names})
    for r in rows:
        where = f"{r['source']}: line {r['line']}"
        names = match_species(r["sci"], profiles)
        if len(names) != 1:
            if not names:
                problems.append(f"{where}: individual {r['individual']!r}: unknown species {r['sci']!r}; "
                                f"accepted names: {accepted}")
            else:
                problems.append(f"{where}: species {r['sci']!r} matches several profiles {names}; give the subspecies")
            continue
        t, err = _parse_time(r["time_text"], tz, need_offset=need)
        if err:
            problems.append(f"{where}: {err}")
            continue
        if r["xy"] is None:
            continue  # the deployment without coordinates is already reported
        recs.append(dict(station=r["station"], species=names[0], sci_name=r["sci"], individual=r["individual"],
                         time=t, source=r["source"], line=r["line"], x=r["xy"][0], y=r["xy"][1]))
    if problems:
        raise InputError(join_problems(problems))
    df = pd.DataFrame(recs, columns=["station", "species", "sci_name", "individual", "time", "source", "line", "x", "y"])
    # media- and event-level observations of one event repeat the same detection: keep it once
    before = len(df)
    df = df.drop_duplicates(["species", "individual", "station", "time"], keep="first").reset_index(drop=True)
    if len(df) < before:
        skipped["repeated detection (same individual, station and time)"] = before - len(df)
    df.insert(0, "det_id", np.arange(1, len(df) + 1, dtype=np.int64))
    df["time"] = pd.to_datetime(df["time"], utc=True)
    geom = shapely.points(df["x"].to_numpy(float), df["y"].to_numpy(float)) if len(df) else []
    table = gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=geom, crs=ccrs)
    if skipped:
        log.info("%s: skipped %s", source, ", ".join(f"{n} {k}" for k, n in sorted(skipped.items())))
    return Detections(table, dict(sorted(skipped.items())), source)
