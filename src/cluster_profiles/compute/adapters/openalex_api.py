"""OpenAlex API -> records folder (kind ``article``): for users who have the internet and no snapshot.

What is fetched (https://api.openalex.org, plain HTTPS with ``requests``):
- works, ``/works?filter=…`` with cursor paging (``cursor=*``, then each page's ``meta.next_cursor`` until it is
  null or a page is empty), asked only for the kept types and years and for one of:
  - countries: ``institutions.country_code:cn|hk`` (a work with at least one author's institution there);
  - institutions: ``institutions.id:I…`` (OpenAlex ids) or ``institutions.ror:…`` (ROR ids); the institution's
    own works, not those of the institutions below it (give those too);
  - a bounding box: the API filters no work or institution by coordinates, so the institutions of the box's
    countries are listed (``/institutions?filter=country_code:…``; the countries are those whose Natural Earth
    outline meets the box, unless given), those whose ``geo`` point lies inside the box are kept, and their works
    are fetched by ``institutions.id``;
  at most ``OR_VALUES`` values are joined by ``|`` in one filter, so a long list is fetched in batches (a work
  found by two batches is kept once);
- the institutions the works name, ``/institutions?filter=openalex:I…|I…``, for their coordinates.

Each page is saved as it arrives (``results`` as JSON Lines) with the cursor of the next one, in a scratch folder
beside the output (``.<out>.openalex-api``): a run that stops (offline, a kill, the daily allowance used up) is
continued by the same command, from the page after the last one saved, without a work twice. At the end the works
and institutions are written as one JSON Lines file each, in the snapshot's layout, and the snapshot adapter
(``openalex.run_openalex``) writes the records folder from them, so both paths give the same records; then the
scratch folder is removed. Only the top-level fields that adapter reads are asked for (``select``).

The polite pool: an email from ``--mailto`` or ``OPENALEX_EMAIL`` goes with every request (``mailto=``); an API
key (free; required by OpenAlex for more than a few calls a day since February 2026) from ``OPENALEX_API_KEY`` only,
never from the command line (it would show in the process list), and it is never written to the scratch folder
or shown in a message. Responses 429 and 5xx are retried with exponential backoff (``Retry-After`` honoured up to
``LONGEST_WAIT``), a failed connection twice more; then the run stops with one line that names the host and what
to do, and the pages saved stay for the next run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from tqdm import tqdm

from cluster_profiles.compute.adapters.folder import (
    AdapterSummary,
    Format,
    RecordsInputError,
    check_records_out,
    check_years,
)
from cluster_profiles.compute.adapters.openalex import (
    INSTITUTION_COLUMNS,
    OPENALEX_PREFIX,
    WORK_COLUMNS,
    normal_type,
    run_openalex,
)
from cluster_profiles.contract.natural_earth import basemap, iso_numeric_codes
from cluster_profiles.contract.vocabulary import plural
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import exit_on_termination

API_ROOT = "https://api.openalex.org"
EMAIL_VARIABLE = "OPENALEX_EMAIL"
KEY_VARIABLE = "OPENALEX_API_KEY"
KEY_PAGE = "https://openalex.org/settings/api"
# per_page: 1-100 in the current documentation (developers.openalex.org, "Page through results"), 1-200 in the
# older one; 100 is what both accept
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 200
OR_VALUES = 50  # values joined by | in one filter: "up to 50" (older documentation), 100 (current)
TIMEOUT_S = 60.0
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
HTTP_ATTEMPTS = 6  # waits 1, 2, 4, 8, 16 s between them
CONNECTION_ATTEMPTS = 3  # waits 1, 2 s: offline is said within seconds
LONGEST_WAIT = 120.0  # a Retry-After longer than this (the day's allowance used up) is not waited for
# the top-level fields the snapshot adapter reads (``select`` takes root-level fields only)
WORK_FIELDS = tuple(dict.fromkeys([*WORK_COLUMNS, "updated_date"]))
INSTITUTION_FIELDS = tuple(dict.fromkeys([*INSTITUTION_COLUMNS, "updated_date"]))
SCRATCH_SUFFIX = ".openalex-api"
PAGE = re.compile(r"\Apage_(\d{5,})\.jsonl\Z")

_COUNTRY = re.compile(r"\A[A-Za-z]{2}\Z")
_OPENALEX_INSTITUTION = re.compile(r"\A(?:https?://(?:api\.)?openalex\.org/(?:institutions/)?)?([Ii]\d{1,15})\Z")
# ROR ids: 0, six characters of Crockford's base32 (no i, l, o, u), a two-digit checksum (ror.readme.io)
_ROR = re.compile(r"\A(?:(?:https?://)?ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}\d{2})\Z", re.IGNORECASE)
_TYPE = re.compile(r"\A[a-z][a-z-]{0,39}\Z")
_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")


class OpenAlexAPIError(ClusterProfilesError):
    """The OpenAlex API could not be reached, refused the query, or answered outside its documented layout."""


def _wait(seconds: float) -> None:
    time.sleep(seconds)


# ------------------------------------------------------------------ what to fetch


@dataclass(frozen=True)
class Selection:
    """Which works to fetch: countries, institutions or a bounding box, and the years and types kept."""

    countries: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()  # "I27837315" (OpenAlex) or "ror:00f54p054"
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north (degrees)
    years: tuple[int, int] | None = None
    types: tuple[str, ...] = ("article",)

    def describe(self) -> str:
        if self.bbox is not None:
            where = "with an institution inside the box {:g} {:g} {:g} {:g} (west south east north)".format(*self.bbox)
        elif self.countries:
            where = f"with an institution in {', '.join(self.countries)}"
        else:
            where = f"of {', '.join(self.institutions)}"
        years = f" in {self.years[0]}-{self.years[1]}" if self.years else ""
        return f"works of type {'|'.join(self.types)}{years} {where}"


def _values(values: str | Iterable[object] | None, option: str) -> list[str]:
    """A list option's values: each may hold several, separated by commas or spaces ("CN,HK" or "CN HK")."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    found: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise RecordsInputError(f"{option} {value!r}: expected text, got {type(value).__name__}")
        found += [part for part in re.split(r"[,\s]+", value) if part]
    return found


