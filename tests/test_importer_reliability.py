"""Issue 20 for the importer: the sheet a person sees (class 3), inputs too large to be an appendix table
(class 7), and an import that changes nothing writes nothing (class 9)."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest

from cluster_profiles.cli import main
from cluster_profiles.contract import importer
from cluster_profiles.contract.importer import import_ranking, read_ranking_table

from bad_inputs import _appendix_rows, _typed
from conftest import FIXTURES

APPENDIX = FIXTURES / "gii2023-appendix-table3.csv"


def _fill(sheet, rows) -> None:
    for i, row in enumerate(rows):
        sheet.append(row if i == 0 else [_typed(v) for v in row])


def _draft_rows() -> list[list[str]]:
    """The appendix with other numbers: what a draft sheet holds."""
    rows = _appendix_rows()
    return [rows[0]] + [[row[0], row[1], row[2], "1", "1", "0.1", "0.1", "0.2", row[8], row[9]] for row in rows[1:]]


def _book(tmp_path: Path, sheets: list[tuple[str, str, list]], active: int) -> Path:
    """A workbook of (title, state, rows) sheets with the ``active`` one selected."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, state, rows in sheets:
        sheet = book.create_sheet(title)
        _fill(sheet, rows)
        sheet.sheet_state = state
    book.active = active
    path = tmp_path / "appendix.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_draft_before_the_table_is_not_read(tmp_path, state):
    """The issue's case: a hidden first sheet (a draft), the visible active one the table."""
    path = _book(tmp_path, [("Draft", state, _draft_rows()), ("Table 3", "visible", _appendix_rows())], active=1)
    table = read_ranking_table(path)
    assert table["pct_applications"].iloc[0] == 127418
    assert table.attrs["places"][0]["cluster"].place == "Table 3!B2"


def test_a_hidden_draft_is_not_read_even_when_the_file_says_it_is_active(tmp_path):
    path = _book(tmp_path, [("Draft", "hidden", _draft_rows()), ("Table 3", "visible", _appendix_rows())], active=0)
    assert read_ranking_table(path)["pct_applications"].iloc[0] == 127418


def test_a_visible_notes_sheet_first_does_not_hide_the_table(tmp_path):
    notes = [["Notes"], ["Source: GII 2023, Appendix Table 3"]]
    path = _book(tmp_path, [("Notes", "visible", notes), ("Table 3", "visible", _appendix_rows())], active=0)
    assert read_ranking_table(path)["pct_applications"].iloc[0] == 127418


def test_two_visible_tables_are_refused_and_sheet_chooses(tmp_path, capsys):
    path = _book(tmp_path, [("Draft", "visible", _draft_rows()), ("Table 3", "visible", _appendix_rows())], active=1)
    with pytest.raises(importer.DataValidationError, match="several visible sheets.*'Draft', 'Table 3'.*--sheet"):
        read_ranking_table(path)
    assert read_ranking_table(path, "Table 3")["pct_applications"].iloc[0] == 127418
    assert read_ranking_table(path, "Draft")["pct_applications"].iloc[0] == 1  # named: read, even a draft
    with pytest.raises(importer.DataValidationError, match="no sheet named 'Tabel 3'"):
        read_ranking_table(path, "Tabel 3")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_importing_a_table_already_in_the_data_changes_no_byte(data_copy, capsys):
    """Class 9: the fixture's clusters.csv holds '9.0' shares as printed; an import of the same table (twice, and
    as a workbook) leaves every file's bytes and times as they were; validate writes nothing either."""
    assert b",9.0," in (data_copy / "clusters.csv").read_bytes()
    before = _snapshot(data_copy)
    time.sleep(0.01)
    for _ in range(2):
        result = import_ranking(APPENDIX, 2023, "GII 2023 Appendix Table 3", data_copy)
        assert not result.added and not result.updated and len(result.unchanged) == 34
    assert main(["validate", "--data-dir", str(data_copy)]) == 0
    assert main(["import-ranking", str(APPENDIX), "--edition", "2023", "--source", "s", "--data-dir",
                 str(data_copy)]) == 0
    assert _snapshot(data_copy) == before


