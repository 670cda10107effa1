"""Drawing a map's data (``layout``) offline with matplotlib: the countries as a background raster, drawn
once per view and kept in the on-disk cache, with the markers and labels laid over it; the same PNG bytes
for the same data."""

from __future__ import annotations

import base64
import functools
import io
import math
import zlib
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # reports are rendered headless

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.path import Path as MplPath

from cluster_profiles import cache
from cluster_profiles.narrate import figures
from cluster_profiles.narrate.maps.layout import (
    HALO_EDGE,
    UNRANKED_AREA,
    UNRANKED_BAND,
    MapData,
    Panel,
    marker_area,
)
from cluster_profiles.narrate.maps.placement import label_font
from cluster_profiles.narrate.maps.projection import WORLD_LAT_RANGE, Frame, equal_earth
from cluster_profiles.narrate.maps.shapes import basemap, basemap_digest

COLOURS = {  # the project's accent (vermillion) against its blue: told apart with every colour-vision deficiency
    "focus": figures.PALETTE["accent"],
    "other": figures.PALETTE["highlight"],
    # land, the page's economy and the sea: pale grey, light yellow and light cyan of Paul Tol's "light"
    # scheme (Tol 2021, "Colour Schemes", SRON/EPS/TN/09-002, figure 5), told apart with every
    # colour-vision deficiency (tests/test_maps_palette.py simulates them)
    "land": "#dddddd",
    "economy": "#eedd88",
    "sea": "#99ddff",
    "halo": "#000000",  # the outline round the highlighted cluster: no other mark is black
    "halo_fill": "#ffffff",
    "border": "#ffffff",
    "text": "#222222",
    "frame": "#9a9a9a",
}


def _default_style(draw):
    """Draw with matplotlib's default settings, whatever a notebook set before (seaborn's theme):
    a report drawn in a warm kernel after others must be the same bytes as in a fresh one. Except one:
    names are text, never maths (the default parses '$…$' as TeX, and 'Evil $\\foo$ City' fails to draw);
    placement measures labels as text too (``ismath=False``)."""

    @functools.wraps(draw)
    def wrapped(*args, **kwargs):
        with plt.style.context("default"), plt.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return wrapped


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
    if frame.projection == "world":  # the sea: the world's outline filled under the countries
        ax.fill(*_world_outline(), color=COLOURS["sea"], linewidth=0)
    else:
        ax.set_facecolor(COLOURS["sea"])
    ax.add_collection(PathCollection([p for _, p in shapes], facecolors=faces, edgecolors=COLOURS["border"],
                                     linewidths=0.5 if frame.projection == "regional" else 0.3))
    if frame.projection == "world":
        ax.plot(*_world_outline(), color="#c8c8c8", linewidth=0.8)
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


def _world_outline() -> tuple[np.ndarray, np.ndarray]:
    """The edge of the world panel (Equal Earth units): the antimeridian and the parallels it is cut at."""
    lats = np.linspace(*WORLD_LAT_RANGE, 60)
    lons = np.linspace(-180, 180, 120)
    edge_lon = np.concatenate([np.full(60, -180.0), lons, np.full(60, 180.0), lons[::-1]])
    edge_lat = np.concatenate([lats, np.full(120, WORLD_LAT_RANGE[1]), lats[::-1], np.full(120, WORLD_LAT_RANGE[0])])
    return equal_earth(edge_lon, edge_lat)


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
    name = cache.key(BACKGROUND_CACHE_KIND, _background_key(size, layers, legend), basemap_digest())
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


