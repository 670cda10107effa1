"""Geocoded worldwide patent first filings -> records folder (kind ``pct``, the patent layer), in DuckDB.

The source: de Rassenfosse, G., Kozak, J. & Seliger, F. (2019), "Geocoding of worldwide patent data", Scientific
Data 6, 260 (https://doi.org/10.1038/s41597-019-0264-6); the data on Harvard Dataverse, CC BY 4.0
(https://doi.org/10.7910/DVN/OTTBDX). It locates the inventors (``geoc_inv``) and applicants (``geoc_app``) of
about 18.8 million first filings (priority filings, 1980-2016) at 52 patent offices, imputing a missing address
from the patent family's later filings or, failing that, from the applicants.

Input: ``geoc_inv.txt`` as published (or ``geoc_inv_person.txt``, the same rows with the PATSTAT ``person_id``),
as downloaded (``.zip``) or unpacked, or gzipped; or the folder holding it. Comma-separated with a header line:
``appln_id, [person_id,] patent_office, filing_date, lat, lng, ctry_code, name_0 … name_5, city, coord_source,
source, type``, one row per inventor location of an application. Read: ``appln_id``, ``filing_date``, ``lat``,
``lng``, ``ctry_code`` (required), and ``person_id``, ``city``, ``source``, ``type`` when present.

Mapping: documents are the applications (``doc_id`` ``PATSTAT-`` + ``appln_id``), year = the filing year of the
first filing; one address per row (``seq`` in the order of ``person_id``, then the coordinates), at the row's
coordinates (Google's geocoding or GeoNames, as ``coord_source`` says), economy ``ctry_code``, city ``city``.
``filing_types`` keeps the applications of these ``type`` values (``priority``, ``pct``, ``continual``,
``tech_rel``, ``single``: how the filing was identified as first); ``inventors_only`` leaves out the applications
located by their applicants' address (``source`` 4-6: no inventor address in the family), which the summary counts
either way. The dataset names no applicants and no technology classes: organisations and classes stay empty (join
PATSTAT ``tls209_appln_ipc`` by ``appln_id`` for fields). Applicant locations (``geoc_app``) are refused: WIPO's
patent layer locates inventors.

These are first filings at any office, not PCT applications: written as kind ``pct`` (the records' patent layer)
and named "first patent filings" in ``about.json``, so the pages say so.
"""

from __future__ import annotations

import os
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
from cluster_profiles.compute.adapters.patentsview import unpacked

INVENTOR_FILES = ("geoc_inv", "geoc_inv_person")
APPLICANT_FILES = ("geoc_app", "geoc_app_person")
SUFFIXES = (".txt", ".txt.gz", ".txt.zip", ".zip", ".csv", ".csv.gz")
REQUIRED = ("appln_id", "filing_date", "lat", "lng", "ctry_code")
OPTIONAL = ("person_id", "city", "source", "type")
FILING_TYPES = ("priority", "pct", "continual", "tech_rel", "single")
EXPECTED = ("expected geoc_inv.txt of de Rassenfosse, Kozak & Seliger (2019, Harvard Dataverse doi:10.7910/DVN/OTTBDX): "
            "comma-separated, a header line appln_id,patent_office,filing_date,lat,lng,ctry_code,name_0,…,name_5,"
            "city,coord_source,source,type (geoc_inv_person.txt adds person_id)")
ABOUT = dict(title="Geocoding of worldwide patent data: inventors of first filings",
             publisher="de Rassenfosse, Kozak and Seliger (Harvard Dataverse)", licence="CC BY 4.0",
             url="https://doi.org/10.7910/DVN/OTTBDX")
KIND_NOTE = ("first filings at any patent office are written as kind 'pct' (the patent layer) and named first patent "
             "filings in about.json: they are not PCT applications; year = filing year")


