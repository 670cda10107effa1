"""Each section of the edition overview as escaped HTML (``markupsafe.Markup``), and what it cites.

The notebook displays these through ``notebook.show_*``; the frames come from ``data``,
the charts from ``figures``.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
from markupsafe import Markup

from cluster_profiles.contract.folder_about import folder_about
from cluster_profiles.narrate import figures, narrative
from cluster_profiles.narrate.citations import Citations, gii_licence
from cluster_profiles.narrate.maps import draw as map_drawing
from cluster_profiles.narrate.maps import layout as map_layout
from cluster_profiles.narrate.maps import shapes as map_shapes
from cluster_profiles.narrate.maps import text as map_text
from cluster_profiles.narrate.views import (
    NOT_GIVEN,
    Chart,
    Csv,
    Heading,
    Missing,
    Paragraph,
    SectionView,
    SourceList,
    Table,
    render_macro,
    render_section,
)
from cluster_profiles.pages.overview.data import (
    Overview,
    clusters_per_economy,
    concentration,
    mapped_clusters,
    rank_changes,
    ranking,
    venture_capital,
)
from cluster_profiles.pages.sections import Section, registry_citations

# -------------------------------------------------------------------------------------- sources
# What each section cites, in the order the notebook shows the sections: the notes' numbers and the
# list at the end of the overview both come from here.


def ranking_sources(overview: Overview, column: str) -> list[str]:
    ranked = overview.clusters.dropna(subset=[column]).sort_values(column)
    return list(ranked["source"])


def venture_capital_sources(overview: Overview) -> list[str]:
    if not overview.edition.measures_venture_capital:
        return []
    rows = overview.clusters.set_index("cluster")["source"]
    return [str(rows[c]) for c in venture_capital(overview)["cluster"]]


def economies_sources(overview: Overview) -> list[str]:
    counts = overview.tables.economy_cluster_counts
    return list(counts[counts["edition"] == overview.edition.year]["source"])


def concentration_sources(overview: Overview) -> list[str]:
    frame, _ = concentration(overview)
    if frame is None:
        return []
    return ranking_sources(overview, "size_rank")[: len(frame)]


def rank_changes_sources(overview: Overview) -> list[str]:
    frame, _ = rank_changes(overview)
    if frame is None:
        return []
    rows = overview.clusters.set_index("cluster")
    sources = [str(rows.loc[c, "source"]) for c in frame["cluster"]]
    if overview.previous is not None:  # a previous rank read from the previous edition's table
        before = overview.previous.set_index("cluster")
        sources += [str(before.loc[c, "source"]) for c, basis in zip(frame["cluster"], frame["basis"])
                    if basis.endswith("table")]
    return sources


def notes_sources(overview: Overview) -> list[str]:
    return [overview.edition.source]


def map_sources(overview: Overview) -> list[str]:
    """The coordinates of the clusters on the map, then the basemap."""
    locations = overview.tables.cluster_locations
    drawn = locations[locations["cluster"].isin(set(mapped_clusters(overview)["cluster"]))]
    return [*dict.fromkeys(drawn["source"]), map_shapes.NATURAL_EARTH_SOURCE]


def no_sources(overview: Overview) -> list[str]:
    return []


def overview_citations(overview: Overview) -> Citations:
    """The overview's numbered citations, in the order its sections (``OVERVIEW_SECTIONS``) cite them."""
    return registry_citations(OVERVIEW_SECTIONS, overview)


# ------------------------------------------------------------------------------------- sections


# The tables below hold Markup cells and are built with dtype=object: pandas' string inference (the default
# from pandas 3) would store them as plain str, and html_table would escape the HTML again
# (tests/test_string_inference.py).
def _cluster_cell(overview: Overview, cluster: str) -> Markup:
    link = overview.report_link(cluster)
    return Markup('<a href="{}">{}</a>').format(link, cluster) if link else Markup.escape(cluster)


def _rank_cell(value) -> Markup:
    return Markup.escape(NOT_GIVEN if pd.isna(value) else str(int(value)))


def title_view(overview: Overview) -> SectionView:
    """The overview's header: the edition above its heading. It cites nothing."""
    year, about = overview.edition.year, folder_about(overview.tables)
    if about.computed:  # the records' own clusters: no GII banner, no claim of WIPO's top 100
        return SectionView("report-title", [Paragraph(about.title, "kicker"),
                                            Heading("The clusters in these records", 1)], element="header")
    return SectionView("report-title", [Paragraph(f"Global Innovation Index {year}", "kicker"),
                                        Heading(f"The top 100 S&T clusters in {year}", 1)], element="header")


