"""The whole compute half: records folder -> clusters -> measures -> a validated data folder.

``command.run`` is what ``cluster-profiles clusters`` and ``make clusters`` call. ``compute``
does everything but the writing and returns the tables, the clusters and a summary (for the notebook and the
benchmark); ``compute_read`` is the same after the records are read. The relational work runs in an in-memory
DuckDB database (``compute/database.py``) with a memory limit, so that large records spill to disk instead of
filling memory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd

from cluster_profiles.compute import fields, measures, points, precision
from cluster_profiles.compute.about import RecordsAbout, read_records_about
from cluster_profiles.compute.clustering import Clusters, DensestPlace, densest_place, find_clusters
from cluster_profiles.compute.database import (  # noqa: F401 (work_database: the benchmark's and tests' way in)
    DUCKDB_MEMORY_WHILE_CLUSTERING,
    memory_limit,
    work_database,
)
from cluster_profiles.compute.progress import Stages
from cluster_profiles.compute.records import RecordsInfo, read_records
from cluster_profiles.compute.settings import (  # noqa: F401 (settings_label: the clustering page's way in)
    DEFAULT_SETTINGS_NAME,
    Settings,
    settings_label,
)
from cluster_profiles.compute.write import RUN_FILE
from cluster_profiles.contract.folder_about import settings_name
from cluster_profiles.contract.vocabulary import KIND_NOUNS, KIND_PEOPLE, RECORD_KINDS, plural

WINDOW_SETTINGS = {"pct": "pct_years", "article": "article_years"}

# Why DBSCAN found no cluster of a kind, checked in this order (each later step needs the earlier ones)
NO_DOCUMENTS = "no_documents"  # the records hold no document of the kind
OUTSIDE_WINDOW = "outside_window"  # every document of the kind is outside its window
NO_COORDINATES = "no_coordinates"  # documents in the window, but no address of theirs has coordinates
BELOW_THRESHOLD = "below_min_people"  # the densest place has fewer than min_people within radius_km


@dataclass(frozen=True)
class Remedy:
    """A setting that would change a kind's outcome: ``setting`` ``relation`` ``value``
    (``min_people`` ``at most`` 300; ``radius_km`` ``above`` 15.0; ``pct_years`` ``overlapping`` (2001, 2010))."""

    setting: str
    relation: str
    value: int | float | tuple[int, int]


@dataclass(frozen=True)
class NoCluster:
    """Why DBSCAN found no cluster of one kind of document (``reason``, one of the constants above), with the
    numbers behind it and the settings that would change it (none when only other records would)."""

    kind: str
    reason: str
    documents: int  # read, of this kind
    in_window: int
    addresses_in_window: int
    located_people: int  # address rows in the window with coordinates: the most any radius could gather
    years: tuple[int, int] | None = None  # the first and last year of the kind's documents in the records
    densest: DensestPlace | None = None  # reason BELOW_THRESHOLD
    densest_city: str | None = None  # the city the records name most often in the densest place's grid cell
    remedies: tuple[Remedy, ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)


def no_cluster(kind: str, settings: Settings, counts: points.ReadCounts, years: tuple[int, int] | None,
               densest: DensestPlace | None, densest_city: str | None) -> NoCluster:
    """Why a kind whose DBSCAN found nothing has no cluster, from what the run read and the densest place."""
    facts = NoCluster(kind=kind, reason=NO_DOCUMENTS, documents=counts.documents[kind],
                      in_window=counts.in_window[kind], addresses_in_window=counts.addresses_in_window[kind],
                      located_people=counts.located_rows[kind], years=years)
    if counts.documents[kind] == 0:
        return facts
    if counts.in_window[kind] == 0:
        remedies = (Remedy(WINDOW_SETTINGS[kind], "overlapping", years),) if years else ()
        return replace(facts, reason=OUTSIDE_WINDOW, remedies=remedies)
    if densest is None or counts.located_rows[kind] == 0:
        return replace(facts, reason=NO_COORDINATES)
    threshold = [Remedy("min_people", "at most", densest.people)]
    if counts.located_rows[kind] >= settings.min_people:  # enough people in all: a wider radius may gather them
        threshold.append(Remedy("radius_km", "above", settings.radius_km))
    return replace(facts, reason=BELOW_THRESHOLD, densest=densest, densest_city=densest_city,
                   remedies=tuple(threshold))


def _years(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """The first and last publication year of each kind's documents in the records."""
    return {kind: (int(first), int(last)) for kind, first, last in
            con.execute("SELECT kind, min(year), max(year) FROM documents GROUP BY kind").fetchall()}


