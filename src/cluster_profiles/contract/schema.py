"""The declared schema of every table in a data folder (pandera).

``data/README.md`` documents the same tables for people; ``tests/test_schema.py`` checks that the
two agree, column by column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandera.pandas as pa

from cluster_profiles.contract.text_rules import (  # noqa: F401 (the rules are the schema's: importers find them here)
    HAS_LETTER_OR_DIGIT,
    MAX_NAME_LENGTH,
    NO_CONTROL_IN_NAME,
    NO_CONTROL_IN_TEXT,
    NO_MARKUP,
)
from cluster_profiles.contract.vocabulary import (  # noqa: F401 (EDITIONS_RANGE: importers find it here too)
    ABOUT_TABLE,
    BASES,
    COUNTINGS,
    EDITIONS_RANGE,
    GAP_SECTIONS,
    NOUN_COLUMNS,
    OUTPUT_KEYS,
)

OUTPUTS = OUTPUT_KEYS  # the values of every table's ``output`` column (see contract/vocabulary.py)
URL_OR_CITATION = r"\S"  # a source must say something; its form is free text with URLs
# Counts above this are implausible for one cluster (the largest have about 10**5 PCT applications):
# a larger value is a typing or unit error, and would print as a many-digit number.
MAX_COUNT = 100_000_000

# Text columns hold str or missing cells: validate.coerce_types makes them so before the schema is checked, so the
# schema declares the frame's dtype, object. (pandera's own str check tests each cell again, slowly, and under
# pandas 3 it refuses an empty object column, such as a computed folder's conflicts table.)
TEXT = object

# A check given a message of its own (error=...) reports it as what the cell should hold; pandera names the
# others by their name and arguments, which validate._describe_check puts in words.
_edition = pa.Column("Int64", pa.Check.in_range(*EDITIONS_RANGE), nullable=False)
_rank_1_100 = pa.Column("Int64", pa.Check.in_range(1, 100), nullable=True)
_count = pa.Column("Float64", [pa.Check.ge(0), pa.Check.le(MAX_COUNT, error=(
    f"a value of at most {MAX_COUNT:,} (larger counts are implausible for a cluster: a typing or unit error?)"))],
    nullable=True)
_share = pa.Column("Float64", pa.Check.in_range(0, 100), nullable=True)
# A place in a source's ordered list. Empty when the source names the items without an order (an
# unnumbered list, names in a sentence): the row's note then says why (checked in crosschecks.py). The
# key of a top list is therefore its rank *and* its name; a rank is used once per list (crosschecks.py).
_list_rank = pa.Column("Int64", pa.Check.in_range(1, 50), nullable=True)


def _text(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    """Free text (sources, notes, reasons): anything printable."""
    no_control = pa.Check.str_matches(NO_CONTROL_IN_TEXT, error="no control, invisible or bidirectional-override "
                                                                 "characters (tabs and line breaks are allowed here)")
    return pa.Column(TEXT, [*checks, no_control], nullable=nullable)


_source = _text(pa.Check.str_matches(URL_OR_CITATION, error="a source: a citation or a web address"))
_note = _text(nullable=True)




def _name(nullable: bool = False) -> pa.Column:
    return pa.Column(
        TEXT,
        [pa.Check.str_length(1, MAX_NAME_LENGTH, error=f"a name of 1 to {MAX_NAME_LENGTH} characters"),
         pa.Check.str_matches(r"^\S(.*\S)?\Z", error="no leading or trailing spaces"),
         pa.Check.str_matches(NO_MARKUP, error="plain text: no HTML tags (< >), backticks or Markdown (**, __, [text](link))"),
         pa.Check.str_matches(NO_CONTROL_IN_NAME, error="no control, invisible or bidirectional-override characters "
                                                        "(U+0000-U+001F, U+202A-U+202E, U+2066-U+2069, zero-width spaces)"),
         pa.Check.str_matches(HAS_LETTER_OR_DIGIT, error="a name with at least one letter or digit")],
        nullable=nullable,
    )


def _output() -> pa.Column:
    return pa.Column(TEXT, pa.Check.isin(OUTPUTS), nullable=False)


Scope = Literal["reference", "edition", "cluster"]
SCOPES: dict[str, str] = {
    "reference": "every report may read every row (economies, cluster locations)",
    "edition": "a report reads the rows of its edition and of the previous one (rankings, counts)",
    "cluster": "a report reads the rows of its own cluster and edition (top lists, collaboration, notes)",
}


@dataclass(frozen=True)
class TableSpec:
    """A table of the data folder: its file, its key, its declared columns and its scope.

    The scope says which rows a report depends on: the cross-checks (rows refer to known editions
    and clusters), the fingerprints of incremental renders and ``Tables`` are derived from it.
    """

    name: str
    key: tuple[str, ...]
    schema: pa.DataFrameSchema
    scope: Scope
    required: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"table {self.name}: scope {self.scope!r} is not one of {', '.join(SCOPES)}")
        needed = {"reference": [], "edition": ["edition"], "cluster": ["cluster"]}[self.scope]
        if any(column not in self.schema.columns for column in needed):
            raise ValueError(f"table {self.name}: a table of scope {self.scope!r} needs the column(s) {needed}")

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return list(self.schema.columns)


def _schema(columns: dict[str, pa.Column], key: tuple[str, ...]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=True, ordered=False, unique=list(key))


TABLES: dict[str, TableSpec] = {}


def _table(name: str, key: tuple[str, ...], columns: dict[str, pa.Column], description: str,
           scope: Scope, required: bool = True) -> None:
    TABLES[name] = TableSpec(name, key, _schema(columns, key), scope, required, description)


_table(
    "editions",
    ("edition",),
    {
        "edition": _edition,
        "metrics": _text(),
        "pct_window": pa.Column(TEXT, pa.Check.str_matches(r"^\d{4}–\d{4}\Z", error="two years joined by an en dash, such as 2018–2022"), nullable=True),
        "articles_window": pa.Column(TEXT, pa.Check.str_matches(r"^\d{4}–\d{4}\Z", error="two years joined by an en dash, such as 2018–2022"), nullable=True),
        "vc_deals_window": pa.Column(TEXT, pa.Check.str_matches(r"^\d{4}–\d{4}\Z", error="two years joined by an en dash, such as 2018–2022"), nullable=True),
        "release_date": pa.Column(TEXT, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}\Z", error="a date as YYYY-MM-DD"), nullable=True),
        "report_url": pa.Column(TEXT, pa.Check.str_matches(r"^https?://\S+\Z", error="a web address starting with https:// or http://"), nullable=True),
        "source": _source,
    },
    "One row per GII edition: the metrics and data windows it uses.",
    scope="edition",
)
_table(
    "economies",
    ("code",),
    {
        "code": pa.Column(TEXT, pa.Check.str_matches(r"^[A-Z]{2}\Z", error="a two-letter ISO code in capitals, such as DE")),
        "name": _name(),
        "adjective": _name(),
        "source": _source,
    },
    "One row per economy code used by the clusters table.",
    scope="reference",
)
_table(
    "clusters",
    ("edition", "cluster"),
    {
        "edition": _edition,
        "cluster": _name(),
        "economy": pa.Column(TEXT, pa.Check.str_matches(r"^[A-Z]{2}\*?(/[A-Z]{2}\*?)*\Z", error=(
            "two-letter ISO codes in capitals, such as DE, joined by / for a cross-border cluster (CN/HK); "
            "a * after a code as the GII prints it (TW*)"))),
        "size_rank": _rank_1_100,
        "intensity_rank": _rank_1_100,
        "vc_rank": _rank_1_100,
        "economy_rank": _rank_1_100,
        "in_top100": pa.Column(TEXT, pa.Check.isin(["true", "false"]), nullable=True),
        "pct_applications": _count,
        "scientific_publications": _count,
        "vc_deals": _count,
        "pct_per_million": _count,
        "articles_per_million": _count,
        "vc_deals_per_million": _count,
        "pct_share_pct": _share,
        "pub_share_pct": _share,
        "vc_share_pct": _share,
        "total_share_pct": pa.Column("Float64", pa.Check.in_range(0, 200), nullable=True),
        "previous_rank": _rank_1_100,
        "growth_pct": pa.Column("Float64", pa.Check.in_range(-100, 1000), nullable=True),
        "source": _source,
        "note": _note,
    },
    "One row per cluster and edition: ranks, counts, per-million figures, shares, growth.",
    scope="edition",
)
_table(
    "economy_cluster_counts",
    ("edition", "economy"),
    {
        "edition": _edition,
        "economy": pa.Column(TEXT, pa.Check.str_matches(r"^[A-Z]{2}\Z", error="a two-letter ISO code in capitals, such as DE")),
        "cluster_count": pa.Column("Int64", pa.Check.in_range(1, 100)),
        "source": _source,
    },
    "How many of an edition's top 100 clusters an economy has, as a source states it.",
    scope="edition",
)
_table(
    "top_organisations",
    ("edition", "cluster", "output", "rank", "organisation"),
    {
        "edition": _edition,
        "cluster": _name(),
        "output": _output(),
        "rank": _list_rank,
        "organisation": _name(),
        "count": _count,
        "share_pct": _share,
        "source": _source,
        "note": _note,
    },
    "Top PCT applicants (output = patents) and top publishing organisations (output = articles).",
    scope="cluster",
)
_table(
    "top_fields",
    ("edition", "cluster", "output", "rank", "field"),
    {
        "edition": _edition,
        "cluster": _name(),
        "output": _output(),
        "rank": _list_rank,
        "field": _name(),
        "share_pct": _share,
        "source": _source,
        "note": _note,
    },
    "Top technology fields (patents) and science fields (articles); 'Other' is the remainder.",
    scope="cluster",
)
_table(
    "collaboration",
    ("edition", "cluster", "output"),
    {
        "edition": _edition,
        "cluster": _name(),
        "output": _output(),
        "share_pct": _share,
        "source": _source,
        "note": _note,
    },
    "Share of a cluster's patents or articles produced in collaboration.",
    scope="cluster",
)
_table(
    "collaboration_partners",
    ("edition", "cluster", "output", "rank", "partner"),
    {
        "edition": _edition,
        "cluster": _name(),
        "output": _output(),
        "rank": _list_rank,
        "partner": _name(),
        "source": _source,
        "note": _note,
    },
    "Top collaborating locations, spelled as the source spells them.",
    scope="cluster",
)
_table(
    "conflicts",
    ("edition", "cluster", "column", "source"),
    {
        "edition": _edition,
        "cluster": _name(),
        "column": _text(),
        "reported_value": _text(),
        "source": _source,
        "note": _note,
    },
    "Values reported by other sources that disagree with the clusters table; kept, not resolved.",
    scope="cluster",
)
_table(
    "gaps",
    ("edition", "cluster", "section"),
    {
        "edition": _edition,
        "cluster": _name(),
        "section": pa.Column(TEXT, pa.Check.isin(GAP_SECTIONS), nullable=False),
        "reason": _text(),
        "source": _source,
    },
    "Why a known piece of data is missing (cut off in the source, not stated, ...).",
    scope="cluster",
)

_table(
    "cluster_locations",
    ("cluster", "city"),
    {
        "cluster": _name(),
        "city": _name(),
        "latitude": pa.Column("Float64", pa.Check.in_range(-90, 90), nullable=False),
        "longitude": pa.Column("Float64", pa.Check.in_range(-180, 180), nullable=False),
        "geonames_id": pa.Column("Int64", pa.Check.gt(0), nullable=True),
        "source": _source,
        "note": _note,
    },
    "Where each cluster is drawn on the maps: one row per city (no edition: a reference table).",
    scope="reference",
)

_table(
    "cluster_footprints",
    ("edition", "cluster", "latitude", "longitude"),
    {
        "edition": _edition,
        "cluster": _name(),
        "latitude": pa.Column("Float64", pa.Check.in_range(-90, 90), nullable=False),
        "longitude": pa.Column("Float64", pa.Check.in_range(-180, 180), nullable=False),
        "weight": pa.Column("Float64", pa.Check.gt(0), nullable=False),
        "source": _source,
    },
    "A computed cluster's footprint: the grid cells of its records, weighted by their people (optional; "
    "written by cluster-profiles compute).",
    scope="cluster",
    required=False,
)

_sha256 = pa.Column(TEXT, pa.Check.str_matches(r"^[0-9a-f]{64}\Z", error="a sha256: 64 hexadecimal digits"),
                    nullable=True)
_table(
    ABOUT_TABLE,
    ("basis",),
    {
        "basis": pa.Column(TEXT, pa.Check.isin(BASES), nullable=False),
        "title": _text(pa.Check.str_length(1, MAX_NAME_LENGTH, error=f"a title of 1 to {MAX_NAME_LENGTH} characters")),
        "publisher": _text(nullable=True),
        "licence": _text(nullable=True),
        "url": pa.Column(TEXT, pa.Check.str_matches(r"^https?://\S+\Z", error="a web address starting with https:// or http://"), nullable=True),
        "method": _text(nullable=True),
        "records": _text(nullable=True),
        "records_sha256": _sha256,
        "settings": _text(nullable=True),
        "settings_sha256": _sha256,
        "tool_version": pa.Column(TEXT, pa.Check.str_matches(r"^\S+\Z", error="a version such as 0.1.0"), nullable=True),
        "counting": pa.Column(TEXT, pa.Check.isin(COUNTINGS), nullable=True),
        **{column: _name(nullable=True) for pair in NOUN_COLUMNS.values() for column in pair},
        "source": _source,
    },
    "What the folder is (optional, one row; without it: WIPO's published GII data): its title, publisher, licence "
    "and method; for a folder computed from records, the records and settings by name and sha256, the tool's "
    "version, the counting, and what the records' documents are called.",
    scope="reference",
    required=False,
)

NUMERIC_DTYPES = {"Int64", "Float64"}


def numeric_columns(spec: TableSpec) -> dict[str, str]:
    """Columns the loader must turn from text into numbers, with their pandas dtype."""
    return {
        name: str(column.dtype)
        for name, column in spec.schema.columns.items()
        if str(column.dtype) in NUMERIC_DTYPES
    }