def _shown(value: str) -> str:
    return repr(value) if not value.isprintable() or len(value) > 60 else value


def country_codes(values: str | Iterable[object] | None) -> tuple[str, ...]:
    """``--countries``: ISO 3166-1 alpha-2 codes (any case), upper case, in the order given, once each."""
    known = iso_numeric_codes()
    codes: list[str] = []
    for value in _values(values, "--countries"):
        code = value.upper()
        if not _COUNTRY.match(value) or code not in known:
            raise RecordsInputError(f"--countries {_shown(value)}: not an ISO 3166-1 alpha-2 country code; expected "
                                    "two letters such as CN or HK")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def institution_ids(values: str | Iterable[object] | None) -> tuple[str, ...]:
    """``--institutions``: OpenAlex ids (``I27837315``, or its URL) as ``I…``; ROR ids (``00f54p054``, or its URL)
    as ``ror:…``; once each, in the order given."""
    ids: list[str] = []
    for value in _values(values, "--institutions"):
        if (openalex := _OPENALEX_INSTITUTION.match(value)) is not None:
            found = openalex.group(1).upper()
        elif (ror := _ROR.match(value)) is not None:
            found = "ror:" + ror.group(1).lower()
        else:
            raise RecordsInputError(f"--institutions {_shown(value)}: not an institution id; expected an OpenAlex id "
                                    "such as I27837315 or a ROR id such as 00f54p054 (or their URLs)")
        if found not in ids:
            ids.append(found)
    return tuple(ids)


