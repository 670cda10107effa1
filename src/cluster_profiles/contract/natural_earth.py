"""The countries of the world: Natural Earth shapes decoded from TopoJSON, and the economy codes' numeric ids.

The shapes are Natural Earth 50m and 110m as shipped in the npm package ``world-atlas`` 2.0.2 (TopoJSON),
committed under ``narrate/maps/basemap/`` with their licence (see its README.md). The maps draw them
(narrate/maps/shapes.py) and the compute half checks an address's declared economy against them
(compute/precision.py); both read them from here. Nothing is downloaded at run time.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# package data of the maps (narrate/maps/basemap/), read here so that compute can use the shapes too
BASEMAP_DIR = Path(__file__).resolve().parents[1] / "narrate" / "maps" / "basemap"
NATURAL_EARTH_SOURCE = ("https://www.naturalearthdata.com (Natural Earth 1:50m and 1:110m countries, public domain, "
                        "via the npm package world-atlas 2.0.2)")


@dataclass(frozen=True)
class Shape:
    """One country or territory: its ISO 3166-1 numeric id ('156'), name and rings in lon/lat."""

    id: str
    name: str
    rings: tuple[np.ndarray, ...]
    bbox: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """TopoJSON arcs as arrays of (lon, lat); quantized arcs are delta-encoded, then scaled."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=float)[:, :2]
        if transform:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def _ring(arc_indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """A closed ring from arc indices; ~i means arc i reversed; arcs share their end points."""
    pieces = []
    for position, index in enumerate(arc_indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        pieces.append(arc if position == 0 else arc[1:])
    return np.concatenate(pieces)


def decode_topojson(topology: dict, object_name: str) -> list[Shape]:
    """The (Multi)Polygon geometries of one TopoJSON object as Shapes; other geometry types are skipped."""
    if topology.get("type") != "Topology" or object_name not in topology.get("objects", {}):
        raise ValueError(f"not a TopoJSON topology with an object named {object_name!r}")
    arcs = decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"][object_name]["geometries"]:
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = tuple(_ring(ring, arcs) for polygon in polygons for ring in polygon)
        stacked = np.concatenate(rings)
        bbox = (float(stacked[:, 0].min()), float(stacked[:, 1].min()),
                float(stacked[:, 0].max()), float(stacked[:, 1].max()))
        shapes.append(Shape(str(geometry.get("id", "")), str(geometry.get("properties", {}).get("name", "")),
                            rings, bbox))
    return shapes


@functools.cache
def basemap(resolution: str = "50m") -> tuple[Shape, ...]:
    """Natural Earth countries at 1:50m or 1:110m, decoded once per process (about 0.1 s for 50m)."""
    if resolution not in ("50m", "110m"):
        raise ValueError(f"unknown basemap resolution {resolution!r}: use '50m' or '110m'")
    with (BASEMAP_DIR / f"countries-{resolution}.json").open(encoding="utf-8") as handle:
        topology = json.load(handle)
    return tuple(s for s in decode_topojson(topology, "countries") if s.name != "Antarctica")


@functools.cache
def iso_numeric_codes() -> dict[str, str]:
    """Economy code ('CN') -> the shapes' ISO 3166-1 numeric id ('156'), from GeoNames' country table."""
    with (BASEMAP_DIR / "iso3166.csv").open(encoding="utf-8") as handle:
        return {row["alpha2"]: row["numeric"] for row in csv.DictReader(handle)}
