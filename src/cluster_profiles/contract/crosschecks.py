"""Cross-checks between and within tables (BuzzFeed-style cross-footing), run by ``validate.validate_frames``
once every table has its types and passes its schema.

Which rows must refer to which is derived from each table's declared scope (``schema.TableSpec.scope``).
Problems are located as ``file:line:column`` of the canonical CSV, as the schema's are.
"""

from __future__ import annotations

import pandas as pd

from cluster_profiles.contract.canonical_csv import line_of, show_value
from cluster_profiles.contract.economies import economy_codes, primary_economy
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.contract.tables import Tables
from cluster_profiles.contract.vocabulary import OUTPUTS
from cluster_profiles.errors import ClusterProfilesError, Problem
from cluster_profiles.names import collision_key, slug

_show = show_value


def cross_check(tables: Tables) -> list[Problem]:
    problems: list[Problem] = []
    known_economies = set(tables.economies["code"])
    editions = {int(e) for e in tables.editions["edition"]}
    clusters = tables.clusters
    cluster_keys = {(int(e), c) for e, c in zip(clusters["edition"], clusters["cluster"])}
    cluster_names = set(clusters["cluster"])

    for spec in TABLES.values():
        frame = tables.frame(spec.name)
        if spec.name != "editions" and "edition" in spec.columns:
            for index, edition in frame["edition"].items():
                if int(edition) not in editions:
                    problems.append(Problem(spec.file_name, line_of(index), "edition", str(edition),
                                            f"an edition listed in editions.csv ({', '.join(map(str, sorted(editions)))})"))
        if spec.name == "clusters" or "cluster" not in spec.columns:
            continue
        if spec.scope == "cluster" and "edition" in spec.columns:
            for index, edition, name in zip(frame.index, frame["edition"], frame["cluster"]):
                if (int(edition), name) not in cluster_keys:
                    problems.append(Problem(spec.file_name, line_of(index), "cluster", repr(name),
                                            f"a cluster listed in clusters.csv for edition {edition}"))
        else:  # a table about clusters across editions (their locations, say)
            for index, name in frame["cluster"].items():
                if name not in cluster_names:
                    problems.append(Problem(spec.file_name, line_of(index), "cluster", repr(name),
                                            "a cluster listed in clusters.csv (any edition)"))

    for index, code in clusters["economy"].items():
        for part in economy_codes(code):
            if part not in known_economies:
                problems.append(Problem("clusters.csv", line_of(index), "economy", repr(part),
                                        "an economy code listed in economies.csv"))
    for index, code in tables.economy_cluster_counts["economy"].items():
        if code not in known_economies:
            problems.append(Problem("economy_cluster_counts.csv", line_of(index), "economy", repr(code),
                                    "an economy code listed in economies.csv"))

    problems += _check_names_collide(clusters)
    problems += _check_ranks(clusters)
    problems += _check_list_ranks(tables)
    problems += _check_economy_ranks(tables)
    problems += _check_total_shares(clusters)
    problems += _check_top_counts_within_totals(tables)
    for index, column in tables.conflicts["column"].items():
        if column not in clusters.columns:
            problems.append(Problem("conflicts.csv", line_of(index), "column", repr(column),
                                    "a column of clusters.csv"))
    return problems


def _check_names_collide(clusters: pd.DataFrame) -> list[Problem]:
    """Two clusters of one edition must not share a report file or be indistinguishable on screen:
    names that differ only in case, accents, look-alike letters or after the slug's 80 characters."""
    problems = []
    for edition, group in clusters.groupby("edition", sort=True):
        seen: dict[tuple[str, str], tuple[int, str]] = {}
        for index, name in group["cluster"].items():
            try:
                file_name = slug(name)
            except ClusterProfilesError:
                problems.append(Problem("clusters.csv", line_of(index), "cluster", _show(name),
                                        "a name with letters or digits that can name a report file"))
                continue
            for kind, key in (("name", collision_key(name)), ("report file", file_name)):
                if (kind, key) in seen:
                    other_line, other = seen[(kind, key)]
                    for line, this, that, that_line in ((line_of(index), name, other, other_line),
                                                        (other_line, other, name, line_of(index))):
                        clash = ("looks the same as" if kind == "name"
                                 else f"would be written to reports/{edition}/{file_name}.html, like")
                        problems.append(Problem("clusters.csv", line, "cluster",
                                                f"{_show(this)}, which {clash} {_show(that)} "
                                                f"(clusters.csv:{that_line}:cluster)",
                                                "cluster names of an edition that stay distinct regardless of "
                                                "case, accents and look-alike letters, and in their first 80 characters"))
                    break
                seen[(kind, key)] = (line_of(index), name)
    return sorted(set(problems))