def find_inventor_file(path: Path) -> Path:
    """The inventors' file: ``path`` itself, or the first of geoc_inv / geoc_inv_person (any suffix) in the folder."""
    path = Path(path)
    if path.is_file():
        stem = path.name.split(".")[0].lower()
        if stem in APPLICANT_FILES:
            raise RecordsInputError(f"{path}: holds applicant locations; WIPO's patent layer locates inventors: "
                                    "give geoc_inv.txt")
        return path
    if not path.is_dir():
        raise RecordsInputError(f"{path}: no such file or folder (geocoded patent data)")
    for stem in INVENTOR_FILES:
        for suffix in SUFFIXES:
            if (path / f"{stem}{suffix}").is_file():
                return path / f"{stem}{suffix}"
    holds_applicants = any((path / f"{stem}{suffix}").is_file() for stem in APPLICANT_FILES for suffix in SUFFIXES)
    raise RecordsInputError(f"{path}: missing geoc_inv.txt (or geoc_inv_person.txt; .zip, .gz)"
                            + ("; it holds only applicant locations (geoc_app), and WIPO's patent layer locates "
                               "inventors" if holds_applicants else f"; {EXPECTED}"))


def _header(path: Path, shown_as: Path) -> list[str]:
    import gzip  # only here, for a gzipped file's header

    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as stream:
            raw = stream.readline(1 << 20)
    except (OSError, EOFError) as error:
        raise RecordsInputError(f"{shown_as}: cannot be read ({error}); {EXPECTED}") from None
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace").rstrip("\r\n")
    names = [name.strip().strip('"').lower() for name in text.split(",")]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise RecordsInputError(f"{shown_as}:1: found the header {text[:100]!r}, without {', '.join(missing)}; "
                                f"{EXPECTED}")
    if len(set(names)) != len(names):
        raise RecordsInputError(f"{shown_as}:1: found a column named twice in {text[:100]!r}; {EXPECTED}")
    return names


def run_geocoded_patents(source: Path, out_dir: Path, *, years: tuple[int, int] | None = None,
                         filing_types: Sequence[str] | None = None, inventors_only: bool = False,
                         fmt: Format = "parquet", memory_limit: str | None = None) -> AdapterSummary:
    """Write ``out_dir``'s ``pct`` rows from the geocoded inventors of worldwide first filings."""
    given = find_inventor_file(source)
    check_years(years)
    unknown = sorted(set(filing_types or ()) - set(FILING_TYPES))
    if unknown:
        raise RecordsInputError(f"--filing-types {' '.join(unknown)}: expected some of {', '.join(FILING_TYPES)}")
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--tables": Path(source)})
    with scratch_beside(out_dir, "geocoded-patents") as scratch:
        con = connect(memory_limit, scratch)
        readable = unpacked(given, scratch)
        shown = {str(form): str(given) for form in (readable, os.path.abspath(readable), exact_path(readable))}
        try:
            names = _header(readable, given)
            return _extract(con, readable, names, given, out_dir, years, filing_types, inventors_only, fmt)
        except RecordsInputError:
            raise
        except duckdb.Error as error:  # DuckDB's words, at the file and line it names
            raise RecordsInputError(input_error(error, shown)) from None
        finally:
            con.close()


