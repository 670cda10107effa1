"""What ``notebooks/find_clusters.ipynb`` calls: ``load_run``, then one ``show_*`` per cell, each a call and a display.

The run and its tables are in ``pages.clustering.data``, the sections in ``pages.clustering.sections``.
"""

from __future__ import annotations

from cluster_profiles.pages.clustering import sections
from cluster_profiles.pages.clustering.data import ClusteringRun, load_run
from cluster_profiles.pages.sections import show_html

__all__ = ["load_run", "show_movement", "show_outcome", "show_read", "show_sizes", "show_thresholds", "show_title"]


def show_title(run: ClusteringRun) -> None:
    show_html(sections.title(run))


def show_outcome(run: ClusteringRun) -> None:
    show_html(sections.outcome(run))


def show_read(run: ClusteringRun) -> None:
    show_html(sections.read(run))


def show_thresholds(run: ClusteringRun) -> None:
    show_html(sections.thresholds(run))


def show_sizes(run: ClusteringRun) -> None:
    show_html(sections.sizes(run))


def show_movement(run: ClusteringRun) -> None:
    show_html(sections.movement(run))
