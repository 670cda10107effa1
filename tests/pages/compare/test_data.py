"""The comparison's page model and tables (pages/compare/data.py): the figures are each profile's, a
missing one is named with its reason, and the names given resolve to the data or fail in one line."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from cluster_profiles.errors import ParameterError, UnknownClusterError
from cluster_profiles.names import find_cluster
from cluster_profiles.narrate.key_figures import FIGURE_LABELS, shown_value
from cluster_profiles.narrate.profile import build_profile, clusters_of_edition
from cluster_profiles.narrate.views import NOT_GIVEN
from cluster_profiles.pages.compare import data

from bad_inputs import HOSTILE_MAKE_VALUES

THREE = ["Hefei", "Nanjing", "Wuhan"]


@pytest.fixture(scope="module")
def three(fixture_tables):
    return data.build_comparison(fixture_tables, ["hefei", "NANJING", "Wuhan"], 2024)


def test_names_resolve_to_the_data_in_the_order_given(three):
    assert three.clusters == THREE
    assert [p.cluster for p in three.profiles] == THREE


def test_key_figures_are_each_profiles_values(three, fixture_tables):
    frame = data.key_figures(three)
    for profile in three.profiles:
        own = build_profile(fixture_tables, profile.cluster, 2024)
        shown = {c: v for c, v in zip(frame["column"], frame[profile.cluster])}
        for column in FIGURE_LABELS:
            value = shown_value(own, column)
            if value is not None:
                assert shown[column] == value, (profile.cluster, column)
            elif column in shown:
                assert shown[column] is None or pd.isna(shown[column])
    # a row for a figure that at least one cluster has, and no other
    assert all(any(shown_value(p, c) is not None for p in three.profiles) for c in frame["column"])


def test_a_missing_figure_is_shown_as_missing_and_named_with_its_reason(three):
    frame = data.key_figures(three)
    display = data.key_figures_display(frame, three.clusters)
    missing = data.missing_items(three)
    for cluster in three.clusters:
        lacking = [FIGURE_LABELS[c][0] for c, v in zip(frame["column"], frame[cluster]) if v is None or pd.isna(v)]
        assert list(display.loc[display[cluster] == NOT_GIVEN, "Figure"]) == lacking
        listed = set(missing.loc[missing["cluster"] == cluster, "missing"])
        assert set(lacking) <= listed
    assert missing["reason"].str.len().gt(0).all()


def test_a_reason_in_gaps_csv_is_the_reason_shown(fixture_tables):
    gap = pd.DataFrame([{"edition": 2024, "cluster": "Wuhan", "section": "intensity",
                         "reason": "Cut off in the stored excerpt (test).", "source": "https://example.org/gap"}])
    tables = replace(fixture_tables, gaps=pd.concat([fixture_tables.gaps, gap], ignore_index=True))
    comparison = data.build_comparison(tables, ["Hefei", "Wuhan"], 2024)
    items = data.missing_items(comparison)
    if comparison.profiles[1].value("intensity_rank") is None:
        row = items[(items["cluster"] == "Wuhan") & (items["missing"] == "Intensity rank")]
        assert list(row["reason"]) == ["Cut off in the stored excerpt (test)."]


def test_venture_capital_figures_are_missing_for_all_only_in_an_edition_that_measures_them(fixture_tables):
    before = data.build_comparison(fixture_tables, ["Hefei", "Nanjing"], 2024)
    assert not [label for label in data.missing_for_all(before) if "enture-capital" in label]
    nothing = data.build_comparison(fixture_tables, ["Barcelona", "Cambridge"], 2025)  # no figure for either
    assert data.key_figures(nothing).empty
    assert data.missing_for_all(nothing) == [label for label, _ in FIGURE_LABELS.values()]


def test_per_million_is_the_key_figures_per_1_million_inhabitants(three):
    frame = data.per_million(three)
    assert list(frame.columns) == ["figure", *THREE]
    assert set(frame["figure"]) <= set(data.PER_MILLION.values())
    for row in frame.itertuples(index=False):
        column = next(c for c, name in data.PER_MILLION.items() if name == row.figure)
        for profile, value in zip(three.profiles, row[1:]):
            assert value == shown_value(profile, column)


def test_ranks_across_editions_follow_the_clusters_table(three, fixture_tables):
    history = data.rank_history(three)
    clusters = fixture_tables.clusters
    assert len(history) == len(THREE) * len(fixture_tables.edition_list())
    for row in history.itertuples():
        name = find_cluster(row.cluster, clusters_of_edition(fixture_tables, row.edition))
        rows = clusters[(clusters["edition"] == row.edition) & (clusters["cluster"] == name)]
        assert row.in_data == (not rows.empty)
        if not rows.empty:
            expected = rows.iloc[0]["size_rank"]
            assert (pd.isna(expected) and pd.isna(row.size_rank)) or row.size_rank == expected
    shown = data.rank_history_display(history)
    assert list(shown["Cluster"]) == THREE
    assert (shown == "not in the data").any().any()  # Hefei is not in the GII 2023 data


def test_top_fields_side_by_side_keep_each_clusters_order(three):
    for output in ("patents", "articles"):
        frame = data.fields_side_by_side(three, output)
        for profile in three.profiles:
            fields = list(profile.top_fields[output]["field"])
            assert [cell.split(" (")[0] for cell in frame[profile.cluster] if cell] == fields
        shared = data.shared_fields(three, output)
        for field in shared["field"]:
            holders = [p for p in three.profiles if field in set(p.top_fields[output]["field"])]
            assert len(holders) >= 2 and field != "Other"
        named = data.shared_field_holders(three, output, shared)
        assert list(named) == list(shared["field"]) and all(len(v) >= 2 for v in named.values())
    listed = data.top_fields_table(three)
    assert len(listed) == sum(len(p.top_fields[o]) for p in three.profiles for o in ("patents", "articles"))


@pytest.mark.parametrize("typed", [["Hefei", "Hefei"], ["Hefei", "HEFEI"], ["Hefei", "Nanjing", " hefei"],
                                   ["Shenzhen–Hong Kong–Guangzhou", "shenzhen-hong-kong-guangzhou"],
                                   ["Shenzhen–Hong Kong–Guangzhou", "SHENZHEN - HONG KONG - GUANGZHOU"]])
def test_the_same_cluster_twice_is_an_error_under_any_spelling(fixture_tables, typed):
    with pytest.raises(ParameterError, match="named twice in the comparison") as caught:
        data.resolve_clusters(fixture_tables, typed, 2024)
    assert "\n" not in str(caught.value)
    if len(set(typed)) == len(typed):
        assert "are the same cluster" in str(caught.value)


def test_an_unknown_name_suggests_close_ones(fixture_tables):
    with pytest.raises(UnknownClusterError, match="Unknown cluster 'Nanjng' in GII 2024.*Did you mean 'Nanjing'"):
        data.resolve_clusters(fixture_tables, ["Hefei", "Nanjng"], 2024)


def test_a_name_not_in_that_edition_says_where_it_is(fixture_tables):
    with pytest.raises(UnknownClusterError, match="Hefei is in 2024 and 2025, not in 2023"):
        data.resolve_clusters(fixture_tables, ["Nanjing", "Hefei"], 2023)


@pytest.mark.parametrize("hostile", HOSTILE_MAKE_VALUES + ["<script>alert(1)</script>", "Hefei\x1b[31m\r\x00",
                                                           "../../etc/passwd", "x" * 200])
def test_hostile_names_are_unknown_clusters_in_one_line(fixture_tables, hostile):
    with pytest.raises(UnknownClusterError) as caught:
        data.resolve_clusters(fixture_tables, ["Nanjing", hostile], 2024)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message and "\x1b" not in message and len(message) < 400


def test_links_go_to_rendered_reports_only(fixture_tables, tmp_path):
    reports = tmp_path / "reports"
    (reports / "2024").mkdir(parents=True)
    (reports / "2024" / "hefei.html").write_text("<html></html>")
    page_dir = reports / "2024" / "compare"
    comparison = data.build_comparison(fixture_tables, ["Hefei", "Nanjing"], 2024, reports, page_dir)
    assert comparison.report_link("Hefei") == "../hefei.html"
    assert comparison.report_link("Nanjing") is None and comparison.index_link() is None
    (reports / "index.html").write_text("<html></html>")
    assert comparison.index_link() == "../../index.html"
    assert data.build_comparison(fixture_tables, ["Hefei", "Nanjing"], 2024).report_link("Hefei") is None
