"""The locator map points at its cluster: the cluster's mark is the most visible one whatever its rank band
(drawn on top, at least as large as any other, ringed in a colour no other mark uses); a cluster of several
cities reads as one (one outline round them, one label; another cluster's cities joined by a line); the world
inset covers no mark and no label. Read from the drawn figure's artists, not from the map data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from map_checks import boxes_overlap, drawn_marks, economy_clusters
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from cluster_profiles.narrate.maps import draw
from cluster_profiles.narrate.maps.layout import profile_map_data
from cluster_profiles.narrate.profile import build_profile, clusters_of_edition
from cluster_profiles.pages.profile.sections import profile_map_data as page_map_data

FOCUS, OTHER = draw.COLOURS["focus"], draw.COLOURS["other"]


def _marks(data):
    fig = draw.map_figure(data, background=False)
    try:
        return drawn_marks(fig)
    finally:
        plt.close(fig)


def _is_focus(mark) -> bool:
    return mark["kind"] == "outline" or FOCUS in (mark["face"], mark["edge"])


def _is_other(mark) -> bool:
    return OTHER in (mark["face"], mark["edge"])


def assert_cluster_stands_out(data) -> None:
    marks = _marks(data)
    focus, others = [m for m in marks if _is_focus(m)], [m for m in marks if _is_other(m)]
    assert focus, "the cluster is not drawn"
    # on top: the cluster's markers are drawn after every other mark
    focus_dots = [m for m in focus if m["kind"] == "dot"]
    assert focus_dots and min(m["zorder"] for m in focus_dots) > max((m["zorder"] for m in others), default=-1)
    # at least as large as the largest other mark
    largest_other = max((m["size"] for m in others if m["kind"] == "dot"), default=0.0)
    assert max(m["size"] for m in focus) >= largest_other, (max(m["size"] for m in focus), largest_other)
    # ringed in a colour no other mark uses
    used_by_others = {c for m in others for c in (m["face"], m["edge"]) if c}
    assert {m["edge"] for m in focus if m["edge"]} - used_by_others - {"#ffffff", FOCUS}, \
        "the cluster's outline shares its colour with other marks"


def assert_inset_clear(data) -> None:
    """No drawn mark (its box with its edge; an outline or line by its shape) and no label meets the inset."""
    if data.inset is None:
        return
    x0, y0, width, height = data.inset.frame.pixels
    inset = (x0, y0, x0 + width, y0 + height)
    for mark in _marks(data):
        if mark["kind"] == "dot":
            cx, cy = mark["centre"]
            radius = mark["size"]
            nearest_x, nearest_y = min(max(cx, inset[0]), inset[2]), min(max(cy, inset[1]), inset[3])
            assert (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 >= radius ** 2, ("dot", mark["centre"], inset)
        elif boxes_overlap(mark["box"], inset):
            pad = (mark["box"][2] - mark["points"][:, 0].max())  # half the edge
            grown = Bbox.from_extents(inset[0] - pad, inset[1] - pad, inset[2] + pad, inset[3] + pad)
            assert not MplPath(mark["points"]).intersects_bbox(grown, filled=mark["kind"] == "outline"), (mark["kind"], inset)
    labels = data.panels[0].labels
    for box in labels.loc[labels["placed"], ["x0", "y0", "x1", "y1"]].to_numpy():
        assert not boxes_overlap(box, inset), ("label", box, inset)


@pytest.mark.parametrize("cluster, edition, economy, adjective", [
    ("Hefei", 2024, "CN", "Chinese"),  # rank 36 beside ranks 2-14
    ("Shenzhen–Hong Kong–Guangzhou", 2024, "CN", "Chinese"),  # three cities
    ("Daejeon", 2024, "KR", "Korean"),
    ("Chicago, IL", 2023, "US", "US"),
])
def test_the_cluster_is_the_most_visible_mark(fixture_tables, cluster, edition, economy, adjective):
    peers = economy_clusters(fixture_tables, edition, economy)
    assert_cluster_stands_out(profile_map_data(cluster, edition, peers, fixture_tables.cluster_locations, adjective))


def test_an_unranked_cluster_and_a_footprint_stand_out_too(fixture_tables):
    peers = economy_clusters(fixture_tables, 2024, "CN")
    unranked = peers.assign(size_rank=[pd.NA if c == "Hefei" else r for c, r in zip(peers["cluster"], peers["size_rank"])])
    assert_cluster_stands_out(profile_map_data("Hefei", 2024, unranked, fixture_tables.cluster_locations, "Chinese"))
    footprint = pd.DataFrame({"latitude": [31.80, 31.86, 31.95, 31.70], "longitude": [117.20, 117.30, 117.25, 117.10],
                              "weight": [4.0, 2.0, 1.0, 0.5]})
    assert_cluster_stands_out(profile_map_data("Hefei", 2024, peers, fixture_tables.cluster_locations, "Chinese",
                                               footprint=footprint))


def test_a_cluster_of_several_cities_reads_as_one(fixture_tables):
    peers = economy_clusters(fixture_tables, 2024, "CN")
    name = "Shenzhen–Hong Kong–Guangzhou"
    data = profile_map_data(name, 2024, peers, fixture_tables.cluster_locations, "Chinese")
    markers = data.panels[0].markers
    cities = markers.loc[markers["cluster"] == name, ["x", "y"]].to_numpy()
    assert len(cities) == 3
    outlines = [m for m in _marks(data) if m["kind"] == "outline"]
    assert len(outlines) == 1 and MplPath(outlines[0]["points"]).contains_points(cities).all()
    placed = data.panels[0].labels
    assert placed.loc[placed["placed"], "text"].str.contains(name).sum() == 1
    # another cluster of several cities, on Hefei's map: its cities joined by a line
    data = profile_map_data("Hefei", 2024, peers, fixture_tables.cluster_locations, "Chinese")
    markers = data.panels[0].markers
    ends = markers.loc[markers["cluster"] == "Shanghai–Suzhou", ["x", "y"]].to_numpy()
    lines = [m["points"] for m in _marks(data) if m["kind"] == "line"]
    assert any(np.allclose(sorted(map(tuple, line)), sorted(map(tuple, ends))) for line in lines)


def _spread_economy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clusters in every corner of their economy's box, and one in the middle: any corner inset at the map's
    first zoom covers one."""
    corners = {"North-West": (48.0, -120.0), "North-East": (48.0, -70.0), "South-West": (30.0, -120.0),
               "South-East": (30.0, -70.0), "Middle": (40.0, -95.0)}
    clusters = pd.DataFrame({"cluster": list(corners), "economy": "US", "size_rank": pd.array([1, 20, 40, 70, 5], "Int64")})
    locations = pd.DataFrame({"cluster": list(corners), "city": list(corners),
                              "latitude": [v[0] for v in corners.values()], "longitude": [v[1] for v in corners.values()]})
    return clusters, locations


