"""The ``clusters`` command reads the records while the rest of the pipeline is imported in a thread
(compute/command.py, compute/background.py): what it imports before the reading must stay free of pandas,
pandera, SciPy and matplotlib, and the background import must hand errors and the collector back as it found them."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest

from cluster_profiles.compute.background import BackgroundImport

HEAVY = ("pandas", "pandera", "scipy", "matplotlib", "sklearn", "pyarrow")


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_what_the_command_imports_before_reading_is_light():
    out = _run(f"""
        import sys
        import cluster_profiles.compute.command
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))""")
    assert out == "[]"


def test_the_reading_itself_imports_nothing_heavy(tmp_path):
    """read_records runs while the thread imports pandas and the rest: if it imported them itself, the two threads
    would import the same modules at once, and the reading would wait on the thread's import locks."""
    from .test_pipeline import planted

    records = planted().write(tmp_path / "records")
    out = _run(f"""
        import sys
        from cluster_profiles.compute.database import work_database
        from cluster_profiles.compute.records import read_records
        with work_database() as con:
            read_records(con, {str(records)!r})
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))""")
    assert out == "[]"


def test_the_modules_are_imported_then_the_loader_called(tmp_path, monkeypatch):
    (tmp_path / "bg_first.py").write_text("import bg_second\nORDER = []\n")
    (tmp_path / "bg_second.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    called = []
    imports = BackgroundImport("bg_first", then=lambda: called.append(sys.modules["bg_second"].VALUE))
    imports.wait()
    assert "bg_first" in sys.modules and called == [42]


def test_a_module_that_fails_fails_where_the_caller_imports_it(tmp_path, monkeypatch):
    (tmp_path / "bg_broken.py").write_text("raise ImportError('bg_broken needs something missing')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    called = []
    imports = BackgroundImport("bg_broken", then=lambda: called.append(True))
    imports.wait()  # does not raise: the error belongs where the module is used
    assert called == [] and "bg_broken" not in sys.modules
    with pytest.raises(ImportError, match="needs something missing"):
        import bg_broken  # noqa: F401


def test_the_collector_is_paused_while_importing_and_running_again_after():
    assert gc.isenabled()
    imports = BackgroundImport("json")
    assert not gc.isenabled()
    imports.wait()
    assert gc.isenabled()


def test_the_stage_bars_show_or_stay_silent(capsys):
    from cluster_profiles.compute.progress import Stages

    with Stages(False).stage("read records", 3) as bar:
        bar.update()
    assert capsys.readouterr().err == ""
    with Stages(True).stage("read records", 3) as bar:
        bar.update()
    shown = capsys.readouterr().err
    assert "read records" in shown and "3/3" in shown  # filled when the stage ends
