"""Sections adapt to what the data holds and say what is missing."""

import dataclasses

from cluster_profiles.narrate import citations
from cluster_profiles.narrate.profile import build_profile
from cluster_profiles.pages.profile import sections

from html_text import table_rows, visible_text

text = visible_text


def test_names_without_counts_get_a_table_and_no_chart(fixture_tables):
    html = sections.top_organisations(build_profile(fixture_tables, "Nanjing", 2024), "patents")
    assert "Southeast University" in text(html)
    assert "<img" not in html and "bar-track" not in html  # no number to draw


def test_missing_list_says_so_with_the_reason(fixture_tables):
    cairo = build_profile(fixture_tables, "Cairo", 2025)
    html = text(sections.collaboration(cairo))
    assert "23% of Cairo's PCT patent applications are filed in collaboration with other inventors." in html
    assert "Not in the data" not in html  # the panel of what the profile lacks says it, once
    lacks = text(sections.lacks(cairo))
    assert "The top collaborating locations of Cairo's PCT patent applications. The partner locations" in lacks
    assert "How many of Cairo's scientific articles" in lacks
    tokyo = build_profile(fixture_tables, "Tokyo–Yokohama", 2023)
    assert "Not in the data" not in text(sections.top_fields(tokyo))
    assert "The top technology fields" in text(sections.lacks(tokyo))


def test_lead_with_only_an_intensity_rank(fixture_tables):
    html = text(sections.lead(build_profile(fixture_tables, "Cambridge", 2024)))
    assert "Cambridge appears in the GII 2024 data" in html
    assert "It filed 6,379 PCT applications and published 35,000 scientific articles" in html
    assert "1st S&T cluster by intensity" in html


def test_lead_with_totals_and_a_derived_economy_rank(fixture_tables):
    html = text(sections.lead(build_profile(fixture_tables, "Tokyo-Yokohama", 2023)))
    assert "Tokyo–Yokohama is the first-ranked cluster, out of 4 Japanese clusters" in html
    assert "It filed 127,418 PCT applications and published 115,020 scientific articles, in total" in html
    assert "largest science and technology cluster in 2023" in html
    assert "counted from the GII 2023 ranking" in html


def test_2025_lead_carries_venture_capital(fixture_tables):
    html = text(sections.lead(build_profile(fixture_tables, "Cairo", 2025)))
    assert "received 21 venture-capital deals, all per 1 million inhabitants" in html
    assert "83rd largest" in html and "100th S&T cluster by intensity" in html


def test_conflicts_are_shown_not_resolved(fixture_tables):
    html = text(sections.data_notes(build_profile(fixture_tables, "Kuala Lumpur", 2024)))
    assert "Sources that disagree" in html and "size rank: 96 reported by" in html


def test_sources_are_numbered_notes_linked_to_the_list_not_raw_urls(fixture_tables):
    profile = build_profile(fixture_tables, "Nanjing", 2024)
    lead = sections.lead(profile)
    assert "https://sxconnet.com" not in text(lead)  # the URL is in the list at the end, not in the note
    number = sections.report_citations(profile).number("https://sxconnet.com/index.php/post/1836.html")
    assert f'href="#source-{number}"' in lead and f"[{number}] sxconnet.com" in text(lead)
    notes = sections.data_notes(profile)
    assert f'<li id="source-{number}"><a href="https://sxconnet.com/index.php/post/1836.html"' in notes


def test_fields_read_down_then_across():
    import pandas as pd
    frame = sections.fields_display(pd.DataFrame({"field": list("ABCDE"), "share_pct": [40, 30, 10, 10, 10]}))
    assert [[visible_text(c) for c in row] for row in frame.values.tolist()] == [
        ["A (40%)", "D (10%)"], ["B (30%)", "E (10%)"], ["C (10%)", ""]]
    assert 'style="width:40%"' in frame.iloc[0, 0]  # an inline bar on the 0-100% scale of every list