@pytest.mark.parametrize("cluster", ["North-West", "South-West", "Middle"])
def test_the_inset_covers_no_mark_when_every_corner_is_taken(cluster):
    clusters, locations = _spread_economy()
    data = profile_map_data(cluster, 2024, clusters, locations, "US")
    assert_inset_clear(data)
    assert_cluster_stands_out(data)


def test_the_inset_covers_no_mark_on_the_fixture_maps(fixture_tables):
    for economy, adjective in [("CN", "Chinese"), ("US", "US"), ("DE", "German"), ("JP", "Japanese")]:
        peers = economy_clusters(fixture_tables, 2024, economy)
        for cluster in peers["cluster"]:
            assert_inset_clear(profile_map_data(cluster, 2024, peers, fixture_tables.cluster_locations, adjective))


@pytest.mark.slow
def test_every_shipped_profile_map_points_at_its_cluster_and_its_inset_covers_nothing(tables):
    """Every profile of every edition of data/, as its page draws it (pages.profile.sections.profile_map_data)."""
    count = 0
    for edition in tables.edition_list():
        for cluster in clusters_of_edition(tables, edition):
            data = page_map_data(build_profile(tables, cluster, edition))
            if not (data.table["role"] == "focus").any():
                continue  # no location: the page says so instead of drawing it
            assert_inset_clear(data)
            assert_cluster_stands_out(data)
            count += 1
    assert count > 100
