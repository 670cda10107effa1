"""The OpenAlex adapter (DuckDB) on the hand-written snapshot fixture: 5 works, 3 institutions (one listed twice)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from records_fixtures import OPENALEX, gzipped_snapshot, read_records

from cluster_profiles.compute.adapters.folder import COMMAND, RecordsInputError
from cluster_profiles.compute.adapters.openalex import run_openalex
from cluster_profiles.files import manifest_path


@pytest.fixture
def records(tmp_path):
    summary = run_openalex(OPENALEX / "works", OPENALEX / "institutions", tmp_path / "records", years=(2018, 2022))
    return summary, read_records(tmp_path / "records")

MANIFEST = manifest_path(Path(), COMMAND).name


def test_keeps_articles_in_the_years_and_says_what_it_dropped(records):
    summary, tables = records
    assert summary.read == 5
    assert summary.dropped == {"not of the kept types": 1, "outside the years": 1}  # W3 is a review, W4 from 2012
    assert tables["documents"].to_dict("records") == [
        {"doc_id": "W1", "kind": "article", "year": 2020},
        {"doc_id": "W2", "kind": "article", "year": 2021},
        {"doc_id": "W5", "kind": "article", "year": 2022},
    ]
    assert summary.written == {"documents": 3, "addresses": 8, "organisations": 6, "classes": 2}


def test_one_address_per_author_and_institution_in_author_order(records):
    _, tables = records
    addresses = tables["addresses"].set_index(["doc_id", "seq"])
    assert list(addresses.index) == [("W1", 1), ("W1", 2), ("W1", 3), ("W2", 1), ("W2", 2), ("W2", 3), ("W5", 1),
                                     ("W5", 2)]
    # I1 is in the institutions file twice: the newer record (2024-02-10) wins over the old one at (0, 0)
    assert addresses.loc[("W1", 1)].to_dict() == {"lat": 31.8206, "lon": 117.2272, "city": "Hefei", "economy": "CN"}
    assert addresses.loc[("W1", 3), "city"] == "Hong Kong"
    # W2's first author lists I9 (not in the institutions file: its economy, no place) then I2: a row for each
    assert pd.isna(addresses.loc[("W2", 1), "lat"]) and addresses.loc[("W2", 1), "economy"] == "US"
    assert addresses.loc[("W2", 2)].to_dict() == {"lat": 22.283, "lon": 114.1371, "city": "Hong Kong", "economy": "HK"}
    # an author without institutions keeps a row, without coordinates, for the core to count as dropped
    assert addresses.loc[("W2", 3)].isna().all()
    # W5's first author's only institution has no coordinates: no location, the institution's economy
    assert pd.isna(addresses.loc[("W5", 1), "lat"]) and addresses.loc[("W5", 1), "economy"] == "US"


def test_fractions_split_each_article_over_its_author_institution_rows(records):
    _, tables = records
    fractions = 1 / tables["addresses"].groupby("doc_id")["seq"].transform("size")
    assert fractions.tolist() == pytest.approx([1 / 3] * 6 + [1 / 2] * 2)
    assert fractions.sum() == pytest.approx(len(tables["documents"]))


def test_organisations_are_distinct_affiliations_and_classes_the_openalex_field(records):
    _, tables = records
    organisations = tables["organisations"]
    assert (organisations["role"] == "affiliation").all()
    assert organisations[organisations["doc_id"] == "W1"]["name"].tolist() == [
        "University of Hong Kong", "University of Science and Technology of China"]  # I1 twice on W1, once here
    assert tables["classes"].to_dict("records") == [{"doc_id": "W1", "code": "Engineering"},
                                                    {"doc_id": "W2", "code": "Physics and Astronomy"}]


def test_gzipped_partitions_with_a_manifest_give_the_same_folder(tmp_path, records):
    _, plain = records
    snapshot = gzipped_snapshot(tmp_path / "snapshot")
    run_openalex(snapshot / "works", snapshot / "institutions", tmp_path / "from-gz", years=(2018, 2022))
    for table, frame in read_records(tmp_path / "from-gz").items():
        pd.testing.assert_frame_equal(frame, plain[table])


def test_without_years_every_article_is_kept_and_csv_has_the_same_rows(tmp_path):
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", tmp_path / "csv", fmt="csv")
    tables = read_records(tmp_path / "csv")
    assert tables["documents"]["doc_id"].tolist() == ["W1", "W2", "W4", "W5"]
    assert sorted(p.name for p in (tmp_path / "csv").iterdir() if p.name != MANIFEST) == [
        "about.json", "addresses.csv", "classes.csv", "documents.csv", "organisations.csv"]


def test_a_malformed_line_is_a_clear_error_and_nothing_is_written(tmp_path):
    works = tmp_path / "works" / "updated_date=2024-01-01"
    works.mkdir(parents=True)
    (works / "part_000").write_text('{"id": "https://openalex.org/W1", "type": "article"\n', encoding="utf-8")
    with pytest.raises(RecordsInputError) as error:
        run_openalex(tmp_path / "works", OPENALEX / "institutions", tmp_path / "out")
    assert str(error.value).startswith(f"{works / 'part_000'}:1:52: found malformed JSON (")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no scratch left behind


def test_missing_inputs_are_named(tmp_path):
    with pytest.raises(RecordsInputError, match="no such file or folder"):
        run_openalex(tmp_path / "nowhere", OPENALEX / "institutions", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RecordsInputError, match="no files"):
        run_openalex(tmp_path / "empty", OPENALEX / "institutions", tmp_path / "out")
    with pytest.raises(RecordsInputError, match="--years"):
        run_openalex(OPENALEX / "works", OPENALEX / "institutions", tmp_path / "out", years=(2022, 2018))
