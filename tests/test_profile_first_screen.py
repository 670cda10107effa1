"""A profile as a reader meets it: the key figures under the lead, one panel of what the profile lacks instead
of a box per section, one view of each list, charts only where they say more than a sentence, and no chart
text outside its figure. On the frozen fixture data (complete: Hefei 2024; sparse: Cairo, Ankara)."""

import re

import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup

from cluster_profiles.narrate import figures, narrative
from cluster_profiles.narrate.maps import layout as map_layout
from cluster_profiles.narrate.maps import text as map_text
from cluster_profiles.narrate.profile import build_profile
from cluster_profiles.pages.profile import sections

from html_text import table_rows, visible_text


@pytest.fixture(scope="module")
def profiles(fixture_tables):
    cases = [("Hefei", 2024), ("Cairo", 2024), ("Ankara", 2024), ("Barcelona", 2024), ("Nanjing", 2024),
             ("Cairo", 2025), ("Shenzhen–Hong Kong–Guangzhou", 2025)]
    return {(cluster, edition): build_profile(fixture_tables, cluster, edition) for cluster, edition in cases}


def _page(profile) -> str:
    return "".join(str(section.render(profile)) for section in sections.PROFILE_SECTIONS)


def test_the_key_figures_and_what_the_profile_lacks_come_right_after_the_lead():
    assert [s.name for s in sections.PROFILE_SECTIONS][:4] == ["title", "lead", "key_figures", "lacks"]


def test_hefei_key_figures_answer_how_big_how_dense_how_it_changed(profiles):
    rows = table_rows(sections.key_figures(profiles["Hefei", 2024]))
    for row in [("Size rank (top 100)", "36"), ("Intensity rank", "48"),
                ("Rank within its economy", "12th of 26 Chinese clusters in the top 100"),
                ("PCT applications per 1 million inhabitants", "692"),
                ("Scientific articles per 1 million inhabitants", "7,921"), ("Growth of S&T output", "+22.7%")]:
        assert row in rows
    # the totals name their windows; Hefei's are not in the data, and the panel says so
    assert ("PCT applications (total, 2019–2023)", "Not in the data") in rows
    assert ("Scientific articles (total, 2018–2022)", "Not in the data") in rows
    assert ("Size rank since GII 2023", "Not in the data Hefei has no row in the GII 2023 data (its rank there was "
            "not found, or it was not among the top 100).") in rows
    assert ("How complete this profile is", "9 of the 11 parts of a profile") in rows


def test_key_figures_give_the_change_since_the_previous_edition_and_the_totals_with_their_windows(profiles):
    assert ("Size rank since GII 2023", "up 2 places (from 11 to 9)") in table_rows(
        sections.key_figures(profiles["Nanjing", 2024]))
    shenzhen = table_rows(sections.key_figures(profiles["Shenzhen–Hong Kong–Guangzhou", 2025]))
    assert ("PCT applications (total, 2020–2024)", "117,542") in shenzhen
    assert ("Scientific articles (total, 2019–2023)", "193,635") in shenzhen
    assert ("Size rank since GII 2024", "up 1 place (from 2 to 1)") in shenzhen


@pytest.mark.parametrize("case", [("Cairo", 2024), ("Ankara", 2024), ("Barcelona", 2024)])
def test_every_headline_figure_is_shown_or_marked_missing(profiles, case):
    profile = profiles[case]
    figures_shown = {row[0] for row in table_rows(sections.key_figures(profile))}
    for column in ["intensity_rank", "pct_applications", "scientific_publications", "pct_per_million",
                   "articles_per_million"]:
        assert sections._figure_label(profile, column) in figures_shown
    assert {"Rank within its economy", "Size rank since GII 2023", "How complete this profile is"} <= figures_shown


def test_a_missing_figure_carries_the_reason_gaps_csv_gives(profiles):
    rows = table_rows(sections.key_figures(profiles["Barcelona", 2024]))
    reason = "Barcelona's own PCT and article figures are cut off in the stored source excerpts."
    assert ("PCT applications (total, 2019–2023)", f"Not in the data {reason}") in rows


