"""Clusters side by side: the figures are each profile's, every bad input is a one-line error that
writes nothing, and the file name stays within what a file system allows."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pandas as pd
import pytest

from cluster_profiles import paths
from cluster_profiles.cli import main
from cluster_profiles.errors import ParameterError, UnknownClusterError, UnknownEditionError
from cluster_profiles.names import find_cluster, slug
from cluster_profiles.narrate.profile import build_profile, clusters_of_edition
from cluster_profiles.narrate.views import NOT_GIVEN
from cluster_profiles.pages.compare import notebook as compare
from cluster_profiles.pages.parameters import MAX_COMPARED, CompareParameters, check_parameters, split_names
from cluster_profiles.pages.profile.sections import FIGURE_LABELS, shown_value
from cluster_profiles.runner.kinds import COMPARE, NOTEBOOKS, executed_parameters, existing_pages

from bad_inputs import HOSTILE_MAKE_VALUES

THREE = ["Hefei", "Nanjing", "Wuhan"]


@pytest.fixture(scope="module")
def three(fixture_tables):
    return compare.build_comparison(fixture_tables, ["hefei", "NANJING", "Wuhan"], 2024)


def page_html(comparison) -> str:
    return "".join(str(f(comparison)) for f in (
        compare.title, compare.key_figures_section, compare.rank_history_section, compare.top_fields_section,
        compare.missing_section, compare.notes_section))


# ------------------------------------------------------------------------------------------ data


def test_names_resolve_to_the_data_in_the_order_given(three):
    assert three.clusters == THREE
    assert [p.cluster for p in three.profiles] == THREE


def test_key_figures_are_each_profiles_values(three, fixture_tables):
    frame = compare.key_figures(three)
    for profile in three.profiles:
        own = build_profile(fixture_tables, profile.cluster, 2024)
        shown = {c: v for c, v in zip(frame["column"], frame[profile.cluster])}
        for column in FIGURE_LABELS:
            value = shown_value(own, column)
            if value is not None:
                assert shown[column] == value, (profile.cluster, column)
            elif column in shown:
                assert shown[column] is None or pd.isna(shown[column])
    # a row for a figure that at least one cluster has, and no other
    assert all(any(shown_value(p, c) is not None for p in three.profiles) for c in frame["column"])


def test_a_missing_figure_is_shown_as_missing_and_named_with_its_reason(three):
    frame = compare.key_figures(three)
    display = compare.key_figures_display(frame, three.clusters)
    missing = compare.missing_items(three)
    for cluster in three.clusters:
        lacking = [FIGURE_LABELS[c][0] for c, v in zip(frame["column"], frame[cluster]) if v is None or pd.isna(v)]
        assert list(display.loc[display[cluster] == NOT_GIVEN, "Figure"]) == lacking
        listed = set(missing.loc[missing["cluster"] == cluster, "missing"])
        assert set(lacking) <= listed
    assert missing["reason"].str.len().gt(0).all()


def test_a_reason_in_gaps_csv_is_the_reason_shown(fixture_tables):
    gap = pd.DataFrame([{"edition": 2024, "cluster": "Wuhan", "section": "intensity",
                         "reason": "Cut off in the stored excerpt (test).", "source": "https://example.org/gap"}])
    tables = replace(fixture_tables, gaps=pd.concat([fixture_tables.gaps, gap], ignore_index=True))
    comparison = compare.build_comparison(tables, ["Hefei", "Wuhan"], 2024)
    items = compare.missing_items(comparison)
    if comparison.profiles[1].value("intensity_rank") is None:
        row = items[(items["cluster"] == "Wuhan") & (items["missing"] == "Intensity rank")]
        assert list(row["reason"]) == ["Cut off in the stored excerpt (test)."]
    assert "example.org/gap" in str(compare.notes_section(comparison))  # the gap's source is cited


def test_ranks_across_editions_follow_the_clusters_table(three, fixture_tables):
    history = compare.rank_history(three)
    clusters = fixture_tables.clusters
    assert len(history) == len(THREE) * len(fixture_tables.edition_list())
    for row in history.itertuples():
        name = find_cluster(row.cluster, clusters_of_edition(fixture_tables, row.edition))
        rows = clusters[(clusters["edition"] == row.edition) & (clusters["cluster"] == name)]
        assert row.in_data == (not rows.empty)
        if not rows.empty:
            expected = rows.iloc[0]["size_rank"]
            assert (pd.isna(expected) and pd.isna(row.size_rank)) or row.size_rank == expected
    shown = compare.rank_history_display(history)
    assert list(shown["Cluster"]) == THREE
    assert (shown == "not in the data").any().any()  # Hefei is not in the GII 2023 data
    chart = compare.rank_chart_data(history)
    assert len(chart) == int(history["size_rank"].notna().sum())


def test_top_fields_side_by_side_keep_each_clusters_order(three):
    for output in ("patents", "articles"):
        frame = compare.fields_side_by_side(three, output)
        for profile in three.profiles:
            fields = list(profile.top_fields[output]["field"])
            assert [cell.split(" (")[0] for cell in frame[profile.cluster] if cell] == fields
        shared = compare.shared_fields(three, output)
        for field in shared["field"]:
            holders = [p for p in three.profiles if field in set(p.top_fields[output]["field"])]
            assert len(holders) >= 2 and field != "Other"
        named = compare.shared_field_holders(three, output, shared)
        assert list(named) == list(shared["field"]) and all(len(v) >= 2 for v in named.values())


def test_the_page_cites_every_row_it_shows_with_numbered_notes(three):
    html = page_html(three)
    anchors = set(re.findall(r'<li id="(source-\d+)">', html))
    targets = set(re.findall(r'href="#(source-\d+)"', html))
    assert targets and targets <= anchors
    for profile in three.profiles:
        assert three.citations.number(str(profile.row["source"]).split(" ; ")[0]) >= 1
    assert html.count('download="') >= 3 and "data:image/png;base64," in html


def test_per_million_chart_only_draws_known_figures(three):
    data = compare.per_million_chart_data(three)
    for row in data.itertuples():
        column = next(c for c in compare.PER_MILLION if FIGURE_LABELS[c][0].startswith(row.figure))
        profile = next(p for p in three.profiles if p.cluster == row.cluster)
        assert shown_value(profile, column) == row.per_million


# ------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("values, words", [
    ({"clusters": ["Hefei"]}, "parameter 'clusters': List should have at least 2 items"),
    ({"clusters": []}, "at least 2 items"),
    ({"clusters": ["Hefei", " "]}, "name 2 of 2 is empty"),
    ({"clusters": [f"c{i}" for i in range(MAX_COMPARED + 1)]}, f"at most {MAX_COMPARED} items"),
    ({"clusters": "Hefei;Nanjing"}, "parameter 'clusters': Input should be a valid list"),
    ({"clusters": ["Hefei", 7]}, "Input should be a valid string"),
    ({"edition": "2024"}, "parameter 'edition': Input should be a valid integer"),
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


@pytest.mark.parametrize("typed", [["Hefei", "Hefei"], ["Hefei", "HEFEI"], ["Hefei", "Nanjing", " hefei"],
                                   ["Shenzhen–Hong Kong–Guangzhou", "shenzhen-hong-kong-guangzhou"],
                                   ["Shenzhen–Hong Kong–Guangzhou", "SHENZHEN - HONG KONG - GUANGZHOU"]])
def test_the_same_cluster_twice_is_an_error_under_any_spelling(fixture_tables, typed):
    with pytest.raises(ParameterError, match="named twice in the comparison") as caught:
        compare.resolve_clusters(fixture_tables, typed, 2024)
    assert "\n" not in str(caught.value)
    if len(set(typed)) == len(typed):
        assert "are the same cluster" in str(caught.value)


def test_an_unknown_name_suggests_close_ones(fixture_tables):
    with pytest.raises(UnknownClusterError, match="Unknown cluster 'Nanjng' in GII 2024.*Did you mean 'Nanjing'"):
        compare.resolve_clusters(fixture_tables, ["Hefei", "Nanjng"], 2024)


def test_a_name_not_in_that_edition_says_where_it_is(fixture_tables):
    with pytest.raises(UnknownClusterError, match="Hefei is in 2024 and 2025, not in 2023"):
        compare.resolve_clusters(fixture_tables, ["Nanjing", "Hefei"], 2023)


def test_an_unknown_edition_lists_the_known_ones(fixture_tables):
    with pytest.raises(UnknownEditionError, match="The data has editions: 2023, 2024, 2025"):
        COMPARE.prepare(fixture_tables, COMPARE.check({"clusters": THREE, "edition": 2019}))


@pytest.mark.parametrize("hostile", HOSTILE_MAKE_VALUES + ["<script>alert(1)</script>", "Hefei\x1b[31m\r\x00",
                                                           "../../etc/passwd", "x" * 200])
def test_hostile_names_are_unknown_clusters_in_one_line(fixture_tables, hostile):
    with pytest.raises(UnknownClusterError) as caught:
        compare.resolve_clusters(fixture_tables, ["Nanjing", hostile], 2024)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message and "\x1b" not in message and len(message) < 400


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(["compare", *argv])
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize("argv, words", [
    (["--clusters", "Hefei"], "at least 2 items"),
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
    assert caught.value.code == 2 and "argument --edition: invalid int value: 'twenty'" in capsys.readouterr().err
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
    assert COMPARE.title(checked) == "Hefei and Nanjing side by side, GII 2024"
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
    assert "hefei--atlantis" not in html and "hefei--paris" not in html


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
