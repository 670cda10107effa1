"""Each section of a cluster profile as escaped HTML (``markupsafe.Markup``).

The notebook displays these; nothing here reads files or knows which cluster is special.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import pandas as pd
from markupsafe import Markup

from cluster_profiles.contract.folder_about import WHOLE_DOCUMENTS
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS, OUTPUTS, GapSection
from cluster_profiles.names import slug
from cluster_profiles.narrate import citations, figures, narrative
from cluster_profiles.narrate.key_figures import (
    FIGURE_LABELS,
    VENTURE_CAPITAL_FIGURES,
    figure_label,
    format_figure,
    shown_value,
)
from cluster_profiles.narrate.maps import draw as map_drawing
from cluster_profiles.narrate.maps import layout as map_layout
from cluster_profiles.narrate.maps import shapes as map_shapes
from cluster_profiles.narrate.maps import text as map_text
from cluster_profiles.narrate.profile import ClusterProfile
from cluster_profiles.narrate.views import (
    DEFAULT_MISSING_REASON,
    NOT_GIVEN,
    Block,
    Box,
    BulletList,
    Chart,
    Csv,
    Heading,
    Missing,
    Paragraph,
    SectionView,
    SourceList,
    Table,
    render_section,
)
from cluster_profiles.pages.sections import Section, registry_citations


def report_citations(profile: ClusterProfile) -> citations.Citations:
    """The report's numbered citations: in the order the sections cite them (``PROFILE_SECTIONS``)."""
    return registry_citations(PROFILE_SECTIONS, profile)


def source_note(profile: ClusterProfile, sources: list[str]) -> Markup:
    """A section's sources as numbered notes linked to the list at the end of the report."""
    return report_citations(profile).note(sources)


def _file_stem(profile: ClusterProfile) -> str:
    return f"gii{profile.edition.year}-{slug(profile.cluster)}"


# ---------------------------------------------------------------------------------------------
# What each section cites. A section's source note and the report's list of all sources both come
# from these functions, so a new section cites its sources in one place.


def no_sources(profile: ClusterProfile) -> list[str]:
    return []


def lead_sources(profile: ClusterProfile) -> list[str]:
    sources = [str(profile.row["source"])]
    if profile.economy.count_source and profile.economy.count is not None:
        sources.append(profile.economy.count_source)
    return sources


def top_organisations_sources(profile: ClusterProfile, output: str) -> list[str]:
    return list(profile.top_organisations[output]["source"])


def top_fields_sources(profile: ClusterProfile) -> list[str]:
    return [s for output in OUTPUT_KEYS for s in profile.top_fields[output]["source"]]


def collaboration_sources(profile: ClusterProfile) -> list[str]:
    sources = []
    for output in OUTPUT_KEYS:
        share_row = profile.collaboration_share[output]
        if share_row is not None:
            sources.append(str(share_row["source"]))
        sources += list(profile.collaboration_partners[output]["source"])
    return sources


VC_COLUMNS = {  # clusters.csv column: what it is, when a sentence says it is missing
    "vc_deals": "the number of deals",
    "vc_deals_per_million": "the deals per 1 million inhabitants",
    "vc_share_pct": "the share of all deals",
    "vc_rank": "the rank by deals",
}


def venture_capital_sources(profile: ClusterProfile) -> list[str]:
    if not profile.edition.measures_venture_capital:
        return []
    if any(profile.value(column) is not None for column in VC_COLUMNS):
        return [str(profile.row["source"])]
    return list(profile.gaps.loc[profile.gaps["section"] == GapSection.VC_DEALS, "source"])


def key_figures_sources(profile: ClusterProfile) -> list[str]:
    return [str(profile.row["source"])]


def data_notes_sources(profile: ClusterProfile) -> list[str]:
    """The data notes cite the conflicting sources, the sources of the gaps the panel of what the profile lacks
    does not list, and the edition's sources."""
    return list(profile.conflicts["source"]) + list(gaps_not_in_lacks(profile)["source"]) + [profile.edition.source]


# ---------------------------------------------------------------------------------------------


def body_view(view: SectionView) -> SectionView | None:
    """What a section shows in the body of the page: its view without what is missing (the panel near the
    top, ``lacks_view``, lists that) and without the headings left with nothing under them; None when
    nothing but headings is left, so that a section with nothing to show is left out."""
    if not any(isinstance(block, Missing) for block in view.blocks):
        return view
    kept: list[Block] = []
    for position, block in enumerate(view.blocks):
        if isinstance(block, Missing):
            continue
        if isinstance(block, Heading):
            under = []  # the blocks under this heading, up to the next heading of its level or above
            for later in view.blocks[position + 1:]:
                if isinstance(later, Heading) and later.level <= block.level:
                    break
                under.append(later)
            if not any(not isinstance(b, (Heading, Missing)) for b in under):
                continue  # only missing parts under it
        kept.append(block)
    if all(isinstance(block, Heading) for block in kept):
        return None
    return SectionView(view.css_class, kept, view.sources, view.element)


def _shown(profile: ClusterProfile, view: SectionView) -> Markup:
    """A section's view laid out by the macro file, its source note numbered as in the whole report; empty
    when the section has nothing to show."""
    body = body_view(view)
    if body is None:
        return Markup("")
    return render_section(body, source_note(profile, body.sources) if body.sources else None)


def in_edition(profile: ClusterProfile, prefix: str = "in GII ") -> str:
    """Where the page's figures come from, after a noun: 'in GII 2024', or 'in these records' for a computed
    folder (which ranks its own clusters, not WIPO's)."""
    return "in these records" if profile.about.computed else f"{prefix}{profile.edition.year}"