def _city_of_cell(con: duckdb.DuckDBPyConnection, kind: str, place: DensestPlace) -> str | None:
    """The city the kind's address rows in the place's grid cell name most often (ties: alphabetical)."""
    found = con.execute("SELECT city FROM address_rows WHERE kind = $kind AND lat_i = $lat_i AND lon_i = $lon_i "
                        "AND city IS NOT NULL AND trim(city) <> '' GROUP BY city ORDER BY count(*) DESC, city "
                        "LIMIT 1", {"kind": kind, "lat_i": place.lat_i, "lon_i": place.lon_i}).fetchall()
    return str(found[0][0]) if found else None


@dataclass
class Summary:
    """What a run read, dropped and found."""

    records: RecordsInfo
    settings: Settings
    settings_file: str
    counts: points.ReadCounts | None = None
    unmapped_ipc_codes: int = 0
    kind_clusters: dict[str, int] = field(default_factory=dict)
    clusters: int = 0
    ranked: int = 0
    no_cluster: dict[str, NoCluster] = field(default_factory=dict)  # the kinds DBSCAN found no cluster of
    address_precision: dict[str, precision.AddressPrecision] = field(default_factory=dict)  # of the located addresses
    economy_mismatches: precision.EconomyMismatches | None = None  # addresses outside their declared economy
    out_dir: Path | None = None
    records_about: RecordsAbout = field(default_factory=RecordsAbout)  # the records' about.json

    @property
    def found(self) -> bool:
        return self.clusters > 0

    def lines(self) -> list[str]:
        c, s = self.counts, self.settings
        text = [f"Records: {self.records.records_dir} (sha256 {self.records.sha256[:16]}…)",
                "Read: " + ", ".join(f"{n:,} {plural(n, 'row')} of {t}" for t, n in self.records.rows.items())]
        if c is not None:
            for kind in KIND_NOUNS:
                noun = self.records_about.noun(kind)
                window = s.window(kind)
                addresses, points = c.addresses_in_window[kind], c.points[kind]
                unlocated, found_here = c.documents_without_location[kind], self.kind_clusters.get(kind, 0)
                text.append(f"{noun}: {c.documents[kind]:,} read; dropped {c.outside_window[kind]:,} outside "
                            f"{window[0]}–{window[1]}; {c.in_window[kind]:,} in the window with "
                            f"{addresses:,} {plural(addresses, 'address', 'addresses')}, of which "
                            f"{c.no_coordinates[kind]:,} dropped for having no coordinates ({unlocated:,} "
                            f"{plural(unlocated, 'document')} without any located address); {points:,} "
                            f"{plural(points, 'point')} at {s.grid_degrees:g}°; {found_here:,} DBSCAN "
                            f"{plural(found_here, 'cluster')}")
        for kind, found in self.address_precision.items():
            nearest = (f"; a point's nearest other point: median {found.nearest_km_median:,.2f} km"
                       + (" (on a sample)" if found.sampled else "") if found.nearest_km_median is not None else "")
            text.append(f"Address precision, {self.records_about.noun(kind)}: {found.located:,} located "
                        f"{plural(found.located, 'address', 'addresses')} on {found.points:,} distinct "
                        f"{plural(found.points, 'point')}{nearest}")
            warning = precision.precision_warning(found, self.records_about.noun(kind), s.radius_km)
            if warning:
                text.append(f"Warning: {warning}")
        if self.economy_mismatches is not None and (line := precision.mismatch_line(self.economy_mismatches)):
            text.append(f"Warning: {line}")
        text.append(f"IPC codes the concordance does not map: {self.unmapped_ipc_codes:,}")
        text.append(f"Clusters found: {self.clusters:,} (radius {s.radius_km:g} km, {s.min_people:,} people, "
                    f"merged within {s.merge_km:g} km), {self.ranked:,} ranked; counting: {s.counting}")
        # the records' own word for their documents ("US patent grants"), as their pages say it
        text += [f"No cluster of {self.records_about.noun(kind)}: {why_line(missing, s, self.records_about.noun(kind))}"
                 for kind, missing in self.no_cluster.items()]
        if self.out_dir is not None:
            text.append(f"Wrote {self.out_dir}" if self.found else
                        f"Wrote {self.out_dir}: a valid data folder without any cluster (its editions.csv names the "
                        f"run, {RUN_FILE} says why nothing was found); there is no profile to render from it")
        return text

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def as_dict(self) -> dict:
        c = self.counts
        return {
            # the records and the settings by name and content hash: a data folder given to someone else carries
            # no path of the machine that computed it
            "records": Path(self.records.records_dir).name, "records_sha256": self.records.sha256,
            "records_files": {t: p.name for t, p in self.records.files.items()}, "rows_read": self.records.rows,
            "settings_name": settings_name(self.settings_file), "settings_sha256": self.settings.hash(),
            "settings": self.settings.model_dump(mode="json"),
            "documents_read": c.documents if c else {}, "dropped_outside_window": c.outside_window if c else {},
            "addresses_in_window": c.addresses_in_window if c else {},
            "dropped_no_coordinates": c.no_coordinates if c else {},
            "documents_without_location": c.documents_without_location if c else {},
            "points": c.points if c else {}, "unmapped_ipc_codes": self.unmapped_ipc_codes,
            "kind_clusters": self.kind_clusters, "clusters": self.clusters, "ranked": self.ranked,
            "no_cluster": {kind: missing.as_dict() for kind, missing in self.no_cluster.items()},
            "address_precision": {kind: found.as_dict(self.settings.radius_km)
                                  for kind, found in self.address_precision.items()},
            "economy_mismatches": self.economy_mismatches.as_dict() if self.economy_mismatches is not None else None,
            "records_about": self.records_about.to_json(),
        }


