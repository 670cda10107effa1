"""Who is within the radius of whom on the sphere, and how core points group: the pieces both DBSCANs share
(the pairs' way in ``clustering``, the grid's rows in ``grid_dbscan``), so that they decide alike."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius, as in METHOD.md §6 case 3
NOISE = -1
# the chord radius is widened by this share to find the pairs; those whose chord is this close to the radius are
# decided by the great-circle test scikit-learn's haversine metric applies (sin² of the half angle)
EDGE_SHARE = 1e-9


def km_to_radians(km: float) -> float:
    return km / EARTH_RADIUS_KM


def to_radians(lat_deg, lon_deg) -> np.ndarray:
    """[lat, lon] in radians, the order and unit scikit-learn's haversine metric expects."""
    return np.radians(np.column_stack([np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float)]))


def unit_vectors(coords_rad: np.ndarray) -> np.ndarray:
    """Points ([lat, lon] in radians) on the unit sphere: x, y, z."""
    lat, lon = coords_rad[:, 0], coords_rad[:, 1]
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def chord_of(radians: float) -> float:
    """The straight-line distance on the unit sphere between points ``radians`` apart along a great circle."""
    return 2 * np.sin(min(radians, np.pi) / 2)


def haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def within_radius(coords_rad: np.ndarray, first: np.ndarray, second: np.ndarray, radians: float,
                  xyz: np.ndarray | None = None) -> np.ndarray:
    """Which pairs (``first[k]``, ``second[k]``) of points ([lat, lon] in radians) are at most ``radians`` apart,
    for pairs already known to be within the radius widened by ``EDGE_SHARE``: by the chord, and at the edge by the
    great-circle test scikit-learn's haversine metric applies (sin² of the half angle)."""
    xyz = unit_vectors(coords_rad) if xyz is None else xyz
    chord = chord_of(radians)
    squared = np.zeros(len(first))
    for axis in range(3):  # one coordinate at a time: a third of the memory of gathering the points whole
        coordinate = np.ascontiguousarray(xyz[:, axis])
        squared += (coordinate[first] - coordinate[second]) ** 2
    inside = np.ones(len(first), dtype=bool)
    edge = np.flatnonzero(squared > (chord * (1 - EDGE_SHARE)) ** 2)
    if len(edge):  # scikit-learn's haversine test: sin²(Δlat/2) + cos·cos·sin²(Δlon/2) <= sin²(radius/2)
        a, b = coords_rad[first[edge]], coords_rad[second[edge]]
        reduced = (np.sin(0.5 * (a[:, 0] - b[:, 0])) ** 2
                   + np.cos(a[:, 0]) * np.cos(b[:, 0]) * np.sin(0.5 * (a[:, 1] - b[:, 1])) ** 2)
        inside[edge[reduced > np.sin(0.5 * radians) ** 2]] = False
    return inside


def number_clusters(component: np.ndarray) -> np.ndarray:
    """Cluster numbers 0, 1, ... of the core points (in the points' order) from their connected groups' ids:
    in the order of each group's first core point, the order in which scikit-learn starts them."""
    found, start = np.unique(component, return_index=True)
    number = np.empty(int(component.max()) + 1, dtype=np.intp)
    number[found[np.argsort(start)]] = np.arange(len(found))
    return number[component]


def merged_components(pairs: np.ndarray, n_groups: int) -> np.ndarray:
    """Connected components of the groups joined by ``pairs``: the component of each group."""
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n_groups, n_groups))
    return connected_components(graph, directed=False)[1]
