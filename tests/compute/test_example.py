"""The example (``cluster-profiles example``, ``make example``): seeded synthetic records, labelled so, whose
planted clusters the pipeline finds at the example's settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cluster_profiles.cli import main
from cluster_profiles.compute.example import (
    DATA_FOLDER,
    EXAMPLE_CLUSTERS,
    NO_COORDINATES_SHARE,
    OUTSIDE_WINDOW_SHARE,
    README_FIRST_LINE,
    RECORDS_FOLDER,
    example_settings_path,
    run_example,
    write_example_records,
)
from cluster_profiles.compute.records import validate_records
from cluster_profiles.compute.settings import PROVENANCE, load_settings

MEAN_PEOPLE_PER_DOCUMENT = 3  # the generator draws one to five people per document, uniformly


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    return out, run_example(out, progress=False)


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_records(tmp_path):
    first = folder_bytes(write_example_records(tmp_path / "a"))
    assert first == folder_bytes(write_example_records(tmp_path / "b"))
    other = folder_bytes(write_example_records(tmp_path / "c", seed=7))
    assert other["addresses.csv"] != first["addresses.csv"]


def test_the_records_are_valid_and_labelled_synthetic_in_every_file(example_run):
    out, _ = example_run
    records = out / RECORDS_FOLDER
    info = validate_records(records)
    assert set(info.files) == {"documents", "addresses", "organisations", "classes", "population"}
    assert (records / "README.md").read_text(encoding="utf-8").startswith(README_FIRST_LINE)
    for path in info.files.values():
        sources = pd.read_csv(path, usecols=["source"])["source"].unique()
        assert len(sources) == 1 and sources[0].startswith("SYNTHETIC:"), path.name


def test_the_pipeline_finds_the_planted_clusters(example_run):
    out, summary = example_run
    clusters = pd.read_csv(out / DATA_FOLDER / "clusters.csv").set_index("cluster")
    assert summary.clusters == len(EXAMPLE_CLUSTERS) and summary.no_cluster == {}
    assert set(clusters.index) == {planted.name for planted in EXAMPLE_CLUSTERS}
    kept = (1 - OUTSIDE_WINDOW_SHARE) * (1 - NO_COORDINATES_SHARE)
    for planted in EXAMPLE_CLUSTERS:
        row = clusters.loc[planted.name]
        assert row["economy"] == planted.economy
        for kind, column in (("pct", "pct_applications"), ("article", "scientific_publications")):
            if planted.people(kind) >= 4500:  # a kind planted above the threshold: its documents, within 10 %
                expected = planted.people(kind) / MEAN_PEOPLE_PER_DOCUMENT * kept
                assert row[column] == pytest.approx(expected, rel=0.10), (planted.name, kind)
    # the small towns stay noise, and the data folder's sources name the synthetic records
    assert not {"Millbrook", "Harwick", "Kinsale Hills"} & set(clusters.index)
    assert clusters["source"].str.contains("synthetic").all()
    run = json.loads((out / DATA_FOLDER / "compute_run.json").read_text(encoding="utf-8"))
    assert "synthetic" in json.dumps(run)


def test_the_example_settings_are_known_keys_at_their_defaults_each_explained():
    example, defaults = load_settings(example_settings_path()), load_settings()
    assert example == defaults  # the generator plants enough people for the published threshold
    text = example_settings_path().read_text(encoding="utf-8")
    keys = [line.split("=")[0].strip() for line in text.splitlines() if "=" in line and not line.startswith("#")]
    assert keys and set(keys) <= set(PROVENANCE)
    lines = text.splitlines()
    for key in keys:  # each key follows a comment (directly or with the keys of its group)
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
        above = lines[:index]
        assert any(line.startswith("#") for line in above[-4:]), key


def test_the_command_refuses_a_records_folder_it_did_not_write(tmp_path, capsys):
    foreign = tmp_path / RECORDS_FOLDER
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["example", "--out", str(tmp_path), "--quiet"]) == 2
    assert "was not written by the example generator" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
@pytest.mark.kernel
def test_the_example_end_to_end_renders_pages_that_say_synthetic(tmp_path):
    """What `make example` runs: the records, the clusters, then their site in its own folder."""
    command = [str(Path(sys.executable).parent / "cluster-profiles")]
    done = subprocess.run([*command, "example", "--out", str(tmp_path / "example"), "--quiet"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Clusters found: 5" in done.stdout
    reports = tmp_path / "reports-example"
    done = subprocess.run([*command, "render-all", "--data-dir", str(tmp_path / "example" / DATA_FOLDER),
                           "--reports-dir", str(reports)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    pages = sorted(reports.rglob("*.html"))
    profiles = [page for page in pages if page.stem in {"alderbrook", "dunmore", "eastvale", "fernhill"}
                or page.stem.startswith("brightwater")]
    assert len(profiles) == len(EXAMPLE_CLUSTERS), [p.name for p in pages]
    for page in profiles:
        html = page.read_text(encoding="utf-8")
        assert "synthetic" in html, page.name
        # the banner and the HTML title name the records as SYNTHETIC, never the GII
        assert "<title>" in html and "SYNTHETIC example records" in html.split("<title>")[1].split("</title>")[0]
        assert "Global Innovation Index 20" not in html and "GII 20" not in html, page.name
