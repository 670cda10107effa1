"""A regular (non-editable) install: the wheel carries every package file, and a report renders from it.

Package data is declared by globs in pyproject.toml; a file moved to a folder no glob names is missing only
from a wheel, never from the editable install the other tests use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cluster_profiles import paths


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The package built as a wheel, offline, from a copy of the sources (the build writes beside them)."""
    build = tmp_path_factory.mktemp("build")
    shutil.copytree(paths.PACKAGE_DIR, build / "src" / "cluster_profiles",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(paths.REPO_ROOT / name, build / name)
    dist = build / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(dist), str(build)], check=True, capture_output=True)
    [built] = dist.glob("cluster_profiles-*.whl")
    return built


def package_files() -> set[str]:
    return {p.relative_to(paths.PACKAGE_DIR.parent).as_posix() for p in paths.PACKAGE_DIR.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_the_wheel_carries_every_file_of_the_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        carried = {name for name in archive.namelist() if name.startswith("cluster_profiles/")}
    assert package_files() - carried == set()


@pytest.mark.kernel
@pytest.mark.slow
def test_a_report_renders_from_the_installed_wheel(wheel, tmp_path):
    site = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    project = tmp_path / "project"  # what a user of the wheel keeps: the notebooks and a data folder
    shutil.copytree(paths.NOTEBOOKS_DIR, project / "notebooks")
    shutil.copytree(paths.DATA_DIR, project / "data")
    environment = {**os.environ, "PYTHONPATH": str(site), paths.ROOT_ENV: str(project),
                   "CLUSTER_PROFILES_CACHE": "off"}
    code = ("import cluster_profiles, sys\nfrom cluster_profiles.cli import main\n"
            "print(cluster_profiles.__file__)\nsys.exit(main(['render', '--cluster', 'Hefei', '--edition', '2024']))")
    done = subprocess.run([sys.executable, "-c", code], env=environment, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(str(site))  # the installed copy, not the sources
    page = project / "reports" / "2024" / "hefei.html"
    assert page.is_file() and "Hefei" in page.read_text(encoding="utf-8")


def test_the_project_root_is_the_checkout_or_the_configured_folder(tmp_path):
    assert paths.project_root({}) == paths.PACKAGE_DIR.parents[1]  # this editable checkout
    assert paths.project_root({paths.ROOT_ENV: str(tmp_path)}) == tmp_path.resolve()
