"""Execute a notebook with papermill, export it to HTML with nbconvert, write both atomically.

A render either replaces the previous page completely or leaves it untouched: outputs are written to
temporary files in the target folder and moved into place only when both are ready. This module knows
notebooks and files, not clusters: ``render`` decides what to run and where it goes.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import nbformat
import papermill
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_hook
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from cluster_profiles import paths
from cluster_profiles.errors import ParameterError, RenderError
from cluster_profiles.files import kernel_dir, write_files_atomically
from cluster_profiles.runner.kernels import KEPT_CLIENTS, new_kernel_manager, shutdown_kernel

NOTEBOOK_ONLY_TAG = "notebook-only"  # cells for JupyterLab users (instructions), dropped from reports


class WarmKernelClient(PapermillNotebookClient):
    """papermill's notebook client, connecting once to a kernel it is given (``kernels.KEPT_CLIENTS``): the
    pages a batch worker runs in its warm kernel share one connection, ready from the first page on."""

    async def async_start_new_kernel_client(self):
        client = KEPT_CLIENTS.get(self.km)
        if client is None or not client.channels_running:
            client = await super().async_start_new_kernel_client()
            KEPT_CLIENTS[self.km] = client
            return client
        self.kc = client
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return client

    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class KeepExecutedEngine(NBClientEngine):
    """papermill's default engine, keeping the notebook it executed and the kernel's client.

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

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        # papermill's NBClientEngine.execute_managed_notebook (papermill 2.7), with WarmKernelClient in place of
        # PapermillNotebookClient
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file)
        return WarmKernelClient(nb_man, **final_kwargs).execute()


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


def export_html(notebook: nbformat.NotebookNode, title: str, name: str | None = None) -> str:
    """The page's HTML; ``name`` is the page's file name without its ending, as nbconvert names a notebook (the
    template links files named after the page: a profile's data zip)."""
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = html_exporter().from_notebook_node(notebook, resources={"metadata": {"name": name or title}})
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
    html = export_html(executed, title, html_path.stem)
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
