"""A section's link to itself as a reader meets it in Chromium: hidden until the section is hovered or the link has
the keyboard's focus, reached with Tab, leading to its section; gone from the printed page."""

from __future__ import annotations

import pytest
from browsers import headless_chromium, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

require_chromium()


@pytest.fixture(scope="module")
def page(hefei_report, tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium-home")) as browser:
        opened = browser.new_page(viewport={"width": 1100, "height": 900})
        opened.goto(hefei_report.html_path.as_uri(), wait_until="load")
        yield opened


def _opacity(page, selector: str) -> float:
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).opacity"))


def test_every_section_s_link_is_reached_with_tab_and_shown_when_focused(page):
    anchors = page.eval_on_selector_all("main section[id]", "s => s.map(e => e.id)")
    assert len(anchors) >= 8
    page.mouse.move(0, 0)
    reached = []
    page.focus("body")
    for _ in range(400):  # every link on the page, in order, until all the sections' links are reached
        page.keyboard.press("Tab")
        focused = page.evaluate("() => { const e = document.activeElement; return e && e.matches('a.self-link') ? "
                                "[e.getAttribute('href'), getComputedStyle(e).opacity] : null }")
        if focused:
            reached.append(focused[0])
            assert float(focused[1]) == 1.0, focused
        if len(reached) == len(anchors):
            break
    assert reached == [f"#{anchor}" for anchor in anchors]


def test_the_link_is_hidden_until_its_section_is_hovered_and_leads_to_it(page):
    link = "#key-figures-gii-2024 a.self-link"
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.evaluate("() => window.scrollTo(0, 0)")
    assert _opacity(page, link) == 0.0
    page.hover("#key-figures-gii-2024 h2")
    assert _opacity(page, link) == 1.0
    assert page.inner_text("h1") == "Hefei, China"  # the pilcrow is drawn by CSS, not part of the heading's text
    page.click(link)
    assert page.evaluate("() => location.hash") == "#key-figures-gii-2024"
    top = page.eval_on_selector("#key-figures-gii-2024", "e => e.getBoundingClientRect().top")
    assert abs(top) < 5


def test_the_links_are_not_printed(page):
    page.emulate_media(media="print")
    try:
        shown = page.eval_on_selector_all("a.self-link", "ls => ls.filter(l => getComputedStyle(l).display !== 'none')"
                                                         ".length")
        downloads = page.eval_on_selector_all("p.download, p.page-download",
                                              "ps => ps.filter(p => getComputedStyle(p).display !== 'none').length")
    finally:
        page.emulate_media(media="screen")
    assert shown == 0 and downloads == 0
