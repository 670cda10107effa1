"""OpenAlex works snapshot -> records folder (kind ``article``), in DuckDB.

Input layout (https://docs.openalex.org/download-all-data/snapshot-data-format): the works entity as JSON Lines,
one work per line, gzipped (``.gz``) or not, usually partitioned in folders ``updated_date=YYYY-MM-DD/part_NNN.gz``;
the institutions entity in the same layout (or one file). Coordinates live on the institution (``geo.latitude``,
``geo.longitude``, ``geo.city``, ``geo.country_code``), so each authorship is joined to its institutions.

The mapping (the same in ``openalex_spark``):
- documents: works whose ``type`` is in ``types`` (default ``article``) and whose ``publication_year`` is in
  ``years`` (inclusive; all years if not given). ``doc_id`` is the short OpenAlex id (``W2741809807``).
- addresses: one row per authorship (person), ``seq`` = its position in ``authorships`` (1 = first author). The
  location is that of the author's first institution that has coordinates; an author with none keeps a row
  without coordinates (so the core can count and report it), with the economy of the first institution or, failing
  that, the first of the authorship's ``countries``.
- organisations: each distinct institution named on the work (``display_name``), role ``affiliation``.
- classes: the work's science field, ``primary_topic.field.display_name`` (OpenAlex's 26 fields, e.g.
  "Engineering"): OpenAlex's own field names, not WIPO's Web of Science based grouping, which is not public.

The works are read once, in a streaming scan, into a narrow Parquet file of the kept works; the four tables are
written from it. Memory stays bounded (``memory_limit``; DuckDB spills to the temporary folder).
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
    exact_path,
    exact_sql_path,
    input_error,
    scratch_beside,
    sql_string,
    write_records,
)

OPENALEX_PREFIX = "https://openalex.org/"

# Only the fields the mapping uses are declared: DuckDB skips the rest of each record while parsing.
WORK_COLUMNS = {
    "id": "VARCHAR",
    "publication_year": "INTEGER",
    "type": "VARCHAR",
    "authorships": "STRUCT(author_position VARCHAR, countries VARCHAR[], "
                   "institutions STRUCT(id VARCHAR, display_name VARCHAR, country_code VARCHAR)[])[]",
    "primary_topic": "STRUCT(field STRUCT(display_name VARCHAR))",
}
INSTITUTION_COLUMNS = {
    "id": "VARCHAR",
    "display_name": "VARCHAR",
    "country_code": "VARCHAR",
    "updated_date": "VARCHAR",
    "geo": "STRUCT(city VARCHAR, country_code VARCHAR, latitude DOUBLE, longitude DOUBLE)",
}
SKIPPED_NAMES = {"manifest"}  # the snapshot's manifest files sit beside the partitions


def snapshot_files(path: Path, what: str) -> list[Path]:
    """The JSON Lines files of an entity: ``path`` itself, or every data file below it (sorted)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise RecordsInputError(f"{path}: no such file or folder ({what})")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name not in SKIPPED_NAMES
                   and not p.name.startswith((".", "_")))
    if not files:
        raise RecordsInputError(f"{path}: no files ({what}); expected JSON Lines files such as "
                                "updated_date=2024-01-01/part_000.gz")
    return files


def _json_source(files: Sequence[Path], columns: dict[str, str]) -> str:
    paths = "[" + ", ".join(exact_sql_path(f) for f in files) + "]"
    spec = "{" + ", ".join(f"{sql_string(name)}: {sql_string(type_)}" for name, type_ in columns.items()) + "}"
    return (f"read_json({paths}, format = 'newline_delimited', columns = {spec}, compression = 'auto_detect', "
            "hive_partitioning = false, union_by_name = false)")


def short_id(expression: str) -> str:
    return f"regexp_replace({expression}, '^{OPENALEX_PREFIX}', '')"


def run_openalex(works: Path, institutions: Path, out_dir: Path, *, years: tuple[int, int] | None = None,
                 types: Sequence[str] = ("article",), fmt: Format = "parquet", memory_limit: str | None = None,
                 ) -> AdapterSummary:
    """Write ``out_dir``'s article rows from an OpenAlex works snapshot and institutions file(s)."""
    work_files, institution_files = snapshot_inputs(works, institutions, years)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--works": Path(works), "--institutions": Path(institutions)})
    with scratch_beside(out_dir, "openalex") as scratch:
        con = connect(memory_limit, scratch)
        try:
            return _extract(con, work_files, institution_files, out_dir, scratch, years, types, fmt, works)
        except RecordsInputError:
            raise
        except duckdb.Error as error:  # DuckDB's words, at the file and line it names
            shown = {str(form): str(path) for path in [*work_files, *institution_files]
                     for form in (path, os.path.abspath(path), exact_path(path))}
            raise RecordsInputError(input_error(error, shown)) from None
        finally:
            con.close()


