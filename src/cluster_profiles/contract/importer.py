"""Import a GII appendix ranking table (as WIPO prints it) into a data folder's clusters.csv.

The appendix columns are: Rank, Cluster name, Economy, PCT applications, Scientific publications,
Share total PCT filings (%), Share of total pubs (%), Total, Previous rank, Rank change. Numbers may
carry thousands separators and typographic minus signs, as in the PDF. The file may be CSV (UTF-8)
or Excel (.xlsx). Nothing is written unless the whole folder validates afterwards.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cluster_profiles import paths
from cluster_profiles.contract.canonical_csv import read_folder, write_text_tables
from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.contract.validate import validate_frames
from cluster_profiles.errors import ClusterProfilesError, DataValidationError, Problem
from cluster_profiles.names import collision_key, find_cluster, shorten

APPENDIX_COLUMNS = {
    "rank": "size_rank",
    "cluster name": "cluster",
    "economy": "economy",
    "pct applications": "pct_applications",
    "scientific publications": "scientific_publications",
    "share total pct filings (%)": "pct_share_pct",
    "share of total pubs (%)": "pub_share_pct",
    "total": "total_share_pct",
    "previous rank": "previous_rank",
    "rank change": "rank_change",
}
NUMERIC = ["size_rank", "pct_applications", "scientific_publications", "pct_share_pct", "pub_share_pct",
           "total_share_pct", "previous_rank", "rank_change"]
WHOLE = {"size_rank", "pct_applications", "scientific_publications", "previous_rank", "rank_change"}
# A GII appendix ranking table has at most a few hundred rows (the 2024 edition: 100 ranked clusters and 48
# more): anything far beyond is another file, refused before it costs minutes and gigabytes to read.
MAX_ROWS = 1_000
MAX_FILE_BYTES = 2_000_000  # a CSV of MAX_ROWS rows is about 150 kB; an .xlsx compresses it further
_FOOTNOTE = re.compile(r"\s*\([a-z]\)$|\s*[\u00b9\u00b2\u00b3*]+$")


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]


def _header_key(header: object) -> str:
    return re.sub(r"\s+", " ", _FOOTNOTE.sub("", str(header))).strip().casefold()


SHARES = {"pct_share_pct", "pub_share_pct", "total_share_pct"}  # columns in percent: 10.1 means 10.1 %
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?\Z")
_MISSING = {"", "-", "n/a", "—", "–"}


class _Refused(ValueError):
    """A cell whose meaning is unclear or impossible; the message says why."""


def _number(text: str, column: str) -> float | None:
    """What a printed number means: '127,418' is 127418; '1,2' is refused (a decimal comma, or a
    thousands separator in the wrong place?), as are 'nan', 'inf', '1e400' and a '%' outside shares."""
    cleaned = text.strip()
    for dash in ("\u2212", "\u2013"):
        cleaned = cleaned.replace(dash, "-")
    for space in ("\u00a0", "\u202f", "\u2009"):
        cleaned = cleaned.replace(space, "")
    if cleaned in _MISSING:
        return None
    if cleaned.endswith("%"):
        if column not in SHARES:
            raise _Refused("a percentage in a column of counts or ranks")
        cleaned = cleaned[:-1].strip()
    if "," in cleaned:
        if column in SHARES or not _THOUSANDS.match(cleaned):
            raise _Refused("a decimal comma or a misplaced thousands separator; write 1.2 (or 1,200)")
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise _Refused("not a number") from None
    if not math.isfinite(value):
        raise _Refused("not a finite number")
    return value


@dataclass(frozen=True)
class _Cell:
    value: object  # text from a CSV; text, a number or None from a workbook
    line: int | None  # the CSV line, or None for a workbook cell
    place: str  # the column header (CSV) or 'Sheet!B7' (workbook)
    percent: bool = False  # a workbook cell shown as a percentage: 0.101 means 10.1 %
    formula: str | None = None  # a workbook formula whose result the file did not save


def _problem(name: str, cell: _Cell, column: str, found: str, expected: str) -> Problem:
    place = column if cell.line is not None else f"{cell.place} ({column})"
    return Problem(name, cell.line, place, found, expected)


def _read_csv_cells(path: Path) -> list[list[_Cell]]:
    """Rows of cells with their line numbers; a quoted value may span lines."""
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # spreadsheet programs write a byte-order mark: harmless here
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataValidationError(str(path), [Problem(name, line, None, f"bytes that are not UTF-8 (at byte {error.start})",
                                                      "a UTF-8 CSV file or an .xlsx workbook")]) from None
    if not text.strip():
        raise DataValidationError(str(path), [Problem(name, None, None, "an empty file",
                                                      "a header line and one row per cluster")])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataValidationError(str(path), [Problem(name, line, None, "a NUL byte",
                                                      "a text file (is it a binary file with a .csv name?)")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[_Cell]] = []
    header, start = None, 1
    try:
        for record in reader:
            if len(rows) > MAX_ROWS:
                _too_many_rows(path)
            if header is None:
                header = [_header_label(h) for h in record]
            rows.append([_Cell(v, start, header[i] if i < len(header) else f"column {i + 1}")
                         for i, v in enumerate(record)])
            start = reader.line_num + 1
    except csv.Error as error:
        raise DataValidationError(str(path), [Problem(name, start, None, f"text that is not valid CSV ({error})",
                                                      "comma-separated values; every opened quote closed")]) from None
    return rows


def _looks_like_the_table(sheet) -> bool:
    """Whether a sheet's first non-empty row (within its first 20) holds the appendix's headers."""
    for row in sheet.iter_rows(max_row=20, values_only=True):
        keys = {_header_key(v) for v in row if v is not None and str(v).strip()}
        if keys:
            return {"rank", "cluster name"} <= keys
    return False


def _choose_sheet(workbook, path: Path, sheet_name: str | None):
    """The sheet a person sees: the one named by ``--sheet``; else the only visible sheet that holds the
    appendix's headers; else the active sheet, if it is visible. A hidden sheet (a draft, a lookup table) is
    read only when named; several visible sheets that each look like the table are refused with their names."""
    if sheet_name is not None:
        if sheet_name not in workbook.sheetnames:
            raise DataValidationError(str(path), [Problem(path.name, None, None, f"no sheet named {sheet_name!r}",
                                                          "one of its sheets: " + ", ".join(map(repr, workbook.sheetnames)))])
        return workbook[sheet_name]
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    tables = [sheet for sheet in visible if _looks_like_the_table(sheet)]
    if len(tables) > 1:
        raise DataValidationError(str(path), [Problem(path.name, None, None,
                                                      "several visible sheets that look like the appendix table ("
                                                      + ", ".join(repr(sheet.title) for sheet in tables) + ")",
                                                      "--sheet NAME saying which one to import")])
    if tables:
        return tables[0]
    active = workbook.active
    if active is not None and getattr(active, "sheet_state", "visible") == "visible":
        return active
    if visible:
        return visible[0]
    raise DataValidationError(str(path), [Problem(path.name, None, None, "no visible sheet",
                                                  "--sheet NAME to read a hidden one")])


def _read_workbook_cells(path: Path, sheet_name: str | None = None) -> list[list[_Cell]]:
    """The rows of the sheet a person sees (``_choose_sheet``), read streaming (openpyxl's read-only mode);
    each number is read as its format shows it, and a formula must have the value the spreadsheet program
    saved with it. More than ``MAX_ROWS`` rows is refused as soon as they are seen."""
    import zipfile

    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, EOFError) as error:
        raise DataValidationError(str(path), [Problem(path.name, None, None,
                                                      f"a file that is not a readable .xlsx workbook ({type(error).__name__})",
                                                      "an .xlsx workbook saved by Excel or LibreOffice, or a UTF-8 CSV")]) from None
    try:
        sheet = _choose_sheet(values, path, sheet_name)
        formula_sheet = formulas[sheet.title]
        rows = []
        for number, (row, formula_row) in enumerate(zip(sheet.iter_rows(), formula_sheet.iter_rows()), start=1):
            if number > MAX_ROWS + 1:  # the header and MAX_ROWS clusters
                _too_many_rows(path)
            cells = []
            for column, (cell, formula_cell) in enumerate(zip(row, formula_row), start=1):
                formula = formula_cell.value if getattr(formula_cell, "data_type", None) == "f" else None
                cells.append(_Cell(cell.value, None, f"{sheet.title}!{get_column_letter(column)}{number}",
                                   percent="%" in (getattr(cell, "number_format", None) or ""),
                                   formula=str(formula) if formula is not None and cell.value is None else None))
            rows.append(cells)
        return rows
    finally:
        values.close()
        formulas.close()


def _too_many_rows(path: Path) -> None:
    raise ClusterProfilesError(f"{shorten(str(path), 200)}: more than {MAX_ROWS:,} rows, and a GII appendix ranking "
                               "table has a few hundred at most; is it the right file?")


def _check_size(path: Path) -> None:
    """Refuse, before reading, a file far larger than any appendix table can be."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ClusterProfilesError(f"{shorten(str(path), 200)}: {size:,} bytes, more than the {MAX_FILE_BYTES:,} of "
                                   "any GII appendix ranking table (a few hundred rows); is it the right file?")


