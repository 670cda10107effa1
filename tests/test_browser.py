"""Open rendered pages in headless Chromium with the network blocked, as a reader offline would."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from browsers import headless_chromium, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

require_chromium()


@pytest.fixture(scope="module")
def browser_home(tmp_path_factory):
    return tmp_path_factory.mktemp("chromium-home")


@pytest.fixture(scope="module")
def browser(browser_home):
    with headless_chromium(browser_home) as chromium:
        yield chromium


def test_the_browser_writes_under_its_own_temporary_home(browser, browser_home):
    page = browser.new_page()
    page.goto("data:text/html,<p>ready</p>")
    assert page.text_content("p") == "ready"
    assert (browser_home / ".config" / "chromium").is_dir()  # its crash-report folder: not in the user's HOME


class OfflinePage:
    """A page whose requests outside file: and data: URLs are blocked and recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1100, "height": 900})
        self.failed, self.errors, self.external = [], [], []
        self.page.route("**/*", self._route)
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def open(self, url: str):
        response = self.page.goto(url, wait_until="load")
        assert response is None or response.ok, url
        return self.page

    def images(self):
        return self.page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth}))")

    def assert_map_shown(self, alt_start: str):
        """The page's map image has loaded (decoded, not broken) and says in its alt text what it shows."""
        (image,) = self.page.eval_on_selector_all(
            "section.location-map img",
            "imgs => imgs.map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth}))")
        assert image["complete"] and image["width"] >= 900 and image["alt"].startswith(alt_start), image["alt"][:80]

    def assert_clean(self):
        assert self.external == [] and self.failed == [] and self.errors == []
        assert all(i["complete"] and i["width"] > 0 and len(i["alt"]) > 40 for i in self.images())


def test_report_loads_offline_with_no_errors(browser, hefei_report, tmp_path):
    offline = OfflinePage(browser)
    page = offline.open(hefei_report.html_path.as_uri())
    assert page.inner_text("h1") == "Hefei, China"
    assert len(offline.images()) == 2  # the map and the peers; the top lists are tables with inline bars
    # the key figures start in the first screen, right under the lead
    panel = page.eval_on_selector("section.key-figures table", "t => t.getBoundingClientRect().top")
    assert panel < 900, panel
    offline.assert_map_shown("Locator map of the Chinese clusters in the GII 2024 data, Hefei")
    page.screenshot(path=str(tmp_path / "hefei.png"), full_page=True)
    offline.assert_clean()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.runner.site import build_site

    reports = tmp_path_factory.mktemp("site")
    result = build_site(load_tables(), reports, editions=[2024, 2025], economy="EG", jobs=2, progress=False)
    assert result.ok and len(result.rendered) == 4  # Cairo 2024 and 2025, two overviews
    return reports


def test_every_page_of_the_site_loads_offline_and_every_link_resolves(browser, site):
    index = (site / "index.html").as_uri()
    offline = OfflinePage(browser)
    page = offline.open(index)
    to_visit = [urljoin(index, href) for href in page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
                if not href.startswith(("http:", "https:", "data:"))]
    assert len(to_visit) == 5  # two overviews, two reports, the data folder's zip
    offline.assert_clean()
    seen = set()
    while to_visit:
        url = to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        assert Path(urldefrag(url).url.removeprefix("file://")).is_file(), f"broken link: {url}"
        if url.endswith(".zip"):  # a download (the data folder, a profile's data): there, not a page to open
            continue
        visitor = OfflinePage(browser)
        page = visitor.open(url)
        visitor.assert_clean()
        if not url.endswith("index.html"):  # every overview and profile has its map
            visitor.assert_map_shown("World map of the" if "overview" in url else "Locator map of the Egyptian")
        for href in page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))"):
            if href.startswith("#"):  # a note linked to the list of sources on the same page
                assert page.locator(f"[id='{href[1:]}']").count() == 1, f"{url}: no target for {href}"
            elif not href.startswith(("http:", "https:", "data:")):
                to_visit.append(urljoin(url, href))
        visitor.page.close()
    assert len(seen) >= 5  # the index is reached again from the overviews


