"""--pdf without a browser, with a browser that fails, with a paper it does not know: one line, exit 2, nothing
written or the previous PDF kept. No browser starts here (tests/test_pdf.py prints real pages)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cluster_profiles import cli
from cluster_profiles.runner import pdf


@pytest.fixture
def no_browser(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)


def test_without_a_browser_the_error_says_what_to_install(no_browser):
    with pytest.raises(pdf.PdfError) as raised:
        pdf.find_chromium()
    message = str(raised.value)
    assert "\n" not in message and "apt-get install chromium" in message and pdf.CHROMIUM_ENV in message


@pytest.mark.parametrize("command", [["render"], ["render-all"]])
def test_render_pdf_without_a_browser_exits_2_in_one_line_before_rendering(no_browser, tmp_path, capsys, command):
    reports = tmp_path / "reports"
    assert cli.main([*command, "--pdf", "--reports-dir", str(reports)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --pdf needs Chromium") and err.count("\n") == 1
    assert not list(reports.rglob("*.html")) and not list(reports.rglob("*.pdf"))


def test_a_program_named_in_the_environment_that_does_not_exist_is_named(monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "/no/such/chromium")
    with pytest.raises(pdf.PdfError, match=r"CLUSTER_PROFILES_CHROMIUM=/no/such/chromium: no such program"):
        pdf.find_chromium()


def test_a_paper_it_does_not_know_is_refused(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text("<p>text</p>", encoding="utf-8")
    with pytest.raises(pdf.PdfError, match="--paper a3: choose one of a4, letter"):
        pdf.write_pdf(page, "a3", chromium=Path("/bin/true"))
    with pytest.raises(SystemExit) as exited:
        cli.main(["render", "--pdf", "--paper", "a3"])
    assert exited.value.code == 2 and "invalid choice: 'a3'" in capsys.readouterr().err


def test_a_browser_that_fails_says_so_in_one_line_and_keeps_the_previous_pdf(tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'No usable sandbox!' >&2\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    page = tmp_path / "page.html"
    page.write_text("<p>text</p>", encoding="utf-8")
    pdf.pdf_path(page).write_bytes(b"previous")
    with pytest.raises(pdf.PdfError) as raised:
        pdf.write_pdf(page, chromium=broken)
    message = str(raised.value)
    assert "\n" not in message and "No usable sandbox!" in message and str(broken) in message
    assert pdf.pdf_path(page).read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chromium", "page.html", "page.pdf"]


def test_the_pdf_goes_beside_its_page():
    assert pdf.pdf_path(Path("reports/2024/xi-an.html")) == Path("reports/2024/xi-an.pdf")


def test_make_pdf_passes_the_user_s_values_as_quoted_text():
    values = ["CLUSTER=Xi'an $(touch /tmp/x)", "EDITION=2024", "PAPER=letter", "DATA=my data"]
    shown = subprocess.run(["make", "-n", "pdf", *values], capture_output=True, text=True,
                           cwd=Path(__file__).parents[1], check=True).stdout
    line = next(line for line in shown.splitlines() if "cluster-profiles\" render" in line)
    assert '--cluster "$CLUSTER"' in line and '--paper "$PAPER"' in line and '--data-dir "$DATA"' in line
    assert line.rstrip().endswith('--pdf --paper "$PAPER"') and "touch" not in line
