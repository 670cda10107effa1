"""Every fingerprint of "what a page or a cache entry is made from", with one set of rules.

A fingerprint is a SHA-256 over named byte strings, each framed by its name and length, so two
different inputs never hash alike by running together. Files are named by their path relative to the
folder they are listed from (the package, a data folder, a records folder), never by an absolute path
of the machine: the same inputs give the same fingerprint in any clone. Importing this module imports
no third-party library (a single render computes its fingerprint before pandas is imported).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from cluster_profiles import paths


def _frame(digest: hashlib._Hash, name: str, data: bytes) -> None:
    encoded = name.encode()
    digest.update(len(encoded).to_bytes(8, "little") + encoded + len(data).to_bytes(8, "little") + data)


def digest_of(parts: Iterable[tuple[str, bytes | str]]) -> str:
    """The fingerprint of named parts, in the order given."""
    digest = hashlib.sha256()
    for name, data in parts:
        _frame(digest, name, data.encode() if isinstance(data, str) else data)
    return digest.hexdigest()


def files_of(folder: Path, pattern: str = "*", recursive: bool = False) -> list[Path]:
    """The files of ``folder`` matching ``pattern`` (no ``__pycache__``), sorted by relative path; none
    when the folder is missing."""
    if not folder.is_dir():
        return []
    found = folder.rglob(pattern) if recursive else folder.glob(pattern)
    return sorted((p for p in found if p.is_file() and "__pycache__" not in p.relative_to(folder).parts),
                  key=lambda p: p.relative_to(folder).as_posix())


def folder_parts(folder: Path, files: list[Path]) -> list[tuple[str, bytes]]:
    """Each file as (its path relative to ``folder``, its bytes)."""
    return [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in files]


@functools.cache
def package_source_digest() -> str:
    """The package's Python source (what validates data and builds the pages' values)."""
    return digest_of(folder_parts(paths.PACKAGE_DIR, files_of(paths.PACKAGE_DIR, "*.py", recursive=True)))


@functools.cache
def package_files_digest() -> str:
    """Every file of the package: source, templates, basemaps, settings, lab defaults."""
    return digest_of(folder_parts(paths.PACKAGE_DIR, files_of(paths.PACKAGE_DIR, recursive=True)))


def _installed() -> list[str]:
    """The installed distributions with their versions ('pandas-2.3.3.dist-info'), from the import path."""
    names = []
    for entry in sys.path:
        try:
            names += [name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info"))]
        except OSError:  # a zip file or a folder that is gone
            continue
    return sorted(names)


@functools.cache
def environment_digest() -> str:
    """The Python and the libraries the package runs with (a pickled cache entry is only valid under them)."""
    return digest_of([("python", sys.version), ("installed", "\n".join(_installed()))])


def data_folder_digest(folder: Path) -> str:
    """Every byte of a data folder's files (not its subfolders), with the package source that validates them."""
    return digest_of([("package", package_source_digest()), *folder_parts(folder, files_of(folder))])


def notebook_digest(notebook: Path) -> str:
    """What a render takes from a notebook: each cell's type, tags and source, in order.

    Not its metadata, outputs or execution counts: opening or running a notebook in JupyterLab
    rewrites those, and must not make every page stale.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    parts = []
    for cell in cells:
        source = cell.get("source", "")
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        parts.append(("cell", json.dumps([cell.get("cell_type"), tags,
                                          "".join(source) if isinstance(source, list) else source])))
    return digest_of(parts)


def code_fingerprint(notebook: Path) -> str:
    """Everything a page's rendering depends on besides its inputs: every package file and the notebook's cells."""
    return digest_of([("package", package_files_digest()), ("notebook", notebook_digest(notebook))])


def page_fingerprint(code: str, data_dir: Path | str | None, inputs: str) -> str:
    """A page rendered by ``render-all``: the code, the data folder it reads and the rows it can read."""
    return digest_of([("code", code), ("data folder", str(data_dir)), ("inputs", inputs)])


# where a page reads its data and is written: the fingerprints name the folders themselves (resolved), so the
# spelling the user gave them (relative, "" for the shipped data) does not make a page differ
FOLDER_PARAMETERS = frozenset({"data_dir", "reports_dir", "page_dir"})


def single_render_fingerprint(parameters: str, data_dir: Path, notebook: Path, data_digest: str | None = None,
                              code: str | None = None) -> str:
    """A page rendered on its own (``render``, ``compare``): the data folder's path and every byte of its
    files, every package file, the notebook and the page's parameters (without ``FOLDER_PARAMETERS``).

    It differs from the batch's fingerprint of the same page (that one needs the tables loaded, which a
    single render avoids): ``render-all`` takes such a page for current only after checking that it
    names the same data bytes, code and parameters as its own page (``runner.batch.adopt_single_renders``).
    ``data_digest`` and ``code``, when given, are ``data_folder_digest(data_dir)`` and
    ``code_fingerprint(notebook)`` computed once for many pages."""
    return digest_of([("single render", parameters), ("data folder", str(data_dir)),
                      ("data", data_digest or data_folder_digest(data_dir)),
                      ("code", code or code_fingerprint(notebook))])


def records_digest(records_dir: Path, settings_path: Path | None) -> str:
    """A records folder's files and the settings file a clustering run reads."""
    parts = folder_parts(records_dir, files_of(records_dir))
    if settings_path is not None:
        parts.append(("settings", settings_path.read_bytes()))
    return digest_of(parts)


def cache_key(kind: str, *parts: str | bytes) -> str:
    """A cache entry's name: its kind, the package source, the environment and its inputs."""
    return digest_of([("kind", kind), ("package", package_source_digest()), ("environment", environment_digest()),
                      *(("part", part) for part in parts)])
