"""The corpus of bad inputs: each must fail with a message naming the place, and write nothing.

DATA_CASES break one cell or column of a copy of data/; BYTE_CASES replace a whole file;
PARAMETER_CASES are command lines. tests/test_load.py checks the located problem of each data case;
tests/test_bad_inputs.py runs every case through `cluster-profiles render` next to an existing report.
"""

from __future__ import annotations

import csv
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
    "duplicate key": (*_duplicate("top_fields.csv", {"edition": "2024", "cluster": "Hefei", "output": "patents", "rank": "1"}), "top_fields.csv", "edition, cluster, output, rank", "duplicate key"),
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
    "edition before the GII clusters": (["--edition", "1999"], "parameter 'edition'"),
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