def people_count(kind: str, count: int) -> str:
    """'1 inventor', '4,500 authors'."""
    singular, plural = KIND_PEOPLE[kind]  # whom min_people counts
    return f"{count:,} {singular if count == 1 else plural}"


def years_text(years: tuple[int, int]) -> str:
    """'2001–2005', or '2005' for one year."""
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def coordinates_text(lat: float, lon: float) -> str:
    """'31.76° N, 117.22° E'."""
    return f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}"


def why_line(missing: NoCluster, settings: Settings, noun: str | None = None) -> str:
    """The command's summary of why a kind has no cluster, and which setting would change that (``noun``: what the
    records call their documents of that kind, the kind's standard noun by default)."""
    noun, kind = noun or KIND_NOUNS[missing.kind], missing.kind
    if missing.reason == NO_DOCUMENTS:
        return f"the records hold no {noun}."
    if missing.reason == OUTSIDE_WINDOW:
        years = f" (their years: {years_text(missing.years)})" if missing.years else ""
        return (f"all {missing.documents:,} are outside the window {years_text(settings.window(kind))}{years}; a "
                f"window (setting {WINDOW_SETTINGS[kind]}) overlapping their years would keep them.")
    if missing.reason == NO_COORDINATES:
        return (f"none of the {missing.addresses_in_window:,} addresses of the {missing.in_window:,} {noun} in the "
                "window has coordinates; no setting changes that, the records need coordinates.")
    place = missing.densest
    assert place is not None  # BELOW_THRESHOLD always has its densest place
    near = f"near {missing.densest_city} " if missing.densest_city else ""
    text = (f"the densest place, {near}({coordinates_text(place.lat, place.lon)}), has {people_count(kind, place.people)} "
            f"within {place.radius_km:g} km; a core point needs {settings.min_people:,} (setting min_people). "
            f"min_people at most {place.people:,} would make it a cluster")
    located = people_count(kind, missing.located_people)
    if any(remedy.setting == "radius_km" for remedy in missing.remedies):
        return text + f"; a radius_km above {settings.radius_km:g} might (the window holds {located} located in all)."
    return text + f"; no radius_km would: the window holds only {located} located in all, fewer than min_people."


@dataclass
class Computed:
    """The data-folder tables (``frames``), the per-cluster table behind them and the clusters."""

    frames: dict[str, pd.DataFrame]
    cluster_table: pd.DataFrame
    clusters: Clusters
    summary: Summary


