"""Maps of where the clusters are, drawn offline with matplotlib from Natural Earth shapes.

The shapes are Natural Earth 50m and 110m as shipped in the npm package ``world-atlas`` 2.0.2
(TopoJSON), committed under ``basemap/`` with their licence; see ``basemap/README.md``. Nothing is
downloaded at run time.

As in ``figures.py``, the data behind a map (which clusters, where, how big, where each label goes)
comes from ``*_map_data`` functions that pytest checks, and the ``draw_*`` functions only draw it.
Label boxes are placed in the figure's pixel space before drawing, so a test can check that no label
overlaps another label or sits on another cluster's marker.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
import math
import zlib
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # reports are rendered headless

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath

from cluster_profiles import paths
from cluster_profiles.contract.economies import economy_codes
from cluster_profiles.narrate import figures

BASEMAP_DIR = paths.PACKAGE_DIR / "basemap"
NATURAL_EARTH_SOURCE = ("https://www.naturalearthdata.com (Natural Earth 1:50m and 1:110m countries, public domain, "
                        "via the npm package world-atlas 2.0.2)")
BOUNDARY_NOTE = "Boundaries are Natural Earth's and imply no position of the publisher."
COLOURS = {  # the project's accent (vermillion) against its blue: told apart with every colour-vision deficiency
    "focus": figures.PALETTE["accent"],
    "other": figures.PALETTE["highlight"],
    "land": "#e4e4e4",
    "economy": "#d5e5f1",
    "border": "#ffffff",
    "text": "#222222",
    "frame": "#9a9a9a",
}
# size rank bands and their marker areas (points²); unranked clusters in the data are drawn hollow
RANK_BANDS = [(1, 10, "rank 1–10", 190.0), (11, 25, "rank 11–25", 120.0), (26, 50, "rank 26–50", 70.0),
              (51, 100, "rank 51–100", 38.0)]
UNRANKED_BAND = "rank not given"
UNRANKED_AREA = 55.0
FOOTPRINT_AREA = 28.0  # largest dot of a footprint (points²), scaled by the point's weight
LABEL_FONT_SIZE = 8.5
LABEL_GAP = 3.0  # pixels between a marker's edge and its label
NO_LOCATION_REASON = "no coordinates in cluster_locations.csv"
EMPTY_LOCATIONS = pd.DataFrame({c: pd.Series(dtype=t) for c, t in [
    ("cluster", str), ("city", str), ("latitude", float), ("longitude", float), ("geonames_id", "Int64"),
    ("source", str)]})


def _default_style(draw):
    """Draw with matplotlib's default settings, whatever a notebook set before (seaborn's theme):
    a report drawn in a warm kernel after others must be the same bytes as in a fresh one."""

    @functools.wraps(draw)
    def wrapped(*args, **kwargs):
        with plt.style.context("default"):
            return draw(*args, **kwargs)

    return wrapped


# ------------------------------------------------------------------------------------ basemap


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


def economy_shape_ids(economy: str) -> frozenset[str]:
    """The shapes of a cluster's economies: 'CN/HK' -> China and Hong Kong."""
    codes = iso_numeric_codes()
    return frozenset(codes[c] for c in economy_codes(economy) if c in codes)


# --------------------------------------------------------------------------------- projections


