"""The settings file: the issue's key names, defaults with their sources, strict validation, hash."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from cluster_profiles.compute.settings import (
    PROVENANCE,
    Settings,
    SettingsError,
    default_settings_text,
    load_settings,
    with_overrides,
)

ISSUE_KEYS = {"edition", "pct_years", "article_years", "grid_degrees", "radius_km", "min_people", "merge_km",
              "counting", "economy_min_share", "top_n"}


def test_defaults_hold_the_issue_keys_with_the_documented_values():
    settings = load_settings()
    assert ISSUE_KEYS <= set(Settings.model_fields)
    assert (settings.grid_degrees, settings.radius_km, settings.min_people, settings.merge_km) == (0.01, 15.0, 4500, 5.0)
    assert settings.counting == "fractional"
    assert settings.pct_years == (2019, 2023) and settings.article_years == (2018, 2022)
    assert settings.top_n == 100


def test_every_setting_has_a_source_and_a_status_and_the_file_sets_every_key():
    assert set(PROVENANCE) == set(Settings.model_fields)
    assert set(tomllib.loads(default_settings_text())) == set(Settings.model_fields)
    assumptions = {k for k, p in PROVENANCE.items() if not p.confirmed}
    assert {"counting", "economy_min_share", "grid_degrees"} <= assumptions
    assert {"radius_km", "min_people", "merge_km"}.isdisjoint(assumptions)


def test_a_file_overrides_only_its_keys(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("min_people = 150\nradius_km = 25\ncounting = 'whole'\n")
    settings = load_settings(path)
    assert (settings.min_people, settings.radius_km, settings.counting) == (150, 25.0, "whole")
    assert settings.merge_km == 5.0


# (the file's bytes, what follows "bad.toml" in the one line of the error: its place, the key, what was found)
BAD_SETTINGS = {
    "unknown key": (b"min_peeple = 10\n", ":1: min_peeple: found an unknown key; expected one of edition"),
    "decimals for a count": (b"min_people = 4500.5\n", ":1: min_people: found 4500.5; expected a whole number"),
    "a count as text": (b"# people\nmin_people = '4500'\n", ":2: min_people: found '4500'; expected a whole number"),
    "true for a count": (b"min_people = true\n", ":1: min_people: found True; expected a whole number"),
    "a count out of range": (b"min_people = 100000000000000000000\n", ":1: min_people: found 1000000000000"),
    "negative radius": (b"radius_km = -1\n", ":1: radius_km: found -1.0; expected a number above 0"),
    "radius as text": (b"radius_km = '15 km'\n", ":1: radius_km: found '15 km'; expected a number (no quotes)"),
    "nan": (b"merge_km = nan\n", ":1: merge_km: found nan; expected a finite number"),
    "inf": (b"radius_km = inf\n", ":1: radius_km: found inf; expected a finite number"),
    "-inf": (b"population_buffer_km = -inf\n", ":1: population_buffer_km: found -inf; expected a finite number"),
    "unknown counting": (b"counting = 'half'\n", ":1: counting: found 'half'; expected one of 'fractional' or 'whole'"),
    "window backwards": (b"pct_years = [2023, 2019]\n", ":1: pct_years: found [2023, 2019]; expected the first year"),
    "window of one year": (b"pct_years = [2019]\n", ":1: pct_years: found [2019]; expected two whole years"),
    "share as a percentage": (b"economy_min_share = 25\n", ":1: economy_min_share: found 25.0; expected a number at most 1"),
    "ranks beyond the schema": (b"top_n = 101\n", ":1: top_n: found 101; expected a number at most 100"),
    "a table for a number": (b"[radius_km]\nkm = 15\n", ":1: radius_km: found {'km': 15}; expected a number"),
    "no value": (b"min_people = \n", ":1:14: found what is not TOML (invalid value)"),
    "a key twice": (b"radius_km = 15\nradius_km = 16\n", ":2:"),
    "not UTF-8": (b"# caf\xe9\nradius_km = 15\n", ":1:6: found the byte 0xe9, which is not UTF-8 text"),
    "UTF-16": ("radius_km = 15\n".encode("utf-16"), ":1:1: found the byte 0xff, which is not UTF-8 text"),
}


@pytest.mark.parametrize("name", sorted(BAD_SETTINGS))
def test_bad_settings_are_refused_in_one_line_at_the_key_and_the_file(tmp_path, capsys, name):
    content, words = BAD_SETTINGS[name]
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert f"{path}{words}" in str(error.value) and "\n" not in str(error.value)
    from cluster_profiles.cli import main  # the command says the same, exit 2, before any work

    assert main(["clusters", "--records", str(tmp_path), "--out", str(tmp_path / "out"), "--settings", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {error.value}\n" and not (tmp_path / "out").exists()


def test_a_byte_order_mark_is_not_a_problem(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xef\xbb\xbfmin_people = 150\n")
    assert load_settings(path).min_people == 150


def test_a_folder_or_a_missing_file_is_named_as_the_option(tmp_path):
    for path, words in ((tmp_path, "is a folder"), (tmp_path / "nope.toml", "no such settings file")):
        with pytest.raises(SettingsError, match=f"--settings {path}: {words}"):
            load_settings(path)


def test_every_wrong_key_is_listed_at_once(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("min_people = 'many'\nradius_km = 0\n")
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert "min_people" in str(error.value) and "radius_km" in str(error.value)


def test_settings_are_frozen():
    with pytest.raises(ValidationError):
        load_settings().min_people = 1


def test_hash_follows_the_values_not_the_file(tmp_path):
    default = load_settings()
    same = tmp_path / "same.toml"
    same.write_text("# the default, said again\nmin_people = 4500\n")
    assert load_settings(same).hash() == default.hash()
    assert with_overrides(default, min_people=4499).hash() != default.hash()
    assert len(default.hash()) == 64
