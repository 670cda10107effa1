"""What the notebooks call: the cluster list as a table."""

from __future__ import annotations

import pytest

from cluster_profiles.errors import UnknownEditionError
from cluster_profiles.pages.profile import notebook as report


def test_list_clusters_of_an_edition_is_a_table_in_ranking_order(fixture_tables):
    listed = report.cluster_table(fixture_tables, 2024)
    assert list(listed.columns) == ["edition", "size rank", "cluster", "economy", "intensity rank"]
    assert set(listed["edition"]) == {2024}
    assert len(listed) == int((fixture_tables.clusters["edition"] == 2024).sum())
    ranks = listed["size rank"].dropna().tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert listed["size rank"].isna().tolist() == sorted(listed["size rank"].isna().tolist())  # unranked last


def test_list_clusters_of_every_edition(fixture_tables):
    assert len(report.cluster_table(fixture_tables)) == len(fixture_tables.clusters)


def test_list_clusters_of_an_unknown_edition_names_the_known_ones():
    with pytest.raises(UnknownEditionError, match="2023, 2024, 2025"):
        report.list_clusters(2019)
