"""Finding a cluster by the name a user typed, and turning names into safe file names."""

from __future__ import annotations

import difflib
import re
import unicodedata

from slugify import slugify

from .errors import UnknownClusterError

_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")


def name_key(name: str) -> str:
    """A spelling-insensitive key: case, dash style, accents and spacing do not matter.

    'shenzhen-hong kong-guangzhou' and 'Shenzhen–Hong Kong–Guangzhou' share a key.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DASHES.sub("-", text.casefold())
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def resolve_cluster(typed: str, known: list[str], edition: int) -> str:
    """The canonical cluster name for what a user typed, or an error suggesting close names."""
    by_key = {name_key(name): name for name in known}
    match = by_key.get(name_key(typed))
    if match is not None:
        return match
    by_slug = {slugify(name): name for name in known}  # report file names work too: 'san-jose-san-francisco-ca'
    if slugify(typed) in by_slug and typed == slugify(typed):
        return by_slug[typed]
    suggestions = difflib.get_close_matches(name_key(typed), list(by_key), n=3, cutoff=0.6)
    hint = (
        "Did you mean " + " or ".join(repr(by_key[s]) for s in suggestions) + "?"
        if suggestions
        else "Run `cluster-profiles list --edition "
        f"{edition}` to see the clusters of that edition."
    )
    shown = typed if len(typed) <= 80 else typed[:79] + "…"
    raise UnknownClusterError(f"Unknown cluster {shown!r} in GII {edition}. {hint}")


def slug(name: str) -> str:
    """A file-name-safe slug: 'Shenzhen–Hong Kong–Guangzhou' -> 'shenzhen-hong-kong-guangzhou'."""
    text = slugify(name, max_length=80, word_boundary=True)
    if not text:
        raise UnknownClusterError(f"The cluster name {name!r} has no letters or digits to name a file with.")
    return text
