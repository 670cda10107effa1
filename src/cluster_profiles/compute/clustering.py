"""Step 3 of the method: weighted DBSCAN on great-circle distance, per kind, then the merge of
clusters whose nearest points are within ``merge_km`` (a PCT cluster with an article cluster
always; two clusters of one kind when ``merge_within_kind``).

The DBSCAN is scikit-learn's, to the label (``DBSCAN(metric="haversine", sample_weight=...)``; tests/compute/
test_clustering.py compares the two), computed from the pairs of points within the radius: a point is a core
point when the people within ``radius_km`` of it, its own included, number at least ``min_people`` (so a single
point of weight ``min_people`` is a cluster by itself; the radius is inclusive, distance <= radius); clusters
are the connected groups of core points, numbered in the order of their first point; a border point joins the
first cluster that reaches it, as scikit-learn's expansion does. The pairs come from a k-d tree over the points
on the unit sphere (the chord is monotonic in the great-circle distance), which finds them several times faster
than scikit-learn's haversine ball tree and spares the command scikit-learn's import. Memory grows with the
number of pairs, which is why points are rounded and aggregated first (METHOD.md §4.2).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from cluster_profiles.compute.grid_dbscan import grid_dbscan
from cluster_profiles.compute.neighbours import (  # noqa: F401 (EARTH_RADIUS_KM, haversine_km: importers find them here)
    EARTH_RADIUS_KM,
    EDGE_SHARE,
    NOISE,
    chord_of,
    haversine_km,
    km_to_radians,
    merged_components,
    number_clusters,
    to_radians,
    unit_vectors,
    within_radius,
)

SIDE_BY_SIDE_POINTS = 250_000  # the kinds' points together, at most, for their DBSCAN to run side by side


def pairs_within(coords_rad: np.ndarray, radius_km: float) -> np.ndarray:
    """The pairs (i, j), i < j, of points ([lat, lon] in radians) at most ``radius_km`` apart on the sphere."""
    if len(coords_rad) < 2:
        return np.empty((0, 2), dtype=np.intp)
    radians = km_to_radians(radius_km)
    xyz = unit_vectors(coords_rad)
    chord = chord_of(radians)
    # an unbalanced tree is built and searched faster here (points sorted by cell, no outliers to balance)
    tree = cKDTree(xyz, balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(chord * (1 + EDGE_SHARE), output_type="ndarray")
    if len(pairs) == 0 or radians >= np.pi:
        return pairs
    outside = np.flatnonzero(~within_radius(coords_rad, pairs[:, 0], pairs[:, 1], radians, xyz))
    if len(outside):
        pairs = np.delete(pairs, outside, axis=0)
    return pairs


def people_within(people: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Each point's people plus those of the points it is paired with (``pairs_within``)."""
    n = len(people)
    first, second = pairs[:, 0], pairs[:, 1]
    return people + np.bincount(first, people[second], n) + np.bincount(second, people[first], n)


def weighted_dbscan(lat_deg, lon_deg, people, radius_km: float, min_people: int) -> np.ndarray:
    """DBSCAN labels (``NOISE`` = -1, clusters 0, 1, ...) of weighted points, as scikit-learn's
    ``DBSCAN(eps=radius, min_samples=min_people, metric="haversine").fit(..., sample_weight=people)`` gives them.

    A point is a core point when the people within ``radius_km`` of it, its own included, number at
    least ``min_people``.
    """
    people = np.asarray(people, dtype=float)
    n = len(people)
    labels = np.full(n, NOISE, dtype=np.intp)
    if n == 0:
        return labels
    pairs = pairs_within(to_radians(lat_deg, lon_deg), radius_km)
    core = people_within(people, pairs) >= min_people
    if not core.any():
        return labels
    first, second = pairs[:, 0], pairs[:, 1]
    both = core[first] & core[second]
    component = merged_components(np.column_stack([first[both], second[both]]), n)
    cores = np.flatnonzero(core)
    labels[cores] = number_clusters(component[cores])
    # a border point joins the first cluster that reaches it: the lowest number among its core neighbours
    to_border = core[first] & ~core[second]
    from_border = ~core[first] & core[second]
    border = np.concatenate([second[to_border], first[from_border]])
    if len(border):
        reached = np.concatenate([labels[first[to_border]], labels[second[from_border]]])
        lowest = np.full(n, n, dtype=np.intp)
        np.minimum.at(lowest, border, reached)
        joined = lowest < n
        labels[joined] = lowest[joined]
    return labels


def close_pairs(coords_rad: np.ndarray, groups: np.ndarray, radius_km: float) -> np.ndarray:
    """The distinct (group, group) pairs, group a < group b, with some points within ``radius_km``."""
    pairs = pairs_within(coords_rad, radius_km)
    source, target = groups[pairs[:, 0]], groups[pairs[:, 1]]
    between = source != target
    low, high = np.minimum(source, target)[between], np.maximum(source, target)[between]
    if len(low) == 0:
        return np.empty((0, 2), dtype=int)
    span = int(high.max()) + 1
    key = np.unique(low.astype(np.int64) * span + high)  # one number per pair: sorted far faster than rows
    return np.column_stack([key // span, key % span]).astype(int)


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
    ``radius_km`` (inclusive, as DBSCAN counts); the first in the frame's order on a tie. None without points."""
    if points.empty:
        return None
    coords = to_radians(points["lat"], points["lon"])
    within = people_within(points["people"].to_numpy(dtype=float), pairs_within(coords, radius_km))
    best_index = int(np.argmax(within))
    best_people = float(within[best_index])
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
                  merge_within_kind: bool = True, grid_degrees: float | None = None) -> Clusters:
    """Weighted DBSCAN per kind on ``points[kind]`` (columns ``lat_i``, ``lon_i``, ``lat``, ``lon``,
    ``people``), then one cluster per connected group of kind clusters whose nearest points are
    within ``merge_km`` (across kinds always, within a kind when ``merge_within_kind``). With ``grid_degrees``
    (the points are the rounding grid's cells ``lat_i``, ``lon_i``), DBSCAN runs on the grid's rows
    (``grid_dbscan``) where it can, on the pairs of points elsewhere: the same labels either way."""
    labelled = []
    kind_clusters = {}
    kinds = sorted(points.items())

    def kind_labels(kind_frame: tuple[str, pd.DataFrame]) -> np.ndarray:
        frame = kind_frame[1]
        labels = None
        if grid_degrees is not None and len(frame):  # points on the rounding grid: the same labels, without pairs
            labels = grid_dbscan(frame["lat_i"], frame["lon_i"], frame["lat"], frame["lon"], grid_degrees,
                                 frame["people"], radius_km, min_people)
        if labels is None:
            labels = weighted_dbscan(frame["lat"], frame["lon"], frame["people"], radius_km, min_people)
        return labels

    # the kinds side by side: the k-d tree's search and numpy release the GIL, so two cores share the work; with
    # many points one after the other, so that one kind's pairs are held at a time (10^7 address rows give
    # 570,000 points; the clusters command peaks at 1.72 GiB so)
    together = sum(len(frame) for _, frame in kinds) <= SIDE_BY_SIDE_POINTS
    with ThreadPoolExecutor(max_workers=max(len(kinds), 1) if together else 1) as pool:
        kind_label_arrays = list(pool.map(kind_labels, kinds))
    for kind_index, ((kind, frame), labels) in enumerate(zip(kinds, kind_label_arrays)):
        kind_clusters[kind] = int(len(set(labels.tolist()) - {NOISE}))
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
