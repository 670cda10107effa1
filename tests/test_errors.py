"""The project's errors in a notebook: a short message with what to do, no traceback frames."""

from __future__ import annotations

import re

import pytest
from IPython.core.interactiveshell import InteractiveShell

from cluster_profiles.errors import DataValidationError, ParameterError, Problem, UnknownClusterError
from cluster_profiles.names import resolve_cluster
from cluster_profiles.narrate.profile import build_profile

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


def _shown(shell, capsys, code: str) -> str:
    """What a notebook user sees for ``code``: IPython's rendering of the exception."""
    shell.run_cell(code)
    captured = capsys.readouterr()
    return ANSI.sub("", captured.out + captured.err)


def test_unknown_cluster_names_the_editions_it_is_in():
    names = {2023: ["Tokyo–Yokohama"], 2024: ["Hefei", "Tokyo–Yokohama"], 2025: ["Hefei"]}
    with pytest.raises(UnknownClusterError) as caught:
        resolve_cluster("hefei", names[2023], 2023, names)
    assert "Hefei is in 2024 and 2025, not in 2023" in caught.value.notebook_message()
    assert "report.list_clusters(2023)" in caught.value.notebook_message()
    assert "cluster-profiles list --edition 2023" in str(caught.value)  # the terminal gets the command
    assert "cluster-profiles" not in caught.value.notebook_message()  # which fails in a notebook


def test_build_profile_says_where_the_cluster_is(fixture_tables):
    editions = sorted(fixture_tables.clusters.loc[fixture_tables.clusters["cluster"] == "Hefei", "edition"])
    missing = next((e for e in fixture_tables.edition_list() if e not in editions), None)
    if missing is None:
        pytest.skip("Hefei is in every edition of the data")
    with pytest.raises(UnknownClusterError) as caught:
        build_profile(fixture_tables, "HEFEI", missing)
    assert f"Hefei is in {' and '.join(map(str, editions))}, not in {missing}" in str(caught.value)


def test_a_typo_gets_suggestions_in_both_places(fixture_tables):
    with pytest.raises(UnknownClusterError) as caught:
        build_profile(fixture_tables, "Hefie", 2024)
    assert "Did you mean 'Hefei'?" in caught.value.notebook_message()
    assert "Did you mean 'Hefei'?" in str(caught.value)


def test_notebook_shows_the_message_without_frames(shell, capsys):
    shown = _shown(shell, capsys, "from cluster_profiles.pages.profile import notebook as report\n"
                                  "report.load_profile(cluster='Hefie', edition=2024)")
    assert "UnknownClusterError: Unknown cluster 'Hefie' in GII 2024. Did you mean 'Hefei'?" in shown
    assert "report.list_clusters(2024)" in shown
    assert "Traceback" not in shown and "File " not in shown and ".py" not in shown
    assert len(shown.strip().splitlines()) == 1


@pytest.mark.parametrize("code, expected", [
    ("report.load_profile(cluster='Hefei', edition=1999)", "ParameterError: Invalid report parameters"),
    ("report.load_profile(cluster='Hefei', edition=2019)", "UnknownEditionError: Unknown GII edition 2019"),
    ("report.load_profile(cluster='Hefei', edition=2024, data_dir='/nonexistent')", "DataValidationError: The data"),
])
def test_each_project_error_renders_without_frames(shell, capsys, code, expected):
    shown = _shown(shell, capsys, "from cluster_profiles.pages.profile import notebook as report\n" + code)
    assert expected in shown
    assert "Traceback" not in shown and "File " not in shown


def test_unexpected_errors_keep_their_traceback(shell, capsys):
    shown = _shown(shell, capsys, "def broken():\n    return 1 / 0\nbroken()")
    assert "ZeroDivisionError" in shown
    assert "Traceback" in shown and "broken()" in shown


def test_a_long_validation_error_is_cut_short_in_a_notebook():
    problems = [Problem("clusters.csv", line, "size_rank", "x", "an integer") for line in range(2, 40)]
    error = DataValidationError("data", problems)
    assert "clusters.csv:39:size_rank" in str(error)  # the terminal lists every problem
    message = error.notebook_message()
    assert "clusters.csv:11:size_rank" in message and "clusters.csv:12:size_rank" not in message
    assert "and 28 more: report.validate_data('data')" in message


def test_errors_raised_with_a_plain_message_still_work():
    error = ParameterError("Invalid report parameters: x")
    assert str(error) == error.notebook_message() == "Invalid report parameters: x"
    assert error._render_traceback_()[0].endswith("ParameterError\x1b[0m: Invalid report parameters: x")
