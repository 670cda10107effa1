"""An edition at a glance, the data: one edition's clusters and the frames the overview shows.

Pure functions of the tables (tested on the fixture folder); ``sections`` turns them into
HTML, ``figures`` draws their charts and ``overview`` is what the notebook calls.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from cluster_profiles import paths
from cluster_profiles.contract.economies import primary_economy
from cluster_profiles.contract.tables import Tables
from cluster_profiles.narrate.profile import Edition


class Overview:
    """One edition's tables, and the folder where its cluster reports may already be."""

    def __init__(self, tables: Tables, edition: Edition, reports_dir: Path | None, page_dir: Path | None = None):
        self.tables, self.edition, self.reports_dir = tables, edition, reports_dir
        # links are relative to where the page is read (the rendered site, a notebook in JupyterLab,
        # a file manager), so they work without a server and wherever the folder is moved
        self.page_dir = (page_dir or Path.cwd()).resolve()
        self.clusters = tables.clusters[tables.clusters["edition"] == edition.year]
        previous = tables.clusters[tables.clusters["edition"] == edition.year - 1]
        self.previous = previous if not previous.empty else None

    def _link_to(self, target: Path) -> str:
        return Path(os.path.relpath(target.resolve(), self.page_dir)).as_posix()

    def report_link(self, cluster: str) -> str | None:
        """Relative link from the page to a cluster's report, if that report has been rendered."""
        if self.reports_dir is None:
            return None
        target = self.reports_dir / paths.report_relpath(self.edition.year, cluster)
        return self._link_to(target) if target.is_file() else None

    def index_link(self) -> str | None:
        """Relative link to the reports' index, when there are reports to list (batch builds write it last)."""
        if self.reports_dir is None or not any(self.reports_dir.glob("*/*.html")):
            return None
        return self._link_to(self.reports_dir / "index.html")


# --------------------------------------------------------------------------------------- data


def ranking(overview: Overview, column: str) -> pd.DataFrame:
    """Known ranks by ``size_rank`` or ``intensity_rank``, best first."""
    ranked = overview.clusters.dropna(subset=[column]).sort_values(column)
    return ranked[["edition", column, "cluster", "economy", "size_rank", "intensity_rank"]].loc[
        :, lambda f: ~f.columns.duplicated()].reset_index(drop=True)


def clusters_per_economy(overview: Overview) -> pd.DataFrame:
    """Per economy: the count a source states, and how many clusters the data holds."""
    counts = overview.tables.economy_cluster_counts
    stated = counts[counts["edition"] == overview.edition.year].set_index("economy")["cluster_count"]
    ranked = overview.clusters[overview.clusters["in_top100"].ne("false").fillna(True)]  # not those below the top 100
    held = pd.Series([primary_economy(c) for c in ranked["economy"]], dtype=object).value_counts()
    economies = sorted(set(stated.index) | set(held.index))
    names = overview.tables.economies.set_index("code")["name"]
    frame = pd.DataFrame({
        "economy": economies,
        "name": [names.get(e, e) for e in economies],
        "stated_count": [stated.get(e, pd.NA) for e in economies],
        "clusters_in_data": [int(held.get(e, 0)) for e in economies],
    })
    frame["stated_count"] = frame["stated_count"].astype("Int64")
    return frame.sort_values(["stated_count", "clusters_in_data", "economy"], ascending=[False, False, True],
                             na_position="last").reset_index(drop=True)


def concentration(overview: Overview) -> tuple[pd.DataFrame | None, str]:
    """Cumulative shares of PCT applications and articles held by the top N clusters, for the
    largest N such that ranks 1..N all have both shares; with the reason when that is impossible."""
    ranked = overview.clusters.dropna(subset=["size_rank"]).set_index("size_rank").sort_index()
    rows, rank = [], 1
    while rank in ranked.index and ranked.loc[rank, ["pct_share_pct", "pub_share_pct"]].notna().all():
        rows.append(ranked.loc[rank])
        rank += 1
    if len(rows) < 2:
        return None, (f"The shares of all PCT applications and articles are not in the data for the top clusters "
                      f"of GII {overview.edition.year} (they are known for the largest cluster only)."
                      if rank > 1 else f"No cluster's share of all PCT applications and articles is in the data "
                                       f"for GII {overview.edition.year}.")
    frame = pd.DataFrame(rows).reset_index(names="size_rank")
    result = pd.DataFrame({
        "size_rank": frame["size_rank"].astype(int),
        "cluster": frame["cluster"],
        "cumulative_pct_share": frame["pct_share_pct"].astype(float).cumsum().round(1),
        "cumulative_pub_share": frame["pub_share_pct"].astype(float).cumsum().round(1),
    })
    return result, ""


def rank_changes(overview: Overview) -> tuple[pd.DataFrame | None, str]:
    """Size-rank changes since the previous edition: from its table when the data has it, else
    from the previous rank a source states."""
    current = overview.clusters.dropna(subset=["size_rank"])
    rows = []
    for row in current.itertuples():
        before, basis = None, None
        if overview.previous is not None:
            match = overview.previous[(overview.previous["cluster"] == row.cluster)].dropna(subset=["size_rank"])
            if not match.empty:
                before, basis = int(match.iloc[0]["size_rank"]), f"GII {overview.edition.year - 1} table"
        if before is None and not pd.isna(row.previous_rank):
            before, basis = int(row.previous_rank), "previous rank stated by the source"
        if before is not None:
            rows.append({"cluster": row.cluster, "previous_rank": before, "size_rank": int(row.size_rank),
                         "change": before - int(row.size_rank), "basis": basis})
    if not rows:
        return None, f"No cluster of GII {overview.edition.year} has a known rank in the previous edition."
    frame = pd.DataFrame(rows).sort_values(["change", "size_rank"], ascending=[False, True]).reset_index(drop=True)
    return frame, ""


VC_COLUMNS = ["vc_deals", "vc_deals_per_million", "vc_share_pct", "vc_rank"]


def venture_capital(overview: Overview) -> pd.DataFrame:
    """The clusters with any venture-capital figure: by stated rank, then share, then size rank."""
    known = overview.clusters[overview.clusters[VC_COLUMNS].notna().any(axis=1)]
    ordered = known.sort_values(["vc_rank", "vc_share_pct", "size_rank", "cluster"],
                                ascending=[True, False, True, True], na_position="last")
    return ordered[["edition", "cluster", "economy", "size_rank", *VC_COLUMNS]].reset_index(drop=True)


def mapped_clusters(overview: Overview) -> pd.DataFrame:
    """The clusters the map draws: a source's placing outside the top 100 leaves a cluster off the ranked ones."""
    return overview.clusters[overview.clusters["in_top100"].ne("false")]
