"""OpenAlex works -> records folder (kind ``article``), in DuckDB.

Input: the works entity in any layout ``openalex_input`` accepts (the snapshot's JSON Lines, gzipped or not, in
``updated_date=YYYY-MM-DD/part_NNN.gz`` folders; API list responses; pretty-printed JSON; the Parquet snapshot),
and the institutions entity in the same layouts (a folder or one file). Coordinates live on the institution
(``geo.latitude``, ``geo.longitude``, ``geo.city``, ``geo.country_code``), so each authorship is joined to its
institutions.

The mapping (the same in ``openalex_spark``):
- one version per work: a work present in several files (the snapshot keeps a work in every ``updated_date``
  partition it was synced into) is read from the newest, by its ``updated_date`` field, then by the partition's
  date, then by file path; the older versions are counted ("superseded by a newer version of the same work").
- documents: works whose ``type`` is in ``types`` (default ``article``) and whose ``publication_year`` is in
  ``years`` (inclusive; all years if not given). Types of the older vocabulary (Crossref's, before mid-2023) are
  read as OpenAlex's current ones: ``journal-article`` and ``proceedings-article`` as ``article``,
  ``posted-content`` as ``preprint`` (``TYPE_VOCABULARY``). ``doc_id`` is the short OpenAlex id (``W2741809807``).
- science and technology only: WIPO's publication layer is SCIE, "original research articles in S&T fields only
  (no social sciences or humanities)" (GII 2024 Appendix IV). A work is left out when its primary topic lies in
  OpenAlex's "Social Sciences" domain (``domains/2``: the fields Arts and Humanities; Business, Management and
  Accounting; Decision Sciences; Economics, Econometrics and Finance; Psychology; Social Sciences). The domain is
  the top of OpenAlex's topic tree, taken from Scopus' ASJC, whose Social Sciences area is what Web of Science
  keeps in SSCI and AHCI rather than SCIE: the closest open match to WIPO's rule, one per work. A work without a
  primary topic (snapshots before topics, 2024) is judged by its highest-scoring level-0 concept (legacy), left
  out when that is Art, Business, Economics, History, Philosophy, Political science, Psychology or Sociology
  (``SSH_CONCEPTS``; Geography, half physical, is kept); a work with neither is kept. ``keep_ssh`` keeps them all.
- addresses: one row per author and institution: an author with institutions in two places (or two economies)
  has two rows, one at each, and an author without an institution one row without coordinates (the economy of
  the authorship's ``countries`` when it names one). ``seq`` numbers the rows of a work in author order, then in
  the order the authorship lists its institutions (an institution listed twice counts once). The core splits a
  work equally over its address rows (``frac = 1/k``), so k counts author-institution pairs: METHOD.md §1.3's
  "1/k_locations" variant, which keeps every place an author names instead of only the first one. An author with
  two institutions thus carries twice the weight of a colleague with one, spread over both places.
- organisations: each distinct institution named on the work (``display_name``), role ``affiliation``.
- classes: the work's science field, ``primary_topic.field.display_name`` (OpenAlex's 26 fields, e.g.
  "Engineering"): OpenAlex's own field names, not WIPO's Web of Science based grouping, which is not public.

The works are read once, in a streaming scan, into a narrow Parquet file of the kept works; the four tables are
written from it. Memory stays bounded (``memory_limit``; DuckDB spills to the temporary folder).
"""

from __future__ import annotations

import json
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
from cluster_profiles.compute.adapters.openalex_input import EXPECTED, WorkFiles, expected, prepare_works

OPENALEX_PREFIX = "https://openalex.org/"
# OpenAlex's types before mid-2023 were Crossref's; what each became (the others kept their names)
TYPE_VOCABULARY = {"journal-article": "article", "proceedings-article": "article", "posted-content": "preprint"}
SSH_DOMAIN_ID = "https://openalex.org/domains/2"
SSH_DOMAIN_NAME = "Social Sciences"
SSH_CONCEPTS = ("Art", "Business", "Economics", "History", "Philosophy", "Political science", "Psychology",
                "Sociology")
ABOUT = dict(title="OpenAlex works", publisher="OurResearch (OpenAlex)", licence="CC0 1.0",
             url="https://openalex.org", one="scientific article", many="scientific articles")
