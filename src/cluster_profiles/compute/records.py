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

import codecs
import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cluster_profiles.compute.adapters.folder import RECORD_COLUMNS, exact_sql_path, sql_string
from cluster_profiles.contract.text_rules import MAX_NAME_LENGTH, NO_CONTROL_IN_NAME
from cluster_profiles.contract.vocabulary import RECORD_KINDS
from cluster_profiles.errors import DataValidationError, Problem

_KIND_OF_TYPE = {"VARCHAR": "text", "INTEGER": "int", "DOUBLE": "float"}
# table -> column -> text, int or float: the four tables the adapters write (declared once, in adapters.folder),
# and the optional population table, which no adapter writes
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    **{table: {name: _KIND_OF_TYPE[type_] for name, type_ in columns} for table, columns in RECORD_COLUMNS.items()},
    "population": {"lat": "float", "lon": "float", "population": "float"},
}
OPTIONAL_TABLES = {"population"}
KINDS = tuple(RECORD_KINDS)  # what a document's kind may be
ROLE_OF_KIND = {"pct": "applicant", "article": "affiliation"}
EXTENSIONS = (".csv", ".parquet")
EXAMPLES_PER_CHECK = 20
INTEGER_RANGE = (-(2**31), 2**31 - 1)  # the records' whole numbers are stored as INTEGER

# Names become cluster, organisation and field names of the data folder, whose schema (contract/schema.py) refuses
# what these patterns find; DuckDB's regular expressions (RE2) have no look-ahead and no \uXXXX, so the schema's
# rules are written as searches here (tests/compute/test_records_corpus.py checks both agree, character by character).
MARKUP = r"[<>`]|\*\*|__|\]\("  # NO_MARKUP
CONTROL = "[" + re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}",
                       NO_CONTROL_IN_NAME.removeprefix("^[^").removesuffix("]*\\Z")) + "]"  # NO_CONTROL_IN_NAME
# The schema's ^\S(.*\S)?\Z needs no rule here: DuckDB's trim, which every text value goes through, removes the
# spaces of any kind at the ends, and the whitespace it leaves (tabs, line breaks) is in CONTROL.
LETTER_OR_DIGIT = r"[\pL\pN]"  # the schema's HAS_LETTER_OR_DIGIT: Python's [^\W_]
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
    return _scan(files)[0]


def _scan(files: dict[str, Path]) -> tuple[str, dict[str, int]]:
    """The records' sha256 (``records_hash``) and, in the same pass over the bytes, each CSV file's number of lines
    (a last one without a line break counts)."""
    digest = hashlib.sha256()
    lines: dict[str, int] = {}
    for table in sorted(files):
        path = files[table]
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        count, last = 0, b""
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                count += chunk.count(b"\n")
                last = chunk[-1:]
        if path.suffix == ".csv":
            lines[table] = count + (last not in (b"", b"\n"))
    return digest.hexdigest(), lines


def _first_empty_line(path: Path) -> int | None:
    """The number of the first empty line of a file (``\n\n`` or ``\n\r\n``), which DuckDB skips; read only when
    the lines and the rows disagree."""
    count, previous = 0, b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            window = previous + chunk  # with the last bytes of the chunk before: a pair split between two
            found = [i + 1 for i in (window.find(b"\n\n"), window.find(b"\n\r\n")) if i >= 0]
            if found:
                return count - previous.count(b"\n") + window[: min(found)].count(b"\n") + 1
            count += chunk.count(b"\n")
            previous = chunk[-2:]
    return None


def iso_codes() -> list[str]:
    import pycountry

    return sorted({country.alpha_2 for country in pycountry.countries} | USER_ASSIGNED_CODES)


NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
INTEGER_TYPES = tuple(t for t in NUMERIC_TYPES if t not in ("FLOAT", "DOUBLE", "DECIMAL"))
KIND_WORDS = {"text": "text", "int": "a whole number", "float": "a number"}
# the Parquet column types a declared column may have: text columns take text or whole numbers (ids), numbers
# take numbers or text (checked as text)
ACCEPTED_TYPES = {"text": ("VARCHAR", *INTEGER_TYPES), "int": ("VARCHAR", *NUMERIC_TYPES),
                  "float": ("VARCHAR", *NUMERIC_TYPES)}
MAX_HEADER_BYTES = 1 << 20
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _csv_header(path: Path, table: str, problems: list[Problem]) -> list[str] | None:
    """The column names of a CSV file's header line, read here rather than guessed by DuckDB (whose sniffer
    takes a later line for the header when a row has more fields, and renames a doubled column ``year_1``).
    None, with the problem added, when the header cannot be used."""
    expected = ",".join(TABLE_COLUMNS[table])
    try:
        with path.open("rb") as stream:
            raw = stream.readline(MAX_HEADER_BYTES)
    except OSError as error:
        problems.append(Problem(path.name, None, None, f"a file that cannot be read ({error.strerror})",
                                "a readable file"))
        return None
    if not raw.strip():
        problems.append(Problem(path.name, 1, None, "an empty file" if not raw else "an empty first line",
                                f"a header line first: {expected}"))
        return None
    if raw.startswith(UTF16_MARKS):
        problems.append(Problem(path.name, 1, None, "a UTF-16 file (its first bytes are a UTF-16 byte-order mark)",
                                "UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"))
        return None
    raw = raw.removeprefix(codecs.BOM_UTF8)  # what spreadsheets put first in a UTF-8 CSV file; DuckDB skips it too
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(_not_utf8(path.name, 1, raw, error))
        return None
    names = next(csv.reader([text.rstrip("\r\n")]), [])
    declared = TABLE_COLUMNS[table]
    if len(names) == 1 and names[0] not in declared:
        for delimiter, words in OTHER_DELIMITERS.items():
            if delimiter in names[0]:
                problems.append(Problem(path.name, 1, None, f"one column named {names[0][:80]!r}",
                                        f"columns separated by commas, not {words}: {expected}"))
                return None
    doubled = sorted({n for n in names if n in declared and names.count(n) > 1}, key=names.index)
    for name in doubled:
        problems.append(Problem(path.name, 1, name, "this column twice in the header line", "each column once"))
    missing = [c for c in declared if c not in names]
    for column in missing:
        problems.append(Problem(path.name, 1, column, f"no such column (the header line is {text.strip()[:120]!r})",
                                f"the columns {', '.join(declared)}"))
    return None if doubled or missing else names


def _not_utf8(file: str, line: int | None, raw: bytes, error: UnicodeDecodeError) -> Problem:
    """A byte that is not UTF-8, at its line and column (counted in characters, as an editor does)."""
    column = len(raw[: error.start].decode("utf-8", errors="replace")) + 1
    return Problem(file, line, str(column), f"the byte 0x{raw[error.start]:02x}, which is not UTF-8 text",
                   "UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet)")


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _read_problem(path: Path, error: duckdb.Error) -> Problem:
    """DuckDB's message about a file it cannot read, said in the records' words at the line it names."""
    message = str(error)
    line_match = _CSV_LINE.search(message)
    line = int(line_match.group(1)) if line_match else None
    if "Invalid unicode" in message and line is not None:
        located = _line_not_utf8(path, line)
        if located is not None:
            return located
    if (fields := _FIELDS.search(message)) is not None:
        return Problem(path.name, line, None, f"{fields.group(2)} fields",
                       f"{fields.group(1)} fields, as in the header line (a value holding a comma needs quotes: "
                       '"Hefei, Anhui")')
    if "magic bytes" in message or "too small to be a Parquet file" in message:
        return Problem(path.name, None, None, "a file that is not Parquet (it lacks Parquet's closing bytes)",
                       "a Parquet file, or CSV named .csv")
    if "unterminated quote" in message:
        return Problem(path.name, line, None, "a quoted value whose closing quote is missing",
                       'every quote closed ("…"; a quote inside a quoted value is written twice: "")')
    first = next((part for part in message.splitlines() if part.strip()), message).strip()
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first).replace(str(path), path.name)
    kind = "CSV with one header line (UTF-8)" if path.suffix == ".csv" else "a Parquet file"
    return Problem(path.name, line, None, f"a file DuckDB cannot read: {first}", kind)


