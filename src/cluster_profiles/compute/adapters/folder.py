"""Write the records folder the adapters produce: four tables, exact columns and types, one kind at a time.

An adapter writes the documents of one kind (``article`` from OpenAlex, ``pct`` from PatentsView). Both may feed
the same folder, so writing one kind keeps the rows of the other kinds already there (documents of another kind
and the rows that belong to them) and replaces the rows of its own kind. Every table is written to a temporary
folder first and moved into place only when all four are complete: a failed run leaves the previous folder as it
was. The folder keeps a manifest of the tables the adapters wrote (``files.manifest_path``): an adapter replaces or
deletes only those, and refuses a folder whose table files it did not write, or that is, holds or is inside its
input. Other files in the folder (``population``) are never touched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cluster_profiles.compute.about import merge_records_about, read_records_about
from cluster_profiles.contract.vocabulary import plural
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import check_output_folder, temporary_folder, write_manifest

Format = Literal["parquet", "csv"]
FORMATS: tuple[Format, ...] = ("parquet", "csv")

# The records-folder contract of issue 7: table -> (column, DuckDB type), in this order. Its one home:
# records.TABLE_COLUMNS (what the reader checks) is derived from it.
RECORD_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (("doc_id", "VARCHAR"), ("kind", "VARCHAR"), ("year", "INTEGER")),
    "addresses": (("doc_id", "VARCHAR"), ("seq", "INTEGER"), ("lat", "DOUBLE"), ("lon", "DOUBLE"),
                  ("city", "VARCHAR"), ("economy", "VARCHAR")),
    "organisations": (("doc_id", "VARCHAR"), ("name", "VARCHAR"), ("role", "VARCHAR")),
    "classes": (("doc_id", "VARCHAR"), ("code", "VARCHAR")),
}
COMMAND = "records"  # the command whose manifest a records folder holds
TABLE_FILES = frozenset(f"{table}.{fmt}" for table in RECORD_COLUMNS for fmt in FORMATS)  # what an adapter may replace
# Rows are sorted so that the same input always gives byte-identical files (and the two engines equal files).
SORT_KEYS = {"documents": "doc_id", "addresses": "doc_id, seq", "organisations": "doc_id, name, role",
             "classes": "doc_id, code"}


class RecordsInputError(ClusterProfilesError):
    """What a user gave an adapter cannot be read (missing file, missing column, malformed line)."""


@dataclass
class AdapterSummary:
    """What an adapter read, dropped (with the reason) and wrote; printed by the command."""

    source: str
    read: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    addresses_without_coordinates: int = 0
    out_dir: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        dropped = ", ".join(f"{count:,} {reason}" for reason, count in self.dropped.items()) or "none"
        written = ", ".join(f"{table} {count:,}" for table, count in self.written.items())
        lines = [f"{self.source}: read {self.read:,} {plural(self.read, 'document')}; dropped {dropped}",
                 f"wrote {self.out_dir}: {written} rows "
                 f"({self.addresses_without_coordinates:,} {plural(self.addresses_without_coordinates, 'address', 'addresses')} "
                 "without coordinates, kept for the counts)"]
        return lines + self.notes


def check_years(years: tuple[int, int] | None) -> None:
    """``--years FIRST LAST``: two years, the first not after the last (None: every year)."""
    if years is not None and (len(years) != 2 or years[0] > years[1]):
        raise RecordsInputError(f"--years {' '.join(map(str, years))}: expected two years, first <= last")


def check_records_out(out_dir: Path, inputs: dict[str, Path | None]) -> None:
    """Refuse, before any work, an ``--out`` that is, holds or is inside an input, whose table files the
    adapters did not write (``files.check_output_folder``), or whose ``about.json`` cannot be read."""
    check_output_folder(Path(out_dir), COMMAND, inputs, replaced=set(TABLE_FILES))
    if Path(out_dir).is_dir():
        read_records_about(out_dir)  # a malformed about.json is refused now, not after the tables are written


@contextmanager
def scratch_beside(out_dir: Path, what: str) -> Iterator[Path]:
    """A temporary folder beside ``out_dir`` (its parent is made): an adapter's scratch space, on the same file
    system as the records folder, removed afterwards whatever happens (``files.temporary_folder``)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with temporary_folder(what, parent=out_dir.parent) as scratch:
        yield scratch


def sql_string(value: str | os.PathLike[str]) -> str:
    """A SQL string literal. Used only for file paths, which table functions need inline; values go as parameters."""
    return "'" + str(value).replace("'", "''") + "'"


GLOB_CHARACTERS = frozenset("*?[]{}")


