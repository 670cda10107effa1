"""Two or more clusters of one edition side by side: key figures, ranks across editions, top fields,
and what the data lacks for which of them.

Each cluster is the profile the report shows (``profile.build_profile``); the figures, their labels and
formats, the sentences and the missing-data reasons are the profile's own (``sections``, ``narrative``).
Data functions return DataFrames (tested); section functions return escaped HTML; ``show_*`` functions
are what ``notebooks/compare_clusters.ipynb`` calls.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from markupsafe import Markup

from cluster_profiles import paths
from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.tables import Tables
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS, OUTPUTS
from cluster_profiles.errors import ParameterError
from cluster_profiles.names import find_cluster, shorten, slug
from cluster_profiles.narrate import figures, narrative
from cluster_profiles.narrate.citations import Citations
from cluster_profiles.narrate.profile import ClusterProfile, Edition, build_profile, clusters_of_edition, edition_info
from cluster_profiles.narrate.views import DEFAULT_MISSING_REASON, NOT_GIVEN, csv_download, html_table, missing
from cluster_profiles.pages.parameters import CompareParameters, check_parameters
from cluster_profiles.pages.profile.notebook import show_html
from cluster_profiles.pages.profile.sections import FIGURE_LABELS, format_figure, shown_value

# Where the profile's data notes put the reason a key figure is missing (gaps.csv ``section``), by column.
GAP_SECTIONS = {
    "size_rank": ("ranking",), "intensity_rank": ("intensity", "ranking"), "economy_rank": ("ranking",),
    "previous_rank": ("ranking",), "vc_rank": ("vc_deals",),
    "pct_per_million": ("intensity",), "articles_per_million": ("intensity",), "vc_deals_per_million": ("vc_deals",),
    "vc_deals": ("vc_deals",), "vc_share_pct": ("vc_deals",),
}
RANK_COLUMNS = {"size_rank": "Size rank", "intensity_rank": "Intensity rank"}
PER_MILLION = ["pct_per_million", "articles_per_million", "vc_deals_per_million"]


def resolve_clusters(tables: Tables, typed: list[str], edition: int) -> list[str]:
    """The canonical names of ``typed`` in GII ``edition``, in the order given: an unknown name fails
    as the profile fails (suggestions, the editions it is in); the same cluster twice, under any
    spelling, is an error."""
    names = [build_profile(tables, name, edition).cluster for name in typed]
    seen: dict[str, int] = {}
    for number, name in enumerate(names):
        if name in seen:
            first = seen[name]
            spelled = ("" if typed[first] == typed[number]
                       else f" ('{shorten(typed[first])}' and '{shorten(typed[number])}' are the same cluster)")
            raise ParameterError(f"{name} is named twice in the comparison, as names {first + 1} and {number + 1}"
                                 f"{spelled}: give each cluster once.")
        seen[name] = number
    return names


@dataclass(frozen=True)
class Comparison:
    """The profiles of two or more clusters of one edition, and where the page and the reports are."""

    tables: Tables
    edition: Edition
    profiles: tuple[ClusterProfile, ...]
    reports_dir: Path | None = None
    page_dir: Path | None = None

    @property
    def clusters(self) -> list[str]:
        return [p.cluster for p in self.profiles]

    @property
    def year(self) -> int:
        return self.edition.year

    @functools.cached_property
    def citations(self) -> Citations:
        return Citations.of(comparison_source_groups(self))

    def report_link(self, cluster: str) -> str | None:
        """Relative link from the page to the cluster's profile, if that report has been rendered."""
        if self.reports_dir is None:
            return None
        target = self.reports_dir / paths.report_relpath(self.year, cluster)
        return self._link_to(target) if target.is_file() else None

    def index_link(self) -> str | None:
        if self.reports_dir is None or not (self.reports_dir / paths.INDEX_NAME).is_file():
            return None
        return self._link_to(self.reports_dir / paths.INDEX_NAME)

    def _link_to(self, target: Path) -> str:
        page_dir = (self.page_dir or Path.cwd()).resolve()
        return Path(os.path.relpath(target.resolve(), page_dir)).as_posix()


