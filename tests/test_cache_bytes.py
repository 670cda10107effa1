"""Issue 20 class 6 for the on-disk cache: bounded in bytes, not only in entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cluster_profiles import cache


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def _store_aged(folder: Path, kind: str, name: str, value: object, age: int) -> None:
    cache.store(kind, name, value)
    os.utime(folder / kind / f"{name}.pickle", ns=(age * 10**9, age * 10**9))


def test_the_oldest_entries_go_beyond_the_byte_limit(cache_folder: Path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_BYTES", 250_000)
    for number in range(4):  # four entries of 100 kB: the limit holds two
        _store_aged(cache_folder, "big", f"n{number}", b"x" * 100_000, number + 1)
    cache.store("big", "n4", b"x" * 100_000)
    assert sorted(p.stem for p in (cache_folder / "big").glob("*.pickle")) == ["n3", "n4"]
    assert sum(p.stat().st_size for p in (cache_folder / "big").glob("*.pickle")) <= 250_000


def test_an_entry_larger_than_the_limit_is_kept_alone(cache_folder: Path, monkeypatch):
    """The newest entry, just stored to be used, stays even when it alone is over the limit; the rest go."""
    monkeypatch.setattr(cache, "KEEP_BYTES", 50_000)
    _store_aged(cache_folder, "big", "small", b"x" * 10, 1)
    cache.store("big", "huge", b"x" * 100_000)
    assert [p.stem for p in (cache_folder / "big").glob("*.pickle")] == ["huge"]
    assert cache.load("big", "huge") == b"x" * 100_000


def test_kinds_are_bounded_apart(cache_folder: Path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_BYTES", 150_000)
    _store_aged(cache_folder, "tables", "t", b"x" * 100_000, 1)
    cache.store("basemaps", "b", b"x" * 100_000)
    assert cache.load("tables", "t") is not None and cache.load("basemaps", "b") is not None
