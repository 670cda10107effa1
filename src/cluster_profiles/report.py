"""What the notebook calls: one function per cell, each a call and a display."""

from __future__ import annotations

from IPython.display import HTML, display

from . import sections
from .load import load_tables
from .parameters import validate_parameters
from .profile import ClusterProfile, build_profile


def load_profile(**parameters: object) -> ClusterProfile:
    """Check the notebook's parameters, load and validate the data, build the cluster's profile."""
    checked = validate_parameters(**parameters)
    tables = load_tables(checked.data_dir or None)
    return build_profile(tables, checked.cluster, checked.edition)


def show_html(markup) -> None:
    """Display escaped HTML from a section function as a notebook output."""
    display(HTML(str(markup)))


def show_title(profile: ClusterProfile) -> None:
    show_html(sections.title(profile))


def show_lead(profile: ClusterProfile) -> None:
    show_html(sections.lead(profile))


def show_top_organisations(profile: ClusterProfile, output: str) -> None:
    show_html(sections.top_organisations(profile, output))


def show_top_fields(profile: ClusterProfile) -> None:
    show_html(sections.top_fields(profile))


def show_collaboration(profile: ClusterProfile) -> None:
    show_html(sections.collaboration(profile))


def show_comparisons(profile: ClusterProfile) -> None:
    show_html(sections.comparisons(profile))


def show_key_figures(profile: ClusterProfile) -> None:
    show_html(sections.key_figures(profile))


def show_data_notes(profile: ClusterProfile) -> None:
    show_html(sections.data_notes(profile))
