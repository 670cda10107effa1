"""Issue 20, class 4: nothing a compute command creates outlives it. Its temporaries (the DuckDB work database,
an adapter's scratch and staging folders, the data folder being staged) are named after the process
(``cluster-profiles-<what>-<pid>-…``), removed on exit and on SIGTERM, SIGHUP or SIGINT, and, when a SIGKILL leaves
them, removed by the next command that makes one of their kind in the same place.

Each case starts the command in a subprocess (its temporary folder in the test's own TMPDIR), has it signal itself
at a chosen point, and looks at what is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from records_fixtures import PATENTSVIEW

from cluster_profiles.compute import pipeline
from cluster_profiles.compute.adapters.patentsview import run_patentsview
from cluster_profiles.files import TEMPORARY_PREFIX, sweep_temporaries, temporary_folder, temporary_owner

from .test_pipeline import SETTINGS, planted

# argv: point, signal name, then the command's arguments. The command signals itself at ``point``.
KILLER = """
import os, signal, sys
point, signame = sys.argv[1], sys.argv[2]
sig = getattr(signal, signame)

def killing(module, name):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        if point.startswith("after-"):
            result = real(*args, **kwargs)
            os.kill(os.getpid(), sig)
            return result
        os.kill(os.getpid(), sig)
        return real(*args, **kwargs)
    setattr(module, name, wrapper)

if point == "reading":  # the pipeline's imports are under way in their thread then
    from cluster_profiles.compute import command
    killing(command, "read_records")
elif point == "after-staging":
    from cluster_profiles.compute import write
    killing(write, "write_tables")
elif point == "adapter-writing":
    from cluster_profiles.compute.adapters import patentsview
    killing(patentsview, "write_records")
from cluster_profiles.cli import main
sys.exit(main(sys.argv[3:]))
"""


def leftovers(*folders: Path) -> list[str]:
    return sorted(p.name for folder in folders if folder.is_dir() for p in folder.iterdir()
                  if temporary_owner(p.name) is not None)


def run_killed(tmp_path: Path, point: str, signame: str, *argv: str) -> subprocess.CompletedProcess:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp)}
    return subprocess.run([sys.executable, "-c", KILLER, point, signame, *argv], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def records_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("records")
    (base / "settings.toml").write_text(SETTINGS)
    return planted().write(base / "records")


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_while_reading_removes_the_work_database(tmp_path, records_dir, signame):
    done = run_killed(tmp_path, "reading", signame, "clusters", "--records", str(records_dir),
                      "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 128 + getattr(signal, signame), done.stderr
    assert "Traceback" not in done.stderr
    assert leftovers(tmp_path / "tmp", tmp_path) == [] and not (tmp_path / "out").exists()


def test_a_kill_leaves_the_work_database_and_the_next_run_removes_it(tmp_path, records_dir, monkeypatch):
    done = run_killed(tmp_path, "reading", "SIGKILL", "clusters", "--records", str(records_dir),
                      "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == -signal.SIGKILL
    killed = leftovers(tmp_path / "tmp")
    assert len(killed) == 1 and temporary_owner(killed[0])[0] == "duckdb"
    alive = tmp_path / "tmp" / f"{TEMPORARY_PREFIX}duckdb-{os.getpid()}-beside"  # a run going on beside: kept
    alive.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    with pipeline.work_database() as con:
        con.execute("SELECT 1")
        during = leftovers(tmp_path / "tmp")
    assert killed[0] not in during and alive.name in during and len(during) == 2
    assert leftovers(tmp_path / "tmp") == [alive.name]


def test_a_signal_while_staging_the_data_folder_leaves_nothing(tmp_path, records_dir):
    done = run_killed(tmp_path, "after-staging", "SIGTERM", "clusters", "--records", str(records_dir),
                      "--out", str(tmp_path / "out"), "--settings", str(records_dir.parent / "settings.toml"),
                      "--quiet")
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert leftovers(tmp_path / "tmp", tmp_path) == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGKILL"])
def test_an_adapter_stopped_while_writing_leaves_nothing_beside_its_output(tmp_path, signame):
    out = tmp_path / "records"
    done = run_killed(tmp_path, "adapter-writing", signame, "records", "patentsview", "--tables", str(PATENTSVIEW),
                      "--out", str(out))
    assert done.returncode in (128 + signal.SIGTERM, -signal.SIGKILL), done.stderr
    if signame == "SIGTERM":
        assert leftovers(tmp_path, tmp_path / "tmp") == []
        return
    assert [temporary_owner(n)[0] for n in leftovers(tmp_path)] == ["patentsview"]  # its scratch, beside --out
    run_patentsview(PATENTSVIEW, out)  # the next run of the adapter sweeps it
    assert leftovers(tmp_path) == [] and (out / "documents.parquet").is_file()


def test_a_temporary_folder_is_removed_on_an_error_and_its_signal_handlers_restored(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(RuntimeError), temporary_folder("unit", parent=tmp_path) as folder:
        (folder / "big").write_bytes(b"x" * 1000)
        assert signal.getsignal(signal.SIGTERM) is not before
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == [] and signal.getsignal(signal.SIGTERM) is before


def test_the_sweep_takes_only_temporaries_of_processes_that_are_gone(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    names = [f"{TEMPORARY_PREFIX}duckdb-{dead}-x", f".{TEMPORARY_PREFIX}staging-{dead}-y",
             f"{TEMPORARY_PREFIX}duckdb-{os.getpid()}-z", f"{TEMPORARY_PREFIX}duckdb-notapid-w", "duckdb-1-x", "mine"]
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / f"{TEMPORARY_PREFIX}duckdb-{dead}-x" / "work.duckdb").write_bytes(b"x")
    assert sorted(p.name for p in sweep_temporaries(tmp_path, "duckdb")) == [f"{TEMPORARY_PREFIX}duckdb-{dead}-x"]
    assert sorted(p.name for p in sweep_temporaries(tmp_path)) == [f".{TEMPORARY_PREFIX}staging-{dead}-y"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_a_half_written_manifest_of_a_killed_adapter_is_swept_from_its_output(tmp_path):
    out = tmp_path / "records"
    run_patentsview(PATENTSVIEW, out)
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    half = out / f".cluster-profiles-records.json.{dead}.k3x9.tmp"  # files.write_files_atomically's name
    half.write_text("{")
    running = out / f".cluster-profiles-records.json.{os.getpid()}.k3x9.tmp"  # a write going on: kept
    running.write_text("{")
    run_patentsview(PATENTSVIEW, out)
    assert not half.exists() and running.exists()


def test_a_handler_someone_else_installed_stays_in_charge(tmp_path):
    """A kernel or a batch worker has its own SIGTERM handler: a temporary folder does not take the signal from it."""
    def theirs(signum, frame):
        pass

    before = signal.signal(signal.SIGTERM, theirs)
    try:
        with temporary_folder("unit", parent=tmp_path):
            assert signal.getsignal(signal.SIGTERM) is theirs
            assert signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL  # still at its default: taken
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)
