"""Every case of the bad-records corpus (tests/compute/bad_records.py) is reported at its source: through
``cluster-profiles clusters`` with exit 2, the place first on its own line, no traceback, nothing written; through
``validate_records`` as a located problem. And the records' name rules agree with the data schema's, character by
character (the records are checked in DuckDB's RE2, the data folder in Python's re)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cluster_profiles.cli import main
from cluster_profiles.compute.records import (
    CONTROL,
    LETTER_OR_DIGIT,
    MARKUP,
    RecordsValidationError,
    read_records,
    validate_records,
)
from cluster_profiles.contract.schema import HAS_LETTER_OR_DIGIT, NO_CONTROL_IN_NAME, NO_MARKUP

from .bad_records import CSV_CASES, GOOD, HEADERS, NOT_PARQUET, PARQUET_CASES


def good_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for table, text in GOOD.items():
        (folder / f"{table}.csv").write_text(f"{HEADERS[table]}\n{text}", encoding="utf-8")
    return folder


def parquet_folder(folder: Path) -> Path:
    good_folder(folder)
    for path in list(folder.glob("*.csv")):
        pd.read_csv(path, dtype={"year": "int64", "seq": "int64"}, keep_default_na=False,
                    na_values=[""]).to_parquet(path.with_suffix(".parquet"), index=False)
        path.unlink()
    return folder


def clusters(capsys, folder: Path, out: Path) -> tuple[int, str]:
    code = main(["clusters", "--records", str(folder), "--out", str(out), "--quiet"])
    return code, capsys.readouterr().err


def assert_reported(capsys, folder: Path, out: Path, place: str, words: str) -> None:
    code, err = clusters(capsys, folder, out)
    assert code == 2, err
    assert "Traceback" not in err and not out.exists()
    lines = err.splitlines()
    assert lines[0].startswith(f"error: The records in {folder} are not valid"), err
    located = [line.strip() for line in lines[1:] if line.strip().startswith(f"{place}: found")]
    assert located and any(words in line for line in located), err
    with pytest.raises(RecordsValidationError) as caught:
        validate_records(folder)
    assert any(str(p).startswith(f"{place}: found") and words in str(p) for p in caught.value.problems)


def test_the_good_folder_is_valid(tmp_path):
    assert validate_records(good_folder(tmp_path / "csv")).rows["addresses"] == 3
    assert validate_records(parquet_folder(tmp_path / "parquet")).rows["addresses"] == 3


@pytest.mark.parametrize("name", sorted(CSV_CASES))
def test_a_bad_csv_file_is_reported_at_its_source(capsys, tmp_path, name):
    (file, content), place, words = CSV_CASES[name]
    folder = good_folder(tmp_path / "records")
    (folder / file).write_bytes(content)
    assert_reported(capsys, folder, tmp_path / "out", place, words)


@pytest.mark.parametrize("name", sorted(PARQUET_CASES))
def test_a_bad_parquet_column_is_reported_at_its_source(capsys, tmp_path, name):
    table, column, values, place, words = PARQUET_CASES[name]
    folder = parquet_folder(tmp_path / "records")
    path = folder / f"{table}.parquet"
    frame = pq.read_table(path)
    frame = frame.set_column(frame.column_names.index(column), column, pa.array(values))
    pq.write_table(frame, path)
    assert_reported(capsys, folder, tmp_path / "out", place, words)


@pytest.mark.parametrize("name", sorted(NOT_PARQUET))
def test_a_file_that_is_not_parquet_is_reported(capsys, tmp_path, name):
    folder = parquet_folder(tmp_path / "records")
    (folder / "classes.parquet").write_bytes(NOT_PARQUET[name])
    assert_reported(capsys, folder, tmp_path / "out", "classes.parquet", "not Parquet")


def test_empty_lines_after_the_last_row_a_byte_order_mark_and_spaces_around_names_are_fine(tmp_path):
    folder = good_folder(tmp_path / "records")
    (folder / "documents.csv").write_bytes(b"\xef\xbb\xbf" + f"{HEADERS['documents']}\r\n{GOOD['documents']}\n\n"
                                           .replace("\n", "\r\n").encode())
    (folder / "classes.csv").write_text(HEADERS["classes"] + "\n")  # a header alone: no classes
    (folder / "organisations.csv").write_text(HEADERS["organisations"] + "\npct-1,\u3000USTC\u00a0,applicant\n")
    with duckdb.connect() as con:
        info = read_records(con, folder)
        names = con.execute("SELECT name FROM organisations").fetchall()
    assert info.rows["documents"] == 2 and info.rows["classes"] == 0
    assert names == [("USTC",)]  # spaces of any kind at the ends are trimmed, as the data schema wants them


def test_a_problem_after_a_million_bytes_is_on_its_line(tmp_path):
    """The lines are counted in 1 MiB chunks: a row after the first chunk is still placed right."""
    folder = good_folder(tmp_path / "records")
    filler = "".join(f"d{i},pct,2020\n" for i in range(120_000))
    (folder / "documents.csv").write_text(HEADERS["documents"] + "\n" + GOOD["documents"] + filler + "late,pct,x\n")
    with pytest.raises(RecordsValidationError) as caught:
        validate_records(folder)
    assert [str(p) for p in caught.value.problems if p.column == "year"] == [
        f"documents.csv:{2 + 2 + 120_000}:year: found 'x'; expected a whole number"]


# --- the name rules: RE2 in the records, Python's re in the data schema

def _characters() -> list[str]:
    planes = [c for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    return [chr(c) for c in planes + [0x1F600, 0xE0001, 0xE007F, 0x10FFFD]]


@pytest.mark.parametrize(("records_rule", "schema_rule", "found_by_schema"), [
    (CONTROL, NO_CONTROL_IN_NAME, lambda c: not re.match(NO_CONTROL_IN_NAME, c)),
    (LETTER_OR_DIGIT, HAS_LETTER_OR_DIGIT, lambda c: bool(re.match(HAS_LETTER_OR_DIGIT, c))),
])
def test_the_records_name_rules_are_the_schemas_character_by_character(records_rule, schema_rule, found_by_schema):
    characters = _characters()
    with duckdb.connect() as con:
        con.execute("CREATE TABLE c AS SELECT unnest(?::VARCHAR[]) AS c", [characters])
        found_by_records = {row[0] for row in con.execute("SELECT c FROM c WHERE regexp_matches(c, ?)",
                                                          [records_rule]).fetchall()}
    expected = {c for c in characters if found_by_schema(c)}
    assert found_by_records == expected, sorted(f"U+{ord(c):04X}" for c in found_by_records ^ expected)[:20]


def test_spaces_at_the_ends_are_trimmed_or_refused_as_the_schema_wants():
    """The schema's ^\\S(.*\\S)?\\Z: every character Python calls a space is either removed by DuckDB's trim
    (which every text value of the records goes through) or refused by CONTROL."""
    spaces = [c for c in _characters() if c.isspace()]
    with duckdb.connect() as con:
        kept = [c for c in spaces if con.execute("SELECT trim(?) <> 'a' AND NOT regexp_matches(?, ?)",
                                                 ["a" + c, c, CONTROL]).fetchone()[0]]
    assert kept == []


def test_the_markup_rule_is_the_schemas():
    samples = ["USTC", "<b>", "a>b", "`x`", "**bold**", "__init__", "[t](u)", "a_b", "a*b", "a]b", "[x]", "(a)",
               "Hefei–Anhui", "A & B", "x](y"]
    with duckdb.connect() as con:
        found = [con.execute("SELECT regexp_matches(?, ?)", [s, MARKUP]).fetchone()[0] for s in samples]
    assert found == [not re.match(NO_MARKUP, s) for s in samples]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
