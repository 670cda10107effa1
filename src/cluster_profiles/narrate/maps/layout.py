"""What a map shows, as data pytest checks: which clusters, where, how big, on which panels, and where
each label goes (placed in the figure's pixel space by ``placement``). ``draw`` only draws it; ``text``
says it in words.

A profile's locator map (``profile_map_data``) shows the clusters of the cluster's economy, the cluster
highlighted, with a world inset; an edition's overview map (``overview_map_data``) shows the world, with
panels where the clusters crowd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from cluster_profiles.narrate import figures
from cluster_profiles.narrate.maps.placement import LABEL_GAP, place_labels
from cluster_profiles.narrate.maps.projection import Frame, equal_earth, regional_frame, world_frame
from cluster_profiles.narrate.maps.shapes import basemap, economy_shape_ids

# size rank bands and their marker areas (points²); unranked clusters in the data are drawn hollow
RANK_BANDS = [(1, 10, "rank 1–10", 190.0), (11, 25, "rank 11–25", 120.0), (26, 50, "rank 26–50", 70.0),
              (51, 100, "rank 51–100", 38.0)]
UNRANKED_BAND = "rank not given"
UNRANKED_AREA = 55.0
FOOTPRINT_AREA = 28.0  # largest dot of a footprint (points²), scaled by the point's weight
NO_LOCATION_REASON = "no coordinates in cluster_locations.csv"
EMPTY_LOCATIONS = pd.DataFrame({c: pd.Series(dtype=t) for c, t in [
    ("cluster", str), ("city", str), ("latitude", float), ("longitude", float), ("geonames_id", "Int64"),
    ("source", str)]})


# ------------------------------------------------------------------------------ cluster points


def band_of(size_rank) -> str:
    if size_rank is None or pd.isna(size_rank):
        return UNRANKED_BAND
    return next(label for low, high, label, _ in RANK_BANDS if low <= int(size_rank) <= high)


def band_legend(bands: pd.Series) -> list[tuple[str, str]]:
    """The legend's rank bands: only those a marker of the map is drawn in, in rank order."""
    drawn = set(bands)
    return [("band", label) for _, _, label, _ in RANK_BANDS if label in drawn] + (
        [("unranked", UNRANKED_BAND)] if UNRANKED_BAND in drawn else [])


def marker_area(band: str) -> float:
    return next((area for _, _, label, area in RANK_BANDS if label == band), UNRANKED_AREA)


def marker_radius_pixels(area_points2: float, dpi: float = figures.FIGURE_DPI) -> float:
    """Radius in pixels of a scatter marker of ``area_points2`` (matplotlib's s) plus its edge."""
    return (math.sqrt(area_points2) / 2 + 0.6) * dpi / 72


# The highlighted cluster's halo: wider than the largest marker whatever its band, so that it is always the
# most visible mark; its marker inside keeps its band's size. HALO_EDGE: its outline's width (pixels).
FOCUS_HALO_RADIUS = marker_radius_pixels(RANK_BANDS[0][3]) + 4.0
HALO_EDGE = 2.0


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
    # the highlighted cluster's halo: one convex outline round all its points (pixels), drawn under its markers
    halo: tuple[tuple[float, float], ...] = ()
    # the other clusters of several cities: the lines joining their cities (cluster, x0, y0, x1, y1)
    joins: list[tuple[str, float, float, float, float]] = field(default_factory=list)


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
                   short_of: dict[str, str], halo: tuple = ()) -> pd.DataFrame:
    """One anchor per cluster: its first city's marker (a footprint: its weighted centre); the highlighted
    cluster's (``bold``), the centre of its points and a circle round its halo."""
    rows = []
    for cluster in order:
        own = markers[markers["cluster"] == cluster]
        if own.empty:
            continue
        if cluster in bold and halo:
            x, y = own["x"].mean(), own["y"].mean()
            radius = float(max(math.hypot(hx - x, hy - y) for hx, hy in halo)) + HALO_EDGE / 2
        elif (own["kind"] == "footprint").any():
            x, y, radius = own["x"].mean(), own["y"].mean(), float(np.hypot(own["x"] - own["x"].mean(),
                                                                             own["y"] - own["y"].mean()).max()) + 3
        else:
            x, y, radius = own.iloc[0]["x"], own.iloc[0]["y"], own.iloc[0]["radius"]
        rows.append({"label": label_of[cluster], "short": short_of.get(cluster, ""), "x": x, "y": y,
                     "radius": radius, "bold": cluster in bold})
    return pd.DataFrame(rows, columns=["label", "short", "x", "y", "radius", "bold"])


PROFILE_SIZE = (9.6, 5.7)  # inches
PROFILE_MAP_BOX = (0.01, 0.09, 0.98, 0.84)  # map axes in figure fractions (left, bottom, width, height)
INSET_SIZE = (0.24, 0.25)  # world inset, figure fractions, in a corner of the map free of marks
INSET_PADS = (0.18, 0.35, 0.6, 1.0, 1.6, 2.5)  # the map's margins round its points, widened until a corner is free


