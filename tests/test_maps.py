"""Maps: the TopoJSON decoder, the projections, the map data (points, extents, labels) and the drawing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cluster_profiles import cache
from cluster_profiles.narrate.maps import layout as maps

# A 2-arc topology: arc 0 goes (0,0)->(2,0)->(2,2), arc 1 goes (2,2)->(0,2)->(0,0); quantized with
# scale 0.5 and translate (10, 20), delta-encoded, as TopoJSON writes it.
QUANTIZED = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]], [[8, 8], [2, 0], [0, 2], [-2, -2]]],
    "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]], "id": "001", "properties": {"name": "Square"}},
        {"type": "Polygon", "arcs": [[~1, ~0]], "id": "002", "properties": {"name": "Backwards"}},
        {"type": "MultiPolygon", "arcs": [[[0, 1]], [[2]]], "id": "003", "properties": {"name": "Two parts"}},
        {"type": None, "id": "004", "properties": {"name": "Nothing"}},
    ]}},
}


def test_decoder_undoes_quantization_and_delta_encoding():
    square = maps.decode_topojson(QUANTIZED, "shapes")[0]
    assert (square.id, square.name) == ("001", "Square")
    ring = square.rings[0]
    expected = [(10, 20), (12, 20), (12, 22), (10, 22), (10, 20)]  # the shared end point kept once
    assert ring.tolist() == [list(p) for p in expected]
    assert square.bbox == (10.0, 20.0, 12.0, 22.0)


def test_decoder_reverses_negative_arcs_and_keeps_multipolygon_parts():
    shapes = {s.name: s for s in maps.decode_topojson(QUANTIZED, "shapes")}
    backwards = shapes["Backwards"].rings[0]
    assert backwards.tolist() == shapes["Square"].rings[0][::-1].tolist()
    assert len(shapes["Two parts"].rings) == 2
    assert shapes["Two parts"].rings[1].tolist() == [[14, 24], [15, 24], [15, 25], [14, 24]]
    assert "Nothing" not in shapes  # a null geometry draws nothing


def test_decoder_reads_unquantized_topology_and_refuses_other_json():
    plain = {"type": "Topology", "arcs": [[[0.5, 1.5], [2.5, 1.5], [0.5, 1.5]]],
             "objects": {"o": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]]}]}}}
    assert maps.decode_topojson(plain, "o")[0].rings[0].tolist() == [[0.5, 1.5], [2.5, 1.5], [0.5, 1.5]]
    with pytest.raises(ValueError, match="object named 'countries'"):
        maps.decode_topojson({"type": "FeatureCollection"}, "countries")


def test_shipped_basemap_has_the_small_economies_as_own_shapes():
    shapes = {s.id: s for s in maps.basemap("50m")}
    for code, lon, lat in [("HK", 114.17, 22.3), ("MO", 113.55, 22.19), ("SG", 103.85, 1.29), ("TW", 121.5, 25.0)]:
        (shape_id,) = maps.economy_shape_ids(code)
        lon_min, lat_min, lon_max, lat_max = shapes[shape_id].bbox
        assert lon_min - 0.2 < lon < lon_max + 0.2 and lat_min - 0.2 < lat < lat_max + 0.2, code
    china = shapes[next(iter(maps.economy_shape_ids("CN")))]
    assert china.name == "China" and 73 < china.bbox[0] < 74 and 134 < china.bbox[2] < 135.2
    assert maps.basemap("50m") is maps.basemap("50m")  # decoded once per process
    assert len(maps.basemap("110m")) < len(maps.basemap("50m"))
    assert maps.economy_shape_ids("CN/HK") == maps.economy_shape_ids("CN") | maps.economy_shape_ids("HK")
    assert maps.economy_shape_ids("TW*") == maps.economy_shape_ids("TW")
    with pytest.raises(ValueError, match="resolution"):
        maps.basemap("10m")


def test_equal_earth_matches_published_values():
    # Šavrič et al. 2018: the equator is 2·√3·π / (3·A1) long from the centre to 180°; the pole at y = 1.3173
    x, y = maps.equal_earth(180.0, 0.0)
    assert math.isclose(float(x), 2 * math.sqrt(3) * math.pi / (3 * 1.340264), rel_tol=1e-9) and float(y) == 0
    _, pole = maps.equal_earth(0.0, 90.0)
    assert math.isclose(float(pole), 1.3173, abs_tol=1e-4)
    xs, ys = maps.equal_earth(np.array([-30.0, 30.0]), np.array([45.0, -45.0]))
    assert xs[0] == -xs[1] and ys[0] == -ys[1]


def test_regional_frame_fills_its_box_without_distortion():
    frame = maps.regional_frame(100.0, 20.0, 120.0, 40.0, pixels=(0, 0, 900, 450))
    x_min, x_max, y_min, y_max = frame.extent
    assert math.isclose((x_max - x_min) / (y_max - y_min), 2.0)
    assert math.isclose(frame.scale_x, math.cos(math.radians(30)))
    lon_min, lat_min, lon_max, lat_max = frame.lonlat_bounds()
    assert lon_min < 100 and lon_max > 120 and lat_min < 20 and lat_max > 40
    px, py = frame.to_pixels(*frame.project(110.0, 30.0))
    assert math.isclose(float(px), 450) and math.isclose(float(py), 225)
    tiny = maps.regional_frame(103.8, 1.3, 103.8, 1.3, pixels=(0, 0, 900, 450), min_span=10.0)
    assert tiny.extent[3] - tiny.extent[2] >= 10.0  # one city still shows its surroundings


# ------------------------------------------------------------------------------ map data


def _economy(tables, edition: int, economy: str):
    from cluster_profiles.contract.load import primary_economy

    clusters = tables.clusters[tables.clusters["edition"] == edition]
    return clusters[[primary_economy(code) == economy for code in clusters["economy"]]]


def _assert_labels_clear(panel):
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


def test_locate_clusters_gives_one_point_per_city_and_names_the_unlocated(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    known = tables.clusters[(tables.clusters["edition"] == 2024)
                            & tables.clusters["cluster"].isin(["Shenzhen–Hong Kong–Guangzhou", "Hefei"])]
    clusters = pd.concat([known[["cluster", "economy", "size_rank"]],
                          pd.DataFrame({"cluster": ["Atlantis"], "economy": ["CN"],
                                        "size_rank": pd.array([pd.NA], dtype="Int64")})])
    points, missing = maps.locate_clusters(clusters, tables.cluster_locations)
    assert list(points.loc[points["cluster"] != "Hefei", "city"]) == ["Shenzhen", "Hong Kong", "Guangzhou"]
    assert set(points.loc[points["cluster"] == "Hefei", "band"]) == {"rank 26–50"}
    assert missing.to_dict("records") == [{"cluster": "Atlantis", "reason": maps.NO_LOCATION_REASON}]


def test_profile_map_highlights_the_cluster_and_labels_the_economy_with_ranks(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = _economy(tables, 2024, "CN")
    data = maps.profile_map_data("Hefei", 2024, peers, tables.cluster_locations, "Chinese")
    (panel,) = data.panels
    focus = data.table[data.table["role"] == "focus"]
    assert list(focus["cluster"]) == ["Hefei"] and set(data.table["cluster"]) == set(peers["cluster"])
    first = panel.labels.iloc[0]
    assert (first["label"], first["bold"], first["placed"]) == ("Hefei (36)", True, True)
    assert "Beijing (3)" in set(panel.labels["text"])
    assert panel.highlight_ids == maps.economy_shape_ids("CN")
    lon_min, lat_min, lon_max, lat_max = panel.frame.lonlat_bounds()
    assert data.table["longitude"].between(lon_min, lon_max).all() and data.table["latitude"].between(lat_min, lat_max).all()
    _assert_labels_clear(panel)
    # the world inset covers no marker, and its box is the map's area
    x0, y0, width, height = data.inset.frame.pixels
    for marker in panel.markers.itertuples():
        assert not (x0 <= marker.x <= x0 + width and y0 <= marker.y <= y0 + height), marker.cluster
    assert data.inset.box == panel.frame.lonlat_bounds()
    assert maps.unlabelled(data) == []


def test_profile_map_draws_a_footprint_instead_of_the_city(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = _economy(tables, 2024, "CN")
    footprint = pd.DataFrame({"latitude": [31.80, 31.86, 31.95, 31.70], "longitude": [117.20, 117.30, 117.25, 117.10],
                              "weight": [4.0, 2.0, 1.0, 0.5], "source": "records: test footprint"})
    data = maps.profile_map_data("Hefei", 2024, peers, tables.cluster_locations, "Chinese", footprint=footprint)
    own = data.table[data.table["role"] == "focus"]
    assert len(own) == 4 and set(own["kind"]) == {"footprint"} and list(own["weight"]) == [4.0, 2.0, 1.0, 0.5]
    assert set(data.table.loc[data.table["role"] == "other", "kind"]) == {"city"}
    markers = data.panels[0].markers
    hefei = markers[markers["cluster"] == "Hefei"].set_index("area")
    assert hefei.index.max() == maps.FOOTPRINT_AREA and hefei.index.min() < maps.FOOTPRINT_AREA / 4
    label = data.panels[0].labels.iloc[0]
    assert label["placed"] and label["anchor_x"] == pytest.approx(hefei["x"].mean())
    _assert_labels_clear(data.panels[0])
    assert "as a footprint of 4 points" in maps.profile_alt_text(data, "Hefei", 2024, "Chinese")
    with pytest.raises(ValueError, match="no points"):
        maps.profile_map_data("Hefei", 2024, peers, tables.cluster_locations, "Chinese", footprint=footprint.iloc[0:0])


def test_profile_map_of_an_unlocated_cluster_says_so(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = _economy(tables, 2024, "CN")
    locations = tables.cluster_locations[tables.cluster_locations["cluster"] != "Hefei"]
    data = maps.profile_map_data("Hefei", 2024, peers, locations, "Chinese")
    assert list(data.missing["cluster"]) == ["Hefei"]
    alt = maps.profile_alt_text(data, "Hefei", 2024, "Chinese")
    assert "Hefei not drawn (no location in the data)" in alt and "Not drawn, no location: Hefei." in alt


def test_profile_alt_text_names_every_cluster_with_its_rank(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = _economy(tables, 2024, "KR")
    data = maps.profile_map_data("Daejeon", 2024, peers, tables.cluster_locations, "Korean")
    alt = maps.profile_alt_text(data, "Daejeon", 2024, "Korean")
    assert alt.startswith("Locator map of the Korean clusters in the GII 2024 data, Daejeon")
    for cluster, rank in zip(peers["cluster"], peers["size_rank"]):
        if cluster != "Daejeon":
            assert (f"{cluster} {int(rank)}" if not pd.isna(rank) else f"{cluster} (rank not given)") in alt


@pytest.mark.parametrize("edition", [2023, 2024, 2025])
def test_overview_map_labels_never_overlap_or_cover_a_marker(fixture_tables, edition):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    clusters = tables.clusters[tables.clusters["edition"] == edition]
    data = maps.overview_map_data(edition, clusters, tables.cluster_locations)
    assert [p.name for p in data.panels] == ["World", *maps.REGIONS]
    for panel in data.panels:
        _assert_labels_clear(panel)
    world = data.panels[0]
    # the world panel labels only what no regional panel shows, and no label sits on a region's outline
    regional = set(data.table.loc[data.table["region"] != "", "cluster"])
    assert not any(label.split(" (")[0] in regional for label in world.labels["label"])
    for _, (x0, y0, x1, y1) in world.outlines:
        for box in world.labels.loc[world.labels["placed"], ["x0", "y0", "x1", "y1"]].to_numpy():
            assert not (box[0] < x1 and x0 < box[2] and box[1] < y1 and y0 < box[3])
    europe = data.panels[2]
    assert set(europe.markers["cluster"]) >= set(data.table.loc[data.table["region"] == "Europe", "cluster"])
    # a label that found no room is listed, not lost
    placed = {label for p in data.panels for label in p.labels.loc[p.labels["placed"], "label"]}
    for cluster in set(data.table["cluster"]):
        rank = clusters.set_index("cluster").loc[cluster, "size_rank"]
        assert maps.cluster_label(cluster, rank) in placed | set(maps.unlabelled(data))


def test_overview_marker_size_follows_the_rank_band(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    clusters = tables.clusters[tables.clusters["edition"] == 2024]
    data = maps.overview_map_data(2024, clusters, tables.cluster_locations)
    europe = data.panels[2].markers.set_index("cluster")
    assert europe.loc["Paris", "band"] == "rank 11–25" and europe.loc["Madrid", "band"] == "rank 26–50"
    assert europe.loc["Paris", "area"] > europe.loc["Madrid", "area"]
    assert maps.band_of(None) == maps.UNRANKED_BAND and maps.band_of(10) == "rank 1–10" and maps.band_of(11) == "rank 11–25"


def test_crowded_labels_fall_back_to_ranks_then_are_listed():
    grid = pd.DataFrame({"x": [100 + 9 * (i % 6) for i in range(36)], "y": [100 + 9 * (i // 6) for i in range(36)],
                         "radius": 3.0})
    anchors = grid.assign(label=[f"Cluster number {i} ({i + 1})" for i in range(36)],
                          short=[str(i + 1) for i in range(36)], bold=False)
    labels = maps.place_labels(anchors, grid, (0, 0, 300, 220))
    again = maps.place_labels(anchors, grid, (0, 0, 300, 220))
    assert labels.equals(again)  # deterministic
    assert labels["placed"].any() and not labels["placed"].all()
    assert set(labels.loc[labels["placed"], "text"]) & set(anchors["short"])  # some fell back to the rank
    panel = maps.Panel("test", maps.Frame("regional", (0, 300, 0, 220), (0, 0, 300, 220)), grid.assign(cluster="x"),
                       labels)
    _assert_labels_clear(panel)


# ------------------------------------------------------------------------------ drawing


def test_drawn_labels_sit_in_their_placed_boxes(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    peers = _economy(tables, 2025, "CN")
    data = maps.profile_map_data("Beijing", 2025, peers, tables.cluster_locations, "Chinese")
    fig = maps.map_figure(data)
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
    peers = _economy(tables, 2024, "JP")
    data = maps.profile_map_data("Nagoya", 2024, peers, tables.cluster_locations, "Japanese")
    first = maps.draw_map(data, "alt", "caption")
    maps._background_cached.cache_clear()
    second = maps.draw_map(maps.profile_map_data("Nagoya", 2024, peers, tables.cluster_locations, "Japanese"),
                           "alt", "caption")
    assert first == second
    before = maps._background_cached.cache_info().hits
    maps.draw_map(maps.profile_map_data("Tokyo–Yokohama", 2024, peers, tables.cluster_locations, "Japanese"), "a", "c")
    assert maps._background_cached.cache_info().hits == before + 1  # same economy, same basemap raster


def test_map_is_the_same_after_other_charts_changed_matplotlib_settings(fixture_tables, monkeypatch):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    monkeypatch.setenv(cache.ENV, "off")  # each basemap drawn here, not read from the disk cache
    import matplotlib
    import seaborn as sns

    peers = _economy(tables, 2023, "US")
    data = maps.profile_map_data("Chicago, IL", 2023, peers, tables.cluster_locations, "US")
    maps._background_cached.cache_clear()
    fresh = maps.map_png(data)
    with matplotlib.rc_context():  # a warm kernel: an earlier report's seaborn charts set their theme
        sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans")
        maps._background_cached.cache_clear()
        assert maps.map_png(data) == fresh