def test_index_filters_and_sorts(browser, site):
    offline = OfflinePage(browser)
    page = offline.open((site / "index.html").as_uri())
    assert page.inner_text("#count") == "1 of 2 reports"  # it opens on the newest edition
    assert page.eval_on_selector_all("#reports tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.edition)") == ["2025"]
    page.select_option("#edition", "")
    assert page.inner_text("#count") == "2 of 2 reports"
    page.fill("#filter", "atlantis")
    assert page.inner_text("#count") == "0 of 2 reports"
    page.fill("#filter", "")
    page.click("button[data-key=size]")  # ascending -> descending
    ranks = page.eval_on_selector_all("#reports tbody tr", "rows => rows.map(r => r.dataset.size)")
    assert ranks == ["95", "83"]
    offline.assert_clean()


# ------------------------------------------------------------------------------------------------
# Quotes in Chinese, Japanese and Korean: drawn with a Noto CJK face, not with tofu boxes or some
# other fallback. Chromium's DevTools protocol names the platform fonts that drew a node's text.

CJK_QUOTES = {"zh": "宁德因一家企业跻身创新强度前五", "ja": "大阪―神戸―京都と名古屋が選ばれ",
              "ko": "서울의 VC 거래 글로벌 점유율"}
CJK_FACES = {"zh": "Noto Sans CJK SC", "ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR"}


@pytest.fixture(scope="module")
def cjk_report(tmp_path_factory):
    """Hefei 2024 rendered from a copy of the data whose sources quote Chinese, Japanese and Korean."""
    import shutil
    from dataclasses import replace

    from rendering import render_profile as render_report

    from cluster_profiles import paths
    from cluster_profiles.contract.canonical_csv import write_tables
    from cluster_profiles.contract.load import load_tables

    data = tmp_path_factory.mktemp("cjk") / "data"
    shutil.copytree(paths.DATA_DIR, data, ignore=shutil.ignore_patterns("*.md"))
    tables = load_tables(data)
    clusters = tables.clusters.copy()
    row = clusters.index[(clusters["edition"] == 2024) & (clusters["cluster"] == "Hefei")][0]
    quoted = " ; ".join(f"https://quote-{lang}.example/a ({quote})" for lang, quote in CJK_QUOTES.items())
    clusters.loc[row, "source"] = f"{clusters.loc[row, 'source']} ; {quoted}"
    write_tables(replace(tables, clusters=clusters), data, ["clusters"])
    return render_report({"cluster": "Hefei", "edition": 2024, "data_dir": str(data)},
                         reports_dir=tmp_path_factory.mktemp("cjk-reports"))


def platform_fonts(page, selector: str) -> dict[str, int]:
    """The fonts that drew the text of the first element matching ``selector``: family -> glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no element {selector}"
    fonts: dict[str, int] = {}
    for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:  # its child text nodes
        fonts[font["familyName"]] = fonts.get(font["familyName"], 0) + int(font["glyphCount"])
    cdp.detach()
    return fonts


def test_quotes_in_chinese_japanese_and_korean_render_with_a_cjk_font(browser, cjk_report):
    import re

    offline = OfflinePage(browser)
    page = offline.open(cjk_report.html_path.as_uri())
    stack = page.eval_on_selector(".jp-OutputArea-output", "e => getComputedStyle(e).fontFamily")
    assert "Noto Sans CJK" in stack  # the page names a CJK font in its stack
    letters = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
    for lang, quote in CJK_QUOTES.items():
        selector = f"ol.sources span[lang='{lang}']"
        assert page.inner_text(selector) == quote
        fonts = platform_fonts(page, selector)
        # every ideograph, kana and hangul syllable drawn by the Noto CJK face of the quote's language:
        # without fonts-noto-cjk they would come from another family or be tofu boxes
        assert fonts.get(CJK_FACES[lang], 0) >= len(letters.findall(quote)), (lang, fonts)
    # the check tells fonts apart: the title's Latin letters are not drawn by a CJK face
    title_fonts = platform_fonts(page, "h1")
    assert title_fonts and not any("CJK" in family for family in title_fonts), title_fonts
    offline.assert_clean()
