"""The PatentsView adapter on the hand-written bulk-table fixture: 5 patents (a design, an old and a withdrawn one)."""

from __future__ import annotations

import pandas as pd
import pytest
from records_fixtures import PATENTSVIEW, read_records, zipped_tables

from cluster_profiles.compute.adapters.folder import RecordsInputError
from cluster_profiles.compute.adapters.patentsview import run_patentsview


@pytest.fixture
def records(tmp_path):
    summary = run_patentsview(PATENTSVIEW, tmp_path / "records", years=(2018, 2022))
    return summary, read_records(tmp_path / "records")


def test_keeps_utility_grants_in_the_years_as_the_patent_layer(records):
    summary, tables = records
    assert summary.read == 5
    assert summary.dropped == {"not of the kept patent types": 1, "outside the years": 1, "withdrawn": 1}
    assert tables["documents"].to_dict("records") == [
        {"doc_id": "US10000001", "kind": "pct", "year": 2020},
        {"doc_id": "US10000002", "kind": "pct", "year": 2021},
    ]
    assert any("not PCT applications" in note for note in summary.notes)


def test_inventors_in_order_with_their_locations(records):
    _, tables = records
    addresses = tables["addresses"].set_index(["doc_id", "seq"])
    assert list(addresses.index) == [("US10000001", 1), ("US10000001", 2), ("US10000001", 3),
                                     ("US10000002", 1), ("US10000002", 2)]  # inventor_sequence 0.. becomes seq 1..
    assert addresses.loc[("US10000001", 3)].to_dict() == {"lat": 43.6535, "lon": -79.3839, "city": "Toronto",
                                                         "economy": "CA"}
    assert addresses.loc[("US10000001", 1), "city"] == "San Jose"
    assert addresses.loc[("US10000002", 2)].isna().all()  # its location_id is not in g_location_disambiguated
    fractions = 1 / tables["addresses"].groupby("doc_id")["seq"].transform("size")
    assert fractions.tolist() == pytest.approx([1 / 3] * 3 + [1 / 2] * 2)


def test_assignees_are_applicants_and_ipc_symbols_are_written_as_wipo_prints_them(records):
    _, tables = records
    assert tables["organisations"].to_dict("records") == [
        {"doc_id": "US10000001", "name": "Acme Semiconductor Corp.", "role": "applicant"},
        {"doc_id": "US10000001", "name": "Northern Memory Inc.", "role": "applicant"},
        {"doc_id": "US10000002", "name": "Jane Doe", "role": "applicant"},  # an individual assignee, by name
    ]
    assert tables["classes"].to_dict("records") == [
        {"doc_id": "US10000001", "code": "G01N 33/53"},
        {"doc_id": "US10000001", "code": "H01L 21/8242"},
        {"doc_id": "US10000002", "code": "G01N 21/00"},  # ipc_class "1" padded to "01"
    ]


def test_zipped_tables_as_downloaded_give_the_same_folder(tmp_path, records):
    _, plain = records
    run_patentsview(zipped_tables(tmp_path / "zips"), tmp_path / "from-zip", years=(2018, 2022))
    for table, frame in read_records(tmp_path / "from-zip").items():
        pd.testing.assert_frame_equal(frame, plain[table])


def test_missing_tables_and_columns_are_named_and_nothing_is_written(tmp_path):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "g_patent.tsv").write_text((PATENTSVIEW / "g_patent.tsv").read_text().replace("patent_date", "date"))
    with pytest.raises(RecordsInputError, match="missing g_inventor_disambiguated.tsv .*g_ipc_at_issue.tsv"):
        run_patentsview(tables, tmp_path / "out")
    for source in PATENTSVIEW.glob("g_[ail]*.tsv"):
        (tables / source.name).write_bytes(source.read_bytes())
    with pytest.raises(RecordsInputError, match=r"g_patent.tsv:1: missing column patent_date"):
        run_patentsview(tables, tmp_path / "out")
    assert not (tmp_path / "out").exists()
