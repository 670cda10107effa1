"""One report from the command line: a rerun in about the time its kernel takes to start.

A fresh render pays for two independent things: the kernel (a process that imports pandas, seaborn
and matplotlib) and this command's own imports (papermill, nbconvert, pandas, pandera) and checks.
When the data folder is one this code has already validated (same bytes, same package: a stamp in
the reports folder says so, with the cluster names of each edition), every check needs neither pandas
nor a kernel: the parameters, the edition and the cluster name are checked here, then the kernel
starts and boots on another core while this process imports papermill and nbconvert. Otherwise the
data is validated here first, as ``render_report`` does, and the stamp written once the report is. Either way bad input
fails before any kernel starts, with nothing written.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from cluster_profiles import paths
from cluster_profiles.errors import UnknownEditionError
from cluster_profiles.names import resolve_cluster
from cluster_profiles.runner.kernels import early_kernel

if TYPE_CHECKING:
    from cluster_profiles.runner.render import RenderedReport

STAMP_NAME = ".validated-data.json"  # in the reports folder, beside the reports' own input fingerprints


def data_digest(data_dir: Path) -> str:
    """Hash of a data folder's files and of the package that validates them."""
    digest = hashlib.sha256()
    package = sorted(p for p in paths.PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)
    files = sorted(p for p in data_dir.iterdir() if p.is_file()) if data_dir.is_dir() else []
    for path in [*package, *files]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.narrate.profile import clusters_of_edition

    tables = load_tables(data_dir or None)
    return {str(year): clusters_of_edition(tables, year) for year in tables.edition_list()}


def _write_stamp(reports_dir: Path, data_dir: Path, digest: str, names: dict[str, list[str]]) -> None:
    from cluster_profiles.files import write_files_atomically

    stamp = {"data_dir": str(data_dir), "digest": digest, "names_by_edition": names}
    write_files_atomically({reports_dir / STAMP_NAME: json.dumps(stamp, ensure_ascii=False, indent=1) + "\n"})


def render_one(parameters: dict[str, object], reports_dir: Path | None = None) -> RenderedReport:
    """Render one profile (the ``cluster-profiles render`` command)."""
    from cluster_profiles.files import check_reports_dir
    from cluster_profiles.pages.parameters import validate_parameters

    reports_dir = check_reports_dir(Path(reports_dir or paths.REPORTS_DIR).resolve())  # before any kernel starts
    checked = validate_parameters(**parameters)
    resolved = Path(checked.data_dir).resolve() if checked.data_dir else paths.DATA_DIR
    digest = data_digest(resolved)
    stamped = _read_stamp(reports_dir, resolved, digest)
    names = stamped or _validate_here(checked.data_dir)
    by_edition = {int(year): list(clusters) for year, clusters in names.items()}
    if checked.edition not in by_edition:
        raise UnknownEditionError.for_edition(checked.edition, sorted(by_edition))
    cluster = resolve_cluster(checked.cluster, by_edition[checked.edition], checked.edition, by_edition)
    notebook = paths.PROFILE_NOTEBOOK
    with early_kernel(notebook.parent) as manager:
        # while the kernel boots and imports the package in it: papermill, nbconvert, the exporter
        from cluster_profiles.runner.render import check_notebook_parameters, render_checked_report, warm_up_export

        check_notebook_parameters(notebook, dict(parameters))
        warm_up_export()
        result = render_checked_report(cluster, checked.edition, checked.data_dir, reports_dir=reports_dir,
                                       notebook=notebook, kernel_manager=manager)
    if stamped is None:  # written only beside a report that rendered: bad input writes nothing
        _write_stamp(reports_dir, resolved, digest, names)
    return result

