"""Issue 18 item 7, the downloads: each profile's rows as one zip beside its page (with a README of their sources),
the whole data folder as one zip; both deterministic and written atomically."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from cluster_profiles.contract.schema import TABLES
from cluster_profiles.runner import downloads
from cluster_profiles.runner.downloads import PageData, data_folder_zip, write_bytes_atomically, zip_bytes

from conftest import FIXTURE_DATA


def _unzip(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return {info.filename: archive.read(info) for info in archive.infolist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_tables_compared_with_the_previous_edition_are_the_schemas_edition_tables():
    assert downloads.PREVIOUS_EDITION_TABLES == {spec.file_name for spec in TABLES.values() if spec.scope == "edition"}


@pytest.mark.parametrize(("cluster", "edition"), [("Hefei", 2024), ("Shenzhen–Hong Kong–Guangzhou", 2025),
                                                  ("Cairo", 2024), ("San Jose–San Francisco, CA", 2023)])
def test_a_profiles_zip_holds_its_rows_as_written_and_their_sources(cluster, edition):
    files = _unzip(PageData(FIXTURE_DATA).profile_zip(cluster, edition))
    folders = {name.split("/")[0] for name in files}
    assert len(folders) == 1 and folders.pop().endswith(f"-{edition}-data")
    readme = next(text.decode() for name, text in files.items() if name.endswith("/README.txt"))
    clusters = _rows(next(t.decode() for n, t in files.items() if n.endswith("/clusters.csv")))
    assert [r["edition"] for r in clusters if r["edition"] == str(edition)] == [str(edition)]
    economies = {code.rstrip("*") for r in clusters if r["edition"] == str(edition) for code in r["economy"].split("/")}
    for name, data in files.items():
        table = name.split("/")[1]
        if table == "README.txt":
            continue
        original = (FIXTURE_DATA / table).read_text(encoding="utf-8")
        text = data.decode("utf-8")
        header, *lines = text.split("\n", 1)
        assert original.startswith(header + "\n")
        assert all(row in original for row in text.splitlines(keepends=True)[1:])  # each row byte for byte
        rows = _rows(text)
        assert rows, table  # a table with no rows for the page is left out
        for row in rows:
            if "cluster" in row:
                assert row["cluster"] == cluster
            if "edition" in row:
                allowed = {str(edition), str(edition - 1)} if table in downloads.PREVIOUS_EDITION_TABLES else {str(edition)}
                assert row["edition"] in allowed
            if table == "economies.csv":
                assert row["code"] in economies
            if row.get("source"):
                assert row["source"] in readme  # every row's source, as written
        assert f"{table}: {len(rows)} row" in readme
    if "/" in next(r["economy"] for r in clusters if r["edition"] == str(edition)):  # a cross-border cluster
        codes = {r["code"] for r in _rows(next(t.decode() for n, t in files.items() if n.endswith("/economies.csv")))}
        assert codes == economies and len(codes) == 2


def test_a_row_with_line_breaks_quotes_and_commas_is_kept_as_written(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    tricky = '2024,Hefei,patents,9,"Semi, ""conductors""\nsecond line – 半导体",1,"a source, with ""quotes""",\n'
    with open(data / "top_fields.csv", "a", encoding="utf-8", newline="") as stream:
        stream.write(tricky)
    files = _unzip(PageData(data).profile_zip("Hefei", 2024))
    fields = files["hefei-2024-data/top_fields.csv"].decode("utf-8")
    assert fields.endswith(tricky)
    assert 'a source, with "quotes"' in files["hefei-2024-data/README.txt"].decode("utf-8")


def test_zips_are_byte_identical_on_a_rerun_with_sorted_entries_and_fixed_times(tmp_path):
    first = PageData(FIXTURE_DATA).profile_zip("Hefei", 2024)
    assert PageData(FIXTURE_DATA).profile_zip("Hefei", 2024) == first
    assert data_folder_zip(FIXTURE_DATA) == data_folder_zip(FIXTURE_DATA)
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = archive.namelist()
    assert names == sorted(names)
    assert {info.date_time for info in archive.infolist()} == {downloads.ZIP_TIME}
    assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}
    assert zip_bytes({"b": b"2", "a": b"1"}) == zip_bytes({"a": b"1", "b": b"2"})


def test_the_data_folder_zip_holds_every_file_of_the_folder_and_nothing_else(tmp_path):
    data = tmp_path / "my data 'q' $(x) données"
    shutil.copytree(FIXTURE_DATA, data)
    (data / ".hidden").write_text("x")
    (data / "sub").mkdir()
    (data / "sub" / "inner.csv").write_text("x")
    files = _unzip(data_folder_zip(data))
    expected = {f"{data.name}/{p.name}" for p in data.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert set(files) == expected and f"{data.name}/clusters.csv" in files and f"{data.name}/README.md" in files
    assert files[f"{data.name}/clusters.csv"] == (data / "clusters.csv").read_bytes()


def test_a_zip_is_written_atomically_and_not_rewritten_when_unchanged(tmp_path, monkeypatch):
    target = tmp_path / "2024" / "hefei.zip"
    assert write_bytes_atomically(target, b"first")
    before = target.stat().st_mtime_ns
    assert not write_bytes_atomically(target, b"first") and target.stat().st_mtime_ns == before

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(downloads.os, "replace", fail)
    with pytest.raises(OSError):
        write_bytes_atomically(target, b"second")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["hefei.zip"]  # no temporary left behind
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o644)


def test_a_zip_costs_little_beside_a_page():
    """The batch writes one zip per profile, rendered or up to date: it must add little to a page (seconds)."""
    page_data = PageData(FIXTURE_DATA)
    clusters = [(row["cluster"], int(row["edition"])) for row in _rows((FIXTURE_DATA / "clusters.csv").read_text())]
    start = time.perf_counter()
    for cluster, edition in clusters:
        page_data.profile_zip(cluster, edition)
    each = (time.perf_counter() - start) / len(clusters)
    assert each < 0.05, f"{each * 1000:.1f} ms a zip"


def test_a_table_that_is_not_csv_text_is_left_out(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "extra.csv").write_bytes(b"\xff\xfe not text")
    files = _unzip(PageData(data).profile_zip("Hefei", 2024))
    assert not any(name.endswith("/extra.csv") for name in files)
    assert Path("hefei-2024-data/clusters.csv").as_posix() in files
