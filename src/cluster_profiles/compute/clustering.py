"""Step 3 of the method: weighted DBSCAN on great-circle distance, per kind, then the merge of
clusters whose nearest points are within ``merge_km`` (a PCT cluster with an article cluster
always; two clusters of one kind when ``merge_within_kind``).

scikit-learn's DBSCAN counts a point's own ``sample_weight`` towards ``min_samples`` and treats the
radius as inclusive (distance <= eps), so a single point of weight ``min_people`` is a cluster by
itself. Its memory grows with the sum of the neighbourhood sizes, which is why points are rounded
and aggregated first (METHOD.md §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import DBSCAN
from sklearn.neighbors import BallTree

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius, as in METHOD.md §6 case 3
NOISE = -1
QUERY_CHUNK = 50_000  # points per BallTree radius query in the merge: bounds the memory of the pairs


def km_to_radians(km: float) -> float:
    return km / EARTH_RADIUS_KM


def to_radians(lat_deg, lon_deg) -> np.ndarray:
    """[lat, lon] in radians, the order and unit scikit-learn's haversine metric expects."""
    return np.radians(np.column_stack([np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float)]))


def haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def weighted_dbscan(lat_deg, lon_deg, people, radius_km: float, min_people: int) -> np.ndarray:
    """DBSCAN labels (``NOISE`` = -1, clusters 0, 1, ...) of weighted points.

    A point is a core point when the people within ``radius_km`` of it, its own included, number at
    least ``min_people``.
    """
    people = np.asarray(people, dtype=float)
    if len(people) == 0:
        return np.empty(0, dtype=int)
    model = DBSCAN(eps=km_to_radians(radius_km), min_samples=int(min_people), metric="haversine",
                   algorithm="ball_tree")
    return model.fit(to_radians(lat_deg, lon_deg), sample_weight=people).labels_


def close_pairs(coords_rad: np.ndarray, groups: np.ndarray, radius_km: float) -> np.ndarray:
    """The distinct (group, group) pairs, group a < group b, with some points within ``radius_km``."""
    if len(coords_rad) == 0:
        return np.empty((0, 2), dtype=int)
    tree = BallTree(coords_rad, metric="haversine")
    radius = km_to_radians(radius_km)
    found = [np.empty((0, 2), dtype=np.int64)]
    for start in range(0, len(coords_rad), QUERY_CHUNK):
        neighbours = tree.query_radius(coords_rad[start:start + QUERY_CHUNK], r=radius)
        sizes = np.fromiter((len(n) for n in neighbours), dtype=np.int64, count=len(neighbours))
        source = np.repeat(groups[start:start + len(neighbours)], sizes)
        target = groups[np.concatenate(neighbours)] if sizes.sum() else np.empty(0, dtype=np.int64)
        between = source != target
        pair = np.column_stack([np.minimum(source, target)[between], np.maximum(source, target)[between]])
        found.append(np.unique(pair, axis=0))
    return np.unique(np.concatenate(found), axis=0).astype(int).reshape(-1, 2)


def merged_components(pairs: np.ndarray, n_groups: int) -> np.ndarray:
    """Connected components of the groups joined by ``pairs``: the component of each group."""
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n_groups, n_groups))
    return connected_components(graph, directed=False)[1]


def merge_nearby(lat_deg, lon_deg, labels: np.ndarray, merge_km: float) -> np.ndarray:
    """Labels after joining clusters (of one kind) whose nearest points are within ``merge_km``."""
    labels = np.asarray(labels)
    clustered = labels != NOISE
    merged = labels.copy()
    if not clustered.any():
        return merged
    ids, groups = np.unique(labels[clustered], return_inverse=True)
    coords = to_radians(np.asarray(lat_deg)[clustered], np.asarray(lon_deg)[clustered])
    component = merged_components(close_pairs(coords, groups, merge_km), len(ids))
    merged[clustered] = component[groups]
    return merged


@dataclass(frozen=True)
class DensestPlace:
    """The point of one kind with the most people within ``radius_km`` of it, its own included: DBSCAN's
    test for a core point, so a kind has a cluster exactly when this count reaches ``min_people``."""

    people: int
    radius_km: float
    lat_i: int
    lon_i: int
    lat: float
    lon: float


