"""A rendered comparison in headless Chromium with the network blocked: its charts load and say what
they show, it asks for nothing online, and its links (profiles, index, notes) lead somewhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from browsers import CHROMIUM, headless_chromium
from test_browser import OfflinePage

from cluster_profiles import paths

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

FIXTURE_DATA = paths.REPO_ROOT / "tests" / "fixtures" / "data"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium-home")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """Hefei, Nanjing and Wuhan (GII 2024, fixture data) compared with the command, in a reports folder
    that has an index and the profiles of Hefei and Nanjing (stand-ins: the links are what is tested)."""
    from cluster_profiles.cli import main
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.runner.site import build_index

    reports = tmp_path_factory.mktemp("compare-site")
    for cluster in ("Hefei", "Nanjing"):
        page = reports / paths.report_relpath(2024, cluster)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<!DOCTYPE html><html lang='en'><title>{cluster}</title><h1>{cluster}</h1></html>")
    build_index(load_tables(FIXTURE_DATA), reports)
    assert main(["compare", "--clusters", "hefei;Nanjing;WUHAN", "--edition", "2024",
                 "--data-dir", str(FIXTURE_DATA), "--reports-dir", str(reports)]) == 0
    return reports


def test_the_comparison_loads_offline_with_its_charts_and_links(browser, compared, tmp_path):
    page_path = compared / "2024" / "compare" / "hefei--nanjing--wuhan.html"
    offline = OfflinePage(browser)
    page = offline.open(page_path.as_uri())
    assert page.inner_text("h1") == "Hefei, Nanjing and Wuhan side by side, GII 2024"
    assert page.title() == "Hefei, Nanjing and Wuhan side by side, GII 2024"
    images = offline.images()
    assert len(images) == 2  # figures per million, ranks across editions
    alts = [i["alt"] for i in images]
    assert alts[0].startswith("Bar charts of figures per 1 million inhabitants: ")
    assert alts[1].startswith("Line chart of size ranks by GII edition: Hefei 2024 ")
    headers = page.eval_on_selector_all("section.key-figures th", "ths => ths.map(t => t.innerText)")
    assert headers[:4] == ["Figure", "Hefei", "Nanjing", "Wuhan"]
    assert page.locator("section.rank-history table").count() == 1
    assert page.locator("a[download$='.csv']").count() >= 4
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    offline.assert_clean()  # images decoded with alt text, no request outside file: and data:, no error
    hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    local = [h for h in hrefs if not h.startswith(("http:", "https:", "data:"))]
    for href in local:
        if href.startswith("#"):
            assert page.locator(f"[id='{href[1:]}']").count() == 1, f"no target for {href}"
        else:
            assert Path(urldefrag(urljoin(page_path.as_uri(), href)).url.removeprefix("file://")).is_file(), href
    targets = {urljoin(page_path.as_uri(), h) for h in local if not h.startswith("#")}
    assert targets == {(compared / "index.html").as_uri(), (compared / "2024" / "hefei.html").as_uri(),
                       (compared / "2024" / "nanjing.html").as_uri()}


def test_the_index_links_the_comparison(browser, compared):
    offline = OfflinePage(browser)
    page = offline.open((compared / "index.html").as_uri())
    link = page.locator("#comparisons a")
    assert link.count() == 1 and link.inner_text() == "Hefei, Nanjing and Wuhan side by side, GII 2024"
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/2024/compare/hefei--nanjing--wuhan.html")
    assert page.inner_text("h1").endswith("side by side, GII 2024")
    offline.assert_clean()
