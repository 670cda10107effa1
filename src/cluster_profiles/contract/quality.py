"""Data-quality findings: things a source says that do not add up, kept and reported, never fixed.

Unlike validation errors (impossible values, broken references), these can be true of a real
source: a profile that lists one organisation twice, shares that do not sum to 100 %, a count that
does not match its share, a rank stated by one source that another table contradicts. ``validate``
prints them as warnings; each report shows the ones about its cluster.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import pandas as pd

from cluster_profiles.contract import citation_form
from cluster_profiles.contract.canonical_csv import line_of
from cluster_profiles.contract.tables import Tables
from cluster_profiles.contract.vocabulary import OUTPUTS, list_name

ROUNDING_PP = 0.5  # shares are printed as whole percentages: each is within ±0.5 points


@dataclass(frozen=True, order=True)
class Finding:
    edition: int
    cluster: str
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def implied_total_bounds(count: float, share_pct: float) -> tuple[float, float]:
    """The cluster totals consistent with a count and a share rounded to a whole percent."""
    high_share = (share_pct + ROUNDING_PP) / 100
    low_share = (share_pct - ROUNDING_PP) / 100
    return count / high_share, (math.inf if low_share <= 0 else count / low_share)


def _groups(frame: pd.DataFrame):
    return frame.groupby(["edition", "cluster", "output"], sort=True)


def duplicated_names(tables: Tables) -> list[Finding]:
    findings = []
    for (edition, cluster, output), group in _groups(tables.top_organisations):
        for name, rows in group.groupby("organisation"):
            if len(rows) > 1:
                ranks = " and ".join("unranked" if pd.isna(r) else str(int(r)) for r in rows["rank"])
                findings.append(Finding(int(edition), cluster, "top_organisations.csv", line_of(rows.index[-1]),
                                        "organisation",
                                        f"{name} is listed twice among the {list_name('top_organisations', output)} "
                                        f"(ranks {ranks}), as in the source; the report keeps both rows."))
    return findings


def counts_against_shares(tables: Tables) -> list[Finding]:
    """Rows of one top list with a count and a share must imply a common cluster total."""
    findings = []
    both = tables.top_organisations.dropna(subset=["count", "share_pct"])
    for (edition, cluster, output), group in _groups(both):
        if len(group) < 2:
            continue
        bounds = {index: implied_total_bounds(r["count"], r["share_pct"]) for index, r in group.iterrows()}
        if max(b[0] for b in bounds.values()) <= min(b[1] for b in bounds.values()):
            continue
        described = "; ".join(f"{r['organisation']} {r['count']:,.0f} = {r['share_pct']:g}%" for _, r in group.iterrows())
        findings.append(Finding(int(edition), cluster, "top_organisations.csv", line_of(group.index[-1]), "share_pct",
                                f"The counts and shares of the {list_name('top_organisations', output)} do not "
                                f"imply one cluster total, even allowing for rounding to whole percents ({described})."))
    return findings


def share_sums(tables: Tables) -> list[Finding]:
    """A list's shares add up to at most 100 % (plus rounding); a list with 'Other' adds up to 100 %."""
    findings = []
    for name in ("top_organisations", "top_fields"):
        frame = tables.frame(name)
        for (edition, cluster, output), group in _groups(frame):
            if group["share_pct"].isna().any():
                continue
            total = group["share_pct"].sum()
            tolerance = ROUNDING_PP * len(group)
            complete = name == "top_fields" and (group["field"] == "Other").any()
            if total > 100 + tolerance or (complete and total < 100 - tolerance):
                expected = "100%" if complete else "at most 100%"
                findings.append(Finding(int(edition), cluster, f"{name}.csv", line_of(group.index[-1]), "share_pct",
                                        f"The shares of the {list_name(name, output)} add up to {total:g}%, "
                                        f"not {expected} within rounding (±{tolerance:g} points)."))
    return findings


def stated_ranks_against_tables(tables: Tables) -> list[Finding]:
    """A previous rank stated by a source, checked against the previous edition's table."""
    findings = []
    clusters = tables.clusters
    ranks = {(int(e), c): r for e, c, r in zip(clusters["edition"], clusters["cluster"], clusters["size_rank"])
             if not pd.isna(r)}
    for index, row in clusters[clusters["previous_rank"].notna()].iterrows():
        earlier = ranks.get((int(row["edition"]) - 1, row["cluster"]))
        if earlier is not None and earlier != row["previous_rank"]:
            findings.append(Finding(int(row["edition"]), row["cluster"], "clusters.csv", line_of(index), "previous_rank",
                                    f"The source gives the {int(row['edition']) - 1} rank as {int(row['previous_rank'])}; "
                                    f"the GII {int(row['edition']) - 1} table in the data says {int(earlier)}."))
    return findings


def _totals(tables: Tables) -> dict[tuple[int, str, str], float]:
    """(edition, cluster, output) -> the cluster's total of that output, where clusters.csv gives it."""
    totals = {}
    for row in tables.clusters.itertuples():
        for output, spec in OUTPUTS.items():
            value = getattr(row, spec.total_column)
            if not pd.isna(value) and value > 0:
                totals[(int(row.edition), row.cluster, output)] = float(value)
    return totals