def test_a_sparse_profile_has_one_panel_of_what_it_lacks_and_no_box_in_the_body(profiles):
    cairo = profiles["Cairo", 2024]
    page = _page(cairo)
    assert 'class="missing"' not in page  # no yellow box per section
    soup = BeautifulSoup(page, "html.parser")
    (panel,) = soup.select("section.lacks")
    items = [li.get_text() for li in panel.select("li")]
    assert len(items) == 7 and items[0] == "The top PCT applicants of Cairo in GII 2024."
    assert items[-1] == ("A comparison with GII 2023. Cairo has no row in the GII 2023 data (its rank there was "
                         "not found, or it was not among the top 100).")
    # the default reason once, under the list, not on every line
    assert "No public source" not in visible_text(panel)
    assert visible_text(panel).count("Where no reason is given, no public source for the part was found") == 1
    # sections with nothing to show are left out
    for name in ("top-organisations", "top-fields", "collaboration"):
        assert not soup.select(f"section.{name}")
    assert not any("Egyptian clusters" in h.get_text() for h in soup.select("h3"))  # the only one: none missed


def test_a_single_missing_part_is_a_sentence_with_its_reason(profiles):
    panel = BeautifulSoup(str(sections.lacks(profiles["Hefei", 2024])), "html.parser")
    assert not panel.select("li")
    assert visible_text(panel) == ("What this profile lacks Not in the data: a comparison with GII 2023. Hefei has "
                                   "no row in the GII 2023 data (its rank there was not found, or it was not "
                                   "among the top 100).")


def test_a_profile_lacking_nothing_has_no_panel(profiles, monkeypatch):
    monkeypatch.setattr(sections, "missing_parts", lambda profile: [])
    assert sections.lacks(profiles["Hefei", 2024]) == ""


@pytest.mark.parametrize("case, sentence", [
    (("Cairo", 2024), "Cairo is the only Egyptian cluster that falls within the top 100 S&T clusters in 2024. "
                      "It is the 95th largest science and technology cluster in 2024."),
    (("Cairo", 2025), "It filed 7 PCT applications, published 1,115 scientific articles and received 21 "
                      "venture-capital deals, all per 1 million inhabitants over the last five years, making it the:"),
])
def test_the_lead_never_ends_in_a_list_of_one(profiles, case, sentence):
    lead = sections.lead(profiles[case])
    assert sentence in visible_text(lead)
    ranks = BeautifulSoup(str(lead), "html.parser").select("ul.ranks li")
    assert len(ranks) != 1 and (len(ranks) == 2) == sentence.endswith("the:")


def test_each_top_list_is_one_table_with_inline_bars_and_no_chart(profiles):
    hefei = profiles["Hefei", 2024]
    for output in ("patents", "articles"):
        html = sections.top_organisations(hefei, output)
        assert "<img" not in html
        widths = re.findall(r'class="bar" style="width:([\d.]+)%"', html)
        assert widths == [format(v, "g") for v in hefei.top_organisations[output]["share_pct"]]
    fields = sections.top_fields(hefei)
    assert "<img" not in fields
    # both lists' bars on one scale: a share of s% is a bar of s% of the track, whichever list it is in
    assert 'style="width:35%"></span></span>Semiconductors (35%)' in fields
    assert 'style="width:21%"></span></span>Chemistry (21%)' in fields
    assert 'class="bar remainder" style="width:25%"></span></span>Other (25%)' in fields


def test_charts_with_fewer_than_a_handful_of_marks_are_not_drawn(profiles):
    hefei = profiles["Hefei", 2024]
    assert "<img" not in sections.collaboration(hefei)  # two bars: the sentences say it
    assert "<img" in sections.comparisons(hefei)  # 13 clusters and more: a chart says more than a sentence
    data = figures.peer_chart_data(profiles["Cairo", 2025].peers, profiles["Cairo", 2025].neighbours, "Cairo")
    assert data is None or len(data) < sections.MIN_CHART_MARKS
    assert "<img" not in sections.comparisons(profiles["Cairo", 2025])


