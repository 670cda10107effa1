"""One page from the command line, of any notebook kind: every check first, then a kernel started early.

A fresh render pays for two independent things: the kernel (a process that imports pandas, seaborn
and matplotlib) and this command's own imports (papermill, nbconvert, pandas, pandera) and checks.
``render_page`` checks everything that can fail (parameters, the data folder, names in the data, the
reports folder) before the kernel starts, then starts it and lets it boot on another core while this
process imports papermill and nbconvert; bad input fails before any kernel starts, with nothing written.

A kind that needs only the cluster names of a data folder to prepare its parameters (the profile:
``NotebookSpec.prepare_names``) does not even need pandas when the folder is one this code has already
validated: a stamp in the reports folder records, for those exact bytes and this package, the cluster
names of each edition. Otherwise the data is validated here first, and the stamp written once the page is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cluster_profiles import fingerprints, paths
from cluster_profiles.files import check_reports_dir, write_files_atomically
from cluster_profiles.names import also_named_note
from cluster_profiles.runner import roots
from cluster_profiles.runner.downloads import KINDS_WITH_DOWNLOAD, PageData
from cluster_profiles.runner.kernels import early_kernel
from cluster_profiles.runner.kinds import NotebookSpec

STAMP_NAME = ".validated-data.json"  # in the reports folder, beside the pages' own input fingerprints


def _read_stamp(reports_dir: Path, data_dir: Path, digest: str) -> dict[str, list[str]] | None:
    """The cluster names by edition recorded when this exact data folder validated, if it did."""
    try:
        stamp = json.loads((reports_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("data_dir") != str(data_dir) or stamp.get("digest") != digest:
        return None
    names = stamp.get("names_by_edition")
    return names if isinstance(names, dict) else None


def _validate_here(data_dir: str) -> dict[str, list[str]]:
    """Validate the data in this process (pandas, pandera); the cluster names of each edition."""
    # pandas and pandera: only when the stamp does not answer
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.narrate.profile import clusters_of_edition

    tables = load_tables(data_dir or None)
    return {str(year): clusters_of_edition(tables, year) for year in tables.edition_list()}


def _write_stamp(reports_dir: Path, data_dir: Path, digest: str, names: dict[str, list[str]]) -> None:
    stamp = {"data_dir": str(data_dir), "digest": digest, "names_by_edition": names}
    write_files_atomically({reports_dir / STAMP_NAME: json.dumps(stamp, ensure_ascii=False, indent=1) + "\n"})


def render_page(spec: NotebookSpec, values: dict[str, object], reports_dir: Path | None = None) -> Path:
    """Render one page of ``spec`` with the parameters ``values``; return where it went."""
    from cluster_profiles.runner.render import data_folder  # papermill, nbconvert: see below

    checked: Any = spec.check(values)
    data_dir = str(getattr(checked, "data_dir", "") or "")
    # a data folder's pages go to its own site unless a reports folder is given (runner.roots)
    reports_dir = paths.checked_path(reports_dir or (roots.default_reports_dir(data_dir) if spec.data_folder
                                                     else paths.REPORTS_DIR), "--reports-dir", "folder")
    stamp = None
    tables = None
    if spec.data_folder and spec.prepare_names is not None:
        folder = data_folder(checked.data_dir or "")
        digest = fingerprints.data_folder_digest(folder)
        names = _read_stamp(reports_dir, folder, digest)
        if names is None:
            names = _validate_here(checked.data_dir or "")
            stamp = (folder, digest, names)  # written only beside a page that rendered
        checked = spec.prepare_names(checked, {int(year): list(clusters) for year, clusters in names.items()})
        typed = values.get("cluster")
        if isinstance(typed, str):  # a city of another cluster too: say so, and how to get that one
            note = also_named_note(typed, list(names.get(str(checked.edition), [])))
            if note:
                print(note, file=sys.stderr)
    elif spec.data_folder:
        from cluster_profiles.contract.load import load_tables  # pandas and pandera

        tables = load_tables(checked.data_dir or None)
        checked = spec.prepare(tables, checked)
    else:
        checked = spec.prepare(None, checked)
    check_reports_dir(reports_dir)  # a file, or read-only: refused before a kernel starts, created if missing
    if spec.data_folder:  # another data folder's site: refused before a kernel starts
        roots.claim(reports_dir, data_folder(checked.data_dir or ""))
    with early_kernel(spec.notebook.parent) as manager:
        # while the kernel boots and imports the package in it: papermill, nbconvert, the exporter
        from cluster_profiles.runner.execute import check_notebook_parameters, warm_up_export
        from cluster_profiles.runner.render import render  # papermill and nbconvert, imported while the kernel boots

        check_notebook_parameters(spec.notebook, dict(values))
        warm_up_export()
        html_path, checked = render(spec, checked, reports_dir=reports_dir, kernel_manager=manager, prepared=True)
    if stamp is not None:
        _write_stamp(reports_dir, *stamp)
    if spec.data_folder:
        folder = data_folder(checked.data_dir or "")
        if spec.kind in KINDS_WITH_DOWNLOAD:
            PageData(folder).write_profile_zip(html_path, checked.cluster, checked.edition)
        roots.record_pages(reports_dir, folder, [html_path.relative_to(reports_dir)])
    if spec.updates_index and paths.index_path(reports_dir).is_file():
        # the index lists the pages of this kind that exist: add this one (pandas, Jinja: only then)
        from cluster_profiles.contract.load import load_tables
        from cluster_profiles.runner.site import build_index

        build_index(tables if tables is not None else load_tables(checked.data_dir or None), reports_dir)
    return html_path
