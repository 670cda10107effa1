"""The HTML pieces every page shares, with one contract on escaping.

Every text that reaches the page is escaped unless it is a ``markupsafe.Markup`` (HTML a function of this
package built, itself from escaped parts). Sections describe what they show as a small view (headings,
paragraphs, tables, charts, CSV downloads, what is missing); the layout of a view is the Jinja macro file
``templates/sections.html.j2``, rendered with autoescape by :func:`render_section`.
"""

from __future__ import annotations

import base64
import functools
import numbers
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from cluster_profiles import paths
from cluster_profiles.files import download_csv

if TYPE_CHECKING:
    from cluster_profiles.narrate.citations import Citations

NOT_GIVEN = "—"  # a cell the source leaves empty
DEFAULT_MISSING_REASON = "No public source for it was found when the data was compiled."
MACRO_FILE = "sections.html.j2"
SECTION_ELEMENTS = frozenset({"section", "header"})  # what a section view may be laid out as


def escape_cell(value: Any) -> Any:
    """A table cell as pandas' ``to_html(escape=True)`` would write it (``&``, ``<``, ``>`` escaped);
    ``Markup`` as it is; numbers left to pandas' formatting; any missing value shown as ``NOT_GIVEN``."""
    if isinstance(value, Markup):
        return str(value)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return float("nan")  # pandas writes na_rep for NaN only (None would show as "None", pd.NA as "<NA>")
    if isinstance(value, numbers.Number):
        return value
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Placeholders:
    """Stand-ins for the table's texts while pandas lays the table out, then the texts themselves.

    pandas writes a cell as ``str(value).strip()``, and pandas 3 also turns every two spaces in it into
    ``&nbsp;&nbsp;`` (pandas 2 does not), inside ``Markup`` too, where that breaks the HTML. So pandas
    sees only a placeholder for each text, and the text goes in afterwards: the same page with pandas 2
    and 3. Numbers and missing values are still written by pandas (its number formatting, ``na_rep``).
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.marker = f"cell{secrets.token_hex(8)}"  # no text of the table can hold it by chance
        self.pattern = re.compile(f"{self.marker}(\\d+){self.marker}")

    def __call__(self, value: Any) -> Any:
        cell = escape_cell(value)
        if not isinstance(cell, str):
            return cell
        self.texts.append(cell.strip())
        return f"{self.marker}{len(self.texts) - 1}{self.marker}"

    def name(self, name: Any) -> Any:
        return None if name is None else self(name)

    def fill(self, html: str) -> str:
        return self.pattern.sub(lambda found: self.texts[int(found.group(1))], html)


def html_table(frame: pd.DataFrame, css_class: str = "data-table", header: bool = True,
               index: bool = False) -> Markup:
    """A plain HTML table: every cell, header and index label escaped unless it is ``Markup``."""
    shown = frame.copy()
    texts = _Placeholders()
    for position in range(shown.shape[1]):
        column = shown.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(column):  # text, whatever pandas' dtype for it (object, str)
            shown.isetitem(position, column.astype(object).map(texts))
    shown.columns = pd.Index([texts(c) for c in shown.columns], name=texts.name(shown.columns.name))
    shown.index = pd.Index([texts(i) for i in shown.index], name=texts.name(shown.index.name))
    html = shown.to_html(index=index, escape=False, border=0, classes=css_class, na_rep=NOT_GIVEN, header=header)
    return Markup(texts.fill(html))


def missing(what: str, reason: str | None) -> Markup:
    """A paragraph saying what is not in the data and why (a default reason when none is known)."""
    return render_macro("missing", what, reason)


def csv_download(frame: pd.DataFrame, file_name: str, label: str = "Download the data (CSV)") -> Markup:
    """A link that downloads the frame as CSV, embedded in the page (works offline)."""
    payload = base64.b64encode(download_csv(frame).encode("utf-8")).decode("ascii")
    return Markup('<p class="download"><a download="{}" href="data:text/csv;charset=utf-8;base64,{}">{}</a></p>').format(
        file_name, payload, label)


# ------------------------------------------------------------------------------------------- views
# The blocks a section is made of; ``kind`` names the macro that lays each out.


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    css_class: str | None = None  # "note" for the small print under a table or chart
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class BulletList:
    items: Sequence[str]  # Markup kept, other text escaped
    css_class: str | None = None
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class Missing:
    what: str
    reason: str | None = None
    kind: ClassVar[str] = "missing"


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    css_class: str = "data-table"
    header: bool = True
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Chart:
    html: Markup  # a drawn figure (figures.figure_html): <figure> with its alt text and caption
    kind: ClassVar[str] = "chart"


@dataclass(frozen=True)
class Csv:
    frame: pd.DataFrame
    file_name: str
    label: str = "Download the data (CSV)"
    kind: ClassVar[str] = "csv"


@dataclass(frozen=True)
class Box:
    """Blocks set apart in a ``<div class=…>`` (the data notes' quality, conflicts and gaps boxes)."""

    css_class: str
    blocks: list[Any] = field(default_factory=list)  # Block, as in SectionView
    kind: ClassVar[str] = "box"


@dataclass(frozen=True)
class SourceList:
    """The numbered list of every source a report cites, each entry the target of its notes."""

    citations: Citations
    kind: ClassVar[str] = "sources"


@dataclass(frozen=True)
class SectionView:
    """What a section shows, in order, and the sources it cites: in a note rendered after the blocks, or
    (the data notes) beside each item in its blocks."""

    css_class: str
    blocks: list[Any] = field(default_factory=list)  # Block; checked when rendered (render_section)
    sources: list[str] = field(default_factory=list)
    element: str = "section"  # "header" for the report's title

    def kinds(self) -> list[str]:
        return [block.kind for block in self.blocks]

    @property
    def anchor(self) -> str:
        """The section's id on its page, which its link to itself points to: its first heading's words as a
        slug, as GitHub and Wikipedia make them ('Key figures, GII 2024' -> 'key-figures-gii-2024'), else its
        class ('lead'). A page's headings differ, so its ids do (tests/test_anchors.py reads every page kind)."""
        return section_anchor(next((b.text for b in self.blocks if b.kind == "heading"), self.css_class))

    def of_kind(self, kind: str) -> list[Any]:
        """The blocks of this kind, those inside boxes included, in order."""
        return [block for block in _all_blocks(self.blocks) if block.kind == kind]


Block = Heading | Paragraph | BulletList | Missing | Table | Chart | Csv | Box | SourceList


@functools.cache
def _macros() -> Any:
    environment = Environment(loader=FileSystemLoader(paths.HTML_TEMPLATE_DIR), autoescape=True,
                              undefined=StrictUndefined, keep_trailing_newline=False)
    environment.globals.update(html_table=html_table, csv_download=csv_download,
                               default_missing_reason=DEFAULT_MISSING_REASON)
    return environment.get_template(MACRO_FILE).module


def render_macro(name: str, *arguments: Any) -> Markup:
    """One macro of the macro file, called with these arguments (text in them is escaped unless Markup)."""
    return Markup(getattr(_macros(), name)(*arguments))


BLOCK_KINDS = frozenset(kind.kind for kind in (Heading, Paragraph, BulletList, Missing, Table, Chart, Csv, Box,
                                                SourceList))


def _all_blocks(blocks: list[Any]) -> list[Any]:
    """The blocks in document order, each box followed by the blocks inside it."""
    return [inner for block in blocks
            for inner in [block, *(_all_blocks(block.blocks) if isinstance(block, Box) else [])]]


ANCHOR_LENGTH = 60


def section_anchor(text: str) -> str:
    """An id made of a text's words: ASCII letters, digits and hyphens, at most ``ANCHOR_LENGTH`` characters
    cut at a word; 'section' when the text has no letter or digit."""
    from slugify import slugify  # python-slugify: only when a section is laid out

    return slugify(Markup(str(text)).striptags(), max_length=ANCHOR_LENGTH, word_boundary=True) or "section"


def render_section(view: SectionView, source_note: Markup | None = None) -> Markup:
    """A section's view as HTML: ``<section class=…>`` (or the view's element), its blocks in order, then
    its source note."""
    unknown = [block for block in _all_blocks(view.blocks) if getattr(block, "kind", None) not in BLOCK_KINDS]
    if unknown:
        raise TypeError(f"section {view.css_class!r}: not a block of cluster_profiles.narrate.views: {unknown[0]!r}")
    if view.element not in SECTION_ELEMENTS:
        raise ValueError(f"section {view.css_class!r}: element {view.element!r} is not one of {sorted(SECTION_ELEMENTS)}")
    return render_macro("section", view, source_note)
