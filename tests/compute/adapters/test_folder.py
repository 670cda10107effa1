"""The records-folder writer shared by the adapters: two sources in one folder, formats, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from records_fixtures import OPENALEX, PATENTSVIEW, read_records

from cluster_profiles.compute.adapters.folder import COMMAND, RecordsInputError
from cluster_profiles.compute.adapters.openalex import run_openalex
from cluster_profiles.compute.adapters.patentsview import run_patentsview
from cluster_profiles.files import manifest_path

MANIFEST = manifest_path(Path(), COMMAND).name


def test_two_adapters_fill_one_folder_and_a_rerun_replaces_only_its_kind(tmp_path):
    out = tmp_path / "records"
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", out, years=(2018, 2022))
    run_patentsview(PATENTSVIEW, out, years=(2018, 2022))
    both = read_records(out)
    assert both["documents"].groupby("kind").size().to_dict() == {"article": 3, "pct": 2}
    assert len(both["addresses"]) == 8 + 5
    # a narrower rerun of OpenAlex replaces the articles and keeps the patents and their rows
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", out, years=(2020, 2020))
    again = read_records(out)
    assert again["documents"].groupby("kind").size().to_dict() == {"article": 1, "pct": 2}
    assert sorted(again["addresses"]["doc_id"].unique()) == ["US10000001", "US10000002", "W1"]
    assert sorted(again["classes"]["code"]) == ["Engineering", "G01N 21/00", "G01N 33/53", "H01L 21/8242"]


def test_switching_format_leaves_one_file_per_table(tmp_path):
    out = tmp_path / "records"
    run_patentsview(PATENTSVIEW, out, fmt="csv")
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", out, fmt="parquet")
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST) == [
        "about.json", "addresses.parquet", "classes.parquet", "documents.parquet", "organisations.parquet"]
    assert read_records(out)["documents"].groupby("kind").size().to_dict() == {"article": 4, "pct": 3}


def test_a_failed_run_keeps_the_previous_folder_byte_identical(tmp_path):
    out = tmp_path / "records"
    run_patentsview(PATENTSVIEW, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "population.csv").write_text("lat,lon,population\n", encoding="utf-8")
    with pytest.raises(RecordsInputError):
        run_openalex(OPENALEX / "works", tmp_path / "no-institutions", out)
    with pytest.raises(RecordsInputError, match="--format"):
        run_patentsview(PATENTSVIEW, out, fmt="xlsx")
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "population.csv"}
    assert after == before
    assert (out / "population.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_what_the_adapters_write_passes_the_records_validation(tmp_path):
    from cluster_profiles.compute.records import validate_records

    out = tmp_path / "records"
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", out)
    run_patentsview(PATENTSVIEW, out, fmt="parquet")
    info = validate_records(out)
    assert info.rows["documents"] == 4 + 3 and info.rows["addresses"] == 9 + 6  # W1 3, W2 3, W4 1, W5 2; 3 + 2 + 1 inventors
