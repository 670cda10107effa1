"""Loading and validation: the shipped data passes; each kind of malformed input is caught and located."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cluster_profiles.errors import DataValidationError
from cluster_profiles.load import implied_total_bounds, load_tables
from cluster_profiles.schema import TABLES


def test_shipped_data_is_valid(tables):
    assert tables.edition_list() == [2023, 2024, 2025]
    hefei = tables.clusters[(tables.clusters["edition"] == 2024) & (tables.clusters["cluster"] == "Hefei")]
    assert hefei.iloc[0]["size_rank"] == 36
    assert hefei.iloc[0]["pct_per_million"] == 692


def test_every_row_names_its_source(tables):
    for spec in TABLES.values():
        frame = getattr(tables, spec.name)
        assert frame["source"].str.strip().str.len().gt(0).all(), spec.name


def _rewrite(path: Path, edit) -> None:
    """Apply ``edit(rows)`` to a CSV's rows (a list of dicts) and write it back."""
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        fields, rows = list(reader.fieldnames), list(reader)
    fields = edit(rows) or fields
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _row(rows, **match):
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def _set(file, match, column, value):
    def edit(rows):
        _row(rows, **match)[column] = value
    return file, edit


HEFEI = {"edition": "2024", "cluster": "Hefei"}
HEFEI_TOP1 = {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}


def _drop_column(file, column):
    def edit(rows):
        for r in rows:
            r.pop(column)
        return [c for c in rows[0]]
    return file, edit


def _add_column(file, column):
    def edit(rows):
        for r in rows:
            r[column] = "x"
        return [c for c in rows[0]]
    return file, edit


def _duplicate(file, match):
    def edit(rows):
        rows.append(dict(_row(rows, **match)))
    return file, edit


