"""The layouts in which OpenAlex works (and institutions) arrive, told apart file by file, and the ones that are
not JSON Lines rewritten as JSON Lines: what both engines (``openalex``, ``openalex_spark``) start from. The
institutions entity is read in the same layouts (its ids start with I, a work's with W).

Accepted, each file on its own (a folder may mix them):

- **JSON Lines**, one work per line, gzipped or not: the snapshot's ``updated_date=YYYY-MM-DD/part_NNN.gz``
  (https://developers.openalex.org/download/snapshot-format); read as it is, streaming.
- **API list responses**, ``{"meta": {…}, "results": [work, …]}``, one per file (as ``/works?…`` returns them),
  compact or pretty-printed; a file of such responses one per line is read too.
- **Pretty-printed JSON**: one work spread over lines (``/works/W…`` saved with ``jq .``), or a JSON array of works.
- **Parquet**: the snapshot's ``/data/parquet/works/`` layout (files starting ``PAR1``); the DuckDB engine reads
  it directly, its nested columns by name.

These are rewritten as JSON Lines in the scratch folder, keeping the ``updated_date=`` folder they came from (the
newest-version rule reads it). Anything else is refused in one line that names the file, what it holds and the
layouts expected (``EXPECTED``). Only the first line of a JSON Lines file is parsed to tell its layout; the other
layouts are small files (an API page holds at most 200 works) and are parsed whole.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cluster_profiles.compute.adapters.folder import RecordsInputError


def expected(entity: str = "works") -> str:
    """The refusal's second half: the layouts expected, in the entity's words."""
    one = "work" if entity == "works" else "institution"
    return (f"expected OpenAlex {entity} as JSON Lines (one {one} per line, .gz or not), API list responses "
            f'({{"meta": …, "results": […]}}, one per file), one {one} or one list response as pretty-printed JSON, '
            "or the Parquet snapshot (.parquet)")


EXPECTED = expected("works")
ID_LETTER = {"works": "W", "institutions": "I"}
PARTITION = re.compile(r"updated_date=([0-9]{4}-[0-9]{2}-[0-9]{2})")
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"

LAYOUT_NAMES = {"jsonl": "JSON Lines", "api": "API list responses", "pretty": "pretty-printed JSON",
                "array": "JSON arrays of works", "parquet": "Parquet"}


@dataclass
class WorkFiles:
    """The works files as the engines read them: JSON Lines (the user's, or rewritten here) and Parquet."""

    jsonl: list[Path] = field(default_factory=list)
    parquet: list[Path] = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)  # a rewritten file -> the file the user gave
    layouts: Counter = field(default_factory=Counter)  # layout -> files

    def note(self) -> str | None:
        """The layouts read, when not only JSON Lines: "layouts read: 2 API list responses, 1 Parquet"."""
        if set(self.layouts) <= {"jsonl"}:
            return None
        parts = ", ".join(f"{count:,} {'file' if count == 1 else 'files'} of {LAYOUT_NAMES[layout]}"
                          for layout, count in sorted(self.layouts.items()))
        return f"works read from {parts}"


def partition_of(path: str | Path) -> str | None:
    """The ``updated_date=`` folder a file lies in (the last one on its path), or None."""
    found = PARTITION.findall(str(path))
    return found[-1] if found else None


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as stream:
        magic = stream.read(2)
    if magic == GZIP_MAGIC:
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes like any binary IO
    return path.open("rb")


def _first_character(stream: IO[bytes]) -> bytes:
    """The first byte that is not white space (or a UTF-8 byte-order mark); b"" for an empty stream."""
    start = stream.read(3)
    if start != b"\xef\xbb\xbf":
        pending = start
    else:
        pending = b""
    while True:
        for index, byte in enumerate(pending):
            if chr(byte) not in " \t\r\n":
                return pending[index:index + 1]
        pending = stream.read(4096)
        if not pending:
            return b""


def _is_record(value: object, entity: str) -> bool:
    """An OpenAlex record of the entity: its id (long or short form) starts with the entity's letter."""
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return False
    return re.match(rf"^(https://openalex\.org/)?{ID_LETTER[entity]}[0-9]+$", value["id"], re.IGNORECASE) is not None


def _is_list_response(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("results"), list) and "meta" in value


def _described(value: object, entity: str) -> str:
    """A few words on what a JSON value is, for a refusal."""
    one = "work" if entity == "works" else "institution"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:4]) or "no keys"
        ident = value.get("id")
        if isinstance(ident, str) and ident:
            return (f"a JSON object with the id {ident[:60]!r}, not {'a' if one == 'work' else 'an'} {one} (an "
                    f"OpenAlex {one} id starts with {ID_LETTER[entity]})")
        return f"a JSON object with the keys {keys}, neither {'a' if one == 'work' else 'an'} {one} nor an API list response"
    return f"a JSON {type(value).__name__}"


