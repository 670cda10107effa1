"""Everything the data says about one cluster in one edition, gathered into one object."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cluster_profiles.contract.economies import economy_codes, primary_economy
from cluster_profiles.contract.folder_about import PUBLISHED_GII, FolderAbout, folder_about
from cluster_profiles.contract.quality import Finding, findings_for
from cluster_profiles.contract.tables import Tables
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS, VENTURE_CAPITAL_MEASURE, GapSection
from cluster_profiles.errors import UnknownEditionError
from cluster_profiles.names import resolve_cluster


@dataclass(frozen=True)
class Edition:
    year: int
    metrics: str
    pct_window: str | None
    articles_window: str | None
    vc_deals_window: str | None
    report_url: str | None
    source: str

    @property
    def measures(self) -> tuple[str, ...]:
        """What the edition ranks clusters by, one item a measure (``editions.csv`` lists them with '; ')."""
        return tuple(item.strip() for item in self.metrics.split(";") if item.strip())

    @property
    def metrics_text(self) -> str:
        """The measures in a sentence: 'PCT applications, scientific articles'."""
        return ", ".join(self.measures)

    @property
    def measures_venture_capital(self) -> bool:
        """GII 2025 added venture-capital deals as a third measure; earlier editions have none."""
        return VENTURE_CAPITAL_MEASURE in self.measures


@dataclass(frozen=True)
class EconomyRank:
    rank: int | None
    count: int | None
    adjective: str
    derived: bool  # True when computed from a complete top of the ranking, not stated by a source
    count_source: str | None


@dataclass(frozen=True)
class ClusterProfile:
    cluster: str
    edition: Edition
    economy_code: str
    economy_names: list[str]
    row: pd.Series  # the clusters.csv row
    economy: EconomyRank
    top_organisations: dict[str, pd.DataFrame]
    top_fields: dict[str, pd.DataFrame]
    collaboration_share: dict[str, pd.Series | None]
    collaboration_partners: dict[str, pd.DataFrame]
    conflicts: pd.DataFrame
    gaps: pd.DataFrame
    previous: pd.Series | None = None  # the cluster's row in the previous edition, if any
    quality: list[Finding] = field(default_factory=list)  # data-quality findings about this cluster
    previous_edition: Edition | None = None
    peers: pd.DataFrame = field(default_factory=pd.DataFrame)  # the edition's clusters of the same economy
    locations: pd.DataFrame = field(default_factory=pd.DataFrame)  # cluster_locations.csv rows of it and its peers
    footprint: pd.DataFrame | None = None  # the cluster's own weighted points, once computed from records
    neighbours: pd.DataFrame = field(default_factory=pd.DataFrame)  # the clusters ranked just above and below
    about: FolderAbout = PUBLISHED_GII  # what the data folder is: WIPO's published GII, or computed from records

    def value(self, column: str) -> float | int | None:
        """A clusters.csv value, or None when the data does not have it."""
        value = self.row[column]
        return None if pd.isna(value) else value

    @property
    def in_top100(self) -> bool | None:
        if self.value("size_rank") is not None:
            return True
        flag = self.row["in_top100"]
        return None if pd.isna(flag) else flag == "true"

    def gap_reason(self, section: GapSection) -> str | None:
        """Why the data lacks this part of the profile (``gaps.csv``), if it says."""
        rows = self.gaps[self.gaps["section"] == GapSection(section)]  # a misspelt section fails here
        return None if rows.empty else str(rows.iloc[0]["reason"])


def edition_info(tables: Tables, edition: int) -> Edition:
    rows = tables.editions[tables.editions["edition"] == edition]
    if rows.empty:
        raise UnknownEditionError.for_edition(edition, tables.edition_list())
    row = rows.iloc[0]

    def text(column: str) -> str | None:
        return None if pd.isna(row[column]) else str(row[column])

    return Edition(int(row["edition"]), str(row["metrics"]), text("pct_window"), text("articles_window"),
                   text("vc_deals_window"), text("report_url"), str(row["source"]))


def clusters_of_edition(tables: Tables, edition: int) -> list[str]:
    return sorted(tables.clusters.loc[tables.clusters["edition"] == edition, "cluster"])


def ranking_is_complete_to(clusters: pd.DataFrame, edition: int, rank: int) -> bool:
    """True when every size rank from 1 to ``rank`` is known for the edition."""
    ranks = set(clusters.loc[(clusters["edition"] == edition) & clusters["size_rank"].notna(), "size_rank"])
    return all(r in ranks for r in range(1, rank + 1))


def economy_rank(tables: Tables, row: pd.Series) -> EconomyRank:
    edition = int(row["edition"])
    economy = primary_economy(row["economy"])
    adjective = str(tables.economies.set_index("code").loc[economy, "adjective"])
    counts = tables.economy_cluster_counts
    count_row = counts[(counts["edition"] == edition) & (counts["economy"] == economy)]
    count = None if count_row.empty else int(count_row.iloc[0]["cluster_count"])
    count_source = None if count_row.empty else str(count_row.iloc[0]["source"])
    if pd.notna(row["economy_rank"]):
        return EconomyRank(int(row["economy_rank"]), count, adjective, False, count_source)
    size_rank = row["size_rank"]
    if pd.notna(size_rank) and ranking_is_complete_to(tables.clusters, edition, int(size_rank)):
        same = tables.clusters[(tables.clusters["edition"] == edition)
                               & tables.clusters["size_rank"].notna()
                               & (tables.clusters["size_rank"] <= size_rank)]
        rank = sum(primary_economy(code) == economy for code in same["economy"])
        return EconomyRank(rank, count, adjective, True, count_source)
    return EconomyRank(None, count, adjective, False, count_source)


NEIGHBOUR_SPAN = 2  # clusters shown above and below in the size ranking


def peers_of(tables: Tables, row: pd.Series) -> pd.DataFrame:
    edition = tables.clusters[tables.clusters["edition"] == row["edition"]]
    economy = primary_economy(row["economy"])
    same = edition[[primary_economy(code) == economy for code in edition["economy"]]]
    return same.sort_values(["size_rank", "cluster"], na_position="last").reset_index(drop=True)


def neighbours_of(tables: Tables, row: pd.Series) -> pd.DataFrame:
    if pd.isna(row["size_rank"]):
        return tables.clusters.iloc[0:0]
    edition = tables.clusters[(tables.clusters["edition"] == row["edition"]) & tables.clusters["size_rank"].notna()]
    close = edition[(edition["size_rank"] - row["size_rank"]).abs() <= NEIGHBOUR_SPAN]
    return close.sort_values("size_rank").reset_index(drop=True)


def locations_of(tables: Tables, clusters: pd.DataFrame) -> pd.DataFrame:
    """The map points (cluster_locations.csv rows) of the given clusters, in the table's order."""
    locations = tables.cluster_locations
    return locations[locations["cluster"].isin(set(clusters["cluster"]))].reset_index(drop=True)


