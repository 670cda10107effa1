"""The find-clusters page's model: a clustering run on a records folder and the tables it shows.

``load_run`` does the work (``pipeline.compute`` once for the settings, once more per variant of ``radius_km``
or ``min_people``); the ``*_table`` functions return the numbers each section shows, as data (tested). Every
number comes from the run; a run that found nothing is a run like any other, with empty tables and, per kind,
the reason (``Summary.no_cluster``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cluster_profiles.compute.settings import Settings, load_settings, with_overrides
from cluster_profiles.contract.vocabulary import KIND_NOUNS
from cluster_profiles.errors import ParameterError

with warnings.catch_warnings():  # tqdm.auto warns in a kernel without ipywidgets; the runs here show no bars
    warnings.simplefilter("ignore")
    from cluster_profiles.compute.pipeline import Computed, compute, settings_label

TOP = 10  # the clusters followed across the variants
VARIED = ("radius_km", "min_people")
SIZE_COLUMNS = ["position", "cluster", "economy", "pct_count", "article_count", "pct_share_pct", "pub_share_pct",
                "size_score"]


@dataclass(frozen=True)
class Variant:
    """A run with one setting changed from the base run's."""

    setting: str  # one of VARIED
    value: float
    computed: Computed

    @property
    def label(self) -> str:
        return f"{self.setting} = {self.value:g}"


@dataclass
class ClusteringRun:
    """A run with the settings (``base``) and one per variant of ``radius_km`` or ``min_people``."""

    records_dir: str
    settings_file: str
    settings: Settings
    base: Computed
    variants: list[Variant]

    @property
    def found(self) -> bool:
        return self.base.summary.found


def load_run(records_dir: str, settings_path: str = "", radius_km_values: Sequence[float] = (),
             min_people_values: Sequence[int] = (), progress: bool = False) -> ClusteringRun:
    """Compute the clusters of ``records_dir`` with the settings, then with each other radius (same ``min_people``)
    and each other ``min_people`` (same radius)."""
    if not str(records_dir).strip():
        raise ParameterError("records_dir is empty: give the records folder to cluster")
    settings = load_settings(settings_path or None)
    label = settings_label(settings_path or None)
    base = compute(Path(records_dir), settings, label, progress)
    variants = []
    for name, values in (("radius_km", radius_km_values), ("min_people", min_people_values)):
        for value in values:
            if value == getattr(settings, name):
                continue  # the base run already is this one
            variant = with_overrides(settings, **{name: value})
            variants.append(Variant(name, value, compute(Path(records_dir), variant, label, progress)))
    return ClusteringRun(str(records_dir), label, settings, base, variants)


def runs(run: ClusteringRun) -> Iterator[tuple[str, Computed]]:
    """Every run with its label, the base run first."""
    yield "the settings", run.base
    for variant in run.variants:
        yield variant.label, variant.computed


# ------------------------------------------------------------------ tables
def read_table(run: ClusteringRun) -> pd.DataFrame:
    """What was read and dropped, per kind of document (one column per kind)."""
    counts = run.base.summary.counts
    rows = []
    for kind in KIND_NOUNS:
        window = run.settings.window(kind)
        rows.append({
            "documents": run.base.summary.records_about.noun(kind),  # as the records call them
            "read": counts.documents[kind] if counts else 0,
            "dropped: outside the window": counts.outside_window[kind] if counts else 0,
            "in the window": counts.in_window[kind] if counts else 0,
            "window": f"{window[0]}–{window[1]}",
            "addresses in the window": counts.addresses_in_window[kind] if counts else 0,
            "dropped: addresses without coordinates": counts.no_coordinates[kind] if counts else 0,
            "documents without any located address": counts.documents_without_location[kind] if counts else 0,
            f"points at {run.settings.grid_degrees:g}°": counts.points[kind] if counts else 0,
        })
    return pd.DataFrame(rows).set_index("documents")


def thresholds_table(run: ClusteringRun) -> pd.DataFrame:
    """How many clusters each run found: DBSCAN per kind, after merging, ranked; the base run first."""
    rows = []
    for label, computed in runs(run):
        summary, settings = computed.summary, computed.summary.settings
        rows.append({
            "run": label, "radius_km": settings.radius_km, "min_people": settings.min_people,
            "merge_km": settings.merge_km,
            "PCT clusters (DBSCAN)": summary.kind_clusters.get("pct", 0),
            "article clusters (DBSCAN)": summary.kind_clusters.get("article", 0),
            "clusters after merging": summary.clusters, "ranked": summary.ranked,
        })
    return pd.DataFrame(rows)


def sizes_table(run: ClusteringRun, top: int | None = None) -> pd.DataFrame:
    """The base run's clusters, largest first: output, world shares and their sum (the size score)."""
    table = run.base.cluster_table
    if table.empty:
        return pd.DataFrame({column: pd.Series(dtype=object if column in ("cluster", "economy") else float)
                             for column in SIZE_COLUMNS})
    ordered = table.sort_values("position")[SIZE_COLUMNS].reset_index(drop=True)
    return ordered.head(top) if top else ordered


def movement_table(run: ClusteringRun) -> pd.DataFrame:
    """Where each of the base run's top ten lands in each variant.

    A base cluster is followed to the variant cluster that holds most of its people (its grid cells weighted by
    the people there): its position in that run, and that cluster's name when it differs (merged or renamed).
    ``noise``: the cluster's cells are in no cluster of that run.
    """
    base = sizes_table(run, TOP)
    result = base[["position", "cluster"]].rename(columns={"position": "base position"}).copy()
    if base.empty:
        return result
    base_cells = _cells_with_people(run.base)
    ids = run.base.cluster_table.set_index("cluster")["cluster_id"]
    for variant in run.variants:
        computed = variant.computed
        cells = computed.clusters.footprint[["lat_i", "lon_i", "cluster_id"]]
        variant_table = computed.cluster_table.set_index("cluster_id")
        landed = []
        for cluster in base["cluster"]:
            mine = base_cells[base_cells["cluster_id"] == ids[cluster]]
            joined = mine.merge(cells, on=["lat_i", "lon_i"], suffixes=("", "_variant"))
            if joined.empty:
                landed.append("noise")
                continue
            target = joined.groupby("cluster_id_variant")["people"].sum().idxmax()
            position = int(variant_table.loc[target, "position"])
            target_name = variant_table.loc[target, "cluster"]
            landed.append(str(position) if target_name == cluster else f"{position} ({target_name})")
        result[variant.label] = landed
    return result


def _cells_with_people(computed: Computed) -> pd.DataFrame:
    points = computed.clusters.points
    people = points.groupby(["lat_i", "lon_i"], as_index=False)["people"].sum()
    return computed.clusters.footprint[["lat_i", "lon_i", "cluster_id"]].merge(people, on=["lat_i", "lon_i"])
