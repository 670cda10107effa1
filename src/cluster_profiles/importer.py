"""Import a GII appendix ranking table (as WIPO prints it) into a data folder's clusters.csv.

The appendix columns are: Rank, Cluster name, Economy, PCT applications, Scientific publications,
Share total PCT filings (%), Share of total pubs (%), Total, Previous rank, Rank change. Numbers may
carry thousands separators and typographic minus signs, as in the PDF. The file may be CSV (UTF-8)
or Excel (.xlsx). Nothing is written unless the whole folder validates afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import paths
from .errors import DataValidationError, Problem
from .io import read_folder, write_tables
from .load import load_tables
from .validate import validate_frames

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
_FOOTNOTE = re.compile(r"\s*\([a-z]\)$|\s*[\u00b9\u00b2\u00b3*]+$")


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]


def _header_key(header: object) -> str:
    return re.sub(r"\s+", " ", _FOOTNOTE.sub("", str(header))).strip().casefold()


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("\u2212", "-").replace("\u2013", "-").replace("\u00a0", "")
    if cleaned in {"", "-", "n/a", "—"}:
        return None
    return float(cleaned)


def read_ranking_table(path: Path) -> pd.DataFrame:
    """The appendix table as tidy clusters.csv columns; every unreadable cell is reported at once."""
    name = path.name
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raw = pd.read_excel(path, dtype=str, keep_default_na=False)
    else:
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except UnicodeDecodeError:
            raise DataValidationError(str(path), [Problem(name, None, None, "bytes that are not UTF-8",
                                                          "a UTF-8 CSV file or an .xlsx workbook")]) from None
    renamed = {column: APPENDIX_COLUMNS.get(_header_key(column)) for column in raw.columns}
    problems = [Problem(name, 1, str(c), "a column the appendix table does not have",
                        "only the appendix columns: " + ", ".join(k.capitalize() for k in APPENDIX_COLUMNS))
                for c, target in renamed.items() if target is None]
    missing = set(APPENDIX_COLUMNS.values()) - {t for t in renamed.values() if t}
    problems += [Problem(name, 1, column, "no such column", "the appendix columns")
                 for column in sorted(missing - {"previous_rank", "rank_change", "total_share_pct"})]
    if problems:
        raise DataValidationError(str(path), problems)
    table = raw.rename(columns=renamed)
    table = table[[c for c in table.columns if c in APPENDIX_COLUMNS.values()]].copy()
    table = table[table.apply(lambda row: any(str(v).strip() for v in row), axis=1)]  # blank spreadsheet rows
    for column in [c for c in NUMERIC if c in table.columns]:
        values = []
        for index, text in table[column].items():
            try:
                value = _number(str(text))
            except ValueError:
                problems.append(Problem(name, int(index) + 2, column, repr(text), "a number"))
                value = None
            if value is not None and column in WHOLE and value != int(value):
                problems.append(Problem(name, int(index) + 2, column, repr(text), "a whole number"))
            values.append(value)
        table[column] = pd.array(values, dtype="Float64")
    for column in ("cluster", "economy"):
        table[column] = table[column].str.strip()
    if {"previous_rank", "rank_change"} <= set(table.columns):
        for index, row in table.dropna(subset=["size_rank", "previous_rank", "rank_change"]).iterrows():
            if row["previous_rank"] - row["size_rank"] != row["rank_change"]:
                problems.append(Problem(name, int(index) + 2, "rank_change", f"{row['rank_change']:g}",
                                        f"previous rank − rank = {row['previous_rank'] - row['size_rank']:g}"))
    if problems:
        raise DataValidationError(str(path), problems)
    return table.drop(columns=["rank_change"], errors="ignore").reset_index(drop=True)


def _cell(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def merge_ranking(clusters: pd.DataFrame, ranking: pd.DataFrame, edition: int, source: str,
                  replace: bool, file_name: str) -> tuple[pd.DataFrame, ImportResult]:
    """clusters.csv (as text) with the ranking merged in; differing values are errors unless ``replace``."""
    merged = clusters.copy()
    added, updated, unchanged, problems = [], [], [], []
    for index, row in ranking.iterrows():
        values = {c: _cell(row[c]) for c in ranking.columns}
        match = merged.index[(merged["edition"] == str(edition)) & (merged["cluster"] == values["cluster"])]
        if len(match) == 0:
            new = {c: "" for c in merged.columns} | values | {"edition": str(edition), "in_top100": "true",
                                                                "source": source}
            merged = pd.concat([merged, pd.DataFrame([new])], ignore_index=True)
            added.append(values["cluster"])
            continue
        at = match[0]
        changed = False
        for column, value in values.items():
            current = merged.at[at, column]
            if value == "" or _same(current, value):
                continue
            if current and not replace:
                problems.append(Problem(file_name, int(index) + 2, column,
                                        f"{value} for {values['cluster']}",
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
    return merged, ImportResult(added, updated, unchanged)


def _same(current: str, value: str) -> bool:
    try:
        return float(current) == float(value)
    except ValueError:
        return current == value


def import_ranking(path: Path, edition: int, source: str, data_dir: Path | None = None,
                   replace: bool = False) -> ImportResult:
    """Merge an appendix ranking table into ``data_dir/clusters.csv``; validate before writing."""
    folder = Path(data_dir or paths.DATA_DIR)
    if not source.strip():
        raise DataValidationError(str(path), [Problem(path.name, None, None, "no source",
                                                      "--source naming where the table was published")])
    if not Path(path).is_file():
        raise DataValidationError(str(path), [Problem(str(path), None, None, "no such file",
                                                      "the appendix table as a .csv or .xlsx file")])
    load_tables(folder)  # the folder must be valid before anything is merged into it
    ranking = read_ranking_table(Path(path))
    frames, _ = read_folder(folder)
    merged, result = merge_ranking(frames["clusters"].fillna(""), ranking, edition, source, replace, Path(path).name)
    frames["clusters"] = merged.sort_values(
        ["edition", "size_rank", "cluster"],
        key=lambda s: pd.to_numeric(s, errors="coerce").fillna(999) if s.name != "cluster" else s)
    tables = validate_frames(frames, data_dir=folder)  # the folder as it would be, checked before writing
    write_tables(tables, folder, ["clusters"])
    return result
