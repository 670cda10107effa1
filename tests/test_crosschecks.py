"""Cross-checks between and within tables: each rule finds its problem at the line of the canonical CSV
(checked on copies of the frozen fixture folder, which passes them all)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from cluster_profiles.contract.crosschecks import cross_check
from cluster_profiles.contract.tables import Tables


def problems_after(tables: Tables, table: str, change) -> list[str]:
    """The cross-checks' problems, as text, once ``change`` has edited a copy of one table."""
    frame = tables.frame(table).copy()
    change(frame)
    return [str(p) for p in cross_check(replace(tables, **{table: frame}))]


def test_the_fixture_folder_passes_every_cross_check(fixture_tables):
    assert cross_check(fixture_tables) == []


def _set(row: int, column: str, value):
    def change(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value
    return change


@pytest.mark.parametrize("table, change, problem", [
    ("clusters", _set(0, "edition", 2022),
     "clusters.csv:2:edition: found 2022; expected an edition listed in editions.csv (2023, 2024, 2025)"),
    ("clusters", _set(0, "economy", "JP/ZZ"),
     "clusters.csv:2:economy: found 'ZZ'; expected an economy code listed in economies.csv"),
    ("top_fields", _set(0, "cluster", "Atlantis"),
     "top_fields.csv:2:cluster: found 'Atlantis'; expected a cluster listed in clusters.csv for edition 2024"),
    ("clusters", _set(1, "size_rank", 1),
     "clusters.csv:2:size_rank: found 1 for Tokyo–Yokohama, also given to Shenzhen–Hong Kong–Guangzhou; "
     "expected each size_rank used once per edition (put other sources' values in conflicts.csv)"),
    ("clusters", _set(0, "in_top100", "false"),
     "clusters.csv:2:in_top100: found false; expected true or empty, since size_rank is 1"),
    ("clusters", _set(2, "economy_rank", 4),
     "clusters.csv:4:economy_rank: found 4; expected at most the size rank (3)"),
    ("clusters", _set(0, "total_share_pct", 12.0),
     "clusters.csv:2:total_share_pct: found 12.0; expected pct_share_pct + pub_share_pct = 11.6 (±0.15 for rounding)"),
    ("top_organisations", _set(34, "count", 1000.0),  # São Paulo's first patent applicant, 2024
     "top_organisations.csv:36:count: found 1000; expected at most the cluster's total of 727 "
     "(pct_applications in clusters.csv)"),
    ("top_organisations", _set(1, "rank", 1),
     "top_organisations.csv:2:rank: found 1 for CHANGXIN MEMORY TECHNOLOGIES, also given to UNIVERSITY OF SCIENCE "
     "AND TECH. OF CHINA; expected each rank used once per list"),
    ("top_fields", _set(0, "rank", pd.NA),
     "top_fields.csv:2:rank: found an empty rank and no note; expected a rank, or a note saying why"),
    ("conflicts", _set(0, "column", "nonsense"),
     "conflicts.csv:2:column: found 'nonsense'; expected a column of clusters.csv"),
    ("clusters", _set(1, "cluster", "TOKYO–YOKOHAMA"),
     "clusters.csv:2:cluster: found 'Tokyo–Yokohama', which looks the same as 'TOKYO–YOKOHAMA' (clusters.csv:3:cluster)"),
])
def test_each_cross_check_finds_its_problem(fixture_tables, table, change, problem):
    found = problems_after(fixture_tables, table, change)
    assert any(p.startswith(problem) for p in found), found