def _header_label(value: object) -> str:
    return "" if value is None else str(value)


def _cell_number(cell: _Cell, column: str) -> float | None:
    if cell.formula is not None:
        raise _Refused(f"a formula ({cell.formula[:40]}) without a saved value; open the workbook and save it, "
                       "or paste the values")
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Refused(f"a {type(value).__name__} where a number belongs")
    if isinstance(value, str):
        if cell.percent and value.strip() not in _MISSING:
            raise _Refused("text in a cell formatted as a percentage")
        return _number(value, column)
    if not math.isfinite(value):
        raise _Refused("not a finite number")
    if cell.percent:  # Excel keeps 10.1 % as 0.101
        if column not in SHARES:
            raise _Refused("a cell formatted as a percentage in a column of counts or ranks")
        return round(float(value) * 100, 9)
    return float(value)


def read_ranking_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The appendix table as tidy clusters.csv columns; every unreadable cell is reported at once.

    The result has a ``_line`` column (the row's line, or row number in the workbook) and
    ``attrs["places"]``: for each row and column, where the value was read (for messages).
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix in {".xls", ".ods", ".numbers"}:
        raise DataValidationError(str(path), [Problem(name, None, None, f"a {suffix} file",
                                                      "an .xlsx workbook or a UTF-8 CSV (save it as one of these)")])
    _check_size(path)
    if suffix in {".xlsx", ".xlsm"}:
        rows = _read_workbook_cells(path, sheet)
    else:
        if sheet is not None:
            raise DataValidationError(str(path), [Problem(name, None, None, f"--sheet {sheet!r} for a CSV file",
                                                          "--sheet only with an .xlsx workbook")])
        rows = _read_csv_cells(path)
    rows = [r for r in rows if any(str(c.value or "").strip() for c in r) or any(c.formula for c in r)]
    if not rows:
        raise DataValidationError(str(path), [Problem(name, None, None, "no header and no rows",
                                                      "a header line and one row per cluster")])
    header, body = rows[0], rows[1:]
    renamed = [APPENDIX_COLUMNS.get(_header_key(c.value)) for c in header]
    problems = [Problem(name, c.line, shorten(str(c.value if c.line is not None else c.place)),
                        "a column the appendix table does not have",
                        "only the appendix columns: " + ", ".join(k.capitalize() for k in APPENDIX_COLUMNS))
                for c, target in zip(header, renamed) if target is None and str(c.value or "").strip()]
    missing = set(APPENDIX_COLUMNS.values()) - {t for t in renamed if t}
    problems += [Problem(name, header[0].line, column, "no such column", "the appendix columns")
                 for column in sorted(missing - {"previous_rank", "rank_change", "total_share_pct"})]
    if problems:
        raise DataValidationError(str(path), problems)
    records, places = [], []
    for cells in body:
        record: dict[str, object] = {}
        place: dict[str, _Cell] = {}
        for cell, column in zip(cells, renamed):
            if column is None:
                continue
            place[column] = cell
            if column in NUMERIC:
                try:
                    value = _cell_number(cell, column)
                except _Refused as why:
                    problems.append(_problem(name, cell, column, f"{_shown(cell.value)} ({why})", "a number"))
                    value = None
                if value is not None and column in WHOLE and value != int(value):
                    problems.append(_problem(name, cell, column, _shown(cell.value), "a whole number"))
                record[column] = value
            else:
                if cell.formula is not None:
                    problems.append(_problem(name, cell, column, f"a formula ({cell.formula[:40]}) without a saved value",
                                             "the text itself"))
                record[column] = "" if cell.value is None else str(cell.value).strip()
        record["_line"] = cells[0].line if cells[0].line is not None else int(re.sub(r"\D", "", cells[0].place.split("!")[-1]))
        records.append(record)
        places.append(place)
    table = pd.DataFrame(records, columns=[*dict.fromkeys(c for c in renamed if c), "_line"])
    for column in [c for c in NUMERIC if c in table.columns]:
        table[column] = pd.array(table[column].tolist(), dtype="Float64")
    if {"previous_rank", "rank_change"} <= set(table.columns):
        for index, row in table.dropna(subset=["size_rank", "previous_rank", "rank_change"]).iterrows():
            if row["previous_rank"] - row["size_rank"] != row["rank_change"]:
                problems.append(_problem(name, places[index]["rank_change"], "rank_change", f"{row['rank_change']:g}",
                                         f"previous rank − rank = {row['previous_rank'] - row['size_rank']:g}"))
    if problems:
        raise DataValidationError(str(path), problems)
    table = table.drop(columns=["rank_change"], errors="ignore").reset_index(drop=True)
    table.attrs["places"] = places
    return table


def _shown(value: object) -> str:
    return repr(shorten(value)) if isinstance(value, str) else shorten(repr(value))


def _cell(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _place(ranking: pd.DataFrame, index, column: str, file_name: str, found: str, expected: str) -> Problem:
    """A problem at the imported file's cell of row ``index`` and ``column``."""
    places = ranking.attrs.get("places")
    if places and column in places[index]:
        return _problem(file_name, places[index][column], column, found, expected)
    line = ranking.at[index, "_line"] if "_line" in ranking.columns else int(index) + 2
    return Problem(file_name, int(line), column, found, expected)


def merge_ranking(clusters: pd.DataFrame, ranking: pd.DataFrame, edition: int, source: str,
                  replace: bool, file_name: str) -> tuple[pd.DataFrame, ImportResult, dict]:
    """clusters.csv (as text) with the ranking merged in; differing values are errors unless ``replace``.

    Also returns, for each merged row that came from the table, the ranking's row index (so that a
    problem found in the merged clusters.csv can point back into the imported file)."""
    merged = clusters.copy()
    added, updated, unchanged, problems = [], [], [], []
    origins: dict = {}
    seen: dict[str, int] = {}  # the resolver's key of each imported name -> its row
    columns = [c for c in ranking.columns if c != "_line"]
    rows = ranking.copy(deep=False)
    rows.attrs = {}  # pandas deep-copies attrs (every cell's place) into each row: quadratic in the rows
    for index, row in rows.iterrows():
        values = {c: _cell(row[c]) for c in columns}
        key = collision_key(values["cluster"])
        if key in seen:
            first = ranking.attrs.get("places", [{}] * len(ranking))[seen[key]].get("cluster")
            where = first.place if first is not None and first.line is None else f"line {ranking.at[seen[key], '_line']}"
            problems.append(_place(ranking, index, "cluster", file_name, repr(shorten(values["cluster"])),
                                   f"one row per cluster: {where} names the same cluster"))
            continue
        seen[key] = index
        # match an existing cluster the way the resolver does ('CAMBRIDGE' is 'Cambridge'), keep its spelling
        existing = merged.loc[merged["edition"] == str(edition), "cluster"].tolist()
        values["cluster"] = find_cluster(values["cluster"], existing) or values["cluster"]
        match = merged.index[(merged["edition"] == str(edition)) & (merged["cluster"] == values["cluster"])]
        if len(match) == 0:
            new = {c: "" for c in merged.columns} | values | {"edition": str(edition), "in_top100": "true",
                                                                "source": source}
            merged = pd.concat([merged, pd.DataFrame([new])], ignore_index=True)
            origins[merged.index[-1]] = index
            added.append(values["cluster"])
            continue
        at = match[0]
        origins[at] = index
        changed = False
        for column, value in values.items():
            current = merged.at[at, column]
            if value == "" or _same(current, value):
                continue
            if current and not replace:
                problems.append(_place(ranking, index, column, file_name, f"{value} for {values['cluster']}",
                                       f"{current}, the value already in clusters.csv (use --replace to overwrite)"))
                continue
            merged.at[at, column] = value
            changed = True
        if changed:
            if source not in merged.at[at, "source"]:
                merged.at[at, "source"] = f"{merged.at[at, 'source']} ; {source}"
            updated.append(values["cluster"])
        else:
            unchanged.append(values["cluster"])
    if problems:
        raise DataValidationError(file_name, problems)
    return merged, ImportResult(added, updated, unchanged), origins


def _same(current: str, value: str) -> bool:
    try:
        return float(current) == float(value)
    except ValueError:
        return current == value


def import_ranking(path: Path, edition: int, source: str, data_dir: Path | None = None,
                   replace: bool = False, sheet: str | None = None) -> ImportResult:
    """Merge an appendix ranking table into ``data_dir/clusters.csv``; validate before writing.

    A table that adds and changes nothing writes nothing. Otherwise clusters.csv is rewritten from its text
    as read, with the merged rows: every cell not imported keeps its bytes ('9.0' stays '9.0')."""
    folder = Path(data_dir or paths.DATA_DIR)
    path = Path(path)
    if not source.strip():
        raise DataValidationError(str(path), [Problem(path.name, None, None, "no source",
                                                      "--source naming where the table was published")])
    if not path.is_file():
        raise DataValidationError(str(path), [Problem(shorten(str(path)), None, None, "no such file",
                                                      "the appendix table as a .csv or .xlsx file")])
    load_tables(folder)  # the folder must be valid before anything is merged into it
    ranking = read_ranking_table(path, sheet)
    frames, _ = read_folder(folder)
    merged, result, origins = merge_ranking(frames["clusters"].fillna(""), ranking, edition, source, replace, path.name)
    if not result.added and not result.updated:  # nothing to merge: every file stays as it is
        return result
    if result.added:  # new rows take their place by edition and rank; updates alone move no row
        merged = merged.sort_values(
            ["edition", "size_rank", "cluster"],
            key=lambda s: pd.to_numeric(s, errors="coerce").fillna(999) if s.name != "cluster" else s)
    frames["clusters"] = merged
    try:  # the folder as it would be, checked before writing
        validate_frames(frames, data_dir=folder)
    except DataValidationError as error:
        raise _in_the_imported_file(error, merged, origins, ranking, path, folder) from None
    write_text_tables({"clusters": merged}, folder)  # validated just above
    return result


def _in_the_imported_file(error: DataValidationError, merged: pd.DataFrame, origins: dict, ranking: pd.DataFrame,
                          path: Path, folder: Path) -> DataValidationError:
    """The trial folder's problems, placed in the imported file where a row came from it (not in a
    temporary copy of clusters.csv)."""
    from_table = {line: origins[label] for line, label in enumerate(merged.index, start=2) if label in origins}
    problems = []
    for problem in error.problems:
        if problem.file == TABLES["clusters"].file_name and problem.line in from_table:
            index = from_table[problem.line]
            column = problem.column if problem.column and problem.column in ranking.columns else "cluster"
            problems.append(_place(ranking, index, column, path.name, problem.found,
                                   f"{problem.expected} (once merged into {folder / problem.file})"))
        else:
            problems.append(Problem(str(folder / problem.file), problem.line, problem.column, problem.found,
                                    f"{problem.expected} (once {path.name} is merged)"))
    return DataValidationError(f"{path} merged into {folder}", problems)
