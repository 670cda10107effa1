"""What a map says in words: the locator map's alt text names every cluster with its rank, or says it is not drawn."""

from __future__ import annotations

import pandas as pd
from map_checks import economy_clusters

from cluster_profiles.narrate.maps import text
from cluster_profiles.narrate.maps.layout import NO_LOCATION_REASON, profile_map_data


def test_profile_map_of_an_unlocated_cluster_says_so(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "CN")
    locations = tables.cluster_locations[tables.cluster_locations["cluster"] != "Hefei"]
    data = profile_map_data("Hefei", 2024, peers, locations, "Chinese")
    assert list(data.missing["cluster"]) == ["Hefei"]
    alt = text.profile_alt_text(data, "Hefei", 2024, "Chinese")
    assert "Hefei not drawn (no location in the data)" in alt and "Not drawn, no location: Hefei." in alt


def test_profile_alt_text_names_every_cluster_with_its_rank(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "KR")
    data = profile_map_data("Daejeon", 2024, peers, tables.cluster_locations, "Korean")
    alt = text.profile_alt_text(data, "Daejeon", 2024, "Korean")
    assert alt.startswith("Locator map of the Korean clusters in the GII 2024 data, Daejeon")
    for cluster, rank in zip(peers["cluster"], peers["size_rank"]):
        if cluster != "Daejeon":
            assert (f"{cluster} {int(rank)}" if not pd.isna(rank) else f"{cluster} (rank not given)") in alt


def test_map_notes_name_the_clusters_not_drawn_then_those_without_a_label(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "CN")
    locations = tables.cluster_locations[tables.cluster_locations["cluster"] != "Hefei"]
    data = profile_map_data("Beijing", 2024, peers, locations, "Chinese")
    assert text.map_notes(data) == [f"Not on the map: Hefei ({NO_LOCATION_REASON})."]
    labels = data.panels[0].labels
    labels.loc[labels["label"] == "Beijing (3)", "placed"] = False  # as if it had found no room
    assert text.map_notes(data)[1:] == ["Drawn without a label for lack of room: Beijing (3)."]


def test_the_caption_says_how_the_cluster_is_drawn_and_only_what_is_drawn(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "CN")
    caption = text.profile_caption(profile_map_data("Shenzhen–Hong Kong–Guangzhou", 2024, peers, tables.cluster_locations,
                                                    "Chinese"), "Shenzhen–Hong Kong–Guangzhou", 2024, "Chinese")
    assert "(orange, its cities enclosed in one outline)" in caption and "ringed in black" in caption
    assert "marker size by rank band" in caption and "the cities of one cluster joined by a line" in caption
    # two clusters without a rank: no band is drawn, so the caption speaks of none
    unranked = pd.DataFrame({"cluster": ["Ankara", "Istanbul"], "economy": "TR",
                             "size_rank": pd.array([pd.NA, pd.NA], dtype="Int64")})
    locations = pd.DataFrame({"cluster": ["Ankara", "Istanbul"], "latitude": [39.92, 41.01], "longitude": [32.85, 28.95]})
    data = profile_map_data("Ankara", 2024, unranked, locations, "Turkish")
    caption = text.profile_caption(data, "Ankara", 2024, "Turkish")
    assert not any(kind == "band" for kind, _ in data.legend)
    assert "rank band" not in caption and "joined by a line" not in caption and "Ankara ringed in black" in caption


def test_the_alt_text_mentions_the_world_inset_only_when_drawn(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "KR")
    data = profile_map_data("Daejeon", 2024, peers, tables.cluster_locations, "Korean")
    assert data.inset is not None and "a small world map" in text.profile_alt_text(data, "Daejeon", 2024, "Korean")
    data.inset = None
    assert "world map" not in text.profile_alt_text(data, "Daejeon", 2024, "Korean")
