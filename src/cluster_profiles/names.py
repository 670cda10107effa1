"""Finding a cluster by the name a user typed, and turning names into safe file names."""

from __future__ import annotations

import difflib
import functools
import os
import re
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Match:
    """The clusters a typed name may mean, best first. ``certain``: the typed text is a cluster's name
    or one of the cities in it, in any spelling (so one such cluster is the answer, several are a
    choice to make); otherwise they are guesses: names it starts, or near spellings."""

    names: tuple[str, ...] = ()
    certain: bool = False

    @property
    def unique(self) -> str | None:
        return self.names[0] if self.certain and len(self.names) == 1 else None


# ', CA', ', DC': a US state (or Canadian province) after a city; not a city of its own
_STATE_SUFFIX = re.compile(r",\s*[A-Z]{2}\s*$")
SIMILAR = 0.8  # difflib ratio a near spelling reaches: one letter left out, swapped or wrong in five


def city_parts(name: str) -> list[str]:
    """The cities a cluster's name joins, without state suffixes:
    'Washington, DC–Baltimore, MD' -> ['Washington', 'Baltimore']."""
    parts: list[str] = []
    for segment in _DASHES.split(name):
        parts.extend(p.strip() for p in _STATE_SUFFIX.sub("", segment).split(","))
    return [p for p in parts if p]


