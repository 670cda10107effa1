"""The contract's vocabulary: one declaration of the gap sections, enforced by the schema and by the narrator."""

from __future__ import annotations

import re

import pytest

from cluster_profiles import paths
from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.vocabulary import GAP_SECTIONS, OUTPUT_KEYS, RECORD_KINDS, GapSection
from cluster_profiles.errors import DataValidationError
from cluster_profiles.narrate.profile import build_profile


def test_every_gap_section_is_in_the_data_dictionary_and_nothing_else_is():
    text = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in text.splitlines() if line.startswith("| section |")]
    assert set(re.findall(r"`([a-z_]+)`", row)) == set(GAP_SECTIONS)


@pytest.mark.parametrize("output", OUTPUT_KEYS)
def test_each_output_has_its_top_list_fields_and_collaboration_sections(output):
    assert {GapSection.top_list(output), GapSection.fields(output), GapSection.collaboration(output)} <= set(GapSection)


def test_every_record_kind_counts_towards_an_output():
    assert set(RECORD_KINDS.values()) == set(OUTPUT_KEYS)


@pytest.mark.parametrize("typo", ["top_patent", "Top_patents", "fields", "vc deals", " ranking"])
def test_a_misspelt_gap_section_fails_validation_at_its_line(data_copy, typo):
    gaps = data_copy / "gaps.csv"
    lines = gaps.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("section")
    fields = lines[1].split(",")
    fields[column] = f'"{typo}"' if "," in typo else typo
    lines[1] = ",".join(fields)
    gaps.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_copy)
    assert re.search(r"gaps\.csv:2:section", str(caught.value)), str(caught.value)


def test_the_narrator_asks_for_sections_by_member_and_refuses_a_misspelt_one(fixture_tables):
    row = fixture_tables.gaps.iloc[0]
    profile = build_profile(fixture_tables, row["cluster"], int(row["edition"]))
    assert profile.gap_reason(GapSection(row["section"])) == row["reason"]
    with pytest.raises(ValueError):
        profile.gap_reason("top_patent")  # type: ignore[arg-type]


@pytest.mark.parametrize("n, singular, plural_form, expected", [
    (1, "document", None, "document"), (0, "document", None, "documents"), (2, "row", None, "rows"),
    (1, "address", "addresses", "address"), (1_000, "address", "addresses", "addresses"), (1.0, "point", None, "point"),
])
def test_plural_is_singular_for_one_only(n, singular, plural_form, expected):
    from cluster_profiles.contract.vocabulary import plural

    assert plural(n, singular, plural_form) == expected