def title_lede(overview: Overview) -> Paragraph:
    """The paragraph under the header: how many clusters the data holds, and a link to all reports if any."""
    index = overview.index_link()
    return Paragraph(Markup("The data holds {} clusters of this edition, {} of them with a size rank.{}").format(
        len(overview.clusters), int(overview.clusters["size_rank"].notna().sum()),
        Markup(' <a href="{}">All reports</a>.').format(index) if index else ""))


def title(overview: Overview) -> Markup:
    return render_section(title_view(overview)) + render_macro("block", title_lede(overview))


def _named(overview: Overview) -> str:
    """Whose clusters a title names: 'GII 2024', or 'these records' for a folder computed from records."""
    return "these records" if folder_about(overview.tables).computed else f"GII {overview.edition.year}"


def ranking_section(overview: Overview, column: str) -> Markup:
    year = overview.edition.year
    label, missing = ("size", "a size rank") if column == "size_rank" else ("intensity", "an intensity rank")
    heading = Heading(f"Ranking by {label}")
    frame = ranking(overview, column)
    if frame.empty:
        return render_section(SectionView("", [heading, Missing(f"{missing} for {_named(overview)}")]))
    cited = overview_citations(overview)
    sources = overview.clusters.set_index("cluster")["source"]
    shown = pd.DataFrame(dtype=object, data={
        "Rank": [_rank_cell(v) for v in frame[column]],
        "Cluster": [_cluster_cell(overview, c) for c in frame["cluster"]],
        "Economy": [Markup.escape(e) for e in frame["economy"]],
        ("Intensity rank" if column == "size_rank" else "Size rank"):
            [_rank_cell(v) for v in frame["intensity_rank" if column == "size_rank" else "size_rank"]],
        "Sources": [cited.refs([sources[c]], with_labels=False) for c in frame["cluster"]],
    })
    counted = (f"{len(frame)} clusters of these records have {missing}." if folder_about(overview.tables).computed
               else f"{len(frame)} of the 100 {label} ranks are in the data.")
    blocks = [heading, Paragraph(counted), Table(shown)]
    strip = figures.rank_strip_chart_data(frame, column)
    if strip is not None:
        blocks.append(Chart(figures.draw_rank_strip(strip, f"Known {label} ranks by economy, {_named(overview)}",
                                                    f"{label.capitalize()} rank (1 = first)",
                                                    figures.rank_strip_alt(strip, label, _named(overview)),
                                                    f"Each dot is a cluster whose {label} rank is in the data")))
    blocks.append(Csv(frame, f"gii{year}-{label}-ranking.csv"))
    return render_section(SectionView("", blocks))


def _figure_cell(value, kind: str) -> Markup:
    if pd.isna(value):
        return Markup.escape(NOT_GIVEN)
    return Markup.escape({"count": narrative.thousands, "share": narrative.percent,
                          "rank": lambda v: str(int(v))}[kind](value))


def venture_capital_section(overview: Overview) -> Markup:
    """GII 2025's third measure; nothing at all for an edition that does not measure venture capital."""
    if not overview.edition.measures_venture_capital:
        return Markup("")
    year = overview.edition.year
    heading = Heading("Venture-capital deals")
    frame = venture_capital(overview)
    if frame.empty:
        missing = Missing(f"a venture-capital figure for any cluster of GII {year}")
        return render_section(SectionView("venture-capital", [heading, missing]))
    ranked = int(frame["vc_rank"].notna().sum())
    lead = Markup("GII {} adds venture-capital deals to PCT applications and scientific articles. "
                  "The data holds a venture-capital figure for {} of its {} clusters{}.").format(
        year, len(frame), len(overview.clusters),
        Markup("; a source states the rank by deals of {} of them").format(narrative.cardinal_words(ranked))
        if ranked else "")
    cited = overview_citations(overview)
    sources = overview.clusters.set_index("cluster")["source"]
    shown = pd.DataFrame(dtype=object, data={
        "Cluster": [_cluster_cell(overview, c) for c in frame["cluster"]],
        "Size rank": [_rank_cell(v) for v in frame["size_rank"]],
        "Deals (total)": [_figure_cell(v, "count") for v in frame["vc_deals"]],
        "Deals per 1 million inhabitants": [_figure_cell(v, "count") for v in frame["vc_deals_per_million"]],
        "Share of all deals": [_figure_cell(v, "share") for v in frame["vc_share_pct"]],
        "Rank by deals": [_figure_cell(v, "rank") for v in frame["vc_rank"]],
        "Sources": [cited.refs([sources[c]], with_labels=False) for c in frame["cluster"]],
    })
    blocks = [heading, Paragraph(lead), Table(shown)]
    shares = figures.venture_capital_chart_data(frame)
    if shares is not None:
        blocks.append(Chart(figures.draw_bars(shares, "vc_share_pct", "cluster", "Share of all venture-capital deals (%)",
                                              f"Shares of all venture-capital deals, GII {year}",
                                              figures.venture_capital_alt(shares, _named(overview)),
                                              "Only clusters whose share a source states are drawn")))
    blocks += [Csv(frame, f"gii{year}-venture-capital.csv"), Paragraph(f"{NOT_GIVEN}: not in the data.", "note")]
    return render_section(SectionView("venture-capital", blocks), cited.note(venture_capital_sources(overview)))


