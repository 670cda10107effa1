"""DBSCAN on the grid's rows (compute/grid_dbscan.py) gives the labels of DBSCAN on the pairs of points
(clustering.weighted_dbscan) and of scikit-learn, to the label: on the classes of points test_dbscan_equivalence.py
covers, on points at exactly the radius from each other (decided pair by pair), and it declines (None) the points
it does not describe simply, which then take the pairs' way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cluster_profiles.compute.clustering import EARTH_RADIUS_KM, find_clusters, weighted_dbscan
from cluster_profiles.compute.grid_dbscan import _band_pairs, _widths, grid_dbscan

from .test_dbscan_equivalence import blobs, sklearn_labels

GRID = 0.01


def on_grid(frame: pd.DataFrame, grid: float = GRID) -> pd.DataFrame:
    """The frame's points with their cells, sorted by row then column, as weighted_points gives them."""
    frame = frame.assign(lat_i=np.round(frame["lat"] / grid).astype(np.int64),
                         lon_i=np.round(frame["lon"] / grid).astype(np.int64))
    frame = frame.assign(lat=frame["lat_i"] * grid, lon=frame["lon_i"] * grid)
    return frame.sort_values(["lat_i", "lon_i"]).reset_index(drop=True)


def grid_labels(frame: pd.DataFrame, radius_km: float, min_people: float, grid: float = GRID):
    return grid_dbscan(frame["lat_i"], frame["lon_i"], frame["lat"], frame["lon"], grid, frame["people"],
                       radius_km, min_people)


@pytest.mark.parametrize("seed", range(6))
def test_the_grid_gives_the_labels_of_the_pairs_and_of_scikit_learn(seed):
    frame = on_grid(blobs(seed, GRID))
    total = int(frame["people"].sum())
    for radius_km in (0.5, 2.0, 15.0, 40.0):
        for min_people in (1, 5, 60, 400, total, total + 1):
            ours = grid_labels(frame, radius_km, min_people)
            assert ours is not None
            pairs = weighted_dbscan(frame["lat"], frame["lon"], frame["people"], radius_km, min_people)
            np.testing.assert_array_equal(ours, pairs, err_msg=f"radius {radius_km}, min_people {min_people}")
            if seed < 2:
                theirs = sklearn_labels(frame["lat"], frame["lon"], frame["people"], radius_km, min_people)
                np.testing.assert_array_equal(ours, theirs, err_msg=f"radius {radius_km}, min_people {min_people}")


def test_a_chain_of_border_points_between_two_clusters():
    # two dense cells 30 cells apart on one row, joined by light cells every 3 cells; border cells in reach of both
    lon_i = np.concatenate([[0], np.arange(3, 30, 3), [30], [15]])
    lat_i = np.concatenate([np.zeros(11, dtype=int), [1]])
    people = np.concatenate([[50], np.ones(9), [50], [1]])
    frame = on_grid(pd.DataFrame({"lat": lat_i * GRID + 45, "lon": lon_i * GRID + 7, "people": people}))
    for radius_km in (2.0, 2.4, 3.5, 12.0):
        for min_people in (2, 3, 51, 52):
            np.testing.assert_array_equal(grid_labels(frame, radius_km, min_people),
                                          sklearn_labels(frame["lat"], frame["lon"], frame["people"], radius_km,
                                                         min_people))


