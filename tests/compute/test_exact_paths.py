"""Issue 20, class 2: a folder or file name is a name, not a pattern. DuckDB expands ``*``, ``?``, ``[…]`` (and
``**``) in every path its readers get, lists included, with no switch to turn that off; the compute half gives it
exact paths (``folder.exact_path``). Each case names a records folder with such characters beside decoys the pattern
would also match, and checks that exactly the named folder is read and hashed."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from records_fixtures import OPENALEX, PATENTSVIEW, read_records

from cluster_profiles.cli import main
from cluster_profiles.compute.adapters.folder import exact_path
from cluster_profiles.compute.adapters.openalex import run_openalex
from cluster_profiles.compute.adapters.patentsview import run_patentsview
from cluster_profiles.compute.records import records_hash, validate_records

from .planted import Records

# a name -> the decoys beside it that its pattern matches (or that a careless reader would take)
NAMES = {
    "r*": ["ra", "rb", "r-real-records"],
    "r?": ["ra", "rb"],
    "r[ab]": ["ra", "rb"],
    "r{a,b}": ["ra", "rb", "r{a"],
    "**": ["x", "y"],
    "a**b": ["ab", "axyb"],
    "[": ["x"],
    "]x": ["x"],
    "q'uote": ["q"],
    'd"ouble': ["d"],
    "sp ace": ["sp"],
    "-leading-dash": ["leading-dash"],
    "back\\slash": ["back"],
    "year=1999": ["year"],  # a hive partition to DuckDB, unless told not
    "~": ["home"],
    "c,omma": ["c", "omma"],
    "é ü 中": ["e"],
}


def one_document(folder: Path, doc_id: str) -> Path:
    r = Records()
    r.add("pct", 2020, [(31.8, 117.2, "Hefei", "CN")], ["USTC"], ["H01L 21/00"], doc_id=doc_id)
    return r.write(folder)


@pytest.mark.parametrize("name", sorted(NAMES))
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_records_folder_named_like_a_pattern_reads_exactly_itself(tmp_path, name, fmt):
    parent = tmp_path / "recs"
    for decoy in NAMES[name]:
        one_document(parent / decoy, f"decoy-{decoy}")
    folder = one_document(parent / name, "the-named-one")
    if fmt == "parquet":
        for decoy in [*NAMES[name], name]:
            _to_parquet(parent / decoy)
    info = validate_records(folder)
    assert info.rows["documents"] == 1
    assert info.sha256 == records_hash({t: folder / f"{t}.{fmt}" for t in ("documents", "addresses",
                                                                           "organisations", "classes")})


def _to_parquet(folder: Path) -> None:
    import pandas as pd

    for path in list(folder.glob("*.csv")):
        pd.read_csv(path, keep_default_na=False, na_values=[""]).to_parquet(path.with_suffix(".parquet"), index=False)
        path.unlink()


@pytest.mark.parametrize("name", ["r*", "r[ab]", "year=1999", "q'uote"])
def test_exact_path_reads_one_file_in_duckdb(tmp_path, name):
    for decoy in [*NAMES[name], name]:
        (tmp_path / decoy).mkdir()
        (tmp_path / decoy / "t.csv").write_text(f"who\n{decoy}\n")
    with duckdb.connect() as con:
        rows = con.execute("SELECT * FROM read_csv(?, hive_partitioning = false)",
                           [exact_path(tmp_path / name / "t.csv")]).fetchall()
    assert rows == [(name,)]


def test_the_clusters_command_reads_only_the_named_folder(capsys, tmp_path):
    """The issue's case: --records "recs/r*" beside recs/real-records; each has a problem of its own, and only the
    named folder's may be reported."""
    decoy = one_document(tmp_path / "recs" / "real-records", "decoy")
    (decoy / "documents.csv").write_text("doc_id,kind,year\ndecoy,novel,2020\n")
    folder = one_document(tmp_path / "recs" / "r*", "named")
    (folder / "documents.csv").write_text("doc_id,kind,year\nnamed,book,2020\n")
    assert main(["clusters", "--records", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "documents.csv:2:kind: found 'book'" in err and "novel" not in err


def test_the_adapters_read_and_write_exactly_the_named_folders(tmp_path):
    tables = tmp_path / "pv[1]*"
    shutil.copytree(PATENTSVIEW, tables)
    decoy = tmp_path / "pv1x"
    shutil.copytree(PATENTSVIEW, decoy)
    (decoy / "g_patent.tsv").write_text((decoy / "g_patent.tsv").read_text().replace("10000001\t", "99000001\t"))
    snapshot = tmp_path / "oa*" / "works"
    shutil.copytree(OPENALEX / "works", snapshot)
    # other works beside it (ids the real snapshot does not have): read by a careless glob, they would add documents
    # (a copy of the same works would not show: a work found twice is read once, from its newest version)
    shutil.copytree(OPENALEX / "works", tmp_path / "oax" / "works")
    for part in (tmp_path / "oax" / "works").rglob("part_*"):
        part.write_text(part.read_text(encoding="utf-8").replace('"https://openalex.org/W', '"https://openalex.org/W99'),
                        encoding="utf-8")
    out = tmp_path / "out {a,b} [x]" / "records*"
    run_patentsview(tables, out, years=(2018, 2022))
    run_openalex(snapshot, OPENALEX / "institutions", out, years=(2018, 2022))
    again = tmp_path / "plain"
    run_patentsview(PATENTSVIEW, again, years=(2018, 2022))
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", again, years=(2018, 2022))
    for table, frame in read_records(out).items():
        assert frame.equals(read_records(again)[table]), table


def test_a_backslash_with_a_glob_character_is_refused_not_misread(capsys, tmp_path):
    """DuckDB's globbing takes a backslash for a separator: a path holding both cannot be read exactly, so it is
    refused by name instead of reading the wrong files (or none)."""
    one_document(tmp_path / "r\\x", "decoy")
    folder = one_document(tmp_path / "r\\*", "named")
    assert main(["clusters", "--records", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds a backslash and one of * ? [ ] { }" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