@functools.lru_cache(maxsize=8192)
def search_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` however it was typed: case, accents, compatibility forms (full-width
    letters) and punctuation do not count, other scripts are transliterated ('北京' -> bei jing), an
    apostrophe joins ('Xi'an' -> xian)."""
    folded = slugify(text[:500], separator=" ", entities=False, decimal=False, hexadecimal=False,
                     replacements=[("'", ""), ("\u2019", ""), ("\u02bc", "")])
    return tuple(folded.split())


class _Index:
    """One edition's names, keyed each way ``match_cluster`` looks them up; each key built when first
    needed (a report resolves its own canonical name: the first key finds it)."""

    def __init__(self, known: tuple[str, ...]):
        self.known = known

    @functools.cached_property
    def by_key(self) -> dict[str, str]:
        return {name_key(name): name for name in self.known}

    @functools.cached_property
    def by_look(self) -> dict[str, str]:
        return {collision_key(name): name for name in self.known}  # unique per edition: the loader checks it

    @functools.cached_property
    def by_slug(self) -> dict[str, str]:
        return {_plain_slug(name): name for name in self.known}  # report file names: 'san-jose-san-francisco-ca'

    @functools.cached_property
    def words(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(cluster, words) for its whole name, each dash-separated segment ('San Francisco, CA') and
        each city ('San Francisco')."""
        words: list[tuple[str, tuple[str, ...]]] = []
        for name in self.known:
            spellings = dict.fromkeys([name, *_DASHES.split(name), *city_parts(name)])
            words.extend((name, key) for key in map(search_words, spellings) if key)
        return tuple(dict.fromkeys(words))

    @functools.cached_property
    def order(self) -> dict[str, int]:
        return {name: number for number, name in enumerate(self.known)}


@functools.lru_cache(maxsize=16)
def _index(known: tuple[str, ...]) -> _Index:
    return _Index(known)


@functools.lru_cache(maxsize=4096)
def _plain_slug(name: str) -> str:
    return slugify(name)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(1, len(words) - len(part) + 1))


def _guess_score(typed: tuple[str, ...], key: tuple[str, ...], matcher: difflib.SequenceMatcher) -> float:
    """How well ``typed`` fits a name it is not: 3+ its leading words ('New York'), 2+ its start
    ('Shenz'), 2 a later word of it ('Francisco'), else the similarity (≥ SIMILAR) to the whole or to
    its start ('Shenzen', 'Frankfort'); 0 for no fit. ``matcher`` holds the typed letters as its
    second sequence (the one difflib indexes, once)."""
    text, whole = "".join(typed), "".join(key)
    if key[:len(typed)] == typed:
        return 3 + len(text) / len(whole)
    if whole.startswith(text):
        return 2 + len(text) / len(whole)
    if len(text) >= 4 and _contains(key, typed):
        return 2.0
    candidates = [whole]
    if len(text) >= 4:
        candidates += [whole[:n] for n in (len(text) - 1, len(text), len(text) + 1) if n < len(whole)]
    best = 0.0
    for candidate in candidates:
        if 2 * min(len(text), len(candidate)) < SIMILAR * (len(text) + len(candidate)):
            continue  # difflib's real_quick_ratio, without building anything
        matcher.set_seq1(candidate)
        if matcher.quick_ratio() >= SIMILAR:
            best = max(best, matcher.ratio())
    return best if best >= SIMILAR else 0.0


def match_cluster(typed: str, known: list[str]) -> Match:
    """The clusters of ``known`` that ``typed`` may mean.

    Certain, in this order: the name in any spelling (case, dashes, accents, look-alike letters, the
    report's file name), then the name or one of its cities as words ('Tokyo', 'san jose', 'Ｔｏｋｙｏ',
    'Dusseldorf', 'Washington DC'). A full name wins over a city of another name ('Cambridge' is
    Cambridge, not Boston–Cambridge, MA). Otherwise guesses, best first: the leading words or
    letters of a name or city ('Frankfurt', 'Shenz'), a later word of it, near spellings ('Shenzen').
    """
    index = _index(tuple(known))
    match = index.by_key.get(name_key(typed))
    if match is None:
        match = index.by_look.get(collision_key(typed))
    if match is None and typed == _plain_slug(typed):
        match = index.by_slug.get(typed)
    if match is not None:
        return Match((match,), True)
    words = search_words(typed)
    if not words:
        return Match()
    text = "".join(words)
    exact = dict.fromkeys(name for name, key in index.words if "".join(key) == text)
    if exact:
        return Match(tuple(exact), True)
    scores: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(None, "", text)
    for name, key in index.words:
        score = _guess_score(words, key, matcher)
        if score > scores.get(name, 0.0):
            scores[name] = score
    typed_key = name_key(typed)
    for close in difflib.get_close_matches(typed_key, list(index.by_key), n=3, cutoff=0.6):  # whole names
        scores.setdefault(index.by_key[close], difflib.SequenceMatcher(None, typed_key, close).ratio())
    return Match(tuple(sorted(scores, key=lambda name: (-scores[name], index.order[name]))), False)


def also_named(typed: str, known: list[str]) -> tuple[str, ...]:
    """The other clusters that have ``typed`` as one of their cities, when it resolves to a full name:
    'Cambridge' is Cambridge, and also a city of Boston–Cambridge, MA (a command may say so)."""
    found = match_cluster(typed, known).unique
    text = "".join(search_words(typed))
    if found is None or not text:
        return ()
    return tuple(dict.fromkeys(name for name, key in _index(tuple(known)).words
                               if name != found and "".join(key) == text))


def also_named_note(typed: str, known: list[str]) -> str | None:
    """A line for the user when the name they typed found one cluster but is also a city of others: 'Cambridge'
    renders Cambridge, and Boston–Cambridge, MA is one full name away. The make variable or the flag, as typed."""
    others = also_named(typed, known)
    if not others:
        return None
    option = "CLUSTER=" if os.environ.get(VIA_MAKE) else "--cluster "
    quoted = ", ".join(f"{option}{chr(34)}{name}{chr(34)}" for name in others)
    return (f"Note: {shorten(typed)!r} is {match_cluster(typed, known).unique}; it is also a city of "
            f"{_and(list(others))} ({quoted} for {'that one' if len(others) == 1 else 'those'}).")


def editions_with(typed: str, names_by_edition: dict[int, list[str]]) -> list[int]:
    """The editions in which ``typed`` certainly means one cluster (any spelling, or a city of it)."""
    return sorted(e for e, names in names_by_edition.items() if match_cluster(typed, names).unique)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _guess_elsewhere(typed: str, edition: int, names_by_edition: dict[int, list[str]]) -> str:
    """' Did you mean X? It is in 2025, not in 2024.' for the best guess of each other edition."""
    editions_of: dict[str, list[int]] = {}
    for year, names in sorted(names_by_edition.items()):
        guesses = match_cluster(typed, names).names if year != edition else ()
        if guesses:
            editions_of.setdefault(guesses[0], []).append(year)
    return "".join(f" Did you mean {name!r}? It is in {_and([str(e) for e in years])}, not in {edition}."
                   for name, years in list(editions_of.items())[:3])


VIA_MAKE = "CLUSTER_PROFILES_VIA_MAKE"  # the Makefile sets it for the targets that run the command
VIA_COMMAND_LINE = "CLUSTER_PROFILES_VIA_COMMAND_LINE"  # cli.main sets it while a command runs
SHOWN_CANDIDATES = 8


def list_hint(edition: int) -> str:
    """Where a terminal user finds the clusters of ``edition``: `make list` when they came through make."""
    if os.environ.get(VIA_MAKE):
        return f"`make list EDITION={edition}` lists the clusters of that edition."
    return f"`cluster-profiles list --edition {edition}` lists the clusters of that edition."


def resolve_cluster(typed: str, known: list[str], edition: int,
                    names_by_edition: dict[int, list[str]] | None = None) -> str:
    """The canonical cluster name for what a user typed (see ``match_cluster``), or an error: an
    ambiguous name lists the clusters it may mean, an unknown one suggests close names.

    ``names_by_edition`` (every edition's cluster names) lets the error say in which editions the
    name does exist: 'Hefei is in 2024 and 2025, not in 2023'.
    """
    found = match_cluster(typed, known)
    if found.unique is not None:
        return found.unique
    shown = shorten(typed)
    candidates = [repr(name) for name in found.names[:SHOWN_CANDIDATES]]
    more = len(found.names) - SHOWN_CANDIDATES
    if more > 0:
        candidates.append(f"{more} more")
    if found.certain:
        message = f"Cluster '{shown}' is ambiguous in GII {edition}: it may be {_or(candidates)}. Give the full name."
    else:
        names_by_edition = names_by_edition or {}
        elsewhere = editions_with(typed, names_by_edition)
        if elsewhere:
            canonical = match_cluster(typed, names_by_edition[elsewhere[0]]).unique
            message = (f"Unknown cluster '{shown}' in GII {edition}: {canonical} is in "
                       f"{_and([str(e) for e in elsewhere])}, not in {edition}.")
        else:
            message = f"Unknown cluster '{shown}' in GII {edition}."
        if candidates:
            message += f" Did you mean {_or(candidates)}?"
        elif not elsewhere:
            message += _guess_elsewhere(typed, edition, names_by_edition)
    raise UnknownClusterError(
        message,
        cli_hint=list_hint(edition),
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