DROPPED_SSH = "social sciences and humanities"
DROPPED_OLDER = "superseded by a newer version of the same work"

# Only the fields the mapping uses are declared (a JSON value: DuckDB's from_json structure; ``sql_type`` and
# ``openalex_spark`` derive their types from it): DuckDB skips the rest of each record while parsing.
WORK_FIELDS: dict[str, object] = {
    "id": "VARCHAR",
    "publication_year": "INTEGER",
    "type": "VARCHAR",
    "updated_date": "VARCHAR",
    "authorships": [{"author_position": "VARCHAR", "countries": ["VARCHAR"],
                     "institutions": [{"id": "VARCHAR", "display_name": "VARCHAR", "country_code": "VARCHAR"}]}],
    "primary_topic": {"field": {"display_name": "VARCHAR"}, "domain": {"id": "VARCHAR", "display_name": "VARCHAR"}},
    "concepts": [{"display_name": "VARCHAR", "level": "INTEGER", "score": "DOUBLE"}],
}
INSTITUTION_FIELDS: dict[str, object] = {
    "id": "VARCHAR",
    "display_name": "VARCHAR",
    "country_code": "VARCHAR",
    "updated_date": "VARCHAR",
    "geo": {"city": "VARCHAR", "country_code": "VARCHAR", "latitude": "DOUBLE", "longitude": "DOUBLE"},
}
SKIPPED_NAMES = {"manifest", "manifest.json"}  # the snapshot's manifest files sit beside the partitions


def sql_type(spec: object) -> str:
    """A DuckDB type from a from_json structure: ``[{"a": "VARCHAR"}]`` -> ``STRUCT("a" VARCHAR)[]``."""
    if isinstance(spec, list):
        return f"{sql_type(spec[0])}[]"
    if isinstance(spec, dict):
        return "STRUCT(" + ", ".join(f'"{name}" {sql_type(inner)}' for name, inner in spec.items()) + ")"
    return str(spec)


WORK_COLUMNS = {name: sql_type(spec) for name, spec in WORK_FIELDS.items()}
INSTITUTION_COLUMNS = {name: sql_type(spec) for name, spec in INSTITUTION_FIELDS.items()}


def normal_type(work_type: str) -> str:
    """A work type in OpenAlex's current vocabulary (``journal-article`` -> ``article``)."""
    return TYPE_VOCABULARY.get(work_type, work_type)


