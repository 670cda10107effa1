"""The comparison's sections (pages/compare/sections.py): each is its view laid out by the shared macros,
each view cites what its section's sources function declares, and the page's numbered citations follow
``COMPARE_SECTIONS``, which is the notebook's order."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from cluster_profiles import paths
from cluster_profiles.narrate import figures
from cluster_profiles.narrate.citations import key, note_citations
from cluster_profiles.narrate.views import render_section
from cluster_profiles.pages.compare import data, sections

CHARTS = ("draw_per_million", "draw_rank_history")
# Comparisons that between them have and lack each part: charts, shared fields, gaps, venture capital
SAMPLE = [(["Hefei", "Nanjing", "Wuhan"], 2024), (["Cairo", "Beijing", "Tehran"], 2025), (["Ankara", "Kuala Lumpur"], 2024),
          (["Nanjing", "Xi'an"], 2023), (["Barcelona", "Cambridge"], 2025)]  # the last: no key figure for either


@pytest.fixture
def no_drawing(monkeypatch):
    """Charts not drawn (a placeholder figure instead): for tests about what a view holds and cites."""
    for name in CHARTS:
        monkeypatch.setattr(figures, name, lambda *args, name=name: Markup("<figure>{}</figure>").format(name))


@pytest.fixture(scope="module")
def sample(fixture_tables):
    return [data.build_comparison(fixture_tables, clusters, edition) for clusters, edition in SAMPLE]


def page_html(comparison) -> str:
    return "".join(str(section.render(comparison)) for section in sections.COMPARE_SECTIONS)


def test_sections_are_registered_in_the_notebook_order():
    """The page's citations follow COMPARE_SECTIONS: it must be the order in which the notebook shows them."""
    from notebook_cells import show_calls

    assert show_calls(paths.COMPARE_NOTEBOOK) == [(s.name, s.argument) for s in sections.COMPARE_SECTIONS]


@pytest.mark.parametrize("name", [s.name for s in sections.COMPARE_SECTIONS])
def test_each_section_is_its_view_rendered_and_cites_what_it_declares(sample, name, no_drawing):
    """The section's HTML is its view laid out by the macro file, with the note of the view's sources (the
    notes cite in their text instead; the title adds the compared clusters under its header)."""
    (section,) = [s for s in sections.COMPARE_SECTIONS if s.name == name]
    for comparison in sample:
        view = getattr(sections, f"{name}_view")(comparison)
        assert view.sources == section.sources(comparison), (name, comparison.clusters)
        cited = sections.comparison_citations(comparison)
        note = None if name == "notes" else cited.note(view.sources)
        rendered = render_section(view, note)
        if name == "title":
            rendered += Markup("").join(sections.render_macro("block", b) for b in sections.title_blocks(comparison))
        assert section.render(comparison) == rendered
        html = str(section.render(comparison))
        for source in note_citations(section.sources(comparison)):
            assert f'href="#source-{cited.number(source)}"' in html, (name, source)


def test_the_list_of_sources_is_every_sections_sources_in_registry_order(sample, no_drawing):
    for comparison in sample:
        cited: list[str] = []  # each section's note in turn (a note keeps one publisher's citations together)
        for section in sections.COMPARE_SECTIONS:
            cited += [key(c) for c in note_citations(section.sources(comparison)) if key(c) not in cited]
        listed = BeautifulSoup(str(sections.notes_section(comparison)), "html.parser").select("ol.sources li")
        # one entry per URL, in the order of first citation (two citations of one URL share an entry)
        assert [key(item.get_text()) for item in listed] == cited


def test_sources_are_numbered_in_the_order_the_page_first_cites_them(sample, no_drawing):
    for comparison in sample:
        html = page_html(comparison)
        cited_before_the_list = html[:html.index('<ol class="sources"')]
        first_seen = list(dict.fromkeys(int(n) for n in re.findall(r'href="#source-(\d+)"', cited_before_the_list)))
        assert first_seen == list(range(1, len(sections.comparison_citations(comparison).entries) + 1)), \
            comparison.clusters


def test_the_page_cites_every_row_it_shows_with_numbered_notes(sample):
    three = sample[0]
    html = page_html(three)
    anchors = set(re.findall(r'<li id="(source-\d+)">', html))
    targets = set(re.findall(r'href="#(source-\d+)"', html))
    assert targets and targets <= anchors
    for profile in three.profiles:
        assert sections.comparison_citations(three).number(str(profile.row["source"]).split(" ; ")[0]) >= 1
    assert html.count('download="') >= 3 and html.count("data:image/png;base64,") == 2


def test_a_gaps_source_is_cited(fixture_tables, no_drawing):
    gap = pd.DataFrame([{"edition": 2024, "cluster": "Wuhan", "section": "intensity",
                         "reason": "Cut off in the stored excerpt (test).", "source": "https://example.org/gap"}])
    tables = replace(fixture_tables, gaps=pd.concat([fixture_tables.gaps, gap], ignore_index=True))
    comparison = data.build_comparison(tables, ["Hefei", "Wuhan"], 2024)
    assert "example.org/gap" in str(sections.notes_section(comparison))
    assert "https://example.org/gap" in sections.missing_view(comparison).sources


def test_title_links_each_rendered_profile_and_the_index(fixture_tables, tmp_path, no_drawing):
    reports = tmp_path / "reports"
    (reports / "2024").mkdir(parents=True)
    (reports / "2024" / "hefei.html").write_text("<html></html>")
    (reports / "index.html").write_text("<html></html>")
    comparison = data.build_comparison(fixture_tables, ["Hefei", "Nanjing"], 2024, reports, reports / "2024" / "compare")
    soup = BeautifulSoup(str(sections.title(comparison)), "html.parser")
    assert soup.find("h1").get_text() == "Hefei and Nanjing side by side, GII 2024"
    assert [(a.get_text(), a["href"]) for a in soup.find_all("a")] == [("Hefei", "../hefei.html"),
                                                                       ("All reports", "../../index.html")]
    assert [li.strong.get_text() for li in soup.select("ul.compared li")] == ["Hefei", "Nanjing"]


def test_a_section_without_data_says_what_is_missing(fixture_tables, no_drawing):
    nothing = data.build_comparison(fixture_tables, ["Barcelona", "Cambridge"], 2025)
    view = sections.key_figures_view(nothing)
    assert view.kinds() == ["heading", "missing"] and view.sources == []
    assert view.of_kind("missing")[0].what == "a key figure for any of these clusters in GII 2025"


def test_a_name_with_an_apostrophe_is_escaped_once_in_the_heading(fixture_tables, no_drawing):
    comparison = data.build_comparison(fixture_tables, ["Nanjing", "Xi'an"], 2023)
    soup = BeautifulSoup(str(sections.title(comparison)), "html.parser")
    assert soup.find("h1").get_text() == "Nanjing and Xi'an side by side, GII 2023"
    assert [li.strong.get_text() for li in soup.select("ul.compared li")] == ["Nanjing", "Xi'an"]


@pytest.mark.slow
@pytest.mark.parametrize("name", [s.name for s in sections.COMPARE_SECTIONS])
def test_each_section_is_the_same_with_string_inference(sample, name):
    """pandas' string inference (the default from pandas 3) must not change a section (test_string_inference.py)."""
    (section,) = [s for s in sections.COMPARE_SECTIONS if s.name == name]
    for comparison in sample:
        plain = str(section.render(comparison))
        with pd.option_context("future.infer_string", True):
            inferred = str(section.render(comparison))
        assert inferred == plain, (name, comparison.clusters)
