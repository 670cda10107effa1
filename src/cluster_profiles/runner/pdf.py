"""A rendered page as PDF, beside it: headless Chromium prints the HTML file itself, offline.

The page is printed by the browser its readers use, so the PDF is what their Print gives: the page's print
stylesheet (templates/report/index.html.j2), its text as text, its fonts embedded (the CJK quotes' included),
its links and a document outline from the headings. Chromium is driven over its DevTools pipe (two file
descriptors, no network port): open the page, wait for it to load, ``Page.printToPDF`` on the chosen paper.
docs/commands.md says why Chromium and not WeasyPrint (measured on Hefei 2024).

What a run leaves: the PDF, written atomically (``files.write_files_atomically``: a failure keeps the previous
one). The browser runs in a session of its own with its profile and HOME in a private temporary folder
(``files.temporary_folder``), killed with its children when the print ends or fails, when the command is
stopped by a signal, and (Linux) when the command is killed outright (``runner.kernels.signal_when_parent_dies``);
a folder left by ``kill -9`` is removed by the next PDF run.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import temporary_folder, write_files_atomically
from cluster_profiles.runner.kernels import signal_when_parent_dies

CHROMIUM_ENV = "CLUSTER_PROFILES_CHROMIUM"  # a Chrome or Chromium program to use instead of the one on PATH
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
TIMEOUT_SECONDS = 120.0  # a page prints in 1-3 s; a browser that hangs is stopped


@dataclass(frozen=True)
class Paper:
    name: str
    width_inches: float
    height_inches: float


PAPERS = {"a4": Paper("A4", 210 / 25.4, 297 / 25.4), "letter": Paper("Letter", 8.5, 11.0)}
DEFAULT_PAPER = "a4"


class PdfError(ClusterProfilesError):
    """A PDF that could not be made: no browser, or the browser failed to print."""


def find_chromium() -> Path:
    """The browser that prints: ``$CLUSTER_PROFILES_CHROMIUM``, else the first Chrome or Chromium on PATH."""
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            raise PdfError(f"{CHROMIUM_ENV}={chosen}: no such program; give the path of a Chrome or Chromium "
                           "program, or unset it to use the chromium on PATH")
        return Path(found)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    raise PdfError("--pdf needs Chromium (or Chrome) to print the page, and none is installed: install it "
                   "(Debian or Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium), or set "
                   f"{CHROMIUM_ENV} to a Chrome or Chromium program")


def pdf_path(html_path: Path) -> Path:
    """Where a page's PDF goes: beside it, with the same name."""
    return Path(html_path).with_suffix(".pdf")


def write_pdf(html_path: Path, paper: str = DEFAULT_PAPER, chromium: Path | None = None,
              timeout: float | None = None) -> Path:
    """Print the page ``html_path`` to ``<page>.pdf`` beside it, on ``paper`` (``PAPERS``); return its path.
    ``timeout``: seconds the browser has for it (default ``TIMEOUT_SECONDS``)."""
    html_path = Path(html_path).resolve()
    if paper not in PAPERS:
        raise PdfError(f"--paper {paper}: choose one of {', '.join(PAPERS)}")
    if not html_path.is_file():
        raise PdfError(f"{html_path}: no such page to print")
    browser = chromium or find_chromium()
    with temporary_folder("pdf") as work:
        pdf = print_page(browser, html_path.as_uri(), PAPERS[paper], work,
                         TIMEOUT_SECONDS if timeout is None else timeout)
    if not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]:
        raise PdfError(f"{html_path}: the browser returned no complete PDF; the previous PDF, if any, is kept")
    target = pdf_path(html_path)
    write_files_atomically({target: pdf})
    return target