def title_view(profile: ClusterProfile) -> SectionView:
    """The report's header: the edition above the cluster's name and its economies. It cites nothing."""
    economy = " / ".join(profile.economy_names)
    kicker = profile.about.title if profile.about.computed else f"Global Innovation Index {profile.edition.year}"
    return SectionView("report-title", [Paragraph(kicker, "kicker"),
                                        Heading(f"{profile.cluster}, {economy}", 1)],
                       no_sources(profile), element="header")


def title(profile: ClusterProfile) -> Markup:
    return _shown(profile, title_view(profile))


def rank_lines(profile: ClusterProfile) -> list[str]:
    year = profile.edition.year
    lines = []
    size_rank, intensity_rank = profile.value("size_rank"), profile.value("intensity_rank")
    if size_rank is not None:
        lines.append(narrative.size_rank_line(int(size_rank), year, computed=profile.about.computed))
    if intensity_rank is not None:
        lines.append(narrative.intensity_rank_line(int(intensity_rank), year, computed=profile.about.computed))
    return lines


def lead_view(profile: ClusterProfile) -> SectionView:
    year = profile.edition.year
    economy = profile.economy
    about = profile.about
    opening = (narrative.records_lead_sentence(profile.cluster, economy_rank=economy.rank, economy_count=economy.count,
                                               adjective=economy.adjective, ranked=bool(profile.in_top100))
               if about.computed else
               narrative.lead_sentence(profile.cluster, year, economy_rank=economy.rank, economy_count=economy.count,
                                       adjective=economy.adjective, in_top100=profile.in_top100))
    blocks: list[Block] = [Paragraph(opening)]
    words = {output: (about.counted(output, 1), about.counted(output)) for output in OUTPUT_KEYS}
    lines = rank_lines(profile)
    per_million = [shown_value(profile, c) for c in ("pct_per_million", "articles_per_million", "vc_deals_per_million")]
    totals = [shown_value(profile, c) for c in ("pct_applications", "scientific_publications", "vc_deals")]
    windows = {"pct": profile.edition.pct_window, "articles": profile.edition.articles_window,
               "vc_deals": profile.edition.vc_deals_window}
    sentence = None
    as_list = len(lines) > 1  # one rank is a sentence, two are the GII profile's list
    if any(v is not None for v in per_million):
        sentence = narrative.output_sentence(pct=per_million[0], articles=per_million[1], vc_deals=per_million[2],
                                             per_million=True, windows=windows, continues=as_list, nouns=words,
                                             basis=about.total_basis)
    elif any(v is not None for v in totals):
        sentence = narrative.output_sentence(pct=totals[0], articles=totals[1], vc_deals=totals[2],
                                             per_million=False, windows=windows, continues=as_list, nouns=words,
                                             basis=about.total_basis)
    if len(lines) == 1:
        rank = narrative.rank_sentence(lines)
        blocks.append(Paragraph(rank if sentence is None else sentence + Markup(" ") + rank))
    elif sentence is not None:
        blocks.append(Paragraph(sentence))
    elif lines:
        blocks.append(Paragraph("It is the:"))
    if as_list:
        blocks.append(BulletList(lines, "ranks"))
    elif not lines and profile.in_top100 is not False:  # below the top 100 there are no ranks to miss
        blocks.append(Missing(f"{profile.cluster}'s size and intensity ranks in {year}", profile.gap_reason(GapSection.RANKING)))
    if economy.derived:
        blocks.append(Paragraph(Markup("The rank among {} clusters is counted from the GII {} ranking, "
                                       "which the data holds complete down to {}'s rank.").format(
            economy.adjective, year, profile.cluster), "note"))
    return SectionView("lead", blocks, lead_sources(profile))


def lead(profile: ClusterProfile) -> Markup:
    view = cached_view(profile, "lead", lead_view)
    assert view is not None
    return _shown(profile, view)


# A chart with fewer marks than this says less than the sentence or table beside it, so it is not drawn.
MIN_CHART_MARKS = 5


def inline_bar(text: str, fraction: float, remainder: bool = False) -> Markup:
    """A table cell's text with a bar drawn in CSS beside it, ``fraction`` (0 to 1) of the bar's track:
    each top list is one table whose bars show its numbers, never a table and a chart of the same."""
    width = f"{max(0.0, min(1.0, fraction)) * 100:.1f}".rstrip("0").rstrip(".")
    return Markup('<span class="bar-track" aria-hidden="true"><span class="bar{}" style="width:{}%"></span></span>{}').format(
        " remainder" if remainder else "", width, text)


def organisations_display(top: pd.DataFrame, output: str) -> pd.DataFrame:
    """The top list as one table; the shares (on a 0 to 100% scale) or, when a share is missing, the counts
    (against the largest) carry an inline bar."""
    shares_known, counts_known = top["share_pct"].notna().all(), top["count"].notna().all()
    largest = float(top["count"].max()) if counts_known and len(top) else 0.0
    counts = [NOT_GIVEN if pd.isna(v) else narrative.thousands(v) for v in top["count"]]
    shares = [NOT_GIVEN if pd.isna(v) else narrative.percent(v) for v in top["share_pct"]]
    if shares_known:
        shares = [inline_bar(text, v / 100) for text, v in zip(shares, top["share_pct"])]
    elif counts_known and largest > 0:
        counts = [inline_bar(text, v / largest) for text, v in zip(counts, top["count"])]
    return pd.DataFrame({
        "#": [NOT_GIVEN if pd.isna(r) else str(int(r)) for r in top["rank"]],
        OUTPUTS[output].organisation_header: top["organisation"],
        OUTPUTS[output].count_header: counts,
        "Share": shares,
    }, dtype=object)  # object: string inference would drop the bars' Markup


