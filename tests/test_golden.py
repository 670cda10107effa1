"""Each nbval golden must be its template notebook, executed: same code cells, outputs present."""

from pathlib import Path

import nbformat
import pytest

from cluster_profiles.runner.kinds import NOTEBOOKS

GOLDEN_DIR = Path(__file__).parent / "golden"
PAIRS = [(spec.notebook, GOLDEN_DIR / spec.golden) for spec in NOTEBOOKS.values() if spec.golden]


def code_sources(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("template, golden", PAIRS, ids=lambda p: p.name)
def test_golden_code_cells_are_the_templates(template, golden):
    assert code_sources(golden) == code_sources(template)


@pytest.mark.parametrize("template, golden", PAIRS, ids=lambda p: p.name)
def test_golden_is_executed_and_template_is_clean(template, golden):
    executed = nbformat.read(golden, as_version=4)
    shown = [c for c in executed.cells if c.cell_type == "code" and ".show_" in c.source]
    assert shown and all(c.outputs for c in shown)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nbformat.read(template, as_version=4).cells if c.cell_type == "code"), \
        "commit the notebooks without outputs"
    text = golden.read_text(encoding="utf-8")
    assert '"papermill"' not in text and '"iopub.execute_input"' not in text


def test_every_notebook_kind_has_a_golden():
    """Every kind that renders from the data folder with its defaults; find-clusters needs a records folder
    (its default is none), so its end-to-end test renders the fixture records instead (tests/pages/clustering/test_data.py)."""
    for spec in NOTEBOOKS.values():
        if spec.data_folder:
            assert spec.golden and (GOLDEN_DIR / spec.golden).is_file(), f"{spec.kind}: add a golden (make golden)"
