"""The corpus of bad records (issue 20, class 3): each breaks one file of a small valid records folder and names the
place its problem must be reported at. tests/compute/test_records_corpus.py runs every case through
``cluster-profiles clusters`` (exit 2, one line per problem, no traceback, nothing written) and ``validate_records``.

CSV_CASES: table -> the file's new bytes (after the header line unless the case replaces it whole).
PARQUET_CASES: a column of a Parquet table replaced by values of a given Arrow type.
Each case: (file, content, place, words): ``place`` is what the problem line starts with (file:line[:column]),
``words`` what it says.
"""

from __future__ import annotations

import datetime

HEADERS = {"documents": "doc_id,kind,year", "addresses": "doc_id,seq,lat,lon,city,economy",
           "organisations": "doc_id,name,role", "classes": "doc_id,code"}
GOOD = {"documents": "pct-1,pct,2020\narticle-2,article,2019\n",
        "addresses": "pct-1,1,31.8,117.2,Hefei,CN\npct-1,2,,,,\narticle-2,1,22.3,114.2,Hong Kong,HK\n",
        "organisations": "pct-1,USTC,applicant\narticle-2,HKU,affiliation\n",
        "classes": "pct-1,H01L 21/00\narticle-2,Chemistry\n"}


def rows(table: str, text: str) -> tuple[str, bytes]:
    """``table``'s CSV file: its header, then ``text``."""
    return f"{table}.csv", (HEADERS[table] + "\n" + text).encode("utf-8")


def whole(table: str, content: bytes) -> tuple[str, bytes]:
    return f"{table}.csv", content


def address(**values: str) -> str:
    """The valid first address row with some values changed."""
    row = {"doc_id": "pct-1", "seq": "1", "lat": "31.8", "lon": "117.2", "city": "Hefei", "economy": "CN"} | values
    return ",".join(row.values()) + "\n" + "pct-1,2,,,,\narticle-2,1,22.3,114.2,Hong Kong,HK\n"


def document(year: str) -> str:
    return f"pct-1,pct,{year}\narticle-2,article,2019\n"