def top_organisations_view(profile: ClusterProfile, output: str) -> SectionView:
    heading = profile.about.output(output).organisations_heading
    in_sentence = profile.about.output(output).organisations_list  # "top PCT applicants": acronyms keep their case
    top = profile.top_organisations[output]
    blocks: list[Block] = [Heading(heading)]
    if top.empty:
        reason = profile.gap_reason(GapSection.top_list(output))
        blocks.append(Missing(f"the {in_sentence} of {profile.cluster} {in_edition(profile)}", reason))
        return SectionView("top-organisations", blocks, top_organisations_sources(profile, output))
    blocks.append(Table(organisations_display(top, output)))
    if top[["rank", "count", "share_pct"]].isna().any(axis=None):
        blocks.append(Paragraph(f"{NOT_GIVEN} : not given by the source.", "note"))
    blocks += [Paragraph(note, "note") for note in dict.fromkeys(top["note"].dropna())]
    blocks.append(Csv(top.assign(edition=profile.edition.year, cluster=profile.cluster)[
        ["edition", "cluster", "output", "rank", "organisation", "count", "share_pct", "source"]],
        f"{_file_stem(profile)}-top-{output}.csv"))
    return SectionView("top-organisations", blocks, top_organisations_sources(profile, output))


def top_organisations(profile: ClusterProfile, output: str) -> Markup:
    view = cached_view(profile, f"top_organisations_{output}", functools.partial(top_organisations_view, output=output))
    assert view is not None
    return _shown(profile, view)


def fields_display(fields: pd.DataFrame) -> pd.DataFrame:
    """Two columns read top to bottom, then left to right, as in the GII profiles; a field with a share
    carries an inline bar on a 0 to 100% scale, the same for every list (grey: all other fields)."""
    cells = [inline_bar(f"{f} ({narrative.percent(s)})", s / 100, remainder=f == figures.REMAINDER_FIELD)
             if not pd.isna(s) else str(f)
             for f, s in zip(fields["field"], fields["share_pct"])]
    rows = math.ceil(len(cells) / 2)
    left, right = cells[:rows], cells[rows:]
    right += [""] * (rows - len(right))
    return pd.DataFrame({"": left, " ": right}, dtype=object)  # object: keeps the bars' Markup


def top_fields_view(profile: ClusterProfile) -> SectionView:
    blocks: list[Block] = [Heading(f"Top technology fields in {profile.cluster}")]  # WIPO's heading, over both lists
    for output in OUTPUT_KEYS:
        table = profile.top_fields[output]
        blocks.append(Heading(profile.about.output(output).fields_heading, 3))
        if table.empty:
            blocks.append(Missing(f"the top {OUTPUTS[output].field_kind} fields of "
                                  f"{profile.cluster}'s {profile.about.output(output).noun}", profile.gap_reason(GapSection.fields(output))))
            continue
        blocks.append(Table(fields_display(table), "data-table fields", header=False))
        blocks += [Paragraph(note, "note") for note in dict.fromkeys(table["note"].dropna())]
    all_fields = pd.concat(profile.top_fields.values())
    if not all_fields.empty:
        blocks.append(Csv(all_fields[["edition", "cluster", "output", "rank", "field", "share_pct", "source"]],
                          f"{_file_stem(profile)}-top-fields.csv"))
    return SectionView("top-fields", blocks, top_fields_sources(profile))


def top_fields(profile: ClusterProfile) -> Markup:
    view = cached_view(profile, "top_fields", top_fields_view)
    assert view is not None
    return _shown(profile, view)


def collaboration_view(profile: ClusterProfile) -> SectionView:
    blocks: list[Block] = [Heading("Collaboration")]
    shares = {}
    for output in OUTPUT_KEYS:
        share_row = profile.collaboration_share[output]
        share = None if share_row is None else float(share_row["share_pct"])
        shares[output] = share
        partners = list(profile.collaboration_partners[output]["partner"])
        noun = profile.about.output(output).noun if profile.about.computed else None
        sentence = narrative.collaboration_sentence(profile.cluster, output, share, partners, noun)
        if sentence is None:
            blocks.append(Missing(f"how many of {profile.cluster}'s {profile.about.output(output).noun} are produced "
                                  "in collaboration, and with whom", profile.gap_reason(GapSection.collaboration(output))))
            continue
        blocks.append(Paragraph(sentence))
        if share is not None and not partners:
            blocks.append(Missing(f"the top collaborating locations of {profile.cluster}'s {profile.about.output(output).noun}",
                                  profile.gap_reason(GapSection.COLLABORATION_PARTNERS)))
        if share_row is not None and not pd.isna(share_row["note"]):
            blocks.append(Paragraph(share_row["note"], "note"))
        blocks += [Paragraph(note, "note")
                   for note in dict.fromkeys(profile.collaboration_partners[output]["note"].dropna())]
    data = figures.collaboration_chart_data(shares)
    if data is not None and len(data) >= MIN_CHART_MARKS:
        labels = {o: profile.about.output(o).label for o in OUTPUT_KEYS}
        blocks.append(Chart(figures.collaboration_chart(data, labels, figures.collaboration_alt(data, labels, profile.cluster),
                                                        f"Share produced in collaboration, {profile.cluster}, "
                                                        f"{in_edition(profile, 'GII ')}")))
    rows = [{"edition": profile.edition.year, "cluster": profile.cluster, "output": output,
             "share_pct": shares[output], "partners": " ; ".join(profile.collaboration_partners[output]["partner"])}
            for output in OUTPUT_KEYS
            if shares[output] is not None or not profile.collaboration_partners[output].empty]
    if rows:
        blocks.append(Csv(pd.DataFrame(rows), f"{_file_stem(profile)}-collaboration.csv"))
    return SectionView("collaboration", blocks, collaboration_sources(profile))


