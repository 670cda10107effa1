"""The on-disk cache: what it returns is what the work it saves would return, and a change to an input
is never answered from it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_profiles import cache, fingerprints
from cluster_profiles.contract import load
from cluster_profiles.contract.tables import Tables
from cluster_profiles.narrate.maps import draw as map_drawing
from cluster_profiles.narrate.maps import layout as map_layout


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    monkeypatch.setattr(load, "_CACHE", {})  # nothing kept in memory: every load asks the disk
    return folder


def _entries(folder: Path, kind: str) -> list[Path]:
    return sorted((folder / kind).glob("*.pickle"))


def _assert_same_tables(a: Tables, b: Tables) -> None:
    assert a.data_dir == b.data_dir
    assert sorted(a.frames) == sorted(b.frames)
    for name in a.frames:
        pd.testing.assert_frame_equal(a.frame(name), b.frame(name), check_exact=True)


def test_cached_tables_are_the_validated_tables(cache_folder: Path, data_copy: Path, monkeypatch):
    data = data_copy
    first = load.load_tables(data)  # validated, then stored
    assert len(_entries(cache_folder, load.CACHE_KIND)) == 1
    load._CACHE.clear()
    monkeypatch.setattr(load, "_load_and_validate", lambda folder: pytest.fail("validated again"))
    second = load.load_tables(data)  # from the disk
    _assert_same_tables(first, second)
    monkeypatch.undo()
    monkeypatch.setenv(cache.ENV, "off")
    load._CACHE.clear()
    _assert_same_tables(load.load_tables(data), second)  # and what no cache gives


def test_changed_data_is_validated_again(cache_folder: Path, data_copy: Path):
    data = data_copy
    before = load.load_tables(data)
    clusters = data / "clusters.csv"
    text = clusters.read_text(encoding="utf-8")
    row = before.clusters.dropna(subset=["pct_applications"]).iloc[0]
    old, new = f",{int(row['pct_applications'])},", f",{int(row['pct_applications']) + 1},"
    assert old in text
    clusters.write_text(text.replace(old, new, 1), encoding="utf-8")
    load._CACHE.clear()
    after = load.load_tables(data)
    assert after.clusters["pct_applications"].sum() == before.clusters["pct_applications"].sum() + 1
    assert len(_entries(cache_folder, load.CACHE_KIND)) == 2
    clusters.write_text(text.replace(old, ",-1,", 1), encoding="utf-8")
    load._CACHE.clear()
    with pytest.raises(load.DataValidationError):  # invalid data is never answered from the cache
        load.load_tables(data)


@pytest.mark.parametrize("digest", ["package_source_digest", "environment_digest"])
def test_another_package_or_library_is_another_entry(monkeypatch, digest):
    monkeypatch.setattr(fingerprints, digest, lambda: "one")
    first = cache.key("tables", "same input")
    monkeypatch.setattr(fingerprints, digest, lambda: "two")
    assert cache.key("tables", "same input") != first
    assert cache.key("tables", "same input") != cache.key("tables", "same", " input")  # parts are delimited


def test_a_damaged_entry_is_rebuilt(cache_folder: Path, data_copy: Path):
    data = data_copy
    first = load.load_tables(data)
    [entry] = _entries(cache_folder, load.CACHE_KIND)
    entry.write_bytes(entry.read_bytes()[:100])
    load._CACHE.clear()
    _assert_same_tables(load.load_tables(data), first)
    assert entry.stat().st_size > 100  # stored again, whole


def test_off_or_unsafe_folder_means_no_cache(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.cache_dir() is None
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(cache.ENV, str(shared))
    assert cache.cache_dir() is None  # anyone could plant a pickle there
    cache.store("tables", "name", {"a": 1})
    assert not list(shared.rglob("*.pickle"))
    private = tmp_path / "private"
    monkeypatch.setenv(cache.ENV, str(private))
    cache.store("tables", "name", {"a": 1})
    assert cache.load("tables", "name") == {"a": 1}
    assert (private.stat().st_mode & 0o777) == 0o700


def test_only_the_newest_entries_are_kept(cache_folder: Path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 3)
    for number in range(5):
        cache.store("things", f"n{number}", number)
        os.utime(cache_folder / "things" / f"n{number}.pickle", ns=(number * 10**9, number * 10**9))
    cache.store("things", "n5", 5)
    assert [p.stem for p in _entries(cache_folder, "things")] == ["n3", "n4", "n5"]


def test_cached_basemap_is_the_drawn_basemap(cache_folder: Path, fixture_tables):
    tables = fixture_tables
    peers = tables.clusters[(tables.clusters["edition"] == 2024) & (tables.clusters["economy"] == "JP")]
    data = map_layout.profile_map_data("Nagoya", 2024, peers, tables.cluster_locations, "Japanese")
    map_drawing._background_cached.cache_clear()
    drawn = map_drawing._background_for(data)
    assert len(_entries(cache_folder, map_drawing.BACKGROUND_CACHE_KIND)) == 1
    map_drawing._background_cached.cache_clear()
    stored = map_drawing._background_for(data)
    assert stored.dtype == drawn.dtype and np.array_equal(stored, drawn)
    other = map_layout.profile_map_data("Nagoya", 2024, peers, tables.cluster_locations, "Nipponese")  # another legend
    map_drawing._background_cached.cache_clear()
    map_drawing._background_for(other)
    assert len(_entries(cache_folder, map_drawing.BACKGROUND_CACHE_KIND)) == 2


def test_a_cached_load_does_not_import_the_validation(cache_folder: Path, data_copy: Path):
    """What makes a fresh kernel faster: a new process that starts as a render's kernel does (the preload, then
    the notebook's import) finds the tables in the cache and imports no pandera (without the entry it would
    validate them, which imports pandera)."""
    from cluster_profiles.runner.kernels import PRELOAD

    load.load_tables(data_copy)  # validated here, and stored in cache_folder
    code = (f"{PRELOAD}; import sys; from cluster_profiles.pages.profile import notebook as report; report.load_tables(sys.argv[1]); "
            "print('pandera' in sys.modules)")
    env = {**os.environ, cache.ENV: str(cache_folder)}
    run = subprocess.run([sys.executable, "-c", code, str(data_copy)], capture_output=True, text=True, env=env,
                         check=True)
    assert run.stdout.split() == ["False"]