def exact_path(path: str | os.PathLike[str]) -> str:
    """``path`` as DuckDB's file readers take it to mean exactly this file: absolute, and each character their
    globbing would expand (``*``, ``?``, ``[``, ``]``, ``{``, ``}``) as a one-character class (``[*]``).

    DuckDB expands these in every path given to read_csv, read_parquet and read_json, also in a list of paths, and
    has no setting that turns globbing off; a folder named ``r*`` would read its neighbours too. Absolute, a path
    cannot be taken for a URL or a ``~`` either. A path without those characters is not globbed and stays as it
    is. In a path with them, DuckDB's globbing also takes a backslash for a separator, so no spelling of such a
    path reads exactly it: it is refused.
    """
    text = os.path.abspath(os.fspath(path))
    if not GLOB_CHARACTERS.intersection(text):
        return text
    if "\\" in text:
        raise RecordsInputError(f"{text}: holds a backslash and one of * ? [ ] {{ }}, a path DuckDB cannot be told "
                                "to read as it is; rename the folder or file")
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in text)


def exact_sql_path(path: str | os.PathLike[str]) -> str:
    """``exact_path`` as a SQL string literal, for a table function's argument."""
    return sql_string(exact_path(path))


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_FILE = re.compile(r"^\s*file = (.+)$", re.MULTILINE)
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_JSON = re.compile(r'Malformed JSON in file "(.+?)", at byte (\d+) in line (\d+): (.+)')


def input_error(error: Exception, shown: Mapping[str, str] | None = None) -> str:
    """DuckDB's message about an input file, in one line that starts with the file and the line: ``g_patent.tsv:3:
    found 9 fields; expected 8 …``. ``shown`` maps a path DuckDB read to the name to show (an unpacked copy to the
    file the user gave)."""
    message = str(error)

    def name(path: str) -> str:
        return (shown or {}).get(path, path)

    if (json_error := _JSON.search(message)) is not None:
        path, byte, line, reason = json_error.groups()
        located = _malformed_json_line(Path(path), int(line))
        if located is not None:
            return f"{name(path)}:{located}; expected one JSON object per line"
        return (f"{name(path)}:{line}: found malformed JSON ({reason.strip().rstrip('.')}, at byte {byte}); "
                "expected one JSON object per line")
    line = _CSV_LINE.search(message)
    if line is not None:
        file = _CSV_FILE.search(message)
        place = f"{name(file.group(1).strip()) if file else 'a table'}:{line.group(1)}"
        if "Invalid unicode" in message:
            return f"{place}: found bytes that are not UTF-8 text; expected UTF-8 text"
        if (fields := _FIELDS.search(message)) is not None:
            return (f"{place}: found {fields.group(2)} fields; expected {fields.group(1)} fields, as in the header "
                    "line")
        if "unterminated quote" in message:
            return f'{place}: found a quoted value whose closing quote is missing; expected every quote closed'
        reason = [part for part in message.splitlines()[2:] if part.strip()]
        return f"{place}: {reason[0].strip() if reason else message.splitlines()[0]}"
    first = next((part for part in message.splitlines() if part.strip()), message).strip()
    for path, shown_as in (shown or {}).items():
        first = first.replace(path, shown_as)
    return re.sub(r"^[A-Za-z ]*Error: ", "", first)


def _malformed_json_line(path: Path, near: int) -> str | None:
    """``line:column: found …`` for the first line of a JSON Lines file (gzipped or not) that is not one JSON value,
    up to the line after ``near`` (DuckDB names the line where it noticed, which can be the next one); read only
    on this error."""
    import gzip  # the error path only
    import json

    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as stream:
            for number, raw in enumerate(stream, start=1):
                if number > near + 1:
                    return None
                if not raw.strip():
                    continue
                try:
                    json.loads(raw.rstrip(b"\r\n"))
                except ValueError as error:
                    position = getattr(error, "colno", None)
                    reason = getattr(error, "msg", str(error))
                    return f"{number}{f':{position}' if position else ''}: found malformed JSON ({reason})"
    except (OSError, EOFError):
        return None
    return None


def existing_table(folder: Path, table: str) -> Path | None:
    for fmt in FORMATS:
        path = folder / f"{table}.{fmt}"
        if path.is_file():
            return path
    return None


def _read_existing(con, path: Path) -> str:
    columns = RECORD_COLUMNS[path.stem]
    if path.suffix == ".parquet":
        source = f"read_parquet({exact_sql_path(path)}, hive_partitioning = false)"
    else:
        source = f"read_csv({exact_sql_path(path)}, header = true, all_varchar = true, hive_partitioning = false)"
    casts = ", ".join(f'TRY_CAST("{name}" AS {kind}) AS "{name}"' for name, kind in columns)
    return f"SELECT {casts} FROM {source}"


