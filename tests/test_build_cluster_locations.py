"""scripts/build_cluster_locations.py: cluster names split into cities, each resolved in its economy."""

from __future__ import annotations

import importlib.util

import pytest

from cluster_profiles import paths

_spec = importlib.util.spec_from_file_location("build_cluster_locations",
                                               paths.REPO_ROOT / "scripts" / "build_cluster_locations.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def _place(geonameid, name, country, admin1="", alternates=()):
    return {"geonameid": geonameid, "name": name, "countrycode": country, "admin1code": admin1,
            "alternatenames": list(alternates), "latitude": 1.0, "longitude": 2.0}


GAZETTEER = {str(p["geonameid"]): p for p in [
    _place(1, "Cambridge", "US", "MA"), _place(9, "Cambridge", "US", "OH"), _place(2, "Cambridge", "GB"), _place(3, "Newton", "US", "MA", ["Cambridge"]),
    _place(4, "Köln", "DE", "07", ["Cologne", "Koeln"]), _place(5, "Xi’an", "CN"),
    _place(1815577, "Changsha", "CN", "11"), _place(6, "Changsha", "CN", "30"),
    _place(7, "Suzhou", "CN", "01"), _place(8, "Suzhou", "CN", "04"),
]}


def test_cluster_names_split_into_cities_with_their_state():
    assert build.split_cities("Shenzhen–Hong Kong–Guangzhou") == [("Shenzhen", None), ("Hong Kong", None),
                                                                   ("Guangzhou", None)]
    assert build.split_cities("Boston–Cambridge, MA") == [("Boston", "MA"), ("Cambridge", "MA")]
    assert build.split_cities("Washington, DC–Baltimore, MD") == [("Washington", "DC"), ("Baltimore", "MD")]
    assert build.split_cities("Basel") == [("Basel", None)]
    assert build.split_cities("Macau/Zhuhai") == [("Macau", None), ("Zhuhai", None)]


def test_exact_names_win_over_alternates_and_the_economy_and_state_filter():
    assert build.resolve("Cambridge", "MA", ["US"], GAZETTEER)[0]["geonameid"] == 1  # not Newton's alternate
    assert build.resolve("Cambridge", None, ["GB"], GAZETTEER)[0]["geonameid"] == 2
    assert build.resolve("Cologne", None, ["DE"], GAZETTEER)[0]["geonameid"] == 4  # by its alternate name
    assert build.resolve("Xi'an", None, ["CN"], GAZETTEER)[0]["geonameid"] == 5  # apostrophe style ignored


def test_ambiguous_names_need_a_pin_and_unknown_names_stop_the_build():
    assert build.resolve("Changsha", None, ["CN"], GAZETTEER)[0]["geonameid"] == 1815577  # pinned
    entry, reason = build.resolve("Suzhou", None, ["CN"], {k: v for k, v in GAZETTEER.items() if k in "78"} | {
        "1886760": _place(1886760, "Suzhou", "CN", "04")})
    assert entry["geonameid"] == 1886760  # pinned, although the gazetteer has two
    entry, reason = build.resolve("Cambridge", None, ["US"], GAZETTEER)
    assert entry is None and "matches several places" in reason and "pin one" in reason
    entry, reason = build.resolve("Atlantis", None, ["GR"], GAZETTEER)
    assert entry is None and "no place named 'Atlantis' in GR" in reason


@pytest.mark.parametrize("economy, expected", [("CN/HK", ["CN", "HK"]), ("TW*", ["TW"])])
def test_economy_codes(economy, expected):
    assert build.economy_codes(economy) == expected