def test_an_import_that_changes_one_row_changes_only_that_row(data_copy):
    rows = _appendix_rows()
    rows[1][3] = rows[1][3].replace("127,418", "127,419")
    table = data_copy.parent / "changed.csv"
    table.write_text("\n".join(",".join(f'"{v}"' for v in row) for row in rows) + "\n", encoding="utf-8")
    before = (data_copy / "clusters.csv").read_text(encoding="utf-8").splitlines()
    result = import_ranking(table, 2023, "a corrected table", data_copy, replace=True)
    assert result.updated == ["Tokyo–Yokohama"]
    after = (data_copy / "clusters.csv").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1 and "127419" in changed[0][1]


def _large_csv(path: Path, rows: int) -> Path:
    header = ",".join(_appendix_rows()[0])
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for i in range(rows):
            out.write(f"{i + 1},Cluster {i},CN,1000,1000,0.1,0.1,0.2,,\n")
    return path


def _large_workbook(path: Path, rows: int) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Table 3")
    sheet.append(_appendix_rows()[0])
    for i in range(rows):
        sheet.append([i + 1, f"Cluster {i}", "CN", 1000, 1000, 0.1, 0.1, 0.2, None, None])
    book.save(path)
    return path


@pytest.mark.parametrize("make", [_large_csv, _large_workbook], ids=["csv", "xlsx"])
def test_a_table_with_far_more_rows_than_an_appendix_is_refused_early(tmp_path, data_copy, make, capsys):
    """Class 7: 5,000 rows (the issue's 300,000 ran past 400 s at 4.3 GB) refused after MAX_ROWS, in seconds."""
    path = make(tmp_path / f"huge.{'csv' if make is _large_csv else 'xlsx'}", 5_000)
    started = time.monotonic()
    code = main(["import-ranking", str(path), "--edition", "2023", "--source", "s", "--data-dir", str(data_copy)])
    err = capsys.readouterr().err
    assert code == 2 and err == f"error: {path}: more than 1,000 rows, and a GII appendix ranking table has a few " \
                                "hundred at most; is it the right file?\n"
    assert time.monotonic() - started < 30  # about 3 s alone, mostly validating the data folder


@pytest.mark.parametrize("make", [_large_csv, _large_workbook], ids=["csv", "xlsx"])
def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch, make):
    path = make(tmp_path / f"big.{'csv' if make is _large_csv else 'xlsx'}", 100)
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(importer, "_read_csv_cells", lambda *a: pytest.fail("read"))
    monkeypatch.setattr(importer, "_read_workbook_cells", lambda *a: pytest.fail("read"))
    with pytest.raises(importer.ClusterProfilesError, match=r"[\d,]+ bytes, more than the 1,000 of any GII appendix"):
        read_ranking_table(path)


def test_the_row_limit_counts_clusters_not_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 50)
    assert len(read_ranking_table(_large_csv(tmp_path / "fifty.csv", 50))) == 50
    assert len(read_ranking_table(_large_workbook(tmp_path / "fifty.xlsx", 50))) == 50
    for path in (_large_csv(tmp_path / "more.csv", 51), _large_workbook(tmp_path / "more.xlsx", 51)):
        with pytest.raises(importer.ClusterProfilesError, match="more than 50 rows"):
            read_ranking_table(path)


def test_a_data_table_larger_than_the_limit_is_refused_before_reading(data_copy, monkeypatch, capsys):
    """Class 7 for data folders: the limit per table file is checked before a byte is read."""
    from cluster_profiles.contract import canonical_csv

    monkeypatch.setattr(canonical_csv, "MAX_TABLE_BYTES", 20_000)
    monkeypatch.setenv("CLUSTER_PROFILES_CACHE", "off")
    size = (data_copy / "clusters.csv").stat().st_size
    assert main(["validate", "--data-dir", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert f"clusters.csv: found a file of {size:,} bytes; expected at most 20,000 bytes per table file" in err


def test_a_table_of_some_hundred_rows_is_merged_in_linear_time(tmp_path, data_copy, capsys):
    """300 new clusters (refused: ranks beyond 100) took 40 s: pandas copied every cell's place into each row."""
    path = _large_csv(tmp_path / "three-hundred.csv", 300)
    started = time.monotonic()
    assert main(["import-ranking", str(path), "--edition", "2023", "--source", "s", "--data-dir", str(data_copy)]) == 2
    assert "expected a value from 1 to 100" in capsys.readouterr().err
    assert time.monotonic() - started < 15
