"""Load a data folder: read its CSV files (``io``), validate them (``validate``), cache the result.

Every problem is collected before anything is raised, so a user fixing a data folder sees the
whole list at once (file, line, column, what was found, what was expected).
"""

from __future__ import annotations

import errno
from pathlib import Path

from . import paths
from .economies import economy_codes, primary_economy
from .errors import DataValidationError, Problem
from .io import line_of, read_folder
from .names import shorten
from .schema import TABLES
from .validate import Tables, cross_check, validate_frames

__all__ = ["Tables", "cross_check", "economy_codes", "line_of", "load_tables", "primary_economy"]


def _folder_signature(folder: Path) -> tuple:
    """What a cached load depends on: each table file's size and modification time."""
    signature = []
    for spec in TABLES.values():
        path = folder / spec.file_name
        stat = path.stat() if path.is_file() else None
        signature.append((spec.file_name, None if stat is None else (stat.st_size, stat.st_mtime_ns)))
    return tuple(signature)


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
                cached = (signature, _load_and_validate(folder))
                _CACHE[folder] = cached
            return cached[1].copy()
        return _load_and_validate(folder)
    except (OSError, RuntimeError) as error:  # a symlink loop, an unreadable folder or file
        raise DataValidationError(shorten(str(given)), [Problem(
            shorten(getattr(error, "filename", None) or str(given)), None, None,
            f"a folder or file that cannot be read ({getattr(error, 'strerror', None) or error})",
            "a readable folder of CSV tables (check its permissions and symbolic links)")]) from None


def _load_and_validate(folder: Path) -> Tables:
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
