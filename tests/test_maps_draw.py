"""Drawing a map: labels land in the boxes placed for them; the PNG is the same bytes every time, in a warm
kernel too, and the basemap raster is drawn once per economy."""

from __future__ import annotations

from map_checks import economy_clusters

from cluster_profiles import cache
from cluster_profiles.narrate.maps import draw
from cluster_profiles.narrate.maps.layout import profile_map_data


def test_drawn_labels_sit_in_their_placed_boxes(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2025, "CN")
    data = profile_map_data("Beijing", 2025, peers, tables.cluster_locations, "Chinese")
    fig = draw.map_figure(data)
    renderer = fig.canvas.get_renderer()
    drawn = {t.get_text(): t.get_window_extent(renderer) for t in fig.axes[-1].texts}
    placed = data.panels[0].labels[data.panels[0].labels["placed"]]
    assert len(placed) >= 4
    for row in placed.itertuples():
        box = drawn[row.text]
        assert abs(box.x0 - row.x0) < 1.5 and abs(box.x1 - row.x1) < 1.5, row.text
        assert abs(box.y0 - row.y0) < 1.5 and abs(box.y1 - row.y1) < 1.5, row.text
    matplotlib_pyplot().close(fig)


def matplotlib_pyplot():
    import matplotlib.pyplot as plt

    return plt


def test_map_png_is_the_same_bytes_every_time(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = economy_clusters(tables, 2024, "JP")
    data = profile_map_data("Nagoya", 2024, peers, tables.cluster_locations, "Japanese")
    first = draw.draw_map(data, "alt", "caption")
    draw._background_cached.cache_clear()
    second = draw.draw_map(profile_map_data("Nagoya", 2024, peers, tables.cluster_locations, "Japanese"),
                           "alt", "caption")
    assert first == second
    before = draw._background_cached.cache_info().hits
    draw.draw_map(profile_map_data("Tokyo–Yokohama", 2024, peers, tables.cluster_locations, "Japanese"), "a", "c")
    assert draw._background_cached.cache_info().hits == before + 1  # same economy, same basemap raster


def test_map_is_the_same_after_other_charts_changed_matplotlib_settings(fixture_tables, monkeypatch):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    monkeypatch.setenv(cache.ENV, "off")  # each basemap drawn here, not read from the disk cache
    import matplotlib
    import seaborn as sns

    peers = economy_clusters(tables, 2023, "US")
    data = profile_map_data("Chicago, IL", 2023, peers, tables.cluster_locations, "US")
    draw._background_cached.cache_clear()
    fresh = draw.map_png(data)
    with matplotlib.rc_context():  # a warm kernel: an earlier report's seaborn charts set their theme
        sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans")
        draw._background_cached.cache_clear()
        assert draw.map_png(data) == fresh
