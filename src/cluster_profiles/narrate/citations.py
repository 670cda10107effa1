"""Sources as numbered notes: each publication is numbered once, in the order a report first cites it,
and every note links to its entry in the list at the end of the report.

A row's ``source`` joins several citations with " ; " (their form: ``contract.citation_form``). Where
WIPO's own publication (a wipo.int page, or a document whose citation names WIPO as its publisher) is
among them, it is cited first and the press after it; otherwise the row's order is kept. The citations
of one publication (one URL, whatever note follows it) make one entry, each of their notes listed once.
Long URLs appear only in the list at the end; a note shows the number and who says it (the named
publisher and title, or the host name), each publisher once with all its numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup

from cluster_profiles.contract.citation_form import URL, citation_key, citations_of
from cluster_profiles.contract.folder_about import COMPUTED_SOURCE

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


def lead(citation: str) -> str:
    """The publisher and title written before a citation's URL ('' when it starts with its URL)."""
    match = URL.search(citation)
    return (citation[:match.start()] if match else citation).strip().rstrip(",(").strip()


def is_primary(citation: str) -> bool:
    """True for WIPO's own publication: a wipo.int URL, or a document whose citation names WIPO first."""
    if lead(citation).upper().startswith("WIPO"):
        return True
    name = host(citation)
    return name is not None and any(name == h or name.endswith("." + h) for h in PRIMARY_HOSTS)


def key(citation: str) -> str:
    """What makes two citations one publication: their URL (whatever note follows it), else their text."""
    return citation_key(citation)


def _split(citation: str) -> tuple[str, list[str]]:
    """A citation as its head (publisher, title, URL) and the notes in parentheses after its URL, one per
    item ("(a; b)" is two); a citation with other text after its URL is all head."""
    match = URL.search(citation)
    if match is None:
        return citation.strip(), []
    notes: list[str] = []
    depth, current, outside = 0, "", ""
    for char in citation[match.end():]:
        if char == "(":
            depth += 1
            if depth == 1:
                continue
        elif char == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                notes.append(current.strip())
                current = ""
                continue
        if depth:
            current += char
        else:
            outside += char
    if depth or outside.strip():
        return citation.strip(), []
    return citation[:match.end()].strip(), [item.strip() for note in notes for item in note.split("; ") if item.strip()]


def _merge(entry: str, other: str) -> str:
    """One list entry for two citations of one publication: the fuller head, each note once."""
    head, notes = _split(entry)
    other_head, other_notes = _split(other)
    if len(lead(other_head)) > len(lead(head)):
        head = other_head
    notes = list(dict.fromkeys(notes + other_notes))
    return f"{head} ({'; '.join(notes)})" if notes else head


def _unique(citations: Iterable[str]) -> list[str]:
    """Each publication once, where it is first cited, with the notes of all its citations."""
    merged: dict[str, str] = {}
    for citation in citations:
        name = key(citation)
        merged[name] = _merge(merged[name], citation) if name in merged else citation
    return list(merged.values())


def row_citations(source: str) -> list[str]:
    """One row's citations: split on " ; ", one per publication, WIPO's own publication first."""
    parts = _unique(citations_of(source))
    return sorted(parts, key=lambda p: not is_primary(p))  # stable: the press keeps its order


def note_citations(sources: Iterable[str | None]) -> list[str]:
    """The citations of several rows, in the order a note shows them: row by row, each row's primary
    source first, each publication once, and a publisher's publications next to each other."""
    ordered: list[str] = []
    for source in sources:
        ordered += row_citations(str(source)) if citations_of(source) else []
    by_publisher: dict[str, list[str]] = {}  # one publisher's publications side by side, where it is first cited
    for citation in _unique(ordered):
        by_publisher.setdefault(label(citation), []).append(citation)
    return [citation for citations in by_publisher.values() for citation in citations]


def label(citation: str) -> str:
    """Short words for a note: the named publisher and title (their first two parts), or the host name."""
    computed = COMPUTED_SOURCE.match(citation)
    if computed:  # a folder computed from records: the records by name and hash, not the tool's words
        title = f"records {computed['records']} ({computed['sha256']})"
        return title if len(title) <= LABEL_LENGTH else title[: LABEL_LENGTH - 1].rstrip() + "…"
    named = lead(citation)
    if URL.search(citation) is None or not named:
        name = host(citation)
        if name is not None:
            return name
    title = ", ".join(part.strip() for part in (named or citation.split(" (")[0]).split(",")[:2])
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
            for citation in note_citations(group):
                name = key(citation)
                entries[name] = _merge(entries[name], citation) if name in entries else citation
        return cls(tuple(entries.values()), anchor_prefix)

    def number(self, citation: str) -> int:
        """The number of a citation (or of any citation of the same publication)."""
        wanted = key(citation)
        for number, entry in enumerate(self.entries, start=1):
            if key(entry) == wanted:
                return number
        raise KeyError(f"not cited in this report: {citation}")

    def anchor(self, number: int) -> str:
        return f"{self.anchor_prefix}{number}"

    def refs(self, sources: Iterable[str | None], with_labels: bool = True) -> Markup:
        """The note markers for ``sources``: ``[1] wipo.int, [4], [6] jetro.go.jp``, each a link to the list;
        a publisher cited for several publications is named once, after all their numbers."""
        by_label: dict[str, list[Markup]] = {}
        for citation in note_citations(sources):
            number = self.number(citation)
            marker = Markup('<a class="cite" href="#{}" title="{}">[{}]</a>').format(
                self.anchor(number), self.entries[number - 1], number)
            by_label.setdefault(label(citation) if with_labels else str(number), []).append(marker)
        if not with_labels:
            return Markup(", ").join(marker for markers in by_label.values() for marker in markers)
        return Markup(", ").join(Markup("{}\u00a0{}").format(Markup(", ").join(markers), name)
                                 for name, markers in by_label.items())

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
