"""Read a data folder, validate it against the declared schema, cross-check its tables.

Every problem is collected before anything is raised, so a user fixing a data folder sees the
whole list at once (file, line, column, what was found, what was expected).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import paths
from .errors import DataValidationError, Problem
from .outputs import OUTPUTS
from .schema import NO_MARKUP, TABLES, TableSpec, numeric_columns

HEADER_LINES = 1  # data row i (0-based) sits on line i + 2 of the file


def line_of(index: int) -> int:
    return int(index) + HEADER_LINES + 1


@dataclass(frozen=True)
class Tables:
    """The validated tables of one data folder, as typed pandas DataFrames."""

    data_dir: Path
    editions: pd.DataFrame
    economies: pd.DataFrame
    clusters: pd.DataFrame
    economy_cluster_counts: pd.DataFrame
    top_organisations: pd.DataFrame
    top_fields: pd.DataFrame
    collaboration: pd.DataFrame
    collaboration_partners: pd.DataFrame
    conflicts: pd.DataFrame
    gaps: pd.DataFrame
    cluster_locations: pd.DataFrame

    def copy(self) -> Tables:
        frames = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "data_dir"}
        return Tables(data_dir=self.data_dir, **{name: frame.copy() for name, frame in frames.items()})

    def edition_list(self) -> list[int]:
        return sorted(int(e) for e in self.editions["edition"])


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    raw = path.read_bytes()
    name = path.name
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, 1, None, "a UTF-8 byte-order mark at the start of the file",
                                "UTF-8 without a byte-order mark (re-save without BOM)"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, f"bytes that are not UTF-8 ({raw[error.start:error.start + 1]!r} at byte {error.start})",
                                "UTF-8 text (re-save the file as UTF-8)"))
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(name, line, None, "Windows (CRLF) or old Mac (CR) line ends",
                                "Unix (LF) line ends, so that files diff and hash the same everywhere"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "an empty file", "a header line and data rows"))
        return None
    return text


def _read_csv(path: Path, spec: TableSpec, problems: list[Problem]) -> pd.DataFrame | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    from io import StringIO

    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        problems.append(Problem(path.name, None, None, f"text that is not valid CSV ({error})",
                                "comma-separated values with one header line"))
        return None
    missing = [c for c in spec.columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in spec.columns]
    for column in missing:
        problems.append(Problem(path.name, 1, column, "no such column in the header",
                                f"the columns {', '.join(spec.columns)}"))
    for column in extra:
        problems.append(Problem(path.name, 1, str(column), "a column the schema does not declare",
                                f"only the columns {', '.join(spec.columns)}"))
    if missing or extra:
        return None
    for column, dtype in numeric_columns(spec).items():
        text_values = frame[column]
        numbers = pd.to_numeric(text_values, errors="coerce")
        for index in frame.index[text_values.notna() & numbers.isna()]:
            problems.append(Problem(path.name, line_of(index), column,
                                    f"{_show(text_values[index])} (not a number)",
                                    "a number" if dtype == "Float64" else "a whole number"))
        if dtype == "Int64":
            fractional = numbers.notna() & (numbers != numbers.round())
            for index in frame.index[fractional]:
                problems.append(Problem(path.name, line_of(index), column,
                                        f"{_show(text_values[index])}", "a whole number"))
            numbers = numbers.where(~fractional)
        frame[column] = numbers.astype(dtype)
    return frame


def _show(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…'"


def _schema_problems(frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    try:
        spec.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    problems = []
    for case in cases.itertuples(index=False):
        index = case.index
        line = None if index is None or (isinstance(index, float) and math.isnan(index)) else line_of(index)
        check = str(case.check)
        column = None if case.column is None else str(case.column)
        if check == "multiple_fields_uniqueness":
            key_values = ", ".join(f"{k}={frame.at[index, k]}" for k in spec.key) if line else ""
            problems.append(Problem(spec.file_name, line, ", ".join(spec.key),
                                    f"a duplicate key ({key_values})",
                                    f"one row per {' + '.join(spec.key)}"))
            continue
        problems.append(Problem(spec.file_name, line, column, _show(case.failure_case),
                                _describe_check(check)))
    # pandera reports a duplicate key once per column of the key: keep one per line
    return sorted(set(problems))


def _describe_check(check: str) -> str:
    replacements = {
        "not_nullable": "a value (this column is required)",
        "str_length(1, 200)": "a name of 1 to 200 characters",
        "str_matches('^\\S(.*\\S)?$')": "no leading or trailing spaces",
        f"str_matches('{NO_MARKUP}')": "plain text: no HTML tags (< >), backticks or Markdown (**, __, [text](link))",
    }
    if check in replacements:
        return replacements[check]
    if check.startswith("in_range"):
        low, high = check[len("in_range("):-1].split(", ")
        return f"a value from {low} to {high}"
    if check.startswith("isin"):
        return f"one of {check[len('isin('):-1]}"
    if check.startswith("greater_than("):
        return f"a value greater than {check[len('greater_than('):-1]}"
    if check.startswith("greater_than_or_equal_to"):
        return "a value of 0 or more"
    if check.startswith("str_matches"):
        return f"text matching the pattern {check[len('str_matches('):-1]}"
    return f"a value that passes the check {check}"


def _folder_signature(folder: Path) -> tuple:
    """What a cached load depends on: each table file's size and modification time."""
    signature = []
    for spec in TABLES.values():
        path = folder / spec.file_name
        stat = path.stat() if path.is_file() else None
        signature.append((spec.file_name, None if stat is None else (stat.st_size, stat.st_mtime_ns)))
    return tuple(signature)


