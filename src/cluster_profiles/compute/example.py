"""A synthetic records folder to try the compute half on (``cluster-profiles example``, ``make example``).

The records are made up by a seeded generator: invented cities (``EXAMPLE_CLUSTERS``) at real coordinates
of their economies, each a blob of inventors and authors dense enough to pass the shipped defaults (4,500
people within 15 km), small towns below that threshold (noise), documents outside the windows, addresses
without coordinates and collaborations between the cities. Every table carries a ``source`` column saying it
is synthetic, the folder holds a README.md saying so, and the folders are named ``synthetic-…``: the data
folder's ``source`` column names the records folder, so the pages computed from it say "synthetic" too.

The same seed gives byte-identical files (numpy's PCG64 generator, values rounded before they are written).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cluster_profiles.compute.about import merge_records_about
from cluster_profiles.compute.adapters.folder import RECORD_COLUMNS
from cluster_profiles.errors import ClusterProfilesError

if TYPE_CHECKING:
    from cluster_profiles.compute.pipeline import Summary

EXAMPLE_SEED = 2024
RECORDS_FOLDER = "synthetic-records"  # inside --out: the records the generator writes
DATA_FOLDER = "synthetic-data"  # inside --out: the data folder the clusters command writes from them
SETTINGS_NAME = "example_settings.toml"  # beside this module
README_FIRST_LINE = "# SYNTHETIC example records (not real data)"
EXAMPLE_TITLE = "SYNTHETIC example records (not real data)"  # the title its pages show instead of a GII banner
EARTH_RADIUS_KM = 6371.0088  # the clustering's sphere (compute/clustering.py)
KM_PER_DEGREE = np.pi * EARTH_RADIUS_KM / 180
COORDINATE_DECIMALS = 5  # about 1 m: the bytes written are the same on every machine
YEARS = {"pct": (2019, 2023), "article": (2018, 2022)}  # the default windows
OLD_YEARS = {"pct": (2014, 2018), "article": (2013, 2017)}  # outside them: the summary's "dropped" line
OUTSIDE_WINDOW_SHARE = 0.04
NO_COORDINATES_SHARE = 0.03  # addresses the "geocoder" could not place
COLLABORATION_SHARE = 0.08  # documents with one address in another example city


def source_text(seed: int) -> str:
    return (f"SYNTHETIC: made up by cluster-profiles' example generator (compute/example.py, seed {seed}); "
            "not real data, for trying the compute half only")


@dataclass(frozen=True)
class City:
    """A blob of addresses: ``people`` per kind of document, normally spread (``sigma_km``) around ``centre``."""

    name: str
    centre: tuple[float, float]
    people: dict[str, int]
    sigma_km: float = 3.0


@dataclass(frozen=True)
class PlantedCluster:
    """An example cluster: its cities (the first the largest), economy, applicants, institutions and fields."""

    economy: str
    cities: tuple[City, ...]
    applicants: tuple[str, ...]
    institutions: tuple[str, ...]
    ipc_codes: tuple[str, ...]
    science_fields: tuple[str, ...]

    @property
    def name(self) -> str:
        """The cluster's name as the labels rule gives it: its cities, largest first, joined by en dashes."""
        return "–".join(city.name for city in self.cities)

    def people(self, kind: str) -> int:
        return sum(city.people.get(kind, 0) for city in self.cities)


# Invented names, real places of their economies well inside their borders. PCT and article people are planted
# separately because the method clusters each kind on its own (a kind needs 4,500 people within 15 km).
EXAMPLE_CLUSTERS: tuple[PlantedCluster, ...] = (
    PlantedCluster("JP", (City("Brightwater", (36.40, 139.88), {"pct": 14000, "article": 7000}),
                          City("Cobalt Bay", (36.40, 140.00), {"pct": 8000, "article": 4000})),
                   ("Brightwater Optics", "Cobalt Bay Motors", "Kestrel Semiconductor"),
                   ("Brightwater Institute of Technology", "Cobalt Bay University"),
                   ("H01L 21/00", "G02B 6/00", "B60L 50/00", "H04N 5/00"),
                   ("Engineering", "Physics and Astronomy", "Materials Science")),
    PlantedCluster("US", (City("Alderbrook", (38.90, -97.50), {"pct": 12000, "article": 9000}),),
                   ("Alderbrook Therapeutics", "Prairie Robotics", "Sunflower Seeds Inc"),
                   ("Alderbrook State University", "Alderbrook Medical Center"),
                   ("A61K 31/00", "C12N 15/00", "G06F 3/00", "A01H 5/00"),
                   ("Medicine", "Biochemistry, Genetics and Molecular Biology", "Agricultural and Biological Sciences")),
    PlantedCluster("DE", (City("Dunmore", (50.90, 10.50), {"pct": 6000, "article": 8000}),),
                   ("Dunmore Werke", "Thornwald Chemie"),
                   ("Dunmore University", "Dunmore Institute for Applied Physics"),
                   ("C07D 401/00", "F16H 1/00", "B29C 45/00"),
                   ("Chemistry", "Physics and Astronomy", "Engineering")),
    PlantedCluster("KR", (City("Fernhill", (36.50, 127.80), {"pct": 7000, "article": 1500}),),
                   ("Fernhill Electronics", "Fernhill Battery"),
                   ("Fernhill National University",),
                   ("H01M 10/00", "H04W 4/00", "G09G 3/00"),
                   ("Engineering", "Energy")),
    PlantedCluster("BR", (City("Eastvale", (-15.80, -47.90), {"pct": 900, "article": 7500}),),
                   ("Eastvale Agro",),
                   ("Eastvale Federal University", "Eastvale Tropical Research Institute"),
                   ("A01N 43/00",),
                   ("Agricultural and Biological Sciences", "Environmental Science", "Immunology and Microbiology")),
)

