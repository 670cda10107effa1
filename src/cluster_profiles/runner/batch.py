"""Render many reports in parallel, incrementally, each worker reusing one warm kernel.

Each worker process starts one Jupyter kernel and runs every report it is given in that kernel
through papermill's Python API (no command-line process per report), so the kernel start and the
imports of pandas, seaborn and matplotlib are paid once per worker instead of once per report. A
report whose inputs (its data rows, the notebook, the package code) are unchanged is skipped.
``bench/bench_batch.py`` checks that the outputs equal the one-CLI-call-per-report way.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import multiprocessing
import multiprocessing.util
import os
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from tqdm import tqdm

from cluster_profiles import paths
from cluster_profiles.contract.schema import TABLES, TableSpec
from cluster_profiles.contract.validate import Tables
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import kernel_dir
from cluster_profiles.runner.kinds import NOTEBOOKS, OVERVIEW, PROFILE, NotebookSpec

_WORKER_KERNEL = None  # the warm kernel manager of this worker process
_WORKER_SOCKETS = None  # the temporary folder holding its IPC sockets


@dataclass(frozen=True, eq=False)
class Task:
    """One page to render: a notebook kind (see ``notebook_kinds.NOTEBOOKS``) and its parameters."""

    kind: str
    parameters: BaseModel
    fingerprint: str

    def _key(self) -> tuple[str, str, str]:
        return self.kind, self.parameters.model_dump_json(), self.fingerprint

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and self._key() == other._key()

    def __hash__(self) -> int:  # parameters may hold lists (a comparison's clusters)
        return hash(self._key())

    @property
    def spec(self) -> NotebookSpec:
        return NOTEBOOKS[self.kind]

    @property
    def label(self) -> str:
        return self.spec.label(self.parameters)

    @property
    def cluster(self) -> str:
        return str(getattr(self.parameters, "cluster", ""))

    @property
    def edition(self) -> int:
        return int(getattr(self.parameters, "edition", 0))


@dataclass
class BatchResult:
    rendered: list[Task] = field(default_factory=list)
    skipped: list[Task] = field(default_factory=list)
    failed: list[tuple[Task, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def notebook_fingerprint(notebook: Path) -> str:
    """Hash of what a render takes from a notebook: each cell's type, tags and source, in order.

    Not its metadata, outputs or execution counts: opening or running a notebook in JupyterLab
    rewrites those, and must not make every report stale.
    """
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    digest = hashlib.sha256()
    for cell in cells:
        source = cell.get("source", "")
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        digest.update(json.dumps([cell.get("cell_type"), tags,
                                  "".join(source) if isinstance(source, list) else source]).encode())
    return digest.hexdigest()


def code_fingerprint(notebook: Path = paths.PROFILE_NOTEBOOK) -> str:
    """Hash of everything a report's rendering depends on besides data: the package and the notebook's cells."""
    digest = hashlib.sha256()
    files = sorted(p for p in paths.PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(paths.REPO_ROOT) if paths.REPO_ROOT in path.parents else path).encode())
        digest.update(path.read_bytes())
    digest.update(notebook_fingerprint(notebook).encode())
    return digest.hexdigest()


def rows_in_scope(tables: Tables, spec: TableSpec, edition: int, cluster: str | None = None) -> pd.DataFrame | None:
    """The rows of a table that a page about ``edition`` (and ``cluster``) can read, by the table's
    scope; None for cluster-scoped tables when the page is about no single cluster."""
    frame = tables.frame(spec.name)
    if spec.scope == "reference":
        return frame
    if spec.scope == "edition":
        return frame[frame["edition"].isin([edition, edition - 1])]
    if cluster is None:
        return None
    mine = frame["cluster"] == cluster
    if "edition" in frame.columns:
        mine &= frame["edition"] == edition
    return frame[mine]


def report_inputs(tables: Tables, cluster: str | None, edition: int) -> str:
    """The data rows a page can read, as text, table by table (see ``schema.SCOPES``)."""
    rows = _PLAN_ROWS.get()
    pieces = []
    for spec in TABLES.values():
        if rows is not None and rows.tables is tables:
            text = rows.csv(spec, edition, cluster)
        else:
            selected = rows_in_scope(tables, spec, edition, cluster)
            text = None if selected is None else selected.to_csv(index=False, lineterminator="\n")
        if text is not None:
            pieces.append(f"## {spec.file_name}\n{text}")
    return "\n".join(pieces)


class _RowsByScope:
    """``report_inputs`` for many pages of one ``Tables``: each table is written as CSV once, and a page's
    text is the header and its rows' lines, picked by the table's scope; the same text as writing
    ``rows_in_scope`` for each page (which a plan of every page would do once per page and table)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._lines: dict[str, tuple[str, list[str]] | None] = {}
        self._groups: dict[str, dict[object, Any]] = {}
        self._texts: dict[tuple[str, int, str | None], str | None] = {}

    def csv(self, spec: TableSpec, edition: int, cluster: str | None) -> str | None:
        key = (spec.name, edition, cluster if spec.scope == "cluster" else None)
        if key not in self._texts:
            self._texts[key] = self._csv(spec, edition, cluster)
        return self._texts[key]

    def _csv(self, spec: TableSpec, edition: int, cluster: str | None) -> str | None:
        if spec.scope == "cluster" and cluster is None:
            return None
        if spec.name not in self._lines:
            text = self.tables.frame(spec.name).to_csv(index=False, lineterminator="\n")
            lines = text.split("\n")  # the header, one line per row, and "" after the last newline
            frame_rows = len(self.tables.frame(spec.name))
            self._lines[spec.name] = (lines[0], lines[1:-1]) if len(lines) == frame_rows + 2 else None
        written = self._lines[spec.name]
        if written is None:  # a value holds a line break: the rows are not one line each
            rows = rows_in_scope(self.tables, spec, edition, cluster)
            return None if rows is None else rows.to_csv(index=False, lineterminator="\n")
        header, lines = written
        if spec.scope == "reference":
            return "\n".join([header, *lines, ""])
        frame = self.tables.frame(spec.name)
        if spec.scope == "edition":
            positions = np.flatnonzero(frame["edition"].isin([edition, edition - 1]).to_numpy(dtype=bool, na_value=False))
        else:
            if spec.name not in self._groups:
                keys = ["cluster", "edition"] if "edition" in frame.columns else ["cluster"]
                self._groups[spec.name] = frame.groupby(keys, sort=False).indices
            group = (cluster, edition) if "edition" in frame.columns else cluster
            positions = self._groups[spec.name].get(group, np.array([], dtype=int))
        return "\n".join([header, *(lines[i] for i in positions), ""])


