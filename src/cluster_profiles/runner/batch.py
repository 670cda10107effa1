"""Render many reports in parallel, incrementally, each worker reusing one warm kernel.

Each worker process starts one Jupyter kernel and runs every report it is given in that kernel
through papermill's Python API (no command-line process per report), so the kernel start and the
imports of pandas, seaborn and matplotlib are paid once per worker instead of once per report. A
report whose inputs (its data rows, the notebook, the package code) are unchanged is skipped.
``bench/bench_batch.py`` checks that the outputs equal the one-CLI-call-per-report way.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from tqdm import tqdm

from cluster_profiles import fingerprints, paths
from cluster_profiles.contract.scope import rows_written_once
from cluster_profiles.contract.tables import Tables
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import write_files_atomically
from cluster_profiles.runner.downloads import KINDS_WITH_DOWNLOAD, PageData
from cluster_profiles.runner.kernels import shutdown_worker_kernel, worker_kernel
from cluster_profiles.runner.kinds import NOTEBOOKS, PROFILE, NotebookSpec
from cluster_profiles.runner.render import render
from cluster_profiles.runner.roots import data_folder_of
from cluster_profiles.runner.worker import start_worker


@dataclass(frozen=True, eq=False)
class Task:
    """One page to render: a notebook kind (see ``runner.kinds.NOTEBOOKS``) and its parameters."""

    kind: str
    parameters: BaseModel
    fingerprint: str
    # the fingerprint a single render (``render``, ``compare``) wrote beside this page, when it proves the same
    # inputs as ``fingerprint``: the same data bytes, code and parameters (see ``_single_render_of``)
    single_render: str = ""
    prepared: bool = False  # the parameters come from the tables (plan_kind): canonical, not checked again

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


BAR_LABELS = {"profile": "Profiles", "overview": "Overviews", "compare": "Comparisons"}


class PagesBar(tqdm):
    """A progress bar whose rate and time left count only the pages after the warm-up.

    Each worker's first page includes its kernel's start (seconds, against a fraction of a second for the
    next ones): until ``warm_after`` pages are done the bar shows no rate and no time left, then the pace
    is measured from the moment the warm-up ended (the elapsed time stays the whole run's).
    """

    WARMING_UP = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}, starting the kernels]"

    def __init__(self, *args: Any, warm_after: int = 1, **kwargs: Any) -> None:
        self.warm_after = warm_after
        self.warm: tuple[int, float] | None = None  # pages done and the time when the warm-up ended
        super().__init__(*args, bar_format=self.WARMING_UP, **kwargs)

    def update(self, n: float | None = 1) -> bool | None:
        if self.disable:
            return super().update(n)
        if self.warm is None and self.n + (n or 0) >= self.warm_after:
            self.warm = (int(self.n + (n or 0)), self._time())
        elif self.warm is not None and self.n + (n or 0) > self.warm[0]:
            self.bar_format = None  # tqdm's own, with the pace measured since the warm-up
        return super().update(n)

    @property
    def format_dict(self) -> dict[str, Any]:
        values = super().format_dict
        if self.warm is not None:
            done, since = values["n"] - self.warm[0], self._time() - self.warm[1]
            values["rate"] = done / since if done > 0 and since > 0 else None
        return values


def plan_kind(spec: NotebookSpec, tables: Tables, editions: list[int] | None = None, economy: str | None = None,
              reports_dir: Path | None = None, code_hash: str | None = None) -> list[Task]:
    """The pages of one kind that ``render-all`` makes, each with the fingerprint of its inputs."""
    code_hash = code_hash or fingerprints.code_fingerprint(spec.notebook)
    reports_dir = Path(reports_dir or paths.REPORTS_DIR)
    tasks = []
    single_renders = _SingleRenders(spec, tables)
    with rows_written_once(tables), tempfile.TemporaryDirectory() as no_pages:  # pages share tables: each written once
        for parameters in spec.instances(tables, list(editions or []), economy):
            inputs = spec.inputs(tables, parameters, reports_dir)
            task = Task(spec.kind, parameters, fingerprints.page_fingerprint(code_hash, tables.data_dir, inputs),
                        prepared=True)
            single = single_renders.of(task, reports_dir)
            # a page of a kind that reads the reports folder (the overview lists the pages there) is taken
            # from a single render only when what it reads does not depend on that folder
            if single and spec.inputs(tables, parameters, Path(no_pages)) == inputs:
                task = replace(task, single_render=single)
            tasks.append(task)
    return tasks


class _SingleRenders:
    """The single-render fingerprint of each page of a plan, for pages whose marker holds one."""

    def __init__(self, spec: NotebookSpec, tables: Tables) -> None:
        self.spec, self.tables = spec, tables
        self._shared: tuple[str, str] | None = None  # the data folder's digest, the code's: once per plan

    def of(self, task: Task, reports_dir: Path) -> str:
        """The marker beside ``task``'s page if a single render wrote it from the data, code and parameters
        the task names; "" otherwise (no page, the batch's own marker, or other inputs)."""
        if not self.spec.data_folder or self.tables.data_dir is None:
            return ""
        try:
            marker = paths.fingerprint_path(output_path(task, reports_dir)).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return ""
        if not marker or marker == task.fingerprint:
            return ""
        if self._shared is None:
            self._shared = (fingerprints.data_folder_digest(self.tables.data_dir),
                            fingerprints.code_fingerprint(self.spec.notebook))
        data_digest, code = self._shared
        single = fingerprints.single_render_fingerprint(
            task.parameters.model_dump_json(exclude=set(fingerprints.FOLDER_PARAMETERS)), self.tables.data_dir,
            self.spec.notebook, data_digest=data_digest, code=code)
        return single if marker == single else ""


def plan(tables: Tables, editions: list[int] | None = None, economy: str | None = None,
         code_hash: str | None = None) -> list[Task]:
    """Every (cluster, edition) profile to render, in ranking order."""
    return plan_kind(PROFILE, tables, editions, economy, code_hash=code_hash)


def output_path(task: Task, reports_dir: Path) -> Path:
    return task.spec.page(reports_dir, task.parameters)


def is_current(task: Task, reports_dir: Path) -> bool:
    html = output_path(task, reports_dir)
    marker = paths.fingerprint_path(html)
    executed = paths.executed_notebook_path(html)  # the executed notebook is part of the report: a lost one is rebuilt
    return (html.is_file() and executed.is_file() and marker.is_file()
            and marker.read_text(encoding="utf-8").strip() in {task.fingerprint, task.single_render} - {""})


def render_task(task: Task, reports_dir: str, data_dir: str, reuse_kernel: bool = True) -> tuple[str, str]:
    """Run in a worker: render one page; return ("ok", path) or ("failed", reason)."""
    try:
        kernel = worker_kernel() if reuse_kernel else None
        parameters = task.parameters
        if "data_dir" in type(parameters).model_fields:
            parameters = parameters.model_copy(update={"data_dir": data_dir})
        # a planned page's parameters come from the tables: the worker need not load them (seconds) to check
        path, _ = render(task.spec, parameters, reports_dir=Path(reports_dir), kernel_manager=kernel,
                         fingerprint=task.fingerprint, prepared=task.prepared)
        return "ok", str(path)
    except ClusterProfilesError as error:
        shutdown_worker_kernel()  # a fresh kernel for the next report, after a failure
        return "failed", str(error)
    except Exception as error:  # noqa: BLE001 - one report's bug must not stop the batch
        shutdown_worker_kernel()
        return "failed", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"


def render_many(tasks: list[Task], reports_dir: Path | None = None, data_dir: str = "", jobs: int | None = None,
                force: bool = False, progress: bool = True, reuse_kernel: bool = True) -> BatchResult:
    """Render ``tasks`` with ``jobs`` worker processes (one per core by default)."""
    reports_dir = Path(reports_dir or paths.REPORTS_DIR)
    result = BatchResult()
    todo: list[Task] = []
    for task in tasks:
        current = not force and is_current(task, reports_dir)
        (result.skipped if current else todo).append(task)
        if current and task.single_render:  # the batch's own fingerprint from now on: it follows only the page's rows
            write_files_atomically({paths.fingerprint_path(output_path(task, reports_dir)): task.fingerprint + "\n"})
    if not todo:
        write_downloads(result, reports_dir, data_dir)
        return result
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    context = multiprocessing.get_context("spawn")  # no forked copies of a parent's kernel sockets
    kinds = list(dict.fromkeys(task.kind for task in todo))
    label = BAR_LABELS.get(kinds[0], "Pages") if len(kinds) == 1 else "Pages"
    # each worker's first page includes its kernel's start (seconds): no rate or time left until every
    # worker has finished one, else the first page's wait is taken for the pace of all the others
    bar = PagesBar(total=len(todo), desc=label, unit="page", disable=not progress, warm_after=jobs)
    # each worker starts its kernel first (runner.worker), a fresh one per worker when a page asks for none
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=start_worker,
                             initargs=(str(todo[0].spec.notebook.parent), reuse_kernel)) as pool:
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
    write_downloads(result, reports_dir, data_dir)
    return result


def write_downloads(result: BatchResult, reports_dir: Path, data_dir: str) -> None:
    """Each profile's data as a zip beside its page (``runner.downloads``), for the pages rendered or up to date;
    a failed page keeps its previous zip, which shows the previous data as the page does."""
    done = [task for task in result.rendered + result.skipped if task.kind in KINDS_WITH_DOWNLOAD]
    if done:
        page_data = PageData(data_folder_of(data_dir))
        for task in done:
            page_data.write_profile_zip(output_path(task, reports_dir), task.cluster, task.edition)


def write_pdfs(tasks: list[Task], reports_dir: Path, paper: str, jobs: int | None = None, force: bool = False,
               progress: bool = True) -> list[tuple[Task, str]]:
    """A PDF beside each page of ``tasks`` (``runner.pdf``) whose PDF is missing or older than its page (every one
    with ``force``), ``jobs`` at a time, each printed by a browser of its own; the pages whose PDF failed, and why."""
    from concurrent.futures import ThreadPoolExecutor  # threads: each waits on its browser process

    from cluster_profiles.runner.pdf import find_chromium, pdf_path, write_pdf  # only for render-all --pdf

    def stale(html: Path) -> bool:
        pdf = pdf_path(html)
        return force or not pdf.is_file() or pdf.stat().st_mtime < html.stat().st_mtime

    todo = [task for task in tasks if output_path(task, reports_dir).is_file()
            and stale(output_path(task, reports_dir))]
    if not todo:
        return []
    browser = find_chromium()
    failed: list[tuple[Task, str]] = []
    bar = tqdm(total=len(todo), desc="PDFs", unit="page", disable=not progress)
    with ThreadPoolExecutor(max_workers=max(1, min(jobs or os.cpu_count() or 1, len(todo)))) as pool:
        futures = {pool.submit(write_pdf, output_path(task, reports_dir), paper, browser): task for task in todo}
        for future in as_completed(futures):
            try:
                future.result()
            except ClusterProfilesError as error:
                failed.append((futures[future], f"PDF: {error}"))
            bar.update()
    bar.close()
    order = {task: i for i, task in enumerate(tasks)}
    return sorted(failed, key=lambda item: order[item[0]])


def summary(result: BatchResult) -> str:
    lines = [f"{len(result.rendered)} rendered, {len(result.skipped)} up to date, {len(result.failed)} failed"]
    for task, reason in result.failed:
        reason_lines = reason.strip().splitlines() or ["unknown error"]
        lines.append(f"  FAILED {task.label}: {reason_lines[0]}")
        lines += [f"    {line.strip()}" for line in reason_lines[1:] if line.strip().startswith("executed notebook kept at:")]
    return "\n".join(lines)