def collaboration(profile: ClusterProfile) -> Markup:
    view = cached_view(profile, "collaboration", collaboration_view)
    assert view is not None
    return _shown(profile, view)


def venture_capital_view(profile: ClusterProfile) -> SectionView | None:
    """GII 2025's third measure, from whichever venture-capital figures the data holds; None for an
    edition that does not measure venture capital."""
    if not profile.edition.measures_venture_capital:
        return None
    year, cluster = profile.edition.year, profile.cluster
    blocks: list[Block] = [Heading("Venture-capital deals")]
    values = {column: profile.value(column) for column in VC_COLUMNS}
    sentence = narrative.venture_capital_sentence(
        cluster, deals=values["vc_deals"], per_million=values["vc_deals_per_million"],
        share=values["vc_share_pct"], rank=None if values["vc_rank"] is None else int(values["vc_rank"]),
        window=profile.edition.vc_deals_window)
    if sentence is None:
        blocks.append(Missing(f"{cluster}'s venture-capital deals, the third measure of GII {year}",
                              profile.gap_reason(GapSection.VC_DEALS)))
    else:
        blocks.append(Paragraph(sentence))
        unknown = [what for column, what in VC_COLUMNS.items() if values[column] is None]
        if unknown:
            blocks.append(Paragraph(f"Not in the data: {narrative.join_words(unknown)}.", "note"))
        frame = pd.DataFrame([{"edition": year, "cluster": cluster, **values, "source": profile.row["source"]}])
        blocks.append(Csv(frame, f"{_file_stem(profile)}-venture-capital.csv"))
    return SectionView("venture-capital", blocks, venture_capital_sources(profile))


def venture_capital(profile: ClusterProfile) -> Markup:
    """The venture-capital section; nothing at all for an edition that does not measure venture capital."""
    view = cached_view(profile, "venture_capital", venture_capital_view)
    return Markup("") if view is None else _shown(profile, view)


COMPARED_COLUMNS = ["size_rank", "intensity_rank", "pct_per_million", "articles_per_million", "pct_applications",
                    "scientific_publications", "vc_deals", "vc_deals_per_million"]


WINDOWED_TOTALS = {"pct_applications": "pct_window", "scientific_publications": "articles_window",
                   "vc_deals": "vc_deals_window"}  # clusters.csv column: its edition's window (Edition)
FIGURE_GAPS = {  # clusters.csv column: the gaps.csv section that says why it is missing
    "size_rank": GapSection.RANKING, "intensity_rank": GapSection.RANKING,
    "pct_applications": GapSection.COUNTS, "scientific_publications": GapSection.COUNTS,
    "vc_deals": GapSection.VC_DEALS, "pct_per_million": GapSection.INTENSITY,
    "articles_per_million": GapSection.INTENSITY, "vc_deals_per_million": GapSection.VC_DEALS}
HEADLINE_FIGURES = ["size_rank", "intensity_rank", "pct_applications", "scientific_publications", "vc_deals",
                    "pct_per_million", "articles_per_million", "vc_deals_per_million"]  # shown known or not


def _not_in_data(reason: str | None) -> Markup:
    return Markup('<span class="not-in-data">Not in the data</span>{}').format(
        Markup('<span class="why">{}</span>').format(reason) if reason else "")


def _figure_label(profile: ClusterProfile, column: str) -> str:
    window = getattr(profile.edition, WINDOWED_TOTALS[column]) if column in WINDOWED_TOTALS else None
    return figure_label(column, profile.about, window)


def economy_rank_text(profile: ClusterProfile) -> str | None:
    """'12th of 26 Chinese clusters in the top 100', from what the data knows of its economy."""
    economy = profile.economy
    among = "ranked in these records" if profile.about.computed else "in the top 100"
    if economy.count == 1 and profile.in_top100:
        return f"the only {economy.adjective} cluster {among}"
    if economy.rank is None:
        return None
    of = "" if economy.count is None else f" of {economy.count} {economy.adjective} clusters {among}"
    return f"{narrative.ordinal_number(economy.rank)}{of}"


def change_text(profile: ClusterProfile) -> str | None:
    """The size rank's move since the previous edition, from the previous edition's row or the rank the
    source states; None when neither is known."""
    after = profile.value("size_rank")
    before = None if profile.previous is None or pd.isna(profile.previous["size_rank"]) else profile.previous["size_rank"]
    if before is None:
        before = profile.value("previous_rank")
    if before is None or after is None:
        return None
    return f"{narrative.rank_move(int(before), int(after))} (from {int(before)} to {int(after)})"


def profile_parts(profile: ClusterProfile) -> dict[str, bool]:
    """The parts a complete profile has, each with whether the data holds it (the completeness figure)."""
    parts = {
        "size rank": profile.value("size_rank") is not None,
        "intensity rank": profile.value("intensity_rank") is not None,
        "totals": any(profile.value(c) is not None for c in ("pct_applications", "scientific_publications")),
        "figures per million inhabitants": any(profile.value(c) is not None
                                               for c in ("pct_per_million", "articles_per_million"))}
    for output in OUTPUT_KEYS:
        parts[profile.about.output(output).organisations_list] = not profile.top_organisations[output].empty
    for output in OUTPUT_KEYS:
        parts[f"top {OUTPUTS[output].field_kind} fields"] = not profile.top_fields[output].empty
    for output in OUTPUT_KEYS:
        parts[f"collaboration in {profile.about.output(output).noun}"] = (profile.collaboration_share[output] is not None
                                                            or not profile.collaboration_partners[output].empty)
    if not (profile.about.computed and profile.previous_edition is None):  # computed once: no previous edition
        parts["comparison with the previous edition"] = change_text(profile) is not None
    if profile.edition.measures_venture_capital:
        parts["venture-capital deals"] = any(profile.value(c) is not None for c in VC_COLUMNS)
    return parts


