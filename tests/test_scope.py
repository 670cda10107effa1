"""Which rows of the data folder a page can read (contract/scope.py): by each table's scope, the same text
whether a page is planned alone or with many others."""

from __future__ import annotations

from dataclasses import replace

from cluster_profiles.contract import scope


def test_report_inputs_follow_each_table_s_scope(tables):
    inputs = scope.report_inputs(tables, "Hefei", 2024)
    blocks = {block.split("\n", 1)[0]: block for block in inputs.split("## ")[1:]}
    assert "2024,Nanjing," in blocks["clusters.csv"] and "2023,Tokyo" in blocks["clusters.csv"]  # edition scope
    assert "2025," not in blocks["clusters.csv"]
    assert "Nanjing" not in blocks["top_organisations.csv"] and "Hefei" in blocks["top_organisations.csv"]
    overview = scope.report_inputs(tables, None, 2024)  # an overview reads no cluster-scoped table
    assert "top_organisations.csv" not in overview and "economies.csv" in overview


def test_rows_written_once_give_each_page_what_it_reads_alone(fixture_tables):
    """Inside ``rows_written_once`` each table is written as CSV once and each page's lines are picked from it:
    the same text as writing ``rows_in_scope`` page by page, also when a value holds a line break (no line per
    row), for a cluster without rows, and for a page about no cluster."""
    top = fixture_tables.top_organisations.copy()
    top.loc[top.index[0], "organisation"] = 'Two\nlines, "quoted"'
    broken_line = (str(top["cluster"].iloc[0]), int(top["edition"].iloc[0]))
    pages = [("Hefei", 2024), broken_line, ("Cairo", 2025), ("Atlantis", 2024), (None, 2024), (None, 2025)]
    for tables in (fixture_tables, replace(fixture_tables, top_organisations=top)):
        alone = [scope.report_inputs(tables, cluster, edition) for cluster, edition in pages]
        with scope.rows_written_once(tables):
            planned = [scope.report_inputs(tables, cluster, edition) for cluster, edition in pages]
            other = scope.report_inputs(fixture_tables, "Hefei", 2024)  # another Tables: not from the shared rows
        assert planned == alone
        assert other == scope.report_inputs(fixture_tables, "Hefei", 2024)
    assert 'Two\nlines, ""quoted""' in alone[1] and "Two" not in alone[2]  # Cairo reads no other top list
    assert scope._SHARED_ROWS.get() is None  # the block leaves nothing behind
