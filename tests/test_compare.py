"""The compare command and notebook kind: every bad input is a one-line error that writes nothing, the
file name stays within what a file system allows, and the index lists the comparisons that exist. The
page's model, sections and notebook functions are tested in tests/pages/compare/ (test_data.py,
test_sections.py, test_notebook.py), its charts in test_compare_figures.py."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from cluster_profiles import paths
from cluster_profiles.cli import main
from cluster_profiles.errors import ParameterError, UnknownEditionError
from cluster_profiles.names import slug
from cluster_profiles.pages.parameters import MAX_COMPARED, CompareParameters, check_parameters, split_names
from cluster_profiles.runner.kinds import COMPARE, NOTEBOOKS, executed_parameters, existing_pages

THREE = ["Hefei", "Nanjing", "Wuhan"]


# ------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("values, words", [
    ({"clusters": ["Hefei"]}, "parameter 'clusters' needs at least 2 values"),
    ({"clusters": []}, "needs at least 2 values"),
    ({"clusters": ["Hefei", " "]}, "name 2 of 2 is empty"),
    ({"clusters": [f"c{i}" for i in range(MAX_COMPARED + 1)]}, f"takes at most {MAX_COMPARED} values"),
    ({"clusters": "Hefei;Nanjing"}, "parameter 'clusters' must be a list"),
    ({"clusters": ["Hefei", 7]}, "parameter 'clusters' \\(value 2\\) must be text"),
    ({"edition": "2024"}, "parameter 'edition' must be a whole number"),
    ({"edition": 2024.0}, "parameter 'edition'"),
    ({"cluster": "Hefei"}, "unknown parameter 'cluster'"),
    ({"clusters": ["Hefei", "x" * 201]}, "name 2 is 201 characters long"),
])
def test_bad_parameters_are_one_error(values, words):
    with pytest.raises(ParameterError, match=words):
        check_parameters(CompareParameters, values, "comparison")


@pytest.mark.parametrize("text, names", [("Hefei;Nanjing", ["Hefei", "Nanjing"]),
                                         (" Hefei ; San Jose–San Francisco, CA ", ["Hefei", "San Jose–San Francisco, CA"])])
def test_names_are_split_on_semicolons(text, names):
    assert split_names(text) == names


@pytest.mark.parametrize("text, words", [("Hefei;;Nanjing", "name 2 of 3 is empty"), ("Hefei;", "name 2 of 2 is empty"),
                                         ("", "is empty: give two or more"), (" ; ", "is empty: give two or more")])
def test_an_empty_name_is_an_error(text, words):
    with pytest.raises(ParameterError, match=words):
        split_names(text)


def test_an_unknown_edition_lists_the_known_ones(fixture_tables):
    with pytest.raises(UnknownEditionError, match="The data has editions: 2023, 2024, 2025"):
        COMPARE.prepare(fixture_tables, COMPARE.check({"clusters": THREE, "edition": 2019}))


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(["compare", *argv])
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize("argv, words", [
    (["--clusters", "Hefei"], "--clusters 'Hefei' names one cluster: give two or more separated by ';'"),
    (["--clusters", "Hefei;;Wuhan"], "name 2 of 3 is empty"),
    (["--clusters", "Hefei;hefei"], "Hefei is named twice"),
    (["--clusters", "Hefei;Atlantis"], "Unknown cluster 'Atlantis' in GII 2024"),
    (["--clusters", "Hefei;Nanjing", "--edition", "2023"], "Hefei is in 2024 and 2025, not in 2023"),
    (["--clusters", "Hefei;Nanjing", "--edition", "2019"], "Unknown GII edition 2019"),
    (["--clusters", "$(touch pwned);Hefei"], "Unknown cluster '$(touch pwned)'"),
])
def test_the_command_fails_in_one_line_and_writes_nothing(capsys, tmp_path, argv, words):
    reports = tmp_path / "reports"
    code, err = run_cli(capsys, *argv, "--data-dir", str(paths.REPO_ROOT / "tests" / "fixtures" / "data"),
                        "--reports-dir", str(reports))
    assert code == 2 and words in err and err.startswith("error: ") and len(err.splitlines()) <= 2, err
    assert not any(p.is_file() for p in reports.rglob("*")) and not list(tmp_path.glob("pwned*"))


def test_a_wrong_edition_type_is_refused_by_the_command(capsys, tmp_path):
    with pytest.raises(SystemExit) as caught:
        main(["compare", "--clusters", "Hefei;Nanjing", "--edition", "twenty", "--reports-dir", str(tmp_path)])
    assert caught.value.code == 2 and "--edition must be a whole number (got 'twenty')" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------- file names


def test_the_file_name_joins_the_slugs_in_the_order_given():
    assert paths.compare_relpath(2024, ["Hefei", "San Jose–San Francisco, CA"]) == PurePosixPath(
        "2024/compare/hefei--san-jose-san-francisco-ca.html")
    assert paths.compare_relpath(2024, THREE) != paths.compare_relpath(2024, list(reversed(THREE)))


def long_names(count: int, start: int = 0) -> list[str]:
    return [f"Cluster {i} " + " ".join(["Metropolitan Innovation Region"] * 4) for i in range(start, start + count)]


def test_a_long_list_gets_a_bounded_name_that_stays_unique(tmp_path):
    names = long_names(MAX_COMPARED)
    assert all(len(slug(n)) >= 70 for n in names)
    relpath = paths.compare_relpath(2024, names)
    stem = relpath.stem
    assert len(stem) <= paths.COMPARE_STEM_LIMIT and re.search(r"--[0-9a-f]{12}$", stem)
    assert stem.startswith(slug(names[0]))
    others = {paths.compare_relpath(2024, long_names(MAX_COMPARED, start)).name for start in range(1, 5)}
    others.add(paths.compare_relpath(2024, names[:-1] + ["Other " + names[-1]]).name)  # differs only in the last
    assert relpath.name not in others and len(others) == 5
    # every file a render writes beside the page, temporary names included, can be created
    page = tmp_path / relpath.name
    siblings = [page, paths.executed_notebook_path(page), paths.fingerprint_path(page),
                paths.failed_notebook_path(page)]
    for sibling in siblings:
        temporary = sibling.with_name(f".{sibling.name}.{4194304}.abcdefgh.tmp")  # the longest pid Linux gives
        temporary.write_text("x")
        assert len(temporary.name.encode()) <= 255


def test_short_lists_keep_the_plain_name():
    names = long_names(2)
    assert paths.compare_relpath(2024, names).stem == "--".join(slug(n) for n in names)


# ----------------------------------------------------------------------------------- registry, index


def test_the_comparison_is_a_registered_kind_that_render_all_does_not_make(fixture_tables):
    assert NOTEBOOKS["compare"] is COMPARE and COMPARE.notebook == paths.COMPARE_NOTEBOOK
    checked = COMPARE.prepare(fixture_tables, COMPARE.check({"clusters": ["hefei", "nanjing"], "edition": 2024}))
    assert checked.clusters == ["Hefei", "Nanjing"]
    assert COMPARE.relpath(checked) == PurePosixPath("2024/compare/hefei--nanjing.html")
    assert COMPARE.title(checked, None) == "Hefei and Nanjing side by side, GII 2024"
    assert COMPARE.instances(fixture_tables, [2024], None) == []


def fake_comparison(reports: Path, edition: int, clusters: list[str], injected: str | None = None) -> Path:
    """A comparison page and its executed notebook, as a render leaves them (only what the index reads)."""
    import nbformat

    page = reports / paths.compare_relpath(edition, clusters)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<html></html>")
    source = injected if injected is not None else f"# Parameters\nclusters = {clusters!r}\nedition = {edition}\n"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})])
    nbformat.write(notebook, paths.executed_notebook_path(page))
    return page


def test_the_index_lists_the_comparisons_that_exist(fixture_tables, tmp_path):
    from cluster_profiles.runner.site import build_index

    reports = tmp_path / "reports"
    fake_comparison(reports, 2024, ["Hefei", "Nanjing", "Wuhan"])
    fake_comparison(reports, 2023, ["Nanjing", "Wuhan"])
    fake_comparison(reports, 2024, ["Hefei", "Atlantis"])  # a cluster no longer in the data: not listed
    fake_comparison(reports, 2024, ["Hefei", "Paris"], injected="import os")  # not written by a render
    found = existing_pages(COMPARE, fixture_tables, reports)
    assert [(p.edition, p.clusters, str(r)) for p, r in found] == [
        (2023, ["Nanjing", "Wuhan"], "2023/compare/nanjing--wuhan.html"),
        (2024, ["Hefei", "Nanjing", "Wuhan"], "2024/compare/hefei--nanjing--wuhan.html")]
    html = build_index(fixture_tables, reports).read_text(encoding="utf-8")
    assert '<a href="2024/compare/hefei--nanjing--wuhan.html">Hefei, Nanjing and Wuhan side by side, GII 2024</a>' in html
    listed = html.split('id="stale"')[0]  # pages the data does not make are listed apart, as stale (issue 17 item 4)
    assert "hefei--atlantis" not in listed and "hefei--paris" not in listed


def test_no_comparison_no_section_in_the_index(fixture_tables, tmp_path):
    from cluster_profiles.runner.site import build_index

    assert 'id="comparisons"' not in build_index(fixture_tables, tmp_path).read_text(encoding="utf-8")


def test_executed_parameters_reads_literals_only(tmp_path):
    page = fake_comparison(tmp_path, 2024, ["Hefei", "Nanjing"])
    assert executed_parameters(paths.executed_notebook_path(page)) == {"clusters": ["Hefei", "Nanjing"], "edition": 2024}
    assert executed_parameters(tmp_path / "missing.ipynb") == {}
    bad = fake_comparison(tmp_path, 2024, ["A", "B"], injected="clusters = __import__('os').getcwd()")
    assert executed_parameters(paths.executed_notebook_path(bad)) == {}


# ------------------------------------------------------------------------------------------ render


@pytest.mark.kernel
def test_a_failed_render_keeps_the_previous_page_and_writes_no_half_page(tmp_path):
    import nbformat

    from cluster_profiles.errors import RenderError
    from cluster_profiles.runner.render import render

    broken = nbformat.read(paths.COMPARE_NOTEBOOK, as_version=4)
    broken.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('chart failed')"))
    notebook = tmp_path / "broken.ipynb"
    nbformat.write(broken, notebook)
    reports = tmp_path / "reports"
    page = reports / "2024" / "compare" / "hefei--nanjing.html"
    page.parent.mkdir(parents=True)
    page.write_text("previous good comparison")
    with pytest.raises(RenderError, match="RuntimeError: chart failed"):
        render(COMPARE, {"clusters": ["hefei", "Nanjing"], "edition": 2024,
                         "data_dir": str(paths.REPO_ROOT / "tests" / "fixtures" / "data")},
               reports_dir=reports, notebook=notebook)
    assert page.read_text() == "previous good comparison"
    assert sorted(p.name for p in page.parent.iterdir()) == ["hefei--nanjing.failed.ipynb", "hefei--nanjing.html"]
