"""What each converted section shows, as a view (before any HTML): on the frozen fixture data."""

import pytest

from cluster_profiles import html, sections
from cluster_profiles.outputs import OUTPUT_KEYS
from cluster_profiles.profile import build_profile


@pytest.fixture(scope="module")
def hefei(fixture_tables):
    return build_profile(fixture_tables, "Hefei", 2024)


def _texts(view, kind):
    return [str(getattr(block, "text", getattr(block, "what", ""))) for block in view.of_kind(kind)]


def test_a_top_list_with_data_shows_table_chart_csv_and_cites_its_rows(hefei):
    view = sections.top_organisations_view(hefei, "patents")
    top = hefei.top_organisations["patents"]
    assert view.css_class == "top-organisations"
    assert view.kinds()[:2] == ["heading", "table"] and view.kinds()[-1] == "csv"
    assert len(view.of_kind("table")[0].frame) == len(top) and "chart" in view.kinds()
    assert not view.of_kind("missing")
    assert view.sources == list(top["source"]) and view.sources
    assert view.of_kind("csv")[0].file_name == "gii2024-hefei-top-patents.csv"


def test_a_top_list_without_counts_has_a_table_but_says_why_there_is_no_chart(fixture_tables):
    view = sections.top_organisations_view(build_profile(fixture_tables, "Nanjing", 2024), "patents")
    assert "table" in view.kinds() and "chart" not in view.kinds()
    assert "No chart: the source does not give a count or a share for every row." in _texts(view, "paragraph")


@pytest.mark.parametrize("output", OUTPUT_KEYS)
def test_a_missing_top_list_says_what_and_why_and_has_no_table(fixture_tables, output):
    profile = build_profile(fixture_tables, "Shenzhen–Hong Kong–Guangzhou", 2025)
    view = sections.top_organisations_view(profile, output)
    assert view.kinds() == ["heading", "missing"] and view.sources == []
    (missing,) = view.of_kind("missing")
    assert "Shenzhen–Hong Kong–Guangzhou in GII 2025" in missing.what
    assert missing.reason == profile.gap_reason(f"top_{output}")
    if output == "patents":
        assert missing.reason and missing.reason.startswith("The source names BYD")


def test_fields_with_and_without_data(hefei, fixture_tables):
    view = sections.top_fields_view(hefei)
    assert [b.level for b in view.of_kind("heading")] == [2, 3, 3]
    assert len(view.of_kind("table")) == 2 and not view.of_kind("missing")
    assert all(not t.header and t.css_class == "data-table fields" for t in view.of_kind("table"))
    assert view.sources == sections.top_fields_sources(hefei)
    empty = sections.top_fields_view(build_profile(fixture_tables, "Beijing", 2025))
    assert not empty.of_kind("table") and not empty.of_kind("csv") and "chart" not in empty.kinds()
    assert len(empty.of_kind("missing")) == len(OUTPUT_KEYS) and empty.sources == []


def test_collaboration_without_partners_says_so(fixture_tables):
    cairo = build_profile(fixture_tables, "Cairo", 2025)
    view = sections.collaboration_view(cairo)
    what = [m.what for m in view.of_kind("missing")]
    assert "the top collaborating locations" in what
    assert any(w.startswith("how many of Cairo's scientific articles") for w in what)
    partners = next(m for m in view.of_kind("missing") if m.what == "the top collaborating locations")
    assert partners.reason and partners.reason.startswith("The partner locations of Cairo's")
    assert view.sources == sections.collaboration_sources(cairo) and view.sources


def test_collaboration_with_no_data_at_all_has_no_chart_nor_csv(fixture_tables):
    view = sections.collaboration_view(build_profile(fixture_tables, "Beijing", 2025))
    assert view.kinds() == ["heading"] + ["missing"] * len(OUTPUT_KEYS) and view.sources == []


def test_venture_capital_only_where_the_edition_measures_it(fixture_tables, hefei):
    assert sections.venture_capital_view(hefei) is None and sections.venture_capital(hefei) == ""
    cairo = build_profile(fixture_tables, "Cairo", 2025)
    view = sections.venture_capital_view(cairo)
    assert view is not None and view.kinds() == ["heading", "paragraph", "paragraph", "csv"]
    assert view.of_kind("paragraph")[1].css_class == "note"
    assert str(view.of_kind("paragraph")[1].text).startswith("Not in the data: the number of deals")
    assert view.sources == sections.venture_capital_sources(cairo) == [str(cairo.row["source"])]
    barcelona = build_profile(fixture_tables, "Barcelona", 2025)
    none = sections.venture_capital_view(barcelona)
    assert none is not None and none.kinds() == ["heading", "missing"]
    assert none.of_kind("missing")[0].reason == barcelona.gap_reason("vc_deals")


def test_key_figures_view(hefei):
    view = sections.key_figures_view(hefei)
    assert view.kinds()[:2] == ["heading", "table"] and view.kinds()[-1] == "csv"
    assert view.of_kind("table")[0].frame.equals(sections.key_figures_frame(hefei))
    assert view.sources == [str(hefei.row["source"])]


@pytest.mark.parametrize("name", ["lead", "top_organisations", "top_fields", "collaboration", "venture_capital", "key_figures"])
def test_a_converted_section_is_its_view_rendered(fixture_tables, name):
    """The section's HTML is its view laid out by the macro file, with the note of the view's sources."""
    for cluster, edition in [("Hefei", 2024), ("Cairo", 2025), ("Beijing", 2025)]:
        profile = build_profile(fixture_tables, cluster, edition)
        for section in (s for s in sections.PROFILE_SECTIONS if s.name == name):
            args = (section.argument,) if section.argument else ()
            view = getattr(sections, f"{name}_view")(profile, *args)
            if view is None:
                assert section.render(profile) == ""
                continue
            assert view.sources == section.sources(profile)
            assert section.render(profile) == html.render_section(view, sections.source_note(profile, view.sources))


def test_lead_with_ranks_lists_them(fixture_tables):
    cambridge = build_profile(fixture_tables, "Cambridge", 2024)
    view = sections.lead_view(cambridge)
    assert view.kinds() == ["paragraph", "paragraph", "bullets"]
    assert view.of_kind("bullets")[0].items == sections.rank_lines(cambridge) and view.of_kind("bullets")[0].css_class == "ranks"
    assert view.sources == sections.lead_sources(cambridge)


def test_lead_without_ranks_says_they_are_missing(fixture_tables):
    ankara = build_profile(fixture_tables, "Ankara", 2024)
    view = sections.lead_view(ankara)
    assert "bullets" not in view.kinds()
    (missing,) = view.of_kind("missing")
    assert missing.what == "Ankara's size and intensity ranks in 2024" and missing.reason == ankara.gap_reason("ranking")


def test_lead_says_when_the_economy_rank_is_counted(fixture_tables):
    view = sections.lead_view(build_profile(fixture_tables, "Tokyo-Yokohama", 2023))
    note = view.blocks[-1]
    assert note.kind == "paragraph" and note.css_class == "note" and "counted from the GII 2023 ranking" in note.text
