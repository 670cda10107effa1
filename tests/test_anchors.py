"""Every section of every page kind has an id and a link to itself (the page's title, a header, its id only): profiles (complete, sparse, with CJK quotes),
overviews and comparisons, each page's sections as its notebook shows them (the kind's registry)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from cluster_profiles.narrate import views
from cluster_profiles.pages.compare import notebook as compare_notebook
from cluster_profiles.pages.compare.sections import COMPARE_SECTIONS
from cluster_profiles.pages.overview import notebook as overview_notebook
from cluster_profiles.pages.overview.sections import OVERVIEW_SECTIONS
from cluster_profiles.pages.profile import notebook as profile_notebook
from cluster_profiles.pages.profile.sections import PROFILE_SECTIONS

PROFILES = [("Hefei", 2024), ("Cairo", 2024), ("Ankara", 2024), ("Nanjing", 2024), ("Osaka–Kobe–Kyoto", 2025),
            ("Tokyo–Yokohama", 2023)]


def _page(registry, page) -> BeautifulSoup:
    """The page's sections, one after the other, as the notebook's cells show them."""
    return BeautifulSoup("".join(str(section.render(page)) for section in registry), "html.parser")


def _pages():
    for cluster, edition in PROFILES:
        yield f"profile {cluster} {edition}", _page(PROFILE_SECTIONS, profile_notebook.load_profile(
            cluster=cluster, edition=edition))
    for edition in (2023, 2024, 2025):
        yield f"overview {edition}", _page(OVERVIEW_SECTIONS, overview_notebook.load_overview(edition=edition))
    yield "comparison", _page(COMPARE_SECTIONS, compare_notebook.load_comparison(
        clusters=["Hefei", "Nanjing", "Wuhan", "Cairo"], edition=2024))


PAGES = dict(_pages())


def _sections(soup: BeautifulSoup):
    return soup.find_all(["section", "header"])


@pytest.mark.parametrize("name", list(PAGES))
def test_every_section_has_an_id_unique_on_its_page_and_one_visible_link_to_it(name):
    soup = PAGES[name]
    sections = _sections(soup)
    assert len(sections) >= 4, name
    ids = [section.get("id") for section in sections]
    assert all(ids), (name, ids)
    every_id = [element["id"] for element in soup.find_all(id=True)]  # the sources' ids too (source-1, …)
    assert len(every_id) == len(set(every_id)), (name, sorted(i for i in every_id if every_id.count(i) > 1))
    for section in sections:
        anchor = section["id"]
        assert anchor.replace("-", "").isalnum() and anchor.isascii() and anchor == anchor.lower(), anchor
        links = section.find_all("a", class_="self-link")
        if section.name == "header":  # the page's title: its id, and the page's own address leads to it
            assert links == []
            continue
        assert [link["href"] for link in links] == [f"#{anchor}"], (name, anchor)
        link = links[0]
        assert link.get_text() == "" and link["aria-label"].startswith("Link to this section: ")  # named for readers
        heading = section.find(["h1", "h2", "h3"])
        if heading is not None and heading.find_parent(["section", "header"]) is section:
            # in its first heading, and the heading's text is still only the heading's words
            assert link.parent is section.find(["h1", "h2", "h3"]) and heading.get_text().strip() == heading.get_text()
            assert link["aria-label"] == f"Link to this section: {heading.get_text()}"
        else:
            assert link.parent is section and "gutter" in link["class"]


@pytest.mark.parametrize(("cluster", "edition"), PROFILES[:2])
def test_the_ids_are_the_same_when_the_page_is_made_again(cluster, edition):
    again = _page(PROFILE_SECTIONS, profile_notebook.load_profile(cluster=cluster, edition=edition))
    assert [s["id"] for s in _sections(again)] == [s["id"] for s in _sections(PAGES[f"profile {cluster} {edition}"])]


def test_a_profile_s_ids_follow_its_headings():
    ids = [section["id"] for section in _sections(PAGES["profile Hefei 2024"])]
    assert ids[:3] == ["hefei-china", "lead", "key-figures-gii-2024"]
    assert {"top-pct-applicants", "top-publishing-organizations", "sources-and-method-notes"} <= set(ids)


@pytest.mark.parametrize(("text", "anchor"), [
    ("Key figures, GII 2024", "key-figures-gii-2024"),
    (Markup('Quoted <span lang="zh">西安日报</span> here'), "quoted-xi-an-ri-bao-here"),
    ("S&T clusters: 1–10", "s-t-clusters-1-10"),
    ("Türkiye's clusters", "turkiye-s-clusters"),
    ("«»—", "section"),  # no letter or digit
    ("a " * 100, "a-" * 29 + "a"),  # at most 60 characters, cut at a word
])
def test_an_anchor_is_the_slug_of_its_heading(text, anchor):
    assert views.section_anchor(text) == anchor


def test_a_section_without_blocks_has_an_id_and_no_link():
    shown = views.render_section(views.SectionView("empty"))
    assert shown == Markup('<section id="empty" class="empty"></section>')


def test_the_page_shell_shows_the_link_on_hover_and_on_focus_and_hides_it_in_print():
    from cluster_profiles import paths

    shell = (paths.HTML_TEMPLATE_DIR / "report" / "index.html.j2").read_text(encoding="utf-8")
    style = shell[shell.index("a.self-link {"):]
    assert "opacity: 0" in style[:style.index("}")]
    assert "a.self-link:focus" in shell and "section:hover" in shell
    printed = shell[shell.index("@media print"):]
    assert ".self-link" in printed[:printed.index("display: none")]
