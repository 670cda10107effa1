"""A cluster picker for JupyterLab: choose an edition and a cluster, the profile shows below.

The lists come from what the data holds (every edition; that edition's clusters in ranking order);
changing either redraws the profile with the same sections, in the same order, as the rendered report.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from cluster_profiles.contract.load import Tables, load_tables
from cluster_profiles.narrate.profile import ClusterProfile, build_profile
from cluster_profiles.pages.profile import sections


def profile_html(profile: ClusterProfile) -> Markup:
    """Every section of the profile, in the report's order, as one piece of HTML."""
    return Markup("").join(section.render(profile) for section in sections.PROFILE_SECTIONS)


def cluster_options(tables: Tables, edition: int) -> list[tuple[str, str]]:
    """(label, cluster) pairs for a dropdown: ranked clusters first by size rank, then the rest by name."""
    clusters = tables.clusters[tables.clusters["edition"] == edition]
    ordered = clusters.sort_values(["size_rank", "cluster"], na_position="last")
    options = []
    for row in ordered.itertuples():
        rank = "" if pd.isna(row.size_rank) else f"{int(row.size_rank)}. "
        options.append((f"{rank}{row.cluster} ({row.economy})", str(row.cluster)))
    return options


class ClusterPicker:
    """Two dropdowns (edition, cluster) and the chosen cluster's profile below them."""

    def __init__(self, tables: Tables, edition: int | None = None, cluster: str | None = None):
        import ipywidgets as widgets  # the picker's only use of it: the package works without JupyterLab

        self.tables = tables
        self._refilling = False
        editions = tables.edition_list()
        start = edition if edition in editions else editions[-1]
        self.edition = widgets.Dropdown(options=editions, value=start, description="Edition")
        self.cluster = widgets.Dropdown(options=cluster_options(tables, start), description="Cluster",
                                        layout=widgets.Layout(width="32em"))
        if cluster is not None:
            self.cluster.value = build_profile(tables, cluster, start).cluster  # any spelling; a typo is an error
        self.profile = widgets.HTML()
        self.widget = widgets.VBox([widgets.HBox([self.edition, self.cluster]), self.profile])
        self.edition.observe(self._edition_changed, names="value")
        self.cluster.observe(self._cluster_changed, names="value")
        self._show()

    def _edition_changed(self, change: dict) -> None:
        keep = self.cluster.value
        options = cluster_options(self.tables, change["new"])
        names = [name for _, name in options]
        self._refilling = True  # new options reset the value to the first: draw once, at the end
        try:
            self.cluster.options = options
            self.cluster.value = keep if keep in names else (names[0] if names else None)
        finally:
            self._refilling = False
        self._show()

    def _cluster_changed(self, change: dict) -> None:
        if not self._refilling:
            self._show()

    def _show(self) -> None:
        if self.cluster.value is None:
            self.profile.value = str(Markup("<p>The data holds no cluster for GII {}.</p>").format(self.edition.value))
            return
        profile = build_profile(self.tables, self.cluster.value, self.edition.value)
        self.profile.value = str(profile_html(profile))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def picker(edition: int | None = None, cluster: str | None = None, data_dir: str = "") -> ClusterPicker:
    """The picker for a notebook cell: ``explore.picker()`` (the latest edition) or ``picker(2024, "Hefei")``."""
    return ClusterPicker(load_tables(data_dir or None), edition, cluster)