def build_comparison(tables: Tables, clusters: list[str], edition: int, reports_dir: Path | None = None,
                     page_dir: Path | None = None) -> Comparison:
    names = resolve_clusters(tables, clusters, edition)
    return Comparison(tables, edition_info(tables, edition), tuple(build_profile(tables, n, edition) for n in names),
                      reports_dir, page_dir)


def load_comparison(**parameters: object) -> Comparison:
    """Check the notebook's parameters, load and validate the data, build each cluster's profile."""
    checked = check_parameters(CompareParameters, parameters, "comparison")
    tables = load_tables(checked.data_dir or None)
    return build_comparison(tables, checked.clusters, checked.edition,
                            Path(checked.reports_dir) if checked.reports_dir else None,
                            Path(checked.page_dir) if checked.page_dir else None)


def title_text(clusters: list[str], edition: int) -> str:
    return f"{narrative.join_words(clusters)} side by side, GII {edition}"


# --------------------------------------------------------------------------------------- data


def key_figures(comparison: Comparison) -> pd.DataFrame:
    """One row per key figure the data holds for at least one of the clusters (the profile's figures,
    in its order), one column of values per cluster; None where the data lacks it."""
    rows = []
    for column in FIGURE_LABELS:
        values = [shown_value(p, column) for p in comparison.profiles]
        if any(v is not None for v in values):
            rows.append({"column": column, **dict(zip(comparison.clusters, values))})
    return pd.DataFrame(rows, columns=["column", *comparison.clusters], dtype=object)


def key_figures_display(frame: pd.DataFrame, clusters: list[str]) -> pd.DataFrame:
    shown = {"Figure": [FIGURE_LABELS[c][0] for c in frame["column"]]}
    for cluster in clusters:
        shown[cluster] = [NOT_GIVEN if v is None or pd.isna(v) else format_figure(v, FIGURE_LABELS[c][1])
                          for c, v in zip(frame["column"], frame[cluster])]
    return pd.DataFrame(shown)


def per_million_chart_data(comparison: Comparison) -> pd.DataFrame | None:
    """Figures per 1 million inhabitants, long: one row per (figure, cluster) the data holds; None when
    no figure is known for two clusters or more."""
    rows = []
    for column in PER_MILLION:
        known = [(p.cluster, shown_value(p, column)) for p in comparison.profiles]
        known = [(c, v) for c, v in known if v is not None]
        if len(known) >= 2:
            rows += [{"figure": FIGURE_LABELS[column][0].replace(" per 1 million inhabitants", ""),
                      "cluster": c, "per_million": float(v)} for c, v in known]
    return pd.DataFrame(rows) if rows else None


def rank_history(comparison: Comparison) -> pd.DataFrame:
    """Each cluster's size and intensity ranks in every edition the data holds; ``in_data`` False for
    an edition without a row for it (the name is matched in each edition as the profile matches it)."""
    rows = []
    clusters = comparison.tables.clusters
    for cluster in comparison.clusters:
        for year in comparison.tables.edition_list():
            name = find_cluster(cluster, clusters_of_edition(comparison.tables, year))
            row = clusters[(clusters["edition"] == year) & (clusters["cluster"] == name)] if name else clusters.iloc[0:0]
            found = not row.empty
            rows.append({
                "cluster": cluster, "edition": year, "in_data": found,
                **{c: (None if not found or pd.isna(row.iloc[0][c]) else int(row.iloc[0][c])) for c in RANK_COLUMNS},
                "source": str(row.iloc[0]["source"]) if found else None,
            })
    frame = pd.DataFrame(rows)
    for column in RANK_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    return frame


def rank_cell(row) -> str:
    if not row["in_data"]:
        return "not in the data"
    parts = [f"{label.split()[0].lower()} {int(row[c])}" for c, label in RANK_COLUMNS.items() if not pd.isna(row[c])]
    return ", ".join(parts) if parts else "in the data, no rank"


def rank_history_display(history: pd.DataFrame) -> pd.DataFrame:
    table = history.assign(shown=[rank_cell(r) for _, r in history.iterrows()])
    wide = table.pivot(index="cluster", columns="edition", values="shown")
    wide = wide.reindex(list(dict.fromkeys(history["cluster"])))
    wide.columns = [f"GII {e}" for e in wide.columns]
    return wide.reset_index().rename(columns={"cluster": "Cluster"})


