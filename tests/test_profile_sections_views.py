"""What each section shows, as a view (before any HTML): on the frozen fixture data."""

import dataclasses

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

import cluster_profiles.narrate.profile as profile_module
from cluster_profiles.contract import quality
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS
from cluster_profiles.narrate import figures
from cluster_profiles.narrate import views as html
from cluster_profiles.narrate.maps import draw as map_drawing
from cluster_profiles.narrate.maps import layout as map_layout
from cluster_profiles.narrate.maps import text as map_text
from cluster_profiles.narrate.profile import build_profile
from cluster_profiles.pages.profile import sections

HOSTILE = "<b>Ev'il</b> & co"
CHARTS = ("organisation_chart", "field_chart", "collaboration_chart", "peer_chart")


@pytest.fixture
def no_drawing(monkeypatch):
    """Charts and maps not drawn (a placeholder figure instead): for tests about what a view holds, not how
    it is drawn. Returns the arguments each drawing call received."""
    calls = []

    def placeholder(name):
        def draw(*args):
            calls.append((name, args))
            return Markup("<figure>{}</figure>").format(name)
        return draw

    for name in CHARTS:
        monkeypatch.setattr(figures, name, placeholder(name))
    monkeypatch.setattr(map_drawing, "draw_map", placeholder("draw_map"))
    return calls


@pytest.fixture(scope="module")
def hefei(fixture_tables):
    return build_profile(fixture_tables, "Hefei", 2024)


def _texts(view, kind):
    return [str(getattr(block, "text", getattr(block, "what", ""))) for block in view.of_kind(kind)]


def test_a_top_list_with_data_shows_one_table_with_bars_a_csv_and_cites_its_rows(hefei):
    view = sections.top_organisations_view(hefei, "patents")
    top = hefei.top_organisations["patents"]
    assert view.css_class == "top-organisations"
    assert view.kinds()[:2] == ["heading", "table"] and view.kinds()[-1] == "csv"
    assert len(view.of_kind("table")[0].frame) == len(top) and "chart" not in view.kinds()
    assert all("bar-track" in cell for cell in view.of_kind("table")[0].frame["Share"])
    assert not view.of_kind("missing")
    assert view.sources == list(top["source"]) and view.sources
    assert view.of_kind("csv")[0].file_name == "gii2024-hefei-top-patents.csv"


def test_a_top_list_without_counts_has_a_table_without_bars(fixture_tables):
    view = sections.top_organisations_view(build_profile(fixture_tables, "Nanjing", 2024), "patents")
    assert "table" in view.kinds() and "chart" not in view.kinds()
    assert not view.of_kind("table")[0].frame.map(lambda c: "bar-track" in str(c)).any(axis=None)


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
    assert "the top collaborating locations of Cairo's PCT patent applications" in what
    assert any(w.startswith("how many of Cairo's scientific articles") for w in what)
    partners = next(m for m in view.of_kind("missing") if m.what.startswith("the top collaborating locations"))
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


@pytest.fixture(scope="module")
def sample(fixture_tables):
    """Profiles that between them have and lack each part: lists, charts, conflicts, gaps, peers, neighbours."""
    return [build_profile(fixture_tables, cluster, edition)
            for cluster, edition in [("Hefei", 2024), ("Cairo", 2025), ("Beijing", 2025), ("Kuala Lumpur", 2024)]]


@pytest.mark.parametrize("name", sorted({s.name for s in sections.PROFILE_SECTIONS}))
def test_each_section_is_its_view_rendered(sample, name, no_drawing):
    """The section's HTML is its view laid out by the macro file, with the note of the view's sources (the
    data notes cite beside each item instead); the view cites what the section's sources function says."""
    for profile in sample:
        for section in (s for s in sections.PROFILE_SECTIONS if s.name == name):
            args = (section.argument,) if section.argument else ()
            view = getattr(sections, f"{name}_view")(profile, *args)
            if view is None:
                assert section.render(profile) == ""
                continue
            assert view.sources == section.sources(profile)
            body = sections.body_view(view)  # what is missing is in the panel near the top, not here
            if body is None:
                assert section.render(profile) == ""
                continue
            note = None if name == "data_notes" else sections.source_note(profile, body.sources)
            assert section.render(profile) == html.render_section(body, note)


