"""A flyway site network: wetland sites as nodes, legs within a flight range, seasonal roles.

The model is for one species at a time. Two sites are joined by a *leg* when their great-circle
(geodesic) distance on the WGS 84 ellipsoid is at most the species' maximum single-leg distance;
a bird may chain any number of legs through any site, whatever its role. Breeding -> wintering
connectivity is then a question of graph components, and the importance of a site is what its
loss does to those connections.
"""

from __future__ import annotations

from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import InputError

__all__ = ["FlywayNetwork", "ROLES", "SITE_COLUMNS", "GEOD", "LEG_COLUMNS", "IMPACT_COLUMNS",
           "geodesic_km"]

#: Seasonal roles a site can have for one species.
ROLES = ("breeding", "stopover", "wintering")

#: Columns :class:`FlywayNetwork` needs in its ``sites`` table.
SITE_COLUMNS = ("site_id", "lon", "lat", "role", "area_km2")

#: The Earth model of every distance here: geodesics on the WGS 84 ellipsoid (Karney 2013,
#: as implemented by PROJ's ``geod``), accurate to a few nanometres.
GEOD = Geod(ellps="WGS84")

#: Columns of :meth:`FlywayNetwork.legs` (besides ``geometry``).
LEG_COLUMNS = ("leg_id", "from_site", "to_site", "from_role", "to_role", "dist_km")

#: Columns of :meth:`FlywayNetwork.removal_impact`.
IMPACT_COLUMNS = ("role", "connections_lost", "critical", "pairs_before", "pairs_lost",
                  "breeding_cut_off")

