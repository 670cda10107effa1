"""The reports folder's layout: one function per kind of page, relative links between pages."""

from pathlib import PurePosixPath

import pytest

from cluster_profiles import paths


def test_report_and_overview_layout():
    assert paths.report_relpath(2024, "Shenzhen–Hong Kong–Guangzhou") == \
        PurePosixPath("2024/shenzhen-hong-kong-guangzhou.html")
    assert paths.overview_relpath(2025) == PurePosixPath("overview-2025.html")
    assert paths.compare_relpath(2024, ["Hefei", "Nanjing", "Wuhan"]) == \
        PurePosixPath("2024/compare/hefei--nanjing--wuhan.html")


def test_files_beside_a_report(tmp_path):
    html = paths.report_path(tmp_path, 2024, "Hefei")
    assert html == (tmp_path / "2024" / "hefei.html").resolve()
    assert paths.executed_notebook_path(html).name == "hefei.ipynb"
    assert paths.fingerprint_path(html).name == ".hefei.inputs"
    assert paths.failed_notebook_path(html).name == "hefei.failed.ipynb"
    assert paths.index_path(tmp_path).name == "index.html"


def test_paths_never_leave_the_reports_folder(tmp_path):
    assert paths.report_path(tmp_path, 2024, "../../etc/passwd").parent == (tmp_path / "2024").resolve()
    with pytest.raises(paths.OutsideReportsError):
        paths.under(tmp_path, "../outside.html")


@pytest.mark.parametrize("source, target, expected", [
    ("overview-2024.html", "2024/hefei.html", "2024/hefei.html"),
    ("2024/hefei.html", "overview-2024.html", "../overview-2024.html"),
    ("2024/compare/hefei--nanjing.html", "2024/hefei.html", "../../2024/hefei.html"),
])
def test_links_between_pages(source, target, expected):
    assert paths.link(PurePosixPath(source), PurePosixPath(target)) == expected
