import pytest

from cluster_profiles.errors import UnknownClusterError, UnknownEditionError
from cluster_profiles.narrate.profile import build_profile, ranking_is_complete_to


def test_hefei_2024(fixture_tables):
    profile = build_profile(fixture_tables, "hefei", 2024)
    assert profile.cluster == "Hefei"
    assert profile.economy_names == ["China"]
    assert (profile.economy.rank, profile.economy.count, profile.economy.adjective) == (12, 26, "Chinese")
    assert not profile.economy.derived
    assert profile.value("size_rank") == 36 and profile.value("intensity_rank") == 48
    assert list(profile.top_organisations["patents"]["organisation"]) == [
        "CHANGXIN MEMORY TECHNOLOGIES", "UNIVERSITY OF SCIENCE AND TECH. OF CHINA", "SUNGROW POWER SUPPLY CO., LTD"]
    assert profile.collaboration_share["articles"]["share_pct"] == 61
    assert profile.edition.pct_window == "2019–2023"


def test_economy_rank_is_counted_when_the_ranking_is_complete(fixture_tables):
    # GII 2023 ranks 1-34 are all known: Nanjing (11) follows SZ-HK-GZ (CN/HK), Beijing and Shanghai-Suzhou
    profile = build_profile(fixture_tables, "Nanjing", 2023)
    assert (profile.economy.rank, profile.economy.derived) == (4, True)
    assert profile.economy.count == 24


def test_economy_rank_is_not_guessed_when_the_ranking_has_holes(fixture_tables):
    profile = build_profile(fixture_tables, "Tehran", 2024)  # rank 38; 2024 ranks 16, 19-21... are unknown
    assert not ranking_is_complete_to(fixture_tables.clusters, 2024, 38)
    assert profile.economy.rank is None
    assert profile.economy.count == 1


def test_stated_economy_rank_wins_over_a_count(fixture_tables):
    assert build_profile(fixture_tables, "Nanjing", 2024).economy.rank == 4


def test_cross_border_cluster_counts_for_its_first_economy(fixture_tables):
    profile = build_profile(fixture_tables, "Shenzhen-Hong Kong-Guangzhou", 2024)
    assert profile.economy_names == ["China", "Hong Kong, China"]
    assert (profile.economy.rank, profile.economy.adjective) == (1, "Chinese")


def test_unknown_edition_lists_the_known_ones(fixture_tables):
    with pytest.raises(UnknownEditionError, match="2023, 2024, 2025"):
        build_profile(fixture_tables, "Hefei", 2019)


def test_cluster_missing_from_an_edition(fixture_tables):
    clusters = fixture_tables.clusters
    only_2024 = sorted(set(clusters[clusters["edition"] == 2024]["cluster"])
                       - set(clusters[clusters["edition"] == 2025]["cluster"]))
    with pytest.raises(UnknownClusterError, match="GII 2025"):
        build_profile(fixture_tables, only_2024[0], 2025)


def test_conflicts_and_gaps_travel_with_the_profile(fixture_tables):
    kuala_lumpur = build_profile(fixture_tables, "Kuala Lumpur", 2024)
    assert list(kuala_lumpur.conflicts["reported_value"]) == ["96"]
    cairo = build_profile(fixture_tables, "Cairo", 2025)
    assert cairo.gap_reason("collaboration_partners").startswith("The partner locations")
    assert cairo.previous is not None and cairo.previous["size_rank"] == 95


def test_a_folder_without_footprints_draws_city_points(tables):
    """cluster_footprints.csv is optional: the shipped folder has none, and its profiles have no footprint."""
    assert tables.cluster_footprints.empty
    assert build_profile(tables, "Hefei", 2024).footprint is None
