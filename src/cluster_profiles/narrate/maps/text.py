"""What a map says in words: its alt text, its caption and the notes under it on what it leaves out.
Plain text: the sections escape it."""

from __future__ import annotations

import pandas as pd

from cluster_profiles.narrate.maps.layout import REGIONS, MapData, unlabelled

BOUNDARY_NOTE = "Boundaries are Natural Earth's and imply no position of the publisher."


def _ranked_list(table: pd.DataFrame) -> str:
    rows = table.drop_duplicates("cluster").sort_values(["size_rank", "cluster"], na_position="last", kind="stable")
    return "; ".join(f"{c} {int(r)}" if not pd.isna(r) else f"{c} (rank not given)"
                     for c, r in zip(rows["cluster"], rows["size_rank"]))


def profile_alt_text(data: MapData, cluster: str, edition: int, adjective: str) -> str:
    """What the locator map shows, in words: the highlighted cluster and every other cluster with its rank."""
    table = data.table
    own = table[table["role"] == "focus"]
    others = table[table["role"] == "other"]
    rank = own["size_rank"].iloc[0] if not own.empty else None
    where = (f"{cluster} (size rank {int(rank)}) highlighted" if rank is not None and not pd.isna(rank)
             else f"{cluster} highlighted" if not own.empty else f"{cluster} not drawn (no location in the data)")
    if (own["kind"] == "footprint").any():
        where += f" as a footprint of {len(own)} points"
    count = others["cluster"].nunique()
    text = f"Locator map of the {adjective} clusters in the GII {edition} data, {where}"
    if count == 1:
        text += f"; the one other, with its size rank: {_ranked_list(others)}"
    elif count:
        text += f"; the {count} others, with their size ranks: {_ranked_list(others)}"
    else:
        text += "; no other cluster of the economy is in the data"
    text += "; a small world map shows where the area lies." if data.inset is not None else "."
    if not data.missing.empty:
        text += " Not drawn, no location: " + ", ".join(data.missing["cluster"]) + "."
    return text


def profile_caption(data: MapData, cluster: str, edition: int, adjective: str) -> str:
    """The locator map's caption: how the cluster is drawn, and where the coordinates come from (GeoNames
    only when the sources say so: a computed folder's footprint comes from its records)."""
    table = data.table
    own = table[table["role"] == "focus"]
    place = ("its footprint (the points of its records)" if (own["kind"] == "footprint").any()
             else "at its city" if len(own) == 1 else "its cities enclosed in one outline")
    geonames = table["source"].astype(str).str.contains("geonames", case=False).any()
    others = (table["role"] == "other").any()
    drawn = (f"{cluster} (orange, {place}) and the other {adjective} clusters in the GII {edition} data (blue), "
             "with their size ranks" if others else f"{cluster} ({place}), the only {adjective} cluster in the "
             f"GII {edition} data, with its size rank")
    how = ["marker size by rank band"] if any(kind == "band" for kind, _ in data.legend) else []
    if (table[(table["role"] == "other") & (table["kind"] == "city")].groupby("cluster").size() > 1).any():
        how.append("the cities of one cluster joined by a line")
    if not own.empty:
        how.append(f"{cluster} ringed in black")
    return (f"{drawn}{''.join('; ' + part for part in how)}. "
            f"{'City coordinates: GeoNames. ' if geonames else 'Coordinates: see the sources. '}{BOUNDARY_NOTE}")


def overview_alt_text(data: MapData, edition: int, whose: str | None = None) -> str:
    """``whose``: whose clusters they are, "the GII <edition> data" unless given ("these records")."""
    table = data.table
    whose = whose or f"the GII {edition} data"
    parts = [f"World map of the {table['cluster'].nunique()} clusters of {whose} that have a location, "
             "marker size by size-rank band, with panels for " + ", ".join(REGIONS) + "."]
    for name in REGIONS:
        inside = table[table["region"] == name]
        parts.append(f"{name}: {_ranked_list(inside) if not inside.empty else 'none'}.")
    outside = table[table["region"] == ""]
    if not outside.empty:
        parts.append(f"Elsewhere: {_ranked_list(outside)}.")
    if not data.missing.empty:
        parts.append("Not drawn, no location: " + ", ".join(data.missing["cluster"]) + ".")
    return " ".join(parts)


def map_notes(data: MapData) -> list[str]:
    """What a map leaves out, as sentences for the notes under it: the clusters not drawn (with the
    reason), then those drawn without a label. Plain text: the section escapes it."""
    notes = []
    if not data.missing.empty:
        absent = "; ".join(f"{c} ({r})" for c, r in zip(data.missing["cluster"], data.missing["reason"]))
        notes.append(f"Not on the map: {absent}.")
    hidden = unlabelled(data)
    if hidden:
        notes.append(f"Drawn without a label for lack of room: {', '.join(hidden)}.")
    return notes