def completeness_text(profile: ClusterProfile) -> str:
    parts = profile_parts(profile)
    held = sum(parts.values())
    if held == len(parts):
        return f"complete: all {len(parts)} parts of a profile"
    return f"{held} of the {len(parts)} parts of a profile"


def key_figures_frame(profile: ClusterProfile) -> pd.DataFrame:
    """The panel under the lead: the headline figures, each known or marked as not in the data (with the
    reason gaps.csv gives), then the other figures the data holds, the change since the previous edition
    and how complete the profile is."""
    rows = []
    year = profile.edition.year
    for column in HEADLINE_FIGURES:
        if column == "pct_applications":  # after the ranks
            economy_rank = economy_rank_text(profile)
            rows.append({"Figure": FIGURE_LABELS["economy_rank"][0],
                         "Value": economy_rank if economy_rank is not None else _not_in_data(None)})
        if column in VENTURE_CAPITAL_FIGURES and not profile.edition.measures_venture_capital:
            continue
        if profile.in_top100 is False and column in ("size_rank", "intensity_rank"):
            continue  # below the top 100 there are no ranks to miss
        value = shown_value(profile, column)
        rows.append({"Figure": _figure_label(profile, column),
                     "Value": format_figure(value, FIGURE_LABELS[column][1]) if value is not None
                     else _not_in_data(profile.gap_reason(FIGURE_GAPS[column]))})
    previous_year = year - 1
    change = change_text(profile)
    if not profile.about.computed or change is not None:  # records computed once have no previous edition
        rows.append({"Figure": f"Size rank since GII {previous_year}",
                     "Value": change if change is not None else _not_in_data(previous_missing_reason(profile) + ".")})
    for column, (_label, kind) in FIGURE_LABELS.items():
        if column in HEADLINE_FIGURES or column in ("economy_rank", "previous_rank"):
            continue
        value = shown_value(profile, column)
        if value is not None:
            rows.append({"Figure": _figure_label(profile, column), "Value": format_figure(value, kind)})
    rows.append({"Figure": "How complete this profile is", "Value": completeness_text(profile)})
    return pd.DataFrame(rows, columns=["Figure", "Value"], dtype=object)  # object: string inference would drop the Markup


def key_figures_view(profile: ClusterProfile) -> SectionView:
    blocks: list[Block] = [Heading("Key figures, computed from these records" if profile.about.computed
                                   else f"Key figures, GII {profile.edition.year}"),
                           Table(key_figures_frame(profile), "data-table key-figures")]
    if not pd.isna(profile.row["note"]):
        blocks.append(Paragraph(profile.row["note"], "note"))
    blocks.append(Csv(profile.row.to_frame().T, f"{_file_stem(profile)}-key-figures.csv"))
    return SectionView("key-figures", blocks, key_figures_sources(profile))


def key_figures(profile: ClusterProfile) -> Markup:
    return _shown(profile, key_figures_view(profile))


RANK_DEFINITIONS = Markup(  # Markup, so that its apostrophe stays ' (as text it would be escaped to &#39;)
    "Size rank: rank among the top 100 clusters by their combined share of PCT applications and scientific "
    "articles (and, from 2025, venture-capital deals). Intensity rank: rank by the same outputs per 1 million "
    "inhabitants. Figures per million cover the edition's five-year windows.")


def data_notes_view(profile: ClusterProfile) -> SectionView:
    """The method, the data-quality findings, the conflicting sources, the known gaps and the list of every
    source. Each conflict and gap cites its source beside it; the view's sources are what those items cite,
    in order, then the edition's source."""
    year = profile.edition.year
    edition = profile.edition
    windows = []
    if edition.pct_window:
        windows.append(f"PCT applications published {edition.pct_window}")
    if edition.articles_window:
        windows.append(f"scientific articles published {edition.articles_window}")
    if edition.vc_deals_window:
        windows.append(f"venture-capital deals {edition.vc_deals_window}")
    blocks: list[Block] = [Heading("Sources and method notes"), *(
        computed_method_blocks(profile) if profile.about.computed else [
            Paragraph(f"GII {year} measures {edition.metrics_text}. "
                      + (f"Its data windows: {'; '.join(windows)}." if windows else "Its data windows are not in the data.")),
            Paragraph(RANK_DEFINITIONS)])]
    if profile.quality:
        blocks.append(Box("quality", [
            Heading("Data-quality notes", 3),
            Paragraph("The figures are shown as the source gives them; these points do not add up:"),
            BulletList([finding.message for finding in profile.quality])]))
    cited = report_citations(profile)
    sources: list[str] = []
    if not profile.conflicts.empty:
        items = []
        for _, row in profile.conflicts.iterrows():
            sources.append(row["source"])
            items.append(Markup("{}: {} reported by {}. {}").format(
                row["column"].replace("_", " "), row["reported_value"], cited.refs([row["source"]]),
                "" if pd.isna(row["note"]) else row["note"]))
        blocks.append(Box("conflicts", [
            Heading("Sources that disagree", 3),
            Paragraph("This report uses the values of the clusters table; other sources report:"),
            BulletList(items)]))
    other_gaps = gaps_not_in_lacks(profile)  # those the panel near the top lists are not repeated here
    if not other_gaps.empty:
        items = []
        for _, row in other_gaps.iterrows():
            sources.append(row["source"])
            items.append(Markup("{} ({})").format(row["reason"], cited.refs([row["source"]])))
        blocks.append(Box("gaps", [Heading("Known gaps", 3), BulletList(items)]))
    sources.append(edition.source)
    blocks += [Paragraph(Markup("Edition sources: {}").format(cited.refs([edition.source]))),
               Heading("All sources cited in this report", 3),
               SourceList(cited),
               Paragraph(computed_licence(profile) if profile.about.computed else
                         f"{citations.gii_licence(year)}. Every figure above names the public source it was read from.",
                         "licence")]
    return SectionView("data-notes", blocks, sources)