def test_lead_with_two_ranks_lists_them(hefei):
    view = sections.lead_view(hefei)
    assert view.kinds() == ["paragraph", "paragraph", "bullets"]
    assert view.of_kind("bullets")[0].items == sections.rank_lines(hefei) and view.of_kind("bullets")[0].css_class == "ranks"
    assert str(view.blocks[1].text).endswith("making it the:")
    assert view.sources == sections.lead_sources(hefei)


@pytest.mark.parametrize("cluster, edition, sentence", [
    ("Cambridge", 2024, "It is the 1st S&amp;T cluster by intensity (relative to population density) in 2024."),
    ("Cairo", 2024, "It is the 95th largest science and technology cluster in 2024."),
])
def test_lead_with_one_rank_says_it_in_a_sentence_not_a_list_of_one(fixture_tables, cluster, edition, sentence):
    view = sections.lead_view(build_profile(fixture_tables, cluster, edition))
    assert "bullets" not in view.kinds()
    text = " ".join(str(p.text) for p in view.of_kind("paragraph"))
    assert sentence in text and "the:" not in text


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


# ------------------------------------------------------------------- every view cites what its section cites
# On every cluster of a folder (slow: a profile and a map layout each); the fast loop checks the sample above.


def _views_and_sources(tables, monkeypatch):
    """(cluster, edition, section, the view's sources, the section's sources) for every cluster of a folder."""
    every = quality.findings(tables)  # the folder's findings computed once, not once per profile as build_profile does
    monkeypatch.setattr(profile_module, "findings_for",
                        lambda t, edition, cluster: [f for f in every if (f.edition, f.cluster) == (edition, cluster)])
    for cluster, edition in sorted(set(zip(tables.clusters["cluster"], tables.clusters["edition"]))):
        built = build_profile(tables, cluster, int(edition))
        for section in sections.PROFILE_SECTIONS:
            args = (section.argument,) if section.argument else ()
            view = getattr(sections, f"{section.name}_view")(built, *args)
            if view is not None:
                yield cluster, edition, section.name, view.sources, section.sources(built)


@pytest.mark.slow
def test_every_views_sources_are_its_sources_function_on_the_fixture_data(fixture_tables, monkeypatch, no_drawing):
    checked = list(_views_and_sources(fixture_tables, monkeypatch))
    assert [c for c in checked if c[3] != c[4]] == []
    assert {c[2] for c in checked} == {s.name for s in sections.PROFILE_SECTIONS}


@pytest.mark.slow
def test_every_views_sources_are_its_sources_function_on_the_shipped_data(tables, monkeypatch, no_drawing):
    checked = list(_views_and_sources(tables, monkeypatch))
    assert [c for c in checked if c[3] != c[4]] == [] and checked


# ---------------------------------------------------------------------------------------------- title


def test_the_title_is_a_header_with_the_edition_and_every_economy(fixture_tables):
    view = sections.title_view(build_profile(fixture_tables, "Shenzhen–Hong Kong–Guangzhou", 2024))
    assert view.element == "header" and view.css_class == "report-title" and view.sources == []
    assert view.kinds() == ["paragraph", "heading"]
    kicker, heading = view.blocks
    assert kicker.text == "Global Innovation Index 2024" and kicker.css_class == "kicker"
    assert heading.level == 1 and heading.text.startswith("Shenzhen–Hong Kong–Guangzhou, ") and " / " in heading.text


def test_the_title_escapes_a_hostile_cluster_name(hefei):
    soup = BeautifulSoup(str(sections.title(dataclasses.replace(hefei, cluster=HOSTILE))), "html.parser")
    assert soup.find("b") is None and soup.find("h1").get_text() == f"{HOSTILE}, {hefei.economy_names[0]}"
    assert soup.header["class"] == ["report-title"] and soup.find("section") is None


# -------------------------------------------------------------------------------------- comparisons


def _missing(view):
    return {m.what: m.reason for m in view.of_kind("missing")}