def write_records(con, kind: str, new_tables: Mapping[str, str], out_dir: Path, fmt: Format = "parquet") -> dict[str, int]:
    """Write ``new_tables`` (table -> a SQL query over ``con`` giving its rows of documents of ``kind``) to ``out_dir``.

    Rows of other kinds already in ``out_dir`` are kept; rows of ``kind`` are replaced. Returns rows written per table
    (all kinds). Columns are cast to the contract's types here, whatever engine produced them.
    """
    if fmt not in FORMATS:
        raise RecordsInputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    check_records_out(out_dir, {})
    with scratch_beside(out_dir, "staging") as staging:
        old = {table: existing_table(out_dir, table) for table in RECORD_COLUMNS} if out_dir.is_dir() else {}
        old_documents = old.get("documents")
        keep_other_kinds = ""
        if old_documents is not None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE old_other_documents AS SELECT * FROM ({_read_existing(con, old_documents)}) "
                        "WHERE kind IS DISTINCT FROM $kind", {"kind": kind})
            keep_other_kinds = "doc_id IN (SELECT doc_id FROM old_other_documents)"
        written: dict[str, int] = {}
        for table, columns in RECORD_COLUMNS.items():
            casts = ", ".join(f'CAST("{name}" AS {type_}) AS "{name}"' for name, type_ in columns)
            query = f"SELECT {casts} FROM ({new_tables[table]})"
            old_table = old.get(table)
            if keep_other_kinds and old_table is not None:
                query += f" UNION ALL SELECT * FROM ({_read_existing(con, old_table)}) WHERE {keep_other_kinds}"
            target = staging / f"{table}.{fmt}"
            options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
            con.execute(f"COPY ({query} ORDER BY {SORT_KEYS[table]}) TO {sql_string(target)} ({options})")
            written[table] = con.execute(f"SELECT count(*) FROM {_source(target)}").fetchone()[0]
        duplicated = con.execute(f"SELECT doc_id FROM {_source(staging / f'documents.{fmt}')} "
                                 "GROUP BY doc_id HAVING count(*) > 1 LIMIT 1").fetchone()
        if duplicated:
            raise RecordsInputError(f"document {duplicated[0]!r} would appear twice in {out_dir}/documents.{fmt} "
                                    "(the same id written by two adapters or twice in the input); nothing written")
        _move_into_place(staging, out_dir, fmt)
        return written


def _move_into_place(staging: Path, out_dir: Path, fmt: Format) -> None:
    """Move the four tables into ``out_dir`` and delete their files of the other format, checking again first that
    every file replaced or deleted is one the adapters wrote. The manifest lists the old and the new files before
    the first move, and what is left after the last: a run stopped in between leaves nothing it does not know."""
    out_dir.mkdir(exist_ok=True)
    known = check_output_folder(out_dir, COMMAND, {}, replaced=set(TABLE_FILES))
    new = {f"{table}.{fmt}" for table in RECORD_COLUMNS}
    write_manifest(out_dir, COMMAND, known | new)
    for table in RECORD_COLUMNS:
        os.replace(staging / f"{table}.{fmt}", out_dir / f"{table}.{fmt}")
        for other in FORMATS:  # one format per table, so a reader never sees two versions
            if other != fmt:
                (out_dir / f"{table}.{other}").unlink(missing_ok=True)
    write_manifest(out_dir, COMMAND, (known - TABLE_FILES) | new)


def _source(path: Path) -> str:
    return f"read_parquet({exact_sql_path(path)}, hive_partitioning = false)" if path.suffix == ".parquet" else \
        f"read_csv({exact_sql_path(path)}, header = true, all_varchar = true, hive_partitioning = false)"


def addresses_without_coordinates(con, out_dir: Path, fmt: Format, kind: str) -> int:
    """Address rows of ``kind``'s documents in ``out_dir`` that have no coordinates."""
    addresses, documents = _source(out_dir / f"addresses.{fmt}"), _source(out_dir / f"documents.{fmt}")
    return con.execute(f"SELECT count(*) FROM {addresses} WHERE (lat IS NULL OR lon IS NULL) AND doc_id IN "
                       f"(SELECT doc_id FROM {documents} WHERE kind = $kind)", {"kind": kind}).fetchone()[0]


def describe_records(con, out_dir: Path, fmt: Format, kind: str, *, title: str, publisher: str, licence: str,
                     url: str, one: str, many: str) -> None:
    """Say in ``out_dir``'s ``about.json`` what the records of ``kind`` are (``compute.about``): their nouns, and
    the source's title, publisher, licence and address. A folder that also holds another kind's documents keeps
    both sources' texts, joined by "; " (the address of the first source stays: a URL is one address)."""
    others = con.execute(f"SELECT count(*) FROM {_source(out_dir / f'documents.{fmt}')} WHERE kind <> $kind",
                         {"kind": kind}).fetchone()[0]
    texts = {"title": title, "publisher": publisher, "licence": licence, "url": url}
    if others:
        current = read_records_about(out_dir)
        for key, text in list(texts.items()):
            existing = getattr(current, key)
            if existing is None or text in existing.split("; "):
                texts[key] = existing if existing is not None else text
            elif key == "url":
                texts[key] = existing
            else:
                texts[key] = f"{existing}; {text}"
    merge_records_about(out_dir, kind, **texts, one=one, many=many)


def connect(memory_limit: str | None = None, temp_dir: Path | None = None):
    """A DuckDB connection for an adapter: bounded memory (spills to ``temp_dir``), insertion order not kept."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")  # lets large COPYs stream instead of buffering
    if memory_limit:
        con.execute(f"SET memory_limit = {sql_string(memory_limit)}")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {sql_string(temp_dir)}")
    return con
