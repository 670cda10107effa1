"""Every bad input of the corpus: a clear error naming the place, exit 2, existing reports untouched.

Bad input is refused before a kernel starts, so the existing report is a small fake one: these tests start
no kernel (make check runs them with --no-kernels, which fails any test that does).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cluster_profiles.cli import main
from cluster_profiles.contract.load import load_tables
from cluster_profiles.errors import DataValidationError

from bad_inputs import (
    APPENDIX,
    BYTE_CASES,
    CASES,
    HOSTILE_MAKE_VALUES,
    IMPORT_CASES,
    PARAMETER_CASES,
    PATH_CASES,
    _rewrite,
)
from conftest import FIXTURE_DATA


@pytest.fixture
def reports(tmp_path) -> Path:
    """A reports folder that already holds a report (fake bytes: only whether they change matters)."""
    target = tmp_path / "reports"
    (target / "2024").mkdir(parents=True)
    (target / "2024" / "hefei.html").write_text("<!DOCTYPE html><title>Hefei</title><p>an earlier good report</p>\n")
    (target / "2024" / "hefei.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n')
    (target / "index.html").write_text("<!DOCTYPE html><title>Index</title>\n")
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _render(capsys, reports: Path, *argv: str) -> tuple[int, str]:
    code = main(["render", "--reports-dir", str(reports), *argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_data(capsys, reports, data_copy, name):
    """Through the command: exit 2, the place in one line, the reports untouched; through load_tables: the
    problem located, with its words (one case, one copy of the folder, for both)."""
    file, edit, expected_file, expected_column, words = CASES[name]
    _rewrite(data_copy / file, edit)
    before = _snapshot(reports)
    code, err = _render(capsys, reports, "--data-dir", str(data_copy))
    assert code == 2
    assert re.search(rf"{re.escape(expected_file)}:\d+:{re.escape(expected_column)}: found", err), err
    assert _snapshot(reports) == before
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    matching = [p for p in caught.value.problems if p.file == expected_file and p.column == expected_column]
    assert matching, f"no problem reported at {expected_file}:{expected_column}; got {caught.value.problems}"
    assert any(words in p.expected or words in p.found for p in matching), matching
    if name not in {"missing column", "extra column"}:
        assert all(p.line and p.line > 1 for p in matching), "a row problem names its line"


@pytest.mark.parametrize("name", sorted(BYTE_CASES))
def test_unreadable_data(capsys, reports, data_copy, name):
    file, content, words = BYTE_CASES[name]
    (data_copy / file).write_bytes(content)
    before = _snapshot(reports)
    code, err = _render(capsys, reports, "--data-dir", str(data_copy))
    assert code == 2 and f"{file}" in err and words in err
    assert _snapshot(reports) == before


def test_missing_file(capsys, reports, data_copy):
    (data_copy / "collaboration.csv").unlink()
    before = _snapshot(reports)
    code, err = _render(capsys, reports, "--data-dir", str(data_copy))
    assert code == 2 and "collaboration.csv: found no such file" in err
    assert _snapshot(reports) == before


@pytest.mark.parametrize("name", sorted(PARAMETER_CASES))
def test_bad_parameters(capsys, reports, name):
    argv, words = PARAMETER_CASES[name]
    before = _snapshot(reports)
    code, err = _render(capsys, reports, *argv, "--data-dir", str(FIXTURE_DATA))
    assert code == 2 and words in err
    assert _snapshot(reports) == before


def test_the_corpus_covers_every_class_and_is_large():
    total = len(CASES) + len(BYTE_CASES) + len(PARAMETER_CASES) + len(IMPORT_CASES) + len(HOSTILE_MAKE_VALUES) + 1
    assert total >= 100  # the issue found 79 new cases beyond the original 34
    assert any("twin" in name for name in CASES) and any("infinite" in name for name in CASES)
    assert any("bidi" in name for name in CASES) and any("formula" in name for name in IMPORT_CASES)


def _commands_with_a_path(bad: str, good_data: str, reports: str) -> list[tuple[str, list[str]]]:
    """Every command and option that takes a folder, each given ``bad`` (the rest valid)."""
    return [
        ("--data-dir", ["render", "--data-dir", bad, "--reports-dir", reports]),
        ("--reports-dir", ["render", "--data-dir", good_data, "--reports-dir", bad]),
        ("--data-dir", ["render-all", "--data-dir", bad, "--reports-dir", reports, "--quiet"]),
        ("--reports-dir", ["render-all", "--data-dir", good_data, "--reports-dir", bad, "--quiet"]),
        ("--data-dir", ["compare", "--clusters", "Hefei;Wuhan", "--data-dir", bad, "--reports-dir", reports]),
        ("--reports-dir", ["compare", "--clusters", "Hefei;Wuhan", "--data-dir", good_data, "--reports-dir", bad]),
        ("--data-dir", ["validate", "--data-dir", bad]),
        ("--data-dir", ["list", "--data-dir", bad]),
        ("--data-dir", ["import-ranking", str(APPENDIX), "--edition", "2023", "--source", "s", "--data-dir", bad]),
        ("--records", ["find-clusters", "--records", bad, "--reports-dir", reports]),
        ("--records", ["clusters", "--records", bad, "--out", reports + "-out"]),
    ]


@pytest.mark.parametrize("name", sorted(PATH_CASES))
def test_paths_the_system_cannot_look_at(capsys, tmp_path, reports, name):
    """Issue 20 class 8: a symbolic link loop (a traceback from the render's fast path before), a file for a
    folder, a line break, names beyond PATH_MAX and NAME_MAX: exit 2, one line naming the option, nothing written."""
    make, words = PATH_CASES[name]
    bad = str(make(tmp_path))
    before = _snapshot(reports)
    for option, argv in _commands_with_a_path(bad, str(FIXTURE_DATA), str(reports)):
        if name == "a name with a line break" and option in {"--reports-dir", "--records"}:
            continue  # a folder that does not exist yet is made (reports) or reported by the records' reader
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        assert err.count("\n") == 1 and err.startswith(f"error: {option} "), (argv, err)
        assert words in err, (argv, err)
        assert _snapshot(reports) == before
    assert not (Path(str(reports) + "-out")).exists()


def test_a_symbolic_link_loop_as_the_table_file(capsys, tmp_path):
    (tmp_path / "table.csv").symlink_to(tmp_path / "table.csv")
    assert main(["import-ranking", str(tmp_path / "table.csv"), "--edition", "2023", "--source", "s",
                 "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "table.csv: a symbolic link loop" in err


def test_a_folder_that_cannot_be_listed(capsys, monkeypatch, reports, data_copy):
    """(Tests run as root, who may read every folder: the system's refusal is simulated.)"""
    import os

    real_scandir = os.scandir

    def refusing(path="."):
        if Path(path) == data_copy:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    code, err = _render(capsys, reports, "--data-dir", str(data_copy))
    assert code == 2 and err.count("\n") == 1 and "--data-dir" in err and "permission denied" in err


def test_the_fast_path_resolves_through_the_checked_resolution(tmp_path):
    """runner.render.data_folder is what render's fast path calls first: a loop is a one-line error there too."""
    from cluster_profiles.errors import ClusterProfilesError
    from cluster_profiles.runner.render import data_folder

    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(ClusterProfilesError, match="--data-dir .*: a symbolic link loop"):
        data_folder(str(tmp_path / "loop"))
