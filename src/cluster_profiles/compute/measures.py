"""Step 5 of the method, in DuckDB: every per-cluster measure, from the address rows and the
clusters' footprints.

An address row belongs to the cluster whose footprint holds its grid cell, whatever its kind (an
article written in a cell of a PCT cluster counts for that cluster). A document's weight in a
cluster (``doc_cluster.weight``) is the sum of its rows' ``frac`` there under fractional counting,
1 under whole counting; a cluster's count is the sum of those weights. World totals are the numbers
of documents in the window, in a cluster or not.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from cluster_profiles.compute.neighbours import chord_of, km_to_radians, to_radians, unit_vectors
from cluster_profiles.compute.records import KINDS


def assign_clusters(con: duckdb.DuckDBPyConnection, footprint: pd.DataFrame, counting: str) -> None:
    """``footprint`` (grid cells -> cluster), ``cluster_rows`` (address rows with their cluster,
    NULL outside every cluster) and ``doc_cluster`` (each document's weight in each cluster)."""
    con.register("footprint_frame", footprint[["lat_i", "lon_i", "lat", "lon", "cluster_id"]])
    con.execute("CREATE OR REPLACE TABLE footprint AS SELECT * FROM footprint_frame")
    con.unregister("footprint_frame")
    con.execute("CREATE OR REPLACE TABLE cluster_rows AS SELECT r.*, f.cluster_id FROM address_rows r "
                "LEFT JOIN footprint f ON f.lat_i = r.lat_i AND f.lon_i = r.lon_i")
    con.execute("CREATE OR REPLACE TABLE doc_cluster AS SELECT doc_id, kind, cluster_id, "
                "CASE WHEN $fractional THEN sum(frac) ELSE 1.0 END AS weight, count(*) AS people "
                "FROM cluster_rows WHERE cluster_id IS NOT NULL GROUP BY doc_id, kind, cluster_id",
                {"fractional": counting == "fractional"})


def world_totals(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The number of documents of each kind in the window (the denominators of the world shares)."""
    counts = dict(con.execute("SELECT kind, count(*) FROM win_documents GROUP BY kind").fetchall())
    return {kind: float(counts.get(kind, 0)) for kind in KINDS}


def cluster_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per cluster and kind: ``count`` (the counting rule), ``documents``, ``people`` (address rows)."""
    return con.execute("SELECT cluster_id, kind, sum(weight) AS count, count(*) AS documents, "
                       "sum(people) AS people FROM doc_cluster GROUP BY cluster_id, kind "
                       "ORDER BY cluster_id, kind").df()


def output_by(con: duckdb.DuckDBPyConnection, column: str) -> pd.DataFrame:
    """Per cluster and value of ``column`` (``city`` or ``economy``): the output (sum of ``weight``)
    of its address rows, both kinds together."""
    if column not in ("city", "economy"):
        raise ValueError(column)
    return con.execute(f"SELECT cluster_id, {column}, sum(weight) AS output FROM cluster_rows "
                       f"WHERE cluster_id IS NOT NULL GROUP BY cluster_id, {column} ORDER BY cluster_id").df()


def city_centres(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per cluster and city: the output-weighted centre of the cluster's addresses in that city."""
    return con.execute("SELECT cluster_id, city, sum(weight * lat) / sum(weight) AS lat, "
                       "sum(weight * lon) / sum(weight) AS lon FROM cluster_rows "
                       "WHERE cluster_id IS NOT NULL AND city IS NOT NULL GROUP BY cluster_id, city "
                       "ORDER BY cluster_id, city").df()


def cluster_centres(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """People-weighted centre of each cluster (for a name when the records give no city)."""
    return con.execute("SELECT cluster_id, avg(lat) AS lat, avg(lon) AS lon FROM cluster_rows "
                       "WHERE cluster_id IS NOT NULL GROUP BY cluster_id ORDER BY cluster_id").df()


def significant(column: str) -> str:
    """SQL: ``column`` rounded to ``SCORE_DIGITS`` significant digits, so that sums equal but for their last bits
    (which depend on the order DuckDB's threads add them in) rank as ties, broken by name, the same on every run."""
    return (f"(CASE WHEN {column} = 0 OR NOT isfinite({column}) THEN {column} "
            f"ELSE round({column}, {SCORE_DIGITS} - CAST(ceil(log10(abs({column}))) AS INTEGER)) END)")


def top_organisations(con: duckdb.DuckDBPyConnection, listed: int, counting: str) -> pd.DataFrame:
    """The top ``listed`` applicants (PCT) and publishing organisations (articles) of each cluster.

    An organisation's count is the sum, over the cluster's documents that name it, of the document's
    weight in the cluster, split equally among the document's organisations under fractional
    counting (so the counts of a cluster add up to at most its total). Its share is of the
    cluster's count. Ties (equal to ``SCORE_DIGITS`` significant digits): alphabetical.
    """
    return con.execute("""
        WITH orgs AS (
            SELECT doc_id, name, count(*) OVER (PARTITION BY doc_id) AS n_orgs
            FROM (SELECT DISTINCT doc_id, name FROM organisations)
        ),
        per_org AS (
            SELECT d.cluster_id, d.kind, o.name AS organisation,
                   sum(CASE WHEN $fractional THEN d.weight / o.n_orgs ELSE d.weight END) AS count
            FROM doc_cluster d JOIN orgs o ON o.doc_id = d.doc_id
            GROUP BY d.cluster_id, d.kind, o.name
        ),
        totals AS (SELECT cluster_id, kind, sum(weight) AS total FROM doc_cluster GROUP BY cluster_id, kind),
        ranked AS (
            SELECT p.*, 100.0 * p.count / t.total AS share_pct,
                   row_number() OVER (PARTITION BY p.cluster_id, p.kind ORDER BY {tied} DESC, p.organisation) AS rank
            FROM per_org p JOIN totals t ON t.cluster_id = p.cluster_id AND t.kind = p.kind
        )
        SELECT cluster_id, kind, rank, organisation, count, share_pct FROM ranked WHERE rank <= $listed
        ORDER BY cluster_id, kind, rank
    """.replace("{tied}", significant("p.count")), {"listed": listed, "fractional": counting == "fractional"}).df()


OTHER = "Other"


def top_fields(con: duckdb.DuckDBPyConnection, listed: int) -> pd.DataFrame:
    """The top ``listed`` technology fields (PCT) and science fields (articles) of each cluster, with
    their share of the cluster's classified output, and ``Other`` for the rest (when there is a rest).

    A document's weight in the cluster is split equally among its distinct fields; documents
    without a field are left out of the denominator (their share is unknown, not "Other").
    """
    frame = con.execute("""
        WITH per_field AS (
            SELECT d.cluster_id, d.kind, f.field, sum(d.weight * f.part) AS output
            FROM doc_cluster d JOIN document_fields f ON f.doc_id = d.doc_id
            GROUP BY d.cluster_id, d.kind, f.field
        )
        SELECT cluster_id, kind, field, 100.0 * output / sum(output) OVER (PARTITION BY cluster_id, kind) AS share_pct,
               row_number() OVER (PARTITION BY cluster_id, kind ORDER BY {tied} DESC, field) AS rank
        FROM per_field ORDER BY cluster_id, kind, rank
    """.replace("{tied}", significant("output"))).df()
    rows = []
    for (cluster_id, kind), group in frame.groupby(["cluster_id", "kind"], sort=True):
        named = group[(group["rank"] <= listed) & (group["field"] != OTHER)]
        rows.append(named[["cluster_id", "kind", "rank", "field", "share_pct"]])
        rest = 100.0 - named["share_pct"].sum()
        if len(group) > len(named):
            rows.append(pd.DataFrame([{"cluster_id": cluster_id, "kind": kind, "rank": len(named) + 1,
                                       "field": OTHER, "share_pct": max(rest, 0.0)}]))
    columns = ["cluster_id", "kind", "rank", "field", "share_pct"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def collaboration(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per cluster and kind: the cluster's ``documents``, how many have at least one located address
    outside the cluster (``collaborative``), and that share in percent."""
    return con.execute("""
        WITH outside AS (
            SELECT d.cluster_id, d.kind, d.doc_id,
                   EXISTS (SELECT 1 FROM cluster_rows r WHERE r.doc_id = d.doc_id
                           AND r.cluster_id IS DISTINCT FROM d.cluster_id) AS collaborative
            FROM doc_cluster d
        )
        SELECT cluster_id, kind, count(*) AS documents, count(*) FILTER (WHERE collaborative) AS collaborative,
               100.0 * count(*) FILTER (WHERE collaborative) / count(*) AS share_pct
        FROM outside GROUP BY cluster_id, kind ORDER BY cluster_id, kind
    """).df()


def partners(con: duckdb.DuckDBPyConnection, listed: int) -> pd.DataFrame:
    """Per cluster and kind: the top ``listed`` other clusters by documents shared (documents with
    addresses in both). Ties: the larger partner (lower cluster id) first."""
    return con.execute("""
        WITH shared AS (
            SELECT a.cluster_id, a.kind, b.cluster_id AS partner_id, count(*) AS documents
            FROM doc_cluster a JOIN doc_cluster b ON a.doc_id = b.doc_id AND a.cluster_id <> b.cluster_id
            GROUP BY a.cluster_id, a.kind, b.cluster_id
        ),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY cluster_id, kind ORDER BY documents DESC, partner_id) AS rank
            FROM shared
        )
        SELECT cluster_id, kind, rank, partner_id, documents FROM ranked WHERE rank <= $listed
        ORDER BY cluster_id, kind, rank
    """, {"listed": listed}).df()


def cluster_population(con: duckdb.DuckDBPyConnection, footprint: pd.DataFrame, buffer_km: float) -> pd.Series:
    """Each cluster's population: the population points whose nearest footprint cell (of any
    cluster) is within ``buffer_km``, counted once, for that cell's cluster."""
    ids = np.sort(footprint["cluster_id"].unique()) if len(footprint) else np.empty(0, dtype=int)
    result = pd.Series(0.0, index=pd.Index(ids, name="cluster_id"), name="population")
    if not len(footprint):
        return result
    people = con.execute("SELECT lat, lon, population FROM population WHERE population > 0").df()
    if people.empty:
        return result
    # on the unit sphere, the nearest by chord is the nearest by great circle
    tree = cKDTree(unit_vectors(to_radians(footprint["lat"], footprint["lon"])))
    chord, nearest = tree.query(unit_vectors(to_radians(people["lat"], people["lon"])), k=1)
    within = chord <= chord_of(km_to_radians(buffer_km))
    owner = footprint["cluster_id"].to_numpy()[nearest[within]]
    sums = pd.Series(people["population"].to_numpy()[within]).groupby(owner).sum()
    return result.add(sums, fill_value=0.0).rename("population")


SCORE_DIGITS = 12  # scores equal to 12 significant digits are ties (floating sums differ in the last bits)


def _rounded(values: pd.Series) -> pd.Series:
    return values.map(lambda v: float(f"{v:.{SCORE_DIGITS}g}"))


def rank_clusters(table: pd.DataFrame, top_n: int, primary_economy) -> pd.DataFrame:
    """Size, economy and intensity ranks.

    ``table``: one row per cluster with ``cluster``, ``economy``, ``pct_share_pct``, ``pub_share_pct``,
    ``pct_count``, ``article_count`` and ``population`` (NaN when unknown). Size score = the sum of
    the two world shares; ``position`` orders every cluster by it (ties: by name, since the data
    schema gives each rank to one cluster); the first ``top_n`` get a ``size_rank``. ``economy_rank``
    is the size rank among the ranked clusters of the cluster's first economy. With population,
    ``intensity_rank`` orders the ranked clusters by PCT applications plus articles per million
    inhabitants.
    """
    ranked = table.copy()
    ranked["size_score"] = ranked["pct_share_pct"].fillna(0) + ranked["pub_share_pct"].fillna(0)
    ranked["_score"] = _rounded(ranked["size_score"])
    ranked = ranked.sort_values(["_score", "cluster"], ascending=[False, True]).reset_index(drop=True)
    ranked["position"] = np.arange(1, len(ranked) + 1)
    ranked["size_rank"] = ranked["position"].where(ranked["position"] <= top_n).astype("Int64")
    ranked["in_top100"] = np.where(ranked["position"] <= 100, "true", "false")
    ranked["primary_economy"] = ranked["economy"].map(primary_economy)
    in_top = ranked["size_rank"].notna()
    ranked["economy_rank"] = pd.Series(pd.NA, index=ranked.index, dtype="Int64")
    ranked.loc[in_top, "economy_rank"] = ranked[in_top].groupby("primary_economy").cumcount() + 1
    population = ranked["population"]
    has_population = population.notna() & (population > 0)
    ranked["pct_per_million"] = (ranked["pct_count"] / population * 1e6).where(has_population)
    ranked["articles_per_million"] = (ranked["article_count"] / population * 1e6).where(has_population)
    ranked["intensity_score"] = ranked["pct_per_million"] + ranked["articles_per_million"]
    intense = ranked[in_top & has_population].assign(_intensity=lambda f: _rounded(f["intensity_score"]))
    intense = intense.sort_values(["_intensity", "cluster"], ascending=[False, True])
    ranked["intensity_rank"] = pd.Series(pd.NA, index=ranked.index, dtype="Int64")
    ranked.loc[intense.index, "intensity_rank"] = np.arange(1, len(intense) + 1)
    return ranked.drop(columns=["_score"])
