"""Finding a cluster by the name a user typed, and turning names into safe file names."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

from slugify import slugify

from cluster_profiles.errors import UnknownClusterError

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


@functools.lru_cache(maxsize=4096)
def _prototype(character: str) -> str:
    """The Latin letter or digit that ``character`` looks like (Unicode confusables, UTS #39 data), or
    the character itself: Cyrillic 'е' and Greek 'Ε' become 'e' and 'E'. ASCII letters and digits
    stay themselves ('O' is not '0'), so the key stays close to the name."""
    if character.isascii():
        return character
    # its data and urllib cost a third of a second to import: only for a name that is not all ASCII
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(character, greedy=True)
    homoglyphs = [h["c"] for entry in found or [] for h in entry["homoglyphs"] if len(h["c"]) == 1]
    for wanted in (str.isalpha, str.isdigit):
        latin = sorted(h for h in homoglyphs if h.isascii() and wanted(h))
        if latin:
            return latin[0]
    return character


def collision_key(name: str) -> str:
    """Names with the same key would be shown, found or filed as one: compatibility forms (NFKC),
    case, accents, dash style, spacing, invisible characters and look-alike letters of other scripts
    do not count. Two clusters of an edition must not share one (the loader refuses them)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    for _ in range(2):  # look-alikes of capitals ('Н'), then of small letters once casefolded
        text = "".join(_prototype(ch) for ch in text).casefold()
    return name_key(text)


def editions_with(typed: str, names_by_edition: dict[int, list[str]]) -> list[int]:
    """The editions whose clusters include ``typed`` (any spelling)."""
    key = name_key(typed)
    return sorted(e for e, names in names_by_edition.items() if any(name_key(n) == key for n in names))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def resolve_cluster(typed: str, known: list[str], edition: int,
                    names_by_edition: dict[int, list[str]] | None = None) -> str:
    """The canonical cluster name for what a user typed, or an error suggesting close names.

    ``names_by_edition`` (every edition's cluster names) lets the error say in which editions the
    name does exist: 'Hefei is in 2024 and 2025, not in 2023'.
    """
    by_key = {name_key(name): name for name in known}
    match = by_key.get(name_key(typed))
    if match is not None:
        return match
    by_look = {collision_key(name): name for name in known}  # unique per edition: the loader checks it
    match = by_look.get(collision_key(typed))
    if match is not None:
        return match
    by_slug = {slugify(name): name for name in known}  # report file names work too: 'san-jose-san-francisco-ca'
    if slugify(typed) in by_slug and typed == slugify(typed):
        return by_slug[typed]
    shown = shorten(typed)
    names_by_edition = names_by_edition or {}
    elsewhere = editions_with(typed, names_by_edition)
    if elsewhere:
        canonical = next(n for n in names_by_edition[elsewhere[0]] if name_key(n) == name_key(typed))
        message = (f"Unknown cluster '{shown}' in GII {edition}: {canonical} is in "
                   f"{_and([str(e) for e in elsewhere])}, not in {edition}.")
    else:
        message = f"Unknown cluster '{shown}' in GII {edition}."
    suggestions = difflib.get_close_matches(name_key(typed), list(by_key), n=3, cutoff=0.6)
    if suggestions:
        message += " Did you mean " + " or ".join(repr(by_key[s]) for s in suggestions) + "?"
    raise UnknownClusterError(
        message,
        cli_hint=f"`cluster-profiles list --edition {edition}` lists the clusters of that edition.",
        notebook_hint=f"`report.list_clusters({edition})` lists the clusters of that edition.",
    )


def find_cluster(name: str, known: list[str]) -> str | None:
    """The known name that ``name`` means, matched as the resolver matches (case, accents, look-alikes)."""
    if name in known:
        return name
    by_look = {collision_key(k): k for k in known}
    return by_look.get(collision_key(name))


SLUG_LENGTH = 80


@functools.lru_cache(maxsize=4096)  # every validation slugs every cluster name; slugify is slow
def _slugify(name: str) -> str:
    return slugify(name, max_length=SLUG_LENGTH, word_boundary=True)


def slug(name: str) -> str:
    """A file-name-safe slug: 'Shenzhen–Hong Kong–Guangzhou' -> 'shenzhen-hong-kong-guangzhou'."""
    text = _slugify(name)
    if not text:
        raise UnknownClusterError(f"The cluster name '{shorten(name)}' has no letters or digits to name a file with.")
    return text


def shorten(text: str, limit: int = 80) -> str:
    """A value as shown in a message: at most ``limit`` characters, control characters escaped."""
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"
