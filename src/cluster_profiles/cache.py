"""A private on-disk cache for what is slow to rebuild and depends only on bytes we can hash.

A fresh kernel validates the data folder (pandera, about a second with its import) and decodes and
draws a map's basemap before the first cell shows anything: the same work, with the same result, on
every render of unchanged data. Here each result is stored once, under a name that is the hash of
everything it is made from (the package's source, the Python and library versions, the input
bytes), so an entry is never stale: a change to any input makes another name, and the old entry is
simply not asked for again (the oldest entries of a kind are removed beyond ``KEEP`` of them or beyond
``KEEP_BYTES`` of them together: a data folder of large tables must not fill the disk 64 copies at a time).

Where: ``$CLUSTER_PROFILES_CACHE`` (a folder; ``off`` turns the cache off), else
``$XDG_CACHE_HOME/cluster-profiles``, else ``~/.cache/cluster-profiles``. Entries are pickles, so
they are read only from a folder that belongs to this user and that no one else can write; anything
wrong with the cache (no such folder, no room, a damaged entry) means no cache, never an error.
"""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
from pathlib import Path

from cluster_profiles import fingerprints

ENV = "CLUSTER_PROFILES_CACHE"
KEEP = 64  # entries kept per kind: the newest, by modification time
KEEP_BYTES = 256 * 1024 * 1024  # and at most this many bytes of them per kind (the newest entry is always kept)


def cache_dir() -> Path | None:
    """The cache folder (created, private), or None when the cache is off or unusable."""
    setting = os.environ.get(ENV, "")
    if setting.strip().lower() == "off":
        return None
    if setting:
        folder = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(base) / "cluster-profiles"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None  # someone else could plant an entry: not a place to unpickle from
    return folder


def key(kind: str, *parts: str | bytes) -> str:
    """An entry's name: the hash of its kind, the package source, the Python and libraries, and its inputs
    (``fingerprints.cache_key``)."""
    return fingerprints.cache_key(kind, *parts)


def _entry(kind: str, name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / f"{name}.pickle"


def load(kind: str, name: str) -> object | None:
    """The stored value, or None (no cache, no such entry, a damaged one)."""
    path = _entry(kind, name)
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or truncated entry, or one a newer library cannot read: rebuilt
        path.unlink(missing_ok=True)
        return None


def store(kind: str, name: str, value: object) -> None:
    """Store a value (written to a temporary file, then renamed: a reader never sees half of it)."""
    path = _entry(kind, name)
    if path is None:
        return
    temporary = None
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as output:
            pickle.dump(value, output, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        _prune(path.parent)
    except OSError:  # no room, read-only: the next run validates or draws again
        pass
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    entries = []
    for path in folder.glob("*.pickle"):
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append((info.st_mtime_ns, info.st_size, path))
    kept_bytes = 0
    for number, (_, size, path) in enumerate(sorted(entries, key=lambda entry: entry[0], reverse=True)):
        kept_bytes += size
        if number and (number >= KEEP or kept_bytes > KEEP_BYTES):
            path.unlink(missing_ok=True)