def check_bbox(bbox: Sequence[object] | None) -> tuple[float, float, float, float] | None:
    """``--bbox WEST SOUTH EAST NORTH`` in degrees; WEST > EAST is a box across the antimeridian."""
    if bbox is None:
        return None
    if isinstance(bbox, (str, bytes)) or len(bbox) != 4:
        raise RecordsInputError(f"--bbox {bbox!r}: expected four numbers, WEST SOUTH EAST NORTH in degrees")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox):
        raise RecordsInputError(f"--bbox {' '.join(map(str, bbox))}: expected four numbers, WEST SOUTH EAST NORTH")
    west, south, east, north = (float(v) for v in bbox)  # type: ignore[arg-type]
    shown = f"--bbox {west:g} {south:g} {east:g} {north:g}"
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise RecordsInputError(f"{shown}: expected finite numbers")
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise RecordsInputError(f"{shown}: expected longitudes from -180 to 180 and latitudes from -90 to 90")
    if south >= north or west == east:
        raise RecordsInputError(f"{shown}: expected SOUTH below NORTH and WEST apart from EAST (WEST > EAST crosses "
                                "the antimeridian)")
    return west, south, east, north


def inside(bbox: tuple[float, float, float, float], lat: object, lon: object) -> bool:
    """Whether the point is inside the box (edges included); a point without both coordinates is not."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon)):
        return False
    west, south, east, north = bbox
    lat_ok = south <= lat <= north  # type: ignore[operator]
    lon_ok = west <= lon <= east if west <= east else (lon >= west or lon <= east)  # type: ignore[operator]
    return lat_ok and lon_ok


def countries_meeting(bbox: tuple[float, float, float, float]) -> tuple[str, ...]:
    """The countries one of whose Natural Earth outlines (each ring's bounding box) meets the box: a superset of
    those with an institution inside it, which are then kept by their own coordinates."""
    west, south, east, north = bbox
    boxes = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
    by_numeric = {numeric: code for code, numeric in iso_numeric_codes().items()}
    found = set()
    for shape in basemap("50m"):
        if shape.id not in by_numeric:
            continue
        for ring in shape.rings:
            lon_min, lat_min = ring.min(axis=0)
            lon_max, lat_max = ring.max(axis=0)
            if lat_max >= south and lat_min <= north and any(lon_max >= w and lon_min <= e for w, e in boxes):
                found.add(by_numeric[shape.id])
                break
    return tuple(sorted(found))


def check_types(types: str | Iterable[object]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(_values(types, "--types")))
    for value in found:
        if not _TYPE.match(value):
            raise RecordsInputError(f"--types {_shown(value)}: not an OpenAlex work type; expected lower-case words "
                                    "such as article or review")
    if not found:
        raise RecordsInputError("--types: expected at least one OpenAlex work type, such as article")
    return found


def make_selection(*, countries: str | Iterable[object] | None = None, institutions: str | Iterable[object] | None = None,
                   bbox: Sequence[object] | None = None, years: Sequence[object] | None = None,
                   types: str | Iterable[object] = ("article",)) -> Selection:
    """The works to fetch, every value checked (one line naming the option for each mistake)."""
    codes, ids, box = country_codes(countries), institution_ids(institutions), check_bbox(bbox)
    if ids and (codes or box):
        raise RecordsInputError("--institutions: give it alone, not with --countries or --bbox")
    if not (codes or ids or box):
        raise RecordsInputError("give --countries, --institutions or --bbox: which works to fetch")
    if years is not None:
        if isinstance(years, (str, bytes)) or len(years) != 2 or not all(
                isinstance(y, int) and not isinstance(y, bool) for y in years):
            raise RecordsInputError(f"--years {years!r}: expected two years (whole numbers), first <= last")
        check_years((int(years[0]), int(years[1])))  # type: ignore[call-overload]
        years = (int(years[0]), int(years[1]))  # type: ignore[call-overload]
    if box is not None and not codes:
        codes = countries_meeting(box)
        if not codes:
            raise RecordsInputError("--bbox {:g} {:g} {:g} {:g}: no country's outline meets this box (Natural Earth "
                                    "1:50m); give --countries whose institutions to look through".format(*box))
    return Selection(countries=codes, institutions=ids, bbox=box, years=years,  # type: ignore[arg-type]
                     types=check_types(types))


def _batches(values: Sequence[str], size: int = OR_VALUES) -> list[list[str]]:
    return [list(values[i:i + size]) for i in range(0, len(values), size)]


def works_filters(selection: Selection, institutions: Sequence[str] | None = None) -> list[str]:
    """The ``filter`` values of the works lists: the place (countries, or institutions in batches) with the types
    and years. ``institutions``: the ids found inside the box (bbox selections)."""
    # the API speaks OpenAlex's current vocabulary only (journal-article is article there)
    common = [f"type:{'|'.join(dict.fromkeys(normal_type(t) for t in selection.types))}"]
    if selection.years:
        common += [f"from_publication_date:{selection.years[0]}-01-01",
                   f"to_publication_date:{selection.years[1]}-12-31"]
    places: list[str] = []
    if selection.bbox is not None:
        places = [f"institutions.id:{'|'.join(batch)}" for batch in _batches(sorted(institutions or ()))]
    elif selection.countries:
        places = [f"institutions.country_code:{'|'.join(c.lower() for c in batch)}"
                  for batch in _batches(selection.countries)]
    else:
        openalex = [i for i in selection.institutions if not i.startswith("ror:")]
        ror = [i.removeprefix("ror:") for i in selection.institutions if i.startswith("ror:")]
        places = ([f"institutions.id:{'|'.join(batch)}" for batch in _batches(openalex)]
                  + [f"institutions.ror:{'|'.join(batch)}" for batch in _batches(ror)])
    return [",".join([place, *common]) for place in places]


# ------------------------------------------------------------------ HTTP


def new_session() -> requests.Session:
    """The HTTP session every request goes through (the tests replace it with recorded responses)."""
    return requests.Session()


def _reason(error: requests.RequestException) -> str:
    """Why a connection failed, in a few words: never the exception's text, which holds the URL (and the key)."""
    text = str(error)
    for needle, reason in (("Connection refused", "connection refused"),
                           ("Name or service not known", "the name could not be resolved"),
                           ("Temporary failure in name resolution", "the name could not be resolved"),
                           ("nodename nor servname", "the name could not be resolved"),
                           ("getaddrinfo failed", "the name could not be resolved"),
                           ("Network is unreachable", "the network is unreachable"),
                           ("No route to host", "no route to the host"),
                           ("CERTIFICATE_VERIFY_FAILED", "its certificate could not be verified"),
                           ("ProxyError", "the proxy refused the connection")):
        if needle in text:
            return reason
    if isinstance(error, requests.Timeout):
        return f"no answer within {TIMEOUT_S:g} s"
    if isinstance(error, requests.exceptions.SSLError):
        return "the secure connection failed"
    return "the connection failed"


class Client:
    """GET requests to the API: the polite pool's email and the key with each, retries with backoff, one-line
    errors that name the host (and never the key)."""

    def __init__(self, root: str = API_ROOT, *, mailto: str | None = None, api_key: str | None = None,
                 session: requests.Session | None = None) -> None:
        parts = urlsplit(root)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RecordsInputError(f"--api-root {_shown(root)}: expected an http(s) URL such as {API_ROOT}")
        self.root, self.host = root.rstrip("/"), parts.hostname
        if mailto is not None and not _EMAIL.match(mailto):
            raise RecordsInputError(f"--mailto {_shown(mailto)}: expected an email address, such as you@example.org")
        if api_key is not None and (not api_key or not api_key.isprintable() or any(c.isspace() for c in api_key)):
            raise RecordsInputError(f"{KEY_VARIABLE}: expected the key as OpenAlex shows it, without spaces")
        self.mailto, self.api_key = mailto, api_key
        self.session = session if session is not None else new_session()
        # the email also goes in the User-Agent, as OpenAlex allows; a header holds ASCII only (the parameter is
        # encoded, so an address with other letters goes there alone)
        self.session.headers["User-Agent"] = "cluster-profiles" + (
            f" (mailto:{mailto})" if mailto and mailto.isascii() else "")

    def get(self, path: str, params: dict[str, str | int], *, resume_hint: str = "") -> dict[str, Any]:
        """The JSON object at ``path`` with ``params`` (encoded by requests: no value can add a parameter)."""
        sent = dict(params)
        if self.mailto:
            sent["mailto"] = self.mailto
        if self.api_key:
            sent["api_key"] = self.api_key
        where = f"{self.host}{path}"
        http_failures = connection_failures = 0
        while True:
            try:
                response = self.session.get(self.root + path, params=sent, timeout=TIMEOUT_S)
            except requests.RequestException as error:
                connection_failures += 1
                if connection_failures >= CONNECTION_ATTEMPTS:
                    raise OpenAlexAPIError(f"cannot reach {self.host} ({_reason(error)}): this command needs the "
                                           "internet; connect (or set HTTPS_PROXY) and run the same command again"
                                           f"{resume_hint}") from None
                _wait(2.0 ** (connection_failures - 1))
                continue
            if response.status_code in RETRIED_STATUSES:
                http_failures += 1
                delay = _retry_after(response) or 2.0 ** (http_failures - 1)
                if http_failures < HTTP_ATTEMPTS and delay <= LONGEST_WAIT:
                    _wait(delay)
                    continue
                raise OpenAlexAPIError(self._hidden(_refusal(response, where, self.api_key is not None,
                                                             resume_hint, after=http_failures)))
            if response.status_code != 200:
                raise OpenAlexAPIError(self._hidden(_refusal(response, where, self.api_key is not None,
                                                             resume_hint)))
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                kind = "".join(c for c in response.headers.get("Content-Type", "no content type")[:60]
                               if c.isprintable())
                raise OpenAlexAPIError(f"{where} answered with something other than a JSON object ({kind}); "
                                       "expected the API's {\"meta\": …, \"results\": […]}" + resume_hint)
            return body

    def _hidden(self, message: str) -> str:
        """``message`` without the key, should the API's own words repeat it."""
        return message.replace(self.api_key, f"${KEY_VARIABLE}") if self.api_key else message


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _api_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if isinstance(body.get(k), (str, int, float))]
        text = "".join(c for c in ": ".join(dict.fromkeys(parts)) if c.isprintable() or c.isspace())
        return " ".join(text.split())[:200]  # the server's words, on one line, without terminal controls
    return ""


