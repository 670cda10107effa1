"""The clusters table's figures as pages show them (narrate/key_figures.py)."""

from __future__ import annotations

import pytest

from cluster_profiles.narrate.key_figures import FIGURE_LABELS, VENTURE_CAPITAL_FIGURES, format_figure, shown_value
from cluster_profiles.narrate.profile import build_profile
from cluster_profiles.pages.profile import sections


def test_the_venture_capital_figures_are_those_the_profile_words():
    assert VENTURE_CAPITAL_FIGURES == set(sections.VC_COLUMNS) and VENTURE_CAPITAL_FIGURES <= set(FIGURE_LABELS)


def test_a_venture_capital_figure_is_shown_only_for_an_edition_that_measures_it(fixture_tables):
    measured = build_profile(fixture_tables, "Cairo", 2025)
    assert measured.edition.measures_venture_capital
    known = [c for c in VENTURE_CAPITAL_FIGURES if measured.value(c) is not None]
    assert known and all(shown_value(measured, c) == measured.value(c) for c in known)
    before = build_profile(fixture_tables, "Hefei", 2024)
    assert not before.edition.measures_venture_capital
    assert all(shown_value(before, c) is None for c in VENTURE_CAPITAL_FIGURES)
    assert shown_value(before, "size_rank") == before.value("size_rank")


@pytest.mark.parametrize("value, kind, shown", [(7.0, "rank", "7"), (7921.4, "count", "7,921"), (22.7, "share", "22.7%"),
                                                (3.5, "growth", "+3.5%"), (-2.0, "growth", "-2%")])
def test_each_kind_of_figure_has_its_format(value, kind, shown):
    assert format_figure(value, kind) == shown