def computed_method_blocks(profile: ClusterProfile) -> list[Block]:
    """A computed folder's method, and the basis of each kind of total on the page (the key figures' and the
    lead's totals follow the counting; the collaboration counts are of whole documents)."""
    about = profile.about
    nouns = " and ".join(about.counted(output) for output in OUTPUT_KEYS)
    return [Paragraph(about.method_line()),
            Paragraph(f"Size rank: rank among the clusters in these records by their combined share of the records' "
                      f"{nouns}. Intensity rank: rank by the same outputs per 1 million inhabitants of the "
                      "population table given with the records."),
            Paragraph(f"Totals of documents: the key figures and the opening sentence give a {about.total_basis}; "
                      f"the collaboration counts are of {WHOLE_DOCUMENTS} with an address in the cluster, so they "
                      "can be larger.")]


def computed_licence(profile: ClusterProfile) -> str:
    """The footer of a computed page, instead of WIPO's notice (``FolderAbout.notice``)."""
    return profile.about.notice()


def data_notes(profile: ClusterProfile) -> Markup:
    """The data notes cite their sources item by item, so they have no source note of their own."""
    return render_section(data_notes_view(profile))


def _change(before, after, kind: str) -> str:
    if kind == "rank":
        return narrative.rank_move(int(before), int(after))
    difference = after - before
    return f"{difference:+,.0f} ({difference / before:+.1%})" if before else f"{difference:+,.0f}"


def previous_edition_frame(profile: ClusterProfile) -> pd.DataFrame:
    """The figures known in both editions, with their change (ranks: places; counts: difference)."""
    previous, year = profile.previous, profile.edition.year
    if previous is None:
        return pd.DataFrame()  # no row in the previous edition: nothing to compare
    rows = []
    for column in COMPARED_COLUMNS:
        label, kind = FIGURE_LABELS[column]
        before, after = previous[column], profile.row[column]
        if pd.isna(before) or pd.isna(after):
            continue  # a change needs both values
        rows.append({"Figure": label.replace(" (top 100)", ""), f"GII {year - 1}": format_figure(before, kind),
                     f"GII {year}": format_figure(after, kind), "Change": _change(before, after, kind)})
    return pd.DataFrame(rows)


def previous_missing_reason(profile: ClusterProfile) -> str:
    """Why the previous edition's figures are not beside this edition's (no full stop)."""
    year = profile.edition.year
    if profile.previous_edition is None:
        return f"GII {year - 1} is not in the data"
    return (f"{profile.cluster} has no row in the GII {year - 1} data (its rank there was not found, "
            "or it was not among the top 100)")


def _previous_edition_blocks(profile: ClusterProfile) -> list[Block]:
    year, cluster = profile.edition.year, profile.cluster
    if profile.about.computed and profile.previous_edition is None:
        return []  # records computed for one window have no previous edition to miss
    blocks: list[Block] = [Heading(f"Since GII {year - 1}", 3)]
    stated, size_rank = profile.value("previous_rank"), profile.value("size_rank")
    if profile.previous_edition is None or profile.previous is None:
        reason = previous_missing_reason(profile)
        if stated is not None and size_rank is not None:
            blocks.append(Paragraph(f"{reason}. The source gives its GII {year - 1} rank as {int(stated)}: "
                                    f"{narrative.rank_move(int(stated), int(size_rank))} in GII {year}."))
        else:
            blocks.append(Missing(f"a comparison with GII {year - 1}", reason + "."))
        return blocks
    frame = previous_edition_frame(profile)
    before, after = profile.previous["size_rank"], profile.row["size_rank"]
    if not pd.isna(before) and not pd.isna(after):
        blocks.append(Paragraph(
            f"{cluster} was the {narrative.ordinal_number(before)} largest cluster in GII {year - 1} and is the "
            f"{narrative.ordinal_number(after)} in GII {year}: {narrative.rank_move(int(before), int(after))}."))
    if frame.empty:
        blocks.append(Missing(f"a figure known for both GII {year - 1} and GII {year}",
                              "The two editions' rows share no known figure."))
        return blocks
    blocks.append(Table(frame))
    previous_edition, edition = profile.previous_edition, profile.edition
    if (previous_edition.pct_window, previous_edition.articles_window) != (edition.pct_window, edition.articles_window):
        blocks.append(Paragraph(
            f"Counts cover different five-year windows: GII {year - 1} counts PCT applications published "
            f"{previous_edition.pct_window or '?'} and articles published {previous_edition.articles_window or '?'}; "
            f"GII {year} counts {edition.pct_window or '?'} and {edition.articles_window or '?'}. "
            "A change in counts mixes growth with the shift of the window.", "note"))
    if previous_edition.metrics != edition.metrics:
        blocks.append(Paragraph(
            f"The ranking changed its method: GII {year - 1} measures {previous_edition.metrics_text}; "
            f"GII {year} measures {edition.metrics_text}. "
            "Ranks are not directly comparable across the two editions.", "note"))
    blocks.append(Csv(frame, f"{_file_stem(profile)}-since-{year - 1}.csv"))
    return blocks


def peers_frame(profile: ClusterProfile) -> pd.DataFrame:
    peers = profile.peers
    return pd.DataFrame({
        "Size rank": [NOT_GIVEN if pd.isna(r) else str(int(r)) for r in peers["size_rank"]],
        "Cluster": [f"{c} (this report)" if c == profile.cluster else c for c in peers["cluster"]],
        "Intensity rank": [NOT_GIVEN if pd.isna(r) else str(int(r)) for r in peers["intensity_rank"]],
    })