_PLAN_ROWS: contextvars.ContextVar[_RowsByScope | None] = contextvars.ContextVar("_PLAN_ROWS", default=None)


def plan_kind(spec: NotebookSpec, tables: Tables, editions: list[int] | None = None, economy: str | None = None,
              reports_dir: Path | None = None, code_hash: str | None = None) -> list[Task]:
    """The pages of one kind that ``render-all`` makes, each with the fingerprint of its inputs."""
    code_hash = code_hash or code_fingerprint(spec.notebook)
    reports_dir = Path(reports_dir or paths.REPORTS_DIR)
    tasks = []
    token = _PLAN_ROWS.set(_RowsByScope(tables))  # pages share tables: each is written as CSV once
    try:
        for parameters in spec.instances(tables, list(editions or []), economy):
            inputs = spec.inputs(tables, parameters, reports_dir)
            digest = hashlib.sha256("\n".join([code_hash, str(tables.data_dir), inputs]).encode())
            tasks.append(Task(spec.kind, parameters, digest.hexdigest()))
    finally:
        _PLAN_ROWS.reset(token)
    return tasks


def plan(tables: Tables, editions: list[int] | None = None, economy: str | None = None,
         code_hash: str | None = None) -> list[Task]:
    """Every (cluster, edition) profile to render, in ranking order."""
    return plan_kind(PROFILE, tables, editions, economy, code_hash=code_hash)


