"""JupyterLab as `make lab` starts it, in a real browser, on a clone of the repository.

Run all cells of the working copies (the profile, the picker) and save; change the picker and see the profile
follow; the clone's `git status` stays clean. Everything the server, the kernels and the browser write goes to
pytest's tmp folders; the browser reaches nothing but the server.

Readiness is what JupyterLab itself reports, never the look of the page: the document loaded, a kernel
attached and idle, each code cell's execution count. Before its file and kernel are there, a notebook shows a
placeholder cell and an "idle" execution indicator; 'run all' issued then finds no kernel, opens JupyterLab's
modal "Select Kernel" dialog and runs nothing until someone answers it. That is what hung a clean CI-like run
(2026-11-29, on a loaded machine) while the test passed on a fast one. A dialog now fails the test at once,
naming it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browsers import ARGS, CHROMIUM, browser_environment, require_chromium

from cluster_profiles import paths
from cluster_profiles.runner import lab

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow]

require_chromium()
pytest.importorskip("jupyterlab")
pytest.importorskip("ipywidgets")

# Generous: a loaded 2-core machine took 30 s from the server's start to an idle kernel, 25 s to run the profile.
SERVER_START_S = 180
OPEN_S = 240  # the notebook loaded and its kernel idle
RUN_S = 360  # every code cell executed
WIDGET_S = 120  # a widget shown or redrawn

# The state of the open notebook at `path`, as JupyterLab holds it (the app is exposed by
# --LabApp.expose_app_in_browser).
STATE_JS = """(path) => {
  const app = window.jupyterapp;
  const dialogs = Array.from(document.querySelectorAll('.jp-Dialog'))
    .map(d => d.innerText.replace(/\\s+/g, ' ').trim());
  if (!app) return {stage: 'JupyterLab has not started', dialogs};
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  if (!panel) return {stage: 'the notebook is not open', dialogs};
  const session = panel.sessionContext;
  const kernel = session.session ? session.session.kernel : null;
  const code = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const errors = code.flatMap(cell => cell.model.outputs.toJSON()
    .filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue));
  return {stage: 'open', loaded: panel.context.isReady, kernel: kernel ? kernel.status : 'none',
          kernel_name: kernel ? kernel.name : null, current: app.shell.currentWidget === panel,
          dirty: panel.context.model.dirty, counts: code.map(cell => cell.model.executionCount),
          errors, dialogs};
}"""

RUN_ALL_JS = """(path) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  if (app.shell.currentWidget !== panel) return false;
  void app.commands.execute('notebook:run-all-cells');  // resolves when all ran: waited on by polling
  return true;
}"""

SAVE_JS = """async (path) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('save timed out')), 60000));
  await Promise.race([panel.context.save(), timeout]);
  return panel.context.model.dirty;
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _git(clone: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(clone), *args], capture_output=True, text=True, check=True).stdout


