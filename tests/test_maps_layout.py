"""Map data: each cluster's points, the profile's locator map and the edition overview's map, with labels
that never overlap each other nor cover a marker (checked on the frozen fixture folder)."""

from __future__ import annotations

import pandas as pd
import pytest
from map_checks import assert_labels_clear, economy_clusters

from cluster_profiles.narrate.maps import layout
from cluster_profiles.narrate.maps.shapes import economy_shape_ids
from cluster_profiles.narrate.maps.text import profile_alt_text


def test_locate_clusters_gives_one_point_per_city_and_names_the_unlocated(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    known = tables.clusters[(tables.clusters["edition"] == 2024)
                            & tables.clusters["cluster"].isin(["Shenzhen–Hong Kong–Guangzhou", "Hefei"])]
    clusters = pd.concat([known[["cluster", "economy", "size_rank"]],
                          pd.DataFrame({"cluster": ["Atlantis"], "economy": ["CN"],
                                        "size_rank": pd.array([pd.NA], dtype="Int64")})])
    points, missing = layout.locate_clusters(clusters, tables.cluster_locations)
    assert list(points.loc[points["cluster"] != "Hefei", "city"]) == ["Shenzhen", "Hong Kong", "Guangzhou"]
    assert set(points.loc[points["cluster"] == "Hefei", "band"]) == {"rank 26–50"}
    assert missing.to_dict("records") == [{"cluster": "Atlantis", "reason": layout.NO_LOCATION_REASON}]


def test_profile_map_highlights_the_cluster_and_labels_the_economy_with_ranks(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "CN")
    data = layout.profile_map_data("Hefei", 2024, peers, tables.cluster_locations, "Chinese")
    (panel,) = data.panels
    focus = data.table[data.table["role"] == "focus"]
    assert list(focus["cluster"]) == ["Hefei"] and set(data.table["cluster"]) == set(peers["cluster"])
    first = panel.labels.iloc[0]
    assert (first["label"], first["bold"], first["placed"]) == ("Hefei (36)", True, True)
    assert "Beijing (3)" in set(panel.labels["text"])
    assert panel.highlight_ids == economy_shape_ids("CN")
    lon_min, lat_min, lon_max, lat_max = panel.frame.lonlat_bounds()
    assert data.table["longitude"].between(lon_min, lon_max).all() and data.table["latitude"].between(lat_min, lat_max).all()
    assert_labels_clear(panel)
    # the world inset covers no marker, and its box is the map's area
    x0, y0, width, height = data.inset.frame.pixels
    for marker in panel.markers.itertuples():
        assert not (x0 <= marker.x <= x0 + width and y0 <= marker.y <= y0 + height), marker.cluster
    assert data.inset.box == panel.frame.lonlat_bounds()
    assert layout.unlabelled(data) == []


def test_profile_map_draws_a_footprint_instead_of_the_city(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "CN")
    footprint = pd.DataFrame({"latitude": [31.80, 31.86, 31.95, 31.70], "longitude": [117.20, 117.30, 117.25, 117.10],
                              "weight": [4.0, 2.0, 1.0, 0.5], "source": "records: test footprint"})
    data = layout.profile_map_data("Hefei", 2024, peers, tables.cluster_locations, "Chinese", footprint=footprint)
    own = data.table[data.table["role"] == "focus"]
    assert len(own) == 4 and set(own["kind"]) == {"footprint"} and list(own["weight"]) == [4.0, 2.0, 1.0, 0.5]
    assert set(data.table.loc[data.table["role"] == "other", "kind"]) == {"city"}
    markers = data.panels[0].markers
    hefei = markers[markers["cluster"] == "Hefei"].set_index("area")
    assert hefei.index.max() == layout.FOOTPRINT_AREA and hefei.index.min() < layout.FOOTPRINT_AREA / 4
    label = data.panels[0].labels.iloc[0]
    assert label["placed"] and label["anchor_x"] == pytest.approx(hefei["x"].mean())
    assert_labels_clear(data.panels[0])
    assert "as a footprint of 4 points" in profile_alt_text(data, "Hefei", 2024, "Chinese")
    with pytest.raises(ValueError, match="no points"):
        layout.profile_map_data("Hefei", 2024, peers, tables.cluster_locations, "Chinese", footprint=footprint.iloc[0:0])


@pytest.mark.parametrize("edition", [2023, 2024, 2025])
def test_overview_map_labels_never_overlap_or_cover_a_marker(fixture_tables, edition):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    clusters = tables.clusters[tables.clusters["edition"] == edition]
    data = layout.overview_map_data(edition, clusters, tables.cluster_locations)
    assert [p.name for p in data.panels] == ["World", *layout.REGIONS]
    for panel in data.panels:
        assert_labels_clear(panel)
    world = data.panels[0]
    # the world panel labels only what no regional panel shows, and no label sits on a region's outline
    regional = set(data.table.loc[data.table["region"] != "", "cluster"])
    assert not any(label.split(" (")[0] in regional for label in world.labels["label"])
    for _, (x0, y0, x1, y1) in world.outlines:
        for box in world.labels.loc[world.labels["placed"], ["x0", "y0", "x1", "y1"]].to_numpy():
            assert not (box[0] < x1 and x0 < box[2] and box[1] < y1 and y0 < box[3])
    europe = data.panels[2]
    assert set(europe.markers["cluster"]) >= set(data.table.loc[data.table["region"] == "Europe", "cluster"])
    # a label that found no room is listed, not lost
    placed = {label for p in data.panels for label in p.labels.loc[p.labels["placed"], "label"]}
    for cluster in set(data.table["cluster"]):
        rank = clusters.set_index("cluster").loc[cluster, "size_rank"]
        assert layout.cluster_label(cluster, rank) in placed | set(layout.unlabelled(data))


def test_overview_marker_size_follows_the_rank_band(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    clusters = tables.clusters[tables.clusters["edition"] == 2024]
    data = layout.overview_map_data(2024, clusters, tables.cluster_locations)
    europe = data.panels[2].markers.set_index("cluster")
    assert europe.loc["Paris", "band"] == "rank 11–25" and europe.loc["Madrid", "band"] == "rank 26–50"
    assert europe.loc["Paris", "area"] > europe.loc["Madrid", "area"]
    assert layout.band_of(None) == layout.UNRANKED_BAND and layout.band_of(10) == "rank 1–10" and layout.band_of(11) == "rank 11–25"
