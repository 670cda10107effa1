"""What the map tests share: an economy's clusters in an edition, and the check that labels stay clear."""

from __future__ import annotations

import pandas as pd

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
