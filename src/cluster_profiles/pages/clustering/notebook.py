"""The narrative of a clustering run, for ``notebooks/find_clusters.ipynb``.

What was read and dropped, how many clusters were found at which thresholds, the clusters' sizes, and how the top
ten move when ``radius_km`` and ``min_people`` change. ``load_run`` does the work (``pipeline.compute`` once for
the settings, once more per variant); the ``*_table``/``*_figure`` functions return data and figures (tested);
the ``show_*`` functions display them in the notebook. Every number comes from the run.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cluster_profiles.compute.settings import Settings, load_settings, with_overrides
from cluster_profiles.errors import ParameterError

with warnings.catch_warnings():  # tqdm.auto warns in a kernel without ipywidgets; the runs here show no bars
    warnings.simplefilter("ignore")
    from cluster_profiles.compute.pipeline import KIND_NOUNS, Computed, compute, settings_label

TOP = 10  # the clusters followed across the variants
VARIED = ("radius_km", "min_people")


@dataclass
class ClusteringRun:
    """A run with the settings (``base``) and one per variant of ``radius_km`` or ``min_people``."""

    records_dir: str
    settings_file: str
    settings: Settings
    base: Computed
    variants: list[tuple[str, float, Computed]]  # (setting, value, run)


def load_run(records_dir: str, settings_path: str = "", radius_km_values: Sequence[float] = (),
             min_people_values: Sequence[int] = (), progress: bool = False) -> ClusteringRun:
    """Compute the clusters of ``records_dir`` with the settings, then with each other radius (same ``min_people``)
    and each other ``min_people`` (same radius)."""
    if not str(records_dir).strip():
        raise ParameterError("records_dir is empty: give the records folder to cluster")
    settings = load_settings(settings_path or None)
    base = compute(Path(records_dir), settings, settings_label(settings_path or None), progress)
    variants = []
    for name, values in (("radius_km", radius_km_values), ("min_people", min_people_values)):
        for value in values:
            if value == getattr(settings, name):
                continue  # the base run already is this one
            variant = with_overrides(settings, **{name: value})
            variants.append((name, value, compute(Path(records_dir), variant, settings_label(settings_path or None),
                                                  progress)))
    return ClusteringRun(str(records_dir), settings_label(settings_path or None), settings, base, variants)


# ------------------------------------------------------------------ tables
def read_table(run: ClusteringRun) -> pd.DataFrame:
    """What was read and dropped, per kind of document."""
    counts = run.base.summary.counts
    rows = []
    for kind, noun in KIND_NOUNS.items():
        window = run.settings.window(kind)
        rows.append({
            "documents": noun,
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
    for label, settings, computed in _runs(run):
        summary = computed.summary
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
        return pd.DataFrame(columns=["position", "cluster", "economy", "pct_count", "article_count",
                                     "pct_share_pct", "pub_share_pct", "size_score"])
    columns = ["position", "cluster", "economy", "pct_count", "article_count", "pct_share_pct", "pub_share_pct",
               "size_score"]
    ordered = table.sort_values("position")[columns].reset_index(drop=True)
    return ordered.head(top) if top else ordered


def movement_table(run: ClusteringRun) -> pd.DataFrame:
    """Where each of the base run's top ten lands in each variant.

    A base cluster is followed to the variant cluster that holds most of its people (its grid cells weighted by
    the people there): its position in that run, and that cluster's name when it differs (merged or renamed).
    Empty cells: the cluster's cells are noise in that run.
    """
    base = sizes_table(run, TOP)
    result = base[["position", "cluster"]].rename(columns={"position": "base position"}).copy()
    if base.empty:
        return result
    base_cells = _cells_with_people(run.base)
    ids = run.base.cluster_table.set_index("cluster")["cluster_id"]
    for name, value, computed in run.variants:
        column = f"{name} = {value:g}"
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
        result[column] = landed
    return result


def _cells_with_people(computed: Computed) -> pd.DataFrame:
    points = computed.clusters.points
    people = points.groupby(["lat_i", "lon_i"], as_index=False)["people"].sum()
    return computed.clusters.footprint[["lat_i", "lon_i", "cluster_id"]].merge(people, on=["lat_i", "lon_i"])


def _runs(run: ClusteringRun):
    yield "the settings", run.settings, run.base
    for name, value, computed in run.variants:
        yield f"{name} = {value:g}", computed.summary.settings, computed


# ------------------------------------------------------------------ figure
def sizes_figure(run: ClusteringRun, top: int = 30):
    """Bar chart: each cluster's size score (world share of PCT applications + of articles), largest first."""
    import matplotlib.pyplot as plt

    sizes = sizes_table(run, top)
    figure, axis = plt.subplots(figsize=(8, max(2.5, 0.28 * len(sizes) + 1)))
    if sizes.empty:
        axis.text(0.5, 0.5, "No cluster found", ha="center", va="center")
        axis.set_axis_off()
        return figure
    labels = sizes["cluster"] + " (" + sizes["economy"] + ")"
    axis.barh(labels[::-1], sizes["pct_share_pct"].fillna(0)[::-1], color="#0072B2", label="PCT share")
    axis.barh(labels[::-1], sizes["pub_share_pct"].fillna(0)[::-1], left=sizes["pct_share_pct"].fillna(0)[::-1],
              color="#E69F00", label="articles share")
    axis.set_xlabel("share of the world's documents in the window (%)")
    axis.legend(loc="lower right", frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def sizes_alt_text(run: ClusteringRun, top: int = 30) -> str:
    sizes = sizes_table(run, top)
    if sizes.empty:
        return "No cluster was found, so there is no chart of sizes."
    first = sizes.iloc[0]
    return (f"Horizontal bars for the {len(sizes)} largest clusters, PCT share and article share stacked; "
            f"the largest is {first['cluster']} with {first['size_score']:.2f} % in all.")


# ------------------------------------------------------------------ display (notebook only)
def _display(*objects) -> None:
    from IPython.display import display

    display(*objects)


def show_title(run: ClusteringRun) -> None:
    from IPython.display import Markdown

    summary = run.base.summary
    _display(Markdown(
        f"# Clusters found in `{Path(run.records_dir).name}`\n\n"
        f"Records: `{run.records_dir}` (sha256 `{summary.records.sha256[:16]}…`); settings: {run.settings_file} "
        f"(sha256 `{run.settings.hash()[:16]}…`). Weighted DBSCAN within **{run.settings.radius_km:g} km**, "
        f"**{run.settings.min_people:,}** people for a core point, clusters merged within "
        f"**{run.settings.merge_km:g} km**, coordinates rounded to {run.settings.grid_degrees:g}°, "
        f"{run.settings.counting} counting."))


def show_read(run: ClusteringRun) -> None:
    from IPython.display import Markdown

    rows = run.base.summary.records.rows
    _display(Markdown("## What was read and dropped\n\nRows read: " +
                      ", ".join(f"{table} {count:,}" for table, count in rows.items()) + "."),
             read_table(run).T)


def show_thresholds(run: ClusteringRun) -> None:
    from IPython.display import Markdown

    _display(Markdown("## How many clusters, at which thresholds"),
             thresholds_table(run).style.hide(axis="index").format({"radius_km": "{:g}", "merge_km": "{:g}",
                                                                     "min_people": "{:,}"}))


def show_sizes(run: ClusteringRun, top: int = 30) -> None:
    import matplotlib.pyplot as plt
    from IPython.display import Markdown

    figure = sizes_figure(run, top)
    _display(Markdown(f"## The clusters' sizes\n\n{sizes_alt_text(run, top)}"))
    plt.show()
    plt.close(figure)
    _display(sizes_table(run, top).style.hide(axis="index").format(precision=3))


def show_movement(run: ClusteringRun) -> None:
    from IPython.display import Markdown

    if not run.variants:
        _display(Markdown("## How the top ten move\n\nNo other `radius_km` or `min_people` was asked for."))
        return
    _display(Markdown("## How the top ten move when `radius_km` and `min_people` change\n\n"
                      "Each column is one run with one setting changed; a cell is the position there of the cluster "
                      "holding most of the base cluster's people (its name in brackets when it differs), or "
                      "*noise*."), movement_table(run).style.hide(axis="index"))
