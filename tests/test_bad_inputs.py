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

from bad_inputs import BYTE_CASES, CASES, HOSTILE_MAKE_VALUES, IMPORT_CASES, PARAMETER_CASES, _rewrite
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