def snapshot_inputs(works: Path, institutions: Path, years: tuple[int, int] | None) -> tuple[list[Path], list[Path]]:
    """The works and institutions files of a snapshot, with the years checked: what both engines start from."""
    work_files = snapshot_files(works, "OpenAlex works")
    institution_files = snapshot_files(institutions, "OpenAlex institutions")
    check_years(years)
    return work_files, institution_files


def _extract(con, work_files, institution_files, out_dir: Path, scratch: Path, years, types, fmt: Format,
             works: Path) -> AdapterSummary:
    # Load: one streaming pass over the works into a narrow Parquet file (every work's type and year, for the
    # summary; authorships and field only for the kept ones).
    stage = scratch / "works.parquet"
    year_from, year_to = years if years else (None, None)
    con.execute(f"""
        COPY (
            WITH works AS (SELECT * FROM {_json_source(work_files, WORK_COLUMNS)}),
            judged AS (
                SELECT {short_id('id')} AS doc_id, publication_year AS year, authorships,
                       primary_topic.field.display_name AS field,
                       CASE WHEN type IS NULL OR NOT list_contains($types, type) THEN 'not of the kept types'
                            WHEN publication_year IS NULL THEN 'without a publication year'
                            WHEN $year_from IS NOT NULL AND publication_year NOT BETWEEN $year_from AND $year_to
                                THEN 'outside the years'
                       END AS dropped
                FROM works
            )
            SELECT doc_id, year, dropped,
                   CASE WHEN dropped IS NULL THEN authorships END AS authorships,
                   CASE WHEN dropped IS NULL THEN field END AS field
            FROM judged
        ) TO {sql_string(stage)} (FORMAT parquet)""",
                {"types": list(types), "year_from": year_from, "year_to": year_to})
    con.execute(f"""
        CREATE TEMP TABLE geo AS
        SELECT {short_id('id')} AS institution_id,
               arg_max(display_name, coalesce(updated_date, '')) AS name,
               arg_max(geo.latitude, coalesce(updated_date, '')) AS lat,
               arg_max(geo.longitude, coalesce(updated_date, '')) AS lon,
               arg_max(geo.city, coalesce(updated_date, '')) AS city,
               arg_max(coalesce(geo.country_code, country_code), coalesce(updated_date, '')) AS economy
        FROM {_json_source(institution_files, INSTITUTION_COLUMNS)}
        WHERE id IS NOT NULL
        GROUP BY ALL""")

    # Process: the four tables as queries over the staged works.
    kept = f"(SELECT * FROM read_parquet({exact_sql_path(stage)}) WHERE dropped IS NULL)"
    authors = f"""(SELECT doc_id, unnest(range(1, len(authorships) + 1)) AS seq, unnest(authorships) AS author
                   FROM {kept})"""
    affiliations = f"""(SELECT doc_id, seq, author.countries[1] AS author_country,
                               unnest(range(1, len(author.institutions) + 1)) AS position,
                               unnest(author.institutions) AS institution
                        FROM {authors})"""
    located = f"""(SELECT a.doc_id, a.seq, a.position, g.lat, g.lon, g.city,
                          coalesce(g.economy, a.institution.country_code, a.author_country) AS economy,
                          coalesce(a.institution.display_name, g.name) AS name
                   FROM {affiliations} a LEFT JOIN geo g ON g.institution_id = {short_id('a.institution.id')})"""
    # the first institution with coordinates, else the first institution (for its economy)
    best = f"""(SELECT doc_id, seq,
                       arg_min(struct_pack(lat, lon, city, economy),
                               CASE WHEN lat IS NULL OR lon IS NULL THEN 1000000 ELSE 0 END + position) AS place
                FROM {located} GROUP BY doc_id, seq)"""
    tables = {
        "documents": f"SELECT doc_id, 'article' AS kind, year FROM {kept}",
        "addresses": f"""SELECT a.doc_id, a.seq, b.place.lat AS lat, b.place.lon AS lon, b.place.city AS city,
                                upper(coalesce(b.place.economy, a.author.countries[1])) AS economy
                         FROM {authors} a LEFT JOIN {best} b USING (doc_id, seq)""",
        "organisations": f"""SELECT DISTINCT doc_id, name, 'affiliation' AS role FROM {located}
                             WHERE name IS NOT NULL AND trim(name) <> ''""",
        "classes": f"SELECT doc_id, field AS code FROM {kept} WHERE field IS NOT NULL AND trim(field) <> ''",
    }

    # Save.
    summary = AdapterSummary(source=f"OpenAlex works {works}")
    for reason, count in con.execute(f"SELECT coalesce(dropped, ''), count(*) FROM read_parquet({exact_sql_path(stage)}) "
                                     "GROUP BY ALL ORDER BY 1").fetchall():
        summary.read += count
        if reason:
            summary.dropped[reason] = count
    summary.written = write_records(con, "article", tables, out_dir, fmt)
    summary.addresses_without_coordinates = addresses_without_coordinates(con, out_dir, fmt, "article")
    summary.out_dir = str(out_dir)
    summary.notes.append("science fields are OpenAlex's primary_topic.field (26 fields), not WIPO's grouping")
    return summary