_CACHE: dict[Path, tuple[tuple, Tables]] = {}


def load_tables(data_dir: str | Path | None = None) -> Tables:
    """Read every table of ``data_dir`` (the shipped ``data/`` by default) and validate it.

    Raises ``DataValidationError`` listing every problem found. A folder whose files have not
    changed since the last successful load is not read again (batch renders reuse one kernel for
    many reports); each call gets its own copies of the frames, so a caller may modify them.
    """
    folder = (Path(data_dir) if data_dir else paths.DATA_DIR).resolve()
    if folder.is_dir():
        signature = _folder_signature(folder)
        cached = _CACHE.get(folder)
        if not cached or cached[0] != signature:
            cached = (signature, _load_and_validate(folder))
            _CACHE[folder] = cached
        return cached[1].copy()
    return _load_and_validate(folder)


def _load_and_validate(folder: Path) -> Tables:
    if not folder.is_dir():
        raise DataValidationError(str(folder), [Problem(str(folder), None, None, "no such folder",
                                                        "a folder of CSV tables (see data/README.md)")])
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for spec in TABLES.values():
        path = folder / spec.file_name
        if not path.is_file():
            problems.append(Problem(spec.file_name, None, None, "no such file",
                                    f"{spec.file_name} ({spec.description})"))
            continue
        frame = _read_csv(path, spec, problems)
        if frame is None:
            continue
        table_problems = _schema_problems(frame, spec)
        problems.extend(table_problems)
        if not table_problems:
            frames[spec.name] = frame
    if problems:
        raise DataValidationError(str(folder), problems)
    tables = Tables(data_dir=folder, **frames)
    problems.extend(cross_check(tables))
    if problems:
        raise DataValidationError(str(folder), problems)
    return tables


# ---------------------------------------------------------------------------------------------
# Cross-checks between and within tables (BuzzFeed-style cross-footing)

def economy_codes(code: str) -> list[str]:
    """'CN/HK' -> ['CN', 'HK']; 'TW*' -> ['TW'] (the GII table marks Taiwan with a footnote star)."""
    return [part.rstrip("*") for part in code.split("/")]


def primary_economy(code: str) -> str:
    """The economy a cluster counts for in 'out of N <adjective> clusters' (first code)."""
    return economy_codes(code)[0]


def cross_check(tables: Tables) -> list[Problem]:
    problems: list[Problem] = []
    known_economies = set(tables.economies["code"])
    editions = {int(e) for e in tables.editions["edition"]}
    clusters = tables.clusters
    cluster_keys = {(int(e), c) for e, c in zip(clusters["edition"], clusters["cluster"])}

    for name in ["clusters", "economy_cluster_counts", "top_organisations", "top_fields",
                 "collaboration", "collaboration_partners", "conflicts", "gaps"]:
        frame = getattr(tables, name)
        for index, edition in frame["edition"].items():
            if int(edition) not in editions:
                problems.append(Problem(f"{name}.csv", line_of(index), "edition", str(edition),
                                        f"an edition listed in editions.csv ({', '.join(map(str, sorted(editions)))})"))

    for index, code in clusters["economy"].items():
        for part in economy_codes(code):
            if part not in known_economies:
                problems.append(Problem("clusters.csv", line_of(index), "economy", repr(part),
                                        "an economy code listed in economies.csv"))
    for index, code in tables.economy_cluster_counts["economy"].items():
        if code not in known_economies:
            problems.append(Problem("economy_cluster_counts.csv", line_of(index), "economy", repr(code),
                                    "an economy code listed in economies.csv"))

    for name in ["top_organisations", "top_fields", "collaboration", "collaboration_partners",
                 "conflicts", "gaps"]:
        frame = getattr(tables, name)
        for index, row in frame.iterrows():
            if (int(row["edition"]), row["cluster"]) not in cluster_keys:
                problems.append(Problem(f"{name}.csv", line_of(index), "cluster", repr(row["cluster"]),
                                        f"a cluster listed in clusters.csv for edition {row['edition']}"))

    every_cluster = set(clusters["cluster"])
    for index, cluster in tables.cluster_locations["cluster"].items():
        if cluster not in every_cluster:
            problems.append(Problem("cluster_locations.csv", line_of(index), "cluster", repr(cluster),
                                    "a cluster listed in clusters.csv (any edition)"))

    problems += _check_ranks(clusters)
    problems += _check_economy_ranks(tables)
    problems += _check_total_shares(clusters)
    problems += _check_top_counts_within_totals(tables)
    for index, column in tables.conflicts["column"].items():
        if column not in clusters.columns:
            problems.append(Problem("conflicts.csv", line_of(index), "column", repr(column),
                                    "a column of clusters.csv"))
    return problems