# Places below 4,500 people within 15 km: noise, as most places are.
SMALL_TOWNS: tuple[tuple[str, PlantedCluster], ...] = (
    ("Millbrook", PlantedCluster("US", (City("Millbrook", (40.50, -100.00), {"pct": 900, "article": 600}, 5.0),),
                                 ("Millbrook Tools",), ("Millbrook College",), ("B25B 7/00",), ("Engineering",))),
    ("Harwick", PlantedCluster("DE", (City("Harwick", (51.80, 9.20), {"pct": 700, "article": 900}, 5.0),),
                               ("Harwick Optik",), ("Harwick University",), ("G02B 1/00",), ("Physics and Astronomy",))),
    ("Kinsale Hills", PlantedCluster("JP", (City("Kinsale Hills", (36.80, 138.50), {"pct": 1200, "article": 400}, 5.0),),
                                     ("Kinsale Precision",), ("Kinsale Institute",), ("G01B 11/00",), ("Engineering",))),
)


def _offsets(rng: np.random.Generator, centre: tuple[float, float], n: int, sigma_km: float) -> np.ndarray:
    """``n`` points (lat, lon) normally spread around ``centre``, ``sigma_km`` in each direction."""
    north, east = rng.normal(0.0, sigma_km, (2, n))
    lat = centre[0] + north / KM_PER_DEGREE
    lon = centre[1] + east / (KM_PER_DEGREE * np.cos(np.radians(centre[0])))
    return np.round(np.column_stack([lat, lon]), COORDINATE_DECIMALS)


def example_tables(seed: int = EXAMPLE_SEED) -> dict[str, pd.DataFrame]:
    """The five tables of the example records (documents, addresses, organisations, classes, population)."""
    rng = np.random.default_rng(seed)
    places = [*EXAMPLE_CLUSTERS, *(town for _, town in SMALL_TOWNS)]
    documents: list[dict] = []
    addresses: list[dict] = []
    organisations: list[dict] = []
    classes: list[dict] = []
    for kind in ("pct", "article"):
        for place in places:
            for city in place.cities:
                people = city.people.get(kind, 0)
                if people == 0:
                    continue
                # one to five people per document, drawn until the city's people are placed
                sizes = rng.integers(1, 6, people)
                sizes = sizes[np.cumsum(sizes) <= people]
                sizes = np.append(sizes, people - sizes.sum()) if sizes.sum() < people else sizes
                first = len(documents)
                ids = [f"{kind}-{first + i + 1:06d}" for i in range(len(sizes))]
                window = np.where(rng.random(len(sizes)) < OUTSIDE_WINDOW_SHARE, 1, 0)
                years = np.where(window == 1, rng.integers(OLD_YEARS[kind][0], OLD_YEARS[kind][1] + 1, len(sizes)),
                                 rng.integers(YEARS[kind][0], YEARS[kind][1] + 1, len(sizes)))
                documents += [{"doc_id": i, "kind": kind, "year": int(y)} for i, y in zip(ids, years)]
                points = _offsets(rng, city.centre, people, city.sigma_km)
                located = rng.random(people) >= NO_COORDINATES_SHARE
                doc_of = np.repeat(np.arange(len(sizes)), sizes)
                seq = np.concatenate([np.arange(1, s + 1) for s in sizes])
                partner = rng.integers(0, len(EXAMPLE_CLUSTERS), len(sizes))
                collaborates = (rng.random(len(sizes)) < COLLABORATION_SHARE) & (sizes > 1)
                last = np.cumsum(sizes) - 1  # the row of each document's last address
                for row in range(people):
                    d = doc_of[row]
                    lat, lon, name, economy = points[row, 0], points[row, 1], city.name, place.economy
                    if collaborates[d] and row == last[d]:
                        other = EXAMPLE_CLUSTERS[partner[d]]
                        lat, lon = _offsets(rng, other.cities[0].centre, 1, other.cities[0].sigma_km)[0]
                        name, economy = other.cities[0].name, other.economy
                    addresses.append({"doc_id": ids[d], "seq": int(seq[row]),
                                      "lat": float(lat) if located[row] else None,
                                      "lon": float(lon) if located[row] else None,
                                      "city": name, "economy": economy})
                names = place.applicants if kind == "pct" else place.institutions
                codes = place.ipc_codes if kind == "pct" else place.science_fields
                role = "applicant" if kind == "pct" else "affiliation"
                for i in ids:
                    organisations.append({"doc_id": i, "name": names[rng.integers(len(names))], "role": role})
                    classes.append({"doc_id": i, "code": codes[rng.integers(len(codes))]})
    return {
        "documents": pd.DataFrame(documents, columns=[c for c, _ in RECORD_COLUMNS["documents"]]),
        "addresses": pd.DataFrame(addresses, columns=[c for c, _ in RECORD_COLUMNS["addresses"]]),
        "organisations": pd.DataFrame(organisations, columns=[c for c, _ in RECORD_COLUMNS["organisations"]]),
        "classes": pd.DataFrame(classes, columns=[c for c, _ in RECORD_COLUMNS["classes"]]),
        "population": population_table(),
    }


