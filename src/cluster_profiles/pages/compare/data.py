"""The comparison's page model: two or more clusters of one edition, each as its profile shows it
(``profile.build_profile``), and the tables the page shows of them: key figures, ranks across
editions, top fields side by side, and what the data lacks for which of them.

The figures, their labels and formats, and the missing-data reasons are the profile's own
(``narrate.key_figures``, ``ClusterProfile.gap_reason``). Nothing here writes HTML.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cluster_profiles import paths
from cluster_profiles.contract.tables import Tables
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS, OUTPUTS, GapSection
from cluster_profiles.errors import ParameterError
from cluster_profiles.names import find_cluster, shorten
from cluster_profiles.narrate import figures, narrative
from cluster_profiles.narrate.key_figures import FIGURE_LABELS, VENTURE_CAPITAL_FIGURES, format_figure, shown_value
from cluster_profiles.narrate.profile import ClusterProfile, Edition, build_profile, clusters_of_edition, edition_info
from cluster_profiles.narrate.views import DEFAULT_MISSING_REASON, NOT_GIVEN

# Where the profile's data notes put the reason a key figure is missing (gaps.csv ``section``), by column.
_RANKING, _INTENSITY, _VC = GapSection.RANKING, GapSection.INTENSITY, GapSection.VC_DEALS
GAP_SECTIONS: dict[str, tuple[GapSection, ...]] = {
    "size_rank": (_RANKING,), "intensity_rank": (_INTENSITY, _RANKING), "economy_rank": (_RANKING,),
    "previous_rank": (_RANKING,), "vc_rank": (_VC,),
    "pct_per_million": (_INTENSITY,), "articles_per_million": (_INTENSITY,), "vc_deals_per_million": (_VC,),
    "vc_deals": (_VC,), "vc_share_pct": (_VC,),
}
RANK_COLUMNS = {"size_rank": "Size rank", "intensity_rank": "Intensity rank"}
# The figures per 1 million inhabitants the page draws, with their names in the chart.
PER_MILLION = {column: FIGURE_LABELS[column][0].replace(" per 1 million inhabitants", "")
               for column in ("pct_per_million", "articles_per_million", "vc_deals_per_million")}


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


def per_million(comparison: Comparison) -> pd.DataFrame:
    """The figures per 1 million inhabitants of ``key_figures``: one row per figure (named as in
    ``PER_MILLION``) the data holds for one cluster at least, one column per cluster."""
    frame = key_figures(comparison)
    shown = frame[frame["column"].isin(list(PER_MILLION))]
    return shown.assign(column=shown["column"].map(PER_MILLION)).rename(columns={"column": "figure"})


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


def top_fields_table(comparison: Comparison) -> pd.DataFrame:
    """Every top-field row of the clusters, patents then articles for each, as the data holds them."""
    lists = pd.concat([p.top_fields[o] for p in comparison.profiles for o in OUTPUT_KEYS])
    return lists[["edition", "cluster", "output", "rank", "field", "share_pct", "source"]]


def _gap_reason(profile: ClusterProfile, sections_: tuple[GapSection, ...]) -> str | None:
    for section in sections_:
        reason = profile.gap_reason(section)
        if reason:
            return reason
    return None


def fields_heading(output: str) -> str:
    """'Top technology fields (PCT applications)', 'Top science fields (scientific articles)'."""
    return f"{OUTPUTS[output].fields_list.capitalize()} ({OUTPUTS[output].counted})"


def missing_items(comparison: Comparison) -> pd.DataFrame:
    """What the comparison shows for some clusters and not for others, cluster by cluster, with the
    reason the data gives (``gaps.csv``) or the profile's default reason."""
    rows = []
    figures_frame = key_figures(comparison)
    for profile in comparison.profiles:
        for column, value in zip(figures_frame["column"], figures_frame[profile.cluster]):
            if value is None or pd.isna(value):
                rows.append({"cluster": profile.cluster, "missing": FIGURE_LABELS[column][0],
                             "reason": _gap_reason(profile, GAP_SECTIONS.get(column, (GapSection.COUNTS,)))})
        for output in OUTPUT_KEYS:
            if profile.top_fields[output].empty:
                rows.append({"cluster": profile.cluster, "missing": fields_heading(output),
                             "reason": profile.gap_reason(GapSection.fields(output))})
    frame = pd.DataFrame(rows, columns=["cluster", "missing", "reason"])
    frame["reason"] = frame["reason"].fillna(DEFAULT_MISSING_REASON)
    return frame


def missing_for_all(comparison: Comparison) -> list[str]:
    """The profile's key figures the data holds for none of the clusters."""
    shown = set(key_figures(comparison)["column"])
    measured = [c for c in FIGURE_LABELS
                if c not in VENTURE_CAPITAL_FIGURES or comparison.edition.measures_venture_capital]
    return [FIGURE_LABELS[c][0] for c in measured if c not in shown]
