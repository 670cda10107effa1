"""Shared fixtures. Tests write only under pytest's tmp_path; nothing touches the network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cluster_profiles import paths
from cluster_profiles.load import load_tables

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "gii2024-hefei-profile.md"


@pytest.fixture(scope="session")
def tables():
    return load_tables()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


@pytest.fixture(scope="session")
def hefei_report(tmp_path_factory):
    """Hefei, GII 2024, rendered once for the end-to-end and browser tests."""
    from cluster_profiles.render import render_report

    reports = tmp_path_factory.mktemp("reports")
    return render_report({"cluster": "Hefei", "edition": 2024}, reports_dir=reports)
