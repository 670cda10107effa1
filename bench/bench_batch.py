"""Benchmark: the batch renderer against the naive way, in the same run, on the same reports.

Naive: for each report, one `papermill` CLI call, then one `jupyter nbconvert` CLI call, serially, and the
same calls ``jobs`` at a time (what a user with that many cores would do: ``xargs -P``).
Batch: `cluster_profiles.runner.batch.render_many` (worker processes, one warm kernel each, papermill's
Python API, in-process export). The script checks that both produce the same page bodies, then
prints the three times, both ratios, the peak memory of each (sum of RSS over the process tree, sampled),
and where a batch report's time goes. Run with `make bench` (N=20 by default: `make bench N=30`).

Both ways run with the on-disk cache (``cluster_profiles.cache``: validated tables, map basemaps) off,
so that each does all its work: the benchmark compares two ways of rendering, not a warm cache with a
cold one (`--cache` keeps it on, for both).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from cluster_profiles import cache, paths
from cluster_profiles.contract.load import load_tables
from cluster_profiles.names import slug
from cluster_profiles.runner import batch

BIN = Path(sys.executable).parent


class PeakMemory:
    """Samples the summed RSS of this process and all its descendants every 50 ms."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def naive_one(task, out: Path) -> None:
    """One report the naive way: a papermill CLI call, then a jupyter nbconvert CLI call."""
    target = out / str(task.edition)
    target.mkdir(parents=True, exist_ok=True)
    executed = target / f"{slug(task.cluster)}.ipynb"
    subprocess.run([BIN / "papermill", str(paths.PROFILE_NOTEBOOK), str(executed), "-p", "cluster", task.cluster,
                    "-p", "edition", str(task.edition), "--cwd", str(paths.NOTEBOOKS_DIR), "--no-progress-bar",
                    "--log-level", "ERROR"], check=True, capture_output=True)
    subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", "--no-prompt",
                    f"--TemplateExporter.extra_template_basedirs={paths.HTML_TEMPLATE_DIR}",
                    f"--template={paths.HTML_TEMPLATE_NAME}",
                    "--TagRemovePreprocessor.remove_cell_tags=notebook-only", "--log-level=ERROR", str(executed)],
                   check=True, capture_output=True)


def naive(tasks, out: Path) -> None:
    for task in tasks:
        naive_one(task, out)


def naive_parallel(tasks, out: Path, jobs: int) -> None:
    """What a user with ``jobs`` cores would do instead: the same CLI calls, ``jobs`` reports at a time
    (as ``xargs -P jobs`` would run them; threads here only wait for the processes)."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for done in [pool.submit(naive_one, task, out) for task in tasks]:
            done.result()


def body(path: Path) -> str:
    """The page body: what a reader sees. The <title> differs (the CLI names pages after files), and
    so does the random id papermill gives the injected-parameters cell (the batch renderer fixes it)."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r'(celltag_injected-parameters" id=)"[^"]*"', r"\1", html[html.index("<body"):])


