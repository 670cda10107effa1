"""The suite's own set-up (tests/conftest.py) leaves the process as tests expect it."""

import gc


def test_the_garbage_collector_runs_during_the_tests_with_the_imports_frozen():
    # conftest pauses the collector while the test modules are imported and must turn it back on
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