def snapshot_files(path: Path, what: str) -> list[Path]:
    """The data files of an entity: ``path`` itself, or every data file below it (sorted)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise RecordsInputError(f"{path}: no such file or folder ({what})")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name not in SKIPPED_NAMES
                   and not p.name.startswith((".", "_")))
    if not files:
        raise RecordsInputError(f"{path}: no files ({what}); {EXPECTED}, such as updated_date=2024-01-01/part_000.gz")
    return files


def _json_source(files: Sequence[Path], columns: dict[str, str], *, with_file: bool = False) -> str:
    paths = "[" + ", ".join(exact_sql_path(f) for f in files) + "]"
    spec = "{" + ", ".join(f"{sql_string(name)}: {sql_string(type_)}" for name, type_ in columns.items()) + "}"
    return (f"read_json({paths}, format = 'newline_delimited', columns = {spec}, compression = 'auto_detect', "
            f"hive_partitioning = false, union_by_name = false, filename = {'true' if with_file else 'false'})")


def _parquet_source(con, files: Sequence[Path], entity: str = "works") -> str:
    """The entity's columns from Parquet files, nested ones read by name (unknown fields ignored, missing ones
    NULL), as the JSON reader gives them; a file without the entity's columns is refused."""
    paths = "[" + ", ".join(exact_sql_path(f) for f in files) + "]"
    source = f"read_parquet({paths}, union_by_name = true, filename = true, hive_partitioning = false)"
    found = {name: type_ for name, type_, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    fields = WORK_FIELDS if entity == "works" else INSTITUTION_FIELDS
    needed = ("id", "type", "publication_year", "authorships") if entity == "works" else ("id", "geo")
    missing = [c for c in needed if c not in found]
    if missing:
        others = ", ".join([c for c in found if c != "filename"][:8])
        raise RecordsInputError(f"{files[0]}: a Parquet file without the column{'s' if len(missing) > 1 else ''} "
                                f"{', '.join(missing)} (found {others}); {expected(entity)}")
    columns = []
    for name, spec in fields.items():
        if name not in found:
            columns.append(f'CAST(NULL AS {sql_type(spec)}) AS "{name}"')
        elif isinstance(spec, str):
            columns.append(f'TRY_CAST("{name}" AS {spec}) AS "{name}"' if name != "updated_date" else
                           f'replace(TRY_CAST("{name}" AS VARCHAR), \' \', \'T\') AS "{name}"')
        else:
            as_json = f'"{name}"' if found[name] in ("VARCHAR", "JSON") else f'to_json("{name}")'
            columns.append(f'from_json({as_json}, {sql_string(json.dumps(spec))}) AS "{name}"')
    return f"SELECT {', '.join(columns)}, filename FROM {source}"


def institution_source(con, inputs: WorkFiles) -> str:
    """The institutions' rows from their JSON Lines and Parquet files (none: no rows)."""
    sources = []
    if inputs.jsonl:
        sources.append(f"SELECT * FROM {_json_source(inputs.jsonl, INSTITUTION_COLUMNS)}")
    if inputs.parquet:
        sources.append(f"SELECT * EXCLUDE (filename) FROM ({_parquet_source(con, inputs.parquet, 'institutions')})")
    if not sources:
        return "SELECT " + ", ".join(f'NULL::{type_} AS "{name}"' for name, type_ in INSTITUTION_COLUMNS.items()) + \
            " WHERE false"
    return " UNION ALL BY NAME ".join(f"({query})" for query in sources)


def short_id(expression: str) -> str:
    return f"regexp_replace({expression}, '^{OPENALEX_PREFIX}', '')"


def run_openalex(works: Path, institutions: Path, out_dir: Path, *, years: tuple[int, int] | None = None,
                 types: Sequence[str] = ("article",), fmt: Format = "parquet", memory_limit: str | None = None,
                 keep_ssh: bool = False) -> AdapterSummary:
    """Write ``out_dir``'s article rows from OpenAlex works and institutions file(s)."""
    work_files, institution_files = snapshot_inputs(works, institutions, years)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--works": Path(works), "--institutions": Path(institutions)})
    with scratch_beside(out_dir, "openalex") as scratch:
        prepared = prepare_works(work_files, scratch)
        institution_inputs = prepare_works(institution_files, scratch, entity="institutions")
        con = connect(memory_limit, scratch)
        shown = {str(form): str(path) for path in [*work_files, *institution_files]
                 for form in (path, os.path.abspath(path), exact_path(path))}
        shown.update({str(form): original for rewritten, original in {**prepared.shown, **institution_inputs.shown}.items()
                      for form in (rewritten, exact_path(rewritten))})
        try:
            return _extract(con, prepared, institution_inputs, out_dir, scratch, years, types, fmt, works, keep_ssh)
        except RecordsInputError:
            raise
        except duckdb.Error as error:  # DuckDB's words, at the file and line it names
            raise RecordsInputError(input_error(error, shown)) from None
        finally:
            con.close()


def snapshot_inputs(works: Path, institutions: Path, years: tuple[int, int] | None) -> tuple[list[Path], list[Path]]:
    """The works and institutions files of a snapshot, with the years checked: what both engines start from."""
    work_files = snapshot_files(works, "OpenAlex works")
    institution_files = snapshot_files(institutions, "OpenAlex institutions")
    check_years(years)
    return work_files, institution_files


def ssh_condition(topic: str = "primary_topic", concepts: str = "concepts") -> str:
    """SQL: the work is in the social sciences or humanities (see the module's docstring); NULL when unknown."""
    level0 = f"list_filter({concepts}, lambda c: c.level = 0 AND c.score IS NOT NULL)"
    top_concept = (f"(list_filter({level0}, lambda c: c.score = list_max(list_transform({level0}, lambda d: d.score))))[1]"
                   ".display_name")
    ssh_names = "[" + ", ".join(sql_string(name) for name in SSH_CONCEPTS) + "]"
    return f"""CASE WHEN {topic}.domain.id IS NOT NULL OR {topic}.domain.display_name IS NOT NULL
                    THEN coalesce({topic}.domain.id = {sql_string(SSH_DOMAIN_ID)}, false)
                         OR coalesce({topic}.domain.display_name = {sql_string(SSH_DOMAIN_NAME)}, false)
                    ELSE list_contains({ssh_names}, {top_concept}) END"""


def type_case(expression: str) -> str:
    whens = " ".join(f"WHEN {sql_string(old)} THEN {sql_string(new)}" for old, new in TYPE_VOCABULARY.items())
    return f"CASE {expression} {whens} ELSE {expression} END"


def _extract(con, prepared: WorkFiles, institution_inputs: WorkFiles, out_dir: Path, scratch: Path, years, types, fmt: Format,
             works: Path, keep_ssh: bool) -> AdapterSummary:
    # Load: one streaming pass over the works into a narrow Parquet file (every work's verdict, for the summary;
    # authorships and field only for the kept ones).
    sources = []
    if prepared.jsonl:
        sources.append(f"SELECT * FROM {_json_source(prepared.jsonl, WORK_COLUMNS, with_file=True)}")
    if prepared.parquet:
        sources.append(_parquet_source(con, prepared.parquet))
    stage = scratch / "works.parquet"
    year_from, year_to = years if years else (None, None)
    kept_types = sorted({normal_type(t) for t in types})
    if sources:
        raw = " UNION ALL BY NAME ".join(f"({query})" for query in sources)
        con.execute(f"""
            COPY (
                WITH raw AS ({raw}),
                versions AS (
                    SELECT *, {short_id('id')} AS doc_id,
                           row_number() OVER (PARTITION BY {short_id('id')}
                                              ORDER BY updated_date DESC NULLS LAST,
                                                       regexp_extract(filename, 'updated_date=([0-9-]+)[^=]*$', 1)
                                                           DESC NULLS LAST,
                                                       filename DESC) AS version
                    FROM raw
                ),
                judged AS (
                    SELECT doc_id, publication_year AS year, authorships,
                           primary_topic.field.display_name AS field,
                           {type_case('type')} IS DISTINCT FROM type AS older_vocabulary,
                           CASE WHEN doc_id IS NULL OR trim(doc_id) = '' THEN 'without an id'
                                WHEN version > 1 THEN {sql_string(DROPPED_OLDER)}
                                WHEN type IS NULL OR NOT list_contains($types, {type_case('type')})
                                    THEN 'not of the kept types'
                                WHEN publication_year IS NULL THEN 'without a publication year'
                                WHEN $year_from IS NOT NULL AND publication_year NOT BETWEEN $year_from AND $year_to
                                    THEN 'outside the years'
                                WHEN NOT $keep_ssh AND coalesce({ssh_condition()}, false) THEN {sql_string(DROPPED_SSH)}
                           END AS dropped,
                           {ssh_condition()} IS NULL AS field_unknown
                    FROM versions
                )
                SELECT doc_id, year, dropped, older_vocabulary, field_unknown,
                       CASE WHEN dropped IS NULL THEN authorships END AS authorships,
                       CASE WHEN dropped IS NULL THEN field END AS field
                FROM judged
            ) TO {sql_string(stage)} (FORMAT parquet)""",
                    {"types": kept_types, "year_from": year_from, "year_to": year_to, "keep_ssh": keep_ssh})
    else:  # every file was empty
        con.execute(f"COPY (SELECT NULL::VARCHAR AS doc_id, NULL::INTEGER AS year, NULL::VARCHAR AS dropped, "
                    f"false AS older_vocabulary, false AS field_unknown, NULL::{WORK_COLUMNS['authorships']} AS "
                    f"authorships, NULL::VARCHAR AS field WHERE false) TO {sql_string(stage)} (FORMAT parquet)")
    con.execute(f"""
        CREATE TEMP TABLE geo AS
        SELECT {short_id('id')} AS institution_id,
               arg_max(display_name, coalesce(updated_date, '')) AS name,
               arg_max(geo.latitude, coalesce(updated_date, '')) AS lat,
               arg_max(geo.longitude, coalesce(updated_date, '')) AS lon,
               arg_max(geo.city, coalesce(updated_date, '')) AS city,
               arg_max(coalesce(geo.country_code, country_code), coalesce(updated_date, '')) AS economy
        FROM ({institution_source(con, institution_inputs)})
        WHERE id IS NOT NULL
        GROUP BY ALL""")

    # Process: the four tables as queries over the staged works.
    kept = f"(SELECT * FROM read_parquet({exact_sql_path(stage)}) WHERE dropped IS NULL)"
    con.execute(f"""
        CREATE TEMP TABLE authors AS
        SELECT doc_id, unnest(range(1, len(authorships) + 1)) AS author_index, unnest(authorships) AS author
        FROM {kept}""")
    # each author's distinct institutions, in the order listed (an id listed twice counts once)
    con.execute(f"""
        CREATE TEMP TABLE affiliations AS
        SELECT doc_id, author_index, position, institution FROM (
            SELECT doc_id, author_index, unnest(range(1, len(author.institutions) + 1)) AS position,
                   unnest(author.institutions) AS institution
            FROM authors)
        QUALIFY row_number() OVER (PARTITION BY doc_id, author_index,
                                   coalesce({short_id('institution.id')}, '#' || position) ORDER BY position) = 1""")
    con.execute(f"""
        CREATE TEMP TABLE places AS
        SELECT a.doc_id, row_number() OVER (PARTITION BY a.doc_id ORDER BY a.author_index, f.position) AS seq,
               a.author_index, g.lat, g.lon, g.city,
               upper(coalesce(g.economy, f.institution.country_code,
                              CASE WHEN len(a.author.countries) = 1 OR f.position IS NULL
                                   THEN a.author.countries[1] END)) AS economy,
               coalesce(f.institution.display_name, g.name) AS name
        FROM authors a
        LEFT JOIN affiliations f USING (doc_id, author_index)
        LEFT JOIN geo g ON g.institution_id = {short_id('f.institution.id')}""")
    tables = {
        "documents": f"SELECT doc_id, 'article' AS kind, year FROM {kept}",
        "addresses": "SELECT doc_id, seq, lat, lon, city, economy FROM places",
        "organisations": """SELECT DISTINCT doc_id, name, 'affiliation' AS role FROM places
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
    older, unknown = con.execute(f"""SELECT count(*) FILTER (WHERE older_vocabulary AND dropped IS NULL),
                                            count(*) FILTER (WHERE field_unknown AND dropped IS NULL)
                                     FROM read_parquet({exact_sql_path(stage)})""").fetchone()
    several, economies = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE n_economies > 1) FROM (
            SELECT doc_id, author_index, count(DISTINCT economy) AS n_economies FROM places
            GROUP BY doc_id, author_index HAVING count(*) > 1)""").fetchone()
    summary.notes.extend(openalex_notes(prepared, older=older, unknown=unknown, several=several, economies=economies,
                                        keep_ssh=keep_ssh, dropped_ssh=summary.dropped.get(DROPPED_SSH, 0)))
    describe_records(con, out_dir, fmt, "article", **ABOUT)
    return summary


def openalex_notes(prepared: WorkFiles, *, older: int, unknown: int, several: int, economies: int, keep_ssh: bool,
                   dropped_ssh: int) -> list[str]:
    """The summary's notes, the same for both engines."""
    notes = []
    if (layouts := prepared.note()) is not None:
        notes.append(layouts)
    if older:
        notes.append(f"{older:,} kept {'work is' if older == 1 else 'works are'} typed in OpenAlex's older "
                     "vocabulary (journal-article, proceedings-article, posted-content): read as article or preprint")
    if keep_ssh:
        notes.append("social sciences and humanities kept (--keep-social-sciences); WIPO leaves them out")
    else:
        notes.append(f"{dropped_ssh:,} {'work' if dropped_ssh == 1 else 'works'} dropped: social sciences and "
                     "humanities, left out as WIPO does (GII 2024 Appendix IV: S&T fields only): primary topic in "
                     "OpenAlex's Social Sciences domain, or (without topics) top level-0 concept one of "
                     f"{', '.join(SSH_CONCEPTS)}")
        if unknown:
            notes.append(f"{unknown:,} kept {'work has' if unknown == 1 else 'works have'} neither a primary topic "
                         "nor a level-0 concept: kept, field unknown")
    if several:
        notes.append(f"{several:,} {'author lists' if several == 1 else 'authors list'} several institutions "
                     f"({economies:,} in several economies): one address row at each; a work is split equally "
                     "over its author-institution rows")
    notes.append("science fields are OpenAlex's primary_topic.field (26 fields), not WIPO's grouping")
    return notes