def population_table() -> pd.DataFrame:
    """A population grid (0.05°, out to about 30 km) around each example city: a dense centre thinning out."""
    rows = []
    for cluster in EXAMPLE_CLUSTERS:
        for city in cluster.cities:
            lat0, lon0 = city.centre
            for i in range(-5, 6):
                for j in range(-5, 6):
                    distance = np.hypot(i, j)
                    if distance <= 5:
                        rows.append({"lat": round(lat0 + 0.05 * i, 4), "lon": round(lon0 + 0.05 * j, 4),
                                     "population": float(round(60000 * np.exp(-distance / 2)))})
    frame = pd.DataFrame(rows, columns=["lat", "lon", "population"])
    return frame.drop_duplicates(["lat", "lon"]).reset_index(drop=True)


def readme_text(seed: int) -> str:
    clusters = "\n".join(f"- {c.name} ({c.economy}): {c.people('pct'):,} inventors, {c.people('article'):,} authors"
                         for c in EXAMPLE_CLUSTERS)
    towns = ", ".join(name for name, _ in SMALL_TOWNS)
    return (f"{README_FIRST_LINE}\n\n"
            f"{source_text(seed)}.\n\n"
            "Every name here is invented (cities, applicants, institutions); the coordinates are real places of the "
            "economies named, chosen well inside their borders. Nothing in these files describes real inventors, "
            "authors or organisations.\n\n"
            f"Planted clusters (address rows per kind, before the windows and the missing coordinates):\n{clusters}\n\n"
            f"Small towns below the threshold (noise): {towns}.\n\n"
            f"About {OUTSIDE_WINDOW_SHARE:.0%} of the documents fall outside the default windows, "
            f"{NO_COORDINATES_SHARE:.0%} of the addresses have no coordinates and {COLLABORATION_SHARE:.0%} of the "
            "documents with several people have one in another example city.\n\n"
            f"Remade by `cluster-profiles example --out DIR --seed {seed}` (the same seed gives the same bytes).\n")


def write_example_records(folder: str | Path, seed: int = EXAMPLE_SEED) -> Path:
    """Write the example records (CSV, each table with a ``source`` column) and a README.md to ``folder``.

    A folder that exists is replaced only when an earlier run of this function wrote it (its README.md)."""
    folder = Path(folder)
    if folder.exists():
        readme = folder / "README.md"
        ours = readme.is_file() and readme.read_text(encoding="utf-8").startswith(README_FIRST_LINE)
        if not folder.is_dir() or not ours:
            raise ClusterProfilesError(f"--out: {folder} exists and was not written by the example generator; "
                                       "give a new or empty folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    text = source_text(seed)
    for name, frame in example_tables(seed).items():
        frame.assign(source=text).to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    (folder / "README.md").write_text(readme_text(seed), encoding="utf-8")
    # what the records are, for the pages computed from them: their banner and footer say SYNTHETIC
    merge_records_about(folder, title=EXAMPLE_TITLE, publisher=f"cluster-profiles' example generator (seed {seed})",
                        licence="none needed: invented records")
    return folder


def example_settings_path() -> Path:
    """The example's settings file, shipped beside this module."""
    return Path(str(resources.files(__package__).joinpath(SETTINGS_NAME)))


def run_example(out: str | Path, seed: int = EXAMPLE_SEED, progress: bool = True) -> Summary:
    """Write ``out/synthetic-records`` and compute its clusters into ``out/synthetic-data``; the run's Summary."""
    from cluster_profiles.compute.command import run  # DuckDB, pandas and SciPy: only when the clusters are computed

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ClusterProfilesError(f"--out: {out} is a file; give a folder")
    records = write_example_records(out / RECORDS_FOLDER, seed)
    return run(records, out / DATA_FOLDER, example_settings_path(), progress=progress)
