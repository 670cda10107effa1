"""Label placement in pixel space: labels that find no room fall back to their short form, then are listed."""

from __future__ import annotations

import pandas as pd
from map_checks import assert_labels_clear

from cluster_profiles.narrate.maps.layout import Panel
from cluster_profiles.narrate.maps.placement import place_labels
from cluster_profiles.narrate.maps.projection import Frame


def test_crowded_labels_fall_back_to_ranks_then_are_listed():
    grid = pd.DataFrame({"x": [100 + 9 * (i % 6) for i in range(36)], "y": [100 + 9 * (i // 6) for i in range(36)],
                         "radius": 3.0})
    anchors = grid.assign(label=[f"Cluster number {i} ({i + 1})" for i in range(36)],
                          short=[str(i + 1) for i in range(36)], bold=False)
    labels = place_labels(anchors, grid, (0, 0, 300, 220))
    again = place_labels(anchors, grid, (0, 0, 300, 220))
    assert labels.equals(again)  # deterministic
    assert labels["placed"].any() and not labels["placed"].all()
    assert set(labels.loc[labels["placed"], "text"]) & set(anchors["short"])  # some fell back to the rank
    panel = Panel("test", Frame("regional", (0, 300, 0, 220), (0, 0, 300, 220)), grid.assign(cluster="x"),
                       labels)
    assert_labels_clear(panel)
