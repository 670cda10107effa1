"""Planted records: synthetic records folders whose clusters are known by construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cluster_profiles.compute.clustering import EARTH_RADIUS_KM

KM_PER_DEGREE = np.pi * EARTH_RADIUS_KM / 180


def offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    """The point ``north_km`` north and ``east_km`` east of (lat, lon), on a sphere (small distances)."""
    return (lat + north_km / KM_PER_DEGREE, lon + east_km / (KM_PER_DEGREE * np.cos(np.radians(lat))))


@dataclass
class Records:
    """Rows of the five tables, added document by document."""

    documents: list[dict] = field(default_factory=list)
    addresses: list[dict] = field(default_factory=list)
    organisations: list[dict] = field(default_factory=list)
    classes: list[dict] = field(default_factory=list)
    population: list[dict] = field(default_factory=list)

    def add(self, kind: str, year: int, places: list[tuple], organisations: list[str] = (),
            codes: list[str] = (), doc_id: str | None = None) -> str:
        """One document; each place is (lat, lon, city, economy), lat/lon None for no coordinates."""
        doc_id = doc_id or f"{kind}-{len(self.documents) + 1}"
        self.documents.append({"doc_id": doc_id, "kind": kind, "year": year})
        for seq, (lat, lon, city, economy) in enumerate(places, start=1):
            self.addresses.append({"doc_id": doc_id, "seq": seq, "lat": lat, "lon": lon, "city": city,
                                   "economy": economy})
        role = "applicant" if kind == "pct" else "affiliation"
        self.organisations += [{"doc_id": doc_id, "name": name, "role": role} for name in organisations]
        self.classes += [{"doc_id": doc_id, "code": code} for code in codes]
        return doc_id

    def blob(self, kind: str, year: int, centre: tuple[float, float], documents: int, people_per_document: int,
             city: str, economy: str, sigma_km: float = 2.0, seed: int = 0, organisations: list[str] = (),
             codes: list[str] = (), economies: list[tuple[str, float]] | None = None) -> list[str]:
        """``documents`` documents with ``people_per_document`` addresses each, normally spread
        around ``centre``; ``economies`` (code, share) splits the addresses between economies."""
        rng = np.random.default_rng(seed)
        ids = []
        for d in range(documents):
            places = []
            for p in range(people_per_document):
                north, east = rng.normal(0, sigma_km, 2)
                lat, lon = offset(*centre, north, east)
                code = economy
                if economies:
                    code = economies[-1][0]
                    position = (d * people_per_document + p) / (documents * people_per_document)
                    edge = 0.0
                    for candidate, share in economies:
                        edge += share
                        if position < edge:
                            code = candidate
                            break
                places.append((lat, lon, city, code))
            orgs = [organisations[d % len(organisations)]] if organisations else []
            ids.append(self.add(kind, year, places, orgs, [codes[d % len(codes)]] if codes else []))
        return ids

    def write(self, folder: Path, fmt: str = "csv") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        tables = {"documents": (self.documents, ["doc_id", "kind", "year"]),
                  "addresses": (self.addresses, ["doc_id", "seq", "lat", "lon", "city", "economy"]),
                  "organisations": (self.organisations, ["doc_id", "name", "role"]),
                  "classes": (self.classes, ["doc_id", "code"])}
        if self.population:
            tables["population"] = (self.population, ["lat", "lon", "population"])
        for name, (rows, columns) in tables.items():
            frame = pd.DataFrame(rows, columns=columns)
            if fmt == "csv":
                frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
            else:
                frame.to_parquet(folder / f"{name}.parquet", index=False)
        return folder


SMALL = {"min_people": 200, "radius_km": 15.0, "merge_km": 5.0, "top_n": 100}
