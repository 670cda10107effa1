"""Writing a computed data folder: validated before anything is written, moved into place whole."""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_profiles import paths
from cluster_profiles.compute.write import RUN_FILE, OutputFolderError, schema_frames, write_data_folder
from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.errors import DataValidationError

SOURCE = "Computed by cluster-profiles from the records folder r (sha256 0) with the settings s (sha256 0)"


def frames(cluster: str = "Hefei", share: float = 12.34567) -> dict[str, pd.DataFrame]:
    return {
        "editions": pd.DataFrame([{"edition": 2024, "metrics": "PCT applications; scientific articles",
                                   "source": SOURCE}]),
        "economies": pd.DataFrame([{"code": "CN", "name": "China", "adjective": "Chinese", "source": SOURCE}]),
        "clusters": pd.DataFrame([{"edition": 2024, "cluster": cluster, "economy": "CN", "size_rank": 1,
                                   "pct_applications": 5 / 3, "pct_share_pct": share, "source": SOURCE,
                                   "extra": "not in the schema"}]),
    }


def test_numbers_are_rounded_for_print_and_columns_follow_the_schema():
    shaped = schema_frames(frames())
    row = shaped["clusters"].iloc[0]
    assert row["pct_applications"] == pytest.approx(1.667) and row["pct_share_pct"] == pytest.approx(12.346)
    assert "extra" not in shaped["clusters"].columns and "vc_deals" in shaped["clusters"].columns
    assert set(shaped) == set(TABLES)  # every table, the absent ones without rows


def test_a_folder_is_written_validated_and_readable(tmp_path):
    out = write_data_folder(frames(), tmp_path / "out", {"records_sha256": "0"})
    tables = load_tables(out)
    assert list(tables.clusters["cluster"]) == ["Hefei"]
    assert (out / RUN_FILE).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_invalid_tables_write_nothing_and_keep_the_previous_folder(tmp_path):
    out = write_data_folder(frames(), tmp_path / "out", {})
    before = (out / "clusters.csv").read_bytes()
    with pytest.raises(DataValidationError) as error:
        write_data_folder(frames(cluster="<b>Hefei</b>"), out, {})
    assert "clusters.csv:2:cluster" in str(error.value)
    assert (out / "clusters.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_shipped_data_and_foreign_folders_are_never_replaced(tmp_path):
    with pytest.raises(OutputFolderError):
        write_data_folder(frames(), paths.DATA_DIR, {})
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    with pytest.raises(OutputFolderError):
        write_data_folder(frames(), foreign, {})
    assert (foreign / "keep.txt").read_text() == "x"
    file_target = tmp_path / "file"
    file_target.write_text("x")
    with pytest.raises(OutputFolderError):
        write_data_folder(frames(), file_target, {})
