"""The OpenAlex adapter on Spark (local mode) writes the same records folder as the DuckDB adapter."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from records_fixtures import OPENALEX, RECORDS_FIXTURES, gzipped_snapshot, read_records

from cluster_profiles.compute.adapters.openalex import run_openalex

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,  # a JVM start and a few Spark jobs: tens of seconds on two cores
    pytest.mark.skipif(shutil.which("java") is None,
                       reason="Spark needs Java 17 and `java` is not on PATH (CI installs openjdk-17-jre-headless)"),
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from cluster_profiles.compute.adapters.openalex_spark import spark_session

    session, created = spark_session("local[1]", tmp_path_factory.mktemp("spark"))
    yield session
    if created:
        session.stop()


def assert_same_folder(left, right):
    left_tables, right_tables = read_records(left), read_records(right)
    for table, frame in left_tables.items():
        pd.testing.assert_frame_equal(frame, right_tables[table], obj=table)


@pytest.mark.parametrize("layout, years", [("plain", (2018, 2022)), ("gzipped", None)])
def test_spark_and_duckdb_write_equal_folders(spark, tmp_path, layout, years):
    from cluster_profiles.compute.adapters.openalex_spark import run_openalex_spark

    snapshot = OPENALEX if layout == "plain" else gzipped_snapshot(tmp_path / "snapshot")
    duck = run_openalex(snapshot / "works", snapshot / "institutions", tmp_path / "duckdb", years=years)
    sparked = run_openalex_spark(snapshot / "works", snapshot / "institutions", tmp_path / "spark", years=years)
    assert_same_folder(tmp_path / "duckdb", tmp_path / "spark")
    assert (sparked.read, sparked.dropped, sparked.written, sparked.addresses_without_coordinates) == (
        duck.read, duck.dropped, duck.written, duck.addresses_without_coordinates)
    assert duck.written["documents"] == (3 if years else 4)  # the comparison is not of two empty folders
    # the files themselves are equal too: same types, same order
    for table in ("documents", "addresses", "organisations", "classes"):
        assert (tmp_path / "duckdb" / f"{table}.parquet").exists()
        assert pd.read_parquet(tmp_path / "spark" / f"{table}.parquet").dtypes.equals(
            pd.read_parquet(tmp_path / "duckdb" / f"{table}.parquet").dtypes)


def test_spark_reads_exactly_the_named_snapshot_and_writes_beside_glob_characters(spark, tmp_path):
    """Spark expands *?[]{} in paths as DuckDB does (openalex_spark.hadoop_path escapes them); the decoy beside
    the named snapshot hold other works (ids D…), which must not appear."""
    import shutil

    from cluster_profiles.compute.adapters.openalex_spark import run_openalex_spark

    named = tmp_path / "snap[1]*{a,b}" / "works"
    shutil.copytree(OPENALEX / "works", named)
    for decoy in ("snap1x", "snap1a", "snap[1]*{a,b"):  # what the pattern matches, and a near miss
        shutil.copytree(OPENALEX / "works", tmp_path / decoy / "works")
        for part in (tmp_path / decoy / "works").rglob("part_*"):
            part.write_text(part.read_text().replace("openalex.org/W", "openalex.org/D"))
    run_openalex(OPENALEX / "works", OPENALEX / "institutions", tmp_path / "duckdb")
    run_openalex_spark(named, OPENALEX / "institutions", tmp_path / "out [x]*" / "records")
    assert_same_folder(tmp_path / "duckdb", tmp_path / "out [x]*" / "records")


LAYOUTS = RECORDS_FIXTURES / "openalex-layouts"


def test_spark_agrees_on_every_json_layout_duplicates_institutions_and_the_ssh_rule(spark, tmp_path):
    """One folder of the snapshot (a work in two partitions, an author at two institutions in two economies, an SSH
    article), the older vocabulary with legacy concepts, an API response and pretty-printed JSON."""
    from cluster_profiles.compute.adapters.openalex_spark import run_openalex_spark

    works = tmp_path / "works"
    for layout in ("snapshot", "legacy", "api", "pretty"):
        shutil.copytree(LAYOUTS / layout, works / layout)
    for keep_ssh in (False, True):
        duck = run_openalex(works, LAYOUTS / "institutions", tmp_path / f"duckdb-{keep_ssh}", keep_ssh=keep_ssh)
        sparked = run_openalex_spark(works, LAYOUTS / "institutions", tmp_path / f"spark-{keep_ssh}",
                                     keep_ssh=keep_ssh)
        assert_same_folder(tmp_path / f"duckdb-{keep_ssh}", tmp_path / f"spark-{keep_ssh}")
        assert (sparked.read, sparked.dropped, sparked.written, sparked.notes) == (
            duck.read, duck.dropped, duck.written, duck.notes)
        assert duck.written["documents"] == (7 if not keep_ssh else 10)


def test_spark_refuses_parquet_in_one_line_pointing_to_duckdb(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cluster_profiles.compute.adapters.folder import RecordsInputError
    from cluster_profiles.compute.adapters.openalex_spark import run_openalex_spark

    works = tmp_path / "works"
    works.mkdir()
    pq.write_table(pa.table({"id": ["https://openalex.org/W1"]}), works / "part_0000.parquet")
    with pytest.raises(RecordsInputError, match="is Parquet, which --engine spark does not read; use --engine duckdb"):
        run_openalex_spark(works, LAYOUTS / "institutions", tmp_path / "out")
    assert not (tmp_path / "out").exists()
