"""The adapters' bad inputs (issue 20, class 3): each is refused in one line that starts with the file and the line
the problem is on, in the records' words rather than DuckDB's, and nothing is written."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from records_fixtures import OPENALEX, PATENTSVIEW

from cluster_profiles.cli import main

PATENT_HEADER = "patent_id\tpatent_type\tpatent_date\tpatent_title\twipo_kind\tnum_claims\twithdrawn\tfilename\n"
GOOD_PATENT = "10000001\tutility\t2020-03-10\tSemiconductor memory cell\tB2\t12\t0\tipg200310.xml\n"

# name -> (file of the PatentsView folder, its new bytes, the start of the error line after "error: ", words)
PATENTSVIEW_CASES = {
    "a row with an extra field": ("g_patent.tsv", (PATENT_HEADER + GOOD_PATENT + GOOD_PATENT.rstrip() + "\tx\n")
                                  .encode(), "g_patent.tsv:3", "found 9 fields; expected 8 fields"),
    "a row with a missing field": ("g_patent.tsv", (PATENT_HEADER + "10000002\tutility\n").encode(),
                                   "g_patent.tsv:2", "found 2 fields; expected 8 fields"),
    "a missing column": ("g_patent.tsv", (PATENT_HEADER.replace("withdrawn", "gone") + GOOD_PATENT).encode(),
                         "g_patent.tsv:1", "missing column withdrawn"),
    "a column twice": ("g_patent.tsv", (PATENT_HEADER.replace("filename", "patent_id") + GOOD_PATENT).encode(),
                       "g_patent.tsv:1", "distinct column names"),
    "Latin-1 in the header": ("g_patent.tsv", PATENT_HEADER.encode().replace(b"title", b"titl\xe9") +
                              GOOD_PATENT.encode(), "g_patent.tsv:1:46", "the byte 0xe9, which is not UTF-8"),
    "an empty file": ("g_patent.tsv", b"", "g_patent.tsv:1", "distinct column names"),
    "an unclosed quote": ("g_patent.tsv", (PATENT_HEADER + GOOD_PATENT +
                                           '10000002\tutility\t2021-05-04\t"Assay\tB2\t8\t0\tx.xml\n').encode(),
                          "g_patent.tsv:3", "closing quote is missing"),
    "a gzip file that is not one": ("g_patent.tsv.gz", b"not gzip", "g_patent.tsv.gz", "cannot be read"),
}


@pytest.mark.parametrize("name", sorted(PATENTSVIEW_CASES))
def test_a_bad_patentsview_table_is_refused_at_its_line(capsys, tmp_path, name):
    file, content, place, words = PATENTSVIEW_CASES[name]
    tables = tmp_path / "tables"
    shutil.copytree(PATENTSVIEW, tables)
    if file.endswith(".gz"):
        (tables / "g_patent.tsv").unlink()
    (tables / file).write_bytes(content)
    assert main(["records", "patentsview", "--tables", str(tables), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tables / place}") and words in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("content", [b'{"id": "https://openalex.org/W9", "type": "article"\n',
                                     b'{"id": "https://openalex.org/W9"}\n{"id": \n'])
@pytest.mark.parametrize("packed", [False, True])
def test_a_malformed_openalex_line_is_refused_at_its_file_and_line(capsys, tmp_path, content, packed):
    works = tmp_path / "works" / "updated_date=2024-01-01"
    works.mkdir(parents=True)
    part = works / ("part_000.gz" if packed else "part_000")
    part.write_bytes(gzip.compress(content) if packed else content)
    assert main(["records", "openalex", "--works", str(tmp_path / "works"), "--institutions",
                 str(OPENALEX / "institutions"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    line = content.count(b"\n")  # the last line is the broken one
    assert err.startswith(f"error: {part}:{line}:") and "found malformed JSON (Expecting" in err, err
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_the_gzip_header_is_read_through_gzip(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(PATENTSVIEW, tables)
    for path in list(tables.glob("*.tsv")):
        Path(f"{path}.gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    assert main(["records", "patentsview", "--tables", str(tables), "--out", str(tmp_path / "out")]) == 0