def equal_earth(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Equal Earth projection (Šavrič, Patterson and Jenny 2018) of degrees, on the unit sphere."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    lam, phi = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    theta = np.arcsin(np.sqrt(3) / 2 * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * np.sqrt(3) * lam * np.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


@dataclass(frozen=True)
class Frame:
    """Where a map panel sits: its projection, its extent in projected units and its pixel box.

    ``regional`` panels are equirectangular (x = longitude x cos(middle latitude), y = latitude):
    straight parallels and meridians, true shapes near the middle latitude. ``world`` is Equal Earth.
    """

    projection: str  # "regional" or "world"
    extent: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max in projected units
    pixels: tuple[float, float, float, float]  # x0, y0, width, height in figure pixels (origin bottom left)
    scale_x: float = 1.0  # regional: cos(middle latitude)

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        if self.projection == "world":
            return equal_earth(lon, lat)
        return np.asarray(lon, dtype=float) * self.scale_x, np.asarray(lat, dtype=float)

    def to_pixels(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        x_min, x_max, y_min, y_max = self.extent
        x0, y0, width, height = self.pixels
        return (x0 + (np.asarray(x) - x_min) / (x_max - x_min) * width,
                y0 + (np.asarray(y) - y_min) / (y_max - y_min) * height)

    def lonlat_bounds(self) -> tuple[float, float, float, float]:
        """lon_min, lat_min, lon_max, lat_max covered (regional frames)."""
        x_min, x_max, y_min, y_max = self.extent
        return x_min / self.scale_x, y_min, x_max / self.scale_x, y_max


def regional_frame(lon_min: float, lat_min: float, lon_max: float, lat_max: float,
                   pixels: tuple[float, float, float, float], pad: float = 0.12,
                   min_span: float = 8.0) -> Frame:
    """A regional frame holding the box (plus ``pad`` of its size, at least ``min_span`` degrees of
    latitude), widened in one direction so that it fills the pixel box without distortion."""
    middle = (lat_min + lat_max) / 2
    scale_x = math.cos(math.radians(max(-70.0, min(70.0, middle))))
    width_deg = max(lon_max - lon_min, 1e-6) * scale_x
    height_deg = max(lat_max - lat_min, 1e-6)
    width_deg, height_deg = width_deg * (1 + 2 * pad), height_deg * (1 + 2 * pad)
    height_deg = max(height_deg, min_span)
    width_deg = max(width_deg, min_span * scale_x)
    aspect = pixels[2] / pixels[3]
    if width_deg / height_deg < aspect:
        width_deg = height_deg * aspect
    else:
        height_deg = width_deg / aspect
    centre_x, centre_y = (lon_min + lon_max) / 2 * scale_x, (lat_min + lat_max) / 2
    centre_y = min(max(centre_y, -85 + height_deg / 2), 85 - height_deg / 2) if height_deg < 170 else 0.0
    extent = (centre_x - width_deg / 2, centre_x + width_deg / 2, centre_y - height_deg / 2, centre_y + height_deg / 2)
    return Frame("regional", extent, pixels, scale_x)


WORLD_LAT_RANGE = (-58.0, 84.0)  # the inhabited world; Antarctica is left out


def world_frame(pixels: tuple[float, float, float, float]) -> Frame:
    """The whole world in Equal Earth, fitted into the pixel box."""
    x_edge, _ = equal_earth(180.0, 0.0)
    _, y_low = equal_earth(0.0, WORLD_LAT_RANGE[0])
    _, y_high = equal_earth(0.0, WORLD_LAT_RANGE[1])
    width, height = 2 * float(x_edge) * 1.01, float(y_high - y_low) * 1.04
    aspect = pixels[2] / pixels[3]
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    centre_y = float(y_high + y_low) / 2
    return Frame("world", (-width / 2, width / 2, centre_y - height / 2, centre_y + height / 2), pixels)


# ------------------------------------------------------------------------------ cluster points


def band_of(size_rank) -> str:
    if size_rank is None or pd.isna(size_rank):
        return UNRANKED_BAND
    return next(label for low, high, label, _ in RANK_BANDS if low <= int(size_rank) <= high)


def marker_area(band: str) -> float:
    return next((area for _, _, label, area in RANK_BANDS if label == band), UNRANKED_AREA)


def marker_radius_pixels(area_points2: float, dpi: float = figures.FIGURE_DPI) -> float:
    """Radius in pixels of a scatter marker of ``area_points2`` (matplotlib's s) plus its edge."""
    return (math.sqrt(area_points2) / 2 + 0.6) * dpi / 72


def cluster_label(cluster: str, size_rank) -> str:
    return cluster if size_rank is None or pd.isna(size_rank) else f"{cluster} ({int(size_rank)})"


def locate_clusters(clusters: pd.DataFrame, locations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each cluster's points (one per city) joined to its size rank, and the clusters without a point.

    ``clusters`` needs ``cluster``, ``economy`` and ``size_rank``; ``locations`` is
    ``cluster_locations.csv`` or a footprint (any table with ``cluster``, ``latitude``, ``longitude``;
    optional ``city``, ``weight``, ``geonames_id``, ``source``).
    """
    wanted = clusters[["cluster", "economy", "size_rank"]].drop_duplicates("cluster")
    points = locations.copy()
    for column, default in [("city", pd.NA), ("weight", 1.0), ("geonames_id", pd.NA), ("source", pd.NA)]:
        if column not in points.columns:
            points[column] = default
    points = points[["cluster", "city", "latitude", "longitude", "weight", "geonames_id", "source"]]
    joined = wanted.merge(points, on="cluster", how="inner")
    joined["latitude"] = joined["latitude"].astype(float)
    joined["longitude"] = joined["longitude"].astype(float)
    joined["weight"] = joined["weight"].astype(float)
    joined["band"] = [band_of(r) for r in joined["size_rank"]]
    missing = wanted[~wanted["cluster"].isin(joined["cluster"])]
    missing = pd.DataFrame({"cluster": missing["cluster"].to_numpy(), "reason": NO_LOCATION_REASON})
    return joined.reset_index(drop=True), missing.reset_index(drop=True)


# ---------------------------------------------------------------------------- label placement


@functools.cache
def _renderer() -> RendererAgg:
    return RendererAgg(10, 10, figures.FIGURE_DPI)


@functools.cache
def text_size(text: str, size: float = LABEL_FONT_SIZE, bold: bool = False) -> tuple[float, float]:
    """Width and height in pixels of a label as matplotlib's Agg renderer draws it."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    width, height, _ = _renderer().get_text_width_height_descent(text, prop, ismath=False)
    # matplotlib lays a line out at least as tall as "lp" (its reference ascent and descent)
    _, line_height, _ = _renderer().get_text_width_height_descent("lp", prop, ismath=False)
    return float(width), float(max(height, line_height))


def _boxes_overlap(a, b, pad: float = 1.5) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _box_hits_circle(box, x: float, y: float, radius: float) -> bool:
    nearest_x, nearest_y = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (nearest_x - x) ** 2 + (nearest_y - y) ** 2 < radius * radius


# (dx, dy) directions tried in order: right, left, above, below, then the diagonals
_DIRECTIONS = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
_LEADER_STEPS = (0.0, 14.0, 28.0, 44.0)  # extra pixels from the marker; beyond the first, a leader line


def place_labels(anchors: pd.DataFrame, markers: pd.DataFrame, bounds: tuple[float, float, float, float],
                 obstacles: list[tuple[float, float, float, float]] | None = None) -> pd.DataFrame:
    """Greedy label placement in pixel space, in the order of ``anchors`` (most important first).

    ``anchors``: label, x, y, radius, bold (one per label; x, y is the marker it belongs to).
    ``markers``: x, y, radius of every marker on the panel (labels may not cover any).
    A label tries eight directions next to its marker, then the same further out with a leader line;
    a label that fits nowhere tries its short form (``short`` column, e.g. the rank alone), else it is
    left out (``placed`` False) and the section lists it. ``obstacles``: boxes no label may cover
    (an inset). Returns the boxes (x0, y0, x1, y1).
    """
    placed = np.array(list(obstacles or []), dtype=float).reshape(-1, 4)
    rows = []
    mx, my, mr = (markers[c].to_numpy(dtype=float) for c in ("x", "y", "radius"))
    mr = mr + 1.0
    pad = 1.5
    for anchor in anchors.itertuples(index=False):
        result = None
        texts = [anchor.label] + ([anchor.short] if getattr(anchor, "short", None) else [])
        for text in texts:
            width, height = text_size(text, LABEL_FONT_SIZE, bool(anchor.bold))
            for step in _LEADER_STEPS:
                for dx, dy in _DIRECTIONS:
                    gap = anchor.radius + LABEL_GAP + step
                    if dx and dy:  # diagonals: the box's corner at 45° from the marker
                        cx, cy = anchor.x + dx * (gap * 0.7 + width / 2), anchor.y + dy * (gap * 0.7 + height / 2)
                    else:
                        cx = anchor.x + dx * (gap + width / 2) if dx else anchor.x
                        cy = anchor.y + dy * (gap + height / 2) if dy else anchor.y
                    box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
                    if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
                        continue
                    if len(placed) and np.any((box[0] < placed[:, 2] + pad) & (placed[:, 0] < box[2] + pad)
                                              & (box[1] < placed[:, 3] + pad) & (placed[:, 1] < box[3] + pad)):
                        continue
                    nearest_x, nearest_y = np.clip(mx, box[0], box[2]), np.clip(my, box[1], box[3])
                    if np.any((nearest_x - mx) ** 2 + (nearest_y - my) ** 2 < mr * mr):
                        continue
                    result = (text, box, step > 0)
                    break
                if result:
                    break
            if result:
                break
        if result:
            text, box, leader = result
            placed = np.vstack([placed, box])
            rows.append({"label": anchor.label, "text": text, "x0": box[0], "y0": box[1], "x1": box[2],
                         "y1": box[3], "anchor_x": anchor.x, "anchor_y": anchor.y, "leader": leader,
                         "bold": bool(anchor.bold), "placed": True})
        else:
            rows.append({"label": anchor.label, "text": "", "x0": np.nan, "y0": np.nan, "x1": np.nan, "y1": np.nan,
                         "anchor_x": anchor.x, "anchor_y": anchor.y, "leader": False, "bold": bool(anchor.bold),
                         "placed": False})
    columns = ["label", "text", "x0", "y0", "x1", "y1", "anchor_x", "anchor_y", "leader", "bold", "placed"]
    # typed even when empty: a boolean mask must select rows, not (empty object) columns
    return pd.DataFrame(rows, columns=columns).astype({"leader": bool, "bold": bool, "placed": bool,
                                                      "x0": float, "y0": float, "x1": float, "y1": float})


# ----------------------------------------------------------------------------------- map data


@dataclass
class Panel:
    """One map panel: its frame, the markers drawn on it (pixels) and the labels placed on it."""

    name: str
    frame: Frame
    markers: pd.DataFrame  # cluster, city, x, y, radius, band, role, kind, area
    labels: pd.DataFrame  # from place_labels
    highlight_ids: frozenset[str] = frozenset()
    box: tuple[float, float, float, float] | None = None  # lon/lat box outlined on a world panel
    outlines: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)  # named pixel boxes


@dataclass
class MapData:
    """Everything a map draws, and the table offered as its CSV download."""

    title: str
    panels: list[Panel]
    table: pd.DataFrame  # one row per point drawn (the download)
    missing: pd.DataFrame  # cluster, reason: clusters of the data that could not be drawn
    size: tuple[float, float]  # inches
    legend: list[tuple[str, str]] = field(default_factory=list)  # (kind, label) for the legend
    inset: Panel | None = None


def _markers(points: pd.DataFrame, frame: Frame, role: pd.Series) -> pd.DataFrame:
    x, y = frame.project(points["longitude"].to_numpy(), points["latitude"].to_numpy())
    px, py = frame.to_pixels(x, y)
    footprint = points["kind"].eq("footprint").to_numpy()
    weights = points["weight"].to_numpy(dtype=float)
    max_weight = {c: w for c, w in points.groupby("cluster")["weight"].max().items()}
    areas = [FOOTPRINT_AREA * max(weight / max_weight[c], 0.15) if fp else marker_area(band)
             for fp, weight, c, band in zip(footprint, weights, points["cluster"], points["band"])]
    return pd.DataFrame({
        "cluster": points["cluster"].to_numpy(), "city": points["city"].to_numpy(), "x": px, "y": py,
        "area": areas, "radius": [marker_radius_pixels(a) for a in areas], "band": points["band"].to_numpy(),
        "role": role.to_numpy(), "kind": points["kind"].to_numpy(),
    })


def _label_anchors(markers: pd.DataFrame, order: list[str], bold: set[str], label_of: dict[str, str],
                   short_of: dict[str, str]) -> pd.DataFrame:
    """One anchor per cluster: its first city's marker (a footprint: its heaviest... weighted centre)."""
    rows = []
    for cluster in order:
        own = markers[markers["cluster"] == cluster]
        if own.empty:
            continue
        if (own["kind"] == "footprint").any():
            x, y, radius = own["x"].mean(), own["y"].mean(), float(np.hypot(own["x"] - own["x"].mean(),
                                                                             own["y"] - own["y"].mean()).max()) + 3
        else:
            x, y, radius = own.iloc[0]["x"], own.iloc[0]["y"], own.iloc[0]["radius"]
        rows.append({"label": label_of[cluster], "short": short_of.get(cluster, ""), "x": x, "y": y,
                     "radius": radius, "bold": cluster in bold})
    return pd.DataFrame(rows, columns=["label", "short", "x", "y", "radius", "bold"])


PROFILE_SIZE = (9.6, 5.7)  # inches
PROFILE_MAP_BOX = (0.01, 0.09, 0.98, 0.84)  # map axes in figure fractions (left, bottom, width, height)
INSET_SIZE = (0.24, 0.25)  # world inset, figure fractions, in the map's emptiest corner


def _pixel_box(box: tuple[float, float, float, float], size: tuple[float, float]) -> tuple[float, float, float, float]:
    width, height = size[0] * figures.FIGURE_DPI, size[1] * figures.FIGURE_DPI
    return box[0] * width, box[1] * height, box[2] * width, box[3] * height


def _inset_box(markers: pd.DataFrame, map_pixels: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The corner of the map for the world inset that covers the fewest markers (ties: lower left)."""
    x0, y0, width, height = map_pixels
    inset_w, inset_h = _pixel_box((*INSET_SIZE, 0, 0), PROFILE_SIZE)[:2]
    margin = 4.0
    corners = [(x0 + margin, y0 + margin), (x0 + width - inset_w - margin, y0 + margin),
               (x0 + margin, y0 + height - inset_h - margin), (x0 + width - inset_w - margin, y0 + height - inset_h - margin)]

    def covered(corner):
        box = (corner[0], corner[1], corner[0] + inset_w, corner[1] + inset_h)
        return sum(_box_hits_circle(box, x, y, r + LABEL_GAP + 30) for x, y, r in
                   markers[["x", "y", "radius"]].itertuples(index=False))

    best = min(corners, key=covered)
    return best[0], best[1], inset_w, inset_h


def _with_kind(points: pd.DataFrame, kind: str) -> pd.DataFrame:
    return points.assign(kind=kind)


def profile_map_data(cluster: str, edition: int, economy_clusters: pd.DataFrame, locations: pd.DataFrame,
                     adjective: str, footprint: pd.DataFrame | None = None) -> MapData:
    """The locator map of a profile: the economy's clusters in the edition's data, ``cluster`` highlighted.

    ``economy_clusters``: the edition's clusters of the economy (``cluster``, ``economy``, ``size_rank``),
    ``cluster`` among them. ``locations``: their city points (``cluster_locations.csv`` rows).
    ``footprint``: the cluster's own points with a ``weight`` (from records), drawn instead of its cities.
    """
    rows = economy_clusters.drop_duplicates("cluster")
    if cluster not in set(rows["cluster"]):
        raise ValueError(f"{cluster!r} is not among the clusters given for its map")
    if footprint is not None:
        if footprint.empty:
            raise ValueError(f"the footprint of {cluster!r} has no points")
        own = footprint.assign(cluster=cluster, city=footprint["city"] if "city" in footprint else "footprint point")
        combined = pd.concat([locations[locations["cluster"] != cluster].assign(weight=1.0), own], ignore_index=True)
        points, missing = locate_clusters(rows, combined)
        points = points.assign(kind=np.where(points["cluster"] == cluster, "footprint", "city"))
    else:
        points, missing = locate_clusters(rows, locations)
        points = _with_kind(points, "city")
    economy = str(rows.loc[rows["cluster"] == cluster, "economy"].iloc[0])
    pixels = _pixel_box(PROFILE_MAP_BOX, PROFILE_SIZE)
    if points.empty:
        shapes = [s for s in basemap("110m") if s.id in economy_shape_ids(economy)] or list(basemap("110m"))
        box = (min(s.bbox[0] for s in shapes), min(s.bbox[1] for s in shapes),
               max(s.bbox[2] for s in shapes), max(s.bbox[3] for s in shapes))
    else:
        box = (points["longitude"].min(), points["latitude"].min(), points["longitude"].max(), points["latitude"].max())
    frame = regional_frame(*box, pixels=pixels, pad=0.18, min_span=10.0)
    # the cluster's markers are drawn last (on top) and labelled first
    points["role"] = np.where(points["cluster"] == cluster, "focus", "other")
    points = points.sort_values(["role", "size_rank"], ascending=[False, False], na_position="first",
                                kind="stable").reset_index(drop=True)
    markers = _markers(points, frame, points["role"])
    ranks = rows.set_index("cluster")["size_rank"]
    order = [cluster] + [c for c in rows.sort_values("size_rank", na_position="last", kind="stable")["cluster"]
                         if c != cluster]
    label_of = {c: cluster_label(c, ranks[c]) for c in order}
    short_of = {c: str(int(ranks[c])) for c in order if not pd.isna(ranks[c])}
    anchors = _label_anchors(markers, order, {cluster}, label_of, short_of)
    inset = _inset_box(markers, pixels)
    bounds = (pixels[0] + 2, pixels[1] + 2, pixels[0] + pixels[2] - 2, pixels[1] + pixels[3] - 2)
    labels = place_labels(anchors, markers, bounds, obstacles=[(inset[0], inset[1], inset[0] + inset[2], inset[1] + inset[3])])
    panel = Panel("main", frame, markers, labels, highlight_ids=economy_shape_ids(economy))
    inset_panel = Panel("inset", world_frame(inset), markers.iloc[0:0], labels.iloc[0:0], box=frame.lonlat_bounds())
    table = points.assign(edition=edition)[
        ["edition", "cluster", "city", "latitude", "longitude", "size_rank", "band", "role", "kind", "weight",
         "geonames_id", "source"]]
    alone = not (points["role"] == "other").any()
    title = (f"{cluster}: the only {adjective} cluster in the GII {edition} data" if alone
             else f"{cluster} and the other {adjective} clusters in the GII {edition} data")
    legend = [("band", label) for _, _, label, _ in RANK_BANDS] + [("unranked", UNRANKED_BAND),
                                                                  ("focus", "this cluster")]
    if not alone:
        legend.append(("other", f"other {adjective} clusters"))
    return MapData(title, [panel], table.reset_index(drop=True), missing, PROFILE_SIZE, legend, inset_panel)


# ------------------------------------------------------------------------------ edition overview

OVERVIEW_SIZE = (9.6, 9.6)  # inches
OVERVIEW_WORLD_BOX = (0.005, 0.47, 0.99, 0.47)
# Panels as wide as their crowds need: East Asia's (Korea, Japan, the Yangtze delta) widest, North America's
# (fewest clusters) narrowest; on data/ this labels every East Asian cluster of 2024 (two were left out
# with equal widths) with fewer short labels and leader lines.
OVERVIEW_PANEL_BOXES = [(0.005, 0.075, 0.28, 0.36), (0.2925, 0.075, 0.32, 0.36), (0.62, 0.075, 0.375, 0.36)]
REGIONS = {  # where clusters crowd: (lon_min, lat_min, lon_max, lat_max)
    "North America": (-125.0, 17.0, -65.0, 50.5),
    "Europe": (-10.0, 36.0, 30.0, 61.0),
    "East Asia": (100.0, 20.0, 142.0, 43.0),
}
WORLD_MARKER_SCALE = 0.55  # markers on the world panel are smaller: the panels below show the crowds


def _in_box(lon, lat, box) -> np.ndarray:
    return (np.asarray(lon) >= box[0]) & (np.asarray(lon) <= box[2]) & (np.asarray(lat) >= box[1]) & (np.asarray(lat) <= box[3])


def region_of(lon: float, lat: float) -> str:
    return next((name for name, box in REGIONS.items() if _in_box(lon, lat, box)), "")


def overview_map_data(edition: int, clusters: pd.DataFrame, locations: pd.DataFrame) -> MapData:
    """The world map of an edition's clusters in the data, with panels where they crowd.

    Markers are sized by size-rank band; the world panel labels the clusters outside the regional
    panels, each regional panel the clusters it shows. Labels never overlap each other nor cover a
    marker: one that cannot be placed is listed as unlabelled (see ``place_labels``).
    """
    rows = clusters.drop_duplicates("cluster")
    points, missing = locate_clusters(rows, locations)
    points = _with_kind(points, "city")
    points["region"] = [region_of(lon, lat) for lon, lat in zip(points["longitude"], points["latitude"])]
    # smaller markers drawn last, so that a big one never hides a small one
    points = points.assign(_area=[marker_area(b) for b in points["band"]]).sort_values(
        ["_area", "cluster"], ascending=[False, True], kind="stable").drop(columns="_area").reset_index(drop=True)
    ranks = rows.set_index("cluster")["size_rank"]
    order = list(rows.sort_values(["size_rank", "cluster"], na_position="last", kind="stable")["cluster"])
    label_of = {c: cluster_label(c, ranks[c]) for c in order}
    short_of = {c: str(int(ranks[c])) for c in order if not pd.isna(ranks[c])}
    panels = []
    world_pixels = _pixel_box(OVERVIEW_WORLD_BOX, OVERVIEW_SIZE)
    world = world_frame(world_pixels)
    world_markers = _markers(points, world, pd.Series("other", index=points.index))
    world_markers["area"] = world_markers["area"] * WORLD_MARKER_SCALE
    world_markers["radius"] = [marker_radius_pixels(a) for a in world_markers["area"]]
    outside = set(points.loc[points["region"] == "", "cluster"])
    anchors = _label_anchors(world_markers, [c for c in order if c in outside], set(), label_of, short_of)
    region_boxes = []
    for box in REGIONS.values():
        xs, ys = world.to_pixels(*equal_earth([box[0], box[2], box[0], box[2]], [box[1], box[1], box[3], box[3]]))
        region_boxes.append((float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))))
    panels.append(Panel("World", world, world_markers,
                        place_labels(anchors, world_markers, _inner(world_pixels), obstacles=region_boxes),
                        outlines=list(zip(REGIONS, region_boxes))))
    for (name, box), fraction in zip(REGIONS.items(), OVERVIEW_PANEL_BOXES):
        pixels = _pixel_box(fraction, OVERVIEW_SIZE)
        frame = regional_frame(*box, pixels=pixels, pad=0.0, min_span=1.0)
        lon_min, lat_min, lon_max, lat_max = frame.lonlat_bounds()
        shown = points[_in_box(points["longitude"], points["latitude"], (lon_min, lat_min, lon_max, lat_max))]
        markers = _markers(shown, frame, pd.Series("other", index=shown.index))
        anchors = _label_anchors(markers, [c for c in order if c in set(shown["cluster"])], set(), label_of, short_of)
        panels.append(Panel(name, frame, markers, place_labels(anchors, markers, _inner(pixels)), box=box))
    table = points.assign(edition=edition)[["edition", "cluster", "city", "latitude", "longitude", "size_rank",
                                            "band", "region", "geonames_id", "source"]]
    legend = [("band", label) for _, _, label, _ in RANK_BANDS] + [("unranked", UNRANKED_BAND)]
    title = f"GII {edition}: where the science and technology clusters in the data are (size rank in brackets)"
    return MapData(title, panels, table, missing, OVERVIEW_SIZE, legend)


def _inner(pixels: tuple[float, float, float, float], margin: float = 2.0) -> tuple[float, float, float, float]:
    return pixels[0] + margin, pixels[1] + margin, pixels[0] + pixels[2] - margin, pixels[1] + pixels[3] - margin


def unlabelled(data: MapData) -> list[str]:
    """Clusters drawn but left without a label for lack of room (on every panel that shows them)."""
    labelled = {label for panel in data.panels for label in panel.labels.loc[panel.labels["placed"], "label"]}
    drawn = [label for panel in data.panels for label in panel.labels["label"]]
    return list(dict.fromkeys(label for label in drawn if label not in labelled))


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


# -------------------------------------------------------------------------------------- drawing


@functools.cache
def _country_paths(resolution: str, projection: str) -> tuple[tuple[str, MplPath, tuple], ...]:
    """One compound path per shape: Equal Earth units for "world", degrees for "regional"."""
    result = []
    for shape in basemap(resolution):
        # a ring spanning more than 270° of longitude wraps round the antimeridian (Fiji): leave it out
        kept = [r for r in shape.rings if np.ptp(r[:, 0]) < 270] or list(shape.rings[:1])
        rings = [np.column_stack(equal_earth(r[:, 0], r[:, 1])) if projection == "world" else r for r in kept]
        vertices = np.concatenate(rings)
        codes = np.full(len(vertices), MplPath.LINETO, dtype=MplPath.code_type)
        start = 0
        for ring in rings:
            codes[start] = MplPath.MOVETO
            codes[start + len(ring) - 1] = MplPath.CLOSEPOLY
            start += len(ring)
        result.append((shape.id, MplPath(vertices, codes), shape.bbox))
    return tuple(result)


def _draw_countries(fig: plt.Figure, panel: Panel, resolution: str, frame_colour: str = COLOURS["frame"]) -> None:
    frame = panel.frame
    x0, y0, width, height = frame.pixels
    fig_w, fig_h = fig.get_size_inches() * figures.FIGURE_DPI
    ax = fig.add_axes((x0 / fig_w, y0 / fig_h, width / fig_w, height / fig_h))
    ax.set_axis_off()
    if frame.projection == "world":
        ax.set_xlim(frame.extent[0], frame.extent[1])
        ax.set_ylim(frame.extent[2], frame.extent[3])
        view = (-180.0, -90.0, 180.0, 90.0)
    else:
        view = frame.lonlat_bounds()
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
    shapes = [(i, p) for i, p, b in _country_paths(resolution, frame.projection)
              if b[0] <= view[2] and b[2] >= view[0] and b[1] <= view[3] and b[3] >= view[1]]
    faces = [COLOURS["economy"] if i in panel.highlight_ids else COLOURS["land"] for i, _ in shapes]
    ax.add_collection(PathCollection([p for _, p in shapes], facecolors=faces, edgecolors=COLOURS["border"],
                                     linewidths=0.5 if frame.projection == "regional" else 0.3))
    if frame.projection == "world":
        lats = np.linspace(*WORLD_LAT_RANGE, 60)
        lons = np.linspace(-180, 180, 120)
        edge_lon = np.concatenate([np.full(60, -180.0), lons, np.full(60, 180.0), lons[::-1]])
        edge_lat = np.concatenate([lats, np.full(120, WORLD_LAT_RANGE[1]), lats[::-1], np.full(120, WORLD_LAT_RANGE[0])])
        ax.plot(*equal_earth(edge_lon, edge_lat), color="#c8c8c8", linewidth=0.8)
        if panel.box is not None:
            lon_min, lat_min, lon_max, lat_max = panel.box
            box_lon = np.concatenate([np.linspace(lon_min, lon_max, 20), np.full(20, lon_max),
                                      np.linspace(lon_max, lon_min, 20), np.full(20, lon_min)])
            box_lat = np.concatenate([np.full(20, lat_min), np.linspace(lat_min, lat_max, 20), np.full(20, lat_max),
                                      np.linspace(lat_max, lat_min, 20)])
            ax.plot(*equal_earth(box_lon, box_lat), color=COLOURS["focus"], linewidth=1.2)
    else:
        ax.set_axis_on()  # a regional panel is framed
        ax.set_xticks([])
        ax.set_yticks([])
        for edge in ax.spines.values():
            edge.set_visible(True)
            edge.set_edgecolor(frame_colour)
            edge.set_linewidth(0.8)
        ax.set_facecolor("#ffffff")


@_default_style
def _background(size: tuple[float, float], layers: tuple, legend: tuple) -> np.ndarray:
    """The countries of every panel as one RGBA raster, drawn once per process per view.

    Batch renders draw many profiles of one economy: the basemap under their markers is the same.
    ``layers``: (panel, resolution, is_inset) tuples; the panels are hashable by their frame.
    """
    fig = plt.figure(figsize=size, dpi=figures.FIGURE_DPI, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    for panel, resolution, is_inset in layers:
        if is_inset:
            fig_w, fig_h = size[0] * figures.FIGURE_DPI, size[1] * figures.FIGURE_DPI
            x0, y0, width, height = panel.frame.pixels
            backing = fig.add_axes((x0 / fig_w, y0 / fig_h, width / fig_w, height / fig_h))
            backing.set_xticks([])
            backing.set_yticks([])
            backing.set_facecolor("white")
            for spine in backing.spines.values():
                spine.set_edgecolor(COLOURS["frame"])
        _draw_countries(fig, panel, resolution)
    handles, labels = _legend_handles(legend)
    columns = len(handles) if sum(len(label) for label in labels) < 110 else (len(handles) + 1) // 2
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=columns,
               frameon=False, fontsize=8.5, handletextpad=0.3, columnspacing=1.2)
    canvas.draw()
    raster = np.asarray(canvas.buffer_rgba()).copy()
    plt.close(fig)
    return raster


@dataclass(frozen=True)
class _Layer:
    """A hashable key for a panel's basemap: what decides its pixels."""

    frame: Frame
    highlight_ids: frozenset[str]
    box: tuple | None

    @property
    def panel(self) -> Panel:
        return Panel("", self.frame, pd.DataFrame(), pd.DataFrame(), self.highlight_ids, self.box)


def _layers(data: MapData) -> tuple:
    layers = [(_Layer(p.frame, p.highlight_ids, p.box), "50m" if p.frame.projection == "regional" else "110m", False)
              for p in data.panels]
    if data.inset is not None:
        layers.append((_Layer(data.inset.frame, data.inset.highlight_ids, data.inset.box), "110m", True))
    return tuple(layers)


def _background_for(data: MapData) -> np.ndarray:
    return _background_cached(data.size, _layers(data), tuple(data.legend))


@functools.lru_cache(maxsize=16)
def _background_cached(size, layers, legend) -> np.ndarray:
    """The basemap and legend of a map, drawn once per process per view (batch renders draw many
    profiles of one economy on the same basemap), and kept in the on-disk cache (``cache``) so that a
    fresh kernel neither decodes the Natural Earth shapes nor draws them for a view drawn before."""
    from cluster_profiles import cache

    name = cache.key(BACKGROUND_CACHE_KIND, _background_key(size, layers, legend), _basemap_digest())
    stored = cache.load(BACKGROUND_CACHE_KIND, name)
    if isinstance(stored, tuple) and len(stored) == 3:
        shape, dtype, packed = stored
        return np.frombuffer(zlib.decompress(packed), dtype=dtype).reshape(shape).copy()
    raster = _background(size, tuple((layer.panel, resolution, inset) for layer, resolution, inset in layers), legend)
    # mostly flat colour: zlib's fastest level makes a 2 MB raster a few dozen KB
    cache.store(BACKGROUND_CACHE_KIND, name, (raster.shape, raster.dtype.str, zlib.compress(raster.tobytes(), 1)))
    return raster


BACKGROUND_CACHE_KIND = "basemaps"


def _background_key(size, layers, legend) -> str:
    """What decides a background's pixels, as text that is the same in every process (no set order)."""
    parts = [repr(tuple(size)), repr(tuple(legend))]
    for layer, resolution, inset in layers:
        parts.append(repr((layer.frame, sorted(layer.highlight_ids), layer.box, resolution, inset)))
    return "\n".join(parts)


@functools.cache
def _basemap_digest() -> str:
    """Hash of the shipped shapes (the TopoJSON files and the country codes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in BASEMAP_DIR.iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _legend_handles(legend) -> tuple[list, list[str]]:
    handles, labels = [], []
    grey = "#8a8a8a"
    for kind, label in legend:
        if kind == "band":
            handle = Line2D([], [], linestyle="", marker="o", markersize=math.sqrt(marker_area(label)),
                            markerfacecolor=grey, markeredgecolor="white")
        elif kind == "unranked":
            handle = Line2D([], [], linestyle="", marker="o", markersize=math.sqrt(UNRANKED_AREA) - 1,
                            markerfacecolor="white", markeredgecolor=grey, markeredgewidth=1.5)
        else:
            handle = Line2D([], [], linestyle="", marker="o", markersize=8, markerfacecolor=COLOURS[kind],
                            markeredgecolor="white")
        handles.append(handle)
        labels.append(label)
    return handles, labels


def _font(bold: bool = False) -> FontProperties:
    return FontProperties(family="DejaVu Sans", size=LABEL_FONT_SIZE, weight="bold" if bold else "normal")


def _draw_markers(ax, markers: pd.DataFrame) -> None:
    for role in ("other", "focus"):
        colour = COLOURS[role]
        mine = markers[markers["role"] == role]
        footprint = mine[mine["kind"] == "footprint"]
        if not footprint.empty:
            ax.scatter(footprint["x"], footprint["y"], s=footprint["area"], color=colour, alpha=0.75,
                       linewidths=0, zorder=3)
        cities = mine[mine["kind"] != "footprint"]
        hollow = cities["band"] == UNRANKED_BAND
        if hollow.any():
            ax.scatter(cities.loc[hollow, "x"], cities.loc[hollow, "y"], s=cities.loc[hollow, "area"],
                       facecolors="white", edgecolors=colour, linewidths=1.6, zorder=4)
        if (~hollow).any():
            ax.scatter(cities.loc[~hollow, "x"], cities.loc[~hollow, "y"], s=cities.loc[~hollow, "area"],
                       facecolors=colour, edgecolors="white", linewidths=0.6, zorder=4)


def _draw_labels(ax, labels: pd.DataFrame, focus_label: str | None) -> None:
    for row in labels[labels["placed"]].itertuples(index=False):
        colour = COLOURS["focus"] if row.label == focus_label else COLOURS["text"]
        if row.leader:
            box_x = min(max(row.anchor_x, row.x0), row.x1)
            box_y = min(max(row.anchor_y, row.y0), row.y1)
            ax.plot([row.anchor_x, box_x], [row.anchor_y, box_y], color="#777777", linewidth=0.7, zorder=2)
        ax.text(row.x0, row.y0, row.text, ha="left", va="bottom", fontproperties=_font(row.bold), color=colour,
                zorder=5)


def draw_map(data: MapData, alt: str, caption: str) -> Markup:
    """The map as a PNG <figure> with its alt text and caption (same bytes for the same data)."""
    width, height = (round(v * figures.FIGURE_DPI) for v in data.size)
    encoded = base64.b64encode(map_png(data)).decode("ascii")
    return Markup('<figure class="chart map"><img src="data:image/png;base64,{}" alt="{}" width="{}" height="{}">'
                  "<figcaption>{}</figcaption></figure>").format(encoded, alt, width, height, caption)


@_default_style
def map_png(data: MapData) -> bytes:
    """The markers and labels drawn on a transparent canvas, laid over the cached basemap raster
    (straight alpha: matplotlib's Agg buffer is not premultiplied), saved as PNG."""
    fig = map_figure(data, background=False)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    top = np.asarray(canvas.buffer_rgba())
    plt.close(fig)
    rgb = _background_for(data)[..., :3].copy()
    drawn = top[..., 3] > 0  # most of the overlay is transparent: blend only where something is drawn
    alpha = top[drawn, 3:4].astype(np.float32) / 255.0
    rgb[drawn] = np.rint(top[drawn, :3] * alpha + rgb[drawn] * (1.0 - alpha)).astype(np.uint8)
    buffer = io.BytesIO()
    # zlib level 1: a quarter of the default level's time for a file about 15 % larger
    plt.imsave(buffer, rgb, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


@_default_style
def map_figure(data: MapData, background: bool = True) -> plt.Figure:
    """The map as a matplotlib figure; without ``background``, only what lies over the basemap."""
    fig = plt.figure(figsize=data.size, dpi=figures.FIGURE_DPI, facecolor="white" if background else "none")
    if background:
        fig.figimage(_background_for(data), 0, 0, origin="upper")
    width, height = data.size[0] * figures.FIGURE_DPI, data.size[1] * figures.FIGURE_DPI
    ax = fig.add_axes((0, 0, 1, 1))  # drawn in pixels: the map data placed everything in pixels
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.patch.set_visible(False)
    ax.set_zorder(1)  # above the basemap raster (a figure image)
    focus = data.table.loc[data.table["role"] == "focus", "cluster"] if "role" in data.table else pd.Series(dtype=str)
    focus_label = None
    for panel in data.panels:
        for name, (x0, y0, x1, y1) in panel.outlines:
            ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#6f6f6f", linewidth=0.8))
            ax.text(x0, y1 + 2, name, fontsize=7.5, color="#555555", ha="left", va="bottom")
        if panel.frame.projection == "regional" and panel.name not in ("main",):
            x0, y0, _, h = panel.frame.pixels
            ax.text(x0, y0 + h + 4, panel.name, fontsize=10, color=COLOURS["text"], ha="left", va="bottom")
        _draw_markers(ax, panel.markers)
        if not focus.empty:
            own = panel.labels[panel.labels["label"].str.startswith(str(focus.iloc[0]))]
            focus_label = own.iloc[0]["label"] if not own.empty else None
        _draw_labels(ax, panel.labels, focus_label)
    fig.text(0.01, 1 - 8 / height, data.title, ha="left", va="top", fontsize=12.5, color=COLOURS["text"])
    return fig


# ------------------------------------------------------------------------------------ alt text


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
    text += "; a small world map shows where the area lies."
    if not data.missing.empty:
        text += " Not drawn, no location: " + ", ".join(data.missing["cluster"]) + "."
    return text


def focus_drawn(data: MapData) -> bool:
    """Whether the map draws its highlighted cluster (False when the data has no location for it)."""
    return bool((data.table["role"] == "focus").any())


def profile_caption(data: MapData, cluster: str, edition: int, adjective: str) -> str:
    """The locator map's caption: how the cluster is drawn, and where the coordinates come from (GeoNames
    only when the sources say so: a computed folder's footprint comes from its records)."""
    table = data.table
    own = table[table["role"] == "focus"]
    place = ("its footprint (the points of its records)" if (own["kind"] == "footprint").any()
             else "at its city" if len(own) == 1 else "at each of its cities")
    geonames = table["source"].astype(str).str.contains("geonames", case=False).any()
    return (f"{cluster} (orange, {place}) and the other {adjective} clusters in the GII {edition} data (blue), "
            f"with their size ranks; marker size by rank band. "
            f"{'City coordinates: GeoNames. ' if geonames else 'Coordinates: see the sources. '}{BOUNDARY_NOTE}")


def overview_alt_text(data: MapData, edition: int) -> str:
    table = data.table
    parts = [f"World map of the {table['cluster'].nunique()} clusters of the GII {edition} data that have a location, "
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
