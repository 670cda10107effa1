"""The comparison's two charts (narrate/figures.py): their data, their alt text, and one drawing each."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cluster_profiles.narrate import figures
from cluster_profiles.narrate.key_figures import shown_value
from cluster_profiles.pages.compare import data


@pytest.fixture(scope="module")
def three(fixture_tables):
    return data.build_comparison(fixture_tables, ["Hefei", "Nanjing", "Wuhan"], 2024)


def test_per_million_chart_only_draws_figures_known_for_two_clusters(three):
    drawn = figures.per_million_chart_data(data.per_million(three), three.clusters)
    assert drawn is not None and list(drawn.columns) == ["figure", "cluster", "per_million"]
    for row in drawn.itertuples():
        column = next(c for c, name in data.PER_MILLION.items() if name == row.figure)
        profile = next(p for p in three.profiles if p.cluster == row.cluster)
        assert shown_value(profile, column) == row.per_million
    assert drawn.groupby("figure").size().ge(2).all()


def test_a_figure_known_for_one_cluster_is_not_drawn():
    wide = pd.DataFrame({"figure": ["PCT applications", "Scientific articles"], "A": [10.0, None], "B": [20.0, 5.0]},
                        dtype=object)
    drawn = figures.per_million_chart_data(wide, ["A", "B"])
    assert list(drawn["figure"]) == ["PCT applications"] * 2 and list(drawn["per_million"]) == [10.0, 20.0]
    assert figures.per_million_chart_data(wide.iloc[1:], ["A", "B"]) is None


def test_per_million_alt_names_every_bar():
    drawn = pd.DataFrame({"figure": ["PCT applications", "PCT applications", "Scientific articles",
                                     "Scientific articles"],
                          "cluster": ["A", "B", "A", "B"], "per_million": [1234.4, 20.0, 3.0, 4567.0]})
    assert figures.per_million_alt(drawn) == ("Bar charts of figures per 1 million inhabitants: PCT applications: "
                                              "A 1,234; B 20 | Scientific articles: A 3; B 4,567")


def test_rank_history_chart_draws_known_ranks_only(three):
    history = data.rank_history(three)
    drawn = figures.rank_history_chart_data(history)
    assert len(drawn) == int(history["size_rank"].notna().sum())
    assert figures.rank_history_chart_data(history.assign(size_rank=pd.NA)) is None
    alt = figures.rank_history_alt(drawn)
    assert alt.startswith("Line chart of size ranks by GII edition: ")
    for row in drawn.itertuples():
        assert f"{row.edition} {row.size_rank}" in alt


def test_each_chart_is_a_figure_with_its_alt_text(three):
    per_million = figures.per_million_chart_data(data.per_million(three), three.clusters)
    ranks = figures.rank_history_chart_data(data.rank_history(three))
    for html, alt in [
        (figures.draw_per_million(per_million, 3, figures.per_million_alt(per_million), "caption"),
         figures.per_million_alt(per_million)),
        (figures.draw_rank_history(ranks, [2023, 2024, 2025], "Size rank by edition", figures.rank_history_alt(ranks),
                                   "caption"), figures.rank_history_alt(ranks))]:
        assert re.match(r'<figure class="chart"><img src="data:image/png;base64,[^"]+" alt="', str(html))
        assert str(html).count(alt) == 1 and "<figcaption>caption</figcaption>" in str(html)
