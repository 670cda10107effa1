"""Records -> clusters -> a data folder that validates and renders: the planted case end to end."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from cluster_profiles.cli import main
from cluster_profiles.compute.command import run
from cluster_profiles.compute.write import RUN_FILE
from cluster_profiles.contract.load import load_tables

from .planted import Records, offset

SETTINGS = "min_people = 300\nradius_km = 15\nmerge_km = 5\ntop_n = 3\nfields_listed = 2\n"
HEFEI, NANJING, BASEL, SMALLTOWN = (31.82, 117.23), (32.06, 118.79), (47.56, 7.59), (36.0, 120.0)


def planted() -> Records:
    """Three planted clusters and one blob under the threshold:
    Hefei (CN, PCT + articles), Nanjing (CN, articles), Basel (CH 60 % / FR 40 %, PCT), Smalltown (noise);
    plus documents outside the window, addresses without coordinates, collaboration Hefei-Nanjing."""
    r = Records()
    r.blob("pct", 2020, HEFEI, 100, 3, "Hefei", "CN", organisations=["USTC", "CXMT", "Sungrow"],
           codes=["H01L 21/8242", "G06F 3/00", "H04N 5/00"], seed=1)
    r.blob("article", 2019, offset(*HEFEI, 2, 2), 200, 2, "Hefei", "CN", organisations=["USTC", "HFUT"],
           codes=["Chemistry", "Physics", "Engineering"], seed=2)
    r.blob("article", 2020, NANJING, 200, 2, "Nanjing", "CN", organisations=["Nanjing University"],
           codes=["Chemistry"], seed=3)
    r.blob("pct", 2021, BASEL, 120, 3, "Basel", "CH", organisations=["Roche", "Novartis"], codes=["A61K 31/00"],
           seed=4, economies=[("CH", 0.6), ("FR", 0.4)])
    r.blob("article", 2020, SMALLTOWN, 100, 2, "Smalltown", "CN", seed=5)  # 200 people < 300
    for _i in range(10):
        r.add("article", 2021, [(*HEFEI, "Hefei", "CN"), (*NANJING, "Nanjing", "CN")], ["USTC"], ["Physics"])
    for _i in range(5):
        r.add("pct", 2022, [(*HEFEI, "Hefei", "CN"), (*BASEL, "Basel", "CH")], ["Roche"], ["A61K 31/00"])
    r.add("pct", 2010, [(*HEFEI, "Hefei", "CN")], ["Old"], ["H01L 21/00"])  # outside the window
    r.add("pct", 2020, [(None, None, "", ""), (None, None, "", "")], ["Ghost"], ["H01L 21/00"])
    for centre in (HEFEI, NANJING, BASEL):
        r.population.append({"lat": centre[0], "lon": centre[1], "population": 2_000_000})
    return r


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    base = tmp_path_factory.mktemp("planted")
    records = planted().write(base / "records")
    settings = base / "settings.toml"
    settings.write_text(SETTINGS)
    summary = run(records, base / "out", settings, progress=False)
    return base, summary, load_tables(base / "out")


def test_the_planted_clusters_are_found_named_and_labelled(computed):
    _, summary, tables = computed
    clusters = tables.clusters.set_index("cluster")
    assert sorted(clusters.index) == ["Basel", "Hefei", "Nanjing"]
    assert clusters.loc["Basel", "economy"] == "CH/FR" and clusters.loc["Hefei", "economy"] == "CN"
    assert summary.clusters == 3 and summary.kind_clusters == {"article": 2, "pct": 2}
    locations = tables.cluster_locations.set_index("cluster")
    assert locations.loc["Nanjing", "latitude"] == pytest.approx(NANJING[0], abs=0.01)
    assert locations.loc["Basel", "longitude"] == pytest.approx(BASEL[1], abs=0.01)


def test_counts_shares_and_ranks(computed):
    _, _, tables = computed
    clusters = tables.clusters.set_index("cluster")
    # in the window: 100 Hefei, 120 Basel and 5 Hefei-Basel applications (half each), 1 without coordinates
    world_pct, world_articles = 100 + 120 + 5 + 1, 200 + 200 + 100 + 10
    assert clusters.loc["Hefei", "pct_applications"] == pytest.approx(102.5)
    assert clusters.loc["Basel", "pct_applications"] == pytest.approx(122.5)
    assert clusters.loc["Hefei", "scientific_publications"] == pytest.approx(205, abs=0.01)
    assert clusters.loc["Nanjing", "scientific_publications"] == pytest.approx(205, abs=0.01)
    assert clusters.loc["Hefei", "pct_share_pct"] == pytest.approx(100 * 102.5 / world_pct, abs=1e-3)
    assert clusters.loc["Hefei", "pub_share_pct"] == pytest.approx(100 * 205 / world_articles, abs=1e-3)
    assert list(tables.clusters.sort_values("size_rank")["cluster"]) == ["Hefei", "Basel", "Nanjing"]
    assert clusters.loc["Nanjing", "economy_rank"] == 2
    counts = tables.economy_cluster_counts.set_index("economy")["cluster_count"]
    assert counts.to_dict() == {"CH": 1, "CN": 2}
    assert clusters.loc["Hefei", "pct_per_million"] == pytest.approx(102.5 / 2)  # per million of 2,000,000
    assert set(tables.clusters["intensity_rank"]) == {1, 2, 3}


def test_profile_tables(computed):
    _, _, tables = computed
    orgs = tables.top_organisations
    hefei_patents = orgs[(orgs["cluster"] == "Hefei") & (orgs["output"] == "patents")]
    assert list(hefei_patents["organisation"]) == ["USTC", "CXMT", "Sungrow"]  # 34/33/33, ties alphabetical
    assert hefei_patents["share_pct"].sum() == pytest.approx(100 * 100 / 102.5, abs=0.1)  # Roche has the rest
    fields = tables.top_fields
    hefei = fields[(fields["cluster"] == "Hefei") & (fields["output"] == "patents")]
    assert list(hefei["field"]) == ["Semiconductors", "Audio-visual technology", "Other"]
    collab = tables.collaboration.set_index(["cluster", "output"])["share_pct"]
    assert collab[("Hefei", "articles")] == pytest.approx(100 * 10 / 210, abs=0.05)
    assert collab[("Hefei", "patents")] == pytest.approx(100 * 5 / 105, abs=0.05)
    assert collab[("Nanjing", "articles")] == pytest.approx(100 * 10 / 210, abs=0.05)
    partners = tables.collaboration_partners
    assert list(partners[(partners["cluster"] == "Hefei") & (partners["output"] == "articles")]["partner"]) == ["Nanjing"]


def test_every_row_names_the_records_and_the_settings_with_hashes(computed):
    base, summary, tables = computed
    for name in ("clusters", "top_organisations", "top_fields", "collaboration", "economy_cluster_counts", "gaps"):
        sources = set(getattr(tables, name)["source"])
        # by name and short content hash, never by a path of the machine that computed them
        assert all(f"the records records (sha256 {summary.records.sha256[:12]})" in s
                   and f"the settings settings.toml (sha256 {summary.settings.hash()[:12]})" in s
                   and str(base) not in s for s in sources), name
    run_info = json.loads((base / "out" / RUN_FILE).read_text())
    assert run_info["records_sha256"] == summary.records.sha256


def test_summary_counts_what_was_read_and_dropped(computed):
    _, summary, _ = computed
    counts = summary.counts
    assert counts.outside_window == {"pct": 1, "article": 0}
    assert counts.no_coordinates == {"pct": 2, "article": 0}
    assert counts.documents_without_location == {"pct": 1, "article": 0}
    text = str(summary)
    assert "dropped 1 outside 2019–2023" in text and "2 dropped for having no coordinates" in text
    assert "Clusters found: 3" in text


def test_gaps_say_what_the_records_cannot_give(computed):
    _, _, tables = computed
    gaps = tables.gaps.set_index(["cluster", "section"])["reason"]
    assert "has no PCT applications" in gaps[("Nanjing", "top_patents")]
    assert gaps[("Basel", "top_articles")] == "Basel has no scientific articles in the window."
    assert ("Basel", "collaboration_partners") not in gaps.index  # its PCT applications have a partner
    assert not any(section == "intensity" for _, section in gaps.index)  # population was given


def test_parquet_records_give_the_same_folder(computed, tmp_path):
    base, _, tables = computed
    records = planted().write(tmp_path / "records", "parquet")
    run(records, tmp_path / "out", base / "settings.toml", progress=False)
    again = load_tables(tmp_path / "out")
    columns = [c for c in tables.clusters.columns if c not in ("source",)]
    pd.testing.assert_frame_equal(again.clusters[columns], tables.clusters[columns])


def test_cli_refuses_bad_records_with_exit_2_and_writes_nothing(tmp_path, capsys):
    records = planted()
    records.addresses[3]["lat"] = 123.0
    folder = records.write(tmp_path / "records")
    assert main(["clusters", "--records", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "addresses.csv:5:lat: found '123.0'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_cli_never_replaces_a_folder_it_did_not_write(tmp_path, capsys):
    folder = planted().write(tmp_path / "records")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["clusters", "--records", str(folder), "--out", str(mine), "--quiet"]) == 2
    assert "was not written by `cluster-profiles clusters`" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "keep me"


def test_a_rerun_replaces_its_own_folder(computed, tmp_path):
    base, _, tables = computed
    out = tmp_path / "out"
    shutil.copytree(base / "out", out)  # a folder the command wrote: computed's run of these records
    assert tables.clusters["size_rank"].notna().sum() == 3
    (tmp_path / "other.toml").write_text(SETTINGS.replace("top_n = 3", "top_n = 1"))
    run(base / "records", out, tmp_path / "other.toml", progress=False)
    assert load_tables(out).clusters["size_rank"].notna().sum() == 1


@pytest.mark.slow
@pytest.mark.kernel
def test_a_computed_folder_renders_complete_profiles(computed, tmp_path):
    from rendering import render_profile as render_report

    base, _, _ = computed
    result = render_report({"cluster": "Hefei", "edition": 2024, "data_dir": str(base / "out")},
                           reports_dir=tmp_path / "reports")
    html = result.html_path.read_text(encoding="utf-8")
    assert "Hefei, China" in html and "USTC" in html and "Semiconductors" in html and "Nanjing" in html
    # one window of records has no previous edition, and the page does not miss one
    assert html.count("Not in the data:") == 0
    assert "GII 2023" not in html and "complete: all" in html
    assert "as a footprint of" in html  # the map draws the computed cluster's points


def test_the_footprints_are_the_clusters_grid_cells_weighted_by_their_addresses(computed):
    base, summary, tables = computed
    footprints = tables.cluster_footprints
    assert set(footprints["cluster"]) == {"Basel", "Hefei", "Nanjing"}  # Smalltown is noise: no footprint
    for name, centre in (("Hefei", HEFEI), ("Nanjing", NANJING), ("Basel", BASEL)):
        cells = footprints[footprints["cluster"] == name]
        assert (cells["latitude"] - centre[0]).abs().max() < 0.2 and (cells["longitude"] - centre[1]).abs().max() < 0.2
    # every address in the window with coordinates lies in a cluster cell except Smalltown's 100 x 2 authors
    assert footprints["weight"].sum() == sum(summary.counts.located_rows.values()) - 100 * 2
    assert all(summary.records.sha256[:12] in s and "grid cells" in s for s in footprints["source"])


def test_a_computed_profile_map_draws_the_footprint(computed):
    from cluster_profiles.narrate.profile import build_profile
    from cluster_profiles.pages.profile import sections

    _, _, tables = computed
    profile = build_profile(tables, "Hefei", 2024)
    cells = tables.cluster_footprints[tables.cluster_footprints["cluster"] == "Hefei"]
    assert profile.footprint is not None and len(profile.footprint) == len(cells) > 1
    html = sections.location_map(profile)
    assert f"as a footprint of {len(cells)} points" in html
    assert "GeoNames" not in html  # the coordinates are the records', not the gazetteer's
