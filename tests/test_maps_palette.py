"""Land, the page's economy and the sea are told apart at a glance, with every colour vision: the colours
read from a drawn map, compared as readers with protanopia, deuteranopia and tritanopia see them (Machado,
Oliveira and Fernandes 2009, severity 1.0; CIEDE2000 differences)."""

from __future__ import annotations

import io

import matplotlib.colors
import matplotlib.image
import pytest
from map_checks import MACHADO_2009, delta_e_2000, economy_clusters, lab, seen_difference, simulate

from cluster_profiles.narrate.maps import draw
from cluster_profiles.narrate.maps.layout import profile_map_data

VISIONS = ["normal", *MACHADO_2009]
# CIEDE2000: about 2 is a just-noticeable difference; 10 and more reads as another colour at a glance
AT_A_GLANCE = 10.0
MARK_ON_FILL = 20.0


def test_the_colour_difference_is_the_published_one():
    """CIEDE2000 against Sharma, Wu and Dalal (2005), table 1, pairs 1, 7 and 17."""
    assert delta_e_2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert delta_e_2000((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387)) == pytest.approx(1.2644, abs=1e-4)
    assert delta_e_2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)
    assert lab(simulate("#ffffff", "deuteranopia")) == pytest.approx([100, 0, 0], abs=0.5)  # white stays white


def _pixel(png: bytes, data, lon: float, lat: float) -> str:
    image = matplotlib.image.imread(io.BytesIO(png))
    frame = data.panels[0].frame
    x, y = frame.to_pixels(*frame.project(lon, lat))
    return matplotlib.colors.to_hex(image[image.shape[0] - 1 - int(round(float(y))), int(round(float(x)))][:3])


@pytest.mark.parametrize("vision", VISIONS)
def test_land_economy_and_sea_on_a_drawn_map_are_told_apart(fixture_tables, vision):
    peers = economy_clusters(fixture_tables, 2024, "CN")
    data = profile_map_data("Hefei", 2024, peers, fixture_tables.cluster_locations, "Chinese")
    png = draw.map_png(data)
    # inland China, the East China Sea, inland South Korea: no marker, label or border there
    economy, sea, land = _pixel(png, data, 104.0, 36.0), _pixel(png, data, 124.5, 29.5), _pixel(png, data, 128.3, 36.3)
    assert len({economy, sea, land}) == 3, (economy, sea, land)
    for first, second in [(economy, sea), (economy, land), (land, sea)]:
        assert seen_difference(first, second, vision) >= AT_A_GLANCE, (vision, first, second)


@pytest.mark.parametrize("vision", VISIONS)
def test_every_mark_stands_out_on_every_fill(vision):
    fills = [draw.COLOURS[k] for k in ("land", "economy", "sea")]
    marks = [draw.COLOURS[k] for k in ("focus", "other", "halo")]
    for mark in marks:
        for fill in fills:
            assert seen_difference(mark, fill, vision) >= MARK_ON_FILL, (vision, mark, fill)
    assert seen_difference(draw.COLOURS["focus"], draw.COLOURS["other"], vision) >= MARK_ON_FILL
