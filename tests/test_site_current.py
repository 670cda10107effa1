"""Issue 20 class 3, derived values right for every input: the index lists a page only when it was made from
the data it describes, and the tables cache never answers with a folder's earlier bytes."""

from __future__ import annotations

import os
import shutil

from cluster_profiles import paths
from cluster_profiles.contract import load
from cluster_profiles.runner.batch import output_path, plan_kind
from cluster_profiles.runner.kinds import PROFILE
from cluster_profiles.runner.site import index_entries

from conftest import FIXTURE_DATA


def _page(reports, task, marker: str | None) -> None:
    html = output_path(task, reports)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("x")
    if marker is not None:
        paths.fingerprint_path(html).write_text(marker + "\n")


def test_the_index_leaves_out_pages_made_from_other_data(fixture_tables, tmp_path):
    """Three pages exist: one made from these tables, one whose fingerprint proves other inputs (another data
    folder, or a render that failed and left the previous page), one copied by hand without a fingerprint."""
    tasks = {task.cluster: task for task in plan_kind(PROFILE, fixture_tables, [2024], None, tmp_path)}
    _page(tmp_path, tasks["Hefei"], tasks["Hefei"].fingerprint)
    _page(tmp_path, tasks["Nanjing"], "made-from-another-folder")
    _page(tmp_path, tasks["Wuhan"], None)
    assert {e["cluster"] for e in index_entries(fixture_tables, tmp_path)} == {"Hefei", "Wuhan"}


def test_a_page_whose_rows_changed_leaves_the_index(fixture_tables, tmp_path):
    hefei = next(t for t in plan_kind(PROFILE, fixture_tables, [2024], None, tmp_path) if t.cluster == "Hefei")
    _page(tmp_path, hefei, hefei.fingerprint)
    tables = fixture_tables.copy()
    row = (tables.clusters["cluster"] == "Hefei") & (tables.clusters["edition"] == 2024)
    tables.clusters.loc[row, "pct_applications"] = 1
    assert index_entries(fixture_tables, tmp_path) and not index_entries(tables, tmp_path)


def test_a_table_rewritten_within_one_tick_of_the_clock_is_read_again(tmp_path, monkeypatch):
    """The in-memory cache: a file rewritten with the same size and the same modification time (a coarse
    clock, or a tool that keeps times) must not be answered from memory."""
    monkeypatch.setenv("CLUSTER_PROFILES_CACHE", "off")
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data, ignore=shutil.ignore_patterns("*.md"))
    clusters = data / "clusters.csv"
    assert 127418 in set(load.load_tables(data).clusters["pct_applications"])
    stat = clusters.stat()
    text = clusters.read_text(encoding="utf-8")
    clusters.write_text(text.replace(",127418,", ",127419,"), encoding="utf-8")  # same size
    os.utime(clusters, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert clusters.stat().st_size == stat.st_size
    counts = set(load.load_tables(data).clusters["pct_applications"])
    assert 127419 in counts and 127418 not in counts


def test_a_folder_renamed_and_replaced_is_read_again(tmp_path, monkeypatch):
    """The folder at a path replaced by another (a rename, then a copy in its place) with files of the same
    names, sizes and times: the cache answers for the new bytes, and the tables name the folder they are from."""
    monkeypatch.setenv("CLUSTER_PROFILES_CACHE", "off")
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data, ignore=shutil.ignore_patterns("*.md"))
    load.load_tables(data)
    other = tmp_path / "other"
    shutil.copytree(data, other)  # copytree keeps the modification times
    path = other / "clusters.csv"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(",127418,", ",127419,"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    data.rename(tmp_path / "old")
    other.rename(data)
    assert 127419 in set(load.load_tables(data).clusters["pct_applications"])
    assert load.load_tables(tmp_path / "old").data_dir == (tmp_path / "old").resolve()
