"""Loading and validation: any shipped data passes; malformed input is caught and located (each case of the
corpus: tests/test_bad_inputs.py, through the command and through load_tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.errors import DataValidationError

from bad_inputs import BYTE_CASES, HEFEI, _rewrite, _set


def test_shipped_data_is_valid(tables):
    """The tables fixture loading at all means data/ passed the schema and the cross-checks."""
    editions = tables.edition_list()
    assert editions and set(tables.clusters["edition"]) <= set(editions)


def test_every_row_names_its_source(tables):
    for spec in TABLES.values():
        frame = getattr(tables, spec.name)
        assert frame["source"].str.strip().str.len().gt(0).all(), spec.name


def test_fixture_data_loads_with_its_known_values(fixture_tables):
    assert fixture_tables.edition_list() == [2023, 2024, 2025]
    clusters = fixture_tables.clusters
    hefei = clusters[(clusters["edition"] == 2024) & (clusters["cluster"] == "Hefei")]
    assert hefei.iloc[0]["size_rank"] == 36
    assert hefei.iloc[0]["pct_per_million"] == 692


def test_problem_line_is_the_file_line(data_copy: Path):
    path = data_copy / "clusters.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("2024,Hefei,"))
    _rewrite(path, _set("clusters.csv", HEFEI, "size_rank", "many")[1])
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert f"clusters.csv:{number}:size_rank" in str(caught.value)


@pytest.mark.parametrize("name", sorted(BYTE_CASES))
def test_unreadable_files_are_named(data_copy: Path, name: str):
    file, content, words = BYTE_CASES[name]
    (data_copy / file).write_bytes(content)
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert any(p.file == file and words in p.found for p in caught.value.problems), caught.value.problems


def test_missing_file_and_missing_folder(data_copy: Path, tmp_path: Path):
    (data_copy / "gaps.csv").unlink()
    with pytest.raises(DataValidationError, match="gaps.csv: found no such file"):
        load_tables(data_copy)
    with pytest.raises(DataValidationError, match="no such folder"):
        load_tables(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(data_copy: Path):
    _rewrite(data_copy / "clusters.csv", _set("clusters.csv", HEFEI, "size_rank", "0")[1])
    _rewrite(data_copy / "economies.csv", _set("economies.csv", {"code": "CN"}, "source", "")[1])
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert {p.file for p in caught.value.problems} >= {"clusters.csv", "economies.csv"}




def test_every_shipped_cluster_has_a_location(tables):
    located = set(tables.cluster_locations["cluster"])
    unlocated = sorted(set(tables.clusters["cluster"]) - located)
    assert not unlocated, f"no row in cluster_locations.csv for {unlocated}: run `make locations`"
    cities = tables.cluster_locations.groupby("cluster")["city"].apply(list)
    assert cities["Shenzhen–Hong Kong–Guangzhou"] == ["Shenzhen", "Hong Kong", "Guangzhou"]
    assert cities["Washington, DC–Baltimore, MD"] == ["Washington", "Baltimore"]
    pinned = tables.cluster_locations.set_index("city")
    # the pinned ids are the provincial capitals/cities next to the clusters' other cities, not namesakes
    assert pinned.loc["Changsha", "geonames_id"] == 1815577 and 27 < pinned.loc["Changsha", "latitude"] < 29
    assert pinned.loc["Suzhou", "geonames_id"] == 1886760 and 120 < pinned.loc["Suzhou", "longitude"] < 121
    assert pinned.loc["Zhuhai", "geonames_id"] == 1790437 and 113 < pinned.loc["Zhuhai", "longitude"] < 114
    assert pinned.loc["Cologne", "geonames_id"] == 2886242
    assert tables.cluster_locations["source"].str.contains("GeoNames").all()
