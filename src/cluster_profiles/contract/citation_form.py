"""What a reader can follow: the form of a ``source`` cell, checked without reading any page.

A ``source`` cell holds one or more citations joined with " ; ". Each citation is a publication a
reader can open: an optional publisher and title, its URL, and in parentheses what it backs or
where in it to look ("WIPO, Global Innovation Index 2023, Appendix Table 3, p. 248,
https://doi.org/… (also at https://…)"). Three things make a citation unfollowable or confusing on
a page, and are found here: a path inside the project ("reference/….md"), an internal label glued
before a URL ("release: https://…", where words in parentheses after the URL belong), and the same
publication cited twice in one cell.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

URL = re.compile(r"https?://[^\s;,)]+[^\s;,).]")
SEPARATOR = " ; "
# A path a reader of a page cannot open: a project folder or a file name of the project's kinds, or a
# local absolute path. Looked for in the text around the URLs, never inside one.
PROJECT_PATH = re.compile(r"(?<![\w.-])(?:reference|data|tests|src|notebooks|docs|reports)/"
                          r"|(?<![\w/])/(?:work|tmp|home|Users)/"
                          r"|(?<![\w/.-])[\w-]+\.(?:md|csv|ipynb|py|json|parquet)\b")
# A label and a colon right before a URL ("~23%: https://…").
LABEL_BEFORE_URL = re.compile(r"[^\s(;]\s*:\s*https?://")
# Words before a citation's first URL are its publisher and title, ended by a comma ("WIPO, …, https://…") or
# opening a parenthesis; anything else ("rank also https://…") is a label.


def citations_of(cell: object) -> list[str]:
    """The citations of one source cell, in their order (an empty or missing cell has none)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    return [part.strip() for part in str(cell).split(SEPARATOR) if part.strip()]


def url_key(url: str) -> str:
    """What makes two URLs one publication: scheme, ``www.``, the host's case and a trailing slash aside."""
    parts = urlsplit(url)
    host = (parts.netloc or "").lower().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"


def citation_key(citation: str) -> str:
    """What makes two citations the same publication: their first URL, else their whole text."""
    match = URL.search(citation)
    return url_key(match.group(0)) if match else " ".join(citation.split()).casefold()


def problems(cell: object) -> list[str]:
    """Why a source cell is not followable as it stands, one sentence each (none: it is)."""
    found = []
    seen: set[str] = set()
    for citation in citations_of(cell):
        outside_urls = URL.sub(" ", citation)
        path = PROJECT_PATH.search(outside_urls)
        if path is not None:
            found.append(f"'{citation}' names a path inside the project ({path.group(0).strip()!r}), "
                         "which a reader cannot open: cite the publication's web address")
        label = LABEL_BEFORE_URL.search(citation)
        first = URL.search(citation)
        lead = citation[:first.start()].strip() if first else ""
        if label is None and lead and not lead.endswith((",", "(")):
            label = first
        if label is not None:
            found.append(f"'{citation}' puts a label before its URL ({citation[:label.end()]!r}): "
                         "say what the source backs in parentheses after the URL")
        key = citation_key(citation)
        if key in seen:
            found.append(f"'{citation}' cites a publication the cell already cites: merge the two")
        seen.add(key)
    return found
