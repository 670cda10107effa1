"""PatentsView bulk tables (granted US patents) -> records folder, in DuckDB.

Input: a folder with PatentsView's "granted patent" bulk tables as downloaded (``<table>.tsv.zip``) or unpacked
(``<table>.tsv``, also ``.tsv.gz``): tab-separated, a header line, one row per patent, inventor, location, assignee
or IPC symbol. The columns read (others are ignored, so later releases with more columns still work):

- ``g_patent``: ``patent_id``, ``patent_type``, ``patent_date``, ``withdrawn``
- ``g_inventor_disambiguated``: ``patent_id``, ``inventor_sequence``, ``location_id``
- ``g_location_disambiguated``: ``location_id``, ``disambig_city``, ``disambig_country``, ``latitude``, ``longitude``
- ``g_assignee_disambiguated``: ``patent_id``, ``disambig_assignee_organization``,
  ``disambig_assignee_individual_name_first``, ``disambig_assignee_individual_name_last``
- ``g_ipc_at_issue``: ``patent_id``, ``section``, ``ipc_class``, ``subclass``, ``main_group``, ``subgroup``

The patent layer: WIPO counts PCT applications; PatentsView holds US grants. The records contract knows two kinds,
``pct`` and ``article``, so US grants are written as kind ``pct`` and stand in as the patent layer. They are not PCT
applications: the year is the grant year (not the PCT publication year), only inventions granted in the US are
there, and inventors abroad appear only on US grants. The summary printed by the command says so.

Mapping: documents are the patents of the kept ``patent_types`` (default ``utility``: inventions, as PCT
applications are), not withdrawn, granted in ``years`` (inclusive); ``doc_id`` is ``US`` + ``patent_id``. One address
per inventor, ``seq`` = ``inventor_sequence`` + 1 (the tables count from 0), located at the inventor's disambiguated
location (city level). Organisations are the assignees (role ``applicant``; an individual assignee by name). Classes
are the IPC symbols at issue, written as ``H01L 21/8242``.
"""

from __future__ import annotations

import gzip
import os
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from cluster_profiles.compute.adapters.folder import (
    AdapterSummary,
    Format,
    RecordsInputError,
    addresses_without_coordinates,
    check_records_out,
    check_years,
    connect,
    exact_path,
    exact_sql_path,
    input_error,
    scratch_beside,
    sql_string,
    write_records,
)

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "g_patent": ("patent_id", "patent_type", "patent_date", "withdrawn"),
    "g_inventor_disambiguated": ("patent_id", "inventor_sequence", "location_id"),
    "g_location_disambiguated": ("location_id", "disambig_city", "disambig_country", "latitude", "longitude"),
    "g_assignee_disambiguated": ("patent_id", "disambig_assignee_organization",
                                 "disambig_assignee_individual_name_first", "disambig_assignee_individual_name_last"),
    "g_ipc_at_issue": ("patent_id", "section", "ipc_class", "subclass", "main_group", "subgroup"),
}
SUFFIXES = (".tsv", ".tsv.gz", ".tsv.zip", ".zip")
PATENT_KIND_NOTE = ("PatentsView US grants are written as kind 'pct' (the patent layer): they are not PCT "
                    "applications; year = grant year")


def find_tables(tables_dir: Path) -> dict[str, Path]:
    """Each required table's file in ``tables_dir``; every missing table is named at once."""
    tables_dir = Path(tables_dir)
    if not tables_dir.is_dir():
        raise RecordsInputError(f"{tables_dir}: no such folder (PatentsView tables)")
    found: dict[str, Path] = {}
    for table in REQUIRED_COLUMNS:
        for suffix in SUFFIXES:
            if (tables_dir / f"{table}{suffix}").is_file():
                found[table] = tables_dir / f"{table}{suffix}"
                break
    missing = [t for t in REQUIRED_COLUMNS if t not in found]
    if missing:
        raise RecordsInputError(f"{tables_dir}: missing {', '.join(f'{t}.tsv (or .tsv.zip)' for t in missing)}")
    return found


