"""What the notebook calls: one function per cell, each a call and a display."""

from __future__ import annotations

import pandas as pd

from cluster_profiles.contract.load import Tables, load_tables
from cluster_profiles.narrate.profile import ClusterProfile, build_profile
from cluster_profiles.pages.parameters import validate_parameters
from cluster_profiles.pages.profile import sections
from cluster_profiles.pages.sections import show_html


def load_profile(**parameters: object) -> ClusterProfile:
    """Check the notebook's parameters, load and validate the data, build the cluster's profile."""
    checked = validate_parameters(**parameters)
    tables = load_tables(checked.data_dir or None)
    return build_profile(tables, checked.cluster, checked.edition)


LIST_COLUMNS = {"edition": "edition", "size_rank": "size rank", "cluster": "cluster", "economy": "economy",
                "intensity_rank": "intensity rank"}


def cluster_table(tables: Tables, edition: int | None = None) -> pd.DataFrame:
    """The clusters the data holds (of one edition, or all), in ranking order, as a table."""
    clusters = tables.clusters
    if edition is not None:
        from cluster_profiles.narrate.profile import edition_info  # only to word the error

        edition_info(tables, edition)  # an unknown edition is an error that lists the known ones
        clusters = clusters[clusters["edition"] == edition]
    ordered = clusters.sort_values(["edition", "size_rank", "cluster"], na_position="last")
    return ordered[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS).reset_index(drop=True)


def list_clusters(edition: int | None = None, data_dir: str = "") -> pd.DataFrame:
    """The clusters of ``edition`` (every edition if None) as a table: rank, name, economy.

    The notebook's way to do what ``cluster-profiles list`` does in a terminal.
    """
    return cluster_table(load_tables(data_dir or None), edition)


def validate_data(data_dir: str = "") -> str:
    """Check a data folder (every problem at once, raised as an error); a one-line summary when valid."""
    tables = load_tables(data_dir or None)
    return f"{tables.data_dir}: valid ({len(tables.clusters)} cluster rows, editions " \
           f"{', '.join(map(str, tables.edition_list()))})"



def show_title(profile: ClusterProfile) -> None:
    show_html(sections.title(profile))


def show_lead(profile: ClusterProfile) -> None:
    show_html(sections.lead(profile))


def show_key_figures(profile: ClusterProfile) -> None:
    show_html(sections.key_figures(profile))


def show_lacks(profile: ClusterProfile) -> None:
    show_html(sections.lacks(profile))


def show_location_map(profile: ClusterProfile) -> None:
    show_html(sections.location_map(profile))


def show_top_organisations(profile: ClusterProfile, output: str) -> None:
    show_html(sections.top_organisations(profile, output))


def show_top_fields(profile: ClusterProfile) -> None:
    show_html(sections.top_fields(profile))


def show_collaboration(profile: ClusterProfile) -> None:
    show_html(sections.collaboration(profile))


def show_venture_capital(profile: ClusterProfile) -> None:
    show_html(sections.venture_capital(profile))


def show_comparisons(profile: ClusterProfile) -> None:
    show_html(sections.comparisons(profile))


def show_data_notes(profile: ClusterProfile) -> None:
    show_html(sections.data_notes(profile))