def footprint_cells(clusters: Clusters) -> pd.DataFrame:
    """Each cluster's grid cells with the people (inventor and author addresses, both kinds) in them."""
    located = clusters.points.dropna(subset=["cluster_id"])
    if located.empty:
        return pd.DataFrame(columns=["cluster_id", "lat", "lon", "people"])
    cells = (located.groupby(["cluster_id", "lat_i", "lon_i"], as_index=False)
             .agg(lat=("lat", "first"), lon=("lon", "first"), people=("people", "sum")))
    return cells.assign(cluster_id=cells["cluster_id"].astype(int)).sort_values(["cluster_id", "lat_i", "lon_i"])


def compute(records_dir: str | Path, settings: Settings, settings_file: str = DEFAULT_SETTINGS_NAME,
            progress: bool = True) -> Computed:
    """Every step but the writing. Raises ``RecordsValidationError`` on bad records."""
    with work_database() as con:
        with Stages(progress).stage("read records"):
            info = read_records(con, records_dir)
        return compute_read(con, info, settings, settings_file, progress)


def compute_read(con: duckdb.DuckDBPyConnection, info: RecordsInfo, settings: Settings,
                 settings_file: str = DEFAULT_SETTINGS_NAME, progress: bool = True) -> Computed:
    """Every step after ``read_records`` (whose tables ``con`` holds) but the writing."""
    stages = Stages(progress)
    summary = Summary(records=info, settings=settings, settings_file=settings_file,
                      records_about=read_records_about(info.records_dir))
    with stages.stage("window, points", 3) as bar:
        points.window_documents(con, settings)
        bar.update()
        points.address_rows(con, settings)
        summary.address_precision = precision.address_precision(con)
        summary.economy_mismatches = precision.economy_mismatches(con, settings.drop_economy_mismatch)
        bar.update()
        kind_points = {kind: points.weighted_points(con, kind, settings.grid_degrees) for kind in RECORD_KINDS}
        read = summary.counts = points.read_counts(con)
    with stages.stage("cluster (DBSCAN)"), memory_limit(con, DUCKDB_MEMORY_WHILE_CLUSTERING):
        clusters = find_clusters(kind_points, settings.radius_km, settings.min_people, settings.merge_km,
                                 settings.merge_within_kind, settings.grid_degrees)
        densest = {kind: densest_place(kind_points[kind], settings.radius_km) for kind in RECORD_KINDS
                   if clusters.kind_clusters.get(kind, 0) == 0}
    summary.kind_clusters = clusters.kind_clusters
    summary.clusters = clusters.count
    years = _years(con)
    for kind, place in densest.items():
        city = _city_of_cell(con, kind, place) if place is not None else None
        summary.no_cluster[kind] = no_cluster(kind, settings, read, years.get(kind), place, city)
    with stages.stage("measures", 7) as bar:
        measures.assign_clusters(con, clusters.footprint, settings.counting)
        fields.create_document_fields(con)
        summary.unmapped_ipc_codes = fields.unmapped_codes(con)
        bar.update()
        world = measures.world_totals(con)
        counts = measures.cluster_counts(con)
        bar.update()
        cities, economies = measures.output_by(con, "city"), measures.output_by(con, "economy")
        centres = measures.cluster_centres(con)
        city_centres = measures.city_centres(con)
        bar.update()
        organisations = measures.top_organisations(con, settings.organisations_listed, settings.counting)
        bar.update()
        top_fields = measures.top_fields(con, settings.fields_listed)
        bar.update()
        collaboration = measures.collaboration(con)
        partners = measures.partners(con, settings.partners_listed)
        bar.update()
        population = (measures.cluster_population(con, clusters.footprint, settings.population_buffer_km)
                      if info.has_population else None)
    with stages.stage("names, ranks, tables"):
        from cluster_profiles.compute.frames import build_tables  # pycountry: only once clusters are found

        cluster_table, frames = build_tables(
            settings=settings, summary=summary, world=world, counts=counts, cities=cities,
            economies=economies, centres=centres, city_centres=city_centres, organisations=organisations, top_fields=top_fields,
            collaboration=collaboration, partners=partners, population=population,
            footprint=footprint_cells(clusters))
    summary.ranked = int(cluster_table["size_rank"].notna().sum()) if len(cluster_table) else 0
    return Computed(frames, cluster_table, clusters, summary)