def plan_overviews(tables: Tables, editions: list[int], reports_dir: Path, code_hash: str | None = None) -> list[Task]:
    """One overview per edition; its inputs include which cluster reports exist (it links them)."""
    return plan_kind(OVERVIEW, tables, editions, reports_dir=reports_dir, code_hash=code_hash)


def output_path(task: Task, reports_dir: Path) -> Path:
    return task.spec.page(reports_dir, task.parameters)


def is_current(task: Task, reports_dir: Path) -> bool:
    html = output_path(task, reports_dir)
    marker = paths.fingerprint_path(html)
    executed = html.with_suffix(".ipynb")  # the executed notebook is part of the report: a lost one is rebuilt
    return (html.is_file() and executed.is_file() and marker.is_file()
            and marker.read_text(encoding="utf-8").strip() == task.fingerprint)


def _shutdown_worker_kernel() -> None:
    global _WORKER_KERNEL, _WORKER_SOCKETS
    from cluster_profiles.runner.render import shutdown_kernel

    if _WORKER_KERNEL is not None:
        # the kernel is being discarded: if it is already dead, that is what we want
        with contextlib.suppress(Exception):
            shutdown_kernel(_WORKER_KERNEL)
        _WORKER_KERNEL = None
    if _WORKER_SOCKETS is not None:
        _WORKER_SOCKETS.cleanup()
        _WORKER_SOCKETS = None


