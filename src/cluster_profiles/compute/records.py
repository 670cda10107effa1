"""The records folder: the input contract of the compute half, read into DuckDB and validated.

A records folder holds one file per table, CSV (``documents.csv``) or Parquet
(``documents.parquet``), with these columns (extra columns are ignored):

- ``documents``: ``doc_id`` (text, unique), ``kind`` (``pct`` or ``article``), ``year`` (whole number).
- ``addresses``: ``doc_id``, ``seq`` (whole number >= 1, one row per inventor or author), ``lat``,
  ``lon`` (WGS84 degrees; both empty when the address has no coordinates), ``city`` (may be empty),
  ``economy`` (ISO 3166-1 alpha-2, may be empty).
- ``organisations``: ``doc_id``, ``name``, ``role`` (``applicant`` on PCT applications,
  ``affiliation`` on articles).
- ``classes``: ``doc_id``, ``code`` (an IPC symbol for PCT applications, a science-field name for articles).
- ``population`` (optional): ``lat``, ``lon``, ``population``.

Validation works like the data folder's: every problem is collected, each located as
``file:line:column`` (for Parquet files the number is the row, counting from 1), and nothing is
written when there is one. Problems of one kind are listed for the first ``EXAMPLES_PER_CHECK``
rows and then counted, so that a broken ten-million-row file gives a readable list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cluster_profiles.compute.adapters.folder import RECORD_COLUMNS
from cluster_profiles.errors import DataValidationError, Problem

_KIND_OF_TYPE = {"VARCHAR": "text", "INTEGER": "int", "DOUBLE": "float"}
# table -> column -> text, int or float: the four tables the adapters write (declared once, in adapters.folder),
# and the optional population table, which no adapter writes
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    **{table: {name: _KIND_OF_TYPE[type_] for name, type_ in columns} for table, columns in RECORD_COLUMNS.items()},
    "population": {"lat": "float", "lon": "float", "population": "float"},
}
OPTIONAL_TABLES = {"population"}
KINDS = ("pct", "article")
ROLE_OF_KIND = {"pct": "applicant", "article": "affiliation"}
EXTENSIONS = (".csv", ".parquet")
EXAMPLES_PER_CHECK = 20
MAX_NAME_LENGTH = 200  # as in the data folder's schema: names end up in cluster, organisation and field names
# Names become cluster, organisation and field names of the data folder, whose schema refuses markup
# (NO_MARKUP in schema.py); DuckDB's RE2 has no look-ahead, so the same rule is written as a search.
MARKUP = r"[<>`]|\*\*|__|\]\("
CONTROL = "[\\x00-\\x1f\\x7f\u202a-\u202e\u2066-\u2069]"  # control characters and bidi overrides
USER_ASSIGNED_CODES = {"XK"}  # Kosovo: used by OpenAlex and others, user-assigned in ISO 3166


class RecordsValidationError(DataValidationError):
    """A records folder failed validation; ``problems`` lists every problem found."""

    def __init__(self, records_dir: str, problems: list[Problem]):
        super().__init__(records_dir, problems)
        shown = "\n".join(f"  {p}" for p in self.problems)
        count = len(self.problems)
        self.args = (f"The records in {records_dir} are not valid ({count} problem{'s' if count != 1 else ''}):\n{shown}",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class RecordsInfo:
    """What was read: the folder, its files, their combined hash and the row counts per table."""

    records_dir: Path
    files: dict[str, Path]
    sha256: str
    rows: dict[str, int]

    @property
    def has_population(self) -> bool:
        return "population" in self.files


def find_files(records_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    """The file of each table (CSV or Parquet), and the problems of a missing or doubled one."""
    files, problems = {}, []
    for table in TABLE_COLUMNS:
        found = [records_dir / f"{table}{ext}" for ext in EXTENSIONS if (records_dir / f"{table}{ext}").is_file()]
        if len(found) > 1:
            problems.append(Problem(found[1].name, None, None, f"both {found[0].name} and {found[1].name}",
                                    f"one file for the {table} table"))
        elif found:
            files[table] = found[0]
        elif table not in OPTIONAL_TABLES:
            problems.append(Problem(f"{table}.csv", None, None, "no such file",
                                    f"{table}.csv or {table}.parquet with the columns "
                                    f"{', '.join(TABLE_COLUMNS[table])}"))
    return files, problems


def records_hash(files: dict[str, Path]) -> str:
    """sha256 over the tables' names and bytes, in table order: any change to a file changes it."""
    digest = hashlib.sha256()
    for table in sorted(files):
        path = files[table]
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def iso_codes() -> list[str]:
    import pycountry

    return sorted({country.alpha_2 for country in pycountry.countries} | USER_ASSIGNED_CODES)


NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


def _read_raw(con: duckdb.DuckDBPyConnection, table: str, path: Path, problems: list[Problem]) -> set[str] | None:
    """Copy the file into ``raw_<table>`` (insertion order kept, so ``rowid`` gives the line).

    Returns the declared columns that the file already stores as numbers (Parquet), which are
    checked as numbers instead of as text; None when the file cannot be used.
    """
    try:
        if path.suffix == ".csv":
            con.execute(f"CREATE OR REPLACE TABLE raw_{table} AS SELECT * FROM read_csv(?, header = true, "
                        "all_varchar = true, delim = ',', quote = '\"', escape = '\"')", [str(path)])
        else:
            con.execute(f"CREATE OR REPLACE TABLE raw_{table} AS SELECT * FROM read_parquet(?)", [str(path)])
    except duckdb.Error as error:
        message = str(error).splitlines()[0][:300]
        problems.append(Problem(path.name, None, None, f"a file DuckDB cannot read ({message})",
                                "CSV with one header line (UTF-8) or Parquet"))
        return None
    types = {row[0]: str(row[1]) for row in con.execute(f"DESCRIBE raw_{table}").fetchall()}
    missing = [c for c in TABLE_COLUMNS[table] if c not in types]
    for column in missing:
        problems.append(Problem(path.name, 1, column, "no such column",
                                f"the columns {', '.join(TABLE_COLUMNS[table])}"))
    if missing:
        return None
    return {c for c, kind in TABLE_COLUMNS[table].items()
            if kind != "text" and types[c].split("(")[0] in NUMERIC_TYPES}


class _Columns:
    """SQL expressions for a raw table's columns: text trimmed (NULL when empty), numbers typed.

    A column the file stores as numbers is used as it is: turning ten million doubles into text
    and back would cost more than every check together.
    """

    def __init__(self, numeric: set[str]):
        self.numeric = numeric

    def text(self, column: str) -> str:
        if column.split(".")[-1] in self.numeric:
            return f"CAST({column} AS VARCHAR)"
        return f"NULLIF(trim(CAST({column} AS VARCHAR)), '')"

    def given(self, column: str) -> str:
        if column in self.numeric:
            return f"({column} IS NOT NULL)"
        return f"({self.text(column)} IS NOT NULL)"

    def number(self, column: str) -> str:
        if column in self.numeric:
            return f"CAST({column} AS DOUBLE)"
        return f"TRY_CAST({self.text(column)} AS DOUBLE)"

    def typed(self, table: str) -> str:
        """The validated table's select list."""
        parts = []
        for column, kind in TABLE_COLUMNS[table].items():
            if kind == "text":
                parts.append(f"{self.text(column)} AS {column}")
            elif kind == "int":
                parts.append(f"CAST({self.number(column)} AS INTEGER) AS {column}")
            else:
                parts.append(f"{self.number(column)} AS {column}")
        return ", ".join(parts)


