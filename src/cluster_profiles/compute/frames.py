"""The per-cluster measures turned into the data folder's tables (``schema.TABLES``), each row naming
its source: the records folder, the settings and their hashes. What the records cannot give is
written as a gap with its reason, so the report says why a section is empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cluster_profiles import paths
from cluster_profiles.compute import labels, measures
from cluster_profiles.compute.fields import CONCORDANCE_SOURCE
from cluster_profiles.compute.records import KINDS
from cluster_profiles.contract.canonical_csv import read_table_text
from cluster_profiles.contract.economies import economy_codes, primary_economy
from cluster_profiles.contract.folder_about import WHOLE_DOCUMENTS, FolderAbout, settings_name, tool_version
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.contract.vocabulary import COMPUTED, KIND_NOUNS, KIND_PEOPLE, RECORD_KINDS
from cluster_profiles.errors import Problem

ECONOMY_SOURCE = "ISO 3166-1 English short name (pycountry); adjective: the name, used as a modifier"
UNKNOWN_ECONOMY_SOURCE = "cluster-profiles: the records give no economy for any address of the cluster"


def provenance(summary) -> str:
    """Every computed row's source: the records and the settings by name and short sha256, never by a path of the
    machine that computed them (``about.csv`` holds the whole hashes)."""
    return FolderAbout(basis=COMPUTED, records=Path(summary.records.records_dir).name,
                       records_sha256=summary.records.sha256, settings=settings_name(summary.settings_file),
                       settings_sha256=summary.settings.hash(), tool_version=tool_version()).source_line()


def _window(years: tuple[int, int]) -> str:
    return f"{years[0]}–{years[1]}"


def economies_table(codes: list[str], source: str) -> pd.DataFrame:
    """Name and adjective of each economy code: the shipped ``data/economies.csv`` where it has the
    code (its names and adjectives are sourced), else pycountry's English short name."""
    import pycountry

    shipped = pd.DataFrame(columns=["code", "name", "adjective", "source"])
    if (paths.DATA_DIR / "economies.csv").is_file():
        # read as the contract reads it (the same text, types and checks), not behind the loader's back
        problems: list[Problem] = []
        table = read_table_text(paths.DATA_DIR / "economies.csv", TABLES["economies"], problems)
        if table is not None and not problems:
            shipped = table
    known = shipped.set_index("code")
    rows = []
    for code in sorted(set(codes)):
        if code in known.index:
            row = known.loc[code]
            rows.append({"code": code, "name": row["name"], "adjective": row["adjective"], "source": row["source"]})
        elif code == labels.UNKNOWN_ECONOMY:
            rows.append({"code": code, "name": "Unknown economy", "adjective": "unattributed",
                         "source": UNKNOWN_ECONOMY_SOURCE})
        else:
            country = pycountry.countries.get(alpha_2=code)
            name = getattr(country, "common_name", None) or (country.name if country else code)
            rows.append({"code": code, "name": name, "adjective": name, "source": ECONOMY_SOURCE})
    return pd.DataFrame(rows, columns=["code", "name", "adjective", "source"])


def _pivot(counts: pd.DataFrame, value: str) -> pd.DataFrame:
    if counts.empty:
        return pd.DataFrame(columns=list(KINDS), dtype=float)
    return counts.pivot(index="cluster_id", columns="kind", values=value).reindex(columns=list(KINDS)).fillna(0)