def rank_chart_data(history: pd.DataFrame) -> pd.DataFrame | None:
    """The size ranks to draw: one point per (cluster, edition) with a rank; None when there is none."""
    ranked = history.dropna(subset=["size_rank"])
    if ranked.empty:
        return None
    return pd.DataFrame({"cluster": ranked["cluster"].to_numpy(), "edition": ranked["edition"].astype(int).to_numpy(),
                         "size_rank": ranked["size_rank"].astype(int).to_numpy()})


def fields_side_by_side(comparison: Comparison, output: str) -> pd.DataFrame:
    """Rank by rank, each cluster's top field of ``output`` with its share ('Semiconductors (35%)');
    empty where the cluster's list is shorter or missing."""
    lists = {p.cluster: p.top_fields[output] for p in comparison.profiles}
    depth = max((len(t) for t in lists.values()), default=0)
    frame = {"#": [str(i) for i in range(1, depth + 1)]}
    for cluster, table in lists.items():
        cells = [f"{f} ({narrative.percent(s)})" if not pd.isna(s) else str(f)
                 for f, s in zip(table["field"], table["share_pct"])]
        frame[cluster] = cells + [""] * (depth - len(cells))
    return pd.DataFrame(frame)


def shared_fields(comparison: Comparison, output: str) -> pd.DataFrame:
    """Fields in the top lists of two clusters or more (not 'Other'), with each cluster's share."""
    lists = {p.cluster: p.top_fields[output] for p in comparison.profiles if not p.top_fields[output].empty}
    counts: dict[str, int] = {}
    for table in lists.values():
        for field in dict.fromkeys(table["field"]):
            if field != figures.REMAINDER_FIELD:
                counts[field] = counts.get(field, 0) + 1
    rows = []
    for field in [f for f, n in counts.items() if n >= 2]:
        row: dict[str, object] = {"field": field}
        for cluster, table in lists.items():
            share = table.loc[table["field"] == field, "share_pct"]
            row[cluster] = None if share.empty or pd.isna(share.iloc[0]) else float(share.iloc[0])
        rows.append(row)
    return pd.DataFrame(rows, columns=["field", *lists])


def shared_field_holders(comparison: Comparison, output: str, shared: pd.DataFrame) -> dict[str, list[str]]:
    """For each shared field, the clusters whose top list holds it, with the share where the data has
    one: {'Electrical machinery': ['Hefei 7%', 'Nanjing']}."""
    holders: dict[str, list[str]] = {}
    for field in shared["field"]:
        for profile in comparison.profiles:
            table = profile.top_fields[output]
            rows = table[table["field"] == field]
            if rows.empty:
                continue
            share = rows.iloc[0]["share_pct"]
            holders.setdefault(field, []).append(
                profile.cluster if pd.isna(share) else f"{profile.cluster} {narrative.percent(share)}")
    return holders


def _gap_reason(profile: ClusterProfile, sections_: tuple[str, ...]) -> str | None:
    for section in sections_:
        reason = profile.gap_reason(section)
        if reason:
            return reason
    return None


def fields_heading(output: str) -> str:
    """'Top technology fields (PCT applications)', 'Top science fields (scientific articles)'."""
    return f"{OUTPUTS[output].fields_list.capitalize()} ({OUTPUTS[output].label.lower().replace('pct', 'PCT')})"


def missing_items(comparison: Comparison) -> pd.DataFrame:
    """What the comparison shows for some clusters and not for others, cluster by cluster, with the
    reason the data gives (``gaps.csv``) or the profile's default reason."""
    rows = []
    figures_frame = key_figures(comparison)
    for profile in comparison.profiles:
        for column, value in zip(figures_frame["column"], figures_frame[profile.cluster]):
            if value is None or pd.isna(value):
                rows.append({"cluster": profile.cluster, "missing": FIGURE_LABELS[column][0],
                             "reason": _gap_reason(profile, GAP_SECTIONS.get(column, ("counts",)))})
        for output in OUTPUT_KEYS:
            if profile.top_fields[output].empty:
                rows.append({"cluster": profile.cluster, "missing": fields_heading(output),
                             "reason": profile.gap_reason(f"fields_{output}")})
    frame = pd.DataFrame(rows, columns=["cluster", "missing", "reason"])
    frame["reason"] = frame["reason"].fillna(DEFAULT_MISSING_REASON)
    return frame


