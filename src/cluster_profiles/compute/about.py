"""What a records folder says about itself: ``about.json``, optional, beside the tables.

The records' own title, publisher, licence and address, and what each kind of document in them is
called. A folder of US patent grants read as ``kind = pct`` says so here, and the pages it leads to
then count "US patent grants", never "PCT applications"::

    {
      "title": "PatentsView granted patents, 2019-2023",
      "publisher": "USPTO PatentsView",
      "licence": "CC BY 4.0",
      "url": "https://patentsview.org/download/data-download-tables",
      "nouns": {"pct": {"one": "US patent grant", "many": "US patent grants"}}
    }

Every key is optional; a folder without the file (or a key left out) gets the defaults: no title,
publisher, licence or address, and the kinds' standard nouns ("PCT application(s)", "scientific
article(s)"). The adapters write it with ``merge_records_about``; the pipeline carries it into the data
folder's ``about.csv`` (``contract.schema``), so the texts obey the data folder's rules for names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from cluster_profiles.contract.text_rules import HAS_LETTER_OR_DIGIT, MAX_NAME_LENGTH, NO_CONTROL_IN_NAME, NO_MARKUP
from cluster_profiles.contract.vocabulary import KIND_NOUNS, RECORD_KINDS
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import write_files_atomically

__all__ = ["ABOUT_FILE", "DEFAULT_NOUNS", "AboutError", "KindNoun", "RecordsAbout", "merge_records_about",
           "read_records_about"]

ABOUT_FILE = "about.json"
TEXT_KEYS = ("title", "publisher", "licence", "url")
NOUN_FORMS = ("one", "many")
URL = re.compile(r"^https?://[^\s<>\"'`]+\Z")


class AboutError(ClusterProfilesError):
    """A records folder's ``about.json`` is not what this module reads (one line, naming the file and key)."""


@dataclass(frozen=True)
class KindNoun:
    """What one document of a kind is called, and several: ("US patent grant", "US patent grants")."""

    one: str
    many: str

    def of(self, n: float) -> str:
        return self.one if n == 1 else self.many


DEFAULT_NOUNS: dict[str, KindNoun] = {
    "pct": KindNoun("PCT application", KIND_NOUNS["pct"]),
    "article": KindNoun("scientific article", KIND_NOUNS["article"]),
}


@dataclass(frozen=True)
class RecordsAbout:
    """The records' own description; ``nouns`` holds every kind (the defaults where the file says nothing)."""

    title: str | None = None
    publisher: str | None = None
    licence: str | None = None
    url: str | None = None
    nouns: dict[str, KindNoun] = field(default_factory=lambda: dict(DEFAULT_NOUNS))

    def noun(self, kind: str, n: float = 2) -> str:
        """The word for ``n`` documents of ``kind``: ``noun("pct", 1)`` → "PCT application"."""
        return self.nouns[kind].of(n)

    def to_json(self) -> dict:
        """The file's content: the texts given, and the nouns that differ from the defaults."""
        content: dict = {key: getattr(self, key) for key in TEXT_KEYS if getattr(self, key) is not None}
        nouns = {kind: {"one": noun.one, "many": noun.many} for kind, noun in self.nouns.items()
                 if noun != DEFAULT_NOUNS[kind]}
        if nouns:
            content["nouns"] = nouns
        return content


def _text_problem(key: str, value: object) -> str | None:
    """What is wrong with one text, in the words of the error (None: nothing)."""
    if not isinstance(value, str):
        return f"found {json.dumps(value)[:40]}; expected a text in double quotes"
    if not 1 <= len(value) <= MAX_NAME_LENGTH or value != value.strip():
        return f"found {json.dumps(value[:40])}; expected a text of 1 to {MAX_NAME_LENGTH} characters, no spaces " \
               "at either end"
    if key == "url":
        return None if URL.match(value) else f"found {json.dumps(value[:40])}; expected an address starting " \
                                              "http:// or https://, without spaces"
    if not re.match(NO_MARKUP, value, re.DOTALL):
        return f"found {json.dumps(value[:40])}; expected plain text: no HTML tags (< >), backticks or Markdown"
    if not re.match(NO_CONTROL_IN_NAME, value) or not re.match(HAS_LETTER_OR_DIGIT, value):
        return f"found {json.dumps(value[:40])}; expected one line of visible text with a letter or digit"
    return None