def test_comparisons_say_why_each_missing_part_is_missing(fixture_tables, no_drawing):
    kuala_lumpur = sections.comparisons_view(build_profile(fixture_tables, "Kuala Lumpur", 2024))
    missing = _missing(kuala_lumpur)
    assert missing["a comparison with GII 2023"].startswith("Kuala Lumpur has no row in the GII 2023 data")
    assert not any("Malaysian" in what for what in missing)  # the only Malaysian cluster: none to miss
    assert "table" in kuala_lumpur.kinds()  # the clusters ranked next to it are in the data
    cambridge = build_profile(fixture_tables, "Cambridge", 2024)  # no size rank: the lead says it is missing
    assert not any("ranked next to" in what for what in _missing(sections.comparisons_view(cambridge)))
    cairo = sections.comparisons_view(build_profile(fixture_tables, "Cairo", 2025))
    assert _missing(cairo)["the clusters ranked next to Cairo"] == "Their ranks are not in the data."
    assert not any("Egyptian" in what for what in _missing(cairo))  # the only one of its economy: none to miss
    sao_paulo = sections.comparisons_view(build_profile(fixture_tables, "São Paulo", 2023))
    assert _missing(sao_paulo)["a comparison with GII 2022"] == "GII 2022 is not in the data."


def test_comparisons_with_the_previous_edition_show_its_table_and_csv(fixture_tables, no_drawing):
    tokyo = build_profile(fixture_tables, "Tokyo–Yokohama", 2024)
    view = sections.comparisons_view(tokyo)
    assert "a comparison with GII 2023" not in _missing(view)
    tables = view.of_kind("table")
    assert tables[0].frame.equals(sections.previous_edition_frame(tokyo)) and not tables[0].frame.empty
    assert view.of_kind("csv")[0].file_name == "gii2024-tokyo-yokohama-since-2023.csv"
    notes = [str(p.text) for p in view.of_kind("paragraph") if p.css_class == "note"]
    windows_differ = tokyo.previous_edition.pct_window != tokyo.edition.pct_window
    assert any(n.startswith("Counts cover different five-year windows") for n in notes) == windows_differ
    assert view.sources == [] and view.css_class == "comparisons"


def test_comparisons_peers_table_chart_and_holes(hefei, no_drawing):
    view = sections.comparisons_view(hefei)
    peers = next(t for t in view.of_kind("table") if t.frame.equals(sections.peers_frame(hefei)))
    assert f"{hefei.cluster} (this report)" in list(peers.frame["Cluster"])
    assert (f"The data holds {len(hefei.peers)} of the 26 Chinese clusters in the top 100 that a source counts."
            in [str(p.text) for p in view.of_kind("paragraph")])
    (chart,) = view.of_kind("chart")
    (name, args), = no_drawing
    data = figures.peer_chart_data(hefei.peers, hefei.neighbours, hefei.cluster)
    assert name == "peer_chart" and args[2] == figures.peer_alt(data, hefei.cluster, "GII 2024")
    rank = int(hefei.value("size_rank"))
    known = set(hefei.neighbours["size_rank"].astype(int))
    holes = [str(r) for r in range(rank - 2, rank + 3) if r not in known]
    hole_notes = [str(p.text) for p in view.of_kind("paragraph") if str(p.text).startswith("Not in the data: the clusters")]
    assert bool(hole_notes) == bool(holes) and all(h in hole_notes[0] for h in holes)


def test_comparisons_escape_hostile_names(hefei, no_drawing):
    peers = hefei.peers.assign(cluster=[HOSTILE if c != hefei.cluster else c for c in hefei.peers["cluster"]])
    soup = BeautifulSoup(str(sections.comparisons(dataclasses.replace(hefei, peers=peers))), "html.parser")
    assert soup.find("b") is None
    assert HOSTILE in [td.get_text() for td in soup.find_all("td")]


# ------------------------------------------------------------------------------------------- data notes


