"""The nbval golden must be the template notebook, executed: same code cells, outputs present."""

from pathlib import Path

import nbformat

from cluster_profiles import paths

GOLDEN = Path(__file__).parent / "golden" / "cluster_profile_hefei_2024.ipynb"


def code_sources(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_golden_code_cells_are_the_templates():
    assert code_sources(GOLDEN) == code_sources(paths.PROFILE_NOTEBOOK)


def test_golden_is_executed_and_template_is_clean():
    golden = nbformat.read(GOLDEN, as_version=4)
    shown = [c for c in golden.cells if c.cell_type == "code" and c.source.startswith("report.show_")]
    assert shown and all(c.outputs for c in shown)
    template = nbformat.read(paths.PROFILE_NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in template.cells if c.cell_type == "code"), "commit the notebook without outputs"


def test_golden_has_no_timing_metadata():
    text = GOLDEN.read_text(encoding="utf-8")
    assert '"papermill"' not in text and '"iopub.execute_input"' not in text
