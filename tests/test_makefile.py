"""No value a user passes to make reaches a shell as code (issue 8, class 1).

The real Makefile runs in a temporary copy of the project whose environment is a fake virtualenv:
its ``cluster-profiles`` and ``python`` only record the arguments they were given. Each hostile
value must arrive as one argument, byte for byte, and no file it tries to create may appear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cluster_profiles import paths

from bad_inputs import HOSTILE_MAKE_VALUES

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")

# a POSIX shell script (a Python one costs a start-up per make call): each argument as given, ended by a
# NUL byte (no argument can hold one), and each call ended by byte 1 (no hostile value holds one)
RECORDER = """#!/bin/sh
for argument in "$@"; do printf '%s\\000' "$argument"; done >> "$ARGV_LOG"
printf '\\001' >> "$ARGV_LOG"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the Makefile with a fake, already-installed environment."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "data").mkdir()
    shutil.copy(paths.REPO_ROOT / "Makefile", root)
    shutil.copy(paths.REPO_ROOT / "pyproject.toml", root)
    (root / "requirements").mkdir()
    shutil.copy(paths.REPO_ROOT / "requirements" / "lock-py311.txt", root / "requirements")  # the stamp's input
    (root / "notebooks" / "cluster_profile.ipynb").write_text("{}")
    bin_dir = root / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("cluster-profiles", "python"):
        (bin_dir / tool).write_text(RECORDER)
        (bin_dir / tool).chmod(0o755)
    (root / "venv" / ".cluster-profiles-installed").touch()
    return root


