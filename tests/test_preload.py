"""The render kernel's first import: seaborn's optional scipy parts kept out, then importable; the collector.

Each case runs in a new Python process (the hiding only acts before seaborn is imported), with stand-in
modules for scipy and the report module in a temporary folder, so that the cases take milliseconds; one
slow case checks the real seaborn and report module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cluster_profiles

PACKAGE_PARENT = str(Path(cluster_profiles.__file__).parents[1])

# what a process reports after import_report(): which scipy parts are loaded, whether they import after
PROBE = textwrap.dedent("""
    import gc, json, sys
    from cluster_profiles.runner.preload import import_report
    outcome = {}
    try:
        import_report(sys.argv[1])
    except ImportError as error:
        outcome["error"] = str(error)
    module = sys.modules.get(sys.argv[1])
    outcome["saw_scipy"] = getattr(module, "SAW_SCIPY", None)
    outcome["loaded_after"] = sorted(m for m in ("scipy.stats", "scipy.cluster") if sys.modules.get(m) is not None)
    outcome["gc_enabled"] = gc.isenabled()
    outcome["frozen"] = gc.get_freeze_count()
    import scipy.stats, scipy.cluster  # importable as usual afterwards
    outcome["imports_after"] = scipy.stats.NAME == "stats" and scipy.cluster.NAME == "cluster"
    print(json.dumps(outcome))
""")

STAND_INS = {
    "scipy/__init__.py": "",
    "scipy/stats.py": "NAME = 'stats'\n",
    "scipy/cluster.py": "NAME = 'cluster'\n",
    # seaborn's own pattern: each optional scipy import in a try/except ImportError
    "optional_scipy.py": "try:\n    import scipy.stats, scipy.cluster\n    SAW_SCIPY = True\nexcept ImportError:\n"
                         "    SAW_SCIPY = False\n",
    "needs_scipy.py": "import scipy.stats\nSAW_SCIPY = True\n",
    "broken_module.py": "import a_module_that_does_not_exist\n",
    "seaborn.py": "",
}


def probe(tmp_path: Path, module: str, *, seaborn_first: bool = False) -> dict:
    for name, text in STAND_INS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    code = ("import seaborn\n" if seaborn_first else "") + PROBE
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), PACKAGE_PARENT])}
    done = subprocess.run([sys.executable, "-c", code, module], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_optional_scipy_parts_are_kept_out_of_the_import_then_importable(tmp_path):
    outcome = probe(tmp_path, "optional_scipy")
    assert outcome["saw_scipy"] is False and outcome["loaded_after"] == []
    assert outcome["imports_after"] and outcome["gc_enabled"] and outcome["frozen"] > 0


def test_a_module_that_needs_scipy_gets_it(tmp_path):
    outcome = probe(tmp_path, "needs_scipy")
    assert "error" not in outcome and outcome["saw_scipy"] is True and outcome["loaded_after"] == ["scipy.stats"]
    assert outcome["gc_enabled"]


def test_nothing_is_hidden_once_seaborn_is_imported(tmp_path):
    outcome = probe(tmp_path, "optional_scipy", seaborn_first=True)
    assert outcome["saw_scipy"] is True


def test_another_import_error_is_raised_and_leaves_nothing_hidden(tmp_path):
    outcome = probe(tmp_path, "broken_module")
    assert "a_module_that_does_not_exist" in outcome["error"]
    assert outcome["imports_after"] and outcome["gc_enabled"]


@pytest.mark.slow
def test_the_real_report_module_imports_seaborn_without_its_scipy_parts():
    code = textwrap.dedent("""
        import json, sys
        from cluster_profiles.runner.preload import import_report
        import_report()
        import seaborn._statistics, seaborn.matrix
        loaded = sorted(m for m in ("scipy.stats", "scipy.cluster") if m in sys.modules)
        import scipy.stats
        print(json.dumps([seaborn._statistics._no_scipy, seaborn.matrix._no_scipy, loaded,
                          float(scipy.stats.norm.cdf(0))]))
    """)
    env = {**os.environ, "PYTHONPATH": PACKAGE_PARENT}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, True, [], 0.5]