def neighbours_frame(profile: ClusterProfile) -> pd.DataFrame:
    near = profile.neighbours
    return pd.DataFrame({
        "Size rank": [str(int(r)) for r in near["size_rank"]],
        "Cluster": [f"{c} (this report)" if c == profile.cluster else c for c in near["cluster"]],
        "Economy": list(near["economy"]),
    })


def _peer_blocks(profile: ClusterProfile) -> list[Block]:
    adjective = profile.economy.adjective
    blocks: list[Block] = [Heading(f"Other {adjective} clusters {in_edition(profile)}", 3)]
    known = profile.economy.count
    if known == 1 and profile.in_top100:
        return []  # the only cluster of its economy: there is no other to show or to miss
    if len(profile.peers) <= 1:
        return [*blocks, Missing(f"other {adjective} clusters {in_edition(profile)}",
                                 "The data holds no other cluster of this economy for this edition.")]
    held = len(profile.peers)
    return [*blocks,
            Paragraph(f"The data holds {held} {narrative.plural(held, f'{adjective} cluster')} of this edition."
                      if known is None else
                      (f"These records rank {known} {adjective} clusters." if profile.about.computed else
                       f"The data holds {held} of the {known} {adjective} clusters in the top 100 that a source counts.")),
            Table(peers_frame(profile)),
            Csv(profile.peers[["edition", "cluster", "economy", "size_rank", "intensity_rank"]],
                f"{_file_stem(profile)}-peers.csv")]


def _neighbour_blocks(profile: ClusterProfile) -> list[Block]:
    blocks: list[Block] = [Heading(f"Ranked nearby {in_edition(profile)}", 3)]
    size_rank = profile.value("size_rank")
    if size_rank is None:
        return []  # no rank to be next to: the missing ranks are listed once, with the lead's
    if len(profile.neighbours) <= 1:
        return [*blocks, Missing(f"the clusters ranked next to {profile.cluster}", "Their ranks are not in the data.")]
    rank = int(size_rank)
    known_ranks = set(profile.neighbours["size_rank"].astype(int))
    holes = [r for r in range(max(1, rank - 2), rank + 3) if r not in known_ranks and r <= 100]
    blocks += [Table(neighbours_frame(profile)),
               Csv(profile.neighbours[["edition", "cluster", "economy", "size_rank", "intensity_rank"]],
                   f"{_file_stem(profile)}-ranked-nearby.csv")]
    if holes:
        blocks.append(Paragraph(f"Not in the data: the clusters ranked {narrative.join_words([str(h) for h in holes])}.",
                                "note"))
    return blocks


def comparisons_view(profile: ClusterProfile) -> SectionView:
    """The cluster against its previous edition, the other clusters of its economy and the clusters ranked
    next to it, with a chart of the ranks. Its figures are the clusters table's, cited by the key figures."""
    cluster = profile.cluster
    where = in_edition(profile, "GII ")  # "GII 2024", or "in these records" for a computed folder
    blocks: list[Block] = [Heading("Compared with its past and its peers"), *_previous_edition_blocks(profile),
                           *_peer_blocks(profile), *_neighbour_blocks(profile)]
    data = figures.peer_chart_data(profile.peers, profile.neighbours, cluster)
    if data is not None and len(data) >= MIN_CHART_MARKS:
        blocks.append(Chart(figures.peer_chart(data, f"{cluster} among its peers, {where}",
                                               figures.peer_alt(data, cluster, where.removeprefix("in ")),
                                               f"Size ranks of {profile.economy.adjective} clusters and of the "
                                               f"clusters ranked next to {cluster} (only ranks the data holds)")))
    return SectionView("comparisons", blocks, no_sources(profile))


def comparisons(profile: ClusterProfile) -> Markup:
    view = cached_view(profile, "comparisons", comparisons_view)
    assert view is not None
    return _shown(profile, view)


# ---------------------------------------------------------------------------------------- map

def profile_map_data(profile: ClusterProfile) -> map_layout.MapData:
    """The locator map's data: the cluster and the other clusters of its economy in the top 100."""
    peers = profile.peers if profile.peers is not None and not profile.peers.empty else profile.row.to_frame().T
    # clusters a source places outside the top 100 are not among the economy's ranked clusters
    peers = peers[(peers["cluster"] == profile.cluster) | peers["in_top100"].ne("false")]
    locations = profile.locations if not profile.locations.empty else map_layout.EMPTY_LOCATIONS
    return map_layout.profile_map_data(profile.cluster, profile.edition.year, peers, locations,
                                       profile.economy.adjective, footprint=profile.footprint)


def location_map_view(profile: ClusterProfile) -> SectionView:
    """A locator map of the cluster's economy: its clusters in the data, this one highlighted; under it what
    the map leaves out (map_text.map_notes) and its data."""
    year, cluster, adjective = profile.edition.year, profile.cluster, profile.economy.adjective
    data = profile_map_data(profile)
    blocks: list[Block] = [Heading(f"Where {cluster} is")]
    if not map_layout.focus_drawn(data):
        blocks.append(Missing(f"where {cluster} is", f"The data has {map_layout.NO_LOCATION_REASON} for {cluster}."))
    alt, caption = (map_text.profile_alt_text(data, cluster, year, adjective),
                    map_text.profile_caption(data, cluster, year, adjective))
    if profile.about.computed:  # the clusters of these records, not of a GII edition
        alt, caption = (text.replace(f"the GII {year} data", "these records") for text in (alt, caption))
    blocks.append(Chart(map_drawing.draw_map(data, alt, caption)))
    blocks += [Paragraph(note, "note") for note in map_text.map_notes(data)]
    blocks.append(Csv(data.table, f"{_file_stem(profile)}-map.csv", "Download the map's data (CSV)"))
    return SectionView("location-map", blocks, location_map_sources(profile))