def _extract(con, path: Path, names: list[str], given: Path, out_dir: Path, years, filing_types, inventors_only: bool,
             fmt: Format) -> AdapterSummary:
    columns = ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names)
    source = (f"read_csv({exact_sql_path(path)}, delim = ',', header = true, auto_detect = false, "
              f"columns = {{{columns}}}, quote = '\"', escape = '\"', hive_partitioning = false)")

    def column(name: str) -> str:
        return f'nullif(trim("{name}"), \'\')' if name in names else "CAST(NULL AS VARCHAR)"

    # Load: the rows, typed, once.
    con.execute(f"""
        CREATE TEMP TABLE rows AS
        SELECT {column('appln_id')} AS appln_id, TRY_CAST(left({column('filing_date')}, 4) AS INTEGER) AS year,
               TRY_CAST({column('lat')} AS DOUBLE) AS lat, TRY_CAST({column('lng')} AS DOUBLE) AS lon,
               {column('city')} AS city,
               CASE WHEN regexp_full_match(upper({column('ctry_code')}), '[A-Z]{{2}}') THEN upper({column('ctry_code')})
               END AS economy,
               TRY_CAST({column('person_id')} AS BIGINT) AS person_id, TRY_CAST({column('source')} AS INTEGER) AS source,
               lower({column('type')}) AS filing_type
        FROM {source}""")
    bad_id = con.execute("SELECT count(*) FROM rows WHERE appln_id IS NULL").fetchone()[0]
    if bad_id:
        raise RecordsInputError(f"{given}: {bad_id:,} rows without an appln_id; {EXPECTED}")
    year_from, year_to = years if years else (None, None)
    con.execute("""
        CREATE TEMP TABLE applications AS
        SELECT 'PATSTAT-' || appln_id AS doc_id, appln_id, min(year) AS year,
               bool_and(source BETWEEN 4 AND 6) AS by_applicants, any_value(filing_type) AS filing_type,
               CASE WHEN min(year) IS NULL THEN 'without a filing date'
                    WHEN $year_from IS NOT NULL AND min(year) NOT BETWEEN $year_from AND $year_to
                        THEN 'outside the years'
                    WHEN $types IS NOT NULL AND NOT list_contains($types, any_value(filing_type))
                        THEN 'not of the kept filing types'
                    WHEN $inventors_only AND bool_and(source BETWEEN 4 AND 6)
                        THEN 'located by the applicants'' address (source 4-6)'
               END AS dropped
        FROM rows GROUP BY appln_id""",
                {"year_from": year_from, "year_to": year_to, "inventors_only": inventors_only,
                 "types": list(filing_types) if filing_types else None})

    # Process
    kept = "(SELECT doc_id, appln_id, year FROM applications WHERE dropped IS NULL)"
    tables = {
        "documents": f"SELECT doc_id, 'pct' AS kind, year FROM {kept}",
        "addresses": f"""
            SELECT k.doc_id, row_number() OVER (PARTITION BY k.doc_id ORDER BY r.person_id NULLS LAST, r.lat, r.lon,
                                                                              r.city, r.economy) AS seq,
                   r.lat, r.lon, r.city, r.economy
            FROM {kept} k JOIN rows r USING (appln_id)""",
        "organisations": "SELECT NULL::VARCHAR AS doc_id, NULL::VARCHAR AS name, NULL::VARCHAR AS role WHERE false",
        "classes": "SELECT NULL::VARCHAR AS doc_id, NULL::VARCHAR AS code WHERE false",
    }

    # Save
    summary = AdapterSummary(source=f"geocoded first filings {given}")
    for reason, count in con.execute("SELECT coalesce(dropped, ''), count(*) FROM applications GROUP BY ALL "
                                     "ORDER BY 1").fetchall():
        summary.read += count
        if reason:
            summary.dropped[reason] = count
    summary.written = write_records(con, "pct", tables, out_dir, fmt)
    summary.addresses_without_coordinates = addresses_without_coordinates(con, out_dir, fmt, "pct")
    summary.out_dir = str(out_dir)
    summary.notes.append(KIND_NOTE)
    if not inventors_only:
        by_applicants = con.execute("SELECT count(*) FROM applications WHERE dropped IS NULL AND by_applicants"
                                    ).fetchone()[0]
        summary.notes.append(f"{by_applicants:,} kept {'filing is' if by_applicants == 1 else 'filings are'} "
                             "located by the applicants' address (source 4-6, no inventor address in the family); "
                             "--inventors-only leaves them out")
    summary.notes.append("the dataset names no applicants and no technology classes: organisations and classes "
                         "are empty")
    pct_only = bool(filing_types) and set(filing_types) == {"pct"}
    one, many = ("PCT first filing", "PCT first filings") if pct_only else ("first patent filing",
                                                                             "first patent filings")
    describe_records(con, out_dir, fmt, "pct", **ABOUT, one=one, many=many)
    return summary
