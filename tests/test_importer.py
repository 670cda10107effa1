"""The GII appendix importer, on the GII 2023 Appendix Table 3 rows (ranks 1-34)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cluster_profiles.cli import main
from cluster_profiles.contract.importer import import_ranking, read_ranking_table
from cluster_profiles.contract.load import load_tables
from cluster_profiles.errors import DataValidationError

from bad_inputs import IMPORT_CASES
from conftest import FIXTURE_DATA, FIXTURES

APPENDIX = FIXTURES / "gii2023-appendix-table3.csv"
SOURCE = "GII 2023 Appendix Table 3 (test import)"
TABLE_COLUMNS = ["size_rank", "pct_applications", "scientific_publications", "pct_share_pct", "pub_share_pct",
                 "total_share_pct", "previous_rank"]


def test_reads_the_printed_layout():
    table = read_ranking_table(APPENDIX)
    assert len(table) == 34
    tokyo = table.iloc[0]
    assert (tokyo["cluster"], tokyo["economy"], tokyo["pct_applications"], tokyo["total_share_pct"]) == (
        "Tokyo–Yokohama", "JP", 127418, 11.7)
    beijing = table[table["cluster"] == "Beijing"].iloc[0]
    assert beijing["previous_rank"] == 3  # "−1" rank change with a typographic minus was checked


def _blank_2023_table_values(data: Path) -> None:
    path = data / "clusters.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    in_table = (frame["edition"] == "2023") & pd.to_numeric(frame["size_rank"], errors="coerce").le(34)
    for column in TABLE_COLUMNS[1:]:
        frame.loc[in_table, column] = ""
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def test_import_fills_the_table_values_back(data_copy):
    _blank_2023_table_values(data_copy)
    result = import_ranking(APPENDIX, 2023, SOURCE, data_copy)
    assert len(result.updated) == 34 and not result.added
    key = ["edition", "cluster"]
    frozen = load_tables(FIXTURE_DATA).clusters.set_index(key)
    imported = load_tables(data_copy).clusters.set_index(key)
    rows = frozen.index[(frozen.index.get_level_values(0) == 2023) & frozen["size_rank"].le(34).fillna(False)]
    pd.testing.assert_frame_equal(imported.loc[rows, TABLE_COLUMNS], frozen.loc[rows, TABLE_COLUMNS])
    assert imported.loc[(2023, "Seoul"), "source"].endswith(SOURCE)


def test_import_from_excel_adds_a_new_edition(data_copy, tmp_path):
    workbook = tmp_path / "appendix.xlsx"
    pd.read_csv(APPENDIX, dtype=str).to_excel(workbook, index=False)
    editions = data_copy / "editions.csv"
    editions.write_text(editions.read_text(encoding="utf-8") + "2022,PCT applications; scientific articles,,,,,,test\n",
                        encoding="utf-8")
    result = import_ranking(workbook, 2022, SOURCE, data_copy)
    assert len(result.added) == 34
    clusters = load_tables(data_copy).clusters
    assert clusters[(clusters["edition"] == 2022) & (clusters["cluster"] == "Munich")].iloc[0]["pct_applications"] == 10248


def test_differing_values_are_refused_unless_replace(data_copy, tmp_path):
    rows = list(csv.reader(APPENDIX.open(encoding="utf-8")))
    rows[1][3] = "127,419"  # Tokyo's PCT count, off by one
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    before = (data_copy / "clusters.csv").read_bytes()
    with pytest.raises(DataValidationError, match=r"edited.csv:2:pct_applications: found 127419 for Tokyo–Yokohama"):
        import_ranking(edited, 2023, SOURCE, data_copy)
    assert (data_copy / "clusters.csv").read_bytes() == before
    assert len(import_ranking(edited, 2023, SOURCE, data_copy, replace=True).updated) == 1


@pytest.mark.parametrize("edit, words", [
    (lambda rows: rows[2].__setitem__(9, "5"), r":3:rank_change: found 5; expected previous rank − rank = 0"),
    (lambda rows: rows[4].__setitem__(3, "many"), r":5:pct_applications: found 'many'"),
    (lambda rows: rows[0].__setitem__(1, "Name"), r":1:Name: found a column the appendix table does not have"),
])
def test_malformed_appendix_is_located(data_copy, tmp_path, edit, words):
    rows = list(csv.reader(APPENDIX.open(encoding="utf-8")))
    edit(rows)
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    before = (data_copy / "clusters.csv").read_bytes()
    with pytest.raises(DataValidationError, match=words):
        import_ranking(bad, 2023, SOURCE, data_copy)
    assert (data_copy / "clusters.csv").read_bytes() == before


def test_an_import_that_would_break_the_folder_writes_nothing(data_copy, tmp_path):
    rows = list(csv.reader(APPENDIX.open(encoding="utf-8")))
    rows[1][2] = "XX"  # an economy code economies.csv does not know
    shutil.copy(APPENDIX, tmp_path / "unused.csv")
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    before = (data_copy / "clusters.csv").read_bytes()
    with pytest.raises(DataValidationError):
        import_ranking(bad, 2023, SOURCE, data_copy, replace=True)
    assert (data_copy / "clusters.csv").read_bytes() == before


@pytest.mark.parametrize("name", sorted(IMPORT_CASES))
def test_bad_appendix_tables_are_refused_where_they_are_wrong(capsys, data_copy, tmp_path, name):
    build, place, words = IMPORT_CASES[name]
    folder = tmp_path / "in"
    folder.mkdir()
    table = build(folder)
    before = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    code = main(["import-ranking", str(table), "--edition", "2023", "--source", SOURCE, "--data-dir", str(data_copy)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and place in err and words in err, err
    assert "cluster-profiles-import-" not in err  # never a temporary copy's path
    assert {p.name: p.read_bytes() for p in data_copy.iterdir()} == before


def test_percent_formatted_shares_are_read_as_percentages(data_copy, tmp_path):
    import openpyxl

    workbook = tmp_path / "appendix.xlsx"
    pd.read_csv(APPENDIX, dtype=str).to_excel(workbook, index=False)
    book = openpyxl.load_workbook(workbook)
    sheet = book.active
    sheet["F2"], sheet["G2"], sheet["H2"] = 0.101, 0.015, "11.7%"
    for cell in ("F2", "G2"):
        sheet[cell].number_format = "0.0%"
    book.save(workbook)
    table = read_ranking_table(workbook)
    assert (table.at[0, "pct_share_pct"], table.at[0, "pub_share_pct"], table.at[0, "total_share_pct"]) == (10.1, 1.5, 11.7)


def test_existing_clusters_are_matched_as_the_resolver_matches(data_copy, tmp_path):
    rows = list(csv.reader(APPENDIX.open(encoding="utf-8")))
    for row in rows[1:]:
        row[1] = row[1].upper()  # CAMBRIDGE, SEOUL…: the same clusters
    rows[4][1] = "B\u0415IJING"  # with a Cyrillic capital Ie
    shouting = tmp_path / "upper.csv"
    with shouting.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    result = import_ranking(shouting, 2023, SOURCE, data_copy)
    assert not result.added and len(result.unchanged) == 34
    names = set(load_tables(data_copy).clusters.query("edition == 2023")["cluster"])
    assert "Beijing" in names and "SEOUL" not in names
