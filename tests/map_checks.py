"""What the map tests share: an economy's clusters in an edition, and the check that labels stay clear."""

from __future__ import annotations

import math

import matplotlib.colors
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Polygon

from cluster_profiles.contract.economies import primary_economy
from cluster_profiles.narrate.maps.layout import Panel


def economy_clusters(tables, edition: int, economy: str) -> pd.DataFrame:
    clusters = tables.clusters[tables.clusters["edition"] == edition]
    return clusters[[primary_economy(code) == economy for code in clusters["economy"]]]


def assert_labels_clear(panel: Panel) -> None:
    """No two placed labels overlap; no label covers any marker; every label stays in its panel."""
    placed = panel.labels[panel.labels["placed"]]
    boxes = placed[["x0", "y0", "x1", "y1"]].to_numpy()
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (placed.iloc[i]["text"],
                                                                                      placed.iloc[j]["text"])
    for (x0, y0, x1, y1), text in zip(boxes, placed["text"]):
        for marker in panel.markers.itertuples():
            nearest_x, nearest_y = min(max(marker.x, x0), x1), min(max(marker.y, y0), y1)
            assert (nearest_x - marker.x) ** 2 + (nearest_y - marker.y) ** 2 >= marker.radius ** 2, (text, marker.cluster)
        px0, py0, width, height = panel.frame.pixels
        assert px0 <= x0 and x1 <= px0 + width and py0 <= y0 and y1 <= py0 + height, text


# ------------------------------------------------------------------ colour vision (palette tests)

# Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for Simulation of Color Vision
# Deficiency", IEEE TVCG 15(6): the severity-1.0 matrices of their table, applied to linear sRGB.
MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _linear(rgb):
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _encoded(linear):
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(colour: str, vision: str) -> np.ndarray:
    """The sRGB (0-1) a reader with ``vision`` ('normal' or a key of MACHADO_2009) sees for a hex colour."""
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    if vision == "normal":
        return rgb
    return _encoded(np.array(MACHADO_2009[vision]) @ _linear(rgb))


def lab(rgb) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour (0-1)."""
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ _linear(rgb)
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > (6 / 29) ** 3, np.cbrt(f), f / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e_2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005, equations 1-20)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p if abs(h2p - h1p) <= 180 else
                                     h2p - h1p - 360 if h2p - h1p > 180 else h2p - h1p + 360)
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    else:
        hp_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp_bar - 30)) + 0.24 * math.cos(math.radians(2 * hp_bar))
         + 0.32 * math.cos(math.radians(3 * hp_bar + 6)) - 0.20 * math.cos(math.radians(4 * hp_bar - 63)))
    d_theta = 30 * math.exp(-(((hp_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h))


def seen_difference(first: str, second: str, vision: str) -> float:
    """CIEDE2000 between two hex colours as a reader with ``vision`` sees them."""
    return delta_e_2000(lab(simulate(first, vision)), lab(simulate(second, vision)))


# ------------------------------------------------------------------ what a drawn map shows (its artists)


def drawn_marks(fig) -> list[dict]:
    """Every mark drawn on a map figure's pixel axes, read from its artists (not from the map data): one
    entry per dot, line or outline, with its box in pixels (edge included), colours and drawing order.
    ``kind``: dot (a scatter marker), line (a joining line), outline (a filled patch: a halo)."""
    ax = fig.axes[-1]  # map_figure draws everything over the basemap on one axes in pixel units
    dpi = fig.dpi
    marks: list[dict] = []
    for collection in ax.collections:
        if isinstance(collection, PathCollection):
            offsets = collection.get_offsets()
            sizes = np.broadcast_to(collection.get_sizes(), (len(offsets),))
            widths = np.broadcast_to(collection.get_linewidths(), (len(offsets),))
            faces = collection.get_facecolors()
            edges = collection.get_edgecolors()
            for i, ((x, y), size, width) in enumerate(zip(offsets, sizes, widths)):
                radius = (math.sqrt(size) / 2 + width / 2) * dpi / 72
                marks.append({"kind": "dot", "box": (x - radius, y - radius, x + radius, y + radius), "centre": (x, y),
                              "face": _hex(faces[i % len(faces)]) if len(faces) else None,
                              "edge": _hex(edges[i % len(edges)]) if len(edges) and width > 0 else None,
                              "zorder": collection.get_zorder(), "size": radius})
        elif isinstance(collection, LineCollection):
            half = collection.get_linewidths()[0] / 2 * dpi / 72
            for segment in collection.get_segments():
                (x0, y0), (x1, y1) = segment.min(axis=0), segment.max(axis=0)
                marks.append({"kind": "line", "box": (x0 - half, y0 - half, x1 + half, y1 + half), "points": segment,
                              "face": None, "edge": _hex(collection.get_colors()[0]), "zorder": collection.get_zorder(),
                              "size": 0.0})
    for patch in ax.patches:
        if isinstance(patch, Polygon):
            vertices = patch.get_xy()
            half = patch.get_linewidth() / 2 * dpi / 72
            (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
            marks.append({"kind": "outline", "box": (x0 - half, y0 - half, x1 + half, y1 + half), "points": vertices,
                          "face": _hex(patch.get_facecolor()), "edge": _hex(patch.get_edgecolor()),
                          "zorder": patch.get_zorder(), "size": max(x1 - x0, y1 - y0) / 2 + half})
    return marks


def _hex(rgba) -> str:
    return matplotlib.colors.to_hex(rgba, keep_alpha=False)


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
