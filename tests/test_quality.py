"""Data-quality findings: reported with their place, never fixed."""

import pytest

from cluster_profiles.contract import quality
from cluster_profiles.contract.load import load_tables

from bad_inputs import HEFEI, HEFEI_TOP1, _rewrite, _set


def test_fixture_data_has_exactly_its_known_duplicate(fixture_tables):
    found = quality.findings(fixture_tables)
    assert [(f.cluster, f.file, f.column) for f in found] == [("Hefei", "top_organisations.csv", "organisation")]
    assert "listed twice among the top publishing organizations (ranks 1 and 3)" in found[0].message


@pytest.mark.parametrize("count, share, low, high", [
    (2069, 54, 2069 / 0.545, 2069 / 0.535),
    (92, 2, 92 / 0.025, 92 / 0.015),
    (5, 0, 5 / 0.005, float("inf")),
])
def test_implied_total_bounds(count, share, low, high):
    assert quality.implied_total_bounds(count, share) == pytest.approx((low, high))


def test_count_that_disagrees_with_its_share(data_copy):
    _rewrite(data_copy / "top_organisations.csv", _set("top_organisations.csv", HEFEI_TOP1, "share_pct", "30")[1])
    found = quality.counts_against_shares(load_tables(data_copy))
    assert len(found) == 1 and found[0].cluster == "Hefei" and "do not imply one cluster total" in found[0].message
    assert "CHANGXIN MEMORY TECHNOLOGIES 2,069 = 30%" in found[0].message


def test_hefei_counts_and_shares_agree(fixture_tables):
    assert quality.counts_against_shares(fixture_tables) == []


@pytest.mark.parametrize("share, words", [("60", "add up to 135%, not 100%"), ("5", "add up to 80%, not 100%")])
def test_field_shares_that_do_not_add_up(data_copy, share, words):
    other = {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "8"}
    _rewrite(data_copy / "top_fields.csv", _set("top_fields.csv", other, "share_pct", share)[1])
    found = quality.share_sums(load_tables(data_copy))
    assert len(found) == 1 and words in found[0].message and found[0].line > 1


def test_stated_previous_rank_against_the_previous_table(data_copy):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "previous_rank", "40")[1])
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", {"edition": "2024", "cluster": "São Paulo"},
                                              "previous_rank", "70")[1])
    found = quality.stated_ranks_against_tables(load_tables(data_copy))
    # Hefei has no 2023 row to compare with; São Paulo's 2023 table rank is 72
    assert [(f.cluster, f.message) for f in found] == [
        ("São Paulo", "The source gives the 2023 rank as 70; the GII 2023 table in the data says 72.")]


def test_top_organisations_summing_above_the_cluster_total(data_copy):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "pct_applications", "2100")[1])
    found = quality.top_counts_against_total(load_tables(data_copy))
    assert [(f.cluster, f.column) for f in found] == [("Hefei", "count")]
    assert "more than the cluster's total of 2,100" in found[0].message
    assert any(f.message == found[0].message for f in quality.findings(load_tables(data_copy)))


def test_a_share_that_contradicts_the_cluster_total(data_copy):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "pct_applications", "3000")[1])
    found = quality.shares_against_total(load_tables(data_copy))
    messages = [f.message for f in found]
    assert "CHANGXIN MEMORY TECHNOLOGIES: 2,069 of the cluster's 3,000 is 69.0%, not the 54% the source gives." in messages
    assert all(f.file == "top_organisations.csv" and f.line > 1 for f in found)


def test_totals_that_fit_the_counts_and_shares_give_no_note(data_copy):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "pct_applications", "3831")[1])  # 2069 = 54.0%
    tables = load_tables(data_copy)
    assert quality.top_counts_against_total(tables) == []
    assert [f for f in quality.shares_against_total(tables) if "CHANGXIN" in f.message] == []


@pytest.mark.parametrize("articles, found_words", [
    ("79210", None),  # 692 and 7,921 per million, 6,920 and 79,210 in total: 10 million people both
    ("40000", "PCT applications: 10.0–10.0 million; scientific articles: 5.0–5.1 million"),
])
def test_totals_and_per_million_figures_must_imply_one_population(data_copy, articles, found_words):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "pct_applications", "6920")[1])
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "scientific_publications", articles)[1])
    found = quality.totals_against_per_million(load_tables(data_copy))
    if found_words is None:
        assert found == []
    else:
        assert [(f.cluster, f.file) for f in found] == [("Hefei", "clusters.csv")] and found[0].line > 1
        assert found_words in found[0].message and "imply different populations" in found[0].message


def test_one_output_alone_cannot_contradict_itself():
    assert quality.implied_population_bounds(251, 15) == pytest.approx((251 / 15.5, 251 / 14.5))
    assert quality.implied_population_bounds(5, 0.4)[1] == float("inf")


def test_a_profile_gets_the_findings_of_the_tables_it_is_built_from(fixture_tables):
    """findings_for works the folder out once per Tables: a Tables with other rows gets its own findings."""
    from dataclasses import replace

    folder = quality.findings(fixture_tables)
    assert quality.findings_for(fixture_tables, 2024, "Hefei") == [f for f in folder if f.cluster == "Hefei"] != []
    top = fixture_tables.top_organisations
    twice = (top["edition"] == 2024) & (top["cluster"] == "Hefei") & (top["output"] == "articles") & (top["rank"] == 3)
    fixed = replace(fixture_tables, top_organisations=top[~twice])
    assert quality.findings_for(fixed, 2024, "Hefei") == []
    assert quality.findings_for(fixture_tables, 2024, "Hefei") == [f for f in folder if f.cluster == "Hefei"]


def test_unmodified_copies_share_their_folders_findings_and_a_modified_copy_gets_its_own(monkeypatch, data_copy):
    """load_tables hands each caller a copy (one per page in a warm kernel): the folder's findings are worked out
    once for all the copies that still equal what was loaded, and again for a copy a caller has changed."""
    from cluster_profiles.contract.load import load_tables

    worked_out = []
    real = quality.findings
    monkeypatch.setattr(quality, "findings", lambda tables: worked_out.append(tables) or real(tables))
    first, second = load_tables(data_copy), load_tables(data_copy)
    assert first is not second
    expected = [f for f in real(first) if f.edition == 2024 and f.cluster == "Hefei"]
    assert expected
    assert quality.findings_for(first, 2024, "Hefei") == expected
    assert quality.findings_for(second, 2024, "Hefei") == expected
    assert len(worked_out) == 1
    changed = load_tables(data_copy)
    top = changed.top_organisations
    hefei = (top["edition"] == 2024) & (top["cluster"] == "Hefei")
    top.drop(index=top.index[hefei], inplace=True)  # a caller may modify its copy in place
    assert quality.findings_for(changed, 2024, "Hefei") != expected
    assert len(worked_out) == 2
