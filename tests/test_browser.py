"""Open the rendered report in headless Chromium with the network blocked, as a reader offline would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser test: install Debian's chromium (.ci/run does)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


def test_report_loads_offline_with_no_errors(hefei_report, tmp_path):
    from playwright.sync_api import sync_playwright

    failed, errors, external = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})

        def block(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                external.append(route.request.url)
                route.abort()

        page.route("**/*", block)
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(hefei_report.html_path.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth}))")
        heading = page.inner_text("h1")
        page.screenshot(path=str(tmp_path / "hefei.png"), full_page=True)
        browser.close()

    assert external == [] and failed == [] and errors == []
    assert heading == "Hefei, China"
    assert len(images) == 5  # applicants, publishers, fields, collaboration, peers
    assert all(i["complete"] and i["width"] > 0 and len(i["alt"]) > 40 for i in images)