def test_data_notes_cite_each_conflict_and_gap_beside_it(fixture_tables):
    kuala_lumpur = build_profile(fixture_tables, "Kuala Lumpur", 2024)
    view = sections.data_notes_view(kuala_lumpur)
    assert [b.css_class for b in view.of_kind("box")] == ["conflicts"]
    cited = sections.report_citations(kuala_lumpur)
    (items,) = view.of_kind("bullets")
    assert len(items.items) == len(kuala_lumpur.conflicts)
    assert all(isinstance(item, Markup) and cited.refs([source]) in item
               for item, source in zip(items.items, kuala_lumpur.conflicts["source"]))
    assert view.sources == sections.data_notes_sources(kuala_lumpur)
    (listed,) = view.of_kind("sources")
    assert listed.citations == cited
    cairo = build_profile(fixture_tables, "Cairo", 2025)
    gaps = sections.data_notes_view(cairo)
    # every gap of Cairo's is a part the panel near the top lists, with its reason and source: not repeated here
    assert not cairo.gaps.empty and "gaps" not in [b.css_class for b in gaps.of_kind("box")]
    assert sections.lacks_sources(cairo) == list(cairo.gaps["source"])
    assert set(cairo.gaps["reason"]) <= {m.reason for m in sections.missing_parts(cairo)}
    barcelona = build_profile(fixture_tables, "Barcelona", 2024)  # its gap is in the key figures, not the panel
    notes = sections.data_notes_view(barcelona)
    assert [b.css_class for b in notes.of_kind("box")][-1:] == ["gaps"]
    assert notes.sources == sections.data_notes_sources(barcelona)


def test_data_notes_show_the_quality_findings_and_no_empty_box(fixture_tables, hefei):
    view = sections.data_notes_view(hefei)
    (box,) = view.of_kind("box")
    assert box.css_class == "quality" and box.blocks[0].text == "Data-quality notes"
    assert list(view.of_kind("bullets")[0].items) == [f.message for f in hefei.quality] and hefei.quality
    tokyo = sections.data_notes_view(build_profile(fixture_tables, "Tokyo-Yokohama", 2023))
    assert not tokyo.of_kind("box") and tokyo.sources == [_edition_source(fixture_tables, 2023)]


def _edition_source(tables, year):
    return str(tables.editions.loc[tables.editions["edition"] == year, "source"].iloc[0])


def test_data_notes_escape_hostile_reasons_and_notes(fixture_tables):
    kuala_lumpur = build_profile(fixture_tables, "Kuala Lumpur", 2024)
    hostile = dataclasses.replace(kuala_lumpur, conflicts=kuala_lumpur.conflicts.assign(note=HOSTILE),
                                  gaps=pd.DataFrame({"section": ["counts"], "reason": [HOSTILE],
                                                    "source": ["https://example.org/gap"]}))
    soup = BeautifulSoup(str(sections.data_notes(hostile)), "html.parser")
    assert soup.find("b") is None
    items = [li.get_text() for li in soup.select("div.conflicts li, div.gaps li")]
    assert len(items) == len(kuala_lumpur.conflicts) + 1 and all(HOSTILE in item for item in items)
    assert soup.select("div.gaps a.cite")  # the gap's own source, numbered and linked


# ---------------------------------------------------------------------------------------------- map


def test_the_map_view_takes_its_alt_caption_and_notes_from_maps(hefei, no_drawing):
    unlocated = dataclasses.replace(hefei, locations=hefei.locations[hefei.locations["cluster"] != "Hefei"])
    view = sections.location_map_view(unlocated)
    data = sections.profile_map_data(unlocated)
    (name, (drawn, alt, caption)), = no_drawing
    assert name == "draw_map" and drawn.table.equals(data.table)
    assert alt == map_text.profile_alt_text(data, "Hefei", 2024, hefei.economy.adjective)
    assert caption == map_text.profile_caption(data, "Hefei", 2024, hefei.economy.adjective)
    notes = [p.text for p in view.of_kind("paragraph") if p.css_class == "note"]
    assert notes == map_text.map_notes(data) and notes[0].startswith("Not on the map: Hefei")
    assert _missing(view)["where Hefei is"] == f"The data has {map_layout.NO_LOCATION_REASON} for Hefei."
    assert view.sources == sections.location_map_sources(unlocated)
    assert view.of_kind("csv")[0].frame.equals(data.table)
    located = sections.location_map_view(hefei)
    assert not located.of_kind("missing") and map_layout.focus_drawn(sections.profile_map_data(hefei))


