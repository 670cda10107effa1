"""Faults: unreadable or unwritable folders, a kernel killed mid-report, a render or a batch killed at
chosen points, a full disk (issue 8, classes 3, 7 and 8).

After each: a one-line message and exit 2 where a command could answer; no partial file in place; the
previous good report byte-identical; no process, kernel folder or temporary file left once the next
run has swept; and the next run rebuilds exactly what is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cluster_profiles import paths
from cluster_profiles.cli import main
from cluster_profiles.contract.load import load_tables
from cluster_profiles.files import KERNEL_DIR_PREFIX, sweep_leftovers, write_files_atomically
from cluster_profiles.runner import batch


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error: "), err
    return err


# --------------------------------------------------------------------------- no kernel needed

def test_a_symlink_loop_as_data_dir(capsys, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert main(["validate", "--data-dir", str(loop)]) == 2
    assert "cannot be read" in _one_line_error(capsys)


def test_a_table_that_is_a_folder(capsys, data_copy):
    (data_copy / "gaps.csv").unlink()
    (data_copy / "gaps.csv").mkdir()
    assert main(["validate", "--data-dir", str(data_copy)]) == 2
    assert "gaps.csv" in _one_line_error(capsys)


def test_an_unreadable_data_dir(capsys, data_copy):
    data_copy.chmod(0)
    try:
        if os.access(data_copy / "clusters.csv", os.R_OK):
            pytest.skip("running as root: permissions do not stop reading, so there is nothing to test")
        assert main(["validate", "--data-dir", str(data_copy)]) == 2
        assert "cannot be read" in _one_line_error(capsys)
    finally:
        data_copy.chmod(0o755)


@pytest.mark.parametrize("command", [["render"], ["render-all", "--quiet"]])
def test_reports_dir_that_is_a_file(capsys, tmp_path, command):
    target = tmp_path / "reports"
    target.write_text("not a folder")
    assert main([*command, "--reports-dir", str(target)]) == 2
    assert "is a file, not a folder" in _one_line_error(capsys)
    assert target.read_text() == "not a folder"


def test_reports_dir_inside_a_file(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    assert main(["render", "--reports-dir", str(tmp_path / "file" / "reports")]) == 2
    assert "--reports-dir" in (error := _one_line_error(capsys)) and "a path through a file" in error


def test_read_only_reports_dir(capsys, tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    if shutil.which("mount") and os.geteuid() == 0:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(target)], capture_output=True)
        mounted = done.returncode == 0
    else:
        mounted = False
    if not mounted:
        target.chmod(0o555)
        if os.access(target, os.W_OK):
            pytest.skip("root without mount rights: no read-only folder can be made here")
    try:
        assert main(["render", "--reports-dir", str(target)]) == 2
        assert "Cannot write reports" in _one_line_error(capsys)
    finally:
        if mounted:
            subprocess.run(["umount", str(target)], check=False)
        target.chmod(0o755)


def test_a_failed_write_leaves_the_previous_files_and_no_temporary(tmp_path, monkeypatch):
    good = {tmp_path / "a.html": "old page", tmp_path / "a.ipynb": "old notebook"}
    for path, text in good.items():
        path.write_text(text)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        write_files_atomically({p: "new" for p in good}, marker=(tmp_path / ".a.inputs", "x\n"))
    assert {p: p.read_text() for p in good} == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.ipynb"]


def test_a_marker_is_gone_while_a_set_is_half_moved(tmp_path, monkeypatch):
    """Killed between two moves: the fingerprint was removed first, so the pair counts as stale."""
    (tmp_path / ".a.inputs").write_text("old\n")
    real_replace = os.replace
    moves = []

    def die_after_the_first_move(source, target):
        if moves:
            raise KeyboardInterrupt  # stands for SIGKILL in the middle of the write
        moves.append(target)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", die_after_the_first_move)
    with pytest.raises(KeyboardInterrupt):
        write_files_atomically({tmp_path / "a.ipynb": "n", tmp_path / "a.html": "h"}, marker=(tmp_path / ".a.inputs", "new\n"))
    assert not (tmp_path / ".a.inputs").exists()


def test_the_next_run_sweeps_what_a_killed_one_left(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    reports = tmp_path / "reports" / "2024"
    reports.mkdir(parents=True)
    stale = reports / f".hefei.html.{dead.pid}.abc123.tmp"
    stale.write_text("half")
    ours = reports / f".hefei.html.{os.getpid()}.def456.tmp"  # a render running now keeps its file
    ours.write_text("being written")
    kernel = Path(tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{dead.pid}-"))
    (kernel / "kernel.json").write_text('{"key": "secret"}')
    removed = sweep_leftovers(tmp_path / "reports")
    assert stale in removed and kernel in removed
    assert not stale.exists() and not kernel.exists() and ours.exists()


def test_a_missing_executed_notebook_makes_a_report_stale(tmp_path):
    tables = load_tables()
    [task] = [t for t in batch.plan(tables, [2024]) if t.cluster == "Hefei"]
    html = batch.output_path(task, tmp_path)
    html.parent.mkdir(parents=True)
    html.write_text("page")
    paths.fingerprint_path(html).write_text(task.fingerprint + "\n")
    html.with_suffix(".ipynb").write_text("{}")
    assert batch.is_current(task, tmp_path)
    html.with_suffix(".ipynb").unlink()
    assert not batch.is_current(task, tmp_path)


def test_the_fingerprint_names_the_data_folder(data_copy):
    shipped, copied = load_tables(), load_tables(data_copy)
    def hefei(tables):
        return next(t.fingerprint for t in batch.plan(tables, [2024]) if t.cluster == "Hefei")

    assert hefei(shipped) != hefei(copied)
    from cluster_profiles.fingerprints import single_render_fingerprint

    single = single_render_fingerprint("Hefei 2024", paths.DATA_DIR, paths.PROFILE_NOTEBOOK)
    assert single != single_render_fingerprint("Hefei 2024", data_copy, paths.PROFILE_NOTEBOOK)
    assert single != hefei(shipped)  # render-all rebuilds, never keeps, such a page


# --------------------------------------------------------------------------- with kernels

KILLER = """
import os, signal, sys
from cluster_profiles import files
from cluster_profiles.runner import execute
point = sys.argv[1]
if point == "after-execution":
    def export(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    execute.export_html = export
elif point == "during-write":
    real = os.replace
    def replace(source, target):
        real(source, target)
        os.kill(os.getpid(), signal.SIGKILL)  # after the first of the moves
    files.os.replace = replace
from cluster_profiles.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _children_of(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _alive(pids: list[int], timeout: float) -> list[int]:
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@pytest.fixture
def good_report(tmp_path) -> Path:
    reports = tmp_path / "reports"
    assert main(["render", "--cluster", "Hefei", "--edition", "2024", "--reports-dir", str(reports)]) == 0
    return reports


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("point", ["after-execution", "during-write"])
def test_a_render_killed_at_a_chosen_point(good_report, point):
    before = _snapshot(good_report)
    html = good_report / "2024" / "hefei.html"
    process = subprocess.Popen([sys.executable, "-c", KILLER, point, "render", "--cluster", "Hefei", "--edition",
                                "2024", "--reports-dir", str(good_report)])
    assert process.wait(timeout=300) == -signal.SIGKILL
    after = _snapshot(good_report)
    assert after[str(html.relative_to(good_report))] == before[str(html.relative_to(good_report))]
    in_place = {k: v for k, v in after.items() if not k.endswith(".tmp")}
    assert all(in_place[k] == before[k] for k in in_place if k in before and not k.endswith((".ipynb", ".inputs")))
    # the next run sweeps the killed one's temporaries and rebuilds exactly this report
    tables = load_tables()
    task = next(t for t in batch.plan(tables, [2024]) if t.cluster == "Hefei")
    if point == "during-write":
        assert not batch.is_current(task, good_report)  # its fingerprint was removed before the moves
    assert main(["render", "--cluster", "Hefei", "--edition", "2024", "--reports-dir", str(good_report)]) == 0
    assert not list(good_report.rglob("*.tmp"))
    assert not list(Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}{process.pid}-*"))
    assert paths.fingerprint_path(html).is_file() and html.with_suffix(".ipynb").is_file()
    result = batch.render_many([task], good_report, jobs=1, progress=False)
    assert result.rendered == [task] and not result.failed  # render-all rebuilds exactly this page, once
    assert batch.is_current(task, good_report)


@pytest.mark.kernel
@pytest.mark.slow
def test_a_kernel_killed_mid_report(capsys, good_report, tmp_path):
    notebook = tmp_path / "dies.ipynb"
    source = json.loads(paths.PROFILE_NOTEBOOK.read_text(encoding="utf-8"))
    source["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "die",
                            "source": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"})
    notebook.write_text(json.dumps(source))
    before = _snapshot(good_report)
    from rendering import render_profile as render_report

    from cluster_profiles.errors import RenderError

    with pytest.raises(RenderError, match="kernel died"):
        render_report({"cluster": "Hefei", "edition": 2024}, reports_dir=good_report, notebook=notebook)
    assert _snapshot(good_report) == before
    assert not list(Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}{os.getpid()}-*"))


@pytest.mark.kernel
@pytest.mark.slow
def test_a_batch_killed_leaves_no_process_and_the_next_run_rebuilds_what_is_missing(tmp_path):
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "cluster_profiles.cli", "render-all", "--edition", "2024", "--economy", "CN",
               "--jobs", "2", "--quiet", "--reports-dir", str(reports)]
    process = subprocess.Popen(command, cwd=paths.REPO_ROOT)
    deadline = time.monotonic() + 240
    while not list(reports.glob("2024/*.html")) and time.monotonic() < deadline:
        time.sleep(0.2)
    descendants = _children_of(process.pid)
    assert descendants, "render-all started no workers"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _alive(descendants, timeout=20) == [], "workers or kernels outlived their parent"
    # the next run: rebuilds exactly the reports that are not complete and current, leaves no temporaries
    tables = load_tables()
    tasks = batch.plan(tables, [2024], "CN")
    current = {t for t in tasks if batch.is_current(t, reports.resolve())}
    result = batch.render_many(tasks, reports, jobs=2, progress=False)
    assert set(result.skipped) == current and set(result.rendered) == set(tasks) - current and not result.failed
    assert not list(reports.rglob("*.tmp"))
    assert not list(Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}{process.pid}-*"))


@pytest.mark.kernel
@pytest.mark.slow
def test_a_full_disk(good_report, tmp_path):
    """A tiny tmpfs as the reports folder (needs root and mount rights; skipped, saying so, otherwise)."""
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("filling a disk needs root to mount a tiny tmpfs")
    room = (good_report / "2024" / "hefei.html").stat().st_size + 64 * 1024  # the old page fits, a new one does not
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={room}", "tmpfs", str(small)], capture_output=True).returncode:
        pytest.skip("mount is not permitted here (a container without CAP_SYS_ADMIN): no small disk to fill")
    try:
        shutil.copytree(good_report / "2024", small / "2024", ignore=shutil.ignore_patterns("*.ipynb"))
        before = _snapshot(small)
        code = main(["render", "--cluster", "Hefei", "--edition", "2024", "--reports-dir", str(small)])
        assert code == 2
        assert _snapshot(small) == before
    finally:
        subprocess.run(["umount", str(small)], check=False)