def footprint_of(tables: Tables, edition: int, cluster: str) -> pd.DataFrame | None:
    """The cluster's computed footprint (``cluster_footprints.csv``: weighted points), None without one."""
    rows = _for_cluster(tables.cluster_footprints, edition, cluster)
    return None if rows.empty else rows[["latitude", "longitude", "weight", "source"]].reset_index(drop=True)


def _for_cluster(frame: pd.DataFrame, edition: int, cluster: str) -> pd.DataFrame:
    return frame[(frame["edition"] == edition) & (frame["cluster"] == cluster)]


def build_profile(tables: Tables, cluster: str, edition: int) -> ClusterProfile:
    """The profile of ``cluster`` (any spelling) in GII ``edition``."""
    info = edition_info(tables, edition)
    names_by_edition = {year: clusters_of_edition(tables, year) for year in tables.edition_list()}
    name = resolve_cluster(cluster, names_by_edition.get(edition, []), edition, names_by_edition)
    row = _for_cluster(tables.clusters, edition, name).iloc[0]
    economies = tables.economies.set_index("code")
    top_orgs = _for_cluster(tables.top_organisations, edition, name)
    fields = _for_cluster(tables.top_fields, edition, name)
    collab = _for_cluster(tables.collaboration, edition, name)
    partners = _for_cluster(tables.collaboration_partners, edition, name)
    previous_rows = _for_cluster(tables.clusters, edition - 1, name)
    return ClusterProfile(
        cluster=name,
        edition=info,
        economy_code=str(row["economy"]),
        economy_names=[str(economies.loc[c, "name"]) for c in economy_codes(row["economy"])],
        row=row,
        economy=economy_rank(tables, row),
        top_organisations={o: top_orgs[top_orgs["output"] == o].sort_values("rank", kind="stable").reset_index(drop=True)
                           for o in OUTPUT_KEYS},
        top_fields={o: fields[fields["output"] == o].sort_values("rank", kind="stable").reset_index(drop=True)
                    for o in OUTPUT_KEYS},
        collaboration_share={o: (None if collab[collab["output"] == o].empty
                                 else collab[collab["output"] == o].iloc[0]) for o in OUTPUT_KEYS},
        collaboration_partners={o: partners[partners["output"] == o].sort_values("rank", kind="stable").reset_index(drop=True)
                                for o in OUTPUT_KEYS},
        conflicts=_for_cluster(tables.conflicts, edition, name).reset_index(drop=True),
        gaps=_for_cluster(tables.gaps, edition, name).reset_index(drop=True),
        previous=None if previous_rows.empty else previous_rows.iloc[0],
        quality=findings_for(tables, edition, name),
        previous_edition=(edition_info(tables, edition - 1) if edition - 1 in tables.edition_list() else None),
        peers=peers_of(tables, row),
        locations=locations_of(tables, peers_of(tables, row)),
        neighbours=neighbours_of(tables, row),
        footprint=footprint_of(tables, edition, name),
        about=folder_about(tables),
    )