def missing_for_all(comparison: Comparison) -> list[str]:
    """The profile's key figures the data holds for none of the clusters."""
    shown = set(key_figures(comparison)["column"])
    measured = [c for c in FIGURE_LABELS if not (c.startswith("vc_") and not comparison.edition.measures_venture_capital)]
    return [FIGURE_LABELS[c][0] for c in measured if c not in shown]


# ----------------------------------------------------------------------------------- citations


def key_figures_sources(comparison: Comparison) -> list[str]:
    return [str(p.row["source"]) for p in comparison.profiles]


def rank_history_sources(comparison: Comparison) -> list[str]:
    return list(rank_history(comparison)["source"].dropna())


def top_fields_sources(comparison: Comparison) -> list[str]:
    return [s for p in comparison.profiles for o in OUTPUT_KEYS for s in p.top_fields[o]["source"]]


def missing_sources(comparison: Comparison) -> list[str]:
    return [s for p in comparison.profiles for s in p.gaps["source"]]


def notes_sources(comparison: Comparison) -> list[str]:
    return [comparison.edition.source]


def comparison_source_groups(comparison: Comparison) -> list[list[str]]:
    """What the page cites, note by note, in the order of the notebook's sections."""
    return [key_figures_sources(comparison), rank_history_sources(comparison), top_fields_sources(comparison),
            missing_sources(comparison), notes_sources(comparison)]


# ------------------------------------------------------------------------------------- sections


def _file_stem(comparison: Comparison) -> str:
    return f"gii{comparison.year}-compare-{'--'.join(slug(c) for c in comparison.clusters)}"[:120]


def _cluster_link(comparison: Comparison, cluster: str) -> Markup:
    link = comparison.report_link(cluster)
    return Markup('<a href="{}">{}</a>').format(link, cluster) if link else Markup.escape(cluster)


def title(comparison: Comparison) -> Markup:
    year = comparison.year
    items = Markup("").join(
        Markup("<li><strong>{}</strong> ({}). {}</li>").format(
            _cluster_link(comparison, p.cluster), " / ".join(p.economy_names),
            narrative.lead_sentence(p.cluster, year, economy_rank=p.economy.rank, economy_count=p.economy.count,
                                    adjective=p.economy.adjective, in_top100=p.in_top100))
        for p in comparison.profiles)
    index = comparison.index_link()
    return Markup('<header class="report-title"><p class="kicker">Global Innovation Index {}</p>'
                  "<h1>{}</h1></header><ul class=\"compared\">{}</ul>{}").format(
        year, title_text(comparison.clusters, year), items,
        Markup('<p><a href="{}">All reports</a></p>').format(index) if index else "")


def key_figures_section(comparison: Comparison) -> Markup:
    year = comparison.year
    parts = [Markup("<h2>Key figures, GII {}</h2>").format(year)]
    frame = key_figures(comparison)
    if frame.empty:
        parts.append(missing(f"a key figure for any of these clusters in GII {year}", None))
        return Markup('<section class="key-figures">{}</section>').format(Markup("").join(parts))
    parts.append(html_table(key_figures_display(frame, comparison.clusters), css_class="data-table side-numbers"))
    if frame[comparison.clusters].isna().any().any():
        parts.append(Markup('<p class="note">{} : not in the data (why: see “What the data lacks”).</p>').format(
            NOT_GIVEN))
    data = per_million_chart_data(comparison)
    if data is not None:
        parts.append(per_million_chart(data, comparison))
    parts.append(csv_download(frame.rename(columns={"column": "figure"}).assign(edition=year),
                              f"{_file_stem(comparison)}-key-figures.csv"))
    parts.append(comparison.citations.note(key_figures_sources(comparison)))
    return Markup('<section class="key-figures">{}</section>').format(Markup("").join(parts))