def _kill_worker_kernel() -> None:
    """SIGKILL this worker's kernel and its process group, without talking to it."""
    import signal

    provisioner = getattr(_WORKER_KERNEL, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    pgid = getattr(provisioner, "pgid", None)
    with contextlib.suppress(ProcessLookupError, PermissionError, TypeError):
        if pgid:
            os.killpg(pgid, signal.SIGKILL)
        elif pid:
            os.kill(pid, signal.SIGKILL)


def _die_with_parent() -> None:
    """Run first in each worker: when the parent dies (even by SIGKILL), the worker gets SIGTERM (Linux
    prctl PR_SET_PDEATHSIG), and on SIGTERM it shuts its kernel down and exits. The kernel itself also
    exits when its parent is gone (ipykernel polls its parent process)."""
    import signal
    import sys

    def stop(signum, frame):
        # No orderly shutdown here: it runs jupyter_client's async code inside a signal handler, which
        # can raise mid-render and leave the worker alive (seen in a clean CI-like run). Kill the
        # kernel's process group (jupyter_client starts it in a new session) and leave at once.
        _kill_worker_kernel()
        if _WORKER_SOCKETS is not None:
            with contextlib.suppress(Exception):
                _WORKER_SOCKETS.cleanup()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    if sys.platform.startswith("linux"):
        from cluster_profiles.runner.kernels import signal_when_parent_dies

        parent = multiprocessing.parent_process()
        if not signal_when_parent_dies(signal.SIGTERM, parent.pid if parent and parent.pid else os.getppid()):
            os.kill(os.getpid(), signal.SIGTERM)  # the parent died before that took effect


def _warm_kernel():
    """This worker's kernel manager, started on first use, restarted if its kernel died."""
    global _WORKER_KERNEL, _WORKER_SOCKETS

    from jupyter_core.utils import run_sync

    from cluster_profiles.runner.render import new_kernel_manager

    if _WORKER_KERNEL is not None and _WORKER_KERNEL.has_kernel and not run_sync(_WORKER_KERNEL.is_alive)():
        _shutdown_worker_kernel()
    if _WORKER_KERNEL is None:
        _WORKER_SOCKETS = kernel_dir()
        _WORKER_KERNEL = new_kernel_manager(_WORKER_SOCKETS.name)
        # multiprocessing workers exit without running atexit hooks; Finalize runs on their exit
        multiprocessing.util.Finalize(None, _shutdown_worker_kernel, exitpriority=10)
    return _WORKER_KERNEL


def render_task(task: Task, reports_dir: str, data_dir: str, reuse_kernel: bool = True) -> tuple[str, str]:
    """Run in a worker: render one page; return ("ok", path) or ("failed", reason)."""
    from cluster_profiles.runner.render import render

    try:
        kernel = _warm_kernel() if reuse_kernel else None
        parameters = task.parameters
        if "data_dir" in type(parameters).model_fields:
            parameters = parameters.model_copy(update={"data_dir": data_dir})
        path, _ = render(task.spec, parameters, reports_dir=Path(reports_dir), kernel_manager=kernel,
                         fingerprint=task.fingerprint)
        return "ok", str(path)
    except ClusterProfilesError as error:
        _shutdown_worker_kernel()  # a fresh kernel for the next report, after a failure
        return "failed", str(error)
    except Exception as error:  # noqa: BLE001 - one report's bug must not stop the batch
        _shutdown_worker_kernel()
        return "failed", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"


def render_many(tasks: list[Task], reports_dir: Path | None = None, data_dir: str = "", jobs: int | None = None,
                force: bool = False, progress: bool = True, reuse_kernel: bool = True) -> BatchResult:
    """Render ``tasks`` with ``jobs`` worker processes (one per core by default)."""
    reports_dir = Path(reports_dir or paths.REPORTS_DIR)
    result = BatchResult()
    todo: list[Task] = []
    for task in tasks:
        (result.skipped if not force and is_current(task, reports_dir) else todo).append(task)
    if not todo:
        return result
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    context = multiprocessing.get_context("spawn")  # no forked copies of a parent's kernel sockets
    bar = tqdm(total=len(todo), desc="Rendering", unit="report", disable=not progress)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_die_with_parent) as pool:
        futures = {pool.submit(render_task, task, str(reports_dir), data_dir, reuse_kernel): task for task in todo}
        for future in as_completed(futures):
            task = futures[future]
            try:
                status, detail = future.result()
            except Exception as error:  # noqa: BLE001 - a worker that died takes only its report down
                status, detail = "failed", f"worker failed: {type(error).__name__}: {error}"
            if status == "ok":
                result.rendered.append(task)
            else:
                result.failed.append((task, detail))
            bar.update()
    bar.close()
    order = {task: i for i, task in enumerate(tasks)}
    result.rendered.sort(key=lambda task: order[task])
    result.failed.sort(key=lambda item: order[item[0]])
    return result


def build_site(tables: Tables, reports_dir: Path | None = None, data_dir: str = "", editions: list[int] | None = None,
               economy: str | None = None, jobs: int | None = None, force: bool = False,
               progress: bool = True) -> BatchResult:
    """Every chosen page of each notebook kind, kind after kind (an overview links the profiles
    rendered before it), then the index; one summary for all."""
    from cluster_profiles.runner.site import build_index

    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    chosen = editions or tables.edition_list()
    result = BatchResult()
    for spec in NOTEBOOKS.values():
        tasks = plan_kind(spec, tables, chosen, economy, reports_dir)
        done = render_many(tasks, reports_dir, data_dir, jobs, force, progress)
        result.rendered += done.rendered
        result.skipped += done.skipped
        result.failed += done.failed
    build_index(tables, reports_dir)
    return result


def summary(result: BatchResult) -> str:
    lines = [f"{len(result.rendered)} rendered, {len(result.skipped)} up to date, {len(result.failed)} failed"]
    for task, reason in result.failed:
        reason_lines = reason.strip().splitlines() or ["unknown error"]
        lines.append(f"  FAILED {task.label}: {reason_lines[0]}")
        lines += [f"    {line.strip()}" for line in reason_lines[1:] if line.strip().startswith("executed notebook kept at:")]
    return "\n".join(lines)