def test_the_map_legend_and_caption_mention_only_what_is_drawn(profiles):
    cairo = sections.profile_map_data(profiles["Cairo", 2024])
    assert [label for kind, label in cairo.legend if kind == "band"] == ["rank 51–100"]
    assert not any(kind in ("unranked", "other") for kind, _ in cairo.legend)
    caption = map_text.profile_caption(cairo, "Cairo", 2024, "Egyptian")
    assert "(blue)" not in caption and "other Egyptian" not in caption
    assert caption.startswith("Cairo (at its city), the only Egyptian cluster in the GII 2024 data")
    hefei = sections.profile_map_data(profiles["Hefei", 2024])
    bands = [label for kind, label in hefei.legend if kind == "band"]
    assert bands == [label for _, _, label, _ in map_layout.RANK_BANDS if label in set(hefei.table["band"])]
    assert "the other Chinese clusters in the GII 2024 data (blue)" in map_text.profile_caption(
        hefei, "Hefei", 2024, "Chinese")


@pytest.mark.parametrize("partners, expected", [
    (["Basel"], "with <strong>Basel</strong> emerging as the top collaborative location."),
    (["Basel", "Zurich"], "with <strong>Basel</strong> and <strong>Zurich</strong> emerging as the top "
                          "collaborative locations."),
])
def test_patent_partner_phrases_read_right_for_one_and_many(partners, expected):
    assert narrative.collaboration_sentence("Hefei", "patents", 3, partners).endswith(expected)


@pytest.mark.parametrize("partners, expected", [
    (["Beijing"], "with the top collaborating location being <strong>Beijing</strong>."),
    (["Beijing", "Basel"], "with the top two collaborating locations being <strong>Beijing</strong> and "
                           "<strong>Basel</strong>."),
])
def test_article_partner_phrases_read_right_for_one_and_many(partners, expected):
    sentence = narrative.collaboration_sentence("Hefei", "articles", 61, partners)
    assert sentence.endswith(expected) and "top one" not in sentence
    unshared = narrative.collaboration_sentence("Hefei", "articles", None, partners[:1])
    assert "top collaborating location for scientific articles is <strong>Beijing</strong>" in unshared


def test_no_pedantic_spelling_note(profiles):
    assert "Spelled with hyphens" not in _page(profiles["Hefei", 2024])


def _text_outside_the_figure(fig) -> list[str]:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    undrawn = set()  # tick labels outside an axis's view interval exist but are not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    undrawn.update({id(tick.label1), id(tick.label2)})
    outside = []
    for text in fig.findobj(plt.Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in undrawn:
            continue
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 0.5 or extent.y0 < box.y0 - 0.5 or extent.x1 > box.x1 + 0.5 or extent.y1 > box.y1 + 0.5:
            outside.append(text.get_text())
    return outside


def test_no_chart_text_lies_outside_its_figure(profiles, monkeypatch):
    """Draw every chart of a few profiles, the longest cluster name among them, and check each text's extent
    against the figure's box (the peer chart's title was clipped: '…among its peers, G')."""
    drawn = []
    real = figures.figure_html

    def keep(fig, alt, caption):
        drawn.append(fig)
        fig.set_layout_engine(None)
        outside = _text_outside_the_figure(fig)
        assert not outside, outside
        return real(fig, alt, caption)

    monkeypatch.setattr(figures, "figure_html", keep)
    for profile in profiles.values():
        sections._LAST_VIEWS.clear()
        _page_without_map = [section.render(profile) for section in sections.PROFILE_SECTIONS
                             if section.name != "location_map"]
        assert _page_without_map
    # a name as long as the data's longest, in the title of the chart that clipped it
    long_name = "Shenzhen–Hong Kong–Guangzhou"
    hefei = profiles["Hefei", 2024]
    data = figures.peer_chart_data(hefei.peers, hefei.neighbours, hefei.cluster)
    figures.peer_chart(data, f"{long_name} among its peers, GII 2025 (and a longer title still)", "alt", "caption")
    assert drawn
