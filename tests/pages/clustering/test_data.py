"""The narrative of a clustering run (compute/report.py) on planted records whose clusters are known."""

from __future__ import annotations

import pytest

from cluster_profiles.pages.clustering import notebook as report

from .planted import Records

SETTINGS = "min_people = 300\nradius_km = 15\nmerge_km = 5\ntop_n = 10\n"
HEFEI, NANJING, BASEL, SMALLTOWN = (31.82, 117.23), (32.06, 118.79), (47.56, 7.59), (36.0, 120.0)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Hefei (300 inventors + 400 authors), Nanjing (400 authors), Basel (360 inventors), Smalltown (200 authors,
    under the threshold); two documents outside the window, one address without coordinates."""
    folder = tmp_path_factory.mktemp("found")
    r = Records()
    r.blob("pct", 2020, HEFEI, 100, 3, "Hefei", "CN", organisations=["USTC"], codes=["H01L 21/00"], seed=1)
    r.blob("article", 2019, HEFEI, 200, 2, "Hefei", "CN", organisations=["USTC"], codes=["Physics"], seed=2)
    r.blob("article", 2020, NANJING, 200, 2, "Nanjing", "CN", organisations=["NJU"], codes=["Chemistry"], seed=3)
    r.blob("pct", 2021, BASEL, 120, 3, "Basel", "CH", organisations=["Roche"], codes=["A61K 31/00"], seed=4)
    r.blob("article", 2020, SMALLTOWN, 100, 2, "Smalltown", "CN", seed=5)
    r.add("pct", 2010, [(*HEFEI, "Hefei", "CN")], ["Old"], ["H01L 21/00"])
    r.add("article", 2001, [(*NANJING, "Nanjing", "CN")], ["Old"], ["Chemistry"])
    r.add("pct", 2020, [(None, None, "", "")], ["Ghost"], ["H01L 21/00"])
    records = r.write(folder / "records")
    settings = folder / "settings.toml"
    settings.write_text(SETTINGS)
    return report.load_run(str(records), str(settings), radius_km_values=[15.0, 25.0],
                           min_people_values=[150, 380])


def test_what_was_read_and_dropped(run):
    table = report.read_table(run)
    assert table.loc["PCT applications", "read"] == 100 + 120 + 2
    assert table.loc["PCT applications", "dropped: outside the window"] == 1
    assert table.loc["PCT applications", "dropped: addresses without coordinates"] == 1
    assert table.loc["scientific articles", "in the window"] == 200 + 200 + 100
    assert table.loc["scientific articles", "dropped: outside the window"] == 1


def test_clusters_at_each_threshold(run):
    table = report.thresholds_table(run).set_index("run")
    assert list(table.index) == ["the settings", "radius_km = 25", "min_people = 150", "min_people = 380"]  # 15 = base
    assert table.loc["the settings", "clusters after merging"] == 3  # Hefei, Nanjing, Basel; Smalltown is noise
    assert table.loc["the settings", "PCT clusters (DBSCAN)"] == 2
    assert table.loc["min_people = 150", "clusters after merging"] == 4  # Smalltown's 200 authors now suffice
    assert table.loc["min_people = 380", "clusters after merging"] == 2  # Basel's 360 inventors no longer do


def test_sizes_largest_first_and_the_chart(run):
    sizes = report.sizes_table(run)
    assert list(sizes["position"]) == [1, 2, 3]
    assert sizes["size_score"].is_monotonic_decreasing
    assert sizes.iloc[0]["cluster"] == "Hefei"  # PCT and articles
    figure = report.sizes_figure(run)
    assert len(figure.axes[0].patches) == 2 * 3  # a PCT and an article bar per cluster
    assert "the largest is Hefei" in report.sizes_alt_text(run)


def test_how_the_top_ten_move(run):
    movement = report.movement_table(run).set_index("cluster")
    assert movement.loc["Hefei", "radius_km = 25"] == "1"
    assert movement.loc["Basel", "min_people = 380"] == "noise"
    assert movement.loc["Nanjing", "min_people = 380"] in {"1", "2"}
    assert movement.loc["Basel", "min_people = 150"] == str(
        report.sizes_table(run).set_index("cluster").loc["Basel", "position"])


def test_an_empty_records_dir_is_a_parameter_error():
    from cluster_profiles.errors import ParameterError

    with pytest.raises(ParameterError, match="records_dir is empty"):
        report.load_run("")


@pytest.mark.kernel
def test_the_notebook_renders_the_run_to_html(run, tmp_path):
    from cluster_profiles.runner.render import render_find_clusters

    html = render_find_clusters(run.records_dir, settings_path=run.settings_file, radius_km_values=[25.0],
                                min_people_values=[380], reports_dir=tmp_path)
    assert html == tmp_path / "found" / "records.html"
    text = html.read_text(encoding="utf-8")
    for heading in ("What was read and dropped", "How many clusters, at which thresholds", "The clusters&#39; sizes",
                    "How the top ten move"):
        assert heading in text or heading.replace("&#39;", "'") in text
    assert "Hefei" in text and "noise" in text and "Traceback" not in text
    assert html.with_suffix(".ipynb").exists()
