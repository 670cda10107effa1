"""How precise the addresses are (compute/precision.py): the coarse-coordinates warning, and addresses whose point
lies in another economy than they declare, reported and dropped by the setting drop_economy_mismatch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cluster_profiles.compute.pipeline import compute
from cluster_profiles.compute.precision import AddressPrecision, nearest_median_km, precision_warning
from cluster_profiles.compute.settings import load_settings, with_overrides

from .planted import Records, offset

SHENZHEN = (22.55, 114.06)
# three cities 20 km apart on a line: farther apart than radius_km (15), close enough to chain when the
# addresses are spread around them as real addresses are
CITY_NAMES = ("Alpha", "Beta", "Gamma")
CITY_CENTRES = [offset(*SHENZHEN, 0, east) for east in (0.0, 20.0, 40.0)]
PEOPLE_PER_CITY = 6000
CENTROID_WARNING = "Warning: the PCT applications' coordinates look like city or institution centroids"


def three_cities(tmp_path, precise: bool):
    """6,000 inventors in each city (2 per application), each address at its city's centre, or spread around it."""
    records = Records()
    rng = np.random.default_rng(5)
    for name, centre in zip(CITY_NAMES, CITY_CENTRES):
        for _ in range(PEOPLE_PER_CITY // 2):
            places = []
            for _ in range(2):
                lat, lon = offset(*centre, *rng.normal(0, 6.0, 2)) if precise else centre
                places.append((lat, lon, name, "CN"))
            records.add("pct", 2021, places, ["Applicant"], ["H04W 4/00"])
    return compute(records.write(tmp_path / ("precise" if precise else "centroids")), load_settings(), progress=False)


@pytest.fixture(scope="module")
def centroid_run(tmp_path_factory):
    return three_cities(tmp_path_factory.mktemp("centroids"), precise=False)


def test_city_centroids_are_reported_and_warned_about(centroid_run):
    summary = centroid_run.summary
    found = summary.address_precision["pct"]
    assert (found.located, found.points) == (3 * PEOPLE_PER_CITY, 3)
    assert found.nearest_km_median == pytest.approx(20.0, abs=0.1)
    assert found.few_points() and found.sparse(15.0)
    lines = summary.lines()
    assert "Address precision, PCT applications: 18,000 located addresses on 3 distinct points" in "\n".join(lines)
    warning = next(line for line in lines if line.startswith(CENTROID_WARNING))
    assert "radius_km 15" in warning and "6,000 per point" in warning and "20.0 km" in warning
    # what the warning is about: each city stays a cluster of its own
    assert sorted(centroid_run.cluster_table["cluster"]) == sorted(CITY_NAMES)
    assert summary.as_dict()["address_precision"]["pct"]["coarse"] is True


def test_precise_addresses_of_the_same_cities_chain_into_one_cluster_without_a_warning(tmp_path):
    summary = three_cities(tmp_path, precise=True).summary
    assert not any(line.startswith(CENTROID_WARNING) for line in summary.lines())
    assert summary.address_precision["pct"].nearest_km_median < 1.0
    assert summary.clusters == 1


@pytest.mark.parametrize(("located", "points", "median", "warned"), [
    (10_000, 9_000, 0.2, False),  # geocoded addresses
    (10_000, 1_000, 16.0, True),  # places of 10 people each, farther apart than the radius
    (10_000, 9_000, 16.0, False),  # distinct addresses far apart: a thin sample, not coarse coordinates
    (10_000, 50, 3.0, True),  # institution or city centroids close together: most people on few points
    (99, 1, None, False),  # too few to judge: fewer than 100 per point
])
def test_the_warning_rule(located, points, median, warned):
    found = AddressPrecision("article", located, points, median, sampled=False)
    assert (precision_warning(found, "scientific articles", 15.0) is not None) is warned


def test_the_nearest_distance_is_great_circle_and_sampling_is_deterministic():
    lat, lon = np.array([0.0, 0.0, 60.0, 60.0]), np.array([0.0, 1.0, 0.0, 1.0])
    median, sampled = nearest_median_km(lat, lon)
    # 111.2 km apart on the equator, 55.6 km at 60° N: the median of (111.2, 111.2, 55.6, 55.6)
    assert median == pytest.approx((111.195 + 55.6) / 2, rel=1e-3) and not sampled
    assert nearest_median_km(np.array([1.0]), np.array([2.0])) == (None, False)


def geocoding_error(tmp_path, drop: bool):
    """A real CN cluster (Shenzhen) and 5,000 inventors declared CN ('Macau') whose point lies in France."""
    records = Records()
    records.blob("pct", 2021, SHENZHEN, 2500, 2, "Shenzhen", "CN", organisations=["Huawei"], codes=["H04W 4/00"], seed=1)
    for _ in range(2500):
        records.add("pct", 2021, [(46.5, 2.5, "Macau", "CN"), (46.5, 2.5, "Macau", "CN")], ["Macau Co"], ["H04W 4/00"])
    settings = with_overrides(load_settings(), drop_economy_mismatch=drop)
    return compute(records.write(tmp_path / f"drop-{drop}"), settings, progress=False)


@pytest.mark.parametrize("drop", [True, False])
def test_a_point_declared_cn_in_france_is_reported_and_dropped_when_the_setting_says_so(tmp_path, drop):
    computed = geocoding_error(tmp_path, drop)
    summary = computed.summary
    mismatches = summary.economy_mismatches
    assert mismatches is not None and mismatches.rows == 5000 and mismatches.checked == 10000
    assert set(zip(mismatches.cells["declared"], mismatches.cells["lies_in"])) == {("CN", "FR")}
    line = next(line for line in summary.lines() if "lie in another economy" in line)
    assert "5,000 declared CN lie in FR" in line
    assert ("dropped from the clusters" in line) is drop and ("kept in the clusters" in line) is not drop
    names = set(computed.cluster_table["cluster"])
    assert "Shenzhen" in names
    assert ("Macau" in names) is not drop  # kept, the error makes a cluster in France
    assert summary.as_dict()["economy_mismatches"]["rows"] == 5000


def test_addresses_in_their_economy_near_a_border_or_at_sea_are_not_mismatches(tmp_path):
    records = Records()
    # Basel, 1 km from France and Germany; a point off Shenzhen's coast (in no country's shape)
    for lat, lon, economy in ((47.56, 7.59, "CH"), (22.30, 114.60, "CN"), (48.86, 2.35, "FR")):
        records.add("pct", 2021, [(lat, lon, "Somewhere", economy)], ["A"], ["H04W 4/00"])
    summary = compute(records.write(tmp_path / "r"), load_settings(), progress=False).summary
    assert summary.economy_mismatches is not None and summary.economy_mismatches.rows == 0
    assert summary.economy_mismatches.checked == 3
    assert isinstance(summary.economy_mismatches.cells, pd.DataFrame)
