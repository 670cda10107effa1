"""The clustering's weighted DBSCAN gives scikit-learn's labels, to the label, on every class of points it meets:
metropolitan blobs on the rounding grid (aggregated, as the pipeline gives them), exact unrounded points, duplicate
points, chains that join two blobs through one core point, border points within reach of two clusters, weights of
one or of thousands, and thresholds from a single point's weight to more than every point together. The merge's
pairs and the densest place are checked against scikit-learn's haversine ball tree the same way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN
from sklearn.neighbors import BallTree

from cluster_profiles.compute.clustering import (
    close_pairs,
    densest_place,
    km_to_radians,
    pairs_within,
    to_radians,
    weighted_dbscan,
)

from .planted import offset


def sklearn_labels(lat, lon, people, radius_km: float, min_people: float) -> np.ndarray:
    model = DBSCAN(eps=km_to_radians(radius_km), min_samples=min_people, metric="haversine", algorithm="ball_tree")
    return model.fit(to_radians(lat, lon), sample_weight=np.asarray(people, dtype=float)).labels_


def blobs(seed: int, grid: float | None) -> pd.DataFrame:
    """Blobs of several sizes and spreads, some near each other, some points far away, weights Pareto-skewed;
    rounded to ``grid`` degrees and aggregated (as weighted_points does), or exact."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(rng.integers(3, 8)):
        centre = (rng.uniform(-60, 70), rng.uniform(-170, 170))
        spread = rng.uniform(1, 12)
        for _ in range(rng.integers(20, 400)):
            rows.append(offset(*centre, *rng.normal(0, spread, 2)))
        if rng.random() < 0.5:  # a neighbour 20-40 km away: joined or not through its border
            near = offset(*centre, rng.uniform(20, 40), 0.0)
            rows += [offset(*near, *rng.normal(0, spread, 2)) for _ in range(rng.integers(20, 200))]
    rows += [(rng.uniform(-60, 70), rng.uniform(-170, 170)) for _ in range(50)]
    frame = pd.DataFrame(rows, columns=["lat", "lon"])
    frame["people"] = np.floor(rng.pareto(1.2, len(frame)) + 1)
    if grid is not None:
        frame["lat"], frame["lon"] = (frame["lat"] / grid).round() * grid, (frame["lon"] / grid).round() * grid
        frame = frame.groupby(["lat", "lon"], as_index=False)["people"].sum()
    return frame


@pytest.mark.parametrize("grid", [0.01, None])
@pytest.mark.parametrize("seed", range(4))
def test_weighted_dbscan_gives_scikit_learns_labels(seed, grid):
    frame = blobs(seed, grid)
    total = int(frame["people"].sum())
    for radius_km in (2.0, 15.0, 40.0):
        for min_people in (1, 5, 60, 400, total, total + 1):
            ours = weighted_dbscan(frame["lat"], frame["lon"], frame["people"], radius_km, min_people)
            theirs = sklearn_labels(frame["lat"], frame["lon"], frame["people"], radius_km, min_people)
            np.testing.assert_array_equal(ours, theirs, err_msg=f"radius {radius_km}, min_people {min_people}")


def test_duplicates_chains_and_shared_border_points_as_scikit_learn():
    # two dense ends joined by a chain of light points, duplicate points, and border points between two clusters
    lat = [40.0, 40.0, 40.0, 40.1, 40.2, 40.3, 40.4, 40.4, 40.5, 40.25, 40.25]
    lon = [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.01, 10.01]
    people = [30, 1, 1, 2, 2, 2, 30, 1, 1, 1, 1]
    for radius_km in (5.0, 11.2, 12.0, 23.0):
        for min_people in (2, 3, 4, 31, 33):
            np.testing.assert_array_equal(weighted_dbscan(lat, lon, people, radius_km, min_people),
                                          sklearn_labels(lat, lon, people, radius_km, min_people))


@pytest.mark.parametrize("seed", range(4))
def test_pairs_and_densest_place_as_the_haversine_ball_tree(seed):
    frame = blobs(seed, 0.01)
    coords = to_radians(frame["lat"], frame["lon"])
    tree = BallTree(coords, metric="haversine")
    for radius_km in (0.0, 1.5, 15.0):
        found = tree.query_radius(coords, r=km_to_radians(radius_km))
        expected = {(i, int(j)) for i, near in enumerate(found) for j in near if i < j}
        assert {tuple(pair) for pair in pairs_within(coords, radius_km).tolist()} == expected
        groups = np.arange(len(frame)) // 7
        expected_groups = {(min(groups[i], groups[j]), max(groups[i], groups[j]))
                           for i, j in expected if groups[i] != groups[j]}
        assert {tuple(pair) for pair in close_pairs(coords, groups, radius_km).tolist()} == expected_groups
        people = frame["people"].to_numpy()
        within = np.array([people[near].sum() for near in found])
        frame_i = frame.assign(lat_i=np.round(frame["lat"] / 0.01).astype(int),
                               lon_i=np.round(frame["lon"] / 0.01).astype(int))
        densest = densest_place(frame_i, radius_km)
        assert densest is not None
        assert (densest.people, densest.lat, densest.lon) == (int(within.max()), frame["lat"].iloc[int(np.argmax(within))],
                                                              frame["lon"].iloc[int(np.argmax(within))])
