"""No value a user passes to make reaches a shell as code (issue 8, class 1).

The real Makefile runs in a temporary copy of the project whose environment is a fake virtualenv:
its ``cluster-profiles`` and ``python`` only record the arguments they were given. Each hostile
value must arrive as one argument, byte for byte, and no file it tries to create may appear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cluster_profiles import paths

from bad_inputs import HOSTILE_MAKE_VALUES, PARAMETER_CASES, PATH_CASES
from conftest import FIXTURE_DATA

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")

# a POSIX shell script (a Python one costs a start-up per make call): each argument as given, ended by a
# NUL byte (no argument can hold one), and each call ended by byte 1 (no hostile value holds one)
# Each call is appended to the log in one write (cat of a file holding the whole record): make runs some of them at
# once (pip with its requirements read by python in a process substitution), and record by record their bytes
# interleaved ("-c", "-c").
RECORDER = """#!/bin/sh
record=$(mktemp "$ARGV_LOG.XXXXXX")
for argument in "$@"; do printf '%s\\000' "$argument"; done > "$record"
printf '\\001' >> "$record"
cat "$record" >> "$ARGV_LOG"
rm -f "$record"
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
    for extra in ("render", "compute", "spark", "lab", "dev"):  # after the stamps' inputs: nothing to install
        (root / "venv" / f".installed-{extra}").touch()
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
    [argv] = _make(project, "bench", f"N={value}", f"JOBS={value}")
    assert _option(argv, "--reports") == value and _option(argv, "--jobs") == value
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


@pytest.mark.parametrize("target", ["validate", "reports", "import", "clusters", "find-clusters", "lab-reset",
                                    "records-patentsview", "records-openalex"])
def test_every_target_that_runs_the_command_says_it_came_through_make(project, target):
    """So its messages name the make variables (cli.in_users_words, pages.parameters.spelled)."""
    (project / "venv" / "bin" / "cluster-profiles").write_text(VIA_MAKE_RECORDER)
    [argv] = _make(project, target, "RECORDS=r", "OUT=o", env={"CLUSTER_PROFILES_VIA_MAKE": ""})
    assert argv[0] == "1"


def test_other_targets_do_not(project, monkeypatch):
    monkeypatch.delenv("CLUSTER_PROFILES_VIA_MAKE", raising=False)
    [argv] = _make(project, "bench")  # the benchmark's own python: not the command
    assert "CLUSTER_PROFILES_VIA_MAKE" not in os.environ


def test_help_shows_values_not_make_variables(project):
    done = subprocess.run(["make", "--no-print-directory", "help"], cwd=project, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "VIRTUAL_ENV": str(project / "venv")})
    assert done.returncode == 0, done.stderr
    assert "$(" not in done.stdout
    assert "recompile requirements/lock-py311.txt" in done.stdout
    assert "make list" in done.stdout


# ------------------------------------------------------------------ what each target installs

PIP_RECORDER = """#!/bin/sh
record=$(mktemp "$ARGV_LOG.XXXXXX")
for argument in "$@"; do printf '%s\\000' "$argument"; done > "$record"
printf '\\001' >> "$record"
cat "$record" >> "$ARGV_LOG"
rm -f "$record"
case "$*" in *optional-dependencies*) shift 2; printf '%s\\n' "$@" | sed 's/^/requirement-of-/';; esac
"""


def _installs(project: Path, *argv: str) -> list[list[str]]:
    """The pip calls ``make argv`` makes in an environment where nothing is installed yet."""
    for stamp in (project / "venv").glob(".installed-*"):
        stamp.unlink()
    for tool in ("ruff", "mypy"):  # lint and typecheck's own, after the install
        (project / "venv" / "bin" / tool).write_text(RECORDER)
        (project / "venv" / "bin" / tool).chmod(0o755)
    (project / "venv" / "bin" / "python").write_text(PIP_RECORDER)
    return [call for call in _make(project, *argv) if call[:3] == ["-m", "pip", "install"]]


def test_a_report_installs_only_what_rendering_needs(project):
    installs = _installs(project, "report")
    assert [argv[3:] for argv in installs if "--upgrade" not in argv] == [
        ["--disable-pip-version-check", "-c", "requirements/lock-py311.txt", "-e", "."]]
    assert all("--quiet" not in argv for argv in installs if "--upgrade" not in argv)  # pip shows its progress
    assert (project / "venv" / ".installed-render").is_file()
    assert not (project / "venv" / ".installed-dev").exists()


@pytest.mark.parametrize(("argv", "extras"), [(["lab"], ["lab"]), (["clusters", "RECORDS=r", "OUT=o"], ["compute"]),
                                              (["records-openalex", "ENGINE=spark"], ["spark"]),
                                              (["test"], ["dev", "compute", "spark", "lab"]),
                                              (["check"], ["dev", "compute", "spark", "lab"]),
                                              (["install"], ["dev", "compute", "spark", "lab"])])
def test_each_extra_comes_with_the_targets_that_need_it_against_the_lock(project, argv, extras):
    installs = _installs(project, *argv)
    extra_installs = [call for call in installs if "-r" in call]
    assert extra_installs and all(call[call.index("-c") + 1] == "requirements/lock-py311.txt"
                                  for call in extra_installs)
    assert _make_log_extras(project / "argv.log")[-1] == extras
    for extra in ["render", *extras]:
        assert (project / "venv" / f".installed-{extra}").is_file()


