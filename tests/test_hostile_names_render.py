"""Issue 20 class 4, valid data that cannot render: whatever the validator accepts, every page renders.

A copy of the fixture folder whose cluster, organisation, city and economy names hold TeX markup ('$\\foo$',
'$$', '\\', '^', '_', '{}', '%', an unclosed '$\\frac{1}{0$'), right-to-left text, combining marks, emoji, a name
of digits only and a very long name (tests/hostile_names.py). It validates; then every section of every page
kind that shows those names (each profile section, maps and charts included, the overview's, the comparison's)
is built as the notebooks build it, without a kernel, and the names reach the page as text. One slow kernel test
renders a profile of such a name end to end.
"""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib
import pytest

from cluster_profiles.cli import main
from cluster_profiles.contract.load import load_tables
from cluster_profiles.narrate.profile import build_profile, clusters_of_edition, edition_info
from cluster_profiles.pages.compare import data as compare_data
from cluster_profiles.pages.compare import sections as compare_sections
from cluster_profiles.pages.overview import data as overview_data
from cluster_profiles.pages.overview import sections as overview_sections
from cluster_profiles.pages.profile import sections as profile_sections

from bad_inputs import RENAMED, hostile_data
from conftest import FIXTURE_DATA


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return hostile_data(FIXTURE_DATA, tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture(scope="module")
def hostile_tables(hostile):
    return load_tables(hostile)


@pytest.fixture(autouse=True)
def maths_parsing_on_by_default():
    """Each test starts from matplotlib's default (names parsed as maths), as a kernel that imported a
    figure-drawing module of another package first would: the package must not depend on the order of imports."""
    before = matplotlib.rcParams["text.parse_math"]
    matplotlib.rcParams["text.parse_math"] = True
    yield
    matplotlib.rcParams["text.parse_math"] = before


def _hostile_pages(tables) -> list[tuple[int, str]]:
    return [(edition, name) for edition in tables.edition_list() for name in clusters_of_edition(tables, edition)
            if name in RENAMED.values()]


def test_the_hostile_folder_validates(hostile, capsys):
    assert main(["validate", "--data-dir", str(hostile)]) == 0
    assert len(_hostile_pages(load_tables(hostile))) >= 12


def test_every_profile_section_of_every_hostile_name_renders(hostile_tables):
    for edition, name in _hostile_pages(hostile_tables):
        profile = build_profile(hostile_tables, name, edition)
        page = "".join(str(section.render(profile)) for section in profile_sections.PROFILE_SECTIONS)
        assert html.escape(name, quote=False) in page or name in html.unescape(page), (edition, name)


def test_every_overview_section_renders(hostile_tables, tmp_path):
    for edition in hostile_tables.edition_list():
        overview = overview_data.Overview(hostile_tables, edition_info(hostile_tables, edition), tmp_path, tmp_path)
        page = "".join(str(section.render(overview)) for section in overview_sections.OVERVIEW_SECTIONS)
        assert "<img" in page


def test_every_comparison_section_of_hostile_names_renders(hostile_tables):
    for edition in hostile_tables.edition_list():
        names = [name for year, name in _hostile_pages(hostile_tables) if year == edition]
        if len(names) < 2:
            continue
        comparison = compare_data.build_comparison(hostile_tables, names, edition)
        page = "".join(str(section.render(comparison)) for section in compare_sections.COMPARE_SECTIONS)
        assert all(name in html.unescape(page) for name in names), edition


@pytest.mark.kernel
@pytest.mark.slow
def test_a_profile_of_a_maths_name_renders_end_to_end(hostile, tmp_path, capsys):
    assert main(["render", "--cluster", RENAMED["Hefei"], "--edition", "2024", "--data-dir", str(hostile),
                 "--reports-dir", str(tmp_path)]) == 0
    page = next(tmp_path.rglob("*.html")).read_text(encoding="utf-8")
    assert r"Evil $\foo$ City" in html.unescape(page)


def test_names_that_differ_only_in_case_or_dash_are_refused_not_half_rendered(hostile, tmp_path, capsys):
    """Two clusters of an edition whose names differ only in case or a dash would share a page (and a map
    label): the validator refuses them, so no page is rendered for either."""
    import shutil

    from bad_inputs import _rewrite_cells

    twins = tmp_path / "twins"
    shutil.copytree(hostile, twins)
    for path in twins.glob("*.csv"):
        _rewrite_cells(path, {"Busan": RENAMED["Seoul"].upper(), "Daegu": RENAMED["Seoul"].replace(" ", "-", 1)})
    assert main(["validate", "--data-dir", str(twins)]) == 2
    err = capsys.readouterr().err
    assert "looks the same as" in err and "would be written to reports/2024/" in err