def densest_place(points: pd.DataFrame, radius_km: float) -> DensestPlace | None:
    """The point of ``points`` (``lat_i``, ``lon_i``, ``lat``, ``lon``, ``people``) with the most people within
    ``radius_km`` (inclusive, as DBSCAN counts); the first in the frame's order on a tie. None without points.

    Queried in chunks, like the merge: its memory is the neighbourhoods DBSCAN has just held."""
    if points.empty:
        return None
    coords = to_radians(points["lat"], points["lon"])
    people = points["people"].to_numpy(dtype=float)
    tree = BallTree(coords, metric="haversine")
    best_people, best_index = -1.0, 0
    for start in range(0, len(coords), QUERY_CHUNK):
        neighbours = tree.query_radius(coords[start:start + QUERY_CHUNK], r=km_to_radians(radius_km))
        within = np.fromiter((people[n].sum() for n in neighbours), dtype=float, count=len(neighbours))
        here = int(np.argmax(within))
        if within[here] > best_people:
            best_people, best_index = float(within[here]), start + here
    row = points.iloc[best_index]
    return DensestPlace(int(round(best_people)), float(radius_km), int(row["lat_i"]), int(row["lon_i"]),
                        float(row["lat"]), float(row["lon"]))


@dataclass(frozen=True)
class Clusters:
    """The result of step 3.

    ``footprint``: one row per grid cell in a cluster (``lat_i``, ``lon_i``, ``lat``, ``lon``,
    ``cluster_id``, 1 = the most people); ``kind_clusters``: how many clusters DBSCAN found per kind
    before any merge; ``points``: every point of every kind with its DBSCAN label (for the notebook).
    """

    footprint: pd.DataFrame
    kind_clusters: dict[str, int]
    points: pd.DataFrame

    @property
    def count(self) -> int:
        return int(self.footprint["cluster_id"].nunique()) if len(self.footprint) else 0


def find_clusters(points: dict[str, pd.DataFrame], radius_km: float, min_people: int, merge_km: float,
                  merge_within_kind: bool = True) -> Clusters:
    """Weighted DBSCAN per kind on ``points[kind]`` (columns ``lat_i``, ``lon_i``, ``lat``, ``lon``,
    ``people``), then one cluster per connected group of kind clusters whose nearest points are
    within ``merge_km`` (across kinds always, within a kind when ``merge_within_kind``)."""
    labelled = []
    kind_clusters = {}
    for kind_index, (kind, frame) in enumerate(sorted(points.items())):
        labels = weighted_dbscan(frame["lat"], frame["lon"], frame["people"], radius_km, min_people)
        kind_clusters[kind] = int(len(set(labels) - {NOISE}))
        labelled.append(frame.assign(kind=kind, kind_index=kind_index, label=labels))
    every = pd.concat(labelled, ignore_index=True) if labelled else pd.DataFrame(
        columns=["lat_i", "lon_i", "lat", "lon", "people", "kind", "kind_index", "label"])
    clustered = every[every["label"] != NOISE].reset_index(drop=True)
    if clustered.empty:
        empty = pd.DataFrame({"lat_i": pd.Series(dtype="int64"), "lon_i": pd.Series(dtype="int64"),
                              "lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float),
                              "cluster_id": pd.Series(dtype="int64")})
        return Clusters(empty, kind_clusters, every.assign(cluster_id=pd.Series(pd.NA, index=every.index, dtype="Int64")))
    nodes, node_of_point = np.unique(clustered["kind_index"].to_numpy() * 10**9 + clustered["label"].to_numpy(),
                                     return_inverse=True)
    pairs = close_pairs(to_radians(clustered["lat"], clustered["lon"]), node_of_point, merge_km)
    if not merge_within_kind and len(pairs):
        node_kind = nodes // 10**9
        pairs = pairs[node_kind[pairs[:, 0]] != node_kind[pairs[:, 1]]]
    component = merged_components(pairs, len(nodes))[node_of_point]
    clustered = clustered.assign(component=component)
    # number the clusters by size (people over both kinds), ties by position, so ids are stable
    order = (clustered.groupby("component")
             .agg(people=("people", "sum"), lat_i=("lat_i", "min"), lon_i=("lon_i", "min"))
             .sort_values(["people", "lat_i", "lon_i"], ascending=[False, True, True]))
    cluster_id = {component: rank for rank, component in enumerate(order.index, start=1)}
    clustered["cluster_id"] = clustered["component"].map(cluster_id)
    footprint = (clustered.groupby(["lat_i", "lon_i"], as_index=False)
                 .agg(lat=("lat", "first"), lon=("lon", "first"), cluster_id=("cluster_id", "min"))
                 .sort_values(["cluster_id", "lat_i", "lon_i"]).reset_index(drop=True))
    every = every.merge(footprint[["lat_i", "lon_i", "cluster_id"]], on=["lat_i", "lon_i"], how="left")
    return Clusters(footprint, kind_clusters, every)
