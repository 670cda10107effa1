"""Shared fixtures. Tests write only under pytest's tmp_path; nothing touches the network."""

from __future__ import annotations

import gc

gc.disable()  # until the test modules are imported: see pytest_runtestloop

import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from cluster_profiles import cache  # noqa: E402
from cluster_profiles.cli import skip_unused_iri_checker  # noqa: E402
from cluster_profiles.contract.load import load_tables  # noqa: E402

# Before any test imports nbformat: jsonschema would import rfc3987_syntax, which compiles ~35 grammars
# (2-3 s in every test process) for a format no notebook schema uses. A no-op when nbval's plugin has
# imported it already (`make test --nbval`); `make check` leaves that plugin out (-p no:nbval).
skip_unused_iri_checker()

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "gii2024-hefei-profile.md"
FIXTURE_DATA = FIXTURES / "data"  # a frozen, trimmed copy of data/ with deliberate gaps (see its README.md)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-kernels", action="store_true",
                     help="fail any test that starts a Jupyter kernel without the kernel marker (make check)")


RUN_CACHE = "CLUSTER_PROFILES_TEST_RUN_CACHE"  # the run's cache folder, for the pytest-xdist workers


def pytest_configure(config: pytest.Config) -> None:
    """The on-disk cache (validated tables, map basemaps) in a temporary folder of this run, for this process
    and the kernels it starts: tests never write to the user's cache. The xdist workers, started after this
    with the controller's environment, share its folder (the cache's writes are atomic), so that a basemap
    or a validated folder is made once per run rather than once per worker."""
    if hasattr(config, "workerinput") and os.environ.get(RUN_CACHE):
        os.environ[cache.ENV] = os.environ[RUN_CACHE]
        return
    folder = tempfile.mkdtemp(prefix="cluster-profiles-test-cache-")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.environ[cache.ENV] = os.environ[RUN_CACHE] = folder


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:  # after collection, in every process (xdist's too)
    # The test modules' imports (pandas, seaborn, scikit-learn, pandera, …) make a few hundred thousand
    # objects that live as long as the run. The collector is paused while they are imported (from the top
    # of this file), then they are frozen: it stops walking them at every full collection during the
    # tests (as cluster_profiles.runner.preload does in a render's kernel). The tests' own objects are collected.
    gc.freeze()
    gc.enable()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what starts a kernel; keep each notebook's nbval cells together and in order.

    Runs after pytest-randomly's shuffle (its hook is a tryfirst wrapper): nbval cells share one kernel
    and each cell's state depends on the cells before it, so they must stay a contiguous sequence.
    """
    for item in items:
        if "hefei_report" in getattr(item, "fixturenames", ()) or hasattr(item, "cell_num"):
            item.add_marker(pytest.mark.kernel)
    cells: dict[Path, list[pytest.Item]] = {}
    for item in items:
        if hasattr(item, "cell_num"):  # nbval's IPyNbCell
            cells.setdefault(item.path, []).append(item)
    if not cells:
        return
    for notebook in cells.values():
        notebook.sort(key=lambda cell: cell.cell_num)
    ordered: list[pytest.Item] = []
    for item in items:
        if not hasattr(item, "cell_num"):
            ordered.append(item)
        elif item not in ordered:  # the notebook's first cell in the run: all its cells go here, in order
            ordered += cells[item.path]
    items[:] = ordered


@pytest.fixture(autouse=True)
def _no_kernel_unless_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --no-kernels, a test that starts a kernel but is not marked `kernel` fails, naming the marker."""
    if not request.config.getoption("--no-kernels") or request.node.get_closest_marker("kernel"):
        return
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    async def refuse(*args, **kwargs):
        raise RuntimeError("this test starts a Jupyter kernel: mark it @pytest.mark.kernel")

    monkeypatch.setattr(LocalProvisioner, "launch_kernel", refuse)


@pytest.fixture(scope="session")
def tables():
    """The shipped data/. Only for what must hold for any data (it validates, every row has a source)
    and for renders compared with the reference profile or the goldens; logic tests use fixture_tables,
    so that adding facts to data/ breaks no code test. Read-only: never modify it in a test."""
    return load_tables()


@pytest.fixture(scope="session")
def fixture_tables():
    """tests/fixtures/data: frozen, so tests may assert its facts and its gaps. Read-only: a test that
    changes a table works on a copy (dataclasses.replace(fixture_tables, clusters=...copy()))."""
    return load_tables(FIXTURE_DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture data folder, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target, ignore=shutil.ignore_patterns("*.md"))
    return target


@pytest.fixture(scope="session")
def hefei_report(tmp_path_factory):
    """Hefei, GII 2024, rendered once for the end-to-end and browser tests."""
    from rendering import render_profile as render_report

    reports = tmp_path_factory.mktemp("reports")
    return render_report({"cluster": "Hefei", "edition": 2024}, reports_dir=reports)
