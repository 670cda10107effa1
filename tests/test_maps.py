"""Maps: the TopoJSON decoder, the projections, the map data (points, extents, labels) and the drawing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cluster_profiles import maps

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
