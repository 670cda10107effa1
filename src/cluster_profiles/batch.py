"""Render many reports in parallel, incrementally, each worker reusing one warm kernel.

Each worker process starts one Jupyter kernel and runs every report it is given in that kernel
through papermill's Python API (no command-line process per report), so the kernel start and the
imports of pandas, seaborn and matplotlib are paid once per worker instead of once per report. A
report whose inputs (its data rows, the notebook, the package code) are unchanged is skipped.
``bench/bench_batch.py`` checks that the outputs equal the one-CLI-call-per-report way.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import multiprocessing.util
import os
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from . import paths
from .economies import primary_economy
from .errors import ClusterProfilesError
from .schema import TABLES, TableSpec
from .validate import Tables

_WORKER_KERNEL = None  # the warm kernel manager of this worker process
_WORKER_SOCKETS = None  # the temporary folder holding its IPC sockets


@dataclass(frozen=True)
class Task:
    cluster: str  # empty for an edition overview
    edition: int
    fingerprint: str
    kind: str = "profile"  # "profile" or "overview"

    @property
    def label(self) -> str:
        return f"{self.cluster} (GII {self.edition})" if self.kind == "profile" else f"GII {self.edition} overview"


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
    pieces = []
    for spec in TABLES.values():
        rows = rows_in_scope(tables, spec, edition, cluster)
        if rows is not None:
            pieces.append(f"## {spec.file_name}\n{rows.to_csv(index=False)}")
    return "\n".join(pieces)


def plan(tables: Tables, editions: list[int] | None = None, economy: str | None = None,
         code_hash: str | None = None) -> list[Task]:
    """Every (cluster, edition) to render, in ranking order, with the fingerprint of its inputs."""
    code_hash = code_hash or code_fingerprint()
    clusters = tables.clusters
    if editions:
        clusters = clusters[clusters["edition"].isin(editions)]
    if economy:
        wanted = economy.upper()
        clusters = clusters[[primary_economy(code) == wanted or wanted in code.split("/")
                             for code in clusters["economy"]]]
    clusters = clusters.sort_values(["edition", "size_rank", "cluster"], na_position="last")
    tasks = []
    for row in clusters.itertuples():
        edition = int(row.edition)
        digest = hashlib.sha256((code_hash + str(tables.data_dir) + report_inputs(tables, row.cluster, edition)).encode())
        tasks.append(Task(row.cluster, edition, digest.hexdigest()))
    return tasks


def plan_overviews(tables: Tables, editions: list[int], reports_dir: Path, code_hash: str | None = None) -> list[Task]:
    """One overview per edition; its inputs include which cluster reports exist (it links them)."""
    code_hash = code_hash or code_fingerprint(paths.OVERVIEW_NOTEBOOK)
    tasks = []
    for edition in editions:
        linked = sorted(p.name for p in (reports_dir / str(edition)).glob("*.html"))
        digest = hashlib.sha256("\n".join([code_hash, str(tables.data_dir), report_inputs(tables, None, edition),
                                            *linked]).encode())
        tasks.append(Task("", edition, digest.hexdigest(), kind="overview"))
    return tasks


def output_path(task: Task, reports_dir: Path) -> Path:
    if task.kind == "overview":
        return paths.overview_path(reports_dir, task.edition)
    return paths.report_path(reports_dir, task.edition, task.cluster)


def is_current(task: Task, reports_dir: Path) -> bool:
    html = output_path(task, reports_dir)
    marker = paths.fingerprint_path(html)
    return html.is_file() and marker.is_file() and marker.read_text(encoding="utf-8").strip() == task.fingerprint


def _shutdown_worker_kernel() -> None:
    global _WORKER_KERNEL, _WORKER_SOCKETS
    from .render import shutdown_kernel

    if _WORKER_KERNEL is not None:
        # the kernel is being discarded: if it is already dead, that is what we want
        with contextlib.suppress(Exception):
            shutdown_kernel(_WORKER_KERNEL)
        _WORKER_KERNEL = None
    if _WORKER_SOCKETS is not None:
        _WORKER_SOCKETS.cleanup()
        _WORKER_SOCKETS = None


def _warm_kernel():
    """This worker's kernel manager, started on first use, restarted if its kernel died."""
    global _WORKER_KERNEL, _WORKER_SOCKETS
    import tempfile

    from jupyter_core.utils import run_sync

    from .render import new_kernel_manager

    if _WORKER_KERNEL is not None and _WORKER_KERNEL.has_kernel and not run_sync(_WORKER_KERNEL.is_alive)():
        _shutdown_worker_kernel()
    if _WORKER_KERNEL is None:
        _WORKER_SOCKETS = tempfile.TemporaryDirectory(prefix="cluster-profiles-kernel-")
        _WORKER_KERNEL = new_kernel_manager(_WORKER_SOCKETS.name)
        # multiprocessing workers exit without running atexit hooks; Finalize runs on their exit
        multiprocessing.util.Finalize(None, _shutdown_worker_kernel, exitpriority=10)
    return _WORKER_KERNEL


def render_task(task: Task, reports_dir: str, data_dir: str, reuse_kernel: bool = True) -> tuple[str, str]:
    """Run in a worker: render one report; return ("ok", path) or ("failed", reason)."""
    from .render import render_overview, render_report

    try:
        kernel = _warm_kernel() if reuse_kernel else None
        if task.kind == "overview":
            path = render_overview(task.edition, data_dir=data_dir, reports_dir=Path(reports_dir),
                                   kernel_manager=kernel, fingerprint=task.fingerprint)
            return "ok", str(path)
        result = render_report({"cluster": task.cluster, "edition": task.edition, "data_dir": data_dir},
                               reports_dir=Path(reports_dir), fingerprint=task.fingerprint, kernel_manager=kernel)
        return "ok", str(result.html_path)
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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
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
    """Every chosen profile, then each edition's overview, then the index; one summary for all."""
    from .site import build_index

    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    chosen = editions or tables.edition_list()
    result = render_many(plan(tables, chosen, economy), reports_dir, data_dir, jobs, force, progress)
    overviews = render_many(plan_overviews(tables, chosen, reports_dir), reports_dir, data_dir, jobs, force, progress)
    result.rendered += overviews.rendered
    result.skipped += overviews.skipped
    result.failed += overviews.failed
    build_index(tables, reports_dir)
    return result


def summary(result: BatchResult) -> str:
    lines = [f"{len(result.rendered)} rendered, {len(result.skipped)} up to date, {len(result.failed)} failed"]
    for task, reason in result.failed:
        first = reason.strip().splitlines()[0] if reason.strip() else "unknown error"
        lines.append(f"  FAILED {task.label}: {first}")
    return "\n".join(lines)