def location_map(profile: ClusterProfile) -> Markup:
    view = cached_view(profile, "location_map", location_map_view)
    assert view is not None
    return _shown(profile, view)


def location_map_sources(profile: ClusterProfile) -> list[str]:
    locations = profile.locations if not profile.locations.empty else map_layout.EMPTY_LOCATIONS
    footprint = [] if profile.footprint is None or "source" not in profile.footprint else list(profile.footprint["source"])
    return [*dict.fromkeys(str(s) for s in [*footprint, *locations["source"]]), map_shapes.NATURAL_EARTH_SOURCE]


# ------------------------------------------------------------------------ what the profile lacks

_LAST_VIEWS: dict[str, tuple[ClusterProfile, tuple, SectionView | None]] = {}  # the last profile's views, by section


def cached_view(profile: ClusterProfile, name: str, build: Callable[[ClusterProfile], SectionView | None]
                ) -> SectionView | None:
    """A section's view, built once per profile: the panel of what the profile lacks reads every section's
    view before the sections are shown, and drawing a map or chart twice would double a render's time."""
    row = tuple(map(str, profile.row.to_list()))  # a profile's row edited in place is another profile
    cached = _LAST_VIEWS.get(name)
    if cached is not None and cached[0] is profile and cached[1] == row:
        return cached[2]
    if any(other is not profile or other_row != row for other, other_row, _ in _LAST_VIEWS.values()):
        _LAST_VIEWS.clear()  # another profile: keep only this one's views
    view = build(profile)
    _LAST_VIEWS[name] = (profile, row, view)
    return view


def _body_builders() -> dict[str, Callable[[ClusterProfile], SectionView | None]]:
    """The sections of the body that can miss a part, in page order, by name."""
    return {"lead": lead_view, "location_map": location_map_view,
            **{f"top_organisations_{o}": functools.partial(top_organisations_view, output=o) for o in OUTPUT_KEYS},
            "top_fields": top_fields_view, "collaboration": collaboration_view,
            "venture_capital": venture_capital_view, "comparisons": comparisons_view}


def missing_parts(profile: ClusterProfile) -> list[Missing]:
    """Every part of the profile the data lacks, in page order, with its reason when gaps.csv gives one."""
    return [block for name, build in _body_builders().items()
            for view in [cached_view(profile, name, build)] if view is not None
            for block in view.blocks if isinstance(block, Missing)]


def _reasons_in_lacks(profile: ClusterProfile) -> set[str]:
    return {m.reason for m in missing_parts(profile) if m.reason}


def lacks_sources(profile: ClusterProfile) -> list[str]:
    """The panel cites the sources of the gaps.csv reasons it gives, in the panel's order."""
    gaps = profile.gaps
    return [str(source) for m in missing_parts(profile) if m.reason
            for source in gaps.loc[gaps["reason"] == m.reason, "source"]]


def gaps_not_in_lacks(profile: ClusterProfile) -> pd.DataFrame:
    """The gaps.csv rows whose reason the panel of what the profile lacks does not give (the data notes list these)."""
    return profile.gaps[~profile.gaps["reason"].isin(_reasons_in_lacks(profile))]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def lacks_view(profile: ClusterProfile) -> SectionView:
    """One panel near the top listing what the profile lacks, each with its reason, instead of a box in
    every section; a single missing part is a sentence. Nothing when the profile lacks nothing."""
    parts = missing_parts(profile)
    blocks: list[Block] = [Heading("What this profile lacks")]
    if len(parts) == 1:
        blocks.append(Paragraph(Markup("Not in the data: {}. {}").format(
            parts[0].what, parts[0].reason or DEFAULT_MISSING_REASON)))
    elif parts:
        # the reason a source gives beside its part; the default reason said once, not on every line
        items = [Markup("{}. {}").format(_capitalised(m.what), m.reason) if m.reason
                 else Markup("{}.").format(_capitalised(m.what)) for m in parts]
        blocks += [Paragraph("Not in the data:"), BulletList(items)]
        if any(not m.reason for m in parts):
            blocks.append(Paragraph("Where no reason is given, no public source for the part was found when the "
                                    "data was compiled.", "note"))
    return SectionView("lacks", blocks, lacks_sources(profile))


def lacks(profile: ClusterProfile) -> Markup:
    view = lacks_view(profile)
    return Markup("") if view.kinds() == ["heading"] else _shown(profile, view)


# The profile's sections in the order the notebook shows them (tests/test_profile_sections.py checks it
# against the notebook). Add a section here and its sources join the report's list of sources.
PROFILE_SECTIONS: list[Section[ClusterProfile]] = [
    Section("title", title, no_sources),
    Section("lead", lead, lead_sources),
    Section("key_figures", key_figures, key_figures_sources),
    Section("lacks", lacks, lacks_sources),
    Section("location_map", location_map, location_map_sources),
    *(Section("top_organisations", functools.partial(top_organisations, output=o),
              functools.partial(top_organisations_sources, output=o), o) for o in OUTPUT_KEYS),
    Section("top_fields", top_fields, top_fields_sources),
    Section("collaboration", collaboration, collaboration_sources),
    Section("venture_capital", venture_capital, venture_capital_sources),
    Section("comparisons", comparisons, no_sources),
    Section("data_notes", data_notes, data_notes_sources),
]


def profile_sources(profile: ClusterProfile) -> list[str]:
    """Every source behind a figure of the report, in the order the sections cite them."""
    return [source for section in PROFILE_SECTIONS for source in section.sources(profile)]