def _line_not_utf8(path: Path, line: int) -> Problem | None:
    """Where in line ``line`` the byte that is not UTF-8 is (read only on this error)."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if number >= line - 1:  # DuckDB counts some lines one off; look at the line before, then its own
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    return _not_utf8(path.name, number, raw, error)
            if number > line:
                return None
    return None


def _read_raw(con: duckdb.DuckDBPyConnection, table: str, path: Path, lines: int | None,
              problems: list[Problem]) -> set[str] | None:
    """Copy the file's declared columns into ``raw_<table>`` (insertion order kept, so ``rowid`` gives the line).

    Returns the declared columns that the file already stores as numbers (Parquet), which are
    checked as numbers instead of as text; None when the file cannot be used.
    """
    declared = TABLE_COLUMNS[table]
    selected = ", ".join(f'"{c}"' for c in declared)
    if path.suffix == ".csv":
        names = _csv_header(path, table, problems)
        if names is None:
            return None
        # every column as text, named as in the header (undeclared ones numbered, so that two alike stay apart)
        columns = ", ".join(f"{sql_string(n if n in declared else f'other {i}')}: 'VARCHAR'"
                            for i, n in enumerate(names))
        source = (f"read_csv({exact_sql_path(path)}, header = true, auto_detect = false, columns = {{{columns}}}, "
                  "delim = ',', quote = '\"', escape = '\"', skip = 0, strict_mode = true, hive_partitioning = false)")
    else:
        source = f"read_parquet({exact_sql_path(path)}, hive_partitioning = false)"
    try:
        if path.suffix == ".parquet":
            types = {row[0]: str(row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            if not _parquet_columns_usable(path, table, types, problems):
                return None
        con.execute(f"CREATE OR REPLACE TABLE raw_{table} AS SELECT {selected} FROM {source}")
    except duckdb.Error as error:
        problems.append(_read_problem(path, error))
        return None
    if lines is not None and not _one_row_per_line(con, table, path, lines, problems):
        return None
    if path.suffix == ".csv":
        return set()
    return {c for c, kind in declared.items() if kind != "text" and types[c].split("(")[0] in NUMERIC_TYPES}


def _parquet_columns_usable(path: Path, table: str, types: dict[str, str], problems: list[Problem]) -> bool:
    usable = True
    for column, kind in TABLE_COLUMNS[table].items():
        if column not in types:
            problems.append(Problem(path.name, None, column, "no such column",
                                    f"the columns {', '.join(TABLE_COLUMNS[table])}"))
            usable = False
        elif types[column].split("(")[0] not in ACCEPTED_TYPES[kind]:
            accepted = "text or whole numbers" if kind == "text" else "numbers or text"
            problems.append(Problem(path.name, None, column, f"a column of type {types[column]}",
                                    f"{KIND_WORDS[kind]} (a Parquet column of {accepted})"))
            usable = False
    return usable


def _one_row_per_line(con: duckdb.DuckDBPyConnection, table: str, path: Path, lines: int,
                      problems: list[Problem]) -> bool:
    """Whether every row of the CSV file is on the line ``rowid`` + 2 says, as the problems' places assume.
    An empty line before the last row, or a line break inside a quoted value, shifts the rows after it."""
    rows = _scalar(con, f"SELECT count(*) FROM raw_{table}")
    if lines == rows + 1:
        return True
    first_empty = _first_empty_line(path)
    if first_empty is not None and first_empty <= rows + 1:
        problems.append(Problem(path.name, first_empty, None, "an empty line",
                                "one row per line, no empty lines between them"))
        return False
    broken = " OR ".join(f"contains(\"{c}\", chr(10)) OR contains(\"{c}\", chr(13))" for c in TABLE_COLUMNS[table])
    row = con.execute(f"SELECT min(rowid) FROM raw_{table} WHERE {broken}").fetchone()
    if row and row[0] is not None:
        problems.append(Problem(path.name, int(row[0]) + 2, None, "a line break inside a quoted value",
                                "one row per line (no line breaks in values)"))
        return False
    if first_empty is not None:
        return True  # empty lines after the last row only: every row is on the line its number says
    problems.append(Problem(path.name, None, None, f"{rows:,} rows on {lines:,} lines",
                            "one row per line after the header line (line breaks: \\n or \\r\\n)"))
    return False


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
            elif kind == "int":  # TRY_: the documents are typed before their problems are reported
                parts.append(f"TRY_CAST({self.number(column)} AS INTEGER) AS {column}")
            else:
                parts.append(f"{self.number(column)} AS {column}")
        return ", ".join(parts)


@dataclass(frozen=True)
class _Check:
    column: str
    failing: str  # SQL selecting the failing rows
    expected: str
    found: str | None  # SQL showing a failing row's value (None: the column's)
    rows: str  # the table (or subquery) whose rows are checked and listed
    scan: str  # what the failures are counted on: ``rows``, or the distinct values of ``column`` in them


class _Checker:
    """Runs one SQL condition per check over a raw table and turns failing rows into problems."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, path: Path, problems: list[Problem],
                 columns: _Columns):
        self.con, self.table, self.path, self.problems = con, table, path, problems
        self.c = columns
        self.first_line = 2 if path.suffix == ".csv" else 1  # CSV: the header is line 1
        self.pending: list[_Check] = []
        self.documents_read = True

    def check(self, column: str, failing: str, expected: str, found: str | None = None,
              source: str | None = None, value_check: bool = False) -> None:
        """Queue a check: ``failing`` selects the bad rows; ``found`` shows one (default: the column).
        ``value_check``: ``failing`` depends on the value of ``column`` alone, so it is first tested on the
        column's distinct values (a few hundred city names instead of millions of rows: the regular expressions
        of the name rules cost a tenth of a second per check on 10^6 rows)."""
        rows = source or f"raw_{self.table}"
        scan = f'(SELECT DISTINCT "{column}" FROM {rows})' if value_check else rows
        self.pending.append(_Check(column, failing, expected, found, rows, scan))

    def run(self) -> None:
        """Count the failures of every queued check in one scan per source, then list the rows of
        the checks that failed (valid records, the usual case, cost one scan of each table)."""
        by_scan: dict[str, list[_Check]] = {}
        for item in self.pending:
            by_scan.setdefault(item.scan, []).append(item)
        for scan, items in by_scan.items():
            counts = self.con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {item.failing})" for item in items)
                                      + f" FROM {scan}").fetchone() or ()
            for item, count in zip(items, counts):
                if count and item.scan != item.rows:  # distinct values failed: how many rows hold them
                    count = _scalar(self.con, f"SELECT count(*) FILTER (WHERE {item.failing}) FROM {item.rows}")
                if count:
                    self._list(item.rows, item.column, item.failing, item.expected, item.found, count)
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
        """The rules of the data folder's names (contract/schema.py ``_name``), which these values become."""
        if required:
            self.required(column)
        text = self.c.text(column)
        self.check(column, f"length({text}) > {MAX_NAME_LENGTH}",
                   f"at most {MAX_NAME_LENGTH} characters (it becomes a name in the data folder)", value_check=True)
        self.check(column, f"regexp_matches({text}, '{MARKUP}')",
                   "plain text: no HTML tags (< >), backticks or Markdown (**, __, [text](link))", value_check=True)
        self.check(column, f"regexp_matches({text}, '{CONTROL}')",
                   "no control characters, invisible characters or bidi overrides", value_check=True)
        self.check(column, f"NOT regexp_matches({text}, '{LETTER_OR_DIGIT}')", "at least one letter or digit",
                   value_check=True)

    def whole(self, column: str, required: bool, minimum: int = INTEGER_RANGE[0]) -> None:
        number = self.c.number(column)
        if required:
            self.required(column)
        # NaN equals itself in DuckDB, and round(inf) is inf: only a finite number can be whole
        self.check(column, f"{self.c.given(column)} AND (isfinite({number}) AND {number} = round({number})) "
                           "IS NOT TRUE", "a whole number")
        low, high = minimum, INTEGER_RANGE[1]
        self.check(column, f"isfinite({number}) AND NOT {number} BETWEEN {low} AND {high}",
                   f"a whole number from {low:,} to {high:,}")

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
        if not self.documents_read:  # its problems are listed; every row here failing too would only hide them
            return
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
                  f"one of {', '.join(KINDS)}", value_check=True)
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
                  "(SELECT code FROM iso_codes)", "an ISO 3166-1 alpha-2 code in capitals (CN, HK, DE) or empty",
                  value_check=True)


