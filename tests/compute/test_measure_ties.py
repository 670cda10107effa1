"""Top fields and organisations whose outputs are equal but for the last bits of a floating sum (0.1 + 0.2 against
0.3) are ties, broken by name: the bits depend on the order DuckDB's threads add the rows in, so ranking by them
gave a different order from one run to the next."""

from __future__ import annotations

import duckdb
import pytest

from cluster_profiles.compute import measures


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE doc_cluster (doc_id VARCHAR, kind VARCHAR, cluster_id INTEGER, weight DOUBLE, "
                       "people INTEGER)")
    # Zoology and Zeta: 0.1 + 0.2 = 0.30000000000000004; Algebra and Alpha: 0.3; Middle: clearly less
    connection.execute("INSERT INTO doc_cluster VALUES ('d1', 'article', 1, 0.1, 1), ('d2', 'article', 1, 0.2, 1), "
                       "('d3', 'article', 1, 0.3, 1), ('d4', 'article', 1, 0.25, 1)")
    connection.execute("CREATE TABLE document_fields (doc_id VARCHAR, field VARCHAR, part DOUBLE)")
    connection.execute("INSERT INTO document_fields VALUES ('d1', 'Zoology', 1.0), ('d2', 'Zoology', 1.0), "
                       "('d3', 'Algebra', 1.0), ('d4', 'Middle', 1.0)")
    connection.execute("CREATE TABLE organisations (doc_id VARCHAR, name VARCHAR, role VARCHAR)")
    connection.execute("INSERT INTO organisations VALUES ('d1', 'Zeta', 'affiliation'), ('d2', 'Zeta', 'affiliation'), "
                       "('d3', 'Alpha', 'affiliation'), ('d4', 'Middle', 'affiliation')")
    yield connection
    connection.close()


def test_fields_equal_but_for_the_last_bits_rank_by_name(con):
    assert 0.1 + 0.2 != 0.3  # the case: two sums a float comparison tells apart
    top = measures.top_fields(con, 3)
    assert list(top["field"]) == ["Algebra", "Zoology", "Middle"]
    assert list(top["share_pct"]) == pytest.approx([100 * 0.3 / 0.85, 100 * 0.3 / 0.85, 100 * 0.25 / 0.85])


@pytest.mark.parametrize("counting", ["fractional", "whole"])
def test_organisations_equal_but_for_the_last_bits_rank_by_name(con, counting):
    top = measures.top_organisations(con, 3, counting)
    assert list(top["organisation"]) == ["Alpha", "Zeta", "Middle"]
    assert list(top["rank"]) == [1, 2, 3]
