"""What the comparison's notebook calls (pages/compare/notebook.py): its parameters checked in one line,
and one show_ function per registered section, each displaying that section."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from cluster_profiles import paths
from cluster_profiles.errors import ParameterError
from cluster_profiles.pages.compare import notebook, sections

FIXTURE_DATA = str(paths.REPO_ROOT / "tests" / "fixtures" / "data")


def test_load_comparison_checks_the_parameters_and_builds_the_page_model():
    comparison = notebook.load_comparison(clusters=["hefei", "Nanjing"], edition=2024, data_dir=FIXTURE_DATA,
                                          reports_dir="", page_dir="")
    assert comparison.clusters == ["Hefei", "Nanjing"] and comparison.year == 2024
    assert comparison.reports_dir is None and comparison.page_dir is None
    with pytest.raises(ParameterError, match="parameter 'clusters' needs at least 2 values"):
        notebook.load_comparison(clusters=["Hefei"], edition=2024, data_dir=FIXTURE_DATA)


def test_each_show_function_displays_its_registered_section(monkeypatch):
    shown = []
    monkeypatch.setattr(notebook, "show_html", shown.append)
    show_functions = sorted(n.removeprefix("show_") for n in vars(notebook) if n.startswith("show_") and n != "show_html")
    assert show_functions == sorted(s.name for s in sections.COMPARE_SECTIONS)
    for section in sections.COMPARE_SECTIONS:
        monkeypatch.setattr(sections, section.render.__name__, lambda comparison, name=section.name: Markup(name))
        getattr(notebook, f"show_{section.name}")("a comparison")
        assert shown[-1] == section.name