def _refusal(response: requests.Response, where: str, keyed: bool, resume_hint: str, after: int = 0) -> str:
    status = response.status_code
    said = _api_message(response)
    head = f"{where} answered HTTP {status}" + (f" ({said})" if said else "")
    if after:
        head += f" {after} {plural(after, 'time')}"
    key_hint = (f"check {KEY_VARIABLE}" if keyed else
                f"set {KEY_VARIABLE} to your free key from {KEY_PAGE}")
    if status == 429:
        return (f"{head}: too many requests, or the day's allowance is used up; run the same command again later to "
                f"continue{resume_hint}" + ("" if keyed else f", and {key_hint} for a larger allowance"))
    if status in (401, 403):
        return f"{head}: the API refused the request (a key is required, or the rate limit was passed); {key_hint}"
    if status >= 500:
        return f"{head}: the API is failing; run the same command again later to continue{resume_hint}"
    return f"{head}: the query was refused; check the options"


# ------------------------------------------------------------------ paging, saved as it arrives


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


@dataclass
class ListState:
    """How far one list has been fetched: pages saved, the cursor of the next page, the total the API gave."""

    pages: int = 0
    cursor: str = "*"
    count: int | None = None
    results: int = 0
    done: bool = False

    @classmethod
    def read(cls, folder: Path) -> ListState:
        path = folder / "state.json"
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(pages=int(data["pages"]), cursor=str(data["cursor"]), count=data["count"],
                       results=int(data["results"]), done=bool(data["done"]))
        except (OSError, ValueError, KeyError, TypeError):
            raise OpenAlexAPIError(f"{path}: not a state this command wrote; delete {folder.parent.parent} to start "
                                   "the fetch over") from None

    def save(self, folder: Path) -> None:
        _write_atomically(folder / "state.json", json.dumps(self.__dict__) + "\n")


