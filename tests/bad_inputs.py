"""The corpus of bad inputs: each must fail with a message naming the place, and write nothing.

DATA_CASES break one cell or column of a copy of data/; BYTE_CASES replace a whole file;
PARAMETER_CASES are command lines. tests/test_load.py checks the located problem of each data case;
tests/test_bad_inputs.py runs every case through `cluster-profiles render` next to an existing report.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path


def _rewrite(path: Path, edit) -> None:
    """Apply ``edit(rows)`` to a CSV's rows (a list of dicts) and write it back."""
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        fields, rows = list(reader.fieldnames), list(reader)
    fields = edit(rows) or fields
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _row(rows, **match):
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def _set(file, match, column, value):
    def edit(rows):
        _row(rows, **match)[column] = value
    return file, edit


HEFEI = {"edition": "2024", "cluster": "Hefei"}
HEFEI_TOP1 = {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}


def _drop_column(file, column):
    def edit(rows):
        for r in rows:
            r.pop(column)
        return [c for c in rows[0]]
    return file, edit


def _add_column(file, column):
    def edit(rows):
        for r in rows:
            r[column] = "x"
        return [c for c in rows[0]]
    return file, edit


def _twin(file, match, column, value, **also):
    """A copy of the matched row with ``column`` set to ``value`` (and ranks cleared), appended."""
    def edit(rows):
        twin = dict(_row(rows, **match)) | {column: value} | also
        rows.append(twin)
    return file, edit


def _new_clusters(*names):
    """Clusters of GII 2024 with these names and nothing else known, appended."""
    def edit(rows):
        for name in names:
            rows.append({c: "" for c in rows[0]} | {"edition": "2024", "cluster": name, "economy": "CN",
                                                      "source": "https://example.org/test"})
    return "clusters.csv", edit


_UNRANKED = {"size_rank": "", "intensity_rank": "", "economy_rank": "", "previous_rank": ""}
_LONG = "Greater " + "Metropolitan " * 6 + "Science and Technology Innovation Area of "


def _duplicate(file, match):
    def edit(rows):
        rows.append(dict(_row(rows, **match)))
    return file, edit