def test_cells_at_the_radius_itself_are_decided_pair_by_pair():
    """A radius within a millionth of a millionth of the distance between two cells of a row: the widths' margin
    leaves that column difference to the one-by-one test, which must decide as scikit-learn does (distance <=
    radius), a hair inside and a hair outside."""
    pair = on_grid(pd.DataFrame({"lat": [30.0, 30.0], "lon": [5.0, 5.05], "people": [3.0, 3.0]}))
    (lat1, lon1), (lat2, lon2) = np.radians(pair[["lat", "lon"]].to_numpy())
    distance_km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2)
                                                          * np.sin((lon2 - lon1) / 2) ** 2))
    radians = distance_km / EARTH_RADIUS_KM
    inner, outer = (_widths(np.array([3000]), np.array([0]), GRID, radians * (1 + s * 1e-8))[0] for s in (-1, 1))
    assert inner[0] == 4 and outer[0] == 5  # the fifth column is in the band
    key = pair["lat_i"].to_numpy() * (1 << 32) + pair["lon_i"].to_numpy() + (1 << 31)
    assert len(_band_pairs(key, [(key, inner.repeat(2), outer.repeat(2))])[0]) == 2  # found from both cells
    for radius_km, expected in ((distance_km * (1 + 1e-12), [0, 0]), (distance_km * (1 - 1e-12), [-1, -1])):
        # each cell is a core point only with the other counted
        assert list(grid_labels(pair, radius_km, 6)) == expected
        assert list(sklearn_labels(pair["lat"], pair["lon"], pair["people"], radius_km, 6)) == expected
    # and among more cells, rows above and below included
    lat_i = np.repeat(np.arange(3000, 3004), 12)
    lon_i = np.tile(np.arange(500, 512), 4)
    frame = on_grid(pd.DataFrame({"lat": lat_i * GRID, "lon": lon_i * GRID, "people": np.arange(len(lat_i)) % 5 + 1.0}))
    for radius_km in (distance_km * (1 + 1e-12), distance_km * (1 - 1e-12)):
        for min_people in (6, 20, 40, 80):
            ours = grid_labels(frame, radius_km, min_people)
            np.testing.assert_array_equal(ours, weighted_dbscan(frame["lat"], frame["lon"], frame["people"], radius_km,
                                                                min_people))
            np.testing.assert_array_equal(ours, sklearn_labels(frame["lat"], frame["lon"], frame["people"], radius_km,
                                                               min_people))


@pytest.mark.parametrize("case", ["antimeridian", "pole", "fractional people", "unsorted", "off the grid",
                                  "huge radius"])
def test_points_it_does_not_describe_take_the_pairs_way(case):
    frame = on_grid(pd.DataFrame({"lat": [10.0, 10.01, 10.02], "lon": [20.0, 20.0, 20.01], "people": [3.0, 4.0, 5.0]}))
    radius_km = 15.0
    if case == "antimeridian":
        frame = on_grid(frame.assign(lon=frame["lon"] + 159.95))
    elif case == "pole":
        frame = on_grid(frame.assign(lat=frame["lat"] + 75))
    elif case == "fractional people":
        frame = frame.assign(people=[3.5, 4.0, 5.0])
    elif case == "unsorted":
        frame = frame.iloc[::-1].reset_index(drop=True)
    elif case == "off the grid":
        frame = frame.assign(lat=frame["lat"] + 0.003)
    else:
        radius_km = 2000.0
    assert grid_labels(frame, radius_km, 5) is None
    found = find_clusters({"pct": frame}, radius_km, 5, 5.0, grid_degrees=GRID)  # the pairs' way, the same labels
    pairs = weighted_dbscan(frame["lat"], frame["lon"], frame["people"], radius_km, 5)
    assert found.kind_clusters["pct"] == len(set(pairs.tolist()) - {-1})


@pytest.mark.parametrize("seed", range(3))
def test_find_clusters_on_the_grid_or_on_the_pairs_alike(seed):
    pct, article = on_grid(blobs(seed, GRID)), on_grid(blobs(seed + 10, GRID))
    for radius_km, min_people in ((15.0, 60), (5.0, 20)):
        on_rows = find_clusters({"pct": pct, "article": article}, radius_km, min_people, 5.0, grid_degrees=GRID)
        on_pairs = find_clusters({"pct": pct, "article": article}, radius_km, min_people, 5.0)
        assert on_rows.kind_clusters == on_pairs.kind_clusters
        pd.testing.assert_frame_equal(on_rows.footprint, on_pairs.footprint)
        pd.testing.assert_frame_equal(on_rows.points, on_pairs.points)


def test_the_pipelines_points_take_the_grids_way():
    """weighted_points' coordinates are exactly the cells times the grid (DuckDB's lat_i * grid), so the pipeline's
    DBSCAN runs on the grid's rows rather than falling back, unseen, to the pairs."""
    import duckdb

    from cluster_profiles.compute.points import weighted_points

    frame = blobs(3, None)
    con = duckdb.connect()
    rows = frame.loc[frame.index.repeat(frame["people"].astype(int))]
    con.register("rows_frame", pd.DataFrame({
        "kind": "pct", "lat_i": np.round(rows["lat"] / GRID).astype(np.int64),
        "lon_i": np.round(rows["lon"] / GRID).astype(np.int64), "weight": 1.0}))
    con.execute("CREATE TABLE address_rows AS SELECT * FROM rows_frame")
    found = weighted_points(con, "pct", GRID)
    ours = grid_labels(found, 15.0, 60)
    assert ours is not None
    np.testing.assert_array_equal(ours, weighted_dbscan(found["lat"], found["lon"], found["people"], 15.0, 60))
