"""Sources as numbered notes: each citation is numbered once, in the order a report first cites it,
and every note links to its entry in the list at the end of the report.

A row's ``source`` joins several citations with " ; ". Where WIPO's own publication (a wipo.int page,
or a named WIPO document) is among them, it is cited first and the press after it; otherwise the
row's order is kept. Long URLs appear only in the list at the end; a note shows the number and the
source's host name, so that a reader sees at a glance who says it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup

URL = re.compile(r"https?://[^\s;,)]+[^\s;,).]")
PRIMARY_HOSTS = ("wipo.int",)  # the publisher of the GII: its pages are the primary source
LABEL_LENGTH = 40  # a named document's label in a note is cut to this many characters


# Chinese, Japanese and Korean quotes: marked with their language so that the report's font stack
# picks the right Noto CJK face (the same character is drawn differently in each).
_CJK = "\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
CJK_RUN = re.compile(f"[{_CJK}](?:[{_CJK}\\w ―….,%-]*[{_CJK}])?")  # Latin words inside a quote stay in it
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\u3130-\u318f\uac00-\ud7af]")


def gii_licence(year: int | None = None) -> str:
    """The notice the GII's data asks for, without its closing punctuation (the pages end it their way)."""
    edition = f" {year}" if year is not None else ""
    return f"GII data: WIPO, Global Innovation Index{edition}, licensed CC BY 4.0"


def cjk_language(text: str) -> str | None:
    """'ja' if the text has kana, 'ko' if it has hangul, 'zh' for Chinese characters alone, else None."""
    if not CJK_RUN.search(text):
        return None
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh"


def _escaped_with_language(text: str, language: str | None) -> Markup:
    if language is None:
        return Markup.escape(text)
    pieces, last = [], 0
    for match in CJK_RUN.finditer(text):
        pieces.append(Markup.escape(text[last:match.start()]))
        pieces.append(Markup('<span lang="{}">{}</span>').format(language, match.group(0)))
        last = match.end()
    pieces.append(Markup.escape(text[last:]))
    return Markup("").join(pieces)


def linked(text: str) -> Markup:
    """Text with every URL made a link, quotes in Chinese, Japanese or Korean marked with their
    language; everything else escaped."""
    language = cjk_language(text)
    pieces, last = [], 0
    for match in URL.finditer(text):
        pieces.append(_escaped_with_language(text[last:match.start()], language))
        pieces.append(Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(match.group(0)))
        last = match.end()
    pieces.append(_escaped_with_language(text[last:], language))
    return Markup("").join(pieces)


def host(citation: str) -> str | None:
    """The host name of a citation's first URL, without ``www.``; None for a named document."""
    match = URL.search(citation)
    if match is None:
        return None
    name = (urlsplit(match.group(0)).hostname or "").lower()
    return name.removeprefix("www.") or None


def is_primary(citation: str) -> bool:
    """True for WIPO's own publication: a wipo.int URL, or a named document published by WIPO."""
    name = host(citation)
    if name is not None:
        return any(name == h or name.endswith("." + h) for h in PRIMARY_HOSTS)
    return citation.strip().upper().startswith("WIPO")


def key(citation: str) -> str:
    """What makes two citations the same: their URL (whatever note follows it), else their text."""
    match = URL.search(citation)
    return match.group(0) if match else citation.strip()


def _unique(citations: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    kept = []
    for citation in citations:
        if key(citation) not in seen:
            seen[key(citation)] = None
            kept.append(citation)
    return kept


def row_citations(source: str) -> list[str]:
    """One row's citations: split on " ; ", duplicates dropped, WIPO's own publication first."""
    parts = _unique(p.strip() for p in str(source).split(" ; ") if p.strip())
    return sorted(parts, key=lambda p: not is_primary(p))  # stable: the press keeps its order


def note_citations(sources: Iterable[str | None]) -> list[str]:
    """The citations of several rows, in the order a note shows them: row by row, each row's primary
    source first, each citation once."""
    ordered: list[str] = []
    for source in sources:
        if source is None or (isinstance(source, float) and source != source):  # empty cell
            continue
        ordered += row_citations(str(source))
    return _unique(ordered)


def _merge(entry: str, other: str) -> str:
    """One list entry for two citations of the same URL: keep what each adds (its note)."""
    if other in entry:
        return entry
    if entry in other:
        return other
    extra = other.replace(key(other), "").strip(" :;")
    return f"{entry} ; {extra}" if extra else entry


def label(citation: str) -> str:
    """Short words for a note: the host name, or the start of a named document's title."""
    name = host(citation)
    if name is not None:
        return name
    title = citation.split(" (")[0].strip()
    return title if len(title) <= LABEL_LENGTH else title[: LABEL_LENGTH - 1].rstrip() + "…"


@dataclass(frozen=True)
class Citations:
    """Every citation of one report, numbered from 1 in the order the report first cites it."""

    entries: tuple[str, ...]
    anchor_prefix: str = "source-"

    @classmethod
    def of(cls, groups: Iterable[Sequence[str | None]], anchor_prefix: str = "source-") -> Citations:
        """``groups``: what each note cites (a list of row sources), in the order the report shows the notes."""
        entries: dict[str, str] = {}  # key -> the entry's text, in order of first citation
        for group in groups:
            for source in group:
                for citation in note_citations([source]):
                    name = key(citation)
                    entries[name] = _merge(entries[name], citation) if name in entries else citation
        return cls(tuple(entries.values()), anchor_prefix)

    def number(self, citation: str) -> int:
        """The number of a citation (or of any citation of the same URL)."""
        wanted = key(citation)
        for number, entry in enumerate(self.entries, start=1):
            if key(entry) == wanted:
                return number
        raise KeyError(f"not cited in this report: {citation}")

    def anchor(self, number: int) -> str:
        return f"{self.anchor_prefix}{number}"

    def refs(self, sources: Iterable[str | None], with_labels: bool = True) -> Markup:
        """The note markers for ``sources``: ``[1] wipo.int, [4] jetro.go.jp``, each a link to the list."""
        markers = []
        for citation in note_citations(sources):
            number = self.number(citation)
            marker = Markup('<a class="cite" href="#{}" title="{}">[{}]</a>').format(
                self.anchor(number), self.entries[number - 1], number)
            if with_labels:
                marker += Markup("\u00a0{}").format(label(citation))
            markers.append(marker)
        return Markup(", ").join(markers)

    def note(self, sources: Iterable[str | None]) -> Markup:
        """A section's source note, or nothing when it cites nothing."""
        cited = note_citations(sources)
        if not cited:
            return Markup("")
        return Markup('<p class="source">{}: {}</p>').format("Source" if len(cited) == 1 else "Sources",
                                                              self.refs(cited))

    def list_html(self) -> Markup:
        """The list at the end: one numbered entry per citation, its URL a link, its anchor the note target."""
        items = Markup("").join(Markup('<li id="{}">{}</li>').format(self.anchor(i), linked(entry))
                                for i, entry in enumerate(self.entries, start=1))
        return Markup('<ol class="sources">{}</ol>').format(items)
