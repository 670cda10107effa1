"""The data contract's vocabulary, declared once and imported by both halves and by the schema.

The two outputs a cluster produces (PCT applications, scientific articles) and every word the reports
and checks use for them, so that a heading, a column header and a sentence never disagree about what an
output is called; the kinds of document a records folder holds; and the profile sections a gap can name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EDITIONS_RANGE = (2016, 2100)  # the GII editions a data folder or a computed run may name


@dataclass(frozen=True)
class Output:
    key: str  # the value of the ``output`` column in the data tables
    noun: str  # in sentences: "3% of Hefei's PCT patent applications are …"
    label: str  # a chart's category label
    total_column: str  # clusters.csv column holding the cluster's total of this output
    organisations_heading: str  # heading of the top-organisations section
    organisations_list: str  # that list, named inside a sentence
    organisation_header: str  # column header of the organisation's name
    count_header: str  # column header of the organisation's count
    fields_heading: str  # sub-heading of the top-fields section
    fields_list: str  # the top-fields list, named inside a sentence
    field_kind: str  # "technology" or "science"
    counted: str  # what is counted, in a count: "3 PCT applications"
    person: tuple[str, str]  # whom an address of one is, singular and plural: ("inventor", "inventors")


OUTPUTS: dict[str, Output] = {
    "patents": Output("patents", noun="PCT patent applications", label="PCT applications",
                      total_column="pct_applications", organisations_heading="Top PCT applicants",
                      organisations_list="top PCT applicants", organisation_header="Applicant",
                      count_header="Patents", fields_heading="Patents", fields_list="top technology fields",
                      field_kind="technology", counted="PCT applications", person=("inventor", "inventors")),
    "articles": Output("articles", noun="scientific articles", label="Scientific articles",
                       total_column="scientific_publications", organisations_heading="Top publishing organizations",
                       organisations_list="top publishing organizations", organisation_header="Organization",
                       count_header="Articles", fields_heading="Publications", fields_list="top science fields",
                       field_kind="science", counted="scientific articles", person=("author", "authors")),
}
OUTPUT_KEYS = list(OUTPUTS)  # the order in which the reports show them


def list_name(table: str, output: str) -> str:
    """The name of a top list in a sentence: ``list_name("top_fields", "patents")`` → "top technology fields"."""
    spec = OUTPUTS[output]
    return {"top_organisations": spec.organisations_list, "top_fields": spec.fields_list}[table]


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """The noun for ``n`` of them: 'document' for 1, 'documents' otherwise (both halves count things)."""
    return singular if n == 1 else (plural_form or singular + "s")


# The measure GII 2025 added to PCT applications and scientific articles (``editions.csv``'s ``metrics``).
VENTURE_CAPITAL_MEASURE = "venture-capital deals"

# What ``kind`` a records folder gives a document (``compute.records``), and the output it counts towards.
RECORD_KINDS: dict[str, str] = {"pct": "patents", "article": "articles"}
KIND_NOUNS: dict[str, str] = {kind: OUTPUTS[output].counted for kind, output in RECORD_KINDS.items()}
KIND_PEOPLE: dict[str, tuple[str, str]] = {kind: OUTPUTS[output].person for kind, output in RECORD_KINDS.items()}
# editions.csv's ``metrics`` of a data folder computed from records: what its clusters are ranked by
RECORDS_METRICS = "; ".join(KIND_NOUNS.values())


class GapSection(StrEnum):
    """The parts of a profile that ``gaps.csv`` can say are missing, and why (its ``section`` column).

    A reason under any other name would be dropped silently by the page that should show it: the schema
    accepts only these, and the narrator asks for them by member, never by a typed string.
    """

    RANKING = "ranking"  # the size and intensity ranks
    COUNTS = "counts"  # the totals of patents, articles, deals
    INTENSITY = "intensity"  # the figures per million inhabitants
    TOP_PATENTS = "top_patents"
    TOP_ARTICLES = "top_articles"
    FIELDS_PATENTS = "fields_patents"
    FIELDS_ARTICLES = "fields_articles"
    COLLABORATION_PATENTS = "collaboration_patents"
    COLLABORATION_ARTICLES = "collaboration_articles"
    COLLABORATION_PARTNERS = "collaboration_partners"  # the top collaborating locations
    VC_DEALS = "vc_deals"

    @classmethod
    def top_list(cls, output: str) -> GapSection:
        """The top applicants (patents) or publishing organisations (articles)."""
        return cls(f"top_{OUTPUTS[output].key}")

    @classmethod
    def fields(cls, output: str) -> GapSection:
        return cls(f"fields_{OUTPUTS[output].key}")

    @classmethod
    def collaboration(cls, output: str) -> GapSection:
        return cls(f"collaboration_{OUTPUTS[output].key}")


GAP_SECTIONS: tuple[str, ...] = tuple(section.value for section in GapSection)


# A data folder's optional ``about.csv`` (contract/folder_about.py): what the folder is. ``published``: WIPO's GII
# facts (a folder without the table is read so); ``computed``: clusters computed from records under named settings.
ABOUT_TABLE = "about"
PUBLISHED, COMPUTED = "published", "computed"
BASES = (PUBLISHED, COMPUTED)
COUNTINGS = ("fractional", "whole")  # how a computed folder's totals count a document (the settings' ``counting``)
NOUN_COLUMNS = {output: (f"{output}_one", f"{output}_many") for output in OUTPUT_KEYS}  # what the documents are called