def print_page(browser: Path, url: str, paper: Paper, work: Path, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The PDF bytes of the page at ``url``, printed by ``browser`` with its files in ``work``."""
    deadline = time.monotonic() + timeout
    with _browser(browser, work) as devtools:
        target = devtools.call("Target.createTarget", {"url": "about:blank"}, deadline)["targetId"]
        session = devtools.call("Target.attachToTarget", {"targetId": target, "flatten": True}, deadline)["sessionId"]
        devtools.call("Page.enable", {}, deadline, session)
        navigated = devtools.call("Page.navigate", {"url": url}, deadline, session)
        if navigated.get("errorText"):
            raise PdfError(f"{url}: the browser could not open the page ({navigated['errorText']})")
        loaded = "document.readyState === 'complete' && location.href !== 'about:blank'"
        while True:  # the blank page the tab opened with may report its own load first
            devtools.wait_for("Page.loadEventFired", deadline, session)
            if devtools.call("Runtime.evaluate", {"expression": loaded, "returnByValue": True}, deadline,
                             session).get("result", {}).get("value"):
                break
        printed = devtools.call("Page.printToPDF", {
            "paperWidth": paper.width_inches, "paperHeight": paper.height_inches, "printBackground": True,
            "preferCSSPageSize": False, "displayHeaderFooter": False, "generateDocumentOutline": True,
            "generateTaggedPDF": True, "transferMode": "ReturnAsBase64"}, deadline, session)
        with contextlib.suppress(PdfError):
            devtools.call("Browser.close", {}, min(deadline, time.monotonic() + 5))
    return base64.b64decode(printed["data"])


# ------------------------------------------------------------------------------------------ the browser

def browser_arguments(browser: Path, work: Path) -> list[str]:
    """Headless, offline (every host name resolves to nothing), no first-run work, its profile in ``work``."""
    arguments = [str(browser), "--headless", "--remote-debugging-pipe", f"--user-data-dir={work / 'profile'}",
                 "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-dev-shm-usage", "about:blank"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        arguments.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return arguments


def _start_in_pipes(commands: int, replies: int, parent: int) -> None:
    """Run in the browser's process before it starts: the DevTools pipe on descriptors 3 (commands in) and 4
    (replies out), as ``--remote-debugging-pipe`` expects, and (Linux) killed when this command dies."""
    import fcntl  # POSIX only, as this function is

    # moved above 4 first: one of the pipe's own descriptors may be 3 or 4
    high_commands = fcntl.fcntl(commands, fcntl.F_DUPFD_CLOEXEC, 10)
    high_replies = fcntl.fcntl(replies, fcntl.F_DUPFD_CLOEXEC, 10)
    os.dup2(high_commands, 3)  # inheritable: the browser gets 3 and 4; every other descriptor closes on exec
    os.dup2(high_replies, 4)
    if sys.platform.startswith("linux") and not signal_when_parent_dies(signal.SIGKILL, parent):
        os._exit(1)  # this command died before the guard took effect


@contextlib.contextmanager
def _browser(browser: Path, work: Path) -> Iterator[_DevTools]:
    """A headless browser in a session of its own, its HOME in ``work``; the whole session killed on exit."""
    home = work / "home"
    home.mkdir()
    environment = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                   "XDG_CACHE_HOME": str(home / ".cache")}
    commands_read, commands_write = os.pipe()
    replies_read, replies_write = os.pipe()
    log = open(work / "browser.log", "wb")  # noqa: SIM115 - closed below, after the browser is gone
    process = None
    try:
        # close_fds=False: Python's own descriptors close on exec anyway (PEP 446); the two the browser needs
        # are made in the child, after subprocess would close them with close_fds
        process = subprocess.Popen(
            browser_arguments(browser, work), stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=environment,
            start_new_session=True, close_fds=False,
            preexec_fn=functools.partial(_start_in_pipes, commands_read, replies_write, os.getpid()))
    except (OSError, subprocess.SubprocessError) as error:
        log.close()
        for descriptor in (commands_read, commands_write, replies_read, replies_write):
            os.close(descriptor)
        raise PdfError(f"{browser}: cannot start it ({getattr(error, 'strerror', None) or error})") from None
    os.close(commands_read)
    os.close(replies_write)
    devtools = _DevTools(browser, commands_write, replies_read, work / "browser.log")
    try:
        yield devtools
    finally:
        _stop(process)
        os.close(commands_write)
        os.close(replies_read)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """Kill the browser's whole session (its renderer and helper processes too) and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


class _DevTools:
    """The Chrome DevTools Protocol over the pipe: JSON messages, each ended by a NUL byte."""

    def __init__(self, browser: Path, commands: int, replies: int, log: Path) -> None:
        self.browser, self.commands, self.replies, self.log = browser, commands, replies, log
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        self.selector = selectors.DefaultSelector()
        self.selector.register(replies, selectors.EVENT_READ)

    def call(self, method: str, params: dict[str, Any], deadline: float, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self.commands, json.dumps(message).encode("utf-8") + b"\0")
        except OSError:
            raise self._failed(f"it stopped before {method}") from None
        while True:
            reply = self._read(deadline, method)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise PdfError(f"the browser refused {method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, deadline: float, session: str) -> dict[str, Any]:
        while True:
            for index, message in enumerate(self.events):
                if message.get("method") == event and message.get("sessionId") == session:
                    return self.events.pop(index)
            self.events.append(self._read(deadline, event))

    def _read(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(timeout=left):
                raise PdfError(f"the browser did not answer {waiting_for} in the time allowed; it was "
                               "stopped")
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise self._failed(f"it stopped while waiting for {waiting_for}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def _failed(self, what: str) -> PdfError:
        """The browser's own last words (its log) with what it was doing."""
        try:
            lines = [line for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()
                     if line.strip() and "dbus" not in line.lower()]
        except OSError:
            lines = []
        said = f": {lines[-1].strip()[:300]}" if lines else ""
        return PdfError(f"{self.browser}: the browser failed, {what}{said}")