def page_files(folder: Path) -> list[Path]:
    pages = [(int(m.group(1)), p) for p in folder.glob("page_*.jsonl") if (m := PAGE.match(p.name))]
    return [p for _, p in sorted(pages)]


@dataclass
class Fetcher:
    """Fetches lists into ``scratch/lists/<entity>-<digest of the query>/``: a page file per page, then the state."""

    client: Client
    scratch: Path
    per_page: int = DEFAULT_PER_PAGE
    progress: bool = True
    pages_fetched: int = field(default=0, init=False)

    def folder(self, entity: str, filter_: str, select: Sequence[str]) -> Path:
        query = {"entity": entity, "filter": filter_, "select": list(select), "per_page": self.per_page}
        digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]
        folder = self.scratch / "lists" / f"{entity}-{digest}"
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "query.json").is_file():
            _write_atomically(folder / "query.json", json.dumps(query, indent=1) + "\n")
        return folder

    def fetch(self, entity: str, filter_: str, select: Sequence[str], label: str,
              bar: tqdm | None = None) -> Path:
        """Every page of ``/<entity>?filter=…`` saved in its folder (continuing where a previous run stopped)."""
        folder = self.folder(entity, filter_, select)
        state = ListState.read(folder)
        for leftover in page_files(folder):  # saved by a run stopped before it saved the state: fetched again
            if int(PAGE.match(leftover.name).group(1)) > state.pages:  # type: ignore[union-attr]
                leftover.unlink()
        if state.done:
            if bar is not None:
                bar.update(state.results)
            return folder
        own_bar = bar is None
        if bar is None:
            bar = tqdm(total=state.count, initial=state.results, desc=label, unit=" " + entity,
                       disable=not self.progress, leave=True, dynamic_ncols=True)
        elif state.results:
            bar.update(state.results)
        hint = f" (from page {state.pages + 1}; {state.pages} saved in {self.scratch})" if state.pages else ""
        try:
            while not state.done:
                params: dict[str, str | int] = {"filter": filter_, "select": ",".join(select),
                                                "per_page": self.per_page, "cursor": state.cursor}
                body = self.client.get(f"/{entity}", params, resume_hint=hint)
                meta, results = _list_body(body, f"{self.client.host}/{entity}")
                if results:
                    lines = "".join(json.dumps(item, separators=(",", ":")) + "\n" for item in results)
                    _write_atomically(folder / f"page_{state.pages + 1:05d}.jsonl", lines)
                    state.pages += 1
                state.results += len(results)
                state.count = meta.get("count") if isinstance(meta.get("count"), int) else state.count
                next_cursor = meta.get("next_cursor")
                state.done = not results or not isinstance(next_cursor, str) or not next_cursor \
                    or next_cursor == state.cursor
                state.cursor = next_cursor if isinstance(next_cursor, str) and next_cursor else state.cursor
                state.save(folder)
                self.pages_fetched += 1
                hint = f" (from page {state.pages + 1}; {state.pages} saved in {self.scratch})"
                if own_bar and state.count is not None:  # a work given twice can take the results past the count
                    bar.total = max(state.count, state.results)
                bar.update(len(results))
        finally:
            if own_bar:
                bar.close()
        return folder


