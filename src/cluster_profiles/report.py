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


def _show(markup) -> None:
    display(HTML(str(markup)))


def show_title(profile: ClusterProfile) -> None:
    _show(sections.title(profile))


def show_lead(profile: ClusterProfile) -> None:
    _show(sections.lead(profile))


def show_top_organisations(profile: ClusterProfile, output: str) -> None:
    _show(sections.top_organisations(profile, output))


def show_top_fields(profile: ClusterProfile) -> None:
    _show(sections.top_fields(profile))


def show_collaboration(profile: ClusterProfile) -> None:
    _show(sections.collaboration(profile))


def show_comparisons(profile: ClusterProfile) -> None:
    _show(sections.comparisons(profile))


def show_key_figures(profile: ClusterProfile) -> None:
    _show(sections.key_figures(profile))


def show_data_notes(profile: ClusterProfile) -> None:
    _show(sections.data_notes(profile))