def test_hostile_names_are_escaped_even_if_they_pass_validation(fixture_tables):
    """Validation rejects markup in names; the HTML escapes them anyway (defence in depth)."""
    profile = build_profile(fixture_tables, "Hefei", 2024)
    hostile = profile.top_organisations["patents"].assign(organisation="<script>alert(1)</script>")
    profile.top_organisations["patents"] = hostile
    html = sections.top_organisations(profile, "patents")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_quality_notes_are_shown(fixture_tables):
    html = text(sections.data_notes(build_profile(fixture_tables, "Hefei", 2024)))
    assert "Data-quality notes" in html
    assert "UNIVERSITY OF SCIENCE & TECH. OF CHINA is listed twice among the top publishing organizations (ranks 1 and 3)" in html


def test_cells_the_source_leaves_empty_show_a_dash(fixture_tables):
    html = sections.top_organisations(build_profile(fixture_tables, "Cairo", 2025), "articles")
    assert "None" not in text(html) and "nan" not in text(html)
    assert ("2", "Ain Shams University", "—", "14%") in table_rows(html)


def test_sections_are_registered_in_the_notebook_order():
    """profile_sources follows PROFILE_SECTIONS: it must be the order in which the notebook shows them."""
    from notebook_cells import show_calls

    from cluster_profiles import paths

    assert show_calls(paths.PROFILE_NOTEBOOK) == [(s.name, s.argument) for s in sections.PROFILE_SECTIONS]


def test_the_list_of_sources_is_every_section_s_sources_in_order(fixture_tables):
    profile = build_profile(fixture_tables, "Hefei", 2024)
    expected = []
    for section in sections.PROFILE_SECTIONS:
        expected += section.sources(profile)
    assert sections.profile_sources(profile) == expected
    cited: list[str] = []  # each section's note in turn (a note keeps one publisher's citations together)
    for section in sections.PROFILE_SECTIONS:
        cited += [citations.key(c) for c in citations.note_citations(section.sources(profile))
                  if citations.key(c) not in cited]
    from bs4 import BeautifulSoup

    listed = BeautifulSoup(str(sections.data_notes(profile)), "html.parser").select("ol.sources li")
    assert [citations.key(item.get_text()) for item in listed] == cited  # the list follows the sections' order
    numbers = sections.report_citations(profile)
    for section in sections.PROFILE_SECTIONS:  # each section's own note cites what it declares
        html = str(section.render(profile))
        for source in citations.note_citations(section.sources(profile)):
            assert f'href="#source-{numbers.number(source)}"' in html


def test_venture_capital_in_2025_profiles_only(tables):
    import pandas as pd

    profile = build_profile(tables, "Cairo", 2025)
    for column in sections.VC_COLUMNS:
        profile.row[column] = pd.NA
    profile.row["vc_share_pct"], profile.row["vc_rank"] = 1.5, 7
    html = text(sections.venture_capital(profile))
    assert "Cairo accounted for 1.5% of all venture-capital deals worldwide. It is the 7th cluster by" in html
    assert "Not in the data: the number of deals and the deals per 1 million inhabitants." in html
    assert "Source" in html
    profile.row["vc_share_pct"], profile.row["vc_rank"] = pd.NA, pd.NA
    html = text(sections.venture_capital(profile))
    assert html == ""  # nothing to show: the section is left out, the panel of what it lacks says so
    assert "Cairo's venture-capital deals, the third measure of GII 2025." in text(sections.lacks(profile))
    older = build_profile(tables, "Hefei", 2024)
    older.row["vc_deals"] = 99  # even a figure in an older edition's row is not shown as a VC line
    assert sections.venture_capital(older) == "" and sections.venture_capital_sources(older) == []
    assert "Venture" not in text(sections.key_figures(older)) and "venture" not in text(sections.lead(older))


def _map_parts(html):
    import base64
    import io

    import pandas as pd
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(str(html), "html.parser")
    image = soup.find("img")
    link = soup.find("a", download=True)
    table = pd.read_csv(io.BytesIO(base64.b64decode(link["href"].split("base64,", 1)[1])))
    return soup, image, link, table


