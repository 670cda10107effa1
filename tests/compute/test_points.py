"""Steps 1-2: window, one row per address with its weights, rounding and aggregation to weighted points."""

from __future__ import annotations

import duckdb
import pytest

from cluster_profiles.compute import points
from cluster_profiles.compute.records import read_records
from cluster_profiles.compute.settings import load_settings, with_overrides

from .planted import Records

A = (10.001, 20.004, "Alpha", "CN")
A_NEAR = (10.004, 19.996, "Alpha", "CN")  # the same 0.01° cell as A
B = (10.5, 20.5, "Beta", "CN")


def prepared(tmp_path, records: Records, **changes):
    settings = with_overrides(load_settings(), **changes)
    con = duckdb.connect()
    read_records(con, records.write(tmp_path / "records"))
    points.window_documents(con, settings)
    points.address_rows(con, settings)
    return con, settings


def test_the_windows_are_inclusive_and_per_kind(tmp_path):
    records = Records()
    for year in (2018, 2019, 2023, 2024):
        records.add("pct", year, [A], doc_id=f"pct-{year}")
        records.add("article", year, [A], doc_id=f"article-{year}")
    con, _ = prepared(tmp_path, records)
    kept = sorted(r[0] for r in con.execute("SELECT doc_id FROM win_documents").fetchall())
    assert kept == ["article-2018", "article-2019", "pct-2019", "pct-2023"]
    counts = points.read_counts(con)
    assert counts.outside_window == {"pct": 2, "article": 2}


@pytest.mark.parametrize(("counting", "output_a"), [("fractional", 5 / 3), ("whole", 3.0)])
def test_weighted_points_hand_case(tmp_path, counting, output_a):
    """doc 1 {A, A, B}, doc 2 {A}: A has 3 people and 2/3 + 1 of output (fractional), B 1 and 1/3."""
    records = Records()
    records.add("pct", 2020, [A, A_NEAR, B])
    records.add("pct", 2020, [A])
    con, settings = prepared(tmp_path, records, counting=counting)
    frame = points.weighted_points(con, "pct", settings.grid_degrees).set_index(["lat_i", "lon_i"])
    a, b = frame.loc[(1000, 2000)], frame.loc[(1050, 2050)]
    assert (a["people"], b["people"]) == (3, 1)
    assert a["output"] == pytest.approx(output_a)
    assert a["lat"] == pytest.approx(10.0) and a["lon"] == pytest.approx(20.0)
    assert con.execute("SELECT sum(frac) FROM address_rows").fetchone()[0] == pytest.approx(2)


def test_addresses_without_coordinates_are_dropped_and_counted(tmp_path):
    records = Records()
    records.add("pct", 2020, [A, (None, None, "", "")])
    records.add("pct", 2020, [(None, None, "Nowhere", "")])
    con, settings = prepared(tmp_path, records)
    counts = points.read_counts(con)
    assert counts.no_coordinates == {"pct": 2, "article": 0}
    assert counts.documents_without_location == {"pct": 1, "article": 0}
    assert counts.located_rows == {"pct": 1, "article": 0}
    frame = points.weighted_points(con, "pct", settings.grid_degrees)
    assert list(frame["output"]) == pytest.approx([0.5])  # the located half of the first document


def test_a_coarser_grid_merges_cells(tmp_path):
    records = Records()
    records.add("article", 2020, [A, (10.4, 20.4, "Alpha", "CN")])  # 45 km apart, one 1° cell
    con, _ = prepared(tmp_path, records, grid_degrees=1.0)
    frame = points.weighted_points(con, "article", 1.0)
    assert len(frame) == 1 and frame["people"].iloc[0] == 2