def economies_section(overview: Overview) -> Markup:
    year = overview.edition.year
    computed = folder_about(overview.tables).computed
    frame = clusters_per_economy(overview)
    shown = pd.DataFrame(dtype=object, data={
        "Economy": [Markup.escape(n) for n in frame["name"]],
        ("Ranked clusters" if computed else "Top-100 clusters (as a source states)"):
            [_rank_cell(v) for v in frame["stated_count"]],
        "Clusters in the data": [Markup.escape(str(v)) for v in frame["clusters_in_data"]],
    })
    blocks = [Heading("Clusters per economy"), Table(shown)]
    stated = figures.economies_chart_data(frame)
    if stated is not None:
        blocks.append(Chart(figures.draw_bars(
            stated, "stated_count", "name", "Ranked clusters" if computed else "Clusters in the top 100",
            f"Ranked clusters per economy, {_named(overview)}" if computed else f"Top-100 clusters per economy, GII {year}",
            figures.economies_alt(stated, f"ranked clusters per economy in {_named(overview)}" if computed
                                else f"top-100 clusters per economy in GII {year}"),
            "Counts as sources state them; economies without a stated count are not drawn")))
    blocks.append(Csv(frame, f"gii{year}-clusters-per-economy.csv"))
    return render_section(SectionView("", blocks), overview_citations(overview).note(economies_sources(overview)))


def concentration_section(overview: Overview) -> Markup:
    year = overview.edition.year
    about = folder_about(overview.tables)
    patents, articles = about.counted("patents"), about.counted("articles")
    every = "the records'" if about.computed else "all"
    heading = Heading("Concentration in the largest clusters")
    frame, reason = concentration(overview)
    if frame is None:
        return render_section(SectionView("", [heading, Missing(
            f"the concentration of {patents} and {'articles' if not about.computed else articles}", reason)]))
    last = frame.iloc[-1]
    lead = Paragraph("The top {} clusters hold {} of {} {} and {} of {} {} (sums of the shares as printed, each "
                     "rounded to one decimal).".format(
                         len(frame), narrative.percent(last["cumulative_pct_share"]), every, patents,
                         narrative.percent(last["cumulative_pub_share"]), every, articles))
    chart = Chart(figures.draw_concentration(frame, f"Cumulative shares of the top {len(frame)} clusters, "
                                                    f"{_named(overview)}",
                                             figures.concentration_alt(frame, _named(overview), patents),
                                             "Only ranks whose two shares are all known are drawn"))
    return render_section(SectionView("", [heading, lead, chart, Csv(frame, f"gii{year}-concentration.csv")]),
                          overview_citations(overview).note(concentration_sources(overview)))


