"""The find-clusters page's model (pages/clustering/data.py) on planted records whose clusters are known."""

from __future__ import annotations

import pytest
from compute.planted import Records

from cluster_profiles.pages.clustering import data

SETTINGS = "min_people = 300\nradius_km = 15\nmerge_km = 5\ntop_n = 10\n"
HEFEI, NANJING, BASEL, SMALLTOWN = (31.82, 117.23), (32.06, 118.79), (47.56, 7.59), (36.0, 120.0)


def planted() -> Records:
    """Hefei (300 inventors + 400 authors), Nanjing (400 authors), Basel (360 inventors), Smalltown (200 authors,
    under the threshold); two documents outside the window, one address without coordinates."""
    r = Records()
    r.blob("pct", 2020, HEFEI, 100, 3, "Hefei", "CN", organisations=["USTC"], codes=["H01L 21/00"], seed=1)
    r.blob("article", 2019, HEFEI, 200, 2, "Hefei", "CN", organisations=["USTC"], codes=["Physics"], seed=2)
    r.blob("article", 2020, NANJING, 200, 2, "Nanjing", "CN", organisations=["NJU"], codes=["Chemistry"], seed=3)
    r.blob("pct", 2021, BASEL, 120, 3, "Basel", "CH", organisations=["Roche"], codes=["A61K 31/00"], seed=4)
    r.blob("article", 2020, SMALLTOWN, 100, 2, "Smalltown", "CN", seed=5)
    r.add("pct", 2010, [(*HEFEI, "Hefei", "CN")], ["Old"], ["H01L 21/00"])
    r.add("article", 2001, [(*NANJING, "Nanjing", "CN")], ["Old"], ["Chemistry"])
    r.add("pct", 2020, [(None, None, "", "")], ["Ghost"], ["H01L 21/00"])
    return r


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("found")
    records = planted().write(folder / "records")
    settings = folder / "settings.toml"
    settings.write_text(SETTINGS)
    return data.load_run(str(records), str(settings), radius_km_values=[15.0, 25.0],
                         min_people_values=[150, 380, 5000])


def test_what_was_read_and_dropped(run):
    table = data.read_table(run)
    assert table.loc["PCT applications", "read"] == 100 + 120 + 2
    assert table.loc["PCT applications", "dropped: outside the window"] == 1
    assert table.loc["PCT applications", "dropped: addresses without coordinates"] == 1
    assert table.loc["scientific articles", "in the window"] == 200 + 200 + 100
    assert table.loc["scientific articles", "dropped: outside the window"] == 1


def test_clusters_at_each_threshold(run):
    table = data.thresholds_table(run).set_index("run")
    assert list(table.index) == ["the settings", "radius_km = 25", "min_people = 150", "min_people = 380",
                                 "min_people = 5000"]  # radius 15 is the base run
    assert table.loc["the settings", "clusters after merging"] == 3  # Hefei, Nanjing, Basel; Smalltown is noise
    assert table.loc["the settings", "PCT clusters (DBSCAN)"] == 2
    assert table.loc["min_people = 150", "clusters after merging"] == 4  # Smalltown's 200 authors now suffice
    assert table.loc["min_people = 380", "clusters after merging"] == 2  # Basel's 360 inventors no longer do
    assert table.loc["min_people = 5000"].iloc[3:].tolist() == [0, 0, 0, 0]  # nothing is that dense


def test_sizes_largest_first(run):
    sizes = data.sizes_table(run)
    assert list(sizes["position"]) == [1, 2, 3]
    assert sizes["size_score"].is_monotonic_decreasing
    assert sizes.iloc[0]["cluster"] == "Hefei"  # PCT and articles
    assert list(data.sizes_table(run, 2)["cluster"]) == list(sizes["cluster"][:2])


def test_how_the_top_ten_move(run):
    movement = data.movement_table(run).set_index("cluster")
    assert movement.loc["Hefei", "radius_km = 25"] == "1"
    assert movement.loc["Basel", "min_people = 380"] == "noise"
    assert movement.loc["Nanjing", "min_people = 380"] in {"1", "2"}
    assert movement.loc["Basel", "min_people = 150"] == str(
        data.sizes_table(run).set_index("cluster").loc["Basel", "position"])
    assert set(movement["min_people = 5000"]) == {"noise"}  # a variant that finds nothing: every cluster is noise


def test_an_empty_records_dir_is_a_parameter_error():
    from cluster_profiles.errors import ParameterError

    with pytest.raises(ParameterError, match="records_dir is empty"):
        data.load_run("")
