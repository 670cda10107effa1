"""What ``notebooks/edition_overview.ipynb`` calls: one function per cell, each a call and a display.

The data is in ``data``, the HTML in ``sections``, the charts in ``narrate.figures``.
"""

from __future__ import annotations

from pathlib import Path

from cluster_profiles.contract.load import load_tables
from cluster_profiles.narrate.profile import edition_info
from cluster_profiles.pages.overview import sections
from cluster_profiles.pages.overview.data import Overview
from cluster_profiles.pages.parameters import OverviewParameters, check_parameters
from cluster_profiles.pages.sections import show_html


def load_overview(**parameters: object) -> Overview:
    checked = check_parameters(OverviewParameters, parameters, "overview")
    tables = load_tables(checked.data_dir or None)
    return Overview(tables, edition_info(tables, checked.edition),
                    Path(checked.reports_dir) if checked.reports_dir else None,
                    Path(checked.page_dir) if checked.page_dir else None)


def show_map(overview: Overview) -> None:
    show_html(sections.map_section(overview))


def show_title(overview: Overview) -> None:
    show_html(sections.title(overview))


def show_ranking(overview: Overview, column: str) -> None:
    show_html(sections.ranking_section(overview, column))


def show_venture_capital(overview: Overview) -> None:
    show_html(sections.venture_capital_section(overview))


def show_economies(overview: Overview) -> None:
    show_html(sections.economies_section(overview))


def show_concentration(overview: Overview) -> None:
    show_html(sections.concentration_section(overview))


def show_rank_changes(overview: Overview) -> None:
    show_html(sections.rank_changes_section(overview))


def show_notes(overview: Overview) -> None:
    show_html(sections.notes_section(overview))