def _check_ranks(clusters: pd.DataFrame) -> list[Problem]:
    problems = []
    for column in ["size_rank", "intensity_rank", "vc_rank"]:
        ranked = clusters[clusters[column].notna()]
        duplicated = ranked[ranked.duplicated(["edition", column], keep=False)]
        for index, row in duplicated.iterrows():
            others = duplicated[(duplicated["edition"] == row["edition"])
                                & (duplicated[column] == row[column]) & (duplicated.index != index)]
            problems.append(Problem("clusters.csv", line_of(index), column,
                                    f"{row[column]} for {row['cluster']}, also given to "
                                    f"{', '.join(others['cluster'])}",
                                    f"each {column} used once per edition (put other sources' values in conflicts.csv)"))
    for index, size_rank, in_top100 in zip(clusters.index, clusters["size_rank"], clusters["in_top100"]):
        if pd.notna(size_rank) and in_top100 == "false":
            problems.append(Problem("clusters.csv", line_of(index), "in_top100", "false",
                                    f"true or empty, since size_rank is {size_rank}"))
    return problems


# The top lists: their name column, the thing a row of the list names.
LIST_NAME_COLUMNS = {"top_organisations": "organisation", "top_fields": "field", "collaboration_partners": "partner"}


def _check_list_ranks(tables: Tables) -> list[Problem]:
    """A rank is used once per list; a row without a rank (the source gives no order) says why in its note."""
    problems = []
    for table, name_column in LIST_NAME_COLUMNS.items():
        frame = tables.frame(table)
        file_name = f"{table}.csv"
        ranked = frame[frame["rank"].notna()]
        duplicated = ranked[ranked.duplicated(["edition", "cluster", "output", "rank"], keep=False)]
        for index, row in duplicated.iterrows():
            others = duplicated[(duplicated["edition"] == row["edition"]) & (duplicated["cluster"] == row["cluster"])
                                & (duplicated["output"] == row["output"]) & (duplicated["rank"] == row["rank"])
                                & (duplicated.index != index)]
            problems.append(Problem(file_name, line_of(index), "rank",
                                    f"{row['rank']} for {row[name_column]}, also given to "
                                    f"{', '.join(others[name_column])}",
                                    "each rank used once per list (edition, cluster, output); leave the rank "
                                    "empty where the source gives no order"))
        for index in frame.index[frame["rank"].isna() & frame["note"].isna()]:
            problems.append(Problem(file_name, line_of(index), "rank", "an empty rank and no note",
                                    "a rank, or a note saying why the source gives no order (an unnumbered list)"))
    return problems


def _check_economy_ranks(tables: Tables) -> list[Problem]:
    problems = []
    counts = {(int(r.edition), r.economy): int(r.cluster_count)
              for r in tables.economy_cluster_counts.itertuples()}
    clusters = tables.clusters
    for index, economy_rank, edition, economy, size_rank in zip(
            clusters.index, clusters["economy_rank"], clusters["edition"], clusters["economy"], clusters["size_rank"]):
        if pd.isna(economy_rank):
            continue
        count = counts.get((int(edition), primary_economy(economy)))
        if count is not None and economy_rank > count:
            problems.append(Problem("clusters.csv", line_of(index), "economy_rank", str(economy_rank),
                                    f"at most {count}, the number of clusters economy_cluster_counts.csv gives "
                                    f"for {primary_economy(economy)} in {edition}"))
        if pd.notna(size_rank) and economy_rank > size_rank:
            problems.append(Problem("clusters.csv", line_of(index), "economy_rank", str(economy_rank),
                                    f"at most the size rank ({size_rank})"))
    return problems


def _check_total_shares(clusters: pd.DataFrame) -> list[Problem]:
    """Total is the sum of the two shares, each printed to one decimal: allow ±0.1 per term."""
    problems = []
    complete = clusters.dropna(subset=["pct_share_pct", "pub_share_pct", "total_share_pct"])
    for index, pct_share, pub_share, total_share in zip(
            complete.index, complete["pct_share_pct"], complete["pub_share_pct"], complete["total_share_pct"]):
        expected = pct_share + pub_share
        if abs(expected - total_share) > 0.15 + 1e-9:
            problems.append(Problem("clusters.csv", line_of(index), "total_share_pct", str(total_share),
                                    f"pct_share_pct + pub_share_pct = {expected:.1f} (±0.15 for rounding)"))
    return problems


def _check_top_counts_within_totals(tables: Tables) -> list[Problem]:
    problems = []
    clusters = tables.clusters
    column_for = {key: output.total_column for key, output in OUTPUTS.items()}
    totals = {column: dict(zip(zip(clusters["edition"], clusters["cluster"]), clusters[column]))
              for column in set(column_for.values())}  # (edition, cluster) -> the cluster's total, per column
    top = tables.top_organisations.dropna(subset=["count"])
    for index, edition, cluster, output, count in zip(top.index, top["edition"], top["cluster"], top["output"],
                                                      top["count"]):
        column = column_for[output]
        if (edition, cluster) not in totals[column]:
            continue
        total = totals[column][(edition, cluster)]
        if pd.notna(total) and count > total:
            problems.append(Problem("top_organisations.csv", line_of(index), "count", f"{count:g}",
                                    f"at most the cluster's total of {total:g} ({column} in clusters.csv)"))
    return problems
