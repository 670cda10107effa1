"""End to end: papermill executes the notebook, nbconvert exports HTML, files land atomically."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from rendering import render_profile as render_report

from cluster_profiles.errors import (
    DataValidationError,
    ParameterError,
    UnknownClusterError,
    UnknownEditionError,
)
from cluster_profiles.pages.parameters import ReportParameters
from cluster_profiles.runner.kinds import PROFILE

from bad_inputs import HEFEI, _rewrite, _set
from conftest import REFERENCE
from html_text import reference_expectations, table_rows, visible_text


@pytest.mark.kernel
def test_hefei_report_says_everything_the_reference_says(hefei_report):
    html = hefei_report.html_path.read_text(encoding="utf-8")
    text = visible_text(html)
    rows = table_rows(html)
    lines, reference_rows = reference_expectations(REFERENCE.read_text(encoding="utf-8"))
    assert len(lines) >= 12 and len(reference_rows) == 14
    missing_lines = [line for line in lines if line not in text]
    assert not missing_lines
    missing_rows = [row for row in reference_rows if row not in rows]
    assert not missing_rows


@pytest.mark.kernel
def test_report_is_self_contained_with_code_hidden(hefei_report):
    html = hefei_report.html_path.read_text(encoding="utf-8")
    assert "<script" not in html  # no require.js, MathJax or Mermaid from a CDN
    assert "<link" not in html
    assert "report.show_" not in html and "load_profile" not in html  # code cells hidden
    assert "jp-InputArea jp-Cell-inputArea" not in html and "jp-InputPrompt jp-InputArea-prompt" not in html
    assert "Change the values in the" not in html  # the notebook-only instructions cell is dropped
    assert "<title>Hefei: GII 2024 S&amp;T cluster profile</title>" in html
    images = BeautifulSoup(html, "html.parser").find_all("img")
    assert len(images) == 2  # the map and the peers; each top list is one table with bars, no chart of it
    assert all(i["src"].startswith("data:image/png;base64,") and len(i["alt"]) > 40 for i in images)


@pytest.mark.kernel
def test_executed_notebook_is_written_beside_the_report(hefei_report):
    assert hefei_report.html_path.name == "hefei.html" and hefei_report.html_path.parent.name == "2024"
    executed = nbformat.read(hefei_report.notebook_path, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'cluster = "Hefei"' in injected[0].source
    assert oct(hefei_report.html_path.stat().st_mode & 0o777) == "0o644"


@pytest.mark.kernel
@pytest.mark.parametrize("cluster, edition, expected, absent", [
    ("Nanjing", 2024, ["Nanjing is the fourth-ranked cluster, out of 26 Chinese clusters",
                       "It filed 907 PCT applications and published 14,499 scientific articles",
                       "9th largest science and technology cluster in 2024",
                       "26th S&T cluster by intensity", "Southeast University", "What this profile lacks",
                       "How many of Nanjing's PCT patent applications are produced in collaboration"],
     ["CHANGXIN", "No chart:"]),
    ("tokyo–yokohama", 2023, ["Tokyo–Yokohama, Japan", "It filed 127,418 PCT applications",
                              "How many of Tokyo–Yokohama's PCT patent applications"], []),
    ("Cairo", 2025, ["Cairo is the only Egyptian cluster", "received 21 venture-capital deals",
                     "Cairo University", "6,059", "23% of Cairo's PCT patent applications"], []),
])
def test_other_clusters_render_what_their_data_supports(tmp_path, cluster, edition, expected, absent):
    report = render_report({"cluster": cluster, "edition": edition}, reports_dir=tmp_path)
    text = visible_text(report.html_path.read_text(encoding="utf-8"))
    for phrase in expected:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.kernel
@pytest.mark.parametrize("parameters, error", [
    ({"cluster": "Hefie", "edition": 2024}, UnknownClusterError),
    ({"cluster": "Hefei", "edition": 2022}, UnknownEditionError),
    ({"cluster": "Hefei", "edition": "2024"}, ParameterError),
    ({"cluster": "Hefei", "edition": 2024, "colour": "red"}, ParameterError),
    ({"cluster": "../../etc/passwd", "edition": 2024}, UnknownClusterError),
    ({"cluster": "<script>alert(1)</script>", "edition": 2024}, UnknownClusterError),
])
def test_bad_input_fails_before_writing_anything(hefei_report, parameters, error):
    reports = hefei_report.html_path.parents[1]
    before = _snapshot(reports)
    with pytest.raises(error):
        render_report(parameters, reports_dir=reports)
    assert _snapshot(reports) == before


@pytest.mark.kernel
def test_bad_data_leaves_the_previous_report_in_place(hefei_report, data_copy):
    reports = hefei_report.html_path.parents[1]
    before = _snapshot(reports)
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "pct_per_million", "lots")[1])
    with pytest.raises(DataValidationError, match="clusters.csv:[0-9]+:pct_per_million"):
        render_report({"cluster": "Hefei", "edition": 2024, "data_dir": str(data_copy)}, reports_dir=reports)
    assert _snapshot(reports) == before


@pytest.mark.kernel
def test_a_notebook_that_fails_midway_leaves_no_partial_report(tmp_path):
    from cluster_profiles import paths
    broken = nbformat.read(paths.PROFILE_NOTEBOOK, as_version=4)
    broken.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('chart failed')"))
    notebook = tmp_path / "broken.ipynb"
    nbformat.write(broken, notebook)
    reports = tmp_path / "reports"
    (reports / "2024").mkdir(parents=True)
    (reports / "2024" / "hefei.html").write_text("previous good report")
    from cluster_profiles.errors import RenderError
    with pytest.raises(RenderError, match="RuntimeError: chart failed") as caught:
        render_report({"cluster": "Hefei", "edition": 2024}, reports_dir=reports, notebook=notebook)
    # the previous report is untouched; the executed notebook, error included, is kept beside it
    assert sorted(p.name for p in (reports / "2024").iterdir()) == ["hefei.failed.ipynb", "hefei.html"]
    assert (reports / "2024" / "hefei.html").read_text() == "previous good report"
    error = caught.value
    failed = reports / "2024" / "hefei.failed.ipynb"
    assert error.failed_notebook == str(failed.resolve()) and str(failed.resolve()) in str(error)
    assert error.cell_source == "raise RuntimeError('chart failed')" and "in cell" in str(error)
    assert error.traceback[-1] == "RuntimeError: chart failed"
    kept = nbformat.read(failed, as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells for o in c.get("outputs", []))
    render_report({"cluster": "Hefei", "edition": 2024}, reports_dir=reports)  # fixed: the debris goes
    assert not failed.exists()


def test_a_profile_s_page_stays_inside_the_reports_folder(tmp_path):
    html = PROFILE.page(tmp_path, ReportParameters(cluster="../../Hefei", edition=2024))
    assert html == (tmp_path / "2024" / "hefei.html").resolve()


@pytest.mark.kernel
def test_every_table_and_chart_offers_its_data_as_csv(hefei_report):
    import base64
    import csv
    import io

    page = BeautifulSoup(hefei_report.html_path.read_text(encoding="utf-8"), "html.parser")
    downloads = {a["download"]: a["href"] for a in page.find_all("a", download=True)}
    assert set(downloads) == {f"gii2024-hefei-{name}.csv" for name in (
        "map", "top-patents", "top-articles", "top-fields", "collaboration", "peers", "ranked-nearby", "key-figures")}
    fields = downloads["gii2024-hefei-top-fields.csv"]
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(fields.split(",", 1)[1]).decode("utf-8"))))
    assert len(rows) == 16 and rows[0]["field"] == "Semiconductors" and rows[0]["share_pct"] == "35.0"


def test_traceback_tail_keeps_the_deepest_frames_without_colours():
    from cluster_profiles.runner.execute import traceback_tail

    ipython = ["\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
               "\x1b[0;31mRuntimeError\x1b[0m                              Traceback (most recent call last)",
               "Cell \x1b[0;32mIn[4], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m report.show_lead(profile)\n",
               "File \x1b[0;32m/src/report.py:40\x1b[0m, in \x1b[0;36mshow_lead\x1b[0m\x1b[0;34m(profile)\x1b[0m\n"
               "\x1b[1;32m     39\x1b[0m \x1b[38;5;28;01mdef\x1b[39;00m show_lead(profile):\n"
               "\x1b[0;32m---> 40\x1b[0m     show_html(sections.lead(profile))\n",
               "File /src/sections.py:123, in lead(profile)\n    122 x = 1\n--> 123 raise RuntimeError('chart failed')\n",
               "\x1b[0;31mRuntimeError\x1b[0m: chart failed"]
    assert traceback_tail(ipython, frames=2) == [
        "File /src/report.py:40, in show_lead(profile)", "---> 40     show_html(sections.lead(profile))",
        "File /src/sections.py:123, in lead(profile)", "--> 123 raise RuntimeError('chart failed')",
        "RuntimeError: chart failed"]
    assert traceback_tail([]) == []


def test_a_render_error_survives_the_trip_from_a_worker():
    import pickle

    from cluster_profiles.errors import RenderError

    error = RenderError("The notebook failed", 5, "raise X", ("RuntimeError: x",), "/r/2024/hefei.failed.ipynb")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.cell_index, copy.traceback, copy.failed_notebook) == (
        "The notebook failed", 5, ("RuntimeError: x",), "/r/2024/hefei.failed.ipynb")