def _pixel_box(box: tuple[float, float, float, float], size: tuple[float, float]) -> tuple[float, float, float, float]:
    width, height = size[0] * figures.FIGURE_DPI, size[1] * figures.FIGURE_DPI
    return box[0] * width, box[1] * height, box[2] * width, box[3] * height


def _inset_box(circles: pd.DataFrame, halo: tuple, map_pixels: tuple[float, float, float, float]
               ) -> tuple[float, float, float, float] | None:
    """The corner of the map for the world inset that covers no mark (``circles``: every marker, and the
    halo's) nor the halo, preferring a corner that leaves room for labels (ties: lower left); None when
    every corner covers a mark."""
    x0, y0, width, height = map_pixels
    inset_w, inset_h = _pixel_box((*INSET_SIZE, 0, 0), PROFILE_SIZE)[:2]
    margin = 4.0
    corners = [(x0 + margin, y0 + margin), (x0 + width - inset_w - margin, y0 + margin),
               (x0 + margin, y0 + height - inset_h - margin), (x0 + width - inset_w - margin, y0 + height - inset_h - margin)]
    outline = MplPath(np.array(halo)) if len(halo) >= 3 else None
    xs, ys, rs = (circles[c].to_numpy(dtype=float) for c in ("x", "y", "radius"))

    def covered(corner, room: float) -> int:
        box = (corner[0] - room, corner[1] - room, corner[0] + inset_w + room, corner[1] + inset_h + room)
        nearest_x, nearest_y = np.clip(xs, box[0], box[2]), np.clip(ys, box[1], box[3])
        hits = int(np.sum((nearest_x - xs) ** 2 + (nearest_y - ys) ** 2 < rs * rs))
        if outline is not None and outline.intersects_bbox(Bbox.from_extents(*box), filled=True):
            hits += 1
        return hits

    for room in (LABEL_GAP + 30, LABEL_GAP, HALO_EDGE):  # room for labels next to the marks, then for the marks only
        free = [corner for corner in corners if covered(corner, room) == 0]
        if free:
            return free[0][0], free[0][1], inset_w, inset_h
    return None