def _make_log_extras(log: Path) -> list[list[str]]:
    """The extras whose requirements the Makefile read from pyproject.toml (its python -c calls)."""
    calls = [c.split("\0")[:-1] for c in log.read_bytes().decode().split("\x01")[:-1]]
    return [argv[2:] for argv in calls if argv[:1] == ["-c"] and "optional-dependencies" in argv[1]]


# ------------------------------------------------------------------ messages in the user's words

@pytest.fixture
def real_project(project: Path) -> Path:
    """The Makefile with the real command behind it (this Python, this checkout's package)."""
    command = project / "venv" / "bin" / "cluster-profiles"
    command.write_text(f"#!/bin/sh\nexec {sys.executable} -m cluster_profiles.cli \"$@\"\n")
    return project


def _make_fails(project: Path, *argv: str) -> str:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"CONDA_PREFIX", "MAKEFLAGS", "MFLAGS", "CLUSTER_PROFILES_VIA_MAKE"}}
    environment |= {"VIRTUAL_ENV": str(project / "venv"), "CLUSTER_PROFILES_ROOT": str(paths.REPO_ROOT)}
    done = subprocess.run(["make", "--no-print-directory", *argv], cwd=project, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    error = [line for line in done.stderr.splitlines() if not line.startswith("make: ***")]
    assert "Traceback" not in done.stderr
    return "\n".join(error)


MAKE_NAMES = {"--cluster": "CLUSTER", "--edition": "EDITION", "--data-dir": "DATA", "--clusters": "CLUSTERS"}


def _in_make_words(words: str) -> str:
    for option, variable in MAKE_NAMES.items():
        words = words.replace(option, variable)
    return words


@pytest.mark.parametrize("name", sorted(PARAMETER_CASES))
def test_each_bad_parameter_through_make_names_the_make_variable(real_project, name):
    argv, words = PARAMETER_CASES[name]
    variables = [f"{MAKE_NAMES[option]}={value}" for option, value in zip(argv[::2], argv[1::2])]
    error = _make_fails(real_project, "report", *variables, f"DATA={FIXTURE_DATA}")
    assert _in_make_words(words) in error
    assert not [option for option in MAKE_NAMES if option in error], error
    if "Unknown cluster" in error:
        assert "make list" in error and "cluster-profiles list" not in error


@pytest.mark.parametrize("name", sorted(PATH_CASES))
def test_each_bad_data_folder_through_make_names_the_make_variable(real_project, tmp_path, name):
    make_path, words = PATH_CASES[name]
    error = _make_fails(real_project, "report", f"DATA={make_path(tmp_path)}")
    assert words in error and error.startswith("error: DATA ") and "--data-dir" not in error


@pytest.mark.parametrize(("variables", "words"), [
    (["CLUSTERS=Hefei,Nanjing"], "CLUSTERS 'Hefei,Nanjing' names one cluster: give two or more separated by ';' not ','"),
    ([], "CLUSTERS is empty: give two or more cluster names separated by ';'"),
    (["CLUSTERS=Hefei;;Nanjing"], "CLUSTERS 'Hefei;;Nanjing': name 2 of 3 is empty"),
    (["CLUSTERS=" + ";".join(["Hefei"] * 9)], "CLUSTERS takes at most 8 values"),
    (["CLUSTERS=Hefei;Nanjing", "EDITION=next"], "EDITION must be a whole number (got 'next')"),
])
def test_a_comparison_through_make_explains_itself_in_make_words(real_project, variables, words):
    error = _make_fails(real_project, "compare", *variables)
    assert words in error, error
    assert "--" not in error and "List should" not in error and "validation" not in error


@pytest.mark.parametrize(("argv", "words"), [
    (["compare", "--clusters", "Hefei,Nanjing"], "--clusters 'Hefei,Nanjing' names one cluster"),
    (["compare"], "give --clusters"),
    (["render", "--edition", "next"], "--edition must be a whole number (got 'next')"),
    (["render", "--edition", "1999"], "--edition must be at least 2016 (got '1999')"),
])
def test_the_console_script_names_its_options(argv, words):
    environment = {k: v for k, v in os.environ.items() if k != "CLUSTER_PROFILES_VIA_MAKE"}
    done = subprocess.run([sys.executable, "-m", "cluster_profiles.cli", *argv], env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "error: CLUSTERS" not in done.stderr and "EDITION must" not in done.stderr


def test_clean_removes_every_data_folders_reports_and_nothing_else(project):
    """make clean: reports/ (its .gitkeep stays) and the reports-<name>/ roots of other data folders; a folder that
    only looks like one (a file, a nested one) and the example's records stay."""
    for page in ("reports/2024/hefei.html", "reports-mine/2024/a.html", "reports-example/index.html",
                 "example/synthetic-records/documents.csv", "notes/reports-old/kept.html"):
        (project / page).parent.mkdir(parents=True, exist_ok=True)
        (project / page).write_text("x")
    (project / "reports" / ".gitkeep").write_text("")
    (project / "reports-file").write_text("not a folder")
    done = subprocess.run(["make", "--no-print-directory", "clean"], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "VIRTUAL_ENV": str(project / "venv")}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (project / "reports").iterdir()) == [".gitkeep"]
    assert not (project / "reports-mine").exists() and not (project / "reports-example").exists()
    assert (project / "example/synthetic-records/documents.csv").is_file()
    assert (project / "notes/reports-old/kept.html").is_file() and (project / "reports-file").is_file()