def build_tables(*, settings, summary, world: dict[str, float], counts: pd.DataFrame, cities: pd.DataFrame,
                 economies: pd.DataFrame, centres: pd.DataFrame, city_centres: pd.DataFrame, organisations: pd.DataFrame,
                 top_fields: pd.DataFrame, collaboration: pd.DataFrame, partners: pd.DataFrame,
                 population: pd.Series | None, footprint: pd.DataFrame | None = None,
                 ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The per-cluster table (with positions, scores, people) and the data folder's frames.

    ``footprint``: the clusters' grid cells (``cluster_id``, ``lat``, ``lon``, ``people``), written as
    ``cluster_footprints.csv`` so that a profile's map draws the cluster's points."""
    source = provenance(summary)
    nouns = {kind: summary.records_about.noun(kind) for kind in RECORD_KINDS}  # the records' word for their documents
    edition = settings.edition
    count = _pivot(counts, "count")
    documents = _pivot(counts, "documents")
    people = _pivot(counts, "people")
    ids = list(count.index)
    economy = {cid: labels.economy_label(economies[economies["cluster_id"] == cid], settings.economy_min_share)
               for cid in ids}
    total_output = economies.groupby("cluster_id")["output"].sum()
    centre = centres.set_index("cluster_id")
    names, locations = {}, []
    for cid in ids:
        chosen = labels.cluster_cities(cities[cities["cluster_id"] == cid], float(total_output.get(cid, 0.0)),
                                       settings.city_min_share, settings.max_cities)
        name = labels.EN_DASH.join(chosen)
        names[cid] = name or labels.place_name(centre.loc[cid, "lat"], centre.loc[cid, "lon"])
        here = city_centres[city_centres["cluster_id"] == cid].set_index("city")
        for city in chosen:
            locations.append({"cluster_id": cid, "city": city, "latitude": here.loc[city, "lat"],
                              "longitude": here.loc[city, "lon"],
                              "note": f"Output-weighted centre of the cluster's addresses in {city}."})
        if not name:
            locations.append({"cluster_id": cid, "city": names[cid], "latitude": centre.loc[cid, "lat"],
                              "longitude": centre.loc[cid, "lon"],
                              "note": "The records name no city: the centre of the cluster's addresses."})
    names = labels.unique_names(names, economy)
    table = pd.DataFrame({
        "cluster_id": ids,
        "cluster": [names[c] for c in ids],
        "economy": [economy[c] for c in ids],
        "pct_count": [float(count.loc[c, "pct"]) for c in ids],
        "article_count": [float(count.loc[c, "article"]) for c in ids],
        "pct_documents": [int(documents.loc[c, "pct"]) for c in ids],
        "article_documents": [int(documents.loc[c, "article"]) for c in ids],
        "pct_people": [int(people.loc[c, "pct"]) for c in ids],
        "article_people": [int(people.loc[c, "article"]) for c in ids],
        "population": [float(population.get(c, 0.0)) if population is not None else float("nan") for c in ids],
    })
    for kind, column in (("pct", "pct_share_pct"), ("article", "pub_share_pct")):
        total = world[kind]
        table[column] = table[f"{kind}_count"] / total * 100 if total > 0 else float("nan")
    table = measures.rank_clusters(table, settings.top_n, primary_economy)
    name_of = dict(zip(table["cluster_id"], table["cluster"]))
    n_clusters = len(table)

    clusters = pd.DataFrame({
        "edition": edition, "cluster": table["cluster"], "economy": table["economy"],
        "size_rank": table["size_rank"], "intensity_rank": table["intensity_rank"],
        "economy_rank": table["economy_rank"], "in_top100": table["in_top100"],
        "pct_applications": table["pct_count"], "scientific_publications": table["article_count"],
        "pct_per_million": table["pct_per_million"], "articles_per_million": table["articles_per_million"],
        "pct_share_pct": table["pct_share_pct"].round(3), "pub_share_pct": table["pub_share_pct"].round(3),
        "source": source,
        "note": [f"Computed: position {p} of {n_clusters} clusters by the sum of their shares of the records' documents; "
                 f"{pp:,} inventor and {ap:,} author addresses; weighted DBSCAN within {settings.radius_km:g} km, "
                 f"{settings.min_people:,} people, merged within {settings.merge_km:g} km; "
                 f"{settings.counting} counting."
                 for p, pp, ap in zip(table["position"], table["pct_people"], table["article_people"])],
    })
    clusters["total_share_pct"] = clusters["pct_share_pct"].fillna(0) + clusters["pub_share_pct"].fillna(0)

    ranked = table[table["size_rank"].notna()]
    economy_counts = (ranked.groupby("primary_economy").size().rename("cluster_count").reset_index()
                      .rename(columns={"primary_economy": "economy"}))
    economy_counts = economy_counts.assign(edition=edition, source=source)

    all_codes = [code for label in table["economy"] for code in economy_codes(label)]
    frames = {
        "editions": pd.DataFrame([{
            "edition": edition, "metrics": "; ".join(nouns.values()), "pct_window": _window(settings.pct_years),
            "articles_window": _window(settings.article_years), "source": source}]),
        "economies": economies_table(all_codes, source),
        "clusters": clusters,
        "economy_cluster_counts": economy_counts,
        "top_organisations": _per_output(organisations, name_of, edition, source).assign(note=pd.NA),
        "top_fields": _fields_frame(top_fields, name_of, edition, source),
        "collaboration": _collaboration_frame(collaboration, name_of, edition, source, nouns),
        "collaboration_partners": _partners_frame(partners, name_of, edition, source, nouns),
        "cluster_locations": _locations_frame(locations, names, source),
        "cluster_footprints": _footprints_frame(footprint, names, edition, source, settings),
        "gaps": _gaps(table, organisations, top_fields, collaboration, partners, population, settings, source, nouns),
    }
    return table, frames


def _locations_frame(locations: list[dict], names: dict, source: str) -> pd.DataFrame:
    """One row per city of a cluster's name, at the centre of the cluster's addresses there."""
    frame = pd.DataFrame(locations, columns=["cluster_id", "city", "latitude", "longitude", "note"])
    frame["cluster"] = frame["cluster_id"].map(names)
    frame["latitude"] = pd.to_numeric(frame["latitude"]).astype(float).round(4)
    frame["longitude"] = pd.to_numeric(frame["longitude"]).astype(float).round(4)
    frame["source"] = source
    return frame


def _footprints_frame(footprint: pd.DataFrame | None, names: dict, edition: int, source: str, settings) -> pd.DataFrame:
    """One row per grid cell of a cluster, weighted by the inventor and author addresses in it."""
    columns = ["edition", "cluster", "latitude", "longitude", "weight", "source"]
    if footprint is None or footprint.empty:
        return pd.DataFrame(columns=columns)
    cells = footprint[footprint["cluster_id"].isin(set(names)) & (footprint["people"] > 0)]
    return pd.DataFrame({
        "edition": edition, "cluster": cells["cluster_id"].map(names).to_numpy(),
        "latitude": cells["lat"].round(4).to_numpy(), "longitude": cells["lon"].round(4).to_numpy(),
        "weight": cells["people"].astype(float).to_numpy(),
        "source": f"{source}; footprint: the grid cells ({settings.grid_degrees:g}°) of the cluster's inventor "
                  "and author addresses, weighted by their number",
    }, columns=columns)


def _per_output(frame: pd.DataFrame, name_of: dict, edition: int, source: str) -> pd.DataFrame:
    out = frame.copy()
    out["edition"] = edition
    out["cluster"] = out["cluster_id"].map(name_of)
    out["output"] = out["kind"].map(RECORD_KINDS)
    out["source"] = source
    return out


def _fields_frame(top_fields: pd.DataFrame, name_of: dict, edition: int, source: str) -> pd.DataFrame:
    out = _per_output(top_fields, name_of, edition, source)
    patents = out["kind"] == "pct"
    out.loc[patents, "source"] = source + " ; " + CONCORDANCE_SOURCE
    out["note"] = [("WIPO's 35 technology fields from the IPC codes; an application in several fields is split "
                    "equally among them; shares of the applications with a mapped code.") if k == "pct" else
                   ("Science fields as the records name them; an article in several fields is split equally "
                    "among them; shares of the articles with a field.") for k in out["kind"]]
    return out


def _collaboration_frame(collaboration: pd.DataFrame, name_of: dict, edition: int, source: str,
                         nouns: dict[str, str] = KIND_NOUNS) -> pd.DataFrame:
    """The share produced in collaboration, of whole documents (its note says so: the clusters table's totals
    may count fractionally, and the two must not disagree silently on a page)."""
    out = _per_output(collaboration, name_of, edition, source)
    out["note"] = [f"{c:,} of the {d:,} {nouns[k]} with an {KIND_PEOPLE[k][0]} address in the cluster "
                   f"({WHOLE_DOCUMENTS}) have at least one {KIND_PEOPLE[k][0]} address outside it."
                   for c, d, k in zip(out["collaborative"], out["documents"], out["kind"])]
    return out


def _partners_frame(partners: pd.DataFrame, name_of: dict, edition: int, source: str,
                    nouns: dict[str, str] = KIND_NOUNS) -> pd.DataFrame:
    out = _per_output(partners, name_of, edition, source)
    out["partner"] = out["partner_id"].map(name_of)
    out["note"] = [f"Partner clusters by {nouns[k]} shared ({WHOLE_DOCUMENTS} with addresses in both)."
                   for k in out["kind"]]
    return out


def _gaps(table: pd.DataFrame, organisations: pd.DataFrame, top_fields: pd.DataFrame, collaboration: pd.DataFrame,
          partners: pd.DataFrame, population: pd.Series | None, settings, source: str,
          nouns: dict[str, str] = KIND_NOUNS) -> pd.DataFrame:
    """Why a section of a computed profile is empty: the records cannot give it."""
    rows = []

    def has(frame: pd.DataFrame, cid: int, kind: str) -> bool:
        return bool(((frame["cluster_id"] == cid) & (frame["kind"] == kind)).any())

    for row in table.itertuples():
        cid, name = row.cluster_id, row.cluster

        def gap(section: str, reason: str, cluster: str = name) -> None:
            rows.append({"edition": settings.edition, "cluster": cluster, "section": section, "reason": reason,
                         "source": source})

        if pd.isna(row.size_rank):
            gap("ranking", f"{name} is at position {row.position} by the sum of its shares of the records' documents; "
                           "this run ranks the "
                           f"top {settings.top_n} (setting top_n).")
        if population is None:
            gap("intensity", "The records folder has no population table, so figures per million inhabitants and "
                             "the intensity rank cannot be computed.")
        elif not row.population > 0:
            gap("intensity", "No population point of the records lies within "
                             f"{settings.population_buffer_km:g} km of the cluster's footprint.")
        missing_partners = []
        for kind, output in RECORD_KINDS.items():
            documents = getattr(row, f"{kind}_documents")
            if documents == 0:
                reason = f"{name} has no {nouns[kind]} in the window."
                for section in (f"top_{output}", f"fields_{output}", f"collaboration_{output}"):
                    gap(section, reason)
                continue
            if not has(organisations, cid, kind):
                gap(f"top_{output}", f"No {nouns[kind]} of {name} name an organisation in the records.")
            if not has(top_fields, cid, kind):
                gap(f"fields_{output}", f"No {nouns[kind]} of {name} have a "
                                        f"{'mapped IPC code' if kind == 'pct' else 'science field'} in the records.")
            if not has(partners, cid, kind):
                missing_partners.append(nouns[kind])
        if missing_partners:
            gap("collaboration_partners", f"No {' or '.join(missing_partners)} of {name} share a document with "
                                          "another cluster.")
    return pd.DataFrame(rows, columns=["edition", "cluster", "section", "reason", "source"])