def _make(project: Path, *argv: str, env: dict[str, str] | None = None) -> list[list[str]]:
    log = project / "argv.log"
    log.unlink(missing_ok=True)
    environment = {k: v for k, v in os.environ.items() if k not in {"CONDA_PREFIX", "MAKEFLAGS", "MFLAGS"}}
    environment |= {"VIRTUAL_ENV": str(project / "venv"), "ARGV_LOG": str(log), **(env or {})}
    done = subprocess.run(["make", "--no-print-directory", *argv], cwd=project, env=environment,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    calls = log.read_bytes().decode("utf-8").split("\x01")
    assert calls[-1] == "", calls
    return [call.split("\0")[:-1] for call in calls[:-1]]


def _side_effects(project: Path) -> list[str]:
    return sorted(p.name for p in project.rglob("*") if "pwned" in p.name)


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


@pytest.mark.parametrize("value", HOSTILE_MAKE_VALUES, ids=range(len(HOSTILE_MAKE_VALUES)))
def test_report_variables_arrive_as_literal_arguments(project, value):
    [argv] = _make(project, "report", f"CLUSTER={value}", f"EDITION={value}", f"DATA={value}")
    assert argv[0] == "render"
    assert _option(argv, "--cluster") == value
    assert _option(argv, "--edition") == value
    assert _option(argv, "--data-dir") == value
    assert _side_effects(project) == []


@pytest.mark.parametrize("value", HOSTILE_MAKE_VALUES, ids=range(len(HOSTILE_MAKE_VALUES)))
def test_batch_import_and_bench_variables_arrive_as_literal_arguments(project, value):
    [argv] = _make(project, "reports", f"EDITION={value}", f"ECONOMY={value}", f"JOBS={value}", f"DATA={value}")
    assert [_option(argv, o) for o in ("--edition", "--economy", "--jobs", "--data-dir")] == [value] * 4
    [argv] = _make(project, "import", f"FILE={value}", f"EDITION={value}", f"SOURCE={value}")
    assert argv[1] == value and _option(argv, "--source") == value and _option(argv, "--edition") == value
    [argv] = _make(project, "bench", f"N={value}")
    assert _option(argv, "--reports") == value
    assert _side_effects(project) == []


@pytest.mark.parametrize("value", HOSTILE_MAKE_VALUES, ids=range(len(HOSTILE_MAKE_VALUES)))
def test_variables_from_the_environment_are_literal_too(project, value):
    [argv] = _make(project, "report", env={"CLUSTER": value, "DATA": value})
    assert _option(argv, "--cluster") == value and _option(argv, "--data-dir") == value
    assert _side_effects(project) == []


@pytest.mark.parametrize("name", [v for v in HOSTILE_MAKE_VALUES if "/" not in v and "\n" not in v],
                         ids=lambda v: str(HOSTILE_MAKE_VALUES.index(v)))
def test_a_report_path_is_not_code(project, name):
    [argv] = _make(project, f"reports/2024/{name}.html")
    assert _option(argv, "--edition") == "2024" and _option(argv, "--cluster") == name
    assert _side_effects(project) == []


def test_defaults_still_apply(project):
    [argv] = _make(project, "report")
    assert argv == ["render", "--cluster", "Hefei", "--edition", "2024"]
    [argv] = _make(project, "reports")
    assert argv == ["render-all"]  # no edition unless one is chosen on the command line


@pytest.mark.parametrize("value", HOSTILE_MAKE_VALUES, ids=range(len(HOSTILE_MAKE_VALUES)))
def test_compare_variables_arrive_as_literal_arguments(project, value):
    clusters = f"Hefei;{value};Wuhan"
    [argv] = _make(project, "compare", f"CLUSTERS={clusters}", f"EDITION={value}", f"DATA={value}")
    assert argv[0] == "compare"
    assert [_option(argv, o) for o in ("--clusters", "--edition", "--data-dir")] == [clusters, value, value]
    [argv] = _make(project, "compare", env={"CLUSTERS": clusters})
    assert argv == ["compare", "--clusters", clusters, "--edition", "2024"]
    assert _side_effects(project) == []


# "--" separates the slugs in a comparison's file name: a value holding it is two names there
@pytest.mark.parametrize("name", [v for v in HOSTILE_MAKE_VALUES if "/" not in v and "\n" not in v and "--" not in v],
                         ids=lambda v: str(HOSTILE_MAKE_VALUES.index(v)))
def test_a_comparison_path_renders_the_comparison_and_is_not_code(project, name):
    (project / "notebooks" / "compare_clusters.ipynb").write_text("{}")
    [argv] = _make(project, f"reports/2024/compare/hefei--{name}--wuhan.html")
    assert argv[0] == "compare"
    # the slugs joined by "--" in the file name are the names the command resolves, separated by ";"
    assert _option(argv, "--edition") == "2024" and _option(argv, "--clusters") == f"hefei;{name};wuhan"
    [argv] = _make(project, "reports/2024/hefei.html")  # a profile's path is still a profile
    assert argv[0] == "render" and _option(argv, "--cluster") == "hefei"
    assert _side_effects(project) == []


@pytest.mark.parametrize("value", HOSTILE_MAKE_VALUES, ids=range(len(HOSTILE_MAKE_VALUES)))
def test_list_variables_arrive_as_literal_arguments(project, value):
    [argv] = _make(project, "list", f"EDITION={value}", f"DATA={value}")
    assert argv == ["list", "--edition", value, "--data-dir", value]
    assert _side_effects(project) == []


def test_list_lists_every_edition_unless_one_is_chosen(project):
    [argv] = _make(project, "list")
    assert argv == ["list"]
    [argv] = _make(project, "list", env={"EDITION": "2023"})  # as `make reports`: only the command line chooses
    assert argv == ["list"]
    [argv] = _make(project, "list", "EDITION=2023")
    assert argv == ["list", "--edition", "2023"]


# records the variable that tells the command it was run by make, then the arguments
VIA_MAKE_RECORDER = """#!/bin/sh
printf '%s\\000' "${CLUSTER_PROFILES_VIA_MAKE-unset}" "$@" >> "$ARGV_LOG"
printf '\\001' >> "$ARGV_LOG"
"""


@pytest.mark.parametrize("target", ["report", "compare", "list", "reports/2024/hefei.html",
                                    "reports/2024/compare/hefei--wuhan.html"])
def test_the_targets_that_look_clusters_up_say_they_came_through_make(project, target):
    """So an unknown cluster's message names `make list`, not the console command (names.list_hint)."""
    (project / "notebooks" / "compare_clusters.ipynb").write_text("{}")
    (project / "venv" / "bin" / "cluster-profiles").write_text(VIA_MAKE_RECORDER)
    [argv] = _make(project, target, env={"CLUSTER_PROFILES_VIA_MAKE": ""})
    assert argv[0] == "1"


def test_other_targets_do_not(project, monkeypatch):
    monkeypatch.delenv("CLUSTER_PROFILES_VIA_MAKE", raising=False)
    (project / "venv" / "bin" / "cluster-profiles").write_text(VIA_MAKE_RECORDER)
    [argv] = _make(project, "validate")
    assert argv == ["unset", "validate"]


def test_help_shows_values_not_make_variables(project):
    done = subprocess.run(["make", "--no-print-directory", "help"], cwd=project, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "VIRTUAL_ENV": str(project / "venv")})
    assert done.returncode == 0, done.stderr
    assert "$(" not in done.stdout
    assert "recompile requirements/lock-py311.txt" in done.stdout
    assert "make list" in done.stdout
