"""Render one page of any notebook kind: check its parameters, prepare them against the data, execute.

``render`` is the one path from checked parameters to a written page; the batch workers call it with
their warm kernel, ``page.render_page`` with a kernel started early. It reads like papermill's
``execute_notebook``: parameters checked → prepared against the data → where the page goes → executed
and exported (``execute.execute_to_files``) → written atomically with the fingerprint of its inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cluster_profiles import fingerprints, paths
from cluster_profiles.errors import RenderError
from cluster_profiles.files import check_reports_dir
from cluster_profiles.runner.execute import check_notebook_parameters, execute_to_files
from cluster_profiles.runner.kinds import NotebookSpec, computed_folder_title


def data_folder(data_dir: str) -> Path:
    """The data folder a page reads: the one given, made absolute, or the shipped ``data/``."""
    return paths.checked_path(data_dir, "--data-dir", "folder") if data_dir else paths.DATA_DIR


def single_render_fingerprint(checked: BaseModel, notebook: Path) -> str:
    """What a page rendered on its own was made from (``render-all`` recognises it: ``batch.plan_kind``)."""
    return fingerprints.single_render_fingerprint(checked.model_dump_json(exclude=set(fingerprints.FOLDER_PARAMETERS)),
                                                  data_folder(getattr(checked, "data_dir", "") or ""), notebook)


def render(spec: NotebookSpec, parameters: dict[str, object] | BaseModel, *, reports_dir: Path | None = None,
           notebook: Path | None = None, kernel_manager=None, fingerprint: str | None = None,
           prepared: bool = False) -> tuple[Path, Any]:
    """Render one page of a notebook kind; return where it went and the checked parameters.

    Everything that can be checked before a kernel starts (parameter names and types, the data
    folder, names in the data) is checked first, so bad input fails fast. A ``kernel_manager``
    whose kernel is already running is reused (batch renders); ``fingerprint``, if given, is
    written beside the page so that an unchanged page is not rendered again. ``prepared``: the
    parameters are a model already checked against the data, names canonical (``page.render_page``
    does that from its stamp, without pandas): the tables are not loaded here.
    """
    notebook = notebook or spec.notebook
    reports_dir = Path(reports_dir or paths.REPORTS_DIR)
    if not isinstance(parameters, BaseModel):
        check_notebook_parameters(notebook, dict(parameters))
    checked = spec.check(parameters)
    if not prepared:
        tables = None
        if spec.data_folder:
            # pandas and pandera: imported only when a page needs its tables loaded here
            from cluster_profiles.contract.load import load_tables

            tables = load_tables(checked.data_dir or None)
        checked = spec.prepare(tables, checked)
    check_reports_dir(reports_dir)  # a file, or read-only: refused before a kernel starts
    if fingerprint is None and spec.data_folder:  # every render says what it was made from, so render-all knows
        # whether it is current (a kind without a data folder is not made by render-all: no fingerprint)
        fingerprint = single_render_fingerprint(checked, notebook)
    try:
        html_path = spec.page(reports_dir, checked)
    except paths.OutsideReportsError as error:
        raise RenderError(str(error)) from None
    run_parameters = checked.model_dump()
    if run_parameters.get("data_dir"):  # the kernel runs in notebooks/: pass the folder absolute
        run_parameters["data_dir"] = str(Path(run_parameters["data_dir"]).resolve())
    if "reports_dir" in run_parameters:  # pages that link other pages find them here
        run_parameters["reports_dir"] = str(reports_dir.resolve())
    if "page_dir" in run_parameters:  # links are relative to where the page is written
        run_parameters["page_dir"] = str(html_path.parent)
    title = spec.title(checked, computed_folder_title(checked.data_dir) if spec.data_folder else None)
    execute_to_files(notebook, run_parameters, html_path, title, what=spec.label(checked),
                     kernel_manager=kernel_manager, fingerprint=fingerprint)
    return html_path, checked