def where_time_goes(tasks) -> list[tuple[str, float]]:
    """One report's phases in this process: cold kernel start + first run, warm run, export, data load."""
    import nbformat
    import papermill

    from cluster_profiles.contract.load import _CACHE
    from cluster_profiles.runner.execute import export_html, html_exporter
    from cluster_profiles.runner.kernels import new_kernel_manager, shutdown_kernel

    task = tasks[0]
    source = nbformat.read(paths.PROFILE_NOTEBOOK, as_version=4)
    parameters = {"cluster": task.cluster, "edition": task.edition, "data_dir": ""}
    timings = []
    _CACHE.clear()
    start = time.perf_counter()
    load_tables()
    timings.append(("load and validate data (cold, once per process)", time.perf_counter() - start))
    with tempfile.TemporaryDirectory() as sockets:
        manager = new_kernel_manager(sockets)
        start = time.perf_counter()
        papermill.execute_notebook(source, None, parameters=parameters, progress_bar=False, kernel_name="python3",
                                   km=manager, cwd=str(paths.NOTEBOOKS_DIR))
        timings.append(("first report in a new kernel (start, imports, cells)", time.perf_counter() - start))
        start = time.perf_counter()
        executed = papermill.execute_notebook(source, None, parameters=parameters, progress_bar=False,
                                              kernel_name="python3", km=manager, cwd=str(paths.NOTEBOOKS_DIR))
        timings.append(("same report in the warm kernel (cells: data, wording, 5 figures)", time.perf_counter() - start))
        shutdown_kernel(manager)
    html_exporter.cache_clear()
    start = time.perf_counter()
    export_html(executed, "x")
    timings.append(("HTML export, first in a process (builds the exporter)", time.perf_counter() - start))
    start = time.perf_counter()
    export_html(executed, "x")
    timings.append(("HTML export, exporter reused", time.perf_counter() - start))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=20, help="how many reports (at least 20)")
    parser.add_argument("--jobs", type=int, default=None, help="batch workers (default: one per core)")
    parser.add_argument("--cache", action="store_true", help="keep the on-disk cache on (both ways)")
    args = parser.parse_args()
    if not args.cache:
        os.environ[cache.ENV] = "off"  # inherited by the workers, the CLI calls and every kernel
    if args.reports < 20:
        parser.error("--reports must be at least 20")
    tables = load_tables()
    tasks = batch.plan(tables)[: args.reports]
    if len(tasks) < args.reports:
        parser.error(f"the data holds only {len(tasks)} reports")
    jobs = args.jobs or psutil.cpu_count()
    print(f"Benchmark: {len(tasks)} reports, {psutil.cpu_count()} cores, {jobs} jobs, "
          f"on-disk cache {'on' if args.cache else 'off'}")
    with tempfile.TemporaryDirectory() as scratch:
        naive_dir, parallel_dir, batch_dir = (Path(scratch) / name for name in ("naive", "parallel", "batch"))
        with PeakMemory() as naive_memory:
            start = time.perf_counter()
            naive(tasks, naive_dir)
            naive_seconds = time.perf_counter() - start
        with PeakMemory() as parallel_memory:
            start = time.perf_counter()
            naive_parallel(tasks, parallel_dir, jobs)
            parallel_seconds = time.perf_counter() - start
        with PeakMemory() as batch_memory:
            start = time.perf_counter()
            result = batch.render_many(tasks, batch_dir, jobs=jobs, force=True, progress=False)
            batch_seconds = time.perf_counter() - start
        if not result.ok:
            print(batch.summary(result))
            return 1
        different = [t.label for t in tasks
                     if not body(naive_dir / str(t.edition) / f"{slug(t.cluster)}.html")
                     == body(parallel_dir / str(t.edition) / f"{slug(t.cluster)}.html")
                     == body(batch_dir / str(t.edition) / f"{slug(t.cluster)}.html")]
    for label, seconds, memory in [
            ("naive, serial (papermill CLI + nbconvert CLI per report)", naive_seconds, naive_memory),
            (f"naive, {jobs} at a time (the same CLI calls, as xargs -P {jobs})", parallel_seconds, parallel_memory),
            (f"batch (render_many, warm kernels, {jobs} workers)", batch_seconds, batch_memory)]:
        print(f"{label:<66} {seconds:7.1f} s ({seconds / len(tasks):.2f} s/report), "
              f"peak memory {memory.peak / 2**20:,.0f} MiB")
    print(f"ratio naive serial / batch:   {naive_seconds / batch_seconds:5.1f}x")
    print(f"ratio naive parallel / batch: {parallel_seconds / batch_seconds:5.1f}x (target: 8x or more)")
    print(f"identical page bodies: {len(tasks) - len(different)} of {len(tasks)}"
          + (f"; different: {', '.join(different)}" if different else ""))
    print("where one report's time goes (this process, one kernel):")
    for label, seconds in where_time_goes(tasks):
        print(f"  {label:<70} {seconds:6.2f} s")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