def halo_outline(xs, ys, radius: float, steps: int = 32) -> tuple[tuple[float, float], ...]:
    """The convex outline at ``radius`` round points (pixels): one shape enclosing a cluster's cities or
    footprint, a circle for one point. The convex hull of circles round the points, as a closed polygon."""
    angles = np.linspace(0, 2 * np.pi, steps, endpoint=False)
    ring_x = (np.asarray(xs, dtype=float)[:, None] + radius * np.cos(angles)).ravel()
    ring_y = (np.asarray(ys, dtype=float)[:, None] + radius * np.sin(angles)).ravel()
    hull = _convex_hull(np.column_stack([ring_x, ring_y]))
    return tuple((float(x), float(y)) for x, y in hull)


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain: the hull's vertices, counter-clockwise (scipy, which has one, is not a
    dependency of rendering)."""
    ordered = sorted(set(map(tuple, np.round(points, 6))))
    if len(ordered) < 3:
        return np.array(ordered)

    def half(sequence):
        chain: list = []
        for p in sequence:
            while len(chain) >= 2 and ((chain[-1][0] - chain[-2][0]) * (p[1] - chain[-2][1])
                                       - (chain[-1][1] - chain[-2][1]) * (p[0] - chain[-2][0])) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    return np.array(half(ordered)[:-1] + half(ordered[::-1])[:-1])


def _mark_circles(markers: pd.DataFrame, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every marker's circle and, for the highlighted cluster's ``points`` (x, y), circles covering its halo
    with its outline: what no label and no inset may cover. The halo is the set of pixels within
    FOCUS_HALO_RADIUS of the points' convex hull: circles of that radius (plus half a step) on a grid of
    the hull, a step apart, cover it."""
    circles = markers[["x", "y", "radius"]]
    if points is None or points.empty:
        return circles.reset_index(drop=True)
    xy = points[["x", "y"]].to_numpy(dtype=float)
    step = 2.0
    hull = _convex_hull(xy)
    centres = [tuple(p) for p in xy]
    if len(hull) >= 2:
        for a, b in zip(hull, np.roll(hull, -1, axis=0)):
            count = int(math.hypot(*(b - a)) // step)
            centres += [tuple(a + (b - a) * k / (count + 1)) for k in range(1, count + 1)]
    if len(hull) >= 3:
        (x_min, y_min), (x_max, y_max) = hull.min(axis=0), hull.max(axis=0)
        grid = np.array([(x, y) for x in np.arange(x_min, x_max, step) for y in np.arange(y_min, y_max, step)])
        if len(grid):
            centres += [tuple(p) for p in grid[MplPath(hull).contains_points(grid)]]
    radius = FOCUS_HALO_RADIUS + HALO_EDGE / 2 + step / 2
    extra = pd.DataFrame([(x, y, radius) for x, y in dict.fromkeys(centres)], columns=["x", "y", "radius"])
    return pd.concat([circles, extra], ignore_index=True)


def mark_circles(panel: Panel) -> pd.DataFrame:
    """Circles (x, y, radius, pixels) covering every mark drawn on a panel, its halo too."""
    return _mark_circles(panel.markers, panel.markers[panel.markers["role"] == "focus"] if panel.halo else None)


def _joins(markers: pd.DataFrame) -> list[tuple[str, float, float, float, float]]:
    """The lines that make a cluster of several cities one mark: each city joined to the nearest city of
    the cluster already joined (a minimum spanning tree, Prim's)."""
    joins = []
    for cluster, own in markers[markers["kind"] == "city"].groupby("cluster", sort=True):
        xy = own[["x", "y"]].to_numpy(dtype=float)
        joined = [0]
        while len(joined) < len(xy):
            rest = [i for i in range(len(xy)) if i not in joined]
            a, b = min(((a, b) for a in joined for b in rest), key=lambda ab: np.hypot(*(xy[ab[0]] - xy[ab[1]])))
            joins.append((str(cluster), *xy[a], *xy[b]))
            joined.append(b)
    return joins


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
    # the cluster's markers are drawn last (on top) and labelled first
    points["role"] = np.where(points["cluster"] == cluster, "focus", "other")
    points = points.sort_values(["role", "size_rank"], ascending=[False, False], na_position="first",
                                kind="stable").reset_index(drop=True)
    ranks = rows.set_index("cluster")["size_rank"]
    order = [cluster] + [c for c in rows.sort_values("size_rank", na_position="last", kind="stable")["cluster"]
                         if c != cluster]
    label_of = {c: cluster_label(c, ranks[c]) for c in order}
    short_of = {c: str(int(ranks[c])) for c in order if not pd.isna(ranks[c])}
    # zoomed out until a corner of the map is free for the world inset: it never covers a mark
    for pad in INSET_PADS:
        frame = regional_frame(*box, pixels=pixels, pad=pad, min_span=10.0)
        markers = _markers(points, frame, points["role"])
        own = markers[markers["role"] == "focus"]
        halo = halo_outline(own["x"].to_numpy(), own["y"].to_numpy(), FOCUS_HALO_RADIUS) if not own.empty else ()
        obstacles = _mark_circles(markers, own if halo else None)
        inset = _inset_box(obstacles, halo, pixels)
        if inset is not None:
            break
    anchors = _label_anchors(markers, order, {cluster}, label_of, short_of, halo)
    bounds = (pixels[0] + 2, pixels[1] + 2, pixels[0] + pixels[2] - 2, pixels[1] + pixels[3] - 2)
    inset_boxes = [] if inset is None else [(inset[0], inset[1], inset[0] + inset[2], inset[1] + inset[3])]
    labels = place_labels(anchors, obstacles, bounds, obstacles=inset_boxes)
    panel = Panel("main", frame, markers, labels, highlight_ids=economy_shape_ids(economy), halo=halo,
                  joins=_joins(markers[markers["role"] == "other"]))
    inset_panel = (None if inset is None else
                   Panel("inset", world_frame(inset), markers.iloc[0:0], labels.iloc[0:0], box=frame.lonlat_bounds()))
    table = points.assign(edition=edition)[
        ["edition", "cluster", "city", "latitude", "longitude", "size_rank", "band", "role", "kind", "weight",
         "geonames_id", "source"]]
    alone = not (points["role"] == "other").any()
    title = (f"{cluster}: the only {adjective} cluster in the GII {edition} data" if alone
             else f"{cluster} and the other {adjective} clusters in the GII {edition} data")
    legend = [*band_legend(points["band"]), ("focus", "this cluster")]  # its marker keeps its band's size
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
    legend = band_legend(points["band"])
    title = f"GII {edition}: where the science and technology clusters in the data are (size rank in brackets)"
    return MapData(title, panels, table, missing, OVERVIEW_SIZE, legend)


def _inner(pixels: tuple[float, float, float, float], margin: float = 2.0) -> tuple[float, float, float, float]:
    return pixels[0] + margin, pixels[1] + margin, pixels[0] + pixels[2] - margin, pixels[1] + pixels[3] - margin


def unlabelled(data: MapData) -> list[str]:
    """Clusters drawn but left without a label for lack of room (on every panel that shows them)."""
    labelled = {label for panel in data.panels for label in panel.labels.loc[panel.labels["placed"], "label"]}
    drawn = [label for panel in data.panels for label in panel.labels["label"]]
    return list(dict.fromkeys(label for label in drawn if label not in labelled))


def focus_drawn(data: MapData) -> bool:
    """Whether the map draws its highlighted cluster (False when the data has no location for it)."""
    return bool((data.table["role"] == "focus").any())