def per_million_chart(data: pd.DataFrame, comparison: Comparison) -> Markup:
    figures.style()
    outputs = list(dict.fromkeys(data["figure"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.6 * len(outputs) + 0.6, 0.45 * len(comparison.clusters) + 1.4),
                             squeeze=False)
    for ax, figure in zip(axes[0], outputs):
        part = data[data["figure"] == figure]
        sns.barplot(data=part, y="cluster", x="per_million", color=figures.PALETTE["highlight"], ax=ax, orient="h", errorbar=None)
        ax.set_title(figure, loc="left", fontsize=11)
        ax.set_xlabel("Per 1 million inhabitants")
        ax.set_ylabel("")
        for container in ax.containers:
            ax.bar_label(container, labels=[narrative.thousands(v) for v in part["per_million"]], padding=3)
        ax.margins(x=0.25)
    fig.tight_layout()
    alt = "Bar charts of figures per 1 million inhabitants: " + " | ".join(
        f"{figure}: " + "; ".join(f"{c} {narrative.thousands(v)}" for c, v in zip(g["cluster"], g["per_million"]))
        for figure, g in data.groupby("figure", sort=False))
    return figures.figure_html(fig, alt, f"Output per 1 million inhabitants, GII {comparison.year} "
                                         "(only clusters whose figure is in the data are drawn)")


def rank_history_section(comparison: Comparison) -> Markup:
    editions = comparison.tables.edition_list()
    parts = [Markup("<h2>Ranks across editions</h2>"),
             Markup("<p>Size and intensity ranks in each GII edition the data holds ({}).</p>").format(
                 narrative.join_words([str(e) for e in editions]))]
    history = rank_history(comparison)
    parts.append(html_table(rank_history_display(history), css_class="data-table side-text"))
    metrics = comparison.tables.editions.set_index("edition")["metrics"]
    if metrics.nunique() > 1:
        parts.append(Markup('<p class="note">The ranking changed its method between editions ({}): ranks are not '
                            "directly comparable across them.</p>").format(
            "; ".join(f"GII {e}: {m.replace('; ', ', ')}" for e, m in metrics.items())))
    data = rank_chart_data(history)
    if data is None:
        parts.append(missing("a size rank of these clusters in any edition", None))
    else:
        parts.append(rank_chart(data, editions))
    parts.append(csv_download(history, f"{_file_stem(comparison)}-ranks.csv"))
    parts.append(comparison.citations.note(rank_history_sources(comparison)))
    return Markup('<section class="rank-history">{}</section>').format(Markup("").join(parts))


def rank_chart(data: pd.DataFrame, editions: list[int]) -> Markup:
    figures.style()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    clusters = list(dict.fromkeys(data["cluster"]))
    palette = dict(zip(clusters, sns.color_palette("colorblind", len(clusters))))
    sns.lineplot(data=data, x="edition", y="size_rank", hue="cluster", hue_order=clusters, palette=palette,
                 marker="o", markersize=8, ax=ax, sort=True)
    for cluster, edition, rank in data.itertuples(index=False):
        ax.annotate(str(rank), (edition, rank), xytext=(6, 4), textcoords="offset points", color=palette[cluster])
    ax.set_xticks(editions, [str(e) for e in editions])
    ax.set_xlim(editions[0] - 0.3, editions[-1] + 0.3)
    ax.invert_yaxis()
    ax.set_xlabel("GII edition")
    ax.set_ylabel("Size rank (1 = largest)")
    ax.legend(title="", frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title("Size rank by edition", loc="left", fontsize=12)
    fig.tight_layout()
    alt = "Line chart of size ranks by GII edition: " + "; ".join(
        f"{c} " + ", ".join(f"{e} {r}" for e, r in zip(g["edition"], g["size_rank"]))
        for c, g in data.groupby("cluster", sort=False))
    return figures.figure_html(fig, alt, "Size rank in each edition the data holds (a missing point: no rank in "
                                         "the data for that edition)")


def top_fields_section(comparison: Comparison) -> Markup:
    parts = [Markup("<h2>Top fields compared</h2>")]
    for output in OUTPUT_KEYS:
        parts.append(Markup("<h3>{}</h3>").format(fields_heading(output)))
        frame = fields_side_by_side(comparison, output)
        lacking = [p for p in comparison.profiles if p.top_fields[output].empty]
        if len(lacking) == len(comparison.profiles):
            parts.append(missing(f"the top {OUTPUTS[output].field_kind} fields of these clusters", None))
            continue
        parts.append(html_table(frame, css_class="data-table side-text"))
        for profile in lacking:
            parts.append(missing(f"the top {OUTPUTS[output].field_kind} fields of {profile.cluster}",
                                 profile.gap_reason(f"fields_{output}")))
        shared = shared_fields(comparison, output)
        if shared.empty:
            parts.append(Markup("<p>No {} field is in the top lists of two of these clusters.</p>").format(
                OUTPUTS[output].field_kind))
        else:
            parts.append(Markup("<p>In the top lists of more than one of them: {}.</p>").format(narrative.join_words([
                Markup("{} ({})").format(field, ", ".join(holders)) for field, holders in shared_field_holders(
                    comparison, output, shared).items()])))
    lists = pd.concat([p.top_fields[o] for p in comparison.profiles for o in OUTPUT_KEYS])
    if not lists.empty:
        parts.append(csv_download(lists[["edition", "cluster", "output", "rank", "field", "share_pct", "source"]],
                                  f"{_file_stem(comparison)}-top-fields.csv"))
    parts.append(comparison.citations.note(top_fields_sources(comparison)))
    return Markup('<section class="top-fields">{}</section>').format(Markup("").join(parts))


def missing_section(comparison: Comparison) -> Markup:
    parts = [Markup("<h2>What the data lacks</h2>")]
    items = missing_items(comparison)
    if items.empty:
        parts.append(Markup("<p>Every figure and list above is in the data for each of these clusters.</p>"))
    else:
        for cluster, group in items.groupby("cluster", sort=False):
            parts.append(Markup("<h3>{}</h3><ul>{}</ul>").format(cluster, Markup("").join(
                Markup("<li>{}: not in the data. {}</li>").format(row["missing"], row["reason"])
                for _, row in group.iterrows())))
        parts.append(csv_download(items.assign(edition=comparison.year), f"{_file_stem(comparison)}-missing.csv"))
    absent = missing_for_all(comparison)
    if absent:
        parts.append(Markup('<p class="note">Not in the data for any of them, so not shown: {}.</p>').format(
            "; ".join(absent)))
    parts.append(comparison.citations.note(missing_sources(comparison)))
    return Markup('<section class="missing-data">{}</section>').format(Markup("").join(parts))


def notes_section(comparison: Comparison) -> Markup:
    edition, cited = comparison.edition, comparison.citations
    links = Markup(", ").join(Markup('<a href="{}">{}</a>').format(link, p.cluster)
                              for p in comparison.profiles if (link := comparison.report_link(p.cluster)))
    return Markup('<section class="data-notes"><h2>Sources and method notes</h2>'
                  "<p>GII {} measures {}; PCT applications published {}, articles published {}. Every figure is "
                  "read from the data folder, as each cluster's profile shows it.{}</p>"
                  "<p>Edition sources: {}</p>"
                  "<h3>All sources cited in this comparison</h3>{}"
                  '<p class="licence">GII data: WIPO, Global Innovation Index {}, licensed CC BY 4.0.</p>'
                  "</section>").format(
        edition.year, edition.metrics.replace("; ", ", "), edition.pct_window or "(window not in the data)",
        edition.articles_window or "(window not in the data)",
        Markup(" Full profiles: {}.").format(links) if links else "", cited.refs(notes_sources(comparison)),
        cited.list_html(), edition.year)


def show_title(comparison: Comparison) -> None:
    show_html(title(comparison))


def show_key_figures(comparison: Comparison) -> None:
    show_html(key_figures_section(comparison))


def show_rank_history(comparison: Comparison) -> None:
    show_html(rank_history_section(comparison))


def show_top_fields(comparison: Comparison) -> None:
    show_html(top_fields_section(comparison))


def show_missing(comparison: Comparison) -> None:
    show_html(missing_section(comparison))


def show_notes(comparison: Comparison) -> None:
    show_html(notes_section(comparison))

