"""Headless Debian Chromium for the browser tests, with its own HOME in a temporary folder.

Chromium writes a crash-report folder and caches under ``$HOME`` (``.config/chromium``, ``.cache``) even
headless; tests write only to temporary folders, so each browser gets a HOME of its own.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Playwright's own browser download does not work offline
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    """Called at a browser test module's top: skip it without Debian's Chromium, except in CI, where it must run."""
    import pytest

    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium (.ci/run does)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


def browser_environment(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache")}


@contextlib.contextmanager
def headless_chromium(home: Path) -> Iterator[object]:
    """A launched Playwright browser whose files go under ``home``; closed on exit."""
    from playwright.sync_api import sync_playwright

    home.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=browser_environment(home))
        try:
            yield browser
        finally:
            browser.close()
