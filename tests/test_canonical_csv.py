"""Canonical CSV: one writer, whose output reads back to the same tables."""

import math

import numpy as np
import pandas as pd
import pytest

from cluster_profiles.contract.canonical_csv import (
    canonical_cell,
    canonical_cells,
    canonical_csv,
    read_folder,
    write_tables,
)
from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.schema import TABLES


@pytest.mark.parametrize("value, expected", [
    (None, ""), (np.nan, ""), (pd.NA, ""), (2069.0, "2069"), (np.int64(36), "36"), (10.1, "10.1"),
    (0.15, "0.15"), (True, "true"), ("Hefei", "Hefei"), (1e300, "1e+300"),
])
def test_canonical_cells(value, expected):
    assert canonical_cell(value) == expected


def test_written_tables_read_back_equal(tables, tmp_path):
    written = write_tables(tables, tmp_path)
    assert sorted(p.name for p in written) == sorted(spec.file_name for spec in TABLES.values())
    again = load_tables(tmp_path)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.frame(name).reset_index(drop=True),
                                      tables.frame(name).reset_index(drop=True), check_dtype=True)
    # writing what was read gives the same bytes: the format is a fixed point
    for spec in TABLES.values():
        assert canonical_csv(again.frame(spec.name), spec) == (tmp_path / spec.file_name).read_text(encoding="utf-8")


def test_canonical_csv_uses_the_schema_column_order_and_unix_line_ends(tables):
    spec = TABLES["economies"]
    shuffled = tables.economies[list(reversed(spec.columns))]
    text = canonical_csv(shuffled, spec)
    assert text.splitlines()[0] == ",".join(spec.columns)
    assert "\r" not in text and text.endswith("\n")


def test_read_folder_reports_unreadable_and_missing_files(data_copy):
    (data_copy / "gaps.csv").unlink()
    (data_copy / "economies.csv").write_bytes(b"\xef\xbb\xbfcode,name\n")
    frames, problems = read_folder(data_copy)
    assert "gaps" not in frames and "economies" not in frames and "clusters" in frames
    assert {(p.file, p.found.split(" (")[0]) for p in problems} == {
        ("gaps.csv", "no such file"), ("economies.csv", "a UTF-8 byte-order mark at the start of the file")}
    size_rank = frames["clusters"]["size_rank"]  # text until validated (object in pandas 2, str in pandas 3)
    assert not pd.api.types.is_numeric_dtype(size_rank) and all(isinstance(v, str) for v in size_rank.dropna())


@pytest.mark.parametrize("values", [
    pd.Series([0.0, -0.0, 1.0, 2069.0, 10.1, 1 / 3, 1e-7, 1e16, 2.0**53, 2.0**53 - 1, -(2.0**53), math.nan,
               math.inf, -math.inf, 123456.789]),
    pd.Series([1.5, None, 3.0], dtype="Float64"),
    pd.Series([1.25, 2.5], dtype="float32"),
    pd.Series([0, -5, 2069, 2**53 - 1, 2**53, 2**53 + 1, -(2**53), -(2**53) - 1, 2**62]),
    pd.Series([1, None, -(2**60)], dtype="Int64"),
    pd.Series([3, 4], dtype="int32"),
    pd.Series([True, False]),
    pd.Series([True, None, False], dtype="boolean"),
    pd.Series(["Hefei", None, "", 3, 2.5, math.nan, pd.NA, True], dtype=object),
    pd.Series([], dtype="float64"),
], ids=["float64", "Float64", "float32", "int64", "Int64", "int32", "bool", "boolean", "object", "empty"])
def test_a_column_is_written_as_its_cells_are(values):
    """canonical_cells formats numeric columns without asking each value its type: the text must be the one
    canonical_cell gives every value, missing ones, signs, the 2**53 edge and infinities included."""
    assert canonical_cells(values) == [canonical_cell(v) for v in values]
