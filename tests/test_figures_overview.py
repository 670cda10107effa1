"""The edition overview's charts: the data each draws and its alt text, on the frozen fixture folder
(nbval does not compare images)."""

import pandas as pd
import pytest

from cluster_profiles.narrate import figures
from cluster_profiles.pages.overview import data as od
from cluster_profiles.pages.overview import notebook as ov

from conftest import FIXTURE_DATA


@pytest.fixture(scope="module")
def editions():
    return {year: ov.load_overview(edition=year, data_dir=str(FIXTURE_DATA)) for year in (2023, 2024, 2025)}


def test_rank_strip_puts_each_economy_on_one_row_by_its_best_rank(editions):
    ranking = od.ranking(editions[2024], "intensity_rank")
    data = figures.rank_strip_chart_data(ranking, "intensity_rank")
    assert list(data["cluster"]) == list(ranking["cluster"])  # every known rank once, in rank order
    best = data.groupby("row")["rank"].min()
    assert best.is_monotonic_increasing and data.groupby("economy")["row"].nunique().eq(1).all()
    assert list(data.drop_duplicates("row")["economy"]) == ["GB", "US", "NL", "KR", "CN"]
    assert figures.rank_strip_alt(data, "intensity", "GII 2024") == (
        "Dot chart of the known intensity ranks of GII 2024 by economy: GB 1, 4; US 2, 5; NL 3; KR 7; CN 26, 33, 48")


def test_rank_strip_counts_a_cluster_for_its_first_economy_and_needs_two_ranks(editions):
    ranking = od.ranking(editions[2025], "size_rank")
    data = figures.rank_strip_chart_data(ranking, "size_rank").set_index("cluster")
    assert data.loc["Shenzhen–Hong Kong–Guangzhou", "economy"] == "CN"  # CN/HK in the table
    assert data.loc["Shenzhen–Hong Kong–Guangzhou", "row"] == data.loc["Beijing", "row"]
    assert figures.rank_strip_chart_data(ranking.iloc[:1], "size_rank") is None


def test_venture_capital_chart_draws_only_stated_shares_largest_first(editions):
    frame = od.venture_capital(editions[2025])
    data = figures.venture_capital_chart_data(frame)
    stated = frame.dropna(subset=["vc_share_pct"])
    assert set(data["cluster"]) == set(stated["cluster"]) and len(data) < len(frame)  # London: a rank, no share
    assert data["vc_share_pct"].is_monotonic_decreasing
    assert figures.venture_capital_alt(data, "GII 2025") == ("Bar chart of the share of all venture-capital deals, GII 2025: "
                                                       "Shenzhen–Hong Kong–Guangzhou 2.9%; Tokyo–Yokohama 2.2%")
    assert figures.venture_capital_chart_data(stated.iloc[:1]) is None


def test_economies_chart_draws_stated_counts_only(editions):
    frame = od.clusters_per_economy(editions[2024])
    data = figures.economies_chart_data(frame)
    assert list(data["name"]) == list(frame.dropna(subset=["stated_count"])["name"])
    assert "Spain" not in set(data["name"]) and "Spain" in set(frame["name"])  # two clusters held, no count stated
    assert data.iloc[0].to_dict() == {"name": "China", "stated_count": 26}
    alt = figures.economies_alt(data, "top-100 clusters per economy in GII 2024")
    assert alt.startswith("Bar chart of top-100 clusters per economy in GII 2024: China 26; United States of America 20;")
    assert figures.economies_chart_data(frame.assign(stated_count=pd.NA)) is None


def test_concentration_alt_names_the_last_cumulative_shares(editions):
    frame, _ = od.concentration(editions[2023])
    assert figures.concentration_alt(frame, "GII 2023") == (
        "Line chart of cumulative shares for the top 34 clusters of GII 2023: PCT applications reach 55.4% "
        "and scientific articles 30.6%")


def test_rank_changes_alt_signs_every_change(editions):
    frame, _ = od.rank_changes(editions[2024])
    alt = figures.rank_changes_alt(frame, 2024)
    assert alt.startswith("Bar chart of size-rank changes since GII 2023: Nanjing +2; Taipei–Hsinchu +2;")
    assert "Tokyo–Yokohama +0" in alt and alt.endswith("Tehran -4")
    assert alt.count(";") == len(frame) - 1


def test_overview_drawings_are_deterministic_and_names_are_text():
    data = pd.DataFrame({"cluster": ["$\\frac{1}{0$ <b>", "B & C"], "change": [3, -2]})
    first = figures.draw_bars(data, "change", "cluster", "x", "T $x$", "alt <b>", "cap & more", diverging=True)
    assert first == figures.draw_bars(data, "change", "cluster", "x", "T $x$", "alt <b>", "cap & more", diverging=True)
    assert 'alt="alt &lt;b&gt;"' in first and "cap &amp; more" in first
    strip = figures.rank_strip_chart_data(pd.DataFrame({"cluster": ["A", "B"], "economy": ["$x", "CN/HK"],
                                                        "size_rank": [2, 1]}), "size_rank")
    assert "data:image/png;base64," in figures.draw_rank_strip(strip, "t", "x", "alt", "cap")
