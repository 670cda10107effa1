"""IPC symbols to WIPO's 35 technology fields, and the fields of each document.

The concordance (``data/ipc_technology.csv``, WIPO's IPC-technology concordance after Schmoch
2008, as kept by PatentsView; see ``data/ipc_technology.README.md`` and its licence) maps
subclasses (``H01L%``), main groups (``G01N  33/%``) and one class (``H10%``) to fields. The
longest matching pattern wins: ``G01N 33/53`` is field 11 (Analysis of biological materials),
the rest of ``G01N`` field 10 (Measurement). A document with codes in several fields is split
equally among its distinct fields. Articles' classes are science-field names taken as given.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import duckdb
import pandas as pd

CONCORDANCE_FILE = "ipc_technology.csv"
CONCORDANCE_SOURCE = ("WIPO IPC–technology concordance (Schmoch 2008, as updated by WIPO), file ipc_technology.csv "
                      "of PatentsView-DB commit 37e1b631")
# IPC symbol without spaces, main group's leading zeros dropped: 'H04N 03/12' -> 'H04N3/12'
_MAIN_GROUP = re.compile(r"^([A-H][0-9]{2}[A-Z])0*([0-9]+/)")


def normalise_ipc(code: str) -> str:
    text = re.sub(r"\s+", "", str(code)).upper()
    return _MAIN_GROUP.sub(r"\1\2", text)


@cache
def concordance() -> pd.DataFrame:
    """``prefix`` (a normalised IPC prefix), ``field_number`` (1-35), ``field``, ``sector``."""
    with resources.files(__package__).joinpath("data").joinpath(CONCORDANCE_FILE).open("r", encoding="utf-8-sig") as stream:
        table = pd.read_csv(stream, dtype=str)
    prefix = table["IPC_code"].str.replace(r"\s+", "", regex=True).str.rstrip("%").map(normalise_ipc)
    return pd.DataFrame({"prefix": prefix, "field_number": table["Field_number"].astype(int),
                         "field": table["Field_en"], "sector": table["Sector_en"]})


def field_of(code: str) -> str | None:
    """The technology field of one IPC symbol (longest matching prefix), or None."""
    normal = normalise_ipc(code)
    matches = concordance()[[normal.startswith(p) for p in concordance()["prefix"]]]
    if matches.empty:
        return None
    return str(matches.loc[matches["prefix"].str.len().idxmax(), "field"])


def create_document_fields(con: duckdb.DuckDBPyConnection) -> None:
    """``document_fields``: (``doc_id``, ``field``, ``part``) for the documents in the window;
    ``part`` = 1 / the number of distinct fields of the document. Also ``pct_code_fields``: each distinct IPC
    code of the PCT applications in the window with its field (NULL when the concordance maps it to none).

    The IPC lookup is an equality join on the three prefixes a symbol can match (class, subclass,
    subclass + main group), not a scan of the 771 patterns per code; it is done once per distinct code (a few
    thousand), not per class row (millions).
    """
    con.register("ipc_concordance_frame", concordance())
    con.execute("CREATE OR REPLACE TABLE ipc_concordance AS SELECT * FROM ipc_concordance_frame")
    con.unregister("ipc_concordance_frame")
    con.execute(r"""
        CREATE OR REPLACE TABLE pct_code_fields AS
        WITH codes AS (
            SELECT DISTINCT c.code FROM classes c JOIN win_documents w ON w.doc_id = c.doc_id WHERE w.kind = 'pct'
        ),
        normal AS (
            SELECT code, regexp_replace(upper(regexp_replace(code, '\s+', '', 'g')),
                                        '^([A-H][0-9]{2}[A-Z])0*([0-9]+/)', '\1\2') AS normal
            FROM codes
        ),
        candidates AS (
            SELECT DISTINCT code, unnest([left(normal, 3), left(normal, 4),
                                          regexp_extract(normal, '^([A-H][0-9]{2}[A-Z][0-9]+/)', 1)]) AS prefix
            FROM normal
        ),
        matched AS (
            SELECT c.code, arg_max(k.field, length(k.prefix)) AS field
            FROM candidates c JOIN ipc_concordance k ON k.prefix = c.prefix
            GROUP BY c.code
        )
        SELECT codes.code, matched.field FROM codes LEFT JOIN matched ON matched.code = codes.code
    """)
    con.execute("""
        CREATE OR REPLACE TABLE document_fields AS
        WITH matched AS (
            SELECT DISTINCT c.doc_id, f.field
            FROM classes c JOIN win_documents w ON w.doc_id = c.doc_id JOIN pct_code_fields f ON f.code = c.code
            WHERE w.kind = 'pct' AND f.field IS NOT NULL
        ),
        article_fields AS (
            SELECT DISTINCT c.doc_id, c.code AS field
            FROM classes c JOIN win_documents w ON w.doc_id = c.doc_id WHERE w.kind = 'article'
        ),
        every AS (SELECT doc_id, field FROM matched UNION ALL SELECT doc_id, field FROM article_fields)
        SELECT doc_id, field, 1.0 / count(*) OVER (PARTITION BY doc_id) AS part FROM every
    """)


def unmapped_codes(con: duckdb.DuckDBPyConnection) -> int:
    """PCT class rows in the window whose code matches no pattern of the concordance (after
    ``create_document_fields``)."""
    row = con.execute("""
        SELECT count(*) FROM classes c JOIN win_documents w ON w.doc_id = c.doc_id
        WHERE w.kind = 'pct' AND c.code IN (SELECT code FROM pct_code_fields WHERE field IS NULL)
    """).fetchone()
    return int(row[0]) if row else 0
