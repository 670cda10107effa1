"""Pages as a reader sees them, in headless Chromium at a phone's width and a desktop's: the first screen, a sparse
page, nothing wider than the screen. A complete profile (Hefei 2024) and a sparse one (Cairo 2024)."""

from __future__ import annotations

import pytest
from browsers import headless_chromium, require_chromium
from rendering import render_profile

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

require_chromium()

PHONE = {"width": 390, "height": 844}  # a common phone, CSS pixels
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])

# What lies outside the screen on the right, ignoring what scrolls inside its own box (a wide table on a phone).
OVERFLOWING = """() => [...document.querySelectorAll('body *')].filter(element => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= window.innerWidth + 1) return false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
        const overflow = getComputedStyle(up).overflowX;
        if ((overflow === 'auto' || overflow === 'scroll') && up.getBoundingClientRect().right <= window.innerWidth + 1)
            return false;
    }
    return true;
}).map(element => element.tagName + '.' + element.className + ': ' + (element.textContent || '').slice(0, 60))"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reader-pages")
    return {cluster: render_profile({"cluster": cluster, "edition": 2024}, reports_dir=reports).html_path
            for cluster in ("Hefei", "Cairo")}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium-home")) as chromium:
        yield chromium


def _open(browser, path, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(path.as_uri(), wait_until="load")
    return page


def _top(page, selector: str) -> float:
    return page.eval_on_selector(selector, "element => element.getBoundingClientRect().top")


@WIDTHS
@pytest.mark.parametrize("cluster", ["Hefei", "Cairo"])
def test_nothing_is_wider_than_the_screen(browser, pages, viewport, cluster):
    page = _open(browser, pages[cluster], viewport)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(OVERFLOWING) == []
    widths = page.eval_on_selector_all("img", "images => images.map(image => image.getBoundingClientRect().width)")
    assert widths and max(widths) <= viewport["width"]
    page.close()


@WIDTHS
@pytest.mark.parametrize("cluster", ["Hefei", "Cairo"])
def test_the_first_screen_has_the_lead_and_the_start_of_the_key_figures(browser, pages, viewport, cluster):
    """How big, how dense, how it changed: the lead and the key figures' first rows, without scrolling."""
    page = _open(browser, pages[cluster], viewport)
    assert page.inner_text("h1").startswith(cluster)
    assert _top(page, "section.lead") < viewport["height"] / 2
    first_row = page.eval_on_selector("section.key-figures tbody tr", "row => row.getBoundingClientRect().bottom")
    assert first_row < viewport["height"], first_row
    assert "Size rank" in page.inner_text("section.key-figures tbody tr")
    page.close()


@WIDTHS
def test_a_sparse_page_is_short_and_says_what_it_lacks_in_one_panel(browser, pages, viewport):
    hefei, cairo = (_open(browser, pages[cluster], viewport) for cluster in ("Hefei", "Cairo"))
    height = "document.documentElement.scrollHeight"
    assert cairo.evaluate(height) < 0.7 * hefei.evaluate(height)
    assert cairo.locator("section.lacks").count() == 1
    assert _top(cairo, "section.lacks") < 2 * viewport["height"]  # within the second screen at most
    assert cairo.locator(".missing").count() == 0  # no box per section
    assert cairo.locator("section.lacks li").count() >= 3  # the missing parts, listed
    hefei.close()
    cairo.close()
