"""Execute the profile notebook with papermill, export it to HTML, write both atomically.

A render either replaces the previous report completely or leaves it untouched: outputs are
written to temporary files in the target folder and moved into place only when both are ready.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.engines import NBClientEngine, papermill_engines
from pydantic import BaseModel

from cluster_profiles import paths
from cluster_profiles.errors import ParameterError, RenderError
from cluster_profiles.files import check_reports_dir, kernel_dir, write_files_atomically
from cluster_profiles.pages.parameters import ReportParameters
from cluster_profiles.runner.kinds import FIND_CLUSTERS, OVERVIEW, PROFILE, NotebookSpec

NOTEBOOK_ONLY_TAG = "notebook-only"  # cells for JupyterLab users (instructions), dropped from reports


@dataclass(frozen=True)
class RenderedReport:
    cluster: str
    edition: int
    html_path: Path
    notebook_path: Path


def report_paths(reports_dir: Path, edition: int, cluster: str) -> tuple[Path, Path]:
    """Where a report goes (see ``paths.report_relpath``) and the executed ``.ipynb`` beside it."""
    try:
        html_path = paths.report_path(reports_dir, edition, cluster)
    except paths.OutsideReportsError as error:
        raise RenderError(str(error)) from None
    return html_path, paths.executed_notebook_path(html_path)


class KeepExecutedEngine(NBClientEngine):
    """papermill's default engine, keeping the notebook it executed.

    With no output path papermill drops the executed notebook when a cell fails; a failed render
    writes it beside the report instead, with the error in its cell, for debugging.
    """

    last_executed: nbformat.NotebookNode | None = None

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        cls.last_executed = None
        executed = super().execute_notebook(nb, kernel_name, **kwargs)
        cls.last_executed = executed
        return executed


ENGINE_NAME = "cluster-profiles"
papermill_engines.register(ENGINE_NAME, KeepExecutedEngine)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ARROW = re.compile(r"^-+>")  # IPython marks the line a frame was running: "---> 40" or "--> 123"
TRACEBACK_FRAMES = 3  # frames of a failed cell's traceback kept in the error: the deepest ones


def traceback_tail(traceback: list[str], frames: int = TRACEBACK_FRAMES) -> list[str]:
    """The last ``frames`` frames of an IPython traceback, without colours: each frame's location and
    the line it was running (marked ``---->`` by IPython), then the exception line."""
    blocks = [_ANSI.sub("", block).strip("\n") for block in traceback]
    blocks = [b for b in blocks if b.strip() and not set(b.strip()) <= {"-"}]
    if not blocks:
        return []
    *stack, last = blocks
    stack = [b for b in stack if not b.rstrip().endswith("Traceback (most recent call last)")]
    lines = []
    for block in stack[-frames:]:
        rows = block.splitlines()
        lines.append(rows[0].strip())
        lines += [row.strip() for row in rows[1:] if _ARROW.match(row.lstrip())]
    lines += last.splitlines()[-1:]
    return lines


def new_kernel_manager(socket_dir: str):
    """A kernel manager that talks to its kernel over Unix sockets in ``socket_dir``.

    IPC instead of TCP: nothing listens on a network port, and ipykernel does not warn about
    unencrypted TCP on every start. The caller owns ``socket_dir`` and removes it.
    """
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(kernel_name="python3", transport="ipc")
    manager.ip = os.path.join(socket_dir, "kernel")
    # the connection file holds the kernel's key: keep it in the same private folder, removed with it
    manager.connection_file = os.path.join(socket_dir, "kernel.json")
    return manager


def shutdown_kernel(manager) -> None:
    from jupyter_core.utils import run_sync

    if manager is not None and manager.has_kernel:
        run_sync(manager.shutdown_kernel)(now=True)


def check_notebook_parameters(notebook: Path, parameters: dict[str, object]) -> None:
    """papermill only warns about names the notebook does not declare: here that is an error."""
    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(f"Unknown parameter(s) {', '.join(map(repr, unknown))} for {notebook.name}; "
                             f"it declares: {', '.join(declared)}.")


@functools.lru_cache(maxsize=1)
def html_exporter() -> HTMLExporter:
    """One exporter per process: building it loads and compiles the templates (about 0.1 s)."""
    exporter = HTMLExporter(template_name=paths.HTML_TEMPLATE_NAME,
                            extra_template_basedirs=[str(paths.HTML_TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}), enabled=True)
    return exporter


def export_html(notebook: nbformat.NotebookNode, title: str) -> str:
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = html_exporter().from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


def warm_up_export() -> None:
    """Export a tiny notebook once: the first export in a process compiles the templates and loads
    the Markdown and HTML machinery. A render that waits for its kernel does this meanwhile."""
    cell = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": "<p>warm-up</p>", "text/plain": "warm-up"})])
    export_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# warm-up"), cell]), "warm-up")


INJECTED_CELL_ID = "injected-parameters"


def normalise_executed(notebook: nbformat.NotebookNode) -> None:
    """Make the executed notebook depend only on its inputs: papermill gives the injected-parameters
    cell a random id and records timestamps, and a reused kernel keeps counting executions; number
    code cells 1, 2, 3… as a fresh kernel would."""
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = INJECTED_CELL_ID
        cell.metadata.pop("execution", None)  # per-cell timestamps
        for key in ("start_time", "end_time", "duration", "status"):
            cell.metadata.get("papermill", {}).pop(key, None)
    for key in ("start_time", "end_time", "duration"):
        notebook.metadata.get("papermill", {}).pop(key, None)
    count = 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = count


def execute_to_files(notebook: Path, run_parameters: dict[str, object], html_path: Path, title: str, *,
                     what: str, kernel_manager=None, fingerprint: str | None = None) -> None:
    """papermill → nbconvert → the HTML page, the executed notebook (and the fingerprint) written atomically."""
    source = nbformat.read(notebook, as_version=4)
    html_exporter()  # built now, while a kernel started early may still be booting
    with kernel_dir() as socket_dir:
        manager = kernel_manager or new_kernel_manager(socket_dir)
        try:
            executed = papermill.execute_notebook(
                source, None, parameters=run_parameters, progress_bar=False, log_output=False,
                kernel_name="python3", cwd=str(notebook.parent), km=manager, engine_name=ENGINE_NAME,
            )
        except papermill.PapermillExecutionError as error:
            raise failed_render(error, what, html_path) from None
        except DeadKernelError:
            raise RenderError(f"The kernel died while rendering {what} (killed, or out of memory); "
                              "nothing was written.") from None
        finally:
            if kernel_manager is None:  # a kernel we started for this report alone
                shutdown_kernel(manager)
    normalise_executed(executed)
    html = export_html(executed, title)
    outputs = {paths.executed_notebook_path(html_path): nbformat.writes(executed) + "\n", html_path: html}
    marker = (paths.fingerprint_path(html_path), fingerprint + "\n") if fingerprint else None
    write_files_atomically(outputs, marker=marker)
    paths.failed_notebook_path(html_path).unlink(missing_ok=True)  # an earlier failure is fixed
    if not fingerprint:  # a fingerprint from an earlier batch would describe other inputs
        paths.fingerprint_path(html_path).unlink(missing_ok=True)


def failed_render(error: papermill.PapermillExecutionError, what: str, html_path: Path) -> RenderError:
    """The error for a failed cell: the cell, the last frames of its traceback, and the executed
    notebook written as ``<report>.failed.ipynb`` beside the report (not part of the atomic set:
    the previous good report stays as it was)."""
    executed = KeepExecutedEngine.last_executed
    failed_path = None
    if executed is not None:
        failed_path = paths.failed_notebook_path(html_path)
        write_files_atomically({failed_path: nbformat.writes(executed) + "\n"})
    frames = traceback_tail(list(error.traceback or []))
    first_line = (error.source or "").strip().splitlines()[0] if (error.source or "").strip() else ""
    lines = [f"The notebook failed for {what}: {error.ename}: {error.evalue}",
             f"  in cell {error.cell_index} (In [{error.exec_count}]): {first_line[:200]}"]
    if frames:
        lines += ["  last frames of its traceback:", *(f"    {line}" for line in frames)]
    if failed_path is not None:
        lines.append(f"  executed notebook kept at: {failed_path}")
    return RenderError("\n".join(lines), error.cell_index, error.source, tuple(frames),
                       None if failed_path is None else str(failed_path))


def single_render_fingerprint(what: str, data_dir: str, notebook: Path) -> str:
    """What a render outside ``render-all`` is made from, without pandas: the package and the data
    folder's path and every byte of its files (``single.data_digest``), the notebook and the page's
    parameters. It says more than ``render-all``'s per-row fingerprint, so ``render-all`` never takes
    such a page for current: a page rendered from other data or code is rebuilt, never kept."""
    import hashlib

    from cluster_profiles.runner.single import data_digest

    folder = Path(data_dir).resolve() if data_dir else paths.DATA_DIR
    digest = hashlib.sha256(f"single render\0{what}\0{folder}\0{data_digest(folder)}\0".encode())
    digest.update(notebook.read_bytes())
    return digest.hexdigest()


def render(spec: NotebookSpec, parameters: dict[str, object] | BaseModel, *, reports_dir: Path | None = None,
           notebook: Path | None = None, kernel_manager=None, fingerprint: str | None = None,
           prepared: bool = False) -> tuple[Path, Any]:
    """Render one page of a notebook kind; return where it went and the checked parameters.

    Everything that can be checked before a kernel starts (parameter names and types, the data
    folder, names in the data) is checked first, so bad input fails fast. A ``kernel_manager``
    whose kernel is already running is reused (batch renders); ``fingerprint``, if given, is
    written beside the page so that an unchanged page is not rendered again. ``prepared``: the
    parameters are a model already checked against the data, names canonical (``single.py`` does
    that from its stamp, without pandas): the tables are not loaded here.
    """
    notebook = notebook or spec.notebook
    reports_dir = Path(reports_dir or paths.REPORTS_DIR)
    if not isinstance(parameters, BaseModel):
        check_notebook_parameters(notebook, dict(parameters))
    checked = spec.check(parameters)
    if not prepared:
        tables = None
        if spec.data_folder:
            from cluster_profiles.contract.load import (
                load_tables,  # pandas and pandera: imported when needed (see single.py)
            )

            tables = load_tables(checked.data_dir or None)
        checked = spec.prepare(tables, checked)
    check_reports_dir(reports_dir)  # a file, or read-only: refused before a kernel starts
    if fingerprint is None and spec.data_folder:  # every render says what it was made from, so render-all knows
        # whether it is current (a kind without a data folder is not made by render-all: no fingerprint)
        fingerprint = single_render_fingerprint(checked.model_dump_json(), checked.data_dir or "", notebook)
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
    execute_to_files(notebook, run_parameters, html_path, spec.title(checked), what=spec.label(checked),
                     kernel_manager=kernel_manager, fingerprint=fingerprint)
    return html_path, checked


def render_overview(edition: int, *, data_dir: str = "", reports_dir: Path | None = None,
                    kernel_manager=None, fingerprint: str | None = None) -> Path:
    """Render the edition overview notebook to ``reports/overview-<edition>.html``."""
    html_path, _ = render(OVERVIEW, {"edition": edition, "data_dir": data_dir}, reports_dir=reports_dir,
                          kernel_manager=kernel_manager, fingerprint=fingerprint)
    return html_path


def render_report(parameters: dict[str, object] | ReportParameters, *,
                  reports_dir: Path | None = None, notebook: Path | None = None,
                  kernel_manager=None, fingerprint: str | None = None) -> RenderedReport:
    """Render one cluster profile to ``reports_dir`` and return where it went (see ``render``)."""
    html_path, checked = render(PROFILE, parameters, reports_dir=reports_dir, notebook=notebook,
                                kernel_manager=kernel_manager, fingerprint=fingerprint)
    return RenderedReport(checked.cluster, checked.edition, html_path, paths.executed_notebook_path(html_path))


def render_checked_report(cluster: str, edition: int, data_dir: str, *, reports_dir: Path,
                          notebook: Path | None = None, kernel_manager=None,
                          fingerprint: str | None = None) -> RenderedReport:
    """Render a profile whose parameters are checked and whose cluster name is the canonical one."""
    html_path, checked = render(PROFILE, ReportParameters(cluster=cluster, edition=edition, data_dir=data_dir),
                                reports_dir=reports_dir, notebook=notebook, kernel_manager=kernel_manager,
                                fingerprint=fingerprint, prepared=True)
    return RenderedReport(checked.cluster, checked.edition, html_path, paths.executed_notebook_path(html_path))


def render_find_clusters(records_dir: str | Path, *, settings_path: str | Path = "",
                         radius_km_values: list[float] | None = None, min_people_values: list[int] | None = None,
                         reports_dir: Path | None = None) -> Path:
    """Render ``notebooks/find_clusters.ipynb`` for a records folder to ``reports/found/<folder>.html``: the
    ``find-clusters`` kind through ``render``. The records and the settings are validated first (every problem
    at once), before a kernel starts."""
    parameters: dict[str, object] = {"records_dir": str(records_dir), "settings_path": str(settings_path)}
    if radius_km_values is not None:
        parameters["radius_km_values"] = [float(v) for v in radius_km_values]
    if min_people_values is not None:
        parameters["min_people_values"] = [int(v) for v in min_people_values]
    html_path, _ = render(FIND_CLUSTERS, parameters, reports_dir=reports_dir)
    return html_path
