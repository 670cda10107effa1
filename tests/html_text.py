"""Helpers to read a rendered page as a reader sees it."""

import re

from bs4 import BeautifulSoup


def visible_text(html) -> str:
    """Visible text with single spaces (no space is left before punctuation after inline tags)."""
    soup = BeautifulSoup(str(html), "html.parser")
    for hidden in soup(["style", "script", "title"]):
        hidden.decompose()
    words = re.sub(r"\s+", " ", soup.get_text(" ")).strip()
    return re.sub(r" ([,.;:])", r"\1", words)


def table_rows(html) -> set[tuple[str, ...]]:
    """Every table row as a tuple of its non-empty cell texts."""
    soup = BeautifulSoup(str(html), "html.parser")
    rows = set()
    for row in soup.find_all("tr"):
        cells = tuple(c.get_text(" ", strip=True) for c in row.find_all(["td", "th"]))
        rows.add(tuple(c for c in cells if c))
    return rows


def reference_expectations(markdown: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """The reference profile's text lines and table rows (header and rule rows skipped)."""
    lines, rows = [], []
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("|"):
            cells = tuple(c.strip() for c in line.strip("|").split("|"))
            if all(re.fullmatch(r"-*", c) for c in cells):
                continue  # the |---|---| rule
            values = tuple(c for c in cells if c)
            if values and not all(v in {"Patents", "Share", "Articles"} for v in values):
                rows.append(values)
            continue
        lines.append(line.replace("**", ""))
    return lines, rows