def _parse(content: object, where: str) -> RecordsAbout:
    def fail(key: str, problem: str) -> AboutError:
        return AboutError(f"{where}: key '{key}': {problem}")

    if not isinstance(content, dict):
        raise AboutError(f"{where}: found {type(content).__name__ if content is not None else 'null'} at the top; "
                         f"expected an object {{\"title\": …, \"nouns\": …}}")
    allowed = (*TEXT_KEYS, "nouns")
    for key in content:
        if key not in allowed:
            raise fail(key, f"is not a key of {ABOUT_FILE}; expected one of {', '.join(allowed)}")
    texts: dict[str, str] = {}
    for key in TEXT_KEYS:
        if key in content:
            problem = _text_problem(key, content[key])
            if problem:
                raise fail(key, problem)
            texts[key] = content[key]
    nouns = dict(DEFAULT_NOUNS)
    given = content.get("nouns", {})
    if not isinstance(given, dict):
        raise fail("nouns", 'expected an object such as {"pct": {"one": "US patent grant", "many": "US patent grants"}}')
    for kind, forms in given.items():
        if kind not in RECORD_KINDS:
            raise fail(f"nouns.{kind}", f"is not a kind of document; expected one of {', '.join(RECORD_KINDS)}")
        if not isinstance(forms, dict) or set(forms) != set(NOUN_FORMS):
            raise fail(f"nouns.{kind}", 'expected exactly "one" and "many", e.g. {"one": "US patent grant", '
                                        '"many": "US patent grants"}')
        for form in NOUN_FORMS:
            problem = _text_problem(form, forms[form])
            if problem:
                raise fail(f"nouns.{kind}.{form}", problem)
        nouns[kind] = KindNoun(forms["one"], forms["many"])
    return RecordsAbout(**texts, nouns=nouns)


def read_records_about(folder: str | Path) -> RecordsAbout:
    """The records folder's ``about.json`` (the defaults without one); a malformed file raises ``AboutError``."""
    path = Path(folder) / ABOUT_FILE
    if not path.is_file():
        if path.exists():
            raise AboutError(f"{path}: is not a file; expected a JSON object describing the records")
        return RecordsAbout()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise AboutError(f"{path}: found the byte 0x{error.object[error.start]:02x}, which is not UTF-8; "
                         "expected a JSON file in UTF-8") from None
    except OSError as error:
        raise AboutError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise AboutError(f"{path}:{error.lineno}:{error.colno}: found what is not JSON ({error.msg}); "
                         "expected an object such as {\"title\": \"…\"}") from None
    return _parse(content, str(path))


def merge_records_about(folder: str | Path, kind: str | None = None, *, title: str | None = None,
                        publisher: str | None = None, licence: str | None = None, url: str | None = None,
                        one: str | None = None, many: str | None = None) -> RecordsAbout:
    """Set the given texts (``None``: keep what the file says) and ``kind``'s nouns in ``folder/about.json``,
    written atomically; returns what the file now says. An adapter calls it once per kind it writes."""
    current = read_records_about(folder)
    content = current.to_json()
    content.update({key: value for key, value in
                    (("title", title), ("publisher", publisher), ("licence", licence), ("url", url))
                    if value is not None})
    if one is not None or many is not None:
        if kind not in RECORD_KINDS:
            raise AboutError(f"merge_records_about: kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}")
        noun = current.nouns[kind]
        content.setdefault("nouns", {})[kind] = {"one": one if one is not None else noun.one,
                                                 "many": many if many is not None else noun.many}
    path = Path(folder) / ABOUT_FILE
    merged = _parse(content, str(path))  # the same checks as reading: a bad text is refused before writing
    write_files_atomically({path: json.dumps(merged.to_json(), indent=2, ensure_ascii=False) + "\n"})
    return merged