CSV_CASES: dict[str, tuple[tuple[str, bytes], str, str]] = {
    # numbers out of their range, or not numbers
    "a year beyond INTEGER": (rows("documents", document("1000000000000")), "documents.csv:2:year",
                              "a whole number from -2,147,483,648 to 2,147,483,647"),
    "a year below INTEGER": (rows("documents", document("-3000000000")), "documents.csv:2:year",
                             "a whole number from"),
    "a seq beyond INTEGER": (rows("addresses", address(seq="99999999999")), "addresses.csv:2:seq", "a whole number"),
    "a year in words": (rows("documents", document("twenty")), "documents.csv:2:year", "a whole number"),
    "a year with a comma": (rows("documents", document('"2,020"')), "documents.csv:2:year", "a whole number"),
    "a year with decimals": (rows("documents", document("2020.5")), "documents.csv:2:year", "a whole number"),
    "a year nan": (rows("documents", document("nan")), "documents.csv:2:year", "a whole number"),
    "a year inf": (rows("documents", document("inf")), "documents.csv:2:year", "a whole number"),
    "a year -Infinity": (rows("documents", document("-Infinity")), "documents.csv:2:year", "a whole number"),
    "a latitude of 999": (rows("addresses", address(lat="999")), "addresses.csv:2:lat", "a number from -90 to 90"),
    "a longitude of -181": (rows("addresses", address(lon="-181")), "addresses.csv:2:lon", "from -180 to 180"),
    "a latitude nan": (rows("addresses", address(lat="NaN")), "addresses.csv:2:lat", "a number from -90 to 90"),
    "a latitude inf": (rows("addresses", address(lat="inf")), "addresses.csv:2:lat", "a number from -90 to 90"),
    "a latitude in words": (rows("addresses", address(lat="north")), "addresses.csv:2:lat", "a number"),
    "a seq of 0": (rows("addresses", address(seq="0")), "addresses.csv:2:seq", "a whole number from 1"),
    # the shape of the file
    "semicolons": (whole("documents", b"doc_id;kind;year\npct-1;pct;2020\n"), "documents.csv:1",
                   "separated by commas, not semicolons"),
    "tabs": (whole("documents", b"doc_id\tkind\tyear\npct-1\tpct\t2020\n"), "documents.csv:1",
             "separated by commas, not tabs"),
    "a row with an extra field": (rows("documents", "pct-1,pct,2020\narticle-2,article,2019,x\n"),
                                  "documents.csv:3", "found 4 fields; expected 3 fields"),
    "a row with a missing field": (rows("documents", "pct-1,pct,2020\narticle-2,article\n"), "documents.csv:3",
                                   "found 2 fields; expected 3 fields"),
    "an unclosed quote": (rows("documents", 'pct-1,pct,2020\n"article-2,article,2019\n'), "documents.csv:3",
                          "closing quote is missing"),
    "a byte that is not UTF-8": (whole("documents", b"doc_id,kind,year\npct-1,pct,2020\narticle-\xff2,article,2019\n"),
                                 "documents.csv:3:9", "the byte 0xff, which is not UTF-8"),
    "Latin-1 in the header": (whole("documents", b"doc_id,kind,year,ann\xe9e\npct-1,pct,2020,x\n"),
                              "documents.csv:1:21", "the byte 0xe9, which is not UTF-8"),
    "UTF-16": (whole("documents", "doc_id,kind,year\npct-1,pct,2020\n".encode("utf-16")), "documents.csv:1",
               "a UTF-16 file"),
    "an empty file": (whole("classes", b""), "classes.csv:1", "an empty file"),
    "an empty first line": (whole("classes", b"\ndoc_id,code\npct-1,H01L 21/00\n"), "classes.csv:1",
                            "an empty first line"),
    "a column twice": (whole("documents", b"doc_id,kind,year,year\npct-1,pct,2020,2021\n"), "documents.csv:1:year",
                       "this column twice"),
    "a missing column": (whole("documents", b"doc_id,kind\npct-1,pct\n"), "documents.csv:1:year", "no such column"),
    "an empty line between rows": (rows("documents", "pct-1,pct,2020\n\narticle-2,article,2019\n"),
                                   "documents.csv:3", "an empty line"),
    "a line break in a value": (rows("organisations", 'pct-1,"US\nTC",applicant\narticle-2,HKU,affiliation\n'),
                                "organisations.csv:2", "a line break inside a quoted value"),
    # names that the data folder's schema would refuse downstream
    "a name too long": (rows("organisations", "pct-1," + "A" * 201 + ",applicant\n"), "organisations.csv:2:name",
                        "at most 200 characters"),
    "a name with markup": (rows("organisations", "pct-1,<b>USTC</b>,applicant\n"), "organisations.csv:2:name",
                           "no HTML tags"),
    "a name with a NUL": (rows("organisations", "pct-1,US\x00TC,applicant\n"), "organisations.csv:2:name",
                          "no control characters"),
    "a name with a C1 control": (rows("organisations", "pct-1,US\x85TC,applicant\n"), "organisations.csv:2:name",
                                 "no control characters"),
    "a city with a zero-width space": (rows("addresses", address(city="He\u200bfei")), "addresses.csv:2:city",
                                       "no control characters, invisible characters"),
    "a city with a bidi override": (rows("addresses", address(city="\u202eiefeH")), "addresses.csv:2:city",
                                    "bidi overrides"),
    "a city of punctuation only": (rows("addresses", address(city="—")), "addresses.csv:2:city",
                                   "at least one letter or digit"),
    "a field ending in a tab": (rows("classes", "article-2,Chemistry\t\n"), "classes.csv:2:code",
                                "no control characters"),
    "a field with a line separator": (rows("classes", "article-2,Chem\u2028istry\n"), "classes.csv:2:code",
                                      "no control characters"),
    "an economy in lower case": (rows("addresses", address(economy="cn")), "addresses.csv:2:economy",
                                 "an ISO 3166-1 alpha-2 code"),
}

# name -> (table, column, Arrow values, place, words); the other columns stay valid
PARQUET_CASES: dict[str, tuple[str, str, object, str, str]] = {
    "a year as a date": ("documents", "year", [datetime.date(2020, 1, 1), datetime.date(2019, 1, 1)],
                         "documents.parquet:year", "a column of type DATE"),
    "a year as true/false": ("documents", "year", [True, False], "documents.parquet:year", "a column of type BOOLEAN"),
    "a year as a list": ("documents", "year", [[2020], [2019]], "documents.parquet:year", "a column of type BIGINT[]"),
    "a year beyond INTEGER (BIGINT)": ("documents", "year", [10**12, 2019], "documents.parquet:1:year",
                                       "a whole number from"),
    "a year nan (DOUBLE)": ("documents", "year", [float("nan"), 2019.0], "documents.parquet:1:year",
                            "a whole number"),
    "a year inf (DOUBLE)": ("documents", "year", [float("inf"), 2019.0], "documents.parquet:1:year",
                            "a whole number"),
    "a year in words (VARCHAR)": ("documents", "year", ["2020", "twenty"], "documents.parquet:2:year",
                                  "a whole number"),
    "a latitude inf (DOUBLE)": ("addresses", "lat", [float("inf"), None, 22.3], "addresses.parquet:1:lat",
                                "a number from -90 to 90"),
    "a latitude as a struct": ("addresses", "lat", [{"deg": 31}, None, {"deg": 22}], "addresses.parquet:lat",
                               "a column of type STRUCT"),
    "a name as bytes": ("organisations", "name", [b"USTC", b"HKU"], "organisations.parquet:name",
                        "a column of type BLOB"),
}

# a whole Parquet file that is not one
NOT_PARQUET = {"not Parquet at all": b"doc_id,kind,year\n", "an empty Parquet file": b"",
               "a truncated Parquet file": b"PAR1\x00\x00"}