def top_counts_against_total(tables: Tables) -> list[Finding]:
    """The top organisations of a list together cannot hold more than the cluster's total (a shared
    patent or article counts once for the cluster; applicants rarely share enough to exceed it)."""
    findings = []
    totals = _totals(tables)
    for (edition, cluster, output), group in _groups(tables.top_organisations.dropna(subset=["count"])):
        total = totals.get((int(edition), cluster, output))
        summed = group["count"].sum()
        if total is not None and summed > total:
            findings.append(Finding(int(edition), cluster, "top_organisations.csv", line_of(group.index[-1]), "count",
                                    f"The {list_name('top_organisations', output)} together have {summed:,.0f}, "
                                    f"more than the cluster's total of {total:,.0f} "
                                    f"({OUTPUTS[output].total_column} in clusters.csv)."))
    return findings


def shares_against_total(tables: Tables) -> list[Finding]:
    """A count and its share of the cluster must agree with the cluster's total, within rounding."""
    findings = []
    totals = _totals(tables)
    for index, row in tables.top_organisations.dropna(subset=["count", "share_pct"]).iterrows():
        total = totals.get((int(row["edition"]), row["cluster"], row["output"]))
        if total is None:
            continue
        implied = 100 * row["count"] / total
        if abs(implied - row["share_pct"]) > ROUNDING_PP + 1e-9:
            findings.append(Finding(int(row["edition"]), row["cluster"], "top_organisations.csv", line_of(index),
                                    "share_pct",
                                    f"{row['organisation']}: {row['count']:,.0f} of the cluster's {total:,.0f} "
                                    f"is {implied:.1f}%, not the {row['share_pct']:g}% the source gives."))
    return findings


PER_MILLION_PAIRS = {  # a total and its figure per 1 million inhabitants, in clusters.csv
    "PCT applications": ("pct_applications", "pct_per_million"),
    "scientific articles": ("scientific_publications", "articles_per_million"),
    "venture-capital deals": ("vc_deals", "vc_deals_per_million"),
}


def implied_population_bounds(total: float, per_million: float) -> tuple[float, float]:
    """The populations (in millions) consistent with a total and a per-million figure rounded to a
    whole number."""
    high = per_million + ROUNDING_PP
    low = per_million - ROUNDING_PP
    return total / high, (math.inf if low <= 0 else total / low)


def totals_against_per_million(tables: Tables) -> list[Finding]:
    """A row's totals and per-million figures divide into one population: two outputs that imply
    different populations mean that one figure has another basis (another window, or per million
    where a total was meant)."""
    findings = []
    for index, row in tables.clusters.iterrows():
        bounds = {what: implied_population_bounds(float(row[total]), float(row[rate]))
                  for what, (total, rate) in PER_MILLION_PAIRS.items()
                  if not pd.isna(row[total]) and not pd.isna(row[rate]) and row[rate] > 0}
        if len(bounds) < 2 or max(b[0] for b in bounds.values()) <= min(b[1] for b in bounds.values()):
            continue
        described = "; ".join(f"{what}: {low:.1f}–{high:.1f} million" for what, (low, high) in bounds.items())
        findings.append(Finding(int(row["edition"]), row["cluster"], "clusters.csv", line_of(index), "source",
                                f"The totals and the figures per 1 million inhabitants imply different "
                                f"populations ({described}): one of them may have another basis."))
    return findings


def unfollowable_sources(tables: Tables) -> list[Finding]:
    """A source a reader cannot follow: a project path, a label glued before a URL, a publication
    cited twice in one cell (``citation_form``). Kept out of ``findings``: those are a page's notes about
    what its source says, and this is about how the folder cites it (tests/test_sources_followable.py)."""
    findings = []
    for name, frame in tables.frames.items():
        if "source" not in frame.columns:
            continue
        for position, (_, row) in enumerate(frame.iterrows()):
            for problem in citation_form.problems(row["source"]):
                edition = int(row["edition"]) if "edition" in frame.columns and not pd.isna(row["edition"]) else 0
                cluster = str(row["cluster"]) if "cluster" in frame.columns else ""
                findings.append(Finding(edition, cluster, f"{name}.csv", line_of(position), "source", problem))
    return findings


def findings(tables: Tables) -> list[Finding]:
    """Every data-quality finding in the data folder, sorted."""
    return sorted(duplicated_names(tables) + counts_against_shares(tables) + share_sums(tables)
                  + stated_ranks_against_tables(tables) + top_counts_against_total(tables)
                  + shares_against_total(tables) + totals_against_per_million(tables))


_FOLDER_FINDINGS: dict[int, list[Finding]] = {}  # id(tables) -> findings(tables), while that Tables lives


def findings_for(tables: Tables, edition: int, cluster: str) -> list[Finding]:
    """The findings about one cluster and edition. The whole folder's findings are worked out once per
    ``Tables`` (which is read-only), or once per loaded folder for the unmodified copies ``load_tables`` hands out:
    every profile built from it (a warm kernel's reports, a comparison's clusters) picks its own from them
    instead of checking the folder again."""
    tables = tables.unmodified_origin()
    key = id(tables)
    if key not in _FOLDER_FINDINGS:
        _FOLDER_FINDINGS[key] = findings(tables)
        weakref.finalize(tables, _FOLDER_FINDINGS.pop, key, None)
    return [f for f in _FOLDER_FINDINGS[key] if f.edition == edition and f.cluster == cluster]
