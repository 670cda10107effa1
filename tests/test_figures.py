"""The data behind each chart (nbval does not compare images)."""

import pandas as pd

from cluster_profiles.narrate import figures
from cluster_profiles.narrate.profile import build_profile


def test_organisation_chart_uses_shares_and_keeps_duplicates_apart(fixture_tables):
    top = build_profile(fixture_tables, "Hefei", 2024).top_organisations["articles"]
    data = figures.organisation_chart_data(top)
    assert list(data["label"]) == ["1. UNIVERSITY OF SCIENCE & TECH. OF CHINA", "2. HEFEI UNIVERSITY OF TECHNOLOGY",
                                   "3. UNIVERSITY OF SCIENCE & TECH. OF CHINA"]
    assert list(data["value"]) == [25, 16, 14]
    assert set(data["measure"]) == {"share"}


def test_organisation_chart_falls_back_to_counts_then_to_nothing(fixture_tables):
    sao_paulo = build_profile(fixture_tables, "São Paulo", 2024).top_organisations["patents"]
    data = figures.organisation_chart_data(sao_paulo)  # shares only for row 1, counts for all
    assert list(data["value"]) == [65, 23, 17] and set(data["measure"]) == {"count"}
    nanjing = build_profile(fixture_tables, "Nanjing", 2024).top_organisations["patents"]
    assert figures.organisation_chart_data(nanjing) is None
    assert figures.organisation_chart_data(nanjing.iloc[0:0]) is None


def test_field_chart_data(fixture_tables):
    data = figures.field_chart_data(build_profile(fixture_tables, "Hefei", 2024).top_fields)
    assert list(data["output"].unique()) == ["patents", "articles"]
    assert data.groupby("output")["share_pct"].sum().to_dict() == {"articles": 100, "patents": 100}
    assert list(data.loc[data["remainder"], "field"]) == ["Other", "Other"]
    assert figures.field_chart_data(build_profile(fixture_tables, "Nanjing", 2024).top_fields) is None


def test_collaboration_chart_data():
    data = figures.collaboration_chart_data({"patents": 3.0, "articles": None})
    assert data.to_dict("records") == [{"output": "patents", "share_pct": 3.0}]
    assert figures.collaboration_chart_data({"patents": None}) is None


def test_figures_are_deterministic_and_described():
    data = pd.DataFrame({"label": ["1. A", "2. B"], "value": [60.0, 40.0], "measure": "share"})
    first = figures.organisation_chart(data, "Top", "alt <text>")
    second = figures.organisation_chart(data, "Top", "alt <text>")
    assert first == second
    assert 'alt="alt &lt;text&gt;"' in first and "data:image/png;base64," in first


def test_dollar_signs_in_names_are_text_not_tex():
    """'$\\frac{1}{0$' would fail to draw as mathtext and take the report down; it must draw as text."""
    data = pd.DataFrame({"label": ["1. $\\frac{1}{0$ Corp", "2. $x$ & $y$ Ltd"], "value": [60.0, 40.0],
                         "measure": "share"})
    chart = figures.organisation_chart(data, "Top $\\alpha$", "alt")
    assert "data:image/png;base64," in chart


def test_figure_html_is_public_deterministic_and_escapes_its_text():
    import matplotlib.pyplot as plt

    from cluster_profiles.narrate import figures

    def draw():
        figures.style()
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([1, 2], [1, 2], color=figures.PALETTE["second"])
        return figures.figure_html(fig, "alt <b>", "caption & more")

    first = draw()
    assert first == draw()  # same data, same bytes
    assert 'alt="alt &lt;b&gt;"' in first and "<figcaption>caption &amp; more</figcaption>" in first
    assert 'width="200" height="100"' in first
