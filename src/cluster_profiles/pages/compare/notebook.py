"""What ``notebooks/compare_clusters.ipynb`` calls: one function per cell, each a call and a display.

The page model and its tables are in ``data``, each section's view in ``sections``, the charts in ``figures``.
"""

from __future__ import annotations

from pathlib import Path

from cluster_profiles.contract.load import load_tables
from cluster_profiles.pages.compare import sections
from cluster_profiles.pages.compare.data import Comparison, build_comparison
from cluster_profiles.pages.parameters import CompareParameters, check_parameters
from cluster_profiles.pages.sections import show_html


def load_comparison(**parameters: object) -> Comparison:
    """Check the notebook's parameters, load and validate the data, build each cluster's profile."""
    checked = check_parameters(CompareParameters, parameters, "comparison")
    tables = load_tables(checked.data_dir or None)
    return build_comparison(tables, checked.clusters, checked.edition,
                            Path(checked.reports_dir) if checked.reports_dir else None,
                            Path(checked.page_dir) if checked.page_dir else None)


def show_title(comparison: Comparison) -> None:
    show_html(sections.title(comparison))


def show_key_figures(comparison: Comparison) -> None:
    show_html(sections.key_figures_section(comparison))


def show_rank_history(comparison: Comparison) -> None:
    show_html(sections.rank_history_section(comparison))


def show_top_fields(comparison: Comparison) -> None:
    show_html(sections.top_fields_section(comparison))


def show_missing(comparison: Comparison) -> None:
    show_html(sections.missing_section(comparison))


def show_notes(comparison: Comparison) -> None:
    show_html(sections.notes_section(comparison))
