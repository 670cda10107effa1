"""Per-cluster measures (METHOD.md §6 cases 6, 7, 9 and the profile tables), on hand-built records
whose clusters are single points far apart (radius 1 km, a small min_people)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from cluster_profiles.compute import fields, measures, points
from cluster_profiles.compute.clustering import find_clusters
from cluster_profiles.compute.records import read_records
from cluster_profiles.compute.settings import load_settings, with_overrides
from cluster_profiles.contract.economies import primary_economy

from .planted import Records

A = (10.0, 10.0, "Alpha", "CN")
B = (20.0, 20.0, "Beta", "HK")
OUTSIDE = (30.0, 30.0, "Gamma", "JP")


def prepared(tmp_path, records: Records, min_people: int = 2, counting: str = "fractional"):
    """A connection holding every table the measures read, and the cluster id of A and B."""
    settings = with_overrides(load_settings(), min_people=min_people, radius_km=1.0, merge_km=0.0, counting=counting)
    con = duckdb.connect()
    read_records(con, records.write(tmp_path / "records"))
    points.window_documents(con, settings)
    points.address_rows(con, settings)
    kinds = {k: points.weighted_points(con, k, settings.grid_degrees) for k in ("pct", "article")}
    found = find_clusters(kinds, settings.radius_km, settings.min_people, settings.merge_km)
    measures.assign_clusters(con, found.footprint, counting)
    fields.create_document_fields(con)
    ids = {name: int(found.footprint.loc[(found.footprint["lat"] - place[0]).abs() < 1e-9, "cluster_id"].iloc[0])
           for name, place in (("A", A), ("B", B)) if (abs(found.footprint["lat"] - place[0]) < 1e-9).any()}
    return con, ids, found


def count_of(con, cluster_id, kind="pct") -> float:
    frame = measures.cluster_counts(con)
    return float(frame.loc[(frame["cluster_id"] == cluster_id) & (frame["kind"] == kind), "count"].iloc[0])


@pytest.mark.parametrize(("counting", "expected_a", "expected_b"), [("fractional", 5 / 3, 1 / 3), ("whole", 2, 1)])
def test_fractional_and_whole_counting_hand_case(tmp_path, counting, expected_a, expected_b):
    records = Records()
    records.add("pct", 2020, [A, A, B])
    records.add("pct", 2020, [A])
    con, ids, _ = prepared(tmp_path, records, min_people=1, counting=counting)
    assert count_of(con, ids["A"]) == pytest.approx(expected_a)
    assert count_of(con, ids["B"]) == pytest.approx(expected_b)
    assert measures.world_totals(con)["pct"] == 2
    # the fractions of every address row add up to the number of documents
    assert con.execute("SELECT sum(frac) FROM address_rows").fetchone()[0] == pytest.approx(2)


def test_an_address_without_coordinates_keeps_its_share_outside_every_cluster(tmp_path):
    records = Records()
    records.add("pct", 2020, [A, A, (None, None, "", "")])
    con, ids, _ = prepared(tmp_path, records, min_people=1)
    assert count_of(con, ids["A"]) == pytest.approx(2 / 3)
    assert measures.world_totals(con)["pct"] == 1


def ranking_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["cluster", "economy", "pct_share_pct", "pub_share_pct", "pct_count",
                                       "article_count", "population"])


def test_size_rank_is_by_the_sum_of_shares_with_ties_by_name():
    table = ranking_table([
        ("Small", "DE", 1.0, 1.0, 10, 10, np.nan),
        ("Tie B", "CN", 2.0, 3.0, 20, 30, np.nan),
        ("Tie A", "CN", 4.0, 1.0, 40, 10, np.nan),
        ("Big", "CN/HK", 10.0, 0.5, 100, 5, np.nan),
    ])
    ranked = measures.rank_clusters(table, top_n=3, primary_economy=primary_economy)
    assert list(ranked["cluster"]) == ["Big", "Tie A", "Tie B", "Small"]
    assert list(ranked["size_rank"].astype("Float64").fillna(0)) == [1, 2, 3, 0]  # top_n = 3: Small unranked
    assert list(ranked["economy_rank"].astype("Float64").fillna(0)) == [1, 2, 3, 0]  # CN/HK counts for CN
    assert list(ranked["in_top100"]) == ["true"] * 4
    assert ranked["intensity_rank"].isna().all() and ranked["pct_per_million"].isna().all()


def test_intensity_rank_is_by_output_per_million():
    table = ranking_table([
        ("Dense", "DE", 1.0, 1.0, 100, 100, 1e5),   # 2,000 per million
        ("Large", "DE", 5.0, 5.0, 500, 500, 1e7),   # 100 per million
        ("Unknown", "DE", 3.0, 3.0, 300, 300, 0.0),  # no population: no intensity
    ])
    ranked = measures.rank_clusters(table, top_n=100, primary_economy=primary_economy).set_index("cluster")
    assert ranked.loc["Dense", "intensity_rank"] == 1 and ranked.loc["Large", "intensity_rank"] == 2
    assert pd.isna(ranked.loc["Unknown", "intensity_rank"])
    assert ranked.loc["Dense", "pct_per_million"] == pytest.approx(1000)
    assert ranked.loc["Large", "economy_rank"] == 1 and ranked.loc["Dense", "economy_rank"] == 3


def test_collaboration_and_partners(tmp_path):
    records = Records()
    records.add("pct", 2020, [A, B], doc_id="AB")
    records.add("pct", 2020, [A, OUTSIDE], doc_id="A-outside")
    records.add("pct", 2020, [A, A], doc_id="AA")
    records.add("pct", 2020, [B, B], doc_id="BB")
    con, ids, _ = prepared(tmp_path, records, min_people=2)
    collaboration = measures.collaboration(con).set_index("cluster_id")
    assert collaboration.loc[ids["A"], "documents"] == 3 and collaboration.loc[ids["A"], "collaborative"] == 2
    assert collaboration.loc[ids["A"], "share_pct"] == pytest.approx(200 / 3)
    assert collaboration.loc[ids["B"], "share_pct"] == pytest.approx(50)
    partners = measures.partners(con, 3)
    top_of_a = partners[partners["cluster_id"] == ids["A"]]
    assert list(top_of_a["partner_id"]) == [ids["B"]] and list(top_of_a["documents"]) == [1]


def test_top_organisations_split_a_document_among_its_organisations(tmp_path):
    records = Records()
    records.add("pct", 2020, [A, A], ["Acme", "Bolt"])
    records.add("pct", 2020, [A, A], ["Acme"])
    records.add("pct", 2020, [A, A], ["Cog"])
    con, ids, _ = prepared(tmp_path, records, min_people=2)
    top = measures.top_organisations(con, 2, "fractional")
    assert list(top["organisation"]) == ["Acme", "Cog"]
    assert list(top["count"]) == pytest.approx([1.5, 1.0])
    assert list(top["share_pct"]) == pytest.approx([50.0, 100 / 3])
    whole = measures.top_organisations(con, 3, "whole")
    assert list(whole["count"]) == pytest.approx([2.0, 1.0, 1.0])  # Acme, then Bolt and Cog alphabetically


def test_top_fields_split_documents_among_fields_and_end_with_other(tmp_path):
    records = Records()
    records.add("pct", 2020, [A, A], codes=["H01L 21/8242", "G06F 3/00"])  # semiconductors + computer technology
    records.add("pct", 2020, [A, A], codes=["H01L 29/00"])
    records.add("pct", 2020, [A, A], codes=["G01N 33/53", "G01N 21/00"])  # fields 11 and 10
    records.add("pct", 2020, [A, A], codes=["ZZZ"])  # unmapped: left out of the shares
    con, ids, _ = prepared(tmp_path, records, min_people=2)
    top = measures.top_fields(con, 2)
    assert list(top["field"]) == ["Semiconductors", "Analysis of biological materials", "Other"]
    assert list(top["share_pct"]) == pytest.approx([50.0, 100 / 6, 100 / 3])
    assert fields.unmapped_codes(con) == 1
    every = measures.top_fields(con, 10)
    assert "Other" not in set(every["field"]) and every["share_pct"].sum() == pytest.approx(100)


def test_population_within_the_buffer_counts_once_for_the_nearest_cluster(tmp_path):
    records = Records()
    records.add("pct", 2020, [A, A])
    records.add("pct", 2020, [B, B])
    records.population = [{"lat": 10.005, "lon": 10.0, "population": 1000},   # 0.56 km from A
                          {"lat": 10.05, "lon": 10.0, "population": 5000},    # 5.6 km: outside the 1 km buffer
                          {"lat": 20.0, "lon": 20.0, "population": 250}]
    con, ids, found = prepared(tmp_path, records, min_people=2)
    population = measures.cluster_population(con, found.footprint, 1.0)
    assert population[ids["A"]] == 1000 and population[ids["B"]] == 250