def _unpacked(path: Path, scratch: Path) -> Path:
    """A zipped table is unpacked (streamed) into ``scratch``: DuckDB reads .tsv and .tsv.gz but not .zip."""
    if path.suffix != ".zip":
        return path
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise RecordsInputError(f"{path}: expected one table in the zip file, found {len(members)}")
            target = scratch / Path(members[0]).name
            with archive.open(members[0]) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    except zipfile.BadZipFile as error:
        raise RecordsInputError(f"{path}: not a readable zip file ({error})") from None
    return target


def _tsv(path: Path, names: Sequence[str]) -> str:
    """A table function reading the TSV file with these column names (its header line), every value as text.
    DuckDB's sniffer is off: it would take a row with more fields than the header for the header."""
    columns = ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names)
    return (f"read_csv({exact_sql_path(path)}, delim = '\\t', header = true, auto_detect = false, "
            f"columns = {{{columns}}}, quote = '\"', escape = '\"', skip = 0, hive_partitioning = false)")


def _header(path: Path, shown_as: Path) -> list[str]:
    """The column names of a TSV file's header line (a .gz file is read through gzip)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            raw = stream.readline(1 << 20)
    except (OSError, EOFError) as error:
        raise RecordsInputError(f"{shown_as}: cannot be read ({error})") from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        column = len(raw[: error.start].decode("utf-8", errors="replace")) + 1  # in characters, as an editor counts
        raise RecordsInputError(f"{shown_as}:1:{column}: found the byte 0x{raw[error.start]:02x}, which is not UTF-8 "
                                "text; expected UTF-8 text") from None
    names = [name.strip('"') for name in text.split("\t")]
    if not text or len(set(names)) != len(names):
        raise RecordsInputError(f"{shown_as}:1: found the header line {text[:120]!r}; expected one line of "
                                "distinct column names separated by tabs")
    return names


def _check_columns(table: str, path: Path, shown_as: Path) -> str:
    """The table function reading ``table``'s file, once its header holds the columns the mapping reads."""
    columns = _header(path, shown_as)
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in columns]
    if missing:
        raise RecordsInputError(f"{shown_as}:1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                                f"found {', '.join(columns[:12])}")
    return _tsv(path, columns)


def run_patentsview(tables_dir: Path, out_dir: Path, *, years: tuple[int, int] | None = None,
                    patent_types: Sequence[str] = ("utility",), fmt: Format = "parquet",
                    memory_limit: str | None = None) -> AdapterSummary:
    """Write ``out_dir``'s ``pct`` rows from PatentsView's bulk tables in ``tables_dir``."""
    files = find_tables(tables_dir)
    check_years(years)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--tables": Path(tables_dir)})
    with scratch_beside(out_dir, "patentsview") as scratch:
        con = connect(memory_limit, scratch)
        try:
            readable = {table: _unpacked(path, scratch) for table, path in files.items()}
            shown = {str(form): str(files[table]) for table, path in readable.items()  # as DuckDB may name it
                     for form in (path, os.path.abspath(path), exact_path(path))}
            sources = {table: _check_columns(table, path, files[table]) for table, path in readable.items()}
            return _extract(con, sources, files, out_dir, years, patent_types, fmt, Path(tables_dir))
        except RecordsInputError:
            raise
        except duckdb.Error as error:  # DuckDB's words, at the file and line it names
            raise RecordsInputError(input_error(error, shown)) from None
        finally:
            con.close()


def _at_least_two_digits(expression: str) -> str:
    """``1`` -> ``01``, ``8242`` stays ``8242`` (DuckDB's lpad would cut it to two characters)."""
    return f"CASE WHEN length({expression}) < 2 THEN lpad({expression}, 2, '0') ELSE {expression} END"


def _extract(con, sources: dict[str, str], files: dict[str, Path], out_dir: Path, years, patent_types,
             fmt: Format, tables_dir: Path) -> AdapterSummary:
    # Load: the patents judged once (kept, or the reason they are dropped).
    year_from, year_to = years if years else (None, None)
    con.execute(f"""
        CREATE TEMP TABLE patents AS
        SELECT 'US' || patent_id AS doc_id, patent_id, TRY_CAST(left(patent_date, 4) AS INTEGER) AS year,
               CASE WHEN patent_type IS NULL OR NOT list_contains($types, lower(patent_type))
                        THEN 'not of the kept patent types'
                    WHEN lower(coalesce(withdrawn, '0')) IN ('1', 'true', 't', 'yes') THEN 'withdrawn'
                    WHEN TRY_CAST(left(patent_date, 4) AS INTEGER) IS NULL THEN 'without a grant date'
                    WHEN $year_from IS NOT NULL AND TRY_CAST(left(patent_date, 4) AS INTEGER)
                         NOT BETWEEN $year_from AND $year_to THEN 'outside the years'
               END AS dropped
        FROM {sources['g_patent']}""",
                {"types": [t.lower() for t in patent_types], "year_from": year_from, "year_to": year_to})

    # Process: the four tables, joined to the kept patents.
    kept = "(SELECT doc_id, patent_id, year FROM patents WHERE dropped IS NULL)"
    tables = {
        "documents": f"SELECT doc_id, 'pct' AS kind, year FROM {kept}",
        "addresses": f"""
            SELECT k.doc_id, TRY_CAST(i.inventor_sequence AS INTEGER) + 1 AS seq,
                   TRY_CAST(l.latitude AS DOUBLE) AS lat, TRY_CAST(l.longitude AS DOUBLE) AS lon,
                   nullif(trim(l.disambig_city), '') AS city,
                   CASE WHEN regexp_full_match(upper(trim(l.disambig_country)), '[A-Z]{{2}}')
                        THEN upper(trim(l.disambig_country)) END AS economy
            FROM {kept} k
            JOIN {sources['g_inventor_disambiguated']} i USING (patent_id)
            LEFT JOIN {sources['g_location_disambiguated']} l USING (location_id)""",
        "organisations": f"""
            SELECT DISTINCT k.doc_id,
                   coalesce(nullif(trim(a.disambig_assignee_organization), ''),
                            nullif(trim(concat_ws(' ', a.disambig_assignee_individual_name_first,
                                                  a.disambig_assignee_individual_name_last)), '')) AS name,
                   'applicant' AS role
            FROM {kept} k JOIN {sources['g_assignee_disambiguated']} a USING (patent_id)
            WHERE name IS NOT NULL""",
        "classes": f"""
            SELECT DISTINCT k.doc_id,
                   upper(trim(c.section)) || {_at_least_two_digits('trim(c.ipc_class)')} || upper(trim(c.subclass))
                   || CASE WHEN nullif(trim(c.main_group), '') IS NULL THEN ''
                           ELSE ' ' || CAST(TRY_CAST(trim(c.main_group) AS INTEGER) AS VARCHAR) || '/'
                                || {_at_least_two_digits("coalesce(nullif(trim(c.subgroup), ''), '00')")} END AS code
            FROM {kept} k JOIN {sources['g_ipc_at_issue']} c USING (patent_id)
            WHERE nullif(trim(c.section), '') IS NOT NULL AND nullif(trim(c.ipc_class), '') IS NOT NULL
              AND nullif(trim(c.subclass), '') IS NOT NULL""",
    }

    # Save.
    summary = AdapterSummary(source=f"PatentsView tables {tables_dir}")
    for reason, count in con.execute("SELECT coalesce(dropped, ''), count(*) FROM patents GROUP BY ALL ORDER BY 1"
                                     ).fetchall():
        summary.read += count
        if reason:
            summary.dropped[reason] = count
    bad_sequence = con.execute(f"""SELECT count(*) FROM {sources['g_inventor_disambiguated']}
                                   WHERE TRY_CAST(inventor_sequence AS INTEGER) IS NULL""").fetchone()[0]
    if bad_sequence:
        raise RecordsInputError(f"{files['g_inventor_disambiguated'].name}: {bad_sequence} rows whose inventor_sequence "
                                "is not a whole number")
    summary.written = write_records(con, "pct", tables, out_dir, fmt)
    summary.addresses_without_coordinates = addresses_without_coordinates(con, out_dir, fmt, "pct")
    summary.out_dir = str(out_dir)
    summary.notes.append(PATENT_KIND_NOTE)
    return summary