def sniff(path: Path, entity: str = "works") -> str:
    """The layout of one file: ``jsonl``, ``api``, ``pretty``, ``array``, ``parquet`` or ``empty``; anything else is
    refused with a line that says what the file holds and what is expected."""
    try:
        with path.open("rb") as raw:
            magic = raw.read(4)
        if magic == PARQUET_MAGIC:
            return "parquet"
        with _open(path) as stream:
            first = _first_character(stream)
            if not first:
                return "empty"
            if first == b"[":
                return "array"
            if first != b"{":
                shown = first.decode("utf-8", errors="replace")
                raise RecordsInputError(f"{path}: starts with {shown!r}, not JSON or Parquet; {expected(entity)}")
        with _open(path) as stream:
            line = stream.readline()
            while line and not line.strip():
                line = stream.readline()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise RecordsInputError(f"{path}: cannot be read ({error}); {expected(entity)}") from None
    try:
        value = json.loads(line)
    except ValueError:
        return "pretty"  # the first line is not a whole JSON value: one value spread over lines
    if _is_list_response(value):
        return "api"
    if _is_record(value, entity):
        return "jsonl"
    raise RecordsInputError(f"{path}:1: found {_described(value, entity)}; {expected(entity)}")


def _records_of(value: object, path: Path, line: int | None, entity: str) -> list[dict]:
    """The works in one parsed JSON value of a non-JSON-Lines file; anything else is refused."""
    where = f"{path}:{line}" if line else str(path)
    if _is_list_response(value):
        assert isinstance(value, dict)
        works = value["results"]
    elif _is_record(value, entity):
        works = [value]
    elif isinstance(value, list):
        works = value
    else:
        raise RecordsInputError(f"{where}: found {_described(value, entity)}; {expected(entity)}")
    for number, work in enumerate(works, start=1):
        if not _is_record(work, entity):
            raise RecordsInputError(f"{where}: result {number} is {_described(work, entity)}; {expected(entity)}")
    return works


def _parsed_values(path: Path, layout: str, entity: str) -> Iterator[tuple[int | None, object]]:
    """(line, value) for each JSON value of the file: one per line for a file of API responses, else one."""
    try:
        with _open(path) as stream:
            if layout == "api":
                for number, raw in enumerate(stream, start=1):
                    if raw.strip():
                        yield number, json.loads(raw)
                return
            yield None, json.load(stream)
    except ValueError as error:
        broken_line = _broken_first_line(path)
        if broken_line is not None:  # a JSON Lines file whose first line is cut or malformed
            raise RecordsInputError(f"{path}:{broken_line}; expected one JSON object per line") from None
        position = f":{error.lineno}:{error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise RecordsInputError(f"{path}{position}: found malformed JSON ({reason}); {expected(entity)}") from None
    except (OSError, EOFError) as error:
        raise RecordsInputError(f"{path}: cannot be read ({error}); {expected(entity)}") from None


def _broken_first_line(path: Path) -> str | None:
    """``line:column: found malformed JSON (…)`` when a file that is not JSON as a whole starts with a line that
    holds more than an opening brace: a JSON Lines file with a broken line, not a value spread over lines."""
    try:
        with _open(path) as stream:
            for number, raw in enumerate(stream, start=1):
                text = raw.strip()
                if not text:
                    continue
                if text in (b"{", b"["):
                    return None
                try:
                    json.loads(text)
                except json.JSONDecodeError as error:
                    return f"{number}:{error.colno}: found malformed JSON ({error.msg})"
                return None
    except (OSError, EOFError):
        return None
    return None


def prepare_works(files: list[Path], scratch: Path, *, parquet_allowed: bool = True, engine: str = "duckdb",
                  entity: str = "works") -> WorkFiles:
    """Tell each file's layout; rewrite the non-JSON-Lines ones as JSON Lines under ``scratch``."""
    prepared = WorkFiles()
    for index, path in enumerate(files):
        layout = sniff(path, entity)
        prepared.layouts[layout] += 1
        if layout == "empty":
            continue
        if layout == "jsonl":
            prepared.jsonl.append(path)
            continue
        if layout == "parquet":
            if not parquet_allowed:
                raise RecordsInputError(f"{path}: is Parquet, which --engine {engine} does not read; use --engine "
                                        "duckdb for the Parquet snapshot (JSON Lines, API responses and pretty JSON "
                                        "are read by both engines)")
            prepared.parquet.append(path)
            continue
        works = [work for line, value in _parsed_values(path, layout, entity)
                 for work in _records_of(value, path, line, entity)]
        partition = partition_of(path)
        target = scratch / "rewritten" / entity / f"{index:06d}"
        if partition:
            target = target / f"updated_date={partition}"
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"{path.name}.jsonl"
        with target.open("w", encoding="utf-8") as sink:
            for work in works:
                sink.write(json.dumps(work, ensure_ascii=False) + "\n")
        prepared.jsonl.append(target)
        prepared.shown[str(target)] = str(path)
    prepared.layouts.pop("empty", None)
    return prepared