def rank_changes_section(overview: Overview) -> Markup:
    year = overview.edition.year
    blocks: list[Any] = [Heading(f"Rank changes since GII {year - 1}")]
    frame, reason = rank_changes(overview)
    if frame is None and folder_about(overview.tables).computed:
        return Markup("")  # records computed for one window have no previous ranking to miss
    if frame is None:
        return render_section(SectionView("", [*blocks, Missing("rank changes", reason)]))
    previous = overview.tables.editions[overview.tables.editions["edition"] == year - 1]
    if not previous.empty and previous.iloc[0]["metrics"] != overview.edition.metrics:
        blocks.append(Paragraph(Markup("GII {} changed the ranking's method ({}): rank changes mix real movement "
                                       "with the new metric.").format(year, overview.edition.metrics_text),
                                "note"))
    shown = pd.DataFrame(dtype=object, data={
        "Cluster": [_cluster_cell(overview, c) for c in frame["cluster"]],
        f"GII {year - 1}": [Markup.escape(str(v)) for v in frame["previous_rank"]],
        f"GII {year}": [Markup.escape(str(v)) for v in frame["size_rank"]],
        "Change": [Markup.escape(narrative.rank_move(b, a)) for b, a in zip(frame["previous_rank"], frame["size_rank"])],
        "Basis": [Markup.escape(b) for b in frame["basis"]],
    })
    blocks += [Table(shown),
               Chart(figures.draw_bars(frame, "change", "cluster", "Places gained (+) or lost (−)",
                                       f"Rank changes, GII {year - 1} to GII {year}",
                                       figures.rank_changes_alt(frame, year),
                                       "Clusters whose rank is known in both editions", diverging=True)),
               Csv(frame, f"gii{year}-rank-changes.csv")]
    return render_section(SectionView("", blocks), overview_citations(overview).note(rank_changes_sources(overview)))


def notes_view(overview: Overview) -> SectionView:
    """The method, the edition's sources and the list of every source the overview cites."""
    edition = overview.edition
    cited = overview_citations(overview)
    about = folder_about(overview.tables)
    blocks = [Heading("Sources and method notes"),
              Paragraph(about.method_line()) if about.computed else
              # Markup, so that the apostrophe stays ' (as text it would be escaped to &#39;); its values are escaped
              Paragraph(Markup("GII {} measures {}; PCT applications published {}, articles published {}. Ranks and "
                               "counts come from the data folder's clusters table, each row with its sources.").format(
                  edition.year, edition.metrics_text, edition.pct_window or "(window not in the data)",
                  edition.articles_window or "(window not in the data)")),
              Paragraph(Markup("Edition sources: {}").format(cited.refs(notes_sources(overview)))),
              Heading("All sources cited in this overview", 3),
              SourceList(cited),
              Paragraph(about.notice() if about.computed else f"{gii_licence(edition.year)}.", "licence")]
    return SectionView("data-notes", blocks, notes_sources(overview))


def notes_section(overview: Overview) -> Markup:
    """The notes cite the edition's sources in their text, so they have no source note of their own."""
    return render_section(notes_view(overview))


def map_section(overview: Overview) -> Markup:
    """A world map of the edition's clusters, with panels where they crowd."""
    year = overview.edition.year
    data = map_layout.overview_map_data(year, mapped_clusters(overview), overview.tables.cluster_locations)
    if folder_about(overview.tables).computed:
        caption = ("The clusters of these records at their cities (size rank in brackets), marker size by "
                   "size-rank band; the lower panels enlarge North America, Europe and East Asia. City coordinates: "
                   f"the centre of the records' addresses in each city. {map_text.BOUNDARY_NOTE}")
    else:
        caption = (f"The clusters of the GII {year} data at their cities (size rank in brackets), marker size by "
                   "size-rank band; the lower panels enlarge North America, Europe and East Asia. City coordinates: "
                   f"GeoNames. {map_text.BOUNDARY_NOTE}")
    blocks = [Heading("Where the clusters are"),
              Chart(map_drawing.draw_map(data, map_text.overview_alt_text(
                  data, year, "these records" if folder_about(overview.tables).computed else None), caption)),
              *(Paragraph(note, "note") for note in map_text.map_notes(data)),
              Csv(data.table, f"gii{year}-map.csv", "Download the map's data (CSV)")]
    return render_section(SectionView("location-map", blocks), overview_citations(overview).note(map_sources(overview)))


# The overview's sections in the order the notebook shows them (tests/test_overview.py checks it against
# the notebook): the notes' numbers and the list of all sources at the end follow this order.
OVERVIEW_SECTIONS: list[Section[Overview]] = [
    Section("title", title, no_sources),
    Section("map", map_section, map_sources),
    *(Section("ranking", functools.partial(ranking_section, column=column),
              functools.partial(ranking_sources, column=column), column)
      for column in ("size_rank", "intensity_rank")),
    Section("venture_capital", venture_capital_section, venture_capital_sources),
    Section("economies", economies_section, economies_sources),
    Section("concentration", concentration_section, concentration_sources),
    Section("rank_changes", rank_changes_section, rank_changes_sources),
    Section("notes", notes_section, notes_sources),
]
