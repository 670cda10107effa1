"""Every cluster of the shipped data is found by the cities in its name, and by their common misspellings.

Properties that must hold for any data: each city of each name, in each edition, finds its cluster (or a list
holding it); so does each one-letter deletion and each swap of two neighbouring letters of a city of five
letters or more. The one exception is documented: a city that is itself another cluster's full name finds that
cluster ('Cambridge' is Cambridge, not Boston–Cambridge, MA).
"""

from __future__ import annotations

import csv
import functools

import pytest

from cluster_profiles import paths
from cluster_profiles.errors import UnknownClusterError
from cluster_profiles.names import city_parts, match_cluster, name_key, resolve_cluster


@functools.cache
def names_by_edition() -> dict[int, list[str]]:
    with (paths.DATA_DIR / "clusters.csv").open(encoding="utf-8", newline="") as file:
        by_edition: dict[int, list[str]] = {}
        for row in csv.DictReader(file):
            by_edition.setdefault(int(row["edition"]), []).append(row["cluster"])
    return by_edition


def _misspellings(city: str) -> set[str]:
    deletions = {city[:i] + city[i + 1:] for i in range(len(city))}
    swaps = {city[:i] + city[i + 1] + city[i] + city[i + 2:] for i in range(len(city) - 1)}
    return (deletions | swaps) - {city}


def _finds(typed: str, name: str, known: list[str]) -> bool:
    found = match_cluster(typed, known)
    if found.unique is not None and found.unique != name:
        return name_key(found.unique) == name_key(typed)  # typed is another cluster's full name: that one
    return name in found.names


def test_the_data_has_names_to_check():
    editions = names_by_edition()
    assert len(editions) >= 2 and all(len(names) >= 10 for names in editions.values())


@pytest.mark.parametrize("edition", sorted(names_by_edition()))
def test_each_city_of_each_name_finds_its_cluster(edition):
    known = names_by_edition()[edition]
    missed = [(city, name) for name in known for city in city_parts(name) if not _finds(city, name, known)]
    assert missed == []


@pytest.mark.parametrize("edition", sorted(names_by_edition()))
def test_each_one_letter_misspelling_of_a_city_finds_its_cluster(edition):
    known = names_by_edition()[edition]
    checked, missed = 0, []
    for name in known:
        for city in city_parts(name):
            if len(city) < 5:
                continue
            for typo in sorted(_misspellings(city)):
                checked += 1
                if not _finds(typo, name, known):
                    missed.append((typo, name))
    assert checked > 100 and missed == []


@pytest.mark.parametrize("typed, expected", [
    ("Shenzen", "Shenzhen–Hong Kong–Guangzhou"),
    ("Hong Kong", "Shenzhen–Hong Kong–Guangzhou"),
    ("San Jose", "San Jose–San Francisco, CA"),
    ("Tokyo", "Tokyo–Yokohama"),
    ("Kyoto", "Osaka–Kobe–Kyoto"),
    ("Boston", "Boston–Cambridge, MA"),
    ("Frankfurt", "Frankfurt am Main"),
    ("Frankfort", "Frankfurt am Main"),
    ("Sao Paulo", "São Paulo"),
])
def test_the_examples_of_the_issue(typed, expected):
    """In each edition that has the cluster: a city resolves to it, a prefix or a misspelling suggests it."""
    editions = {e: names for e, names in names_by_edition().items() if expected in names}
    if not editions:
        pytest.skip(f"{expected} is not in the data")
    for edition, known in editions.items():
        try:
            assert resolve_cluster(typed, known, edition) == expected
        except UnknownClusterError as error:
            assert f"Did you mean '{expected}'" in str(error) or f"'{expected}' or" in str(error)
