"""Map shapes: the TopoJSON decoder, the shipped Natural Earth basemap and the economies' shapes."""

from __future__ import annotations

import pytest

from cluster_profiles.narrate.maps.shapes import basemap, decode_topojson, economy_shape_ids

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
    square = decode_topojson(QUANTIZED, "shapes")[0]
    assert (square.id, square.name) == ("001", "Square")
    ring = square.rings[0]
    expected = [(10, 20), (12, 20), (12, 22), (10, 22), (10, 20)]  # the shared end point kept once
    assert ring.tolist() == [list(p) for p in expected]
    assert square.bbox == (10.0, 20.0, 12.0, 22.0)


def test_decoder_reverses_negative_arcs_and_keeps_multipolygon_parts():
    shapes = {s.name: s for s in decode_topojson(QUANTIZED, "shapes")}
    backwards = shapes["Backwards"].rings[0]
    assert backwards.tolist() == shapes["Square"].rings[0][::-1].tolist()
    assert len(shapes["Two parts"].rings) == 2
    assert shapes["Two parts"].rings[1].tolist() == [[14, 24], [15, 24], [15, 25], [14, 24]]
    assert "Nothing" not in shapes  # a null geometry draws nothing


def test_decoder_reads_unquantized_topology_and_refuses_other_json():
    plain = {"type": "Topology", "arcs": [[[0.5, 1.5], [2.5, 1.5], [0.5, 1.5]]],
             "objects": {"o": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]]}]}}}
    assert decode_topojson(plain, "o")[0].rings[0].tolist() == [[0.5, 1.5], [2.5, 1.5], [0.5, 1.5]]
    with pytest.raises(ValueError, match="object named 'countries'"):
        decode_topojson({"type": "FeatureCollection"}, "countries")


def test_shipped_basemap_has_the_small_economies_as_own_shapes():
    shapes = {s.id: s for s in basemap("50m")}
    for code, lon, lat in [("HK", 114.17, 22.3), ("MO", 113.55, 22.19), ("SG", 103.85, 1.29), ("TW", 121.5, 25.0)]:
        (shape_id,) = economy_shape_ids(code)
        lon_min, lat_min, lon_max, lat_max = shapes[shape_id].bbox
        assert lon_min - 0.2 < lon < lon_max + 0.2 and lat_min - 0.2 < lat < lat_max + 0.2, code
    china = shapes[next(iter(economy_shape_ids("CN")))]
    assert china.name == "China" and 73 < china.bbox[0] < 74 and 134 < china.bbox[2] < 135.2
    assert basemap("50m") is basemap("50m")  # decoded once per process
    assert len(basemap("110m")) < len(basemap("50m"))
    assert economy_shape_ids("CN/HK") == economy_shape_ids("CN") | economy_shape_ids("HK")
    assert economy_shape_ids("TW*") == economy_shape_ids("TW")
    with pytest.raises(ValueError, match="resolution"):
        basemap("10m")

