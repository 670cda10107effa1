"""Load a data folder: read its CSV files (``canonical_csv``), validate them (``validate``, ``crosschecks``), cache the result.

Every problem is collected before anything is raised, so a user fixing a data folder sees the
whole list at once (file, line, column, what was found, what was expected).

A folder whose exact bytes validated before (with this package and these libraries) is not
validated again: the validated tables come from the on-disk cache (``cache``), and neither pandera
nor the schema is imported. A fresh kernel rendering a report saves about a second that way.
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

from cluster_profiles import cache, paths
from cluster_profiles.contract.canonical_csv import line_of
from cluster_profiles.contract.economies import economy_codes, primary_economy
from cluster_profiles.contract.tables import Tables
from cluster_profiles.errors import DataValidationError, Problem
from cluster_profiles.names import shorten

__all__ = ["Tables", "economy_codes", "line_of", "load_tables", "primary_economy"]

CACHE_KIND = "tables"


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def _folder_signature(folder: Path) -> tuple:
    """What a load kept in memory depends on: each file's name and bytes (hashed). Sizes and modification
    times are not enough: a file rewritten within one tick of a coarse clock, or by a tool that keeps times,
    or a folder replaced by a copy, has the same ones. Hashing the few hundred kB of a data folder takes
    about a millisecond; the tables' validation, which this saves, a second."""
    signature = []
    for path in _folder_files(folder):
        signature.append((path.name, hashlib.blake2b(path.read_bytes(), digest_size=16).digest()))
    return tuple(signature)


def _content_key(folder: Path) -> str:
    """The cache entry for a folder: its path (the tables name it) and every byte of its files."""
    parts: list[str | bytes] = [str(folder)]
    for path in _folder_files(folder):
        parts += [path.name, path.read_bytes()]
    return cache.key(CACHE_KIND, *parts)


_CACHE: dict[Path, tuple[tuple, Tables]] = {}


def load_tables(data_dir: str | Path | None = None) -> Tables:
    """Read every table of ``data_dir`` (the shipped ``data/`` by default) and validate it.

    Raises ``DataValidationError`` listing every problem found. A folder whose files have not
    changed since the last successful load is not read again (batch renders reuse one kernel for
    many reports); each call gets its own copies of the frames, so a caller may modify them.
    """
    given = Path(data_dir) if data_dir else paths.DATA_DIR
    try:
        if given.is_symlink() and not given.exists():  # a loop, or a link to nothing (that is "no such folder")
            try:
                given.stat()
            except OSError as error:
                if error.errno == errno.ELOOP:  # Python 3.13's resolve() no longer raises for a loop
                    raise
        folder = given.resolve()
        if folder.is_dir():
            signature = _folder_signature(folder)
            cached = _CACHE.get(folder)
            if not cached or cached[0] != signature:
                cached = (signature, _load_validated(folder))
                _CACHE[folder] = cached
            return cached[1].copy()
        return _load_and_validate(folder)
    except (OSError, RuntimeError) as error:  # a symlink loop, an unreadable folder or file
        raise DataValidationError(shorten(str(given)), [Problem(
            shorten(getattr(error, "filename", None) or str(given)), None, None,
            f"a folder or file that cannot be read ({getattr(error, 'strerror', None) or error})",
            "a readable folder of CSV tables (check its permissions and symbolic links)")]) from None


def _load_validated(folder: Path) -> Tables:
    """The folder's validated tables: from the disk cache if these bytes validated before, else validated
    here (and cached when the files did not change while they were read)."""
    try:
        key = _content_key(folder)
    except OSError:  # an unreadable file: validation names it
        return _load_and_validate(folder)
    cached = cache.load(CACHE_KIND, key)
    if isinstance(cached, Tables):
        return cached
    tables = _load_and_validate(folder)
    try:
        if _content_key(folder) == key:
            cache.store(CACHE_KIND, key, tables)
    except OSError:
        pass
    return tables


def _load_and_validate(folder: Path) -> Tables:
    # the schema and pandera (about a second): only for a folder the cache has not seen validated
    from cluster_profiles.contract.canonical_csv import read_folder
    from cluster_profiles.contract.validate import validate_frames

    if not folder.is_dir():
        raise DataValidationError(str(folder), [Problem(str(folder), None, None, "no such folder",
                                                        "a folder of CSV tables (see data/README.md)")])
    frames, problems = read_folder(folder)
    try:
        tables = validate_frames(frames, data_dir=folder)
    except DataValidationError as error:  # one list: what could not be read and what is not valid
        problems += [p for p in error.problems if not (p.column is None and p.found == "no such file")]
        raise DataValidationError(str(folder), problems) from None
    if problems:
        raise DataValidationError(str(folder), problems)
    return tables