def _list_body(body: dict[str, Any], where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta, results = body.get("meta"), body.get("results")
    if not isinstance(meta, dict) or not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise OpenAlexAPIError(f"{where} answered without the documented list layout; expected "
                               "{\"meta\": {\"count\": …, \"next_cursor\": …}, \"results\": [{…}, …]}")
    return meta, results


def read_pages(folders: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for folder in folders:
        for page in page_files(folder):
            with page.open(encoding="utf-8") as stream:
                for line in stream:
                    if line.strip():
                        yield json.loads(line)


def short_id(value: object) -> str | None:
    return value.removeprefix(OPENALEX_PREFIX) if isinstance(value, str) and value else None


def work_institutions(work: dict[str, Any]) -> Iterator[str]:
    for authorship in work.get("authorships") or ():
        if isinstance(authorship, dict):
            for institution in authorship.get("institutions") or ():
                if isinstance(institution, dict) and (found := short_id(institution.get("id"))):
                    yield found


def write_entities(items: Iterable[dict[str, Any]], target: Path, keep: Callable[[str], bool] = lambda _: True) -> int:
    """``items`` as JSON Lines in ``target`` (the snapshot's layout), once per id (the first seen: a work found by two
    batches is written once), those whose short id ``keep`` accepts; returns how many were written."""
    seen: set[str] = set()
    with open(target, "w", encoding="utf-8", newline="\n") as stream:
        for item in items:
            identifier = short_id(item.get("id"))
            if identifier is None or identifier in seen or not keep(identifier):
                continue
            seen.add(identifier)
            stream.write(json.dumps(item, separators=(",", ":")) + "\n")
    return len(seen)


# ------------------------------------------------------------------ the scratch folder


def scratch_folder(out_dir: Path) -> Path:
    """Where the pages are kept until the records folder is written: a hidden folder beside ``--out``."""
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.parent / f".{out_dir.name}{SCRATCH_SUFFIX}"


@contextmanager
def _scratch(out_dir: Path, query: dict[str, Any]) -> Iterator[Path]:
    """The scratch folder of this fetch, made or continued; one run at a time; a fetch of other settings is
    refused (its pages would be mixed with these)."""
    scratch = scratch_folder(out_dir)
    if scratch.is_symlink() or (scratch.exists() and not scratch.is_dir()):
        raise RecordsInputError(f"{scratch}: exists and is not a folder this command made; move it away")
    scratch.mkdir(parents=True, exist_ok=True)
    identity = scratch / "query.json"
    text = json.dumps(query, indent=1, sort_keys=True) + "\n"
    if identity.is_file():
        try:
            before = json.loads(identity.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = None
        if before != query:
            differing = sorted(k for k in query if not isinstance(before, dict) or before.get(k) != query[k])
            raise RecordsInputError(f"{scratch}: holds an unfinished fetch of other settings "
                                    f"({_query_words(before)}; differing in {', '.join(differing)}); run that "
                                    "command again to finish it, or delete the folder to start this one")
    else:
        _write_atomically(identity, text)
    with _locked(scratch):
        yield scratch


def _query_words(query: object) -> str:
    if isinstance(query, dict) and isinstance(query.get("selection"), str):
        return str(query["selection"])
    return "unreadable"


@contextmanager
def _locked(scratch: Path) -> Iterator[None]:
    try:
        import fcntl  # POSIX; elsewhere two runs at once are not prevented
    except ImportError:
        yield
        return
    with open(scratch / "lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RecordsInputError(f"{scratch}: another run is fetching into it; wait for it to end") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ------------------------------------------------------------------ the command


def run_openalex_api(selection: Selection, out_dir: Path, *, mailto: str | None = None, api_key: str | None = None,
                     fmt: Format = "parquet", memory_limit: str | None = None, keep_ssh: bool = False,
                     per_page: int = DEFAULT_PER_PAGE, progress: bool = True, api_root: str = API_ROOT,
                     session: requests.Session | None = None) -> AdapterSummary:
    """Fetch the works of ``selection`` and their institutions, then write ``out_dir`` with the snapshot adapter.

    ``mailto`` and ``api_key`` default to ``OPENALEX_EMAIL`` and ``OPENALEX_API_KEY``; ``keep_ssh`` as in
    ``run_openalex`` (the social sciences and humanities are fetched either way, and left out there).
    """
    if not isinstance(selection, Selection):
        raise RecordsInputError(f"selection: expected a Selection (make_selection), got {type(selection).__name__}")
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise RecordsInputError(f"--per-page {per_page!r}: expected a whole number from 1 to {MAX_PER_PAGE}")
    if not isinstance(out_dir, (str, os.PathLike)) or not str(out_dir).strip():
        raise RecordsInputError(f"--out {out_dir!r}: expected the path of the records folder to write")
    mailto = mailto if mailto is not None else (os.environ.get(EMAIL_VARIABLE) or None)
    api_key = api_key if api_key is not None else (os.environ.get(KEY_VARIABLE) or None)
    client = Client(api_root, mailto=mailto, api_key=api_key, session=session)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {})  # before any fetch: an --out that will be refused is said now
    query = {"selection": selection.describe(), "countries": list(selection.countries),
             "institutions": list(selection.institutions), "bbox": list(selection.bbox) if selection.bbox else None,
             "years": list(selection.years) if selection.years else None, "types": list(selection.types),
             "per_page": per_page, "api_root": client.root, "work_fields": list(WORK_FIELDS)}
    with exit_on_termination(), _scratch(out_dir, query) as scratch:
        fetcher = Fetcher(client, scratch, per_page=per_page, progress=progress)
        listed: list[Path] = []  # the institutions lists of the box's countries
        inside_box: list[str] = []
        if selection.bbox is not None:
            for batch in _batches(selection.countries):
                listed.append(fetcher.fetch("institutions", f"country_code:{'|'.join(c.lower() for c in batch)}"
                                            ",works_count:>0", INSTITUTION_FIELDS,
                                            f"OpenAlex institutions in {', '.join(batch)}"))
            inside_box = sorted({i for item in read_pages(listed) if (i := short_id(item.get("id")))
                                 and inside(selection.bbox, (item.get("geo") or {}).get("latitude"),
                                            (item.get("geo") or {}).get("longitude"))})
        filters = works_filters(selection, inside_box)
        work_lists = [fetcher.fetch("works", filter_, WORK_FIELDS, f"OpenAlex works ({number} of {len(filters)})"
                                    if len(filters) > 1 else "OpenAlex works")
                      for number, filter_ in enumerate(filters, start=1)]
        works_file = scratch / "works.jsonl"
        named: set[str] = set()

        def note_institutions(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for item in items:
                named.update(work_institutions(item))
                yield item

        works = write_entities(note_institutions(read_pages(work_lists)), works_file)
        already = {i for item in read_pages(listed) if (i := short_id(item.get("id"))) in named}
        missing = sorted(named - already)
        with tqdm(total=len(missing), desc="institutions of the works", unit=" institutions",
                  disable=not progress or not missing, leave=True, dynamic_ncols=True) as bar:
            institution_lists = [fetcher.fetch("institutions", f"openalex:{'|'.join(batch)}", INSTITUTION_FIELDS,
                                               "institutions", bar=bar) for batch in _batches(missing)]
        institutions_file = scratch / "institutions.jsonl"
        institutions = write_entities(read_pages([*listed, *institution_lists]), institutions_file,
                                         keep=named.__contains__)
        summary = run_openalex(works_file, institutions_file, out_dir, years=selection.years, types=selection.types,
                               fmt=fmt, memory_limit=memory_limit, keep_ssh=keep_ssh)
    shutil.rmtree(scratch, ignore_errors=True)
    summary.source = f"OpenAlex API ({client.host}): {selection.describe()}"
    box = (f"; {len(inside_box):,} {plural(len(inside_box), 'institution')} of "
           f"{', '.join(selection.countries)} inside the box") if selection.bbox is not None else ""
    summary.notes.insert(0, f"fetched {works:,} {plural(works, 'work')} and {institutions:,} "
                            f"{plural(institutions, 'institution')} ({fetcher.pages_fetched:,} "
                            f"{plural(fetcher.pages_fetched, 'page')} in this run){box}")
    if not works:
        summary.notes.insert(1, f"the API found no {selection.describe()}")
    return summary
