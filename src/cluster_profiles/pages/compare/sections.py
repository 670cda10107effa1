"""Each section of the comparison as a view (its blocks and the sources it cites), laid out by the
macros of ``templates/sections.html.j2``; ``COMPARE_SECTIONS`` holds them in notebook order, and the
page's numbered citations follow it.

The tables come from ``data``, the charts from ``figures``, the sentences from ``narrative``.
"""

from __future__ import annotations

from markupsafe import Markup

from cluster_profiles.contract.folder_about import folder_about
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS, OUTPUTS, GapSection
from cluster_profiles.names import slug
from cluster_profiles.narrate import figures, narrative
from cluster_profiles.narrate.citations import Citations, gii_licence
from cluster_profiles.narrate.key_figures import FIGURE_LABELS, figure_label
from cluster_profiles.narrate.profile import edition_info
from cluster_profiles.narrate.views import (
    NOT_GIVEN,
    Block,
    BulletList,
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
from cluster_profiles.pages.compare.data import (
    Comparison,
    fields_heading,
    fields_side_by_side,
    key_figures,
    key_figures_display,
    missing_for_all,
    missing_items,
    per_million,
    rank_history,
    rank_history_display,
    shared_field_holders,
    shared_fields,
    top_fields_table,
)
from cluster_profiles.pages.sections import Section, registry_citations

# -------------------------------------------------------------------------------------- sources
# What each section cites: its source note and the page's list of all sources both come from these.


def no_sources(comparison: Comparison) -> list[str]:
    return []


def key_figures_sources(comparison: Comparison) -> list[str]:
    """Each cluster's row of the clusters table; nothing when the section shows no figure."""
    if key_figures(comparison).empty:
        return []
    return [str(p.row["source"]) for p in comparison.profiles]


def rank_history_sources(comparison: Comparison) -> list[str]:
    return list(rank_history(comparison)["source"].dropna())


def top_fields_sources(comparison: Comparison) -> list[str]:
    return [s for p in comparison.profiles for o in OUTPUT_KEYS for s in p.top_fields[o]["source"]]


def missing_sources(comparison: Comparison) -> list[str]:
    return [s for p in comparison.profiles for s in p.gaps["source"]]


def notes_sources(comparison: Comparison) -> list[str]:
    return [comparison.edition.source]


def comparison_citations(comparison: Comparison) -> Citations:
    """The page's numbered citations, in the order its sections (``COMPARE_SECTIONS``) cite them."""
    return registry_citations(COMPARE_SECTIONS, comparison)


# ------------------------------------------------------------------------------------- sections


def _shown(comparison: Comparison, view: SectionView) -> Markup:
    """A section's view laid out by the macro file, its source note numbered as in the whole page."""
    return render_section(view, comparison_citations(comparison).note(view.sources) if view.sources else None)


def _file_stem(comparison: Comparison) -> str:
    return f"gii{comparison.year}-compare-{'--'.join(slug(c) for c in comparison.clusters)}"[:120]


def _cluster_link(comparison: Comparison, cluster: str) -> Markup:
    link = comparison.report_link(cluster)
    return Markup('<a href="{}">{}</a>').format(link, cluster) if link else Markup.escape(cluster)


def title_text(clusters: list[str], edition: int) -> Markup:
    """The page's heading, its names escaped once (``join_words`` escapes them)."""
    return Markup("{} side by side, GII {}").format(narrative.join_words(clusters), edition)


def title_view(comparison: Comparison) -> SectionView:
    """The page's header: the edition above the clusters' names. It cites nothing."""
    year, about = comparison.year, folder_about(comparison.tables)
    kicker = about.title if about.computed else f"Global Innovation Index {year}"
    return SectionView("report-title", [Paragraph(kicker, "kicker"),
                                        Heading(Markup("{} side by side, in these records").format(
                                            narrative.join_words(comparison.clusters)) if about.computed
                                                else title_text(comparison.clusters, year), 1)],
                       no_sources(comparison), element="header")


def title_blocks(comparison: Comparison) -> list[Block]:
    """Under the header: each cluster with its economies and its lead sentence, linked to its profile
    where that has been rendered, and a link to all reports if there is an index."""
    year = comparison.year
    blocks: list[Block] = [BulletList([
        Markup("<strong>{}</strong> ({}). {}").format(
            _cluster_link(comparison, p.cluster), " / ".join(p.economy_names),
            narrative.records_lead_sentence(p.cluster, economy_rank=p.economy.rank, economy_count=p.economy.count,
                                            adjective=p.economy.adjective, ranked=bool(p.in_top100))
            if p.about.computed else
            narrative.lead_sentence(p.cluster, year, economy_rank=p.economy.rank, economy_count=p.economy.count,
                                    adjective=p.economy.adjective, in_top100=p.in_top100))
        for p in comparison.profiles], "compared")]
    index = comparison.index_link()
    if index:
        blocks.append(Paragraph(Markup('<a href="{}">All reports</a>').format(index)))
    return blocks


def title(comparison: Comparison) -> Markup:
    return _shown(comparison, title_view(comparison)) + Markup("").join(
        render_macro("block", block) for block in title_blocks(comparison))


def key_figures_view(comparison: Comparison) -> SectionView:
    year, about = comparison.year, folder_about(comparison.tables)
    blocks: list[Block] = [Heading("Key figures, computed from these records" if about.computed
                                   else f"Key figures, GII {year}")]
    frame = key_figures(comparison)
    if frame.empty:
        blocks.append(Missing(f"a key figure for any of these clusters in GII {year}"))
        return SectionView("key-figures", blocks, key_figures_sources(comparison))
    shown = key_figures_display(frame, comparison.clusters)
    if about.computed:  # ranks in these records, totals with their counting, the records' own nouns
        shown["Figure"] = [figure_label(column, about) for column in frame["column"]]
    blocks.append(Table(shown, "data-table side-numbers"))
    if frame[comparison.clusters].isna().any().any():
        blocks.append(Paragraph(f"{NOT_GIVEN} : not in the data (why: see “What the data lacks”).", "note"))
    data = figures.per_million_chart_data(per_million(comparison), comparison.clusters)
    if data is not None:
        blocks.append(Chart(figures.draw_per_million(
            data, len(comparison.clusters), figures.per_million_alt(data),
            f"Output per 1 million inhabitants, {'these records' if about.computed else f'GII {year}'} "
            "(only clusters whose figure is in the data are drawn)")))
    blocks.append(Csv(frame.rename(columns={"column": "figure"}).assign(edition=year),
                      f"{_file_stem(comparison)}-key-figures.csv"))
    return SectionView("key-figures", blocks, key_figures_sources(comparison))


def key_figures_section(comparison: Comparison) -> Markup:
    return _shown(comparison, key_figures_view(comparison))


def rank_history_view(comparison: Comparison) -> SectionView:
    editions = comparison.tables.edition_list()
    history = rank_history(comparison)
    blocks: list[Block] = [
        Heading("Ranks across editions"),
        Paragraph("Size and intensity ranks among the clusters in these records."
                  if folder_about(comparison.tables).computed else
                  f"Size and intensity ranks in each GII edition the data holds "
                  f"({narrative.join_words([str(e) for e in editions])})."),
        Table(rank_history_display(history).rename(columns={f"GII {e}": "Ranks in these records" for e in editions})
              if folder_about(comparison.tables).computed else rank_history_display(history), "data-table side-text")]
    measures = {edition: edition_info(comparison.tables, edition).metrics_text for edition in editions}
    if len(set(measures.values())) > 1:
        blocks.append(Paragraph(Markup("The ranking changed its method between editions ({}): ranks are not "
                                       "directly comparable across them.").format(
            "; ".join(f"GII {e}: {m}" for e, m in measures.items())), "note"))
    data = figures.rank_history_chart_data(history)
    edition_label = "edition" if folder_about(comparison.tables).computed else "GII edition"
    if data is None:
        blocks.append(Missing("a size rank of these clusters in any edition"))
    elif data["edition"].nunique() > 1:  # a line over one edition says no more than the table above
        blocks.append(Chart(figures.draw_rank_history(
            data, editions, "Size rank by edition", figures.rank_history_alt(data, edition_label),
            "Size rank in each edition the data holds (a missing point: no rank in the data for that edition)",
            edition_label)))
    blocks.append(Csv(history, f"{_file_stem(comparison)}-ranks.csv"))
    return SectionView("rank-history", blocks, rank_history_sources(comparison))


def rank_history_section(comparison: Comparison) -> Markup:
    return _shown(comparison, rank_history_view(comparison))


def top_fields_view(comparison: Comparison) -> SectionView:
    blocks: list[Block] = [Heading("Top fields compared")]
    for output in OUTPUT_KEYS:
        words = folder_about(comparison.tables).output(output)  # the records' own noun, in a computed folder
        blocks.append(Heading(fields_heading(output).replace(OUTPUTS[output].counted, words.counted), 3))
        kind = OUTPUTS[output].field_kind
        lacking = [p for p in comparison.profiles if p.top_fields[output].empty]
        if len(lacking) == len(comparison.profiles):
            blocks.append(Missing(f"the top {kind} fields of these clusters"))
            continue
        blocks.append(Table(fields_side_by_side(comparison, output), "data-table side-text"))
        blocks += [Missing(f"the top {kind} fields of {p.cluster}", p.gap_reason(GapSection.fields(output))) for p in lacking]
        shared = shared_fields(comparison, output)
        if shared.empty:
            blocks.append(Paragraph(f"No {kind} field is in the top lists of two of these clusters."))
        else:
            blocks.append(Paragraph(Markup("In the top lists of more than one of them: {}.").format(
                narrative.join_words([Markup("{} ({})").format(field, ", ".join(holders))
                                      for field, holders in shared_field_holders(comparison, output, shared).items()]))))
    lists = top_fields_table(comparison)
    if not lists.empty:
        blocks.append(Csv(lists, f"{_file_stem(comparison)}-top-fields.csv"))
    return SectionView("top-fields", blocks, top_fields_sources(comparison))


def top_fields_section(comparison: Comparison) -> Markup:
    return _shown(comparison, top_fields_view(comparison))


def missing_view(comparison: Comparison) -> SectionView:
    blocks: list[Block] = [Heading("What the data lacks")]
    items = missing_items(comparison)
    absent = missing_for_all(comparison)
    about = folder_about(comparison.tables)
    if about.computed:  # the figures named as the computed folder's pages name them
        relabel = {FIGURE_LABELS[c][0]: figure_label(c, about) for c in FIGURE_LABELS}
        relabel |= {fields_heading(o): fields_heading(o).replace(OUTPUTS[o].counted, about.output(o).counted)
                    for o in OUTPUT_KEYS}
        items = items.assign(missing=[relabel.get(m, m) for m in items["missing"]])
        absent = [relabel.get(m, m) for m in absent]
    if items.empty:
        blocks.append(Paragraph("Every figure and list above is in the data for each of these clusters."))
    else:
        for cluster, group in items.groupby("cluster", sort=False):
            blocks += [Heading(str(cluster), 3),
                       BulletList([f"{row.missing}: not in the data. {row.reason}" for row in group.itertuples()])]
        blocks.append(Csv(items.assign(edition=comparison.year), f"{_file_stem(comparison)}-missing.csv"))
    if absent:
        blocks.append(Paragraph(f"Not in the data for any of them, so not shown: {'; '.join(absent)}.", "note"))
    return SectionView("missing-data", blocks, missing_sources(comparison))


def missing_section(comparison: Comparison) -> Markup:
    return _shown(comparison, missing_view(comparison))


def notes_view(comparison: Comparison) -> SectionView:
    """The method, the edition's sources and the list of every source the page cites; it cites the
    edition's sources in its text."""
    edition, cited = comparison.edition, comparison_citations(comparison)
    about = folder_about(comparison.tables)
    links = Markup(", ").join(Markup('<a href="{}">{}</a>').format(link, p.cluster)
                              for p in comparison.profiles if (link := comparison.report_link(p.cluster)))
    blocks: list[Block] = [
        Heading("Sources and method notes"),
        Paragraph(Markup("{} Every figure is read from the data folder, as each cluster's profile shows it.{}").format(
            about.method_line(), Markup(" Full profiles: {}.").format(links) if links else "")) if about.computed else
        # Markup, so that the apostrophe stays ' (as text it would be escaped to &#39;); its values are escaped
        Paragraph(Markup("GII {} measures {}; PCT applications published {}, articles published {}. Every figure is "
                         "read from the data folder, as each cluster's profile shows it.{}").format(
            edition.year, edition.metrics_text, edition.pct_window or "(window not in the data)",
            edition.articles_window or "(window not in the data)",
            Markup(" Full profiles: {}.").format(links) if links else "")),
        Paragraph(Markup("Edition sources: {}").format(cited.refs(notes_sources(comparison)))),
        Heading("All sources cited in this comparison", 3),
        SourceList(cited),
        Paragraph(about.notice() if about.computed else f"{gii_licence(edition.year)}.", "licence")]
    return SectionView("data-notes", blocks, notes_sources(comparison))


def notes_section(comparison: Comparison) -> Markup:
    """The notes cite the edition's sources in their text, so they have no source note of their own."""
    return render_section(notes_view(comparison))


# The comparison's sections in the order the notebook shows them (tests/pages/compare/test_sections.py checks it
# against the notebook): the notes' numbers and the list of all sources at the end follow this order.
COMPARE_SECTIONS: list[Section[Comparison]] = [
    Section("title", title, no_sources),
    Section("key_figures", key_figures_section, key_figures_sources),
    Section("rank_history", rank_history_section, rank_history_sources),
    Section("top_fields", top_fields_section, top_fields_sources),
    Section("missing", missing_section, missing_sources),
    Section("notes", notes_section, notes_sources),
]