def _validate_organisations(checker: _Checker) -> None:
    c = checker.c
    checker.required("doc_id")
    checker.known_document()
    checker.name_text("name", required=True)
    roles = ", ".join(f"'{r}'" for r in ROLE_OF_KIND.values())
    checker.check("role", f"{c.text('role')} IS NULL OR {c.text('role')} NOT IN ({roles})",
                  "applicant (PCT applications) or affiliation (articles)", value_check=True)
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
        found = "a file, not a folder" if folder.exists() else "no such folder"
        raise RecordsValidationError(str(folder), [Problem(str(folder), None, None, found,
                                                           "a records folder (documents, addresses, organisations, "
                                                           "classes, optional population; CSV or Parquet)")])
    files, problems = find_files(folder)
    try:
        sha256, lines = _scan(files)  # before DuckDB reads them: the hash is of the bytes read
    except OSError as error:
        raise RecordsValidationError(str(folder), [Problem(Path(error.filename or folder).name, None, None,
                                                           f"a file that cannot be read ({error.strerror})",
                                                           "readable files")]) from None
    con.execute("CREATE OR REPLACE TEMP TABLE iso_codes AS SELECT unnest(?::VARCHAR[]) AS code", [iso_codes()])
    readable: dict[str, tuple[Path, _Columns]] = {}
    for table, path in files.items():
        numeric = _read_raw(con, table, path, lines.get(table), problems)
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
            _validate(con, table, path, problems, columns, documents_read="documents" in readable)
    if problems:
        raise RecordsValidationError(str(folder), problems)
    rows = {}
    for table, (_, columns) in readable.items():
        if table != "documents":
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {columns.typed(table)} FROM raw_{table}")
        con.execute(f"DROP TABLE raw_{table}")
        rows[table] = _scalar(con, f"SELECT count(*) FROM {table}")
    return RecordsInfo(records_dir=folder.resolve(), files=files, sha256=sha256, rows=rows)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _validate(con: duckdb.DuckDBPyConnection, table: str, path: Path, problems: list[Problem],
              columns: _Columns, documents_read: bool = True) -> None:
    checker = _Checker(con, table, path, problems, columns)
    checker.documents_read = documents_read
    VALIDATORS[table](checker)
    checker.run()


def validate_records(records_dir: str | Path) -> RecordsInfo:
    """Validate a records folder in a throw-away in-memory database (for ``--check`` style use and tests)."""
    with duckdb.connect() as con:
        return read_records(con, records_dir)