def test_the_map_notes_name_the_clusters_drawn_without_a_label(hefei, no_drawing):
    own = hefei.locations[hefei.locations["cluster"] == "Hefei"].iloc[0]
    crowded = hefei.locations.assign(latitude=[own["latitude"] + 0.01 * i for i in range(len(hefei.locations))],
                                     longitude=own["longitude"])
    profile = dataclasses.replace(hefei, locations=crowded)
    notes = [p.text for p in sections.location_map_view(profile).of_kind("paragraph") if p.css_class == "note"]
    assert notes == map_text.map_notes(sections.profile_map_data(profile))
    assert any(note.startswith("Drawn without a label for lack of room: ") for note in notes)


def test_the_map_caption_says_how_the_cluster_is_drawn_and_whose_coordinates(hefei):
    caption = map_text.profile_caption(sections.profile_map_data(hefei), "Hefei", 2024, "Chinese")
    assert caption.startswith("Hefei (orange, at its city) and the other Chinese clusters in the GII 2024 data")
    assert "City coordinates: GeoNames." in caption and caption.endswith(map_text.BOUNDARY_NOTE)
    footprint = pd.DataFrame({"latitude": [31.8, 31.9], "longitude": [117.2, 117.3], "weight": [3.0, 1.0],
                              "source": "records: computed footprint"})
    computed = dataclasses.replace(hefei, footprint=footprint, locations=hefei.locations.assign(source="records"))
    caption = map_text.profile_caption(sections.profile_map_data(computed), "Hefei", 2024, "Chinese")
    assert "(orange, its footprint (the points of its records))" in caption
    assert "Coordinates: see the sources." in caption and "GeoNames" not in caption


def test_the_map_view_escapes_a_hostile_note(hefei, no_drawing):
    unlocated = hefei.locations[hefei.locations["cluster"] != "Hefei"]
    peers = hefei.peers.assign(cluster=[HOSTILE if c != "Hefei" else c for c in hefei.peers["cluster"]])
    soup = BeautifulSoup(str(sections.location_map(dataclasses.replace(hefei, locations=unlocated, peers=peers))),
                         "html.parser")
    assert soup.find("b") is None
    assert any(HOSTILE in p.get_text() for p in soup.select("p.note"))


def test_the_overview_notes_are_a_view_citing_the_edition():
    from cluster_profiles.pages.overview import notebook as overview
    from cluster_profiles.pages.overview import sections as overview_sections

    from conftest import FIXTURE_DATA

    edition = overview.load_overview(edition=2025, data_dir=str(FIXTURE_DATA))
    view = overview_sections.notes_view(edition)
    assert view.css_class == "data-notes" and view.sources == overview_sections.notes_sources(edition)
    (listed,) = view.of_kind("sources")
    assert listed.citations == overview_sections.overview_citations(edition)
    assert overview_sections.notes_section(edition) == html.render_section(view)
    edition_refs = view.of_kind("paragraph")[1].text
    assert edition_refs.startswith("Edition sources: ") and listed.citations.refs(view.sources) in edition_refs


def test_the_overview_title_is_a_header_view_and_a_lede(tmp_path):
    from cluster_profiles.pages.overview import notebook as overview
    from cluster_profiles.pages.overview import sections as overview_sections

    from conftest import FIXTURE_DATA

    edition = overview.load_overview(edition=2024, data_dir=str(FIXTURE_DATA))
    view = overview_sections.title_view(edition)
    assert view.element == "header" and view.kinds() == ["paragraph", "heading"] and view.sources == []
    shown = overview_sections.title(edition)
    assert shown.startswith(html.render_section(view)) and "<h1>The top 100 S&amp;T clusters in 2024</h1>" in shown
    lede = BeautifulSoup(str(shown), "html.parser").find("header").find_next_sibling("p")
    ranked = int(edition.clusters["size_rank"].notna().sum())
    assert lede.get_text() == f"The data holds {len(edition.clusters)} clusters of this edition, {ranked} of them with a size rank."
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "hefei.html").write_text("x")
    with_reports = overview.load_overview(edition=2024, data_dir=str(FIXTURE_DATA), reports_dir=str(tmp_path),
                                          page_dir=str(tmp_path))
    assert overview_sections.title_lede(with_reports).text.endswith(' <a href="index.html">All reports</a>.')
