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


@pytest.mark.parametrize(("text", "message"), [
    ("min_peeple = 10\n", "unknown key 'min_peeple'"),
    ("min_people = 4500.5\n", "min_people"),
    ("radius_km = -1\n", "radius_km"),
    ("counting = 'half'\n", "counting"),
    ("pct_years = [2023, 2019]\n", "pct_years"),
    ("pct_years = [2019]\n", "pct_years"),
    ("economy_min_share = 25\n", "economy_min_share"),
    ("top_n = 101\n", "top_n"),
    ("min_people = \n", "not valid TOML"),
])
def test_bad_settings_are_refused_with_the_key_and_the_file(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


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
