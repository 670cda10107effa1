"""Each section of the find-clusters page as a view (``SectionView``) and as escaped HTML.

The numbers come from ``pages.clustering.data``, the chart from ``narrate.figures``; the layout is the shared
macro file's. A run that found nothing is narrated like any other: what was read, what each threshold found and,
for every kind of document without a cluster, why and which setting would change it (``Summary.no_cluster``).
The page cites no source: everything on it is computed from the records folder it names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from markupsafe import Markup

from cluster_profiles.compute import pipeline
from cluster_profiles.compute.pipeline import (
    WINDOW_SETTINGS,
    NoCluster,
    Summary,
    coordinates_text,
    people_count,
    years_text,
)
from cluster_profiles.compute.settings import Settings
from cluster_profiles.contract.vocabulary import KIND_NOUNS
from cluster_profiles.narrate import figures
from cluster_profiles.narrate.views import (
    Block,
    BulletList,
    Chart,
    Heading,
    Paragraph,
    SectionView,
    Table,
    render_section,
)
from cluster_profiles.pages.clustering.data import (
    TOP,
    ClusteringRun,
    movement_table,
    read_table,
    sizes_table,
    thresholds_table,
)
from cluster_profiles.pages.sections import Section

SIZES_SHOWN = 30  # clusters in the sizes chart and table


def no_sources(run: ClusteringRun) -> list[str]:
    return []


# ------------------------------------------------------------------------------- why nothing was found
def why_no_cluster(missing: NoCluster, settings: Settings, noun: str | None = None) -> str:
    """Why a run found no cluster of one kind of document, and which setting, if any, would change that (``noun``:
    what the records call their documents of that kind, the kind's standard noun by default)."""
    noun, kind = noun or KIND_NOUNS[missing.kind], missing.kind
    if missing.reason == pipeline.NO_DOCUMENTS:
        return f"the records hold no {noun}; no setting changes that."
    if missing.reason == pipeline.OUTSIDE_WINDOW:
        theirs = f", and their years are {years_text(missing.years)}" if missing.years else ""
        return (f"all {missing.documents:,} of them are outside the window: the setting {WINDOW_SETTINGS[kind]} "
                f"keeps {years_text(settings.window(kind))}{theirs}. A window overlapping their years would keep them.")
    if missing.reason == pipeline.NO_COORDINATES:
        return (f"none of the {missing.addresses_in_window:,} addresses of the {missing.in_window:,} {noun} in the "
                "window has coordinates, so there is no point to cluster; no setting changes that.")
    place = missing.densest
    assert place is not None  # a kind below the threshold always has its densest place
    near = f" near {missing.densest_city}" if missing.densest_city else ""
    text = (f"the densest place{near} ({coordinates_text(place.lat, place.lon)}) has {people_count(kind, place.people)} "
            f"within {place.radius_km:g} km, and a core point needs {settings.min_people:,} (the setting min_people). "
            f"min_people at most {place.people:,} would make it a cluster")
    located = people_count(kind, missing.located_people)
    if any(remedy.setting == "radius_km" for remedy in missing.remedies):
        return text + f"; a radius_km above {settings.radius_km:g} might, since the window holds {located} located in all."
    return text + f"; no radius_km would, since the window holds only {located} located in all."


def no_cluster_items(summary: Summary) -> list[str]:
    """One sentence per kind of document the run found no cluster of."""
    nouns = summary.records_about  # the records' own word for their documents ("US patent grants")
    return [f"No cluster of {nouns.noun(kind)}: {why_no_cluster(missing, summary.settings, nouns.noun(kind))}"
            for kind, missing in summary.no_cluster.items()]


def found_sentence(summary: Summary) -> str:
    """What a run found, in one sentence."""
    if not summary.found:
        return "These settings found no cluster."
    pct, article = summary.kind_clusters.get("pct", 0), summary.kind_clusters.get("article", 0)
    ranked = f"{summary.ranked:,} of them {'has' if summary.ranked == 1 else 'have'}"
    nouns = summary.records_about
    return (f"These settings found {_clusters(summary.clusters)}: DBSCAN found {_clusters(pct)} of {nouns.noun('pct')} "
            f"and {article:,} of {nouns.noun('article')}, joined where they lie within {summary.settings.merge_km:g} km; "
            f"{ranked} a size rank (the setting top_n ranks the first {summary.settings.top_n:,}).")


def _clusters(count: int) -> str:
    return f"{count:,} cluster{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------------------- sections
def title_view(run: ClusteringRun) -> SectionView:
    """The page's header: the records folder, the settings and their hashes, the method's thresholds."""
    summary, settings = run.base.summary, run.settings
    return SectionView("report-title", [
        Paragraph("A clustering run", "kicker"),
        Heading(f"Clusters found in {Path(run.records_dir).name}", 1),
        Paragraph(f"Records: {run.records_dir} (sha256 {summary.records.sha256[:16]}…); settings: "
                  f"{run.settings_file} (sha256 {settings.hash()[:16]}…)."),
        Paragraph(f"Weighted DBSCAN within {settings.radius_km:g} km, {settings.min_people:,} people for a core point, "
                  f"clusters merged within {settings.merge_km:g} km, coordinates rounded to {settings.grid_degrees:g}°, "
                  f"{settings.counting} counting."),
    ], no_sources(run), element="header")


def title(run: ClusteringRun) -> Markup:
    return render_section(title_view(run))


def outcome_view(run: ClusteringRun) -> SectionView:
    """What the settings found and, for each kind of document without a cluster, why."""
    summary = run.base.summary
    blocks: list[Block] = [Heading("What the settings found"), Paragraph(found_sentence(summary))]
    if summary.no_cluster:
        blocks.append(BulletList(no_cluster_items(summary)))
    return SectionView("clustering-outcome", blocks, no_sources(run))


def outcome(run: ClusteringRun) -> Markup:
    return render_section(outcome_view(run))


def read_display(run: ClusteringRun) -> pd.DataFrame:
    """The read table turned to one row per count and one column per kind, its labels in the first column."""
    table = read_table(run).T.astype(object).rename_axis(index="count", columns=None).reset_index()
    return table.map(lambda v: f"{v:,}" if isinstance(v, int) else v)


def read_view(run: ClusteringRun) -> SectionView:
    rows = run.base.summary.records.rows
    return SectionView("clustering-read", [
        Heading("What was read and dropped"),
        Paragraph("Rows read: " + ", ".join(f"{table} {count:,}" for table, count in rows.items()) + "."),
        Table(read_display(run)),
    ], no_sources(run))


def read(run: ClusteringRun) -> Markup:
    return render_section(read_view(run))


def thresholds_display(run: ClusteringRun) -> pd.DataFrame:
    """The thresholds table as the page prints it: distances as given, counts with thousands separators."""
    table = thresholds_table(run).astype(object)
    for column in table.columns:
        if column in ("radius_km", "merge_km"):
            table[column] = [f"{v:g}" for v in table[column]]
        elif column != "run":
            table[column] = [f"{int(v):,}" for v in table[column]]
    return table


def thresholds_view(run: ClusteringRun) -> SectionView:
    """Every run's counts; for each variant that found no cluster, why."""
    blocks: list[Block] = [Heading("How many clusters, at which thresholds"), Table(thresholds_display(run))]
    if not run.variants:
        blocks.append(Paragraph("No other radius_km or min_people was asked for.", "note"))
    base_items = no_cluster_items(run.base.summary)
    for variant in run.variants:
        summary = variant.computed.summary
        if summary.found:
            continue
        items = no_cluster_items(summary)
        if not run.found and items == base_items:  # the records, not the thresholds, leave nothing to cluster
            blocks.append(Paragraph(f"With {variant.label}, no cluster was found either, for the same reasons as "
                                    "with the settings."))
        else:
            blocks += [Paragraph(f"With {variant.label}, no cluster was found:"), BulletList(items)]
    return SectionView("clustering-thresholds", blocks, no_sources(run))


def thresholds(run: ClusteringRun) -> Markup:
    return render_section(thresholds_view(run))


def sizes_display(sizes: pd.DataFrame) -> pd.DataFrame:
    shown = sizes.astype(object)
    for column in ("pct_count", "article_count", "pct_share_pct", "pub_share_pct", "size_score"):
        shown[column] = [f"{float(v):.3f}" if pd.notna(v) else v for v in sizes[column]]
    shown["position"] = [f"{int(v)}" for v in sizes["position"]]
    return shown


def sizes_view(run: ClusteringRun) -> SectionView:
    """The clusters' world shares, largest first: a chart and its table."""
    blocks: list[Block] = [Heading("The clusters' sizes")]
    sizes = sizes_table(run, SIZES_SHOWN)
    data = figures.cluster_sizes_chart_data(sizes)
    if data is None:
        blocks.append(Paragraph("No cluster was found with these settings, so there are no sizes to show."))
        return SectionView("clustering-sizes", blocks, no_sources(run))
    nouns = run.base.summary.records_about
    caption = (f"The {len(data)} largest clusters by the sum of their world shares of {nouns.noun('pct')} and of "
               f"{nouns.noun('article')} in the windows.")
    words = (nouns.noun("pct"), nouns.noun("article"))
    blocks += [Chart(figures.draw_cluster_sizes(data, figures.cluster_sizes_alt(data, words), caption, words)),
               Table(sizes_display(sizes))]
    return SectionView("clustering-sizes", blocks, no_sources(run))


def sizes(run: ClusteringRun) -> Markup:
    return render_section(sizes_view(run))


def movement_view(run: ClusteringRun) -> SectionView:
    """Where the base run's top ten land in each variant."""
    blocks: list[Block] = [Heading("How the top ten move when radius_km and min_people change")]
    if not run.variants:
        blocks.append(Paragraph("No other radius_km or min_people was asked for."))
    elif not run.found:
        blocks.append(Paragraph("The settings found no cluster, so there is no top ten to follow; the table above "
                                "counts what each variant found."))
    else:
        blocks += [Paragraph(f"Each column is one run with one setting changed; a cell is the position there of the "
                             f"cluster holding most of the base cluster's people (its name in brackets when it "
                             f"differs), or noise. The first {TOP} clusters of the settings are followed."),
                   Table(movement_table(run).astype(object).map(str))]
    return SectionView("clustering-movement", blocks, no_sources(run))


def movement(run: ClusteringRun) -> Markup:
    return render_section(movement_view(run))


# The page's sections in the order the notebook shows them (tests/pages/clustering checks it against the notebook).
CLUSTERING_SECTIONS: list[Section[ClusteringRun]] = [
    Section("title", title, no_sources),
    Section("outcome", outcome, no_sources),
    Section("read", read, no_sources),
    Section("thresholds", thresholds, no_sources),
    Section("sizes", sizes, no_sources),
    Section("movement", movement, no_sources),
]