CASES = {
    # name: (file, edit, expected file, expected column, words in the expectation)
    "missing column": (*_drop_column("clusters.csv", "size_rank"), "clusters.csv", "size_rank", "no such column"),
    "extra column": (*_add_column("economies.csv", "population"), "economies.csv", "population", "does not declare"),
    "non-numeric count": (*_set("top_organisations.csv", HEFEI_TOP1, "count", "2,069"), "top_organisations.csv", "count", "not a number"),
    "negative count": (*_set("clusters.csv", HEFEI, "pct_per_million", "-692"), "clusters.csv", "pct_per_million", "0 or more"),
    "share over 100": (*_set("collaboration.csv", {"edition": "2024", "cluster": "Hefei", "output": "articles"}, "share_pct", "161"), "collaboration.csv", "share_pct", "from 0 to 100"),
    "rank 0": (*_set("clusters.csv", HEFEI, "size_rank", "0"), "clusters.csv", "size_rank", "from 1 to 100"),
    "rank 101": (*_set("clusters.csv", HEFEI, "intensity_rank", "101"), "clusters.csv", "intensity_rank", "from 1 to 100"),
    "fractional rank": (*_set("clusters.csv", HEFEI, "size_rank", "36.5"), "clusters.csv", "size_rank", "whole number"),
    "duplicate key": (*_duplicate("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}), "top_fields.csv", "edition, cluster, output, rank", "duplicate key"),
    "unknown economy": (*_set("clusters.csv", HEFEI, "economy", "XX"), "clusters.csv", "economy", "economies.csv"),
    "cluster absent from clusters table": (*_set("top_organisations.csv", HEFEI_TOP1, "cluster", "Hefai"), "top_organisations.csv", "cluster", "clusters.csv"),
    "edition mismatch": (*_set("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}, "edition", "2022"), "top_fields.csv", "edition", "editions.csv"),
    "very long name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "A" * 10_000), "top_organisations.csv", "organisation", "1 to 200 characters"),
    "empty required value": (*_set("clusters.csv", HEFEI, "source", ""), "clusters.csv", "source", "required"),
    "leading space in a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", " CHANGXIN"), "top_organisations.csv", "organisation", "spaces"),
    "count disagrees with share": (*_set("top_organisations.csv", HEFEI_TOP1, "share_pct", "30"), "top_organisations.csv", "share_pct", "consistent"),
    "shares add up past 100": (*_set("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "8"}, "share_pct", "60"), "top_fields.csv", "share_pct", "at most 100%"),
    "economy rank above economy count": (*_set("clusters.csv", HEFEI, "economy_rank", "27"), "clusters.csv", "economy_rank", "at most 26"),
    "duplicate size rank": (*_set("clusters.csv", HEFEI, "size_rank", "38"), "clusters.csv", "size_rank", "used once per edition"),
    "total share not the sum": (*_set("clusters.csv", {"edition": "2023", "cluster": "Seoul"}, "total_share_pct", "7.5"), "clusters.csv", "total_share_pct", "pct_share_pct + pub_share_pct"),
    "output not patents or articles": (*_set("collaboration.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents"}, "output", "inventions"), "collaboration.csv", "output", "one of"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_table_is_located(data_copy: Path, name: str):
    file, edit, expected_file, expected_column, words = CASES[name]
    _rewrite(data_copy / file, edit)
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    matching = [p for p in caught.value.problems if p.file == expected_file and p.column == expected_column]
    assert matching, f"no problem reported at {expected_file}:{expected_column}; got {caught.value.problems}"
    assert any(words in p.expected or words in p.found for p in matching), matching
    if name not in {"missing column", "extra column"}:
        assert all(p.line and p.line > 1 for p in matching), "a row problem names its line"


def test_problem_line_is_the_file_line(data_copy: Path):
    path = data_copy / "clusters.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("2024,Hefei,"))
    _rewrite(path, _set("clusters.csv", HEFEI, "size_rank", "many")[1])
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert f"clusters.csv:{number}:size_rank" in str(caught.value)


@pytest.mark.parametrize("content, words", [
    (b"\xef\xbb\xbfcode,name,adjective,source\nCN,China,Chinese,x\n", "byte-order mark"),
    (b"code,name,adjective,source\r\nCN,China,Chinese,x\r\n", "CRLF"),
    (b"code,name,adjective,source\nCN,Chin\xe9,Chinese,x\n", "not UTF-8"),
    (b"", "empty file"),
    (b'code,name,adjective,source\nCN,"China,Chinese,x\n', "not valid CSV"),
])
def test_unreadable_files_are_named(data_copy: Path, content: bytes, words: str):
    (data_copy / "economies.csv").write_bytes(content)
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert any(p.file == "economies.csv" and words in p.found for p in caught.value.problems), caught.value.problems


def test_missing_file_and_missing_folder(data_copy: Path, tmp_path: Path):
    (data_copy / "gaps.csv").unlink()
    with pytest.raises(DataValidationError, match="gaps.csv: found no such file"):
        load_tables(data_copy)
    with pytest.raises(DataValidationError, match="no such folder"):
        load_tables(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(data_copy: Path):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "size_rank", "0")[1])
    _rewrite(data_copy / "economies.csv", _set("economies.csv", {"code": "CN"}, "source", "")[1])
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert {p.file for p in caught.value.problems} >= {"clusters.csv", "economies.csv"}


@pytest.mark.parametrize("count, share, low, high", [
    (2069, 54, 2069 / 0.545, 2069 / 0.535),
    (92, 2, 92 / 0.025, 92 / 0.015),
    (5, 0, 5 / 0.005, float("inf")),
])
def test_implied_total_bounds(count, share, low, high):
    assert implied_total_bounds(count, share) == pytest.approx((low, high))


def test_html_in_a_name_is_data_not_an_error(data_copy: Path):
    _rewrite(data_copy / "top_organisations.csv", _set("top_organisations.csv", HEFEI_TOP1, "organisation",
                                                      "<script>alert(1)</script>")[1])
    tables = load_tables(data_copy)
    assert "<script>alert(1)</script>" in set(tables.top_organisations["organisation"])
