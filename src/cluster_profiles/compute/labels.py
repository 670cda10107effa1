"""Step 4 of the method: a cluster's name from its cities, its economy label from its economies.

Name: the records' cities holding the most output in the cluster, largest first, joined by en
dashes as the GII names them ("Shenzhen–Hong Kong–Guangzhou"): at most ``max_cities``, each holding
at least ``city_min_share`` of the cluster's output (the largest city is always named).
Economy label: every economy holding at least ``economy_min_share`` of the cluster's output (of the
output whose economy the records give), largest first, joined by "/" ("CN/HK"); the largest is
always named. Ties are broken alphabetically so that a run is reproducible.
"""

from __future__ import annotations

import pandas as pd

from cluster_profiles.contract.schema import MAX_NAME_LENGTH
from cluster_profiles.names import collision_key

EN_DASH = "–"
UNKNOWN_ECONOMY = "ZZ"  # ISO 3166 user-assigned "unknown": a cluster none of whose addresses has an economy


def _ranked(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    frame = frame[frame[key].notna() & (frame["output"] > 0)]
    return frame.sort_values(["output", key], ascending=[False, True])


def cluster_cities(cities: pd.DataFrame, total_output: float, min_share: float, max_cities: int) -> list[str]:
    """The cities a cluster is named after, largest first. ``cities``: ``city``, ``output`` for one
    cluster; ``total_output``: the cluster's output (with the rows that have no city). Empty when no
    address of the cluster names a city. A city that would make the name longer than the data
    schema allows is left out."""
    ranked = _ranked(cities, "city")
    if ranked.empty:
        return []
    shares = ranked["output"] / total_output if total_output > 0 else ranked["output"] * 0
    candidates = [c for c, s in zip(ranked["city"].iloc[1:], shares.iloc[1:]) if s >= min_share]
    chosen = [str(ranked["city"].iloc[0])]
    for city in candidates:
        if len(chosen) < max_cities and len(EN_DASH.join([*chosen, city])) <= MAX_NAME_LENGTH:
            chosen.append(str(city))
    return chosen


def cluster_name(cities: pd.DataFrame, total_output: float, min_share: float, max_cities: int) -> str | None:
    """The cities of ``cluster_cities`` joined by en dashes; None when the records name no city."""
    return EN_DASH.join(cluster_cities(cities, total_output, min_share, max_cities)) or None


def economy_label(economies: pd.DataFrame, min_share: float) -> str:
    """``economies``: ``economy``, ``output`` for one cluster -> 'CN/HK'."""
    ranked = _ranked(economies, "economy")
    if ranked.empty:
        return UNKNOWN_ECONOMY
    shares = ranked["output"] / ranked["output"].sum()
    chosen = [ranked["economy"].iloc[0]] + [e for e, s in zip(ranked["economy"].iloc[1:], shares.iloc[1:])
                                            if s >= min_share]
    return "/".join(chosen)


def place_name(lat: float, lon: float) -> str:
    """A name for a cluster whose records name no city: its centre, '48.86° N, 2.35° E'."""
    return f"Cluster at {abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}"


def unique_names(names: dict[int, str], economies: dict[int, str]) -> dict[int, str]:
    """Names that differ as the reports and the loader tell them apart (``names.collision_key``:
    case, accents, dash style and look-alike letters ignored).

    Two clusters named after the same city (Cambridge in GB and US) get their economy label
    appended, "Cambridge (GB)"; clusters still alike get a number, in cluster order.
    """
    result = dict(names)
    for cluster_id in sorted(result):
        same = [c for c in sorted(result) if collision_key(result[c]) == collision_key(result[cluster_id])]
        if len(same) > 1:
            for c in same:
                result[c] = _suffixed(names[c], f" ({economies[c]})")
    taken: dict[str, int] = {}
    for cluster_id in sorted(result):
        key = collision_key(result[cluster_id])
        if key in taken:
            taken[key] += 1
            result[cluster_id] = _suffixed(result[cluster_id], f" {taken[key]}")
        else:
            taken[key] = 1
    return result


def _suffixed(name: str, suffix: str) -> str:
    """``name`` + ``suffix``, the name shortened so that the whole fits the schema's length."""
    return name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
