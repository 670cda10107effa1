"""The records folder contract: CSV or Parquet, validated like data/ (every problem at once,
file:line:column, nothing read further)."""

from __future__ import annotations

import pytest

from cluster_profiles.compute.records import RecordsValidationError, read_records, validate_records

from .planted import Records


def small() -> Records:
    records = Records()
    records.add("pct", 2020, [(31.8, 117.2, "Hefei", "CN"), (None, None, "", "")], ["USTC"], ["H01L 21/00"])
    records.add("article", 2019, [(22.3, 114.2, "Hong Kong", "HK")], ["HKU"], ["Chemistry"])
    return records


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_valid_folder_reads_in_either_format(tmp_path, fmt):
    info = validate_records(small().write(tmp_path / "records", fmt))
    assert info.rows == {"documents": 2, "addresses": 3, "organisations": 2, "classes": 2}
    assert not info.has_population and len(info.sha256) == 64


def test_the_hash_changes_with_the_content(tmp_path):
    first = validate_records(small().write(tmp_path / "a")).sha256
    records = small()
    records.documents[0]["year"] = 2021
    assert validate_records(records.write(tmp_path / "b")).sha256 != first


def write_text(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_every_problem_is_listed_with_file_line_and_column(tmp_path):
    folder = tmp_path / "records"
    write_text(folder, "documents.csv", "doc_id,kind,year\nd1,pct,2020\nd1,pct,2020\nd2,patent,2020\nd3,article,20x0\n")
    write_text(folder, "addresses.csv", "doc_id,seq,lat,lon,city,economy\n"
               "d1,1,95,10,Hefei,CN\nd1,0,31,117,Hefei,UK\nd9,1,31,117,<b>X</b>,CN\nd1,2,31,,Hefei,CN\n")
    write_text(folder, "organisations.csv", "doc_id,name,role\nd1,USTC,affiliation\nd1,,applicant\n")
    write_text(folder, "classes.csv", "doc_id,code\nd1,H01L 21/00\n")
    with pytest.raises(RecordsValidationError) as error:
        validate_records(folder)
    message = str(error.value)
    for expected in ["documents.csv:3:doc_id: found a duplicate key (doc_id=d1)",
                     "documents.csv:4:kind: found 'patent'",
                     "documents.csv:5:year: found '20x0'",
                     "addresses.csv:2:lat: found '95'; expected a number from -90 to 90",
                     "addresses.csv:3:seq: found '0'",
                     "addresses.csv:3:economy: found 'UK'",
                     "addresses.csv:4:doc_id: found 'd9'; expected a doc_id of the documents table",
                     "addresses.csv:4:city: found '<b>X</b>'",
                     "addresses.csv:5:lon: found 'only one of lat and lon'",
                     "organisations.csv:2:role: found 'affiliation on a document of kind pct'",
                     "organisations.csv:3:name: found None; expected a value"]:
        assert expected in message, expected
    assert message.startswith(f"The records in {folder} are not valid")


def test_missing_and_doubled_tables_and_columns(tmp_path):
    folder = small().write(tmp_path / "records")
    (folder / "classes.csv").unlink()
    small().write(tmp_path / "parquet", "parquet")
    (folder / "organisations.parquet").write_bytes((tmp_path / "parquet" / "organisations.parquet").read_bytes())
    write_text(folder, "documents.csv", "doc_id,kind\nd1,pct\n")
    with pytest.raises(RecordsValidationError) as error:
        validate_records(folder)
    message = str(error.value)
    assert "classes.csv: found no such file" in message
    assert "organisations.parquet: found both organisations.csv and organisations.parquet" in message
    assert "documents.csv:1:year: found no such column" in message


def test_a_file_that_is_not_csv_is_a_problem_not_a_traceback(tmp_path):
    folder = small().write(tmp_path / "records")
    (folder / "documents.csv").write_bytes(b"doc_id,kind,year\n\xff\xfe,pct,2020\n")
    (folder / "addresses.parquet").write_bytes(b"not parquet")
    (folder / "addresses.csv").unlink()
    with pytest.raises(RecordsValidationError) as error:
        validate_records(folder)
    assert "addresses.parquet: found a file that is not Parquet" in str(error.value)
    assert "documents.csv:2:1: found the byte 0xff, which is not UTF-8 text" in str(error.value)


def test_many_bad_rows_are_shown_by_example_and_counted(tmp_path):
    records = Records()
    for _i in range(50):
        records.add("pct", 1999, [(200.0, 10.0, "X", "CN")])
    with pytest.raises(RecordsValidationError) as error:
        validate_records(records.write(tmp_path / "records"))
    assert "30 more rows like the ones above" in str(error.value)


def test_no_table_is_left_typed_when_the_records_are_bad(tmp_path):
    import duckdb

    records = small()
    records.documents[0]["kind"] = "book"
    with duckdb.connect() as con, pytest.raises(RecordsValidationError):
        read_records(con, records.write(tmp_path / "r"))