def _check_ranks(clusters: pd.DataFrame) -> list[Problem]:
    problems = []
    for column in ["size_rank", "intensity_rank", "vc_rank"]:
        ranked = clusters[clusters[column].notna()]
        duplicated = ranked[ranked.duplicated(["edition", column], keep=False)]
        for index, row in duplicated.iterrows():
            others = duplicated[(duplicated["edition"] == row["edition"])
                                & (duplicated[column] == row[column]) & (duplicated.index != index)]
            problems.append(Problem("clusters.csv", line_of(index), column,
                                    f"{row[column]} for {row['cluster']}, also given to "
                                    f"{', '.join(others['cluster'])}",
                                    f"each {column} used once per edition (put other sources' values in conflicts.csv)"))
    for index, row in clusters.iterrows():
        if pd.notna(row["size_rank"]) and row["in_top100"] == "false":
            problems.append(Problem("clusters.csv", line_of(index), "in_top100", "false",
                                    f"true or empty, since size_rank is {row['size_rank']}"))
    return problems


def _check_economy_ranks(tables: Tables) -> list[Problem]:
    problems = []
    counts = {(int(r.edition), r.economy): int(r.cluster_count)
              for r in tables.economy_cluster_counts.itertuples()}
    for index, row in tables.clusters.iterrows():
        if pd.isna(row["economy_rank"]):
            continue
        count = counts.get((int(row["edition"]), primary_economy(row["economy"])))
        if count is not None and row["economy_rank"] > count:
            problems.append(Problem("clusters.csv", line_of(index), "economy_rank", str(row["economy_rank"]),
                                    f"at most {count}, the number of clusters economy_cluster_counts.csv gives "
                                    f"for {primary_economy(row['economy'])} in {row['edition']}"))
        if pd.notna(row["size_rank"]) and row["economy_rank"] > row["size_rank"]:
            problems.append(Problem("clusters.csv", line_of(index), "economy_rank", str(row["economy_rank"]),
                                    f"at most the size rank ({row['size_rank']})"))
    return problems


def _check_total_shares(clusters: pd.DataFrame) -> list[Problem]:
    """Total is the sum of the two shares, each printed to one decimal: allow ±0.1 per term."""
    problems = []
    complete = clusters.dropna(subset=["pct_share_pct", "pub_share_pct", "total_share_pct"])
    for index, row in complete.iterrows():
        expected = row["pct_share_pct"] + row["pub_share_pct"]
        if abs(expected - row["total_share_pct"]) > 0.15 + 1e-9:
            problems.append(Problem("clusters.csv", line_of(index), "total_share_pct", str(row["total_share_pct"]),
                                    f"pct_share_pct + pub_share_pct = {expected:.1f} (±0.15 for rounding)"))
    return problems


def _check_top_counts_within_totals(tables: Tables) -> list[Problem]:
    problems = []
    totals = tables.clusters.set_index(["edition", "cluster"])
    column_for = {key: output.total_column for key, output in OUTPUTS.items()}
    for index, row in tables.top_organisations.dropna(subset=["count"]).iterrows():
        key = (row["edition"], row["cluster"])
        if key not in totals.index:
            continue
        total = totals.loc[key, column_for[row["output"]]]
        if pd.notna(total) and row["count"] > total:
            problems.append(Problem("top_organisations.csv", line_of(index), "count", f"{row['count']:g}",
                                    f"at most the cluster's total of {total:g} ({column_for[row['output']]} in clusters.csv)"))
    return problems
