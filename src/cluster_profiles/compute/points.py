"""Steps 1 and 2 of the method, in DuckDB: keep the documents in the windows, explode them to one row
per address with its weight, round the coordinates and aggregate them to weighted points.

Two weights travel with every address row:
- ``frac`` = 1/k for a document with k address rows (the fractional share of its output), and
- ``weight``: ``frac`` under ``counting = "fractional"``, 1 under ``"whole"``.
A point's ``people`` is the number of address rows at it (the density weight: "4,500 inventors or
authors within 15 km" counts people), its ``output`` the sum of their ``weight``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from cluster_profiles.compute.settings import Settings
from cluster_profiles.contract.vocabulary import RECORD_KINDS


def window_documents(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """``win_documents``: the documents published within their kind's window (inclusive)."""
    con.execute(
        "CREATE OR REPLACE TABLE win_documents AS SELECT doc_id, kind, year FROM documents "
        "WHERE (kind = 'pct' AND year BETWEEN $pct_from AND $pct_to) "
        "OR (kind = 'article' AND year BETWEEN $article_from AND $article_to)",
        {"pct_from": settings.pct_years[0], "pct_to": settings.pct_years[1],
         "article_from": settings.article_years[0], "article_to": settings.article_years[1]})


def address_rows(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """``address_rows``: one row per located address of a document in the window, with its weights
    and its grid cell (``lat_i``, ``lon_i``: the coordinates divided by ``grid_degrees``, rounded).

    k, the divisor of ``frac``, counts every address of the document, located or not: an address
    without coordinates keeps its share, which then falls outside every cluster (as WIPO's
    ungeocoded addresses do), so the world total stays the number of documents.
    """
    con.execute(
        "CREATE OR REPLACE TABLE address_rows AS "
        "WITH per_document AS (SELECT doc_id, count(*) AS k FROM addresses GROUP BY doc_id) "
        "SELECT a.doc_id, w.kind, a.seq, a.lat, a.lon, a.city, a.economy, 1.0 / p.k AS frac, "
        "CASE WHEN $fractional THEN 1.0 / p.k ELSE 1.0 END AS weight, "
        "CAST(round(a.lat / $grid) AS BIGINT) AS lat_i, CAST(round(a.lon / $grid) AS BIGINT) AS lon_i "
        "FROM addresses a JOIN win_documents w ON w.doc_id = a.doc_id JOIN per_document p ON p.doc_id = a.doc_id "
        "WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL",
        {"fractional": settings.counting == "fractional", "grid": settings.grid_degrees})


def weighted_points(con: duckdb.DuckDBPyConnection, kind: str, grid_degrees: float) -> pd.DataFrame:
    """The rounded points of one kind: ``lat_i``, ``lon_i``, ``lat``, ``lon`` (degrees), ``people``, ``output``.

    Sorted by cell, so that DBSCAN (whose border points depend on the order) is deterministic.
    """
    return con.execute(
        "SELECT lat_i, lon_i, lat_i * $grid AS lat, lon_i * $grid AS lon, count(*) AS people, sum(weight) AS output "
        "FROM address_rows WHERE kind = $kind GROUP BY lat_i, lon_i ORDER BY lat_i, lon_i",
        {"kind": kind, "grid": grid_degrees}).df()


@dataclass(frozen=True)
class ReadCounts:
    """What the window and the coordinates kept and dropped, per kind (``pct``, ``article``)."""

    documents: dict[str, int]
    outside_window: dict[str, int]
    in_window: dict[str, int]
    addresses_in_window: dict[str, int]
    no_coordinates: dict[str, int]
    documents_without_location: dict[str, int]
    located_rows: dict[str, int]
    points: dict[str, int]


def _per_kind(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, int]]:
    """Counts per kind from ``sql`` (rows: kind, then one count per column): one dict per count column."""
    result = con.execute(sql)
    columns = len(result.description) - 1
    rows = result.fetchall()
    by_kind = {row[0]: row[1:] for row in rows}
    return [{kind: int(by_kind[kind][i]) if kind in by_kind else 0 for kind in RECORD_KINDS} for i in range(columns)]


def read_counts(con: duckdb.DuckDBPyConnection) -> ReadCounts:
    (documents,) = _per_kind(con, "SELECT kind, count(*) AS documents FROM documents GROUP BY kind")
    (in_window,) = _per_kind(con, "SELECT kind, count(*) AS documents FROM win_documents GROUP BY kind")
    addresses_in_window, no_coordinates = _per_kind(
        con, "SELECT w.kind, count(*) AS addresses, count(*) FILTER (WHERE a.lat IS NULL OR a.lon IS NULL) AS unlocated "
             "FROM addresses a JOIN win_documents w USING (doc_id) GROUP BY w.kind")
    located_rows, points = _per_kind(con, "SELECT kind, count(*) AS located, count(DISTINCT (lat_i, lon_i)) AS points "
                                          "FROM address_rows GROUP BY kind")
    return ReadCounts(
        documents=documents,
        outside_window={k: documents[k] - in_window[k] for k in RECORD_KINDS},
        in_window=in_window,
        addresses_in_window=addresses_in_window,
        no_coordinates=no_coordinates,
        documents_without_location=_per_kind(
            con, "SELECT kind, count(*) AS documents FROM win_documents w WHERE NOT EXISTS "
                 "(SELECT 1 FROM address_rows r WHERE r.doc_id = w.doc_id) GROUP BY kind")[0],
        located_rows=located_rows,
        points=points,
    )
