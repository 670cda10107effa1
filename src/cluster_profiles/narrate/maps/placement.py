"""Label placement in the figure's pixel space, before anything is drawn: a test can check that no label
overlaps another label or sits on another cluster's marker, and the drawing puts each label in the box
placed for it, in the font it was measured in (``label_font``)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from cluster_profiles.narrate import figures

LABEL_FONT_SIZE = 8.5
LABEL_GAP = 3.0  # pixels between a marker's edge and its label


def label_font(bold: bool = False, size: float = LABEL_FONT_SIZE) -> FontProperties:
    return FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")


@functools.cache
def _renderer() -> RendererAgg:
    return RendererAgg(10, 10, figures.FIGURE_DPI)


@functools.cache
def text_size(text: str, size: float = LABEL_FONT_SIZE, bold: bool = False) -> tuple[float, float]:
    """Width and height in pixels of a label as matplotlib's Agg renderer draws it."""
    prop = label_font(bold, size)
    width, height, _ = _renderer().get_text_width_height_descent(text, prop, ismath=False)
    # matplotlib lays a line out at least as tall as "lp" (its reference ascent and descent)
    _, line_height, _ = _renderer().get_text_width_height_descent("lp", prop, ismath=False)
    return float(width), float(max(height, line_height))


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