class _Checker:
    """Runs one SQL condition per check over a raw table and turns failing rows into problems."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, path: Path, problems: list[Problem],
                 columns: _Columns):
        self.con, self.table, self.path, self.problems = con, table, path, problems
        self.c = columns
        self.first_line = 2 if path.suffix == ".csv" else 1  # CSV: the header is line 1
        self.pending: list[tuple[str, str, str, str | None, str | None]] = []

    def check(self, column: str, failing: str, expected: str, found: str | None = None,
              source: str | None = None) -> None:
        """Queue a check: ``failing`` selects the bad rows; ``found`` shows one (default: the column)."""
        self.pending.append((column, failing, expected, found, source))

    def run(self) -> None:
        """Count the failures of every queued check in one scan per source, then list the rows of
        the checks that failed (valid records, the usual case, cost one scan of each table)."""
        by_source: dict[str, list[tuple]] = {}
        for item in self.pending:
            by_source.setdefault(item[4] or f"raw_{self.table}", []).append(item)
        for source, items in by_source.items():
            counts = self.con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {item[1]})" for item in items)
                                      + f" FROM {source}").fetchone() or ()
            for item, count in zip(items, counts):
                if count:
                    self._list(source, *item[:4], count)
        self.pending.clear()

    def _list(self, source: str, column: str, failing: str, expected: str, found: str | None, count: int) -> None:
        shown = found or f"CAST({column} AS VARCHAR)"
        rows = self.con.execute(
            f"SELECT rowid + {self.first_line} AS line, {shown} AS found "
            f"FROM {source} WHERE {failing} ORDER BY rowid LIMIT {EXAMPLES_PER_CHECK}").fetchall()
        for line, value in rows:
            self.problems.append(Problem(self.path.name, int(line), column, _show(value), expected))
        if count > len(rows):
            self.problems.append(Problem(self.path.name, int(rows[-1][0]), column,
                                         f"{count - len(rows):,} more rows like the ones above", expected))

    def required(self, column: str) -> None:
        self.check(column, f"NOT {self.c.given(column)}", "a value (this column is required)")

    def name_text(self, column: str, required: bool) -> None:
        if required:
            self.required(column)
        text = self.c.text(column)
        self.check(column, f"length({text}) > {MAX_NAME_LENGTH}",
                   f"at most {MAX_NAME_LENGTH} characters (it becomes a name in the data folder)")
        self.check(column, f"regexp_matches({text}, '{MARKUP}')",
                   "plain text: no HTML tags (< >), backticks or Markdown (**, __, [text](link))")
        self.check(column, f"regexp_matches({text}, '{CONTROL}')", "no control characters or bidi overrides")

    def whole(self, column: str, required: bool, minimum: int | None = None) -> None:
        number = self.c.number(column)
        if required:
            self.required(column)
        self.check(column, f"{self.c.given(column)} AND ({number} IS NULL OR {number} <> round({number}))",
                   "a whole number")
        if minimum is not None:
            self.check(column, f"{number} = round({number}) AND {number} < {minimum}", f"a whole number >= {minimum}")

    def ranged(self, column: str, low: float, high: float) -> None:
        number = self.c.number(column)
        if column not in self.c.numeric:
            self.check(column, f"{self.c.given(column)} AND {number} IS NULL", "a number")
        self.check(column, f"{number} < {low} OR {number} > {high} OR isnan({number})",
                   f"a number from {low:g} to {high:g}")

    def unique(self, columns: list[str], what: str) -> None:
        keys = [self.c.number(c) if c in self.c.numeric else self.c.text(c) for c in columns]
        found = " || ', ' || ".join(f"'{c}=' || coalesce(CAST({k} AS VARCHAR), '')" for c, k in zip(columns, keys))
        key_list = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        join = " AND ".join(f"{k} = d.k{i}" for i, k in enumerate(keys))
        # only the keys that occur twice are joined back: a window over every row costs seconds at 10^7 rows
        source = (f"(SELECT r.rowid AS rowid, r.*, row_number() OVER (PARTITION BY {', '.join(keys)} "
                  f"ORDER BY r.rowid) AS copy FROM raw_{self.table} r JOIN (SELECT {key_list} FROM raw_{self.table} "
                  f"WHERE {keys[0]} IS NOT NULL GROUP BY ALL HAVING count(*) > 1) d ON {join})")
        self.check(", ".join(columns), "copy > 1", f"one row per {what}",
                   found=f"'a duplicate key (' || {found} || ')'", source=source)

    def known_document(self) -> None:
        text = self.c.text("doc_id")
        self.check("doc_id", f"{text} IS NOT NULL AND {text} NOT IN (SELECT doc_id FROM documents)",
                   "a doc_id of the documents table")


def _show(value: object, limit: int = 60) -> str:
    text = value if isinstance(value, str) and value.startswith("a duplicate key") else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validate_documents(checker: _Checker) -> None:
    c = checker.c
    checker.required("doc_id")
    checker.unique(["doc_id"], "doc_id")
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    checker.check("kind", f"{c.text('kind')} IS NULL OR {c.text('kind')} NOT IN ({kinds})",
                  f"one of {', '.join(KINDS)}")
    checker.whole("year", required=True)


def _validate_addresses(checker: _Checker) -> None:
    c = checker.c
    checker.required("doc_id")
    checker.known_document()
    checker.whole("seq", required=True, minimum=1)
    checker.unique(["doc_id", "seq"], "doc_id and seq (one row per person)")
    checker.ranged("lat", -90, 90)
    checker.ranged("lon", -180, 180)
    checker.check("lon", f"{c.given('lat')} <> {c.given('lon')}",
                  "lat and lon both given or both empty", found="'only one of lat and lon'")
    checker.name_text("city", required=False)
    checker.check("economy", f"{c.text('economy')} IS NOT NULL AND {c.text('economy')} NOT IN "
                  "(SELECT code FROM iso_codes)", "an ISO 3166-1 alpha-2 code in capitals (CN, HK, DE) or empty")


def _validate_organisations(checker: _Checker) -> None:
    c = checker.c
    checker.required("doc_id")
    checker.known_document()
    checker.name_text("name", required=True)
    roles = ", ".join(f"'{r}'" for r in ROLE_OF_KIND.values())
    checker.check("role", f"{c.text('role')} IS NULL OR {c.text('role')} NOT IN ({roles})",
                  "applicant (PCT applications) or affiliation (articles)")
    with_kind = ("(SELECT r.rowid AS rowid, r.*, k.kind AS doc_kind FROM raw_organisations r LEFT JOIN "
                 "(SELECT doc_id, any_value(kind) AS kind FROM documents GROUP BY doc_id) k "
                 f"ON k.doc_id = {c.text('r.doc_id')})")
    expected_role = "CASE doc_kind WHEN 'pct' THEN 'applicant' ELSE 'affiliation' END"
    checker.check("role", f"{c.text('role')} IN ({roles}) AND doc_kind IN ('pct', 'article') "
                  f"AND {c.text('role')} <> {expected_role}",
                  "applicant on a PCT application, affiliation on an article",
                  found=f"{c.text('role')} || ' on a document of kind ' || doc_kind", source=with_kind)


def _validate_classes(checker: _Checker) -> None:
    checker.required("doc_id")
    checker.known_document()
    checker.name_text("code", required=True)


def _validate_population(checker: _Checker) -> None:
    for column in ("lat", "lon", "population"):
        checker.required(column)
    checker.ranged("lat", -90, 90)
    checker.ranged("lon", -180, 180)
    checker.ranged("population", 0, 1e10)


VALIDATORS = {"documents": _validate_documents, "addresses": _validate_addresses,
              "organisations": _validate_organisations, "classes": _validate_classes,
              "population": _validate_population}


def read_records(con: duckdb.DuckDBPyConnection, records_dir: str | Path) -> RecordsInfo:
    """Read and validate the records folder into the tables ``documents``, ``addresses``,
    ``organisations``, ``classes`` (and ``population``) of ``con``.

    Raises ``RecordsValidationError`` listing every problem; on success the raw copies are dropped.
    """
    folder = Path(records_dir)
    if not folder.is_dir():
        raise RecordsValidationError(str(folder), [Problem(str(folder), None, None, "no such folder",
                                                           "a records folder (documents, addresses, organisations, "
                                                           "classes, optional population; CSV or Parquet)")])
    files, problems = find_files(folder)
    con.execute("CREATE OR REPLACE TEMP TABLE iso_codes AS SELECT unnest(?::VARCHAR[]) AS code", [iso_codes()])
    readable: dict[str, tuple[Path, _Columns]] = {}
    for table, path in files.items():
        numeric = _read_raw(con, table, path, problems)
        if numeric is not None:
            readable[table] = (path, _Columns(numeric))
    if "documents" in readable:
        # the other tables are checked against the documents: type them first (bad rows drop out here,
        # and are reported by the documents' own checks)
        path, columns = readable["documents"]
        _validate(con, "documents", path, problems, columns)
        con.execute(f"CREATE OR REPLACE TABLE documents AS SELECT {columns.typed('documents')} FROM raw_documents")
    else:
        con.execute("CREATE OR REPLACE TABLE documents (doc_id VARCHAR, kind VARCHAR, year INTEGER)")
    for table, (path, columns) in readable.items():
        if table != "documents":
            _validate(con, table, path, problems, columns)
    if problems:
        raise RecordsValidationError(str(folder), problems)
    rows = {}
    for table, (_, columns) in readable.items():
        if table != "documents":
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {columns.typed(table)} FROM raw_{table}")
        con.execute(f"DROP TABLE raw_{table}")
        rows[table] = _scalar(con, f"SELECT count(*) FROM {table}")
    return RecordsInfo(records_dir=folder.resolve(), files=files, sha256=records_hash(files), rows=rows)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _validate(con: duckdb.DuckDBPyConnection, table: str, path: Path, problems: list[Problem],
              columns: _Columns) -> None:
    checker = _Checker(con, table, path, problems, columns)
    VALIDATORS[table](checker)
    checker.run()


def validate_records(records_dir: str | Path) -> RecordsInfo:
    """Validate a records folder in a throw-away in-memory database (for ``--check`` style use and tests)."""
    with duckdb.connect() as con:
        return read_records(con, records_dir)
