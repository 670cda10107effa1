"""What a data folder is: WIPO's published GII facts, or clusters computed from someone's records.

A data folder may hold ``about.csv``, one row (``schema.TABLES["about"]``). Without it the folder is
read as published GII data, as the shipped ``data/`` is (WIPO's facts, CC BY 4.0), so that folders
typed by hand keep working. ``cluster-profiles clusters`` writes it for every folder it computes: the
records' own title, publisher and licence (their ``about.json``), the method, the records and the
settings by name and content hash, the tool's version, what the records' documents are called, and
how they were counted. The pages read it through ``folder_about`` and say what the folder is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from cluster_profiles.contract.canonical_csv import line_of
from cluster_profiles.contract.vocabulary import ABOUT_TABLE, COMPUTED, NOUN_COLUMNS, OUTPUTS, PUBLISHED, Output
from cluster_profiles.errors import Problem

SHORT_HASH = 12  # hex digits of a sha256 a page shows: enough to tell two inputs apart by eye
# The columns a computed folder must fill (a published one leaves them empty)
COMPUTED_COLUMNS = ("records", "records_sha256", "settings", "settings_sha256", "tool_version", "counting")

# What a total of documents counts, in words every page uses for it (a computed folder's totals): the clusters
# table's totals follow the settings' counting; a collaboration count is always of whole documents.
COUNTING_BASIS = {
    "fractional": "fractional count: a document split among the places of its addresses",
    "whole": "whole documents with an address in the cluster",
}
WHOLE_DOCUMENTS = "whole documents"


@dataclass(frozen=True)
class FolderAbout:
    """The folder's own description: ``basis`` is ``published`` (WIPO's GII) or ``computed`` (from records)."""

    basis: str = PUBLISHED
    title: str = "Global Innovation Index"
    publisher: str | None = "WIPO"
    licence: str | None = "CC BY 4.0"
    url: str | None = None
    method: str | None = None
    records: str | None = None  # the records folder's name (never its path)
    records_sha256: str | None = None
    settings: str | None = None  # the settings file's name, or "the default settings"
    settings_sha256: str | None = None
    tool_version: str | None = None
    counting: str | None = None  # fractional or whole (computed folders)
    nouns: dict[str, tuple[str, str]] = field(default_factory=dict)  # output -> (one, many), when not the standard

    @property
    def computed(self) -> bool:
        return self.basis == COMPUTED

    def counted(self, output: str, n: float = 2) -> str:
        """What ``n`` of an output's documents are called: "PCT applications", or "US patent grants" when the
        records say so; the standard words for a published folder."""
        one, many = self.nouns.get(output, (OUTPUTS[output].counted.removesuffix("s"), OUTPUTS[output].counted))
        return one if n == 1 else many

    def output(self, output: str) -> Output:
        """The words the pages use for an output, with the records' own noun where they give one (a folder of US
        patent grants has "Top applicants of US patent grants", never "Top PCT applicants")."""
        words = OUTPUTS[output]
        if output not in self.nouns:
            return words
        many = self.nouns[output][1]
        return replace(words, noun=many, label=many[:1].upper() + many[1:], counted=many,
                       organisations_heading=f"Top {words.organisation_header.lower()}s of {many}",
                       organisations_list=f"top {words.organisation_header.lower()}s of {many}")

    @property
    def total_basis(self) -> str | None:
        """What the clusters table's totals count (None for a published folder: the GII says it)."""
        return COUNTING_BASIS.get(self.counting or "") if self.computed else None

    def notice(self) -> str:
        """The footer of a computed page, instead of WIPO's notice: what the folder is, who published the records
        and under what licence, and how it was computed (records and settings by name and content hash)."""
        where = f" ({self.url})" if self.url else ""
        published = f"; records published by {self.publisher}" if self.publisher else ""
        licence = f"; the records' licence: {self.licence}" if self.licence else "; the records state no licence"
        return (f"{self.title}{where}{published}{licence}. {self.source_line()}. Not WIPO data: every figure "
                "above was computed from these records.")

    def method_line(self) -> str:
        """The method paragraph of a computed page."""
        return ("These clusters are computed from records, not taken from the Global Innovation Index: "
                f"{self.method or 'the method is not stated.'}")

    def source_line(self) -> str:
        """The computed folder as a source: the records and the settings by name and short content hash."""
        return (f"Computed with cluster-profiles {self.tool_version} from the records {self.records} "
                f"(sha256 {short_hash(self.records_sha256)}) with the settings {self.settings} "
                f"(sha256 {short_hash(self.settings_sha256)})")


def tool_version() -> str:
    """The installed cluster-profiles version, named in what a computed folder says about itself."""
    try:
        return version("cluster-profiles")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def settings_name(settings_file: str) -> str:
    """The settings as a folder names them: the file's name, never the folder it sat in on this machine."""
    return settings_file if settings_file.startswith("the default settings") else Path(settings_file).name


# The start of a computed row's source (``FolderAbout.source_line``): where a page's note names it in short
COMPUTED_SOURCE = re.compile(r"^Computed with cluster-profiles \S+ from the records (?P<records>.+?) "
                             r"\(sha256 (?P<sha256>[0-9a-f]+)\)")


def short_hash(sha256: str | None) -> str:
    return (sha256 or "")[:SHORT_HASH]


PUBLISHED_GII = FolderAbout()


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def folder_about(tables) -> FolderAbout:
    """The data folder's ``about.csv`` row, or the published GII's description without one."""
    frame = tables.frames.get(ABOUT_TABLE)
    if frame is None or frame.empty:
        return PUBLISHED_GII
    row = frame.iloc[0]
    values = {name: _text(row[name]) for name in
              ("basis", "title", "publisher", "licence", "url", "method", "records", "records_sha256", "settings",
               "settings_sha256", "tool_version", "counting")}
    nouns = {output: (str(row[one]), str(row[many])) for output, (one, many) in NOUN_COLUMNS.items()
             if _text(row[one]) and _text(row[many])}
    return FolderAbout(**values, nouns=nouns)  # type: ignore[arg-type]


def about_problems(frame: pd.DataFrame) -> list[Problem]:
    """What the schema cannot say of ``about.csv``: one row at most; a computed folder's provenance filled in;
    a noun given in both forms or neither."""
    file = f"{ABOUT_TABLE}.csv"
    problems = []
    if len(frame) > 1:
        problems.append(Problem(file, line_of(frame.index[1]), None, f"{len(frame)} rows",
                                "one row describing the whole data folder"))
    for index, row in frame.iterrows():
        if row["basis"] == COMPUTED:
            problems += [Problem(file, line_of(index), column, "nothing",
                                 f"a value: a computed folder names its {column.replace('_', ' ')}")
                         for column in COMPUTED_COLUMNS if pd.isna(row[column])]
        for one, many in NOUN_COLUMNS.values():
            if pd.isna(row[one]) != pd.isna(row[many]):
                missing = one if pd.isna(row[one]) else many
                problems.append(Problem(file, line_of(index), missing, "nothing",
                                        f"both {one} and {many}, or neither"))
    return problems
