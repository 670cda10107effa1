"""Map projections: Equal Earth against its published values, regional frames without distortion."""

from __future__ import annotations

import math

import numpy as np

from cluster_profiles.narrate.maps import projection


def test_equal_earth_matches_published_values():
    # Šavrič et al. 2018: the equator is 2·√3·π / (3·A1) long from the centre to 180°; the pole at y = 1.3173
    x, y = projection.equal_earth(180.0, 0.0)
    assert math.isclose(float(x), 2 * math.sqrt(3) * math.pi / (3 * 1.340264), rel_tol=1e-9) and float(y) == 0
    _, pole = projection.equal_earth(0.0, 90.0)
    assert math.isclose(float(pole), 1.3173, abs_tol=1e-4)
    xs, ys = projection.equal_earth(np.array([-30.0, 30.0]), np.array([45.0, -45.0]))
    assert xs[0] == -xs[1] and ys[0] == -ys[1]


def test_regional_frame_fills_its_box_without_distortion():
    frame = projection.regional_frame(100.0, 20.0, 120.0, 40.0, pixels=(0, 0, 900, 450))
    x_min, x_max, y_min, y_max = frame.extent
    assert math.isclose((x_max - x_min) / (y_max - y_min), 2.0)
    assert math.isclose(frame.scale_x, math.cos(math.radians(30)))
    lon_min, lat_min, lon_max, lat_max = frame.lonlat_bounds()
    assert lon_min < 100 and lon_max > 120 and lat_min < 20 and lat_max > 40
    px, py = frame.to_pixels(*frame.project(110.0, 30.0))
    assert math.isclose(float(px), 450) and math.isclose(float(py), 225)
    tiny = projection.regional_frame(103.8, 1.3, 103.8, 1.3, pixels=(0, 0, 900, 450), min_span=10.0)
    assert tiny.extent[3] - tiny.extent[2] >= 10.0  # one city still shows its surroundings