def _legend_handles(legend) -> tuple[list, list[str]]:
    handles: list[Line2D | tuple[Line2D, ...]] = []
    labels: list[str] = []
    grey = "#8a8a8a"
    for kind, label in legend:
        handle: Line2D | tuple[Line2D, ...]
        if kind == "band":
            handle = Line2D([], [], linestyle="", marker="o", markersize=math.sqrt(marker_area(label)),
                            markerfacecolor=grey, markeredgecolor="white")
        elif kind == "unranked":
            handle = Line2D([], [], linestyle="", marker="o", markersize=math.sqrt(UNRANKED_AREA) - 1,
                            markerfacecolor="white", markeredgecolor=grey, markeredgewidth=1.5)
        elif kind == "focus":  # its halo with a marker inside, as on the map
            handle = (Line2D([], [], linestyle="", marker="o", markersize=15, markerfacecolor=COLOURS["halo_fill"],
                             markeredgecolor=COLOURS["halo"], markeredgewidth=HALO_EDGE * 72 / figures.FIGURE_DPI),
                      Line2D([], [], linestyle="", marker="o", markersize=8, markerfacecolor=COLOURS["focus"],
                             markeredgecolor="white"))
        else:
            handle = Line2D([], [], linestyle="", marker="o", markersize=8, markerfacecolor=COLOURS[kind],
                            markeredgecolor="white")
        handles.append(handle)
        labels.append(label)
    return handles, labels


def _draw_marks(ax, panel: Panel) -> None:
    """The highlighted cluster's halo, the other clusters (the cities of one joined by a line), then the
    highlighted cluster's markers on top of everything."""
    if panel.joins:
        ax.add_collection(LineCollection([((x0, y0), (x1, y1)) for _, x0, y0, x1, y1 in panel.joins],
                                         colors=COLOURS["other"], linewidths=2.2, capstyle="round", zorder=3))
    if panel.halo:  # under the other markers: a neighbour inside it stays visible
        ax.add_patch(Polygon(panel.halo, closed=True, facecolor=COLOURS["halo_fill"], edgecolor=COLOURS["halo"],
                             linewidth=HALO_EDGE * 72 / figures.FIGURE_DPI, zorder=2.5))
    _draw_markers(ax, panel.markers, ("other",))
    _draw_markers(ax, panel.markers, ("focus",), zorder=4)


def _draw_markers(ax, markers: pd.DataFrame, roles=("other", "focus"), zorder: float = 3) -> None:
    for role in roles:
        colour = COLOURS[role]
        mine = markers[markers["role"] == role]
        footprint = mine[mine["kind"] == "footprint"]
        if not footprint.empty:
            ax.scatter(footprint["x"], footprint["y"], s=footprint["area"], color=colour, alpha=0.75,
                       linewidths=0, zorder=zorder)
        cities = mine[mine["kind"] != "footprint"]
        hollow = cities["band"] == UNRANKED_BAND
        if hollow.any():
            ax.scatter(cities.loc[hollow, "x"], cities.loc[hollow, "y"], s=cities.loc[hollow, "area"],
                       facecolors="white", edgecolors=colour, linewidths=1.6, zorder=zorder + 0.05)
        if (~hollow).any():
            ax.scatter(cities.loc[~hollow, "x"], cities.loc[~hollow, "y"], s=cities.loc[~hollow, "area"],
                       facecolors=colour, edgecolors="white", linewidths=0.6, zorder=zorder + 0.05)


def _draw_labels(ax, labels: pd.DataFrame) -> None:
    """Every label in the text colour (dark on every fill); the highlighted cluster's is bold, its halo marks it."""
    for row in labels[labels["placed"]].itertuples(index=False):
        if row.leader:
            box_x = min(max(row.anchor_x, row.x0), row.x1)
            box_y = min(max(row.anchor_y, row.y0), row.y1)
            ax.plot([row.anchor_x, box_x], [row.anchor_y, box_y], color="#777777", linewidth=0.7, zorder=2)
        ax.text(row.x0, row.y0, row.text, ha="left", va="bottom", fontproperties=label_font(row.bold),
                color=COLOURS["text"], zorder=5)


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
    for panel in data.panels:
        for name, (x0, y0, x1, y1) in panel.outlines:
            ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#6f6f6f", linewidth=0.8))
            ax.text(x0, y1 + 2, name, fontsize=7.5, color="#555555", ha="left", va="bottom")
        if panel.frame.projection == "regional" and panel.name not in ("main",):
            x0, y0, _, h = panel.frame.pixels
            ax.text(x0, y0 + h + 4, panel.name, fontsize=10, color=COLOURS["text"], ha="left", va="bottom")
        _draw_marks(ax, panel)
        _draw_labels(ax, panel.labels)
    fig.text(0.01, 1 - 8 / height, data.title, ha="left", va="top", fontsize=12.5, color=COLOURS["text"])
    return fig