def test_location_map_section_has_image_alt_caption_download_and_sources(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    profile = build_profile(tables, "Hefei", 2024)
    html = sections.location_map(profile)
    soup, image, link, table = _map_parts(html)
    assert image["src"].startswith("data:image/png;base64,") and image["alt"].startswith(
        "Locator map of the Chinese clusters in the GII 2024 data, Hefei (size rank 36) highlighted")
    caption = soup.find("figcaption").get_text()
    assert "GII 2024" in caption and "Boundaries are Natural Earth's and imply no position of the publisher." in caption
    assert link["download"] == "gii2024-hefei-map.csv"
    assert set(table["cluster"]) == set(profile.peers.loc[profile.peers["in_top100"].ne("false"), "cluster"])
    assert {"latitude", "longitude", "size_rank", "role", "source"} <= set(table.columns)
    assert table.loc[table["role"] == "focus", "city"].tolist() == ["Hefei"]
    words = text(html)
    assert "GeoNames" in words and "Natural Earth" in words
    assert sections.location_map_sources(profile)[-1] == sections.map_shapes.NATURAL_EARTH_SOURCE


def test_location_map_says_when_a_cluster_has_no_location(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    profile = build_profile(tables, "Hefei", 2024)
    unlocated = profile.locations[profile.locations["cluster"] != "Hefei"]
    unlocated_profile = dataclasses.replace(profile, locations=unlocated)
    html = text(sections.location_map(unlocated_profile))
    assert "Where Hefei is. The data has no coordinates in cluster_locations.csv for Hefei." in text(
        sections.lacks(unlocated_profile))
    assert "Not on the map: Hefei (no coordinates in cluster_locations.csv)." in html


def test_location_map_takes_a_footprint(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    import pandas as pd

    profile = build_profile(tables, "Hefei", 2024)
    footprint = pd.DataFrame({"latitude": [31.8, 31.9], "longitude": [117.2, 117.3], "weight": [3.0, 1.0],
                              "source": "records: computed footprint"})
    html = sections.location_map(dataclasses.replace(profile, footprint=footprint))
    _, image, _, table = _map_parts(html)
    assert "as a footprint of 2 points" in image["alt"]
    assert table.loc[table["role"] == "focus", "kind"].tolist() == ["footprint", "footprint"]
    assert "records: computed footprint" in text(html)


def test_organisation_lists_keep_acronyms_in_sentences_and_alt_text(fixture_tables):
    """The list's name inside a sentence or alt text is the outputs table's in-sentence name, not the
    heading lowercased ("top pct applicants")."""
    hefei = build_profile(fixture_tables, "Hefei", 2024)
    html = sections.top_organisations(hefei, "patents")
    assert "<img" not in html and html.count("bar-track") == 3  # one view: the table, its shares as bars
    assert "top pct applicants" not in html
    empty = dataclasses.replace(hefei, top_organisations={**hefei.top_organisations,
                                                          "patents": hefei.top_organisations["patents"].iloc[0:0]})
    assert text(sections.top_organisations(empty, "patents")) == ""
    assert "The top PCT applicants of Hefei in GII 2024" in text(sections.lacks(empty))


def test_fields_the_source_names_without_an_order_are_shown_unranked_with_the_reason(fixture_tables):
    cairo = build_profile(fixture_tables, "Cairo", 2025)
    fields = cairo.top_fields["patents"]
    assert fields["rank"].isna().all() and set(fields["field"]) == {"Medical technology", "Chemistry"}
    shown = text(sections.top_fields(cairo))
    assert "Medical technology" in shown and "Chemistry" in shown
    assert "without shares or order, so they are not ranked" in shown


def test_an_unranked_organisation_shows_a_dash_for_its_rank_and_its_bare_name_in_the_chart(fixture_tables):
    hefei = build_profile(fixture_tables, "Hefei", 2024)
    top = hefei.top_organisations["patents"].copy()
    top["rank"] = top["rank"].mask(top.index == 2)  # the third row: named by the source without a place
    top["note"] = top["note"].mask(top.index == 2, "Named without a place in the list.")
    html = sections.top_organisations(dataclasses.replace(
        hefei, top_organisations={**hefei.top_organisations, "patents": top}), "patents")
    assert ("—", "SUNGROW POWER SUPPLY CO., LTD", "92", "2%") in table_rows(html)
    assert "Named without a place in the list." in text(html)