#: Vertices (including both ends) of each great-circle leg drawn by :meth:`FlywayNetwork.legs`.
_LEG_VERTICES = 33


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance between points on the WGS 84 ellipsoid, in km (arrays broadcast).

    Uses :data:`GEOD` (``pyproj.Geod(ellps="WGS84").inv``, Karney's algorithm), the distance a
    bird flies along the shortest path over the ellipsoid, ignoring altitude and wind.
    """
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                    for v in (lon1, lat1, lon2, lat2)))
    _, _, metres = GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    return np.asarray(metres, dtype=float).reshape(lon1.shape) / 1000.0


class FlywayNetwork:
    """The site network of one migratory species.

    Parameters
    ----------
    sites : pandas.DataFrame
        One row per site with columns ``site_id`` (unique), ``lon`` and ``lat`` (WGS 84 degrees),
        ``role`` (``"breeding"``, ``"stopover"`` or ``"wintering"``) and ``area_km2`` (>= 0, the
        node attribute of dPC). Other columns are kept in :attr:`sites`.
    max_leg_km : float
        Maximum single-leg (non-stop) flight distance of the species, km. Sites at most this far
        apart (geodesic distance, inclusive) are joined by a leg.

    Attributes
    ----------
    sites : pandas.DataFrame
        The input rows, sorted by ``site_id`` (so that every result is independent of the input
        row order) and indexed by it.
    max_leg_km : float
    distances_km : pandas.DataFrame
        Geodesic distance between every pair of sites, km (n x n, ``site_id`` both ways).
    adjacency : numpy.ndarray of bool, shape (n, n)
        ``True`` where a leg joins two sites (symmetric, diagonal False).

    Notes
    -----
    Distances are geodesics on the WGS 84 ellipsoid (:data:`GEOD`). Memory is O(n**2) for the
    distance matrix, fine for the tens to hundreds of sites of a flyway;
    :meth:`removal_impact` runs one connected-components search per site, O(n (n + E)).

    Examples
    --------
    A chain breeding - stopover - wintering with legs of 400 km and a 500 km range:

    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["B", "S", "W"], "lon": [0.0, 0.0, 0.0],
    ...                       "lat": [0.0, 3.6, 7.2], "role": ["breeding", "stopover", "wintering"],
    ...                       "area_km2": [10.0, 10.0, 10.0]})
    >>> net = FlywayNetwork(sites, max_leg_km=500)
    >>> net.removal_impact()[["connections_lost", "critical"]].loc["S"].tolist()
    [1.0, True]
    """

    def __init__(self, sites: pd.DataFrame, *, max_leg_km: float):
        self.max_leg_km = _check_range(max_leg_km)
        self.sites = _check_sites(sites)
        ids = self.sites.index
        lon = self.sites["lon"].to_numpy(float)
        lat = self.sites["lat"].to_numpy(float)
        n = len(ids)
        ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        d = geodesic_km(lon[ii], lat[ii], lon[jj], lat[jj])
        d = np.minimum(d, d.T)  # exact symmetry whatever the rounding of the forward/back solve
        np.fill_diagonal(d, 0.0)
        self.distances_km = pd.DataFrame(d, index=ids.copy(), columns=ids.copy())
        adj = d <= self.max_leg_km
        np.fill_diagonal(adj, False)
        self.adjacency = adj

    # -------------------------------------------------------------------------------- basics
    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def n_legs(self) -> int:
        return int(np.count_nonzero(np.triu(self.adjacency, 1)))

    @property
    def roles(self) -> np.ndarray:
        return self.sites["role"].to_numpy()

    def __repr__(self) -> str:
        return (f"FlywayNetwork(sites={self.n_sites}, legs={self.n_legs}, "
                f"max_leg_km={self.max_leg_km:g}, connected_pairs={self.n_connected_pairs})")

    def leg_distances(self) -> np.ndarray:
        """Distance matrix with ``inf`` where no leg joins two sites (km), as graph metrics take it."""
        d = np.where(self.adjacency, self.distances_km.to_numpy(), np.inf)
        np.fill_diagonal(d, 0.0)
        return d

    # -------------------------------------------------------------------------- connectivity
    def _labels(self, removed: int | None = None) -> np.ndarray:
        """Component label of each site; ``-1`` for the removed site."""
        adj = self.adjacency
        if removed is not None:
            adj = adj.copy()
            adj[removed, :] = False
            adj[:, removed] = False
        _, labels = connected_components(csr_matrix(adj), directed=False)
        labels = labels.astype(np.int64)
        if removed is not None:
            labels[removed] = -1
        return labels

    @cached_property
    def _base_labels(self) -> np.ndarray:
        return self._labels()

    def connected_pairs(self) -> pd.DataFrame:
        """Every breeding -> wintering pair joined by a chain of legs.

        Returns
        -------
        pandas.DataFrame
            ``breeding``, ``wintering`` (site ids), sorted; one row per connected pair.
        """
        labels = self._base_labels
        ids = self.sites.index.to_numpy()
        b = np.flatnonzero(self.roles == "breeding")
        w = np.flatnonzero(self.roles == "wintering")
        bb, ww = np.meshgrid(b, w, indexing="ij")
        ok = labels[bb] == labels[ww]
        return pd.DataFrame({"breeding": ids[bb[ok]], "wintering": ids[ww[ok]]})

    @property
    def n_connected_pairs(self) -> int:
        """Number of connected breeding -> wintering pairs."""
        return _pair_count(self._base_labels, self.roles == "breeding", self.roles == "wintering")

    def removal_impact(self) -> pd.DataFrame:
        """What the loss of each site does to breeding -> wintering connectivity.

        For each site ``s``, with ``C`` the set of breeding -> wintering pairs ``(b, w)`` joined
        by a chain of legs in the whole network and ``C_-s`` the same set once ``s`` and its legs
        are removed (a chain may pass through any site, whatever its role)::

            P_s               = {(b, w) in C : b != s, w != s}
            connections_lost  = |P_s - C_-s| / |P_s|     (0 when P_s is empty)
            critical          = some breeding site b != s reaches a wintering site in the whole
                                network and none without s

        Pairs that contain ``s`` itself are left out of ``connections_lost`` (the loss of an end
        is not a loss of connection), but ``critical`` counts them: a wintering site that is the
        only one some breeding site reaches is critical, and so is a breeding site that is the
        only link of another breeding site to the wintering grounds.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``site_id`` (sorted), columns ``role``, ``connections_lost`` (fraction
            0-1), ``critical`` (bool), ``pairs_before`` (``|P_s|``), ``pairs_lost``
            (``|P_s - C_-s|``) and ``breeding_cut_off`` (breeding sites left with no wintering
            site, ``;``-separated ids).

        Notes
        -----
        One connected-components search (scipy.sparse.csgraph) per site; pairs are counted per
        component (breeding count x wintering count), so no pair list is ever built.
        """
        roles = self.roles
        is_b = roles == "breeding"
        is_w = roles == "wintering"
        base = self._base_labels
        ids = self.sites.index.to_numpy()
        # breeding sites that reach some wintering site in the whole network
        b_ok = _reaches_wintering(base, is_b, is_w)
        n = self.n_sites
        before = np.zeros(n, np.int64)
        lost = np.zeros(n, np.int64)
        critical = np.zeros(n, bool)
        cut_off = [""] * n
        for s in range(n):
            keep = np.ones(n, bool)
            keep[s] = False
            before[s] = _pair_count(base, is_b & keep, is_w & keep)
            labels = self._labels(removed=s)
            after = _pair_count(labels, is_b & keep, is_w & keep)
            # pairs can only be lost: removing a node never joins two components
            lost[s] = before[s] - after
            b_after = _reaches_wintering(labels, is_b & keep, is_w & keep)
            stranded = np.flatnonzero(b_ok & keep & ~b_after)
            critical[s] = stranded.size > 0
            cut_off[s] = ";".join(str(ids[k]) for k in stranded)
        share = np.divide(lost, before, out=np.zeros(n, float), where=before > 0)
        return pd.DataFrame(
            {"role": roles, "connections_lost": share, "critical": critical,
             "pairs_before": before, "pairs_lost": lost, "breeding_cut_off": cut_off},
            index=self.sites.index.copy(),
        )

    # ---------------------------------------------------------------------------------- legs
    def legs(self) -> gpd.GeoDataFrame:
        """The legs as great-circle lines in EPSG:4326 (WGS 84 longitude/latitude).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per leg, ``from_site < to_site`` in ``site_id`` order: ``leg_id`` (0..),
            ``from_site``, ``to_site``, ``from_role``, ``to_role``, ``dist_km`` (geodesic, km)
            and a LineString of 33 vertices along the WGS 84 geodesic (so the drawn line is the
            flight line, not a straight line on a map). Longitudes are not wrapped: the
            network is meant for East Asia, far from the antimeridian.
        """
        i, j = np.nonzero(np.triu(self.adjacency, 1))
        ids = self.sites.index.to_numpy()
        lon = self.sites["lon"].to_numpy(float)
        lat = self.sites["lat"].to_numpy(float)
        lines = []
        for a, b in zip(i, j):
            mid = GEOD.npts(lon[a], lat[a], lon[b], lat[b], _LEG_VERTICES - 2)
            coords = [(lon[a], lat[a]), *mid, (lon[b], lat[b])]
            lines.append(shapely.LineString(coords))
        roles = self.roles
        table = pd.DataFrame({
            "leg_id": np.arange(i.size, dtype=np.int64),
            "from_site": ids[i],
            "to_site": ids[j],
            "from_role": roles[i],
            "to_role": roles[j],
            "dist_km": self.distances_km.to_numpy()[i, j],
        })
        return gpd.GeoDataFrame(table, geometry=lines, crs="EPSG:4326")


# ------------------------------------------------------------------------------------ helpers
def _pair_count(labels: np.ndarray, is_b: np.ndarray, is_w: np.ndarray) -> int:
    """Breeding x wintering pairs in the same component (labels < 0 are removed sites)."""
    ok = labels >= 0
    top = int(labels.max()) + 1 if labels.size else 0
    nb = np.bincount(labels[is_b & ok], minlength=top)
    nw = np.bincount(labels[is_w & ok], minlength=top)
    return int(np.dot(nb, nw))


def _reaches_wintering(labels: np.ndarray, is_b: np.ndarray, is_w: np.ndarray) -> np.ndarray:
    """For every site: is it a breeding site whose component holds a wintering site?"""
    comps = np.unique(labels[is_w & (labels >= 0)])
    return is_b & np.isin(labels, comps) & (labels >= 0)


def _check_range(value) -> float:
    if isinstance(value, bool):
        raise InputError(f"max_leg_km must be a number of km > 0, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"max_leg_km must be a number of km > 0, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise InputError(f"max_leg_km must be a finite number of km > 0, got {value!r}")
    return v


def _check_sites(sites) -> pd.DataFrame:
    if not isinstance(sites, pd.DataFrame):
        raise InputError(f"sites must be a pandas DataFrame with columns {list(SITE_COLUMNS)}, "
                         f"got {type(sites).__name__}")
    missing = [c for c in SITE_COLUMNS if c not in sites.columns]
    if missing:
        raise InputError(f"sites lacks column(s) {missing}; give {list(SITE_COLUMNS)} "
                         f"(it has {list(sites.columns)})")
    if sites.empty:
        raise InputError("sites is empty; give at least one site")
    table = sites.copy()
    if table["site_id"].isna().any() or (table["site_id"].astype(str).str.strip() == "").any():
        raise InputError("sites has a blank site_id; give every site an id")
    dup = table["site_id"][table["site_id"].duplicated()].unique().tolist()
    if dup:
        raise InputError(f"sites has duplicate site_id(s) {dup}; ids must be unique")
    for col, lo, hi in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
        vals = pd.to_numeric(table[col], errors="coerce")
        bad = table["site_id"][~np.isfinite(vals.to_numpy(float)) | (vals < lo) | (vals > hi)]
        if len(bad):
            raise InputError(f"sites.{col} must be WGS 84 degrees in [{lo:g}, {hi:g}]; site(s) "
                             f"{bad.tolist()} have {table.loc[bad.index, col].tolist()}")
        table[col] = vals.astype(float)
    roles = table["role"].astype(str).str.strip().str.lower()
    bad = table["site_id"][~roles.isin(ROLES)]
    if len(bad):
        raise InputError(f"sites.role must be one of {list(ROLES)}; site(s) {bad.tolist()} have "
                         f"{table.loc[bad.index, 'role'].tolist()}")
    table["role"] = roles
    area = pd.to_numeric(table["area_km2"], errors="coerce")
    bad = table["site_id"][~np.isfinite(area.to_numpy(float)) | (area < 0)]
    if len(bad):
        raise InputError(f"sites.area_km2 must be a finite number of km2 >= 0; site(s) "
                         f"{bad.tolist()} have {table.loc[bad.index, 'area_km2'].tolist()}")
    table["area_km2"] = area.astype(float)
    try:
        table = table.sort_values("site_id", kind="stable")
    except TypeError:
        raise InputError("sites.site_id mixes types that cannot be sorted (e.g. numbers and "
                         "text); give ids of one type") from None
    return table.set_index("site_id", drop=True)
