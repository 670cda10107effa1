"""``records openalex-api`` on recorded responses: no test reaches the network.

The responses (tests/fixtures/records/openalex-api/*.json) are written by hand in the API's documented layout
(``{"meta": {"count", "per_page", "next_cursor", …}, "results": […]}``; errors as ``{"error", "message"}``) and
replayed by ``Cassette``, a requests transport adapter: the command builds and encodes its requests as it would for
the real API, and each request must match the next recorded one (path and query, except ``select``, ``mailto`` and
``api_key``, checked on their own). A socket guard fails any test that connects anywhere but the loopback.
"""

from __future__ import annotations

import copy
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from records_fixtures import RECORDS_FIXTURES, read_records

from cluster_profiles import cli, paths
from cluster_profiles.compute.adapters import openalex_api
from cluster_profiles.compute.adapters.folder import RecordsInputError
from cluster_profiles.compute.adapters.openalex import WORK_COLUMNS, run_openalex
from cluster_profiles.compute.adapters.openalex_api import (
    OpenAlexAPIError,
    make_selection,
    run_openalex_api,
    scratch_folder,
)
from cluster_profiles.errors import ClusterProfilesError

from bad_inputs import HOSTILE_MAKE_VALUES

FIXTURES = RECORDS_FIXTURES / "openalex-api"
IGNORED = {"select", "mailto", "api_key"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


# ------------------------------------------------------------------ no network


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection or name lookup beyond the loopback fails the test."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in LOOPBACK and self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"a test tried to reach the network: {address}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK and host is not None:
            raise AssertionError(f"a test tried to look up {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(openalex_api, "_wait", lambda seconds: waits.append(seconds))
    waits: list[float] = []
    monkeypatch.delenv("OPENALEX_EMAIL", raising=False)
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    return waits


def test_the_guard_stops_a_real_request():
    with pytest.raises(AssertionError, match="api.openalex.org"):
        requests.get("https://api.openalex.org/works", timeout=5)


# ------------------------------------------------------------------ the cassette


class Killed(BaseException):
    """What a kill looks like to the command (files.exit_on_termination raises SystemExit; this is told apart)."""


class Cassette(requests.adapters.BaseAdapter):
    """Replays recorded interactions in order; a request that does not match the next one fails the test."""

    def __init__(self, interactions: list[dict]):
        super().__init__()
        self.interactions = list(interactions)
        self.sent: list[requests.PreparedRequest] = []

    @classmethod
    def load(cls, name: str) -> Cassette:
        return cls(json.loads((FIXTURES / name).read_text(encoding="utf-8"))["interactions"])

    def send(self, request, **kwargs):
        self.sent.append(request)
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items() if k not in IGNORED}
        assert self.interactions, f"no recorded response left for {url.path}?{query}"
        recorded = self.interactions.pop(0)
        if "raise" in recorded:
            raise {"connection": requests.ConnectionError("[Errno 111] Connection refused"),
                   "timeout": requests.Timeout("read timed out"),
                   "kill": Killed()}[recorded["raise"]]
        expected = recorded["request"]
        assert (url.path, query) == (expected["path"], expected["query"] or query), "not the recorded request"
        response = requests.Response()
        answer = recorded["response"]
        response.status_code = answer["status"]
        response.headers.update(answer.get("headers", {}))
        body = answer["body"]
        response._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    def close(self):
        pass

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return session


def recorded(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["interactions"]


def errors(status: int) -> dict:
    return next(i for i in recorded("errors.json") if i["response"]["status"] == status)


def fetch(cassette: Cassette, out: Path, **options):
    selection = make_selection(**{"countries": ["CN", "HK"], "years": (2020, 2022), **options.pop("select", {})})
    return run_openalex_api(selection, out, **{"per_page": 2, "progress": False, "session": cassette.session(),
                                               **options})


def work_ids(out: Path) -> list[str]:
    return read_records(out)["documents"]["doc_id"].tolist()


ALL_WORKS = ["W4300000001", "W4300000002", "W4300000003", "W4300000004", "W4300000005"]


# ------------------------------------------------------------------ paging to the end


def test_pages_to_the_end_and_writes_the_records_the_snapshot_gives(tmp_path):
    cassette = Cassette.load("countries.json")
    summary = fetch(cassette, tmp_path / "records")
    assert cassette.interactions == []  # every page, to the empty one with a null cursor
    cursors = [parse_qs(urlsplit(r.url).query)["cursor"][0] for r in cassette.sent if "/works" in r.url]
    assert cursors[0] == "*" and len(set(cursors)) == len(cursors) == 5
    assert work_ids(tmp_path / "records") == ALL_WORKS  # the work repeated on page 4 is there once
    snapshot = run_openalex(FIXTURES / "snapshot-works.jsonl", FIXTURES / "snapshot-institutions.jsonl",
                            tmp_path / "from-snapshot", years=(2020, 2022))
    api, files = read_records(tmp_path / "records"), read_records(tmp_path / "from-snapshot")
    for table in files:
        assert api[table].equals(files[table]), table
    assert (summary.read, summary.dropped, summary.written) == (snapshot.read, snapshot.dropped, snapshot.written)
    assert summary.read == 6 and sum(summary.dropped.values()) == 1  # the economics article: social sciences
    assert summary.source.startswith("OpenAlex API (api.openalex.org): works of type article in 2020-2022")
    assert "fetched 6 works and 6 institutions (9 pages in this run)" in summary.lines()
    assert not scratch_folder(tmp_path / "records").exists()  # a finished run leaves no scratch behind


def test_the_social_sciences_are_fetched_and_kept_on_request(tmp_path):
    fetch(Cassette.load("countries.json"), tmp_path / "records", keep_ssh=True)
    assert work_ids(tmp_path / "records") == [*ALL_WORKS, "W4300000006"]


@pytest.mark.parametrize(("types", "asked"), [(["article"], "type:article"), (["journal-article", "article"],
                                                                              "type:article"),
                                              (["article", "review"], "type:article|review")])
def test_the_types_are_asked_in_the_apis_current_vocabulary(types, asked):
    selection = make_selection(countries="CN", types=types)
    assert openalex_api.works_filters(selection) == [f"institutions.country_code:cn,{asked}"]


def test_the_requests_ask_for_the_adapters_fields_in_the_polite_pool(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENALEX_EMAIL", "me@example.org")
    monkeypatch.setenv("OPENALEX_API_KEY", "k3y")
    cassette = Cassette.load("countries.json")
    fetch(cassette, tmp_path / "records")
    for request in cassette.sent:
        query = parse_qs(urlsplit(request.url).query)
        assert query["mailto"] == ["me@example.org"] and query["api_key"] == ["k3y"]
        assert set(WORK_COLUMNS) <= set(query["select"][0].split(",")) or "/institutions" in request.url
        assert request.headers["User-Agent"] == "cluster-profiles (mailto:me@example.org)"
    assert urlsplit(cassette.sent[0].url).netloc == "api.openalex.org"


def test_the_box_lists_its_countries_institutions_and_keeps_those_inside(tmp_path):
    cassette = Cassette.load("bbox-hefei.json")
    summary = fetch(cassette, tmp_path / "records", select={"countries": None, "bbox": (116.9, 31.6, 117.5, 32.1)})
    assert cassette.interactions == []
    # the countries come from the Natural Earth outlines the box meets: CN only (not the US, whose Aleutians
    # stretch its bounding box round the world)
    assert "country_code:cn,works_count:>0" in parse_qs(urlsplit(cassette.sent[0].url).query)["filter"]
    assert work_ids(tmp_path / "records") == ["W4300000001", "W4300000004", "W4300000005"]
    assert "2 institutions of CN inside the box" in summary.lines()[2]
    addresses = read_records(tmp_path / "records")["addresses"]
    assert set(addresses["city"]) == {"Hefei", "Hong Kong", "Shenzhen"}  # co-authors outside the box are kept


def test_an_empty_result_writes_an_empty_folder_and_says_so(tmp_path):
    cassette = Cassette.load("empty.json")
    summary = fetch(cassette, tmp_path / "records", select={"countries": "TV", "years": (2020, 2020)})
    assert work_ids(tmp_path / "records") == []
    assert summary.read == 0
    assert "the API found no works of type article in 2020-2020 with an institution in TV" in summary.lines()
    assert not scratch_folder(tmp_path / "records").exists()


# ------------------------------------------------------------------ retries


def test_a_429_then_success_waits_and_goes_on(tmp_path, no_network):
    interactions = recorded("countries.json")
    interactions.insert(1, errors(429) | {"response": errors(429)["response"] | {"headers": {"Retry-After": "3"}}})
    interactions.insert(3, errors(503))
    interactions.insert(4, {"raise": "connection"})
    interactions.insert(5, {"raise": "timeout"})
    fetch(Cassette(interactions), tmp_path / "records")
    assert work_ids(tmp_path / "records") == ALL_WORKS
    assert no_network == [3.0, 1.0, 1.0, 2.0]  # Retry-After, then the backoff of each kind


def test_429_every_time_stops_with_one_line_and_keeps_the_pages(tmp_path, no_network):
    interactions = recorded("countries.json")[:1] + [errors(429)] * openalex_api.HTTP_ATTEMPTS
    with pytest.raises(OpenAlexAPIError) as raised:
        fetch(Cassette(interactions), tmp_path / "records")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("api.openalex.org/works answered HTTP 429 (Rate limit exceeded) 6 times")
    assert "from page 2; 1 saved in" in message and "OPENALEX_API_KEY" in message
    assert no_network == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert scratch_folder(tmp_path / "records").is_dir()


def test_a_day_long_retry_after_is_not_waited_for(tmp_path, no_network):
    answer = errors(429) | {"response": errors(429)["response"] | {"headers": {"Retry-After": "86400"}}}
    with pytest.raises(OpenAlexAPIError, match="429"):
        fetch(Cassette([answer]), tmp_path / "records")
    assert no_network == []


@pytest.mark.parametrize("status", [400, 401])
def test_a_refused_query_is_not_retried_and_says_what_to_do(tmp_path, status, no_network):
    with pytest.raises(OpenAlexAPIError) as raised:
        fetch(Cassette([errors(status)]), tmp_path / "records")
    message = str(raised.value)
    assert no_network == [] and "\n" not in message
    assert {400: "Unknown filter field: author_name", 401: "set OPENALEX_API_KEY"}[status] in message


@pytest.mark.parametrize("body", ["<html>Bad gateway</html>", "[]", {"meta": {"count": 1}}, {"results": []},
                                  {"meta": {}, "results": [1, 2]}])
def test_an_answer_outside_the_documented_layout_is_one_line(tmp_path, body):
    answer = {"request": {"path": "/works", "query": {}}, "response": {"status": 200, "body": body}}
    with pytest.raises(OpenAlexAPIError, match=r"api.openalex.org/works answered") as raised:
        fetch(Cassette([answer]), tmp_path / "records")
    assert "\n" not in str(raised.value)


# ------------------------------------------------------------------ resuming


def test_a_killed_run_continues_where_it_stopped_without_a_work_twice(tmp_path):
    interactions = recorded("countries.json")
    first = Cassette(interactions[:2] + [{"raise": "kill"}])
    with pytest.raises(Killed):
        fetch(first, tmp_path / "records")
    scratch = scratch_folder(tmp_path / "records")
    assert len(list(scratch.rglob("page_*.jsonl"))) == 2
    assert not (tmp_path / "records").exists()
    second = Cassette(interactions[2:])  # the rest: it must ask for the third page's cursor first
    fetch(second, tmp_path / "records")
    assert second.interactions == []
    assert parse_qs(urlsplit(second.sent[0].url).query)["cursor"] == [interactions[2]["request"]["query"]["cursor"]]
    assert work_ids(tmp_path / "records") == ALL_WORKS
    assert not scratch.exists()


def killed_before_saving_the_second_cursor(monkeypatch, interactions: list, records) -> None:
    """A fetch that dies after page 2's file is written and before its cursor is saved (as a kill would)."""
    real_save = openalex_api.ListState.save

    def killed_on_the_second_page(state, folder):
        if state.pages == 2:
            raise Killed
        real_save(state, folder)

    monkeypatch.setattr(openalex_api.ListState, "save", killed_on_the_second_page)
    with pytest.raises(Killed):
        fetch(Cassette(interactions), records)
    monkeypatch.setattr(openalex_api.ListState, "save", real_save)


def test_a_run_killed_between_a_page_and_its_cursor_fetches_that_page_again(tmp_path, monkeypatch):
    interactions = recorded("countries.json")
    killed_before_saving_the_second_cursor(monkeypatch, interactions, tmp_path / "records")
    second = Cassette(interactions[1:])  # page 2 again: its page file was saved, its cursor was not
    summary = fetch(second, tmp_path / "records")
    assert second.interactions == []
    assert work_ids(tmp_path / "records") == ALL_WORKS
    assert summary.read == 6


def test_a_page_saved_without_its_cursor_is_not_kept(tmp_path, monkeypatch):
    """Killed after page 2 was saved but before its cursor was: the rerun asks for page 2 again, and when the API
    now answers that the list ends there, the page saved before is not read."""
    interactions = recorded("countries.json")
    killed_before_saving_the_second_cursor(monkeypatch, interactions, tmp_path / "records")
    ended = copy.deepcopy(interactions[1])
    ended["response"]["body"]["results"], ended["response"]["body"]["meta"]["next_cursor"] = [], None
    first_institutions = next(n for n, i in enumerate(interactions) if i["request"]["path"] == "/institutions")
    institutions = copy.deepcopy(interactions[first_institutions])
    named = ["I126520041", "I16365422", "I180726961", "I889458895", "I98358874"]  # by W4300000001 and -02
    institutions["request"]["query"]["filter"] = "openalex:" + "|".join(named)
    institutions["response"]["body"]["results"] = [
        i for page in interactions[first_institutions:] for i in page["response"]["body"]["results"]
        if i["id"].removeprefix("https://openalex.org/") in named]
    institutions["response"]["body"]["meta"]["next_cursor"] = None
    fetch(Cassette([ended, institutions]), tmp_path / "records")
    assert work_ids(tmp_path / "records") == ["W4300000001", "W4300000002"]


def test_an_out_folder_that_would_be_refused_is_refused_before_any_request(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "documents.csv").write_text("not written by the adapters\n")
    cassette = Cassette([])
    with pytest.raises(ClusterProfilesError, match="documents.csv, which was not written by"):
        fetch(cassette, tmp_path / "records")
    assert cassette.sent == [] and not scratch_folder(tmp_path / "records").exists()


def test_a_fetch_of_other_settings_is_not_mixed_in(tmp_path):
    with pytest.raises(Killed):
        fetch(Cassette(recorded("countries.json")[:1] + [{"raise": "kill"}]), tmp_path / "records")
    with pytest.raises(RecordsInputError, match=r"unfinished fetch of other settings \(works of type article "
                                                r"in 2020-2022 with an institution in CN, HK; differing in "
                                                r"countries, selection\)"):
        fetch(Cassette([]), tmp_path / "records", select={"countries": ["CN"]})
    with pytest.raises(RecordsInputError, match=r"differing in per_page\)"):
        fetch(Cassette([]), tmp_path / "records", per_page=3)


def test_a_killed_process_continues_from_its_saved_pages(tmp_path):
    """SIGKILL for real: a child process fetching through the cassette is killed after its second page."""
    child = (
        "import json, os, signal, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_openalex_api import Cassette, fetch\n"
        "from pathlib import Path\n"
        "from cluster_profiles.compute.adapters import openalex_api\n"
        "real = openalex_api.ListState.save\n"
        "def save(state, folder):\n"
        "    real(state, folder)\n"
        "    if state.pages == 2: os.kill(os.getpid(), signal.SIGKILL)\n"
        "openalex_api.ListState.save = save\n"
        "fetch(Cassette.load('countries.json'), Path(sys.argv[2]))\n"
    )
    done = subprocess.run([sys.executable, "-c", child, str(Path(__file__).parent), str(tmp_path / "records")],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert done.returncode == -9, done.stderr
    second = Cassette(recorded("countries.json")[2:])
    fetch(second, tmp_path / "records")
    assert work_ids(tmp_path / "records") == ALL_WORKS and second.interactions == []


# ------------------------------------------------------------------ offline, through the command


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_command(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as stopped:  # argparse's refusals
        code = stopped.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_offline_is_one_line_naming_the_host_and_what_to_do(tmp_path, capsys, monkeypatch, no_network):
    monkeypatch.setattr(openalex_api, "new_session", lambda: _no_proxy_session())
    code, _, err = run_command(["records", "openalex-api", "--countries", "CN", "--out", str(tmp_path / "r"),
                                "--api-root", f"http://127.0.0.1:{closed_port()}", "--quiet"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("error: cannot reach 127.0.0.1 (connection refused): this command needs the internet")
    assert "run the same command again" in err
    assert no_network == [1.0, 2.0]


def _no_proxy_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # a proxy in the environment would answer for the closed port
    return session


class ReplayHandler(http.server.BaseHTTPRequestHandler):
    """A loopback server's handler: the next recorded answer for each GET, the request line and headers kept."""

    answers: list[dict] = []
    seen: list[tuple[str, dict]] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        type(self).seen.append((self.path, dict(self.headers)))
        answer = type(self).answers.pop(0)["response"]
        body = json.dumps(answer["body"]).encode()
        self.send_response(answer["status"])
        for name, value in answer.get("headers", {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mailto", ["me@example.org", "研究者@例え.jp"])
def test_over_real_http_on_the_loopback(tmp_path, monkeypatch, mailto):
    """The real transport (requests over a socket), against a server on 127.0.0.1 replaying the empty list after
    a 503: headers a socket can carry (an email that is not ASCII goes in the parameter only)."""
    ReplayHandler.answers, ReplayHandler.seen = [errors(503), *recorded("empty.json")], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ReplayHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(openalex_api, "new_session", _no_proxy_session)
    try:
        selection = make_selection(countries="TV", years=(2020, 2020))
        summary = run_openalex_api(selection, tmp_path / "records", per_page=2, progress=False, mailto=mailto,
                                   api_root=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert summary.read == 0 and len(ReplayHandler.seen) == 2
    path, headers = ReplayHandler.seen[-1]
    assert parse_qs(urlsplit(path).query)["mailto"] == [mailto]
    assert headers["User-Agent"] == ("cluster-profiles (mailto:me@example.org)" if mailto.isascii()
                                     else "cluster-profiles")


def test_the_key_never_shows_in_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "s3cr3t-key")
    echoed = copy.deepcopy(errors(400))
    echoed["response"]["body"]["message"] = "Invalid api_key=s3cr3t-key in /works?api_key=s3cr3t-key\x1b[2J\nnext"
    for answer in [errors(429)] * 6, [errors(400)], [{"raise": "connection"}] * 3, [echoed]:
        shutil.rmtree(tmp_path, ignore_errors=True)
        with pytest.raises(OpenAlexAPIError) as raised:
            fetch(Cassette(list(answer)), tmp_path / "records")
        assert "s3cr3t" not in str(raised.value) and "\x1b" not in str(raised.value) and "\n" not in str(raised.value)
        assert not any("s3cr3t" in p.read_text() for p in tmp_path.rglob("*") if p.is_file())


def test_the_command_writes_the_records_and_prints_the_summary(tmp_path, capsys, monkeypatch):
    cassette = Cassette.load("countries.json")
    monkeypatch.setattr(openalex_api, "new_session", cassette.session)
    code, out, err = run_command(["records", "openalex-api", "--countries", "cn,hk", "--years", "2020", "2022",
                                  "--per-page", "2", "--out", str(tmp_path / "r"), "--format", "csv"], capsys)
    assert code == 0, err
    assert out.splitlines()[0].startswith("OpenAlex API (api.openalex.org): works of type article in 2020-2022 "
                                          "with an institution in CN, HK: read 6 documents")
    # the progress bars: labelled, their totals from meta.count (7: the count and a work the API gave twice)
    assert "works: 100%" in err and "| 7/7 " in err and "institutions of the works: 100%" in err
    assert (tmp_path / "r" / "documents.csv").is_file()


# ------------------------------------------------------------------ hostile and wrong values


HOSTILE = ["CN,type:book", "CN|HK", "cn&api_key=x", "CN%2CUS", "C N", "CN\x00", "../CN", "' OR 1=1", "中国", "",
           "--out", "I123,publication_year:1900", "W2741809807", "https://evil.example/I1", "ror:0abc",
           "I12345678901234567890"]


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip()], ids=range(len([v for v in HOSTILE
                                                                                   if v.strip()])))
@pytest.mark.parametrize("option", ["countries", "institutions"])
def test_a_hostile_place_is_refused_before_any_request(tmp_path, value, option):
    cassette = Cassette([])
    with pytest.raises(RecordsInputError) as raised:
        fetch(cassette, tmp_path / "records", select={"countries": None, option: [value]})
    assert cassette.sent == [] and "\n" not in str(raised.value)
    assert str(raised.value).startswith(f"--{option} ")


def test_values_reach_the_api_encoded_never_as_new_parameters(tmp_path):
    hostile_email = "me+x@example.org&filter=type:book&api_key=stolen#frag"
    cassette = Cassette(recorded("countries.json"))
    fetch(cassette, tmp_path / "records", mailto=hostile_email)
    first = urlsplit(cassette.sent[0].url)
    assert "|" not in first.query and "#" not in cassette.sent[0].url  # encoded: %7C, %23
    query = parse_qs(first.query)
    assert query["mailto"] == [hostile_email] and len(query["filter"]) == 1 and "api_key" not in query
    assert sorted(query) == ["cursor", "filter", "mailto", "per_page", "select"]


@pytest.mark.parametrize(("options", "message"), [
    ({"years": ("2018", "2020")}, "--years ('2018', '2020'): expected two years"),
    ({"years": (2020,)}, "--years (2020,): expected two years"),
    ({"years": (2022, 2020)}, "--years 2022 2020: expected two years, first <= last"),
    ({"years": (True, 2020)}, "--years (True, 2020)"),
    ({"bbox": ("a", 1, 2, 3)}, "--bbox a 1 2 3: expected four numbers"),
    ({"bbox": (1, 2, 3)}, "--bbox (1, 2, 3): expected four numbers"),
    ({"bbox": (float("nan"), 1, 2, 3)}, "expected finite numbers"),
    ({"bbox": (0, 50, 10, 40)}, "expected SOUTH below NORTH"),
    ({"bbox": (-190, 0, 10, 10)}, "expected longitudes from -180 to 180"),
    ({"bbox": (-30, -10, -20, 0), "countries": None}, "--bbox -30 -10 -20 0: no country's outline meets this box"),
    ({"countries": [12]}, "--countries 12: expected text, got int"),
    ({"countries": ["ZZ"]}, "--countries ZZ: not an ISO 3166-1 alpha-2 country code"),
    ({"countries": None}, "give --countries, --institutions or --bbox"),
    ({"institutions": ["I1"]}, "--institutions: give it alone"),
    ({"types": ["article,publication_year:1900"]}, "--types publication_year:1900: not an OpenAlex work type"),
    ({"types": ["Article|book"]}, "--types Article|book: not an OpenAlex work type"),
    ({"types": []}, "--types: expected at least one"),
])
def test_wrong_values_are_one_line_naming_the_option(options, message):
    with pytest.raises(RecordsInputError) as raised:
        make_selection(**{"countries": ["CN"], **options})
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(("options", "message"), [
    ({"per_page": 0}, "--per-page 0: expected a whole number from 1 to 200"),
    ({"per_page": "100"}, "--per-page '100'"),
    ({"mailto": "not an email"}, "--mailto not an email: expected an email address"),
    ({"mailto": "me@example.org\r\nX-Evil: 1"}, "--mailto 'me@example.org\\r\\nX-Evil: 1'"),
    ({"api_root": "ftp://example.org"}, "--api-root ftp://example.org: expected an http(s) URL"),
    ({"out_dir": None}, "--out None: expected the path of the records folder"),
    ({"out_dir": 3}, "--out 3: expected the path"),
])
def test_wrong_fetch_options_are_refused_before_any_request(tmp_path, options, message):
    cassette = Cassette([])
    options = {"per_page": 2, "out_dir": tmp_path / "r", **options}
    selection = make_selection(countries="CN")
    with pytest.raises(RecordsInputError) as raised:
        run_openalex_api(selection, progress=False, session=cassette.session(), **options)
    assert message in str(raised.value) and cassette.sent == []


@pytest.mark.parametrize("argv", [["--countries", "CN", "--years", "twenty", "2020"],
                                  ["--bbox", "1", "2", "x", "4"], ["--countries", "CN", "--per-page", "many"],
                                  ["--countries", "CN", "--per-page", "500"], ["--bbox", "1", "2"],
                                  ["--countries", "XX"], ["--institutions", "I1", "--countries", "CN"], []])
def test_the_command_refuses_wrong_types_in_one_line(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.setenv("CLUSTER_PROFILES_VIA_MAKE", "1")  # argparse's refusals without the usage lines
    monkeypatch.setattr(openalex_api, "new_session", lambda: Cassette([]).session())
    code, _, err = run_command(["records", "openalex-api", "--out", str(tmp_path / "r"), *argv], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert not (tmp_path / "r").exists() and not scratch_folder(tmp_path / "r").exists()


# ------------------------------------------------------------------ the make target


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_the_make_target_passes_each_value_as_literal_arguments(tmp_path):
    root = tmp_path / "project"
    (root / "requirements").mkdir(parents=True)
    shutil.copy(paths.REPO_ROOT / "Makefile", root)
    shutil.copy(paths.REPO_ROOT / "pyproject.toml", root)
    shutil.copy(paths.REPO_ROOT / "requirements" / "lock-py311.txt", root / "requirements")
    bin_dir = root / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    recorder = ("#!/bin/sh\nfor argument in \"$@\"; do printf '%s\\000' \"$argument\"; done >> \"$ARGV_LOG\"\n"
                "printf '\\001' >> \"$ARGV_LOG\"\n")
    (bin_dir / "cluster-profiles").write_text(recorder)
    (bin_dir / "cluster-profiles").chmod(0o755)
    for extra in ("render", "compute"):
        (root / "venv" / f".installed-{extra}").touch()
    log = root / "argv.log"
    environment = {k: v for k, v in os.environ.items() if k not in {"CONDA_PREFIX", "MAKEFLAGS", "MFLAGS"}}
    environment |= {"VIRTUAL_ENV": str(root / "venv"), "ARGV_LOG": str(log)}

    def make(*argv: str) -> list[str]:
        log.unlink(missing_ok=True)
        done = subprocess.run(["make", "--no-print-directory", "records-openalex-api", *argv], cwd=root,
                              env=environment, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return log.read_bytes().decode().split("\x01")[0].split("\0")[:-1]

    assert make("OUT=r", "COUNTRIES=CN HK", "YEARS=2018 2022", "MAILTO=me@example.org") == [
        "records", "openalex-api", "--out", "r", "--format", "parquet", "--countries", "CN", "HK",
        "--years", "2018", "2022", "--mailto", "me@example.org"]
    argv = make("OUT=r", "BBOX=113.7 22.4 114.5 22.9", "INSTITUTIONS=I1 00f54p054")
    assert argv[argv.index("--bbox") + 1:argv.index("--bbox") + 5] == ["113.7", "22.4", "114.5", "22.9"]
    assert argv[argv.index("--institutions") + 1:argv.index("--institutions") + 3] == ["I1", "00f54p054"]
    for value in HOSTILE_MAKE_VALUES:
        argv = make(f"OUT={value}", f"MAILTO={value}")
        assert argv[argv.index("--out") + 1] == value and argv[argv.index("--mailto") + 1] == value
        words = value.split("\n")[0].split()
        if words:
            argv = make(f"COUNTRIES={value}")
            assert argv[argv.index("--countries") + 1:][:len(words)] == words
    assert not [p for p in root.rglob("*") if "pwned" in p.name]


def test_the_cassettes_are_the_documented_layout():
    for path in FIXTURES.glob("*.json"):
        for interaction in recorded(path.name):
            body = interaction["response"]["body"]
            if interaction["response"]["status"] == 200:
                assert set(body) >= {"meta", "results"} and {"count", "per_page", "next_cursor"} <= set(body["meta"])
            else:
                assert set(body) == {"error", "message"}
