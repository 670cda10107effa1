"""PatentsView bulk tables (granted US patents) -> records folder, in DuckDB.

Input: a folder with PatentsView's "granted patent" bulk tables as downloaded (``<table>.tsv.zip``) or unpacked
(``<table>.tsv``, also ``.tsv.gz``): tab-separated, a header line, one row per patent, inventor, location, assignee
or IPC symbol. The columns read (others are ignored, so later releases with more columns still work):

- ``g_patent``: ``patent_id``, ``patent_type``, ``patent_date``, ``withdrawn``
- ``g_inventor_disambiguated``: ``patent_id``, ``inventor_sequence``, ``location_id``
- ``g_location_disambiguated``: ``location_id``, ``disambig_city``, ``disambig_country``, ``latitude``, ``longitude``
- ``g_assignee_disambiguated``: ``patent_id``, ``disambig_assignee_organization``,
  ``disambig_assignee_individual_name_first``, ``disambig_assignee_individual_name_last``
- ``g_ipc_at_issue``: ``patent_id``, ``section``, ``ipc_class``, ``subclass``, ``main_group``, ``subgroup``; or,
  in a folder without it, ``g_cpc_current``: ``patent_id``, ``cpc_group`` (the CPC symbol, ``H01L21/8242``)
- ``g_pct_data`` (optional): ``patent_id``; a grant with a row there came by the PCT route (the table holds the
  PCT filing and WO publication of grants that entered the US national phase under 35 U.S.C. 371)

The patent layer: WIPO counts PCT applications; PatentsView holds US grants. The records contract knows two kinds,
``pct`` and ``article``, so US grants are written as kind ``pct`` and stand in as the patent layer. They are not PCT
applications: the year is the grant year (not the PCT publication year), only inventions granted in the US are
there, and inventors abroad appear only on US grants. The summary printed by the command says so, and the
folder's ``about.json`` names them "US patent grants" (``compute.about``), so the pages never call them PCT
applications. With ``g_pct_data``, ``pct_route_only`` keeps only the grants that came by the PCT route (named
"US patent grants by the PCT route"), the closest these tables come to WIPO's layer; without it the summary
counts them.

Mapping: documents are the patents of the kept ``patent_types`` (default ``utility``: inventions, as PCT
applications are), not withdrawn, granted in ``years`` (inclusive); ``doc_id`` is ``US`` + ``patent_id``. One address
per inventor, ``seq`` = ``inventor_sequence`` + 1 (the tables count from 0), located at the inventor's disambiguated
location (city level). Organisations are the assignees (role ``applicant``; an individual assignee by name). Classes
are the IPC symbols at issue, written as ``H01L 21/8242``.

CPC-only folders: the CPC is the IPC extended below the main group (EPO-USPTO; its sections A-H, classes,
subclasses and main groups are the IPC's, and CPC subgroups refine IPC ones), and the WIPO technology fields are
defined on IPC subclasses and main groups (``compute.fields``). So each CPC symbol is written as its IPC main group
(``H01L21/8242`` -> ``H01L 21/00``), which keeps every field assignment. What has no IPC counterpart is left out and
counted: section Y (tagging of cross-sectional technologies) and the 2000-series indexing groups
(``G06F2203/04809``). A main group the CPC added on its own is rare and would only miss its field.
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
    describe_records,
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
    "g_cpc_current": ("patent_id", "cpc_group"),
    "g_pct_data": ("patent_id",),
}
# g_ipc_at_issue, or g_cpc_current in its place; g_pct_data only when present
CLASS_TABLES = ("g_ipc_at_issue", "g_cpc_current")
OPTIONAL_TABLES = ("g_pct_data",)
SUFFIXES = (".tsv", ".tsv.gz", ".tsv.zip", ".zip")
PATENT_KIND_NOTE = ("PatentsView US grants are written as kind 'pct' (the patent layer) and named US patent grants "
                    "in about.json: they are not PCT applications; year = grant year")
ABOUT = dict(title="PatentsView granted patents", publisher="USPTO PatentsView", licence="CC BY 4.0",
             url="https://patentsview.org/download/data-download-tables")
NOUNS = ("US patent grant", "US patent grants")
PCT_ROUTE_NOUNS = ("US patent grant by the PCT route", "US patent grants by the PCT route")


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
    if "g_ipc_at_issue" in found:
        found.pop("g_cpc_current", None)  # the IPC itself when the folder has it
    missing = [f"{t}.tsv (or .tsv.zip)" for t in REQUIRED_COLUMNS
               if t not in found and t not in CLASS_TABLES and t not in OPTIONAL_TABLES]
    if not any(t in found for t in CLASS_TABLES):
        missing.append("g_ipc_at_issue.tsv (or g_cpc_current.tsv; .tsv.zip)")
    if missing:
        raise RecordsInputError(f"{tables_dir}: missing {', '.join(missing)}")
    return found


def unpacked(path: Path, scratch: Path) -> Path:
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
    if missing and len(columns) == 1 and "," in columns[0]:
        raise RecordsInputError(f"{shown_as}:1: found a comma-separated header; expected PatentsView's bulk table "
                                f"layout, tab-separated with a header line holding {', '.join(REQUIRED_COLUMNS[table])}")
    if missing:
        raise RecordsInputError(f"{shown_as}:1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                                f"found {', '.join(columns[:12])}")
    return _tsv(path, columns)


def run_patentsview(tables_dir: Path, out_dir: Path, *, years: tuple[int, int] | None = None,
                    patent_types: Sequence[str] = ("utility",), fmt: Format = "parquet",
                    memory_limit: str | None = None, pct_route_only: bool = False) -> AdapterSummary:
    """Write ``out_dir``'s ``pct`` rows from PatentsView's bulk tables in ``tables_dir``."""
    files = find_tables(tables_dir)
    if pct_route_only and "g_pct_data" not in files:
        raise RecordsInputError(f"--pct-route-only: {tables_dir}: missing g_pct_data.tsv (or .tsv.zip), the table "
                                "that tells which grants came by the PCT route")
    check_years(years)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--tables": Path(tables_dir)})
    with scratch_beside(out_dir, "patentsview") as scratch:
        con = connect(memory_limit, scratch)
        try:
            readable = {table: unpacked(path, scratch) for table, path in files.items()}
            shown = {str(form): str(files[table]) for table, path in readable.items()  # as DuckDB may name it
                     for form in (path, os.path.abspath(path), exact_path(path))}
            sources = {table: _check_columns(table, path, files[table]) for table, path in readable.items()}
            return _extract(con, sources, files, out_dir, years, patent_types, fmt, Path(tables_dir), pct_route_only)
        except RecordsInputError:
            raise
        except duckdb.Error as error:  # DuckDB's words, at the file and line it names
            raise RecordsInputError(input_error(error, shown)) from None
        finally:
            con.close()


def _at_least_two_digits(expression: str) -> str:
    """``1`` -> ``01``, ``8242`` stays ``8242`` (DuckDB's lpad would cut it to two characters)."""
    return f"CASE WHEN length({expression}) < 2 THEN lpad({expression}, 2, '0') ELSE {expression} END"


def _cpc_as_ipc(source: str) -> str:
    """``g_cpc_current``'s symbols as IPC main groups (see the module's docstring): (patent_id, code, verdict),
    verdict NULL for a written code, else why the symbol has no IPC counterpart."""
    symbol = "upper(regexp_replace(coalesce(cpc_group, ''), '\\s+', '', 'g'))"
    parts = f"regexp_extract({symbol}, '^([A-HY][0-9]{{2}}[A-Z])0*([0-9]{{1,4}})/([0-9]+)$', ['subclass', 'main'])"
    return f"""
        SELECT patent_id, p.subclass || ' ' || p.main || '/00' AS code,
               CASE WHEN p.subclass = '' THEN 'not a CPC symbol'
                    WHEN left(p.subclass, 1) = 'Y' THEN 'section Y'
                    WHEN TRY_CAST(p.main AS INTEGER) >= 2000 THEN '2000-series indexing'
               END AS verdict
        FROM (SELECT patent_id, {parts} AS p FROM {source})"""


def _extract(con, sources: dict[str, str], files: dict[str, Path], out_dir: Path, years, patent_types,
             fmt: Format, tables_dir: Path, pct_route_only: bool) -> AdapterSummary:
    # Load: the patents judged once (kept, or the reason they are dropped).
    year_from, year_to = years if years else (None, None)
    pct_route = (f"patent_id IN (SELECT patent_id FROM {sources['g_pct_data']})" if "g_pct_data" in sources
                 else "NULL")
    con.execute(f"""
        CREATE TEMP TABLE patents AS
        SELECT 'US' || patent_id AS doc_id, patent_id, TRY_CAST(left(patent_date, 4) AS INTEGER) AS year,
               {pct_route} AS pct_route,
               CASE WHEN patent_type IS NULL OR NOT list_contains($types, lower(patent_type))
                        THEN 'not of the kept patent types'
                    WHEN lower(coalesce(withdrawn, '0')) IN ('1', 'true', 't', 'yes') THEN 'withdrawn'
                    WHEN TRY_CAST(left(patent_date, 4) AS INTEGER) IS NULL THEN 'without a grant date'
                    WHEN $year_from IS NOT NULL AND TRY_CAST(left(patent_date, 4) AS INTEGER)
                         NOT BETWEEN $year_from AND $year_to THEN 'outside the years'
                    WHEN $pct_route_only AND NOT coalesce({pct_route}, false)
                        THEN 'not by the PCT route (no g_pct_data row)'
               END AS dropped
        FROM {sources['g_patent']}""",
                {"types": [t.lower() for t in patent_types], "year_from": year_from, "year_to": year_to,
                 "pct_route_only": pct_route_only})
    if "g_cpc_current" in sources:
        con.execute(f"CREATE TEMP TABLE class_symbols AS {_cpc_as_ipc(sources['g_cpc_current'])}")
    else:
        con.execute(f"""
            CREATE TEMP TABLE class_symbols AS
            SELECT c.patent_id,
                   upper(trim(c.section)) || {_at_least_two_digits('trim(c.ipc_class)')} || upper(trim(c.subclass))
                   || CASE WHEN nullif(trim(c.main_group), '') IS NULL THEN ''
                           ELSE ' ' || CAST(TRY_CAST(trim(c.main_group) AS INTEGER) AS VARCHAR) || '/'
                                || {_at_least_two_digits("coalesce(nullif(trim(c.subgroup), ''), '00')")} END AS code,
                   CAST(NULL AS VARCHAR) AS verdict
            FROM {sources['g_ipc_at_issue']} c
            WHERE nullif(trim(c.section), '') IS NOT NULL AND nullif(trim(c.ipc_class), '') IS NOT NULL
              AND nullif(trim(c.subclass), '') IS NOT NULL""")

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
            SELECT DISTINCT k.doc_id, c.code FROM {kept} k JOIN class_symbols c USING (patent_id)
            WHERE c.verdict IS NULL""",
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
    if "g_cpc_current" in sources:
        left_out = dict(con.execute(f"""SELECT verdict, count(*) FROM class_symbols WHERE verdict IS NOT NULL
                                        AND patent_id IN (SELECT patent_id FROM {kept}) GROUP BY ALL ORDER BY 1"""
                                    ).fetchall())
        without = ", ".join(f"{verdict} {count:,}" for verdict, count in left_out.items()) or "none"
        summary.notes.append("classes from g_cpc_current (no g_ipc_at_issue): each CPC symbol written as its IPC main "
                             f"group (H01L21/8242 -> H01L 21/00); symbols without an IPC counterpart left out: {without}")
    if "g_pct_data" in sources and not pct_route_only:
        by_pct, kept_count = con.execute("SELECT count(*) FILTER (WHERE pct_route), count(*) FROM patents "
                                         "WHERE dropped IS NULL").fetchone()
        summary.notes.append(f"{by_pct:,} of the {kept_count:,} grants came by the PCT route "
                             "(g_pct_data); --pct-route-only keeps only those")
    one, many = PCT_ROUTE_NOUNS if pct_route_only else NOUNS
    describe_records(con, out_dir, fmt, "pct", **ABOUT, one=one, many=many)
    return summary
