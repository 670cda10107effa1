"""Cluster names from cities and economy labels (METHOD.md §6 case 8)."""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_profiles.compute.labels import cluster_cities, cluster_name, economy_label, place_name, unique_names


def cities(*pairs) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["city", "output"])


def economies(*pairs) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["economy", "output"])


def test_name_joins_the_largest_cities_with_en_dashes():
    frame = cities(("Guangzhou", 20), ("Shenzhen", 50), ("Hong Kong", 25), ("Dongguan", 5))
    assert cluster_name(frame, 100, 0.10, 3) == "Shenzhen–Hong Kong–Guangzhou"


def test_name_keeps_at_most_max_cities_and_only_cities_above_the_share():
    frame = cities(("A", 40), ("B", 30), ("C", 20), ("D", 10))
    assert cluster_name(frame, 100, 0.10, 3) == "A–B–C"
    assert cluster_name(frame, 100, 0.25, 3) == "A–B"
    assert cluster_name(cities(("Tokyo", 95), ("Yokohama", 5)), 100, 0.10, 3) == "Tokyo"


def test_the_largest_city_is_named_even_below_the_share_and_missing_cities_do_not_count():
    frame = cities(("Small", 5), (None, 95))
    assert cluster_name(frame, 100, 0.10, 3) == "Small"
    assert cluster_name(cities((None, 10)), 10, 0.1, 3) is None


def test_ties_are_alphabetical():
    assert cluster_name(cities(("Beta", 10), ("Alpha", 10)), 20, 0.1, 3) == "Alpha–Beta"


@pytest.mark.parametrize(("split", "threshold", "label"), [
    ((60, 40), 0.10, "CH/FR"),
    ((80, 20), 0.25, "CH"),
    ((40, 60), 0.10, "FR/CH"),
    ((75, 25), 0.25, "CH/FR"),  # the threshold is inclusive
])
def test_cross_border_economy_label(split, threshold, label):
    assert economy_label(economies(("CH", split[0]), ("FR", split[1])), threshold) == label


def test_economy_label_ignores_addresses_without_an_economy_and_has_a_fallback():
    assert economy_label(economies(("CN", 30), (None, 70), ("HK", 3)), 0.10) == "CN"
    assert economy_label(economies((None, 5)), 0.10) == "ZZ"


def test_place_name_for_a_cluster_without_cities():
    assert place_name(-33.87, 151.21) == "Cluster at 33.87° S, 151.21° E"


def test_a_name_never_exceeds_the_schema_length():
    long = "X" * 150
    frame = cities((long, 40), ("Y" * 60, 30), ("Zed", 30))
    name = cluster_name(frame, 100, 0.10, 3)
    assert name == long + "–Zed" and len(name) <= 200


def test_cities_with_an_en_dash_of_their_own_stay_whole():
    assert cluster_cities(cities(("Aix–Marseille", 60), ("Toulon", 40)), 100, 0.1, 3) == ["Aix–Marseille", "Toulon"]


def test_look_alike_names_collide_too():
    names = unique_names({1: "Hefei", 2: "H\u0435fei"}, {1: "CN", 2: "CN"})  # Cyrillic е
    assert names[1] == "Hefei (CN)" and names[2] == "H\u0435fei (CN) 2"


def test_names_that_collide_get_their_economy_then_a_number():
    names = unique_names({1: "Cambridge", 2: "Cambridge", 3: "Paris", 4: "paris"}, {1: "GB", 2: "US", 3: "FR", 4: "FR"})
    assert names[1] == "Cambridge (GB)" and names[2] == "Cambridge (US)"
    assert names[3] == "Paris (FR)" and names[4] == "paris (FR) 2"