CASES = {
    # name: (file, edit, expected file, expected column, words in the expectation)
    "missing column": (*_drop_column("clusters.csv", "size_rank"), "clusters.csv", "size_rank", "no such column"),
    "extra column": (*_add_column("economies.csv", "population"), "economies.csv", "population", "does not declare"),
    "non-numeric count": (*_set("top_organisations.csv", HEFEI_TOP1, "count", "2,069"), "top_organisations.csv", "count", "not a number"),
    "negative count": (*_set("clusters.csv", HEFEI, "pct_per_million", "-692"), "clusters.csv", "pct_per_million", "0 or more"),
    "share over 100": (*_set("collaboration.csv", {"edition": "2024", "cluster": "Hefei", "output": "articles"}, "share_pct", "161"), "collaboration.csv", "share_pct", "from 0 to 100"),
    "rank 0": (*_set("clusters.csv", HEFEI, "size_rank", "0"), "clusters.csv", "size_rank", "from 1 to 100"),
    "rank 101": (*_set("clusters.csv", HEFEI, "intensity_rank", "101"), "clusters.csv", "intensity_rank", "from 1 to 100"),
    "fractional rank": (*_set("clusters.csv", HEFEI, "size_rank", "36.5"), "clusters.csv", "size_rank", "whole number"),
    "duplicate key": (*_duplicate("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}), "top_fields.csv", "edition, cluster, output, rank, field", "duplicate key"),
    "rank used twice in a list": (*_twin("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}, "field", "Optics"), "top_fields.csv", "rank", "used once per list"),
    "source on a URL-fetching proxy": (*_set("clusters.csv", HEFEI, "source", "https://proxy.example.net/proxy?url=https%3A%2F%2Fwww.wipo.int%2Fgii"), "clusters.csv", "source", "https://www.wipo.int/gii"),
    "source on a search-engine cache": (*_set("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}, "source", "WIPO profile, https://webcache.googleusercontent.com/search?q=cache:https://www.wipo.int/x"), "top_fields.csv", "source", "not a cached"),
    "empty rank without a note": (*_set("collaboration_partners.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "3"}, "rank", ""), "collaboration_partners.csv", "rank", "gives no order"),
    "unknown economy": (*_set("clusters.csv", HEFEI, "economy", "XX"), "clusters.csv", "economy", "economies.csv"),
    "cluster absent from clusters table": (*_set("top_organisations.csv", HEFEI_TOP1, "cluster", "Hefai"), "top_organisations.csv", "cluster", "clusters.csv"),
    "edition mismatch": (*_set("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}, "edition", "2022"), "top_fields.csv", "edition", "editions.csv"),
    "very long name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "A" * 10_000), "top_organisations.csv", "organisation", "1 to 200 characters"),
    "empty required value": (*_set("clusters.csv", HEFEI, "source", ""), "clusters.csv", "source", "required"),
    "leading space in a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", " CHANGXIN"), "top_organisations.csv", "organisation", "spaces"),
    "HTML in a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "<script>alert(1)</script>"), "top_organisations.csv", "organisation", "no HTML tags"),
    "Markdown in a name": (*_set("collaboration_partners.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "3"}, "partner", "[Beijing](https://example.org)"), "collaboration_partners.csv", "partner", "Markdown"),
    "economy adjective with markup": (*_set("economies.csv", {"code": "CN"}, "adjective", "**Chinese**"), "economies.csv", "adjective", "Markdown"),
    "economy rank above economy count": (*_set("clusters.csv", HEFEI, "economy_rank", "27"), "clusters.csv", "economy_rank", "at most 26"),
    "duplicate size rank": (*_set("clusters.csv", HEFEI, "size_rank", "38"), "clusters.csv", "size_rank", "used once per edition"),
    "total share not the sum": (*_set("clusters.csv", {"edition": "2023", "cluster": "Seoul"}, "total_share_pct", "7.5"), "clusters.csv", "total_share_pct", "pct_share_pct + pub_share_pct"),
    "latitude out of range": (*_set("cluster_locations.csv", {"cluster": "Hefei", "city": "Hefei"}, "latitude", "131.8"), "cluster_locations.csv", "latitude", "from -90 to 90"),
    "location of an unknown cluster": (*_set("cluster_locations.csv", {"cluster": "Hefei", "city": "Hefei"}, "cluster", "Hefie"), "cluster_locations.csv", "cluster", "clusters.csv (any edition)"),
    "output not patents or articles": (*_set("collaboration.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents"}, "output", "inventions"), "collaboration.csv", "output", "one of"),

    # Class 2, two clusters, one file: refused with both rows' places
    "case-only twin": (*_twin("clusters.csv", HEFEI, "cluster", "HEFEI", **_UNRANKED), "clusters.csv", "cluster", "looks the same"),
    "Cyrillic look-alike twin": (*_twin("clusters.csv", HEFEI, "cluster", "H\u0435fei", **_UNRANKED), "clusters.csv", "cluster", "looks the same"),
    "Greek and Cyrillic capitals twin": (*_twin("clusters.csv", HEFEI, "cluster", "\u041d\u0395FEI", **_UNRANKED), "clusters.csv", "cluster", "looks the same"),
    "fullwidth twin": (*_twin("clusters.csv", HEFEI, "cluster", "\uff28\uff45\uff46\uff45\uff49", **_UNRANKED), "clusters.csv", "cluster", "looks the same"),
    "accent-only twin": (*_twin("clusters.csv", HEFEI, "cluster", "Héféi", **_UNRANKED), "clusters.csv", "cluster", "looks the same"),
    "dash-style twin": (*_twin("clusters.csv", {"edition": "2024", "cluster": "Tokyo–Yokohama"}, "cluster", "Tokyo - Yokohama", **_UNRANKED), "clusters.csv", "cluster", "looks the same"),
    "slug-truncation twins": (*_new_clusters(_LONG + "Anhui East", _LONG + "Anhui West"), "clusters.csv", "cluster", "first 80 characters"),
    "punctuation-only twin": (*_twin("clusters.csv", HEFEI, "cluster", "Hefei!", **_UNRANKED), "clusters.csv", "cluster", "reports/2024/hefei.html"),

    # Class 5, accepted by validate but unrenderable (or silently changed): refused by validate
    "NUL byte in a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "CHANG\x00XIN MEMORY"), "top_organisations.csv", "organisation", "NUL byte"),
    "NUL byte in a source": (*_set("clusters.csv", HEFEI, "source", "https://example.org/\x00"), "clusters.csv", "source", "NUL byte"),
    "name without letters or digits": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "— · —"), "top_organisations.csv", "organisation", "letter or digit"),
    "cluster name without letters or digits": (*_new_clusters("— —"), "clusters.csv", "cluster", "letter or digit"),
    "cluster name that makes no file name": (*_new_clusters("\u2d5c\u2d30\u2d4e\u2d30\u2d63\u2d49\u2d56\u2d5c"), "clusters.csv", "cluster", "name a report file"),
    "infinite count": (*_set("clusters.csv", HEFEI, "pct_applications", "inf"), "clusters.csv", "pct_applications", "finite number"),
    "count overflowing to infinity": (*_set("top_organisations.csv", HEFEI_TOP1, "count", "1e400"), "top_organisations.csv", "count", "finite number"),
    "negative infinity share": (*_set("collaboration.csv", {"edition": "2024", "cluster": "Hefei", "output": "articles"}, "share_pct", "-inf"), "collaboration.csv", "share_pct", "finite number"),
    "nan as a count": (*_set("clusters.csv", HEFEI, "scientific_publications", "nan"), "clusters.csv", "scientific_publications", "not a number"),
    "infinite rank": (*_set("clusters.csv", HEFEI, "size_rank", "inf"), "clusters.csv", "size_rank", "finite number"),
    "rank overflowing to infinity": (*_set("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}, "rank", "1e999"), "top_fields.csv", "rank", "finite number"),

    # Class 9, checks that were missing: control characters, bidi, implausible magnitudes
    "implausibly large count": (*_set("clusters.csv", HEFEI, "pct_applications", "1e300"), "clusters.csv", "pct_applications", "implausible"),
    "implausible per-million figure": (*_set("clusters.csv", HEFEI, "pct_per_million", "123456789012"), "clusters.csv", "pct_per_million", "implausible"),
    "bidi override in a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "CHANGXIN \u202eYROMEM"), "top_organisations.csv", "organisation", "bidirectional-override"),
    "bidi isolate in a partner": (*_set("collaboration_partners.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "3"}, "partner", "Bei\u2066jing"), "collaboration_partners.csv", "partner", "bidirectional-override"),
    "right-to-left mark in a cluster name": (*_new_clusters("Hefei\u200f West"), "clusters.csv", "cluster", "bidirectional-override"),
    "bell character in a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "CHANG\x07XIN"), "top_organisations.csv", "organisation", "control"),
    "C1 control in an economy name": (*_set("economies.csv", {"code": "CN"}, "name", "Chi\x85na"), "economies.csv", "name", "control"),
    "tab inside a name": (*_set("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}, "field", "Computer\ttechnology"), "top_fields.csv", "field", "control"),
    "line break inside a name": (*_set("top_organisations.csv", HEFEI_TOP1, "organisation", "CHANGXIN\nMEMORY"), "top_organisations.csv", "organisation", "control"),
    "zero-width space in a name": (*_set("economies.csv", {"code": "CN"}, "adjective", "Chin\u200bese"), "economies.csv", "adjective", "zero-width"),
    "byte-order mark inside a value": (*_set("clusters.csv", HEFEI, "economy", "\ufeffCN"), "clusters.csv", "economy", "two-letter ISO codes"),
    "bidi override in a note": (*_set("clusters.csv", HEFEI, "note", "see \u202etxt.exe"), "clusters.csv", "note", "bidirectional-override"),
    "trailing line break in a code": (*_set("economies.csv", {"code": "CN"}, "code", "CN\n"), "economies.csv", "code", "a two-letter ISO code"),
}



BYTE_CASES = {
    # name: (file, content, words in the problem found)
    "byte-order mark": ("economies.csv", b"\xef\xbb\xbfcode,name,adjective,source\nCN,China,Chinese,x\n", "byte-order mark"),
    "CRLF line ends": ("economies.csv", b"code,name,adjective,source\r\nCN,China,Chinese,x\r\n", "CRLF"),
    "Latin-1 bytes": ("economies.csv", b"code,name,adjective,source\nCN,Chin\xe9,Chinese,x\n", "not UTF-8"),
    "empty file": ("economies.csv", b"", "empty file"),
    "unclosed quote": ("economies.csv", b'code,name,adjective,source\nCN,"China,Chinese,x\n', "not valid CSV"),
    "header only, wrong columns": ("gaps.csv", b"edition,cluster\n", "no such column"),
}

PARAMETER_CASES = {
    # name: (extra command-line arguments, words in the error)
    "unknown cluster": (["--cluster", "Hefie"], "Did you mean 'Hefei'?"),
    "path in the cluster name": (["--cluster", "../../etc/passwd"], "Unknown cluster '../../etc/passwd'"),
    "script in the cluster name": (["--cluster", "<script>alert(1)</script>"], "Unknown cluster"),
    "unknown edition": (["--edition", "2019"], "Unknown GII edition 2019"),
    "edition before the GII clusters": (["--edition", "1999"], "--edition must be at least 2016"),
    # Class 8: a value shown in a message is shortened and its invisible characters escaped
    "over-long cluster name": (["--cluster", "Hefei" * 2000], "Hefe…')"),
    "control characters in the cluster name": (["--cluster", "He\x1b[31mfei\u202e"], "\\x1b[31mfei\\u202e"),
}

# ---------------------------------------------------------------------------------------------
# Class 1, shell injection through make: each value must reach the command as one literal argument
# (tests/test_makefile.py passes it as every variable and as a report path). "pwned" names the
# file a value would create if it ran as code.
HOSTILE_MAKE_VALUES = [
    'Hefei"; touch pwned-dq; echo "',
    "Hefei'; touch pwned-sq; echo '",
    "$(touch pwned-subshell)",
    "`touch pwned-backtick`",
    "Hefei; touch pwned-semicolon",
    "Hefei\ntouch pwned-newline",
    "back\\slash\\\" ; touch pwned-backslash",
    "spaced   out  ",  # make itself drops leading blanks of a value: not a quoting matter
    "$(shell touch pwned-make-shell)",
    "$$(touch pwned-dollar-dollar)",
    "${HOME} $$HOME $HOME",
    "# not a comment | touch pwned-pipe && touch pwned-and",
    "a%b*c?[d] ~root",
    "-n --force",
]

# ---------------------------------------------------------------------------------------------
# Classes 4 and 8 in the importer: each appendix table must be refused with a one-line-per-problem
# message that points into the imported file (file:line:column, or file:Sheet!Cell), exit 2, and
# clusters.csv untouched. A builder gets the GII 2023 appendix rows (a list of lists, header first)
# and a folder, and returns the file to import.
APPENDIX = Path(__file__).parent / "fixtures" / "gii2023-appendix-table3.csv"


def _appendix_rows() -> list[list[str]]:
    with APPENDIX.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def _csv_with(row: int, column: int, value: str):
    def build(folder: Path) -> Path:
        rows = _appendix_rows()
        rows[row][column] = value
        path = folder / "appendix.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(rows)
        return path
    return build


def _bytes(name: str, content: bytes):
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name
    return build


def _csv_appending(extra: list[str]):
    def build(folder: Path) -> Path:
        rows = _appendix_rows() + [extra]
        path = folder / "appendix.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(rows)
        return path
    return build


def _workbook(edit):
    """The appendix as an .xlsx workbook of numbers, then ``edit(sheet)``."""
    def build(folder: Path) -> Path:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Table 3"
        for i, row in enumerate(_appendix_rows()):
            values = row if i == 0 else [_typed(v) for v in row]
            sheet.append(values)
        edit(sheet)
        path = folder / "appendix.xlsx"
        book.save(path)
        return path
    return build


def _typed(text: str):
    cleaned = text.replace(",", "").replace("\u2212", "-")
    try:
        return int(cleaned)
    except ValueError:
        try:
            return float(cleaned)
        except ValueError:
            return text


def _percent_format(coordinate: str, value: float):
    def edit(sheet):
        sheet[coordinate] = value
        sheet[coordinate].number_format = "0.0%"
    return edit


def _set_cell(coordinate: str, value):
    def edit(sheet):
        sheet[coordinate] = value
    return edit


IMPORT_CASES = {
    # name: (builder, where the problem is, words in the message)
    "nan in a count": (_csv_with(1, 3, "nan"), "appendix.csv:2:pct_applications", "not a finite number"),
    "1e400 in a count": (_csv_with(2, 4, "1e400"), "appendix.csv:3:scientific_publications", "not a finite number"),
    "inf in a share": (_csv_with(3, 5, "inf"), "appendix.csv:4:pct_share_pct", "not a finite number"),
    "decimal comma in a share": (_csv_with(1, 5, "10,1"), "appendix.csv:2:pct_share_pct", "decimal comma"),
    "decimal comma in a count": (_csv_with(1, 3, "1,2"), "appendix.csv:2:pct_applications", "decimal comma"),
    "misplaced thousands separator": (_csv_with(1, 3, "12,74,18"), "appendix.csv:2:pct_applications", "decimal comma"),
    "percent sign in a count": (_csv_with(1, 3, "12%"), "appendix.csv:2:pct_applications", "percentage"),
    "words in a rank": (_csv_with(5, 0, "fifth"), "appendix.csv:6:size_rank", "not a number"),
    "empty CSV": (_bytes("appendix.csv", b""), "appendix.csv", "an empty file"),
    "blank lines only": (_bytes("appendix.csv", b"\n\n  \n"), "appendix.csv", "an empty file"),
    "unclosed quote": (_bytes("appendix.csv", APPENDIX.read_bytes() + b'35,"Nowhere,CN,1,1,0.1,0.1,0.2,35,0\n'),
                       "appendix.csv:36", "not valid CSV"),
    "Latin-1 bytes": (_bytes("appendix.csv", APPENDIX.read_bytes().replace("Tokyo–Yokohama".encode(), b"K\xf6ln")),
                      "appendix.csv:2", "not UTF-8"),
    "NUL byte": (_bytes("appendix.csv", APPENDIX.read_bytes().replace(b"Seoul", b"Se\x00oul")), "appendix.csv:4",
                 "NUL byte"),
    "one cluster twice, in two cases": (_csv_appending(["", "SEOUL", "KR", "", "", "", "", "", "", ""]),
                                        "appendix.csv:36:cluster", "names the same cluster"),
    "one cluster twice, a look-alike": (_csv_appending(["", "S\u0435oul", "KR", "", "", "", "", "", "", ""]),
                                        "appendix.csv:36:cluster", "names the same cluster"),
    "control character in a name": (_csv_appending(["", "Nowhere\u202e", "CN", "", "", "", "", "", "", ""]),
                                    "appendix.csv:36:cluster", "bidirectional-override"),
    "implausible count": (_csv_appending(["", "Nowhere", "CN", "1e300", "", "", "", "", "", ""]),
                          "appendix.csv:36:pct_applications", "implausible"),
    "corrupt workbook": (_bytes("appendix.xlsx", b"PK\x03\x04 this is not a zip archive"), "appendix.xlsx",
                         "not a readable .xlsx workbook"),
    "text named .xlsx": (_bytes("appendix.xlsx", b"Rank,Cluster name\n1,Tokyo\n"), "appendix.xlsx",
                         "not a readable .xlsx workbook"),
    "old Excel format": (_bytes("appendix.xls", b"\xd0\xcf\x11\xe0"), "appendix.xls", "a .xls file"),
    "percentage format in a count": (_workbook(_percent_format("D2", 0.5)), "appendix.xlsx:Table 3!D2",
                                     "percentage in a column of counts"),
    "formula without a saved value": (_workbook(_set_cell("F2", "=D2/1000")), "appendix.xlsx:Table 3!F2",
                                      "without a saved value"),
    "decimal comma typed as text": (_workbook(_set_cell("G3", "2,1")), "appendix.xlsx:Table 3!G3", "decimal comma"),
    "date in a count": (_workbook(_set_cell("E4", __import__("datetime").datetime(2023, 1, 2))),
                        "appendix.xlsx:Table 3!E4", "datetime"),
    "text in a percentage cell": (_workbook(_percent_format("F5", "ten")), "appendix.xlsx:Table 3!F5",
                                  "text in a cell formatted as a percentage"),
}


# Issue 20, class 8: paths the system cannot look at. Each makes, under a temporary folder, a path that is
# given to every option that takes one; the command must end with exit 2 and one line naming the option.
def _loop(tmp: Path) -> Path:
    (tmp / "loop").symlink_to(tmp / "loop")
    return tmp / "loop"


def _two_link_loop(tmp: Path) -> Path:
    (tmp / "a").symlink_to(tmp / "b")
    (tmp / "b").symlink_to(tmp / "a")
    return tmp / "a" / "data"


def _a_file(tmp: Path) -> Path:
    (tmp / "plain.txt").write_text("not a folder\n")
    return tmp / "plain.txt"


def _through_a_file(tmp: Path) -> Path:
    return _a_file(tmp) / "data"


def _newline_name(tmp: Path) -> Path:
    return tmp / "new\nline"


def _beyond_path_max(tmp: Path) -> Path:
    return tmp.joinpath(*["d" * 200] * 25)  # 5,000 characters: over PATH_MAX (4,096)


def _beyond_name_max(tmp: Path) -> Path:
    return tmp / ("n" * 300)  # one name over NAME_MAX (255)


PATH_CASES = {
    "symbolic link loop": (_loop, "a symbolic link loop"),
    "loop of two links": (_two_link_loop, "a symbolic link loop"),
    "a file given as a folder": (_a_file, "a file, not a folder"),
    "a path through a file": (_through_a_file, "not a folder"),
    "a name with a line break": (_newline_name, "no such folder"),
    "a path over PATH_MAX": (_beyond_path_max, "a name longer than the system allows"),
    "a name over NAME_MAX": (_beyond_name_max, "a name longer than the system allows"),
}


# Issue 20, class 4: A copy of the fixture data folder whose names hold what a figure could take for markup (issue 20 class 4):
# TeX's '$', '$$', '\\', '^', '_', '{}', '%', right-to-left text, combining marks, emoji, a name of digits only,
# a very long name, and the same in organisation, city and economy names.
LONG = "Munich " + "Greater Metropolitan Science and Technology Area " * 2 + "$x$"
RENAMED = {  # a cluster of the fixture folder -> the name it is given (in every table, every edition)
    "Hefei": r"Evil $\foo$ City",
    "Nanjing": "$$ Money $$ 100%",
    "Wuhan": r"Back\slash ^_{} Town $\frac{1}{0$",
    "Cairo": "القاهرة الكبرى $",
    "Tehran": "Te\u0301hra\u0301n \\\\ $",
    "Seoul": "Seoul 🚀 $_$",
    "Daejeon": "2024",
    "Munich": LONG,
}
OTHER_TEXT = {  # other cells that reach figures: organisations, cities, economies
    "Hefei": r"$\frac{1}{0$ University of Science and Technology",
    "Hefei (city)": r"He$fei_^",
    "China": r"China $\mathrm{x}$",
}


def _rewrite_cells(path: Path, mapping: dict[str, str]) -> None:
    """Replace every cell equal to a key of ``mapping`` (CSV written as pandas writes it, minimal quoting)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([[mapping.get(cell, cell) for cell in row] for row in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def hostile_data(source: Path, target: Path) -> Path:
    """``source`` copied to ``target`` with the names of RENAMED and OTHER_TEXT."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.md"))
    for path in sorted(target.glob("*.csv")):
        _rewrite_cells(path, RENAMED)
    _rewrite_column(target / "top_organisations.csv", "organisation", lambda row, v: OTHER_TEXT["Hefei"]
                    if row["cluster"] == RENAMED["Hefei"] and v and "Science and Technology" in v else v)
    _rewrite_column(target / "cluster_locations.csv", "city", lambda row, v: OTHER_TEXT["Hefei (city)"]
                    if row["cluster"] == RENAMED["Hefei"] else v)
    _rewrite_column(target / "economies.csv", "name", lambda row, v: OTHER_TEXT["China"] if row["code"] == "CN" else v)
    return target


def _rewrite_column(path: Path, column: str, change) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if not rows or column not in rows[0]:
        return
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, column: change(row, row[column])})
    path.write_text(out.getvalue(), encoding="utf-8")