def _die_with_this_process() -> None:
    """In the server's child process: SIGTERM when pytest dies, even by SIGKILL (Linux prctl)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def _processes_mentioning(text: str) -> list[int]:
    """Processes whose command line names ``text`` (this run's tmp folder): kernels the server left."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


class Lab:
    """JupyterLab serving a clone of the repository as `make lab` does, and a headless Chromium."""

    def __init__(self, clone: Path, base: str, token: str, log: Path, shots: Path, browser):
        self.clone, self.base, self.token, self.log, self.shots, self.browser = clone, base, token, log, shots, browser

    def open(self, path: str, workspace: str) -> LabPage:
        """A new page showing ``path`` in its own workspace (so it does not reopen another test's notebook)."""
        return LabPage(self, path, workspace)


class LabPage:
    def __init__(self, lab_: Lab, path: str, workspace: str):
        self.lab, self.path, self.name = lab_, path, workspace
        self.page = lab_.browser.new_page(viewport={"width": 1200, "height": 900})
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text[:300]))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)[:300]))
        self.page.route("**/*", self._route)
        self.page.goto(f"{lab_.base}/lab/workspaces/{workspace}/tree/{path}?token={lab_.token}")

    def _route(self, route):
        if route.request.url.startswith(self.lab.base + "/"):
            route.continue_()
        else:  # no network: JupyterLab's news and update checks are off; anything else is recorded
            self.blocked.append(route.request.url)
            route.abort()

    def state(self) -> dict:
        return self.page.evaluate(STATE_JS, self.path)

    def fail(self, message: str, state: dict | None = None) -> None:
        shot = self.lab.shots / f"{self.name}.png"
        with contextlib.suppress(Exception):
            self.page.screenshot(path=str(shot))
        log = self.lab.log.read_text(errors="replace").splitlines()[-25:]
        pytest.fail(f"{message}\nJupyterLab's state of {self.path}: {state}\nbrowser console errors: "
                    f"{self.console_errors[-10:]}\nscreenshot: {shot}\nserver log, last lines:\n" + "\n".join(log),
                    pytrace=False)

    def wait_for(self, what: str, done, seconds: float) -> dict:
        """Poll JupyterLab's state until ``done(state)``; a dialog or a cell's error fails at once."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.state()
            if state.get("dialogs"):
                self.fail(f"JupyterLab opened a dialog while waiting for {what}", state)
            if state.get("errors"):
                self.fail(f"a cell raised while waiting for {what}", state)
            if done(state):
                return state
            if time.monotonic() > deadline:
                self.fail(f"no {what} within {seconds} s", state)
            self.page.wait_for_timeout(250)

    def run_all(self) -> list[int]:
        """Wait for the notebook and its kernel, run all cells, wait until every code cell has run."""
        self.wait_for("loaded notebook with an idle kernel",
                      lambda s: s.get("loaded") and s.get("kernel") == "idle", OPEN_S)
        if not self.page.evaluate(RUN_ALL_JS, self.path):
            self.fail("the notebook is not JupyterLab's current widget: 'run all' would run another one")
        state = self.wait_for("execution count on every code cell and an idle kernel",
                              lambda s: s["counts"] and None not in s["counts"] and s["kernel"] == "idle", RUN_S)
        return state["counts"]

    def save(self) -> None:
        if self.page.evaluate(SAVE_JS, self.path):
            self.fail("the notebook is still marked changed after saving", self.state())


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """A clone of the repository with its working copies, JupyterLab serving it as `make lab` does (127.0.0.1,
    a token), and Chromium. Every Jupyter, IPython and matplotlib folder is under the tmp folder."""
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("lab")
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "--quiet", str(paths.REPO_ROOT), str(clone)], check=True)
    lab.prepare_working_copies(clone / "notebooks", clone / "lab")
    config, home, runtime, shots = tmp / "config", tmp / "home", tmp / "runtime", tmp / "screenshots"
    for folder in (home, shots):
        folder.mkdir()
    # no network: JupyterLab's update check is off here; its news prompt is off by the project's defaults
    # (lab.lab_environment, as `make lab` starts it), which the first test checks
    token, port = secrets.token_hex(16), _free_port()
    command = lab.jupyter_lab_command(clone / "lab" / lab.PROFILE_COPY, root=clone, extra=[
        "--no-browser", f"--ServerApp.port={port}", "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"])
    environment = {**lab.lab_environment(os.environ), "JUPYTER_TOKEN": token, "JUPYTER_CONFIG_DIR": str(config),
                   "JUPYTER_DATA_DIR": str(tmp / "data"), "JUPYTER_RUNTIME_DIR": str(runtime), "HOME": str(home),
                   "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    for name in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        environment.pop(name, None)
    log = tmp / "jupyterlab.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(command, cwd=clone, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
                                  start_new_session=True, preexec_fn=_die_with_this_process)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start within {SERVER_START_S} s; its log:\n"
                                + log.read_text(errors="replace")[-3000:], pytrace=False)
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError):  # the token is required
            urllib.request.urlopen(f"{base}/api/contents/lab", timeout=10)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(  # its crash-report folder goes under the temporary HOME
                executable_path=str(CHROMIUM), env=browser_environment(home), args=ARGS)
            try:
                yield Lab(clone, base, token, log, shots, browser)
            finally:
                browser.close()
    finally:
        server.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        deadline = time.monotonic() + 15
        while (left := _processes_mentioning(str(runtime))) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in left:  # a kernel that outlived its server (it would exit by itself when it noticed)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _html_outputs(notebook: dict) -> str:
    return "".join("".join(output["data"]["text/html"]) for cell in notebook["cells"]
                   for output in cell.get("outputs", []) if "text/html" in output.get("data", {}))


def test_run_all_and_save_the_working_copy_leaves_the_clone_clean(jupyter_lab):
    clone = jupyter_lab.clone
    template = (clone / "notebooks" / "cluster_profile.ipynb").read_bytes()
    page = jupyter_lab.open("lab/cluster_profile.ipynb", "profile")
    counts = page.run_all()
    assert counts == sorted(set(counts)), f"the cells ran out of order or twice: {counts}"
    shown = page.page.inner_text(".jp-Notebook")
    assert "Hefei" in shown and "Traceback" not in shown
    toasts = page.page.locator(".Toastify__toast").all_inner_texts()
    assert not any("Jupyter news" in toast for toast in toasts), f"JupyterLab asked about its news: {toasts}"
    page.save()
    saved = json.loads((clone / "lab" / "cluster_profile.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
    assert [cell["execution_count"] for cell in code] == counts
    assert "Hefei" in _html_outputs(saved)
    assert (clone / "notebooks" / "cluster_profile.ipynb").read_bytes() == template
    assert _git(clone, "status", "--porcelain", "--untracked-files=all") == ""
    assert page.blocked == [], f"JupyterLab reached outside the server: {page.blocked}"


def test_the_picker_redraws_the_profile_for_the_chosen_cluster_and_edition(jupyter_lab, tables):
    from cluster_profiles.pages.profile import explore

    page = jupyter_lab.open("lab/explore.ipynb", "picker")
    page.run_all()
    view = page.page
    dropdowns = {label: view.locator(".widget-dropdown", has=view.locator("label", has_text=label)).locator("select")
                 for label in ("Edition", "Cluster")}
    heading, kicker = view.locator(".widget-html-content h1"), view.locator(".widget-html-content .kicker")
    try:
        heading.wait_for(timeout=WIDGET_S * 1000)
    except Exception:
        page.fail("the picker's widgets did not show (is jupyterlab_widgets installed?)", page.state())

    def options(label: str) -> list[str]:
        return [text.replace("\xa0", " ") for text in dropdowns[label].locator("option").all_inner_texts()]

    def wait_shown(what: str, cluster: str, edition: int) -> None:
        deadline = time.monotonic() + WIDGET_S
        while not (heading.inner_text().startswith(cluster) and str(edition) in kicker.inner_text()):
            if time.monotonic() > deadline:
                page.fail(f"the picker shows {heading.inner_text()!r} ({kicker.inner_text()!r}) "
                          f"{WIDGET_S} s after {what}, not {cluster} in {edition}", page.state())
            view.wait_for_timeout(250)

    editions = tables.edition_list()
    assert options("Edition") == [str(e) for e in editions]
    latest = [name for _, name in explore.cluster_options(tables, editions[-1])]
    assert options("Cluster") == [label for label, _ in explore.cluster_options(tables, editions[-1])]
    wait_shown("running the notebook", latest[0], editions[-1])

    dropdowns["Cluster"].select_option(index=1)
    wait_shown("choosing the second cluster", latest[1], editions[-1])

    earlier = explore.cluster_options(tables, editions[0])
    dropdowns["Edition"].select_option(label=str(editions[0]))
    expected = latest[1] if latest[1] in [name for _, name in earlier] else earlier[0][1]
    wait_shown(f"choosing {editions[0]}", expected, editions[0])
    assert options("Cluster") == [label for label, _ in earlier]
    assert page.blocked == [], f"JupyterLab reached outside the server: {page.blocked}"
    assert _git(jupyter_lab.clone, "status", "--porcelain", "--untracked-files=all") == ""
