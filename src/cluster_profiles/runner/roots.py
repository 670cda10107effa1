"""One site per data folder: where a data folder's pages go, and the record that keeps two folders apart.

The shipped ``data/`` renders into ``reports/``; any other data folder into ``reports-<its name>/`` beside it
unless a reports folder is given. A reports folder (a "root") holds the pages of one data folder only: the
site file in it (``SITE_FILE``) names that folder and lists every page this tool wrote there, so that a render
from another folder is refused instead of overwriting its pages, and a page the data no longer makes can be
removed (only one listed there: nothing this tool did not write is ever deleted).

Importing this module imports no third-party library: a single render claims its root before pandas is imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path, PurePath

from cluster_profiles import paths
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import write_files_atomically
from cluster_profiles.names import shorten, slug

SITE_FILE = ".cluster-profiles-site.json"  # {"data_dir": the folder's absolute path, "pages": [relpaths]}


class SiteRootError(ClusterProfilesError):
    """A reports folder that holds the pages of another data folder, or whose site file cannot be read."""


def data_folder_of(data_dir: str | Path | None) -> Path:
    """The data folder a render reads, absolute: the one given, or the shipped ``data/``."""
    return Path(data_dir).resolve() if data_dir and str(data_dir) else paths.DATA_DIR.resolve()


def default_reports_dir(data_dir: str | Path | None) -> Path:
    """Where a data folder's pages go when no reports folder is given: ``reports/`` for the shipped data,
    ``reports-<slug of the folder's name>/`` beside it for any other (a name without a letter or a digit:
    ``reports-data-<hash of its path>``)."""
    folder = data_folder_of(data_dir)
    if folder == paths.DATA_DIR.resolve():
        return paths.REPORTS_DIR
    try:
        label = slug(folder.name)
    except ClusterProfilesError:  # no letter or digit in the name
        label = f"data-{hashlib.sha256(str(folder).encode()).hexdigest()[:8]}"
    return paths.REPORTS_DIR.with_name(f"reports-{label}")


def _read(reports_dir: Path) -> dict | None:
    site = Path(reports_dir) / SITE_FILE
    if not site.is_file():
        return None
    try:
        record = json.loads(site.read_text(encoding="utf-8"))
        if not isinstance(record["data_dir"], str) or not all(isinstance(p, str) for p in record["pages"]):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise SiteRootError(f"{shorten(str(site), 120)}: not a site file this tool can read (a JSON object with "
                            "'data_dir' and 'pages'); remove it, or choose another reports folder") from None
    return record


def _write(reports_dir: Path, data_dir: Path, pages: Iterable[str]) -> None:
    record = {"written_by": "cluster-profiles", "data_dir": str(data_dir), "pages": sorted(set(pages))}
    write_files_atomically({Path(reports_dir) / SITE_FILE: json.dumps(record, ensure_ascii=False, indent=1) + "\n"})


def claim(reports_dir: Path, data_dir: str | Path | None) -> None:
    """Refuse (one line naming both folders) a ``reports_dir`` that is another data folder's site. A folder
    without a site file (new, or from before sites were recorded) can be this one's: the site file is written
    with the first page (``record_pages``), so a render that fails writes nothing. The project's own ``reports/``
    holding pages without a site file is the shipped data's (rendered before sites were recorded)."""
    folder = data_folder_of(data_dir)
    record = _read(reports_dir)
    owner = record["data_dir"] if record is not None else None
    if owner is None and Path(reports_dir).resolve() == paths.REPORTS_DIR.resolve() \
            and any(Path(reports_dir).glob("*/*.html")):
        owner = str(paths.DATA_DIR.resolve())  # the project's reports/, rendered before sites were recorded
    if owner is not None and owner != str(folder):
        raise SiteRootError(
            f"--reports-dir {shorten(str(reports_dir), 120)} holds the pages of the data folder "
            f"{shorten(owner, 120)}, not of {shorten(str(folder), 120)}: give another --reports-dir "
            "for this data folder (or remove that one first)")


def site_data_dir(reports_dir: Path) -> str | None:
    """The data folder whose site ``reports_dir`` is, as recorded; None when nothing is recorded."""
    record = _read(reports_dir)
    return None if record is None else record["data_dir"]


def written_pages(reports_dir: Path) -> set[str]:
    """The pages (relative paths) this tool recorded writing in ``reports_dir``."""
    record = _read(reports_dir)
    return set() if record is None else set(record["pages"])


def record_pages(reports_dir: Path, data_dir: str | Path | None, relpaths: Iterable[PurePath | str]) -> None:
    """Add pages to the site file's list (after they were written); the file is written, naming the data folder,
    also when there is none to add and it does not exist yet."""
    added = {PurePath(p).as_posix() for p in relpaths}
    record = _read(reports_dir)
    known = set() if record is None else set(record["pages"])
    if record is None or not added <= known:
        _write(reports_dir, data_folder_of(data_dir), known | added)


# the files a render writes beside a page (its name with another ending), removed with it
PAGE_COMPANIONS = (".ipynb", ".zip", ".pdf")


def remove_pages(reports_dir: Path, data_dir: str | Path | None, relpaths: Iterable[str]) -> list[str]:
    """Remove pages this tool wrote (those the site file lists, and only those) with what was written beside each:
    the executed notebook, the data download, the PDF, the fingerprint, a failed run's notebook. Returns the
    pages removed."""
    root = Path(reports_dir).resolve()
    known = written_pages(root)
    removed = []
    for relpath in sorted(set(relpaths) & known):
        try:
            html = paths.under(root, relpath)
        except paths.OutsideReportsError:  # a site file edited by hand: never followed out of the root
            continue
        for path in (html, *(html.with_suffix(s) for s in PAGE_COMPANIONS), paths.fingerprint_path(html),
                     paths.failed_notebook_path(html)):
            if path.is_file() and not path.is_symlink():
                path.unlink()
        removed.append(relpath)
    if removed:
        _write(root, data_folder_of(data_dir), known - set(removed))
    return removed
