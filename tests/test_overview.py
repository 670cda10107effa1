"""The edition overview's data: rankings, clusters per economy, concentration, rank changes."""

import pandas as pd
import pytest

from cluster_profiles.errors import ParameterError, UnknownEditionError
from cluster_profiles.pages.overview import data as od
from cluster_profiles.pages.overview import notebook as ov
from cluster_profiles.pages.overview import sections as osec

from conftest import FIXTURE_DATA


def _overview(edition, reports_dir="", page_dir=""):
    return ov.load_overview(edition=edition, reports_dir=reports_dir, data_dir=str(FIXTURE_DATA),
                            page_dir=page_dir or reports_dir)


def test_size_ranking_is_in_rank_order():
    frame = od.ranking(_overview(2023), "size_rank")
    assert list(frame["size_rank"][:3]) == [1, 2, 3] and frame["size_rank"].is_monotonic_increasing
    assert list(frame["cluster"][:2]) == ["Tokyo–Yokohama", "Shenzhen–Hong Kong–Guangzhou"]


def test_clusters_per_economy_keeps_stated_and_held_apart():
    frame = od.clusters_per_economy(_overview(2024)).set_index("economy")
    assert frame.loc["CN", "stated_count"] == 26 and frame.loc["CN", "clusters_in_data"] == 13
    assert frame.loc["ES", "stated_count"] is pd.NA and frame.loc["ES", "clusters_in_data"] == 2


def test_concentration_needs_every_share_from_rank_one():
    frame, reason = od.concentration(_overview(2023))
    assert len(frame) == 34 and reason == ""
    assert frame.iloc[0]["cumulative_pct_share"] == 10.1
    assert frame.iloc[1]["cumulative_pct_share"] == 19.1  # 10.1 + 9.0
    none, why = od.concentration(_overview(2024))
    assert none is None and "No cluster's share" in why
    partial, why_2025 = od.concentration(_overview(2025))
    assert partial is None and "known for the largest cluster only" in why_2025 and "1–1" not in why_2025


def test_rank_changes_use_the_previous_table_or_a_stated_rank():
    changes = od.rank_changes(_overview(2024))[0].set_index("cluster")
    assert changes.loc["Nanjing", "change"] == 2 and changes.loc["Nanjing", "basis"] == "GII 2023 table"
    stated = od.rank_changes(_overview(2023))[0].set_index("cluster")
    assert stated.loc["Qingdao", "change"] == 6 and stated.loc["Qingdao", "basis"].startswith("previous rank stated")


def test_links_only_to_reports_that_exist(tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "hefei.html").write_text("x")
    overview = _overview(2024, str(tmp_path))
    assert overview.report_link("Hefei") == "2024/hefei.html"
    assert overview.report_link("Nanjing") is None


def test_links_are_relative_to_where_the_page_is_opened(tmp_path):
    reports, lab = tmp_path / "reports", tmp_path / "lab"
    (reports / "2024").mkdir(parents=True)
    (reports / "2024" / "hefei.html").write_text("x")
    lab.mkdir()
    in_lab = _overview(2024, str(reports), str(lab))  # the notebook opened in JupyterLab from lab/
    assert in_lab.report_link("Hefei") == "../reports/2024/hefei.html"
    assert in_lab.index_link() == "../reports/index.html"
    assert (lab / in_lab.report_link("Hefei")).resolve() == (reports / "2024" / "hefei.html").resolve()
    rendered = _overview(2024, str(reports))  # the page written to reports/overview-2024.html
    assert rendered.report_link("Hefei") == "2024/hefei.html" and rendered.index_link() == "index.html"
    assert not any(link.startswith(("/", "file:", "http")) for link in [in_lab.report_link("Hefei"),
                                                                         rendered.report_link("Hefei")])


def test_all_reports_only_when_there_are_reports(tmp_path):
    assert "All reports" not in str(osec.title(_overview(2024)))  # no reports folder
    assert "All reports" not in str(osec.title(_overview(2024, str(tmp_path))))  # an empty one
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "nanjing.html").write_text("x")
    assert '<a href="index.html">All reports</a>' in str(osec.title(_overview(2024, str(tmp_path))))


def test_bad_overview_parameters():
    with pytest.raises(ParameterError):
        ov.load_overview(edition="2024")
    with pytest.raises(ParameterError):
        ov.load_overview(edition=2024, cluster="Hefei")
    with pytest.raises(UnknownEditionError):
        ov.load_overview(edition=2019)


def test_bad_overview_parameters_read_as_one_line_each_in_a_notebook():
    """IPython shows a ParameterError through _render_traceback_: the message, no frames, no pydantic dump."""
    with pytest.raises(ParameterError) as caught:
        ov.load_overview(edition="2024", colour="red")
    shown = caught.value._render_traceback_()
    assert shown[0].endswith("ParameterError\x1b[0m: Invalid overview parameters:")
    assert shown[1:] == ["  parameter 'edition' must be a whole number (got '2024')",
                         "  unknown parameter 'colour' (the overview takes: edition, data_dir, reports_dir, page_dir)"]
    assert not any("pydantic" in line or "validation error" in line for line in shown)


def test_clusters_below_the_top_100_are_not_counted_as_held(fixture_tables):
    from dataclasses import replace

    from cluster_profiles.narrate.profile import edition_info

    extra = fixture_tables.clusters.iloc[:2].copy()
    extra[["edition", "cluster", "economy", "in_top100"]] = [[2025, "Below A", "ZZ", "false"],
                                                             [2025, "Top B", "ZZ", "true"]]
    clusters = pd.concat([fixture_tables.clusters, extra], ignore_index=True)
    overview = od.Overview(replace(fixture_tables, clusters=clusters), edition_info(fixture_tables, 2025), None)
    frame = od.clusters_per_economy(overview).set_index("economy")
    assert frame.loc["ZZ", "clusters_in_data"] == 1


def test_venture_capital_only_in_editions_that_measure_it(tables):
    from dataclasses import replace

    from cluster_profiles.narrate.profile import edition_info

    from html_text import table_rows, visible_text

    clusters = tables.clusters.copy()
    clusters.loc[clusters["edition"] == 2025, ["vc_deals", "vc_deals_per_million", "vc_share_pct", "vc_rank"]] = pd.NA
    first = clusters.index[clusters["edition"] == 2025][0]
    clusters.loc[first, ["vc_share_pct", "vc_rank"]] = [4.5, 2]
    second = clusters.index[clusters["edition"] == 2025][1]
    clusters.loc[second, "vc_deals"] = 1234
    data = replace(tables, clusters=clusters)
    overview = od.Overview(data, edition_info(data, 2025), None)
    frame = od.venture_capital(overview)
    assert list(frame["cluster"]) == [clusters.loc[first, "cluster"], clusters.loc[second, "cluster"]]
    html = osec.venture_capital_section(overview)
    assert "a venture-capital figure for 2 of its" in visible_text(html)
    assert any(row[:2] == (clusters.loc[second, "cluster"],) + (row[1],) and "1,234" in row
               for row in table_rows(html))
    assert osec.venture_capital_section(od.Overview(data, edition_info(data, 2024), None)) == ""
    clusters.loc[clusters["edition"] == 2025, ["vc_deals", "vc_share_pct", "vc_rank"]] = pd.NA
    empty = replace(tables, clusters=clusters)
    assert "Not in the data" in visible_text(osec.venture_capital_section(od.Overview(empty, edition_info(empty, 2025), None)))


def test_map_section_shows_every_ranked_cluster_with_alt_caption_and_download(fixture_tables):
    tables = fixture_tables  # the frozen fixture folder: its facts do not move
    import base64
    import dataclasses
    import io

    from bs4 import BeautifulSoup

    from cluster_profiles.narrate.profile import edition_info

    overview = od.Overview(tables, edition_info(tables, 2025), None)
    html = osec.map_section(overview)
    soup = BeautifulSoup(str(html), "html.parser")
    image = soup.find("img")
    assert image["alt"].startswith("World map of the") and "GII 2025" in image["alt"]
    assert "Europe: London 8; Barcelona (rank not given); Cambridge (rank not given)." in image["alt"]
    assert "Elsewhere: Tehran 63; Cairo 83." in image["alt"]
    caption = soup.find("figcaption").get_text()
    assert "GII 2025" in caption and "imply no position of the publisher" in caption
    link = soup.find("a", download=True)
    table = pd.read_csv(io.BytesIO(base64.b64decode(link["href"].split("base64,", 1)[1])))
    ranked = overview.clusters[overview.clusters["in_top100"].ne("false")]
    assert set(table["cluster"]) == set(ranked["cluster"])
    below = tables.clusters.copy()
    below.loc[below["cluster"] == "Tehran", "in_top100"] = "false"  # a source places it outside the top 100
    below.loc[below["cluster"] == "Tehran", "size_rank"] = pd.NA
    outside = od.Overview(dataclasses.replace(tables, clusters=below), edition_info(tables, 2025), None)
    assert "Tehran" not in str(osec.map_section(outside)).split("alt=")[1].split('"')[1]


def test_the_map_notes_name_what_the_map_leaves_out(fixture_tables):
    import dataclasses

    from cluster_profiles.narrate.maps import layout as map_layout
    from cluster_profiles.narrate.maps import text as map_text
    from cluster_profiles.narrate.profile import edition_info

    from html_text import visible_text

    locations = fixture_tables.cluster_locations
    tables = dataclasses.replace(fixture_tables, cluster_locations=locations[locations["cluster"] != "Tehran"].copy())
    overview = od.Overview(tables, edition_info(tables, 2025), None)
    data = map_layout.overview_map_data(2025, od.mapped_clusters(overview), tables.cluster_locations)
    notes = map_text.map_notes(data)
    assert notes[0] == f"Not on the map: Tehran ({map_layout.NO_LOCATION_REASON})."
    assert all(note.startswith(("Not on the map", "Drawn without a label")) for note in notes)
    assert f"Not on the map: Tehran ({map_layout.NO_LOCATION_REASON})." in visible_text(osec.map_section(overview))
    assert map_text.map_notes(map_layout.overview_map_data(2025, od.mapped_clusters(overview), locations))[:1] != notes[:1]


def test_hostile_names_and_sources_reach_the_overview_tables_as_text(fixture_tables, tmp_path):
    """Every overview table goes through html.html_table: text is escaped, only Markup the package built passes."""
    import dataclasses

    from bs4 import BeautifulSoup

    from cluster_profiles.narrate.profile import edition_info

    name, economy = '<script>alert("x")</script> & Co', "<b>Freedonia</b>"
    source = 'https://example.org/?a=1&b=<i>2</i> "quoted" <img src=x onerror=alert(1)>'
    clusters = fixture_tables.clusters.copy()
    for edition in (2023, 2024):  # Nanjing: ranked in both editions, so it is in the rank changes too
        row = (clusters["cluster"] == "Nanjing") & (clusters["edition"] == edition)
        clusters.loc[row, ["cluster", "source"]] = [name, source]
    economies = fixture_tables.economies.copy()
    economies.loc[economies["code"] == "CN", "name"] = economy
    tables = dataclasses.replace(fixture_tables, clusters=clusters, economies=economies)
    (tmp_path / "2024").mkdir()
    overview = od.Overview(tables, edition_info(tables, 2024), tmp_path, tmp_path)
    sections = [osec.ranking_section(overview, "size_rank"), osec.rank_changes_section(overview),
                osec.economies_section(overview), osec.notes_section(overview)]
    for html in sections:
        soup = BeautifulSoup(str(html), "html.parser")
        for figure in soup.find_all("figure"):  # the charts' own <img>
            figure.decompose()
        assert not soup.find_all(["script", "img", "b", "i"])  # no tag from the data
    ranking, changes, per_economy = (BeautifulSoup(str(h), "html.parser") for h in sections[:3])
    assert name in [cell.get_text() for cell in ranking.find_all("td")]
    assert name in [cell.get_text() for cell in changes.find_all("td")]
    assert economy in [cell.get_text() for cell in per_economy.find_all("td")]
    assert source in BeautifulSoup(str(sections[3]), "html.parser").get_text()


def test_overview_sections_are_registered_in_the_notebook_order():
    """The overview's citations follow OVERVIEW_SECTIONS: it must be the order in which the notebook shows them."""
    from notebook_cells import show_calls

    from cluster_profiles import paths

    assert show_calls(paths.OVERVIEW_NOTEBOOK) == [(s.name, s.argument) for s in osec.OVERVIEW_SECTIONS]


def test_each_overview_note_cites_what_its_section_declares():
    from cluster_profiles.narrate.citations import note_citations

    overview = _overview(2024)
    numbers = osec.overview_citations(overview)
    for section in osec.OVERVIEW_SECTIONS:
        html = str(section.render(overview))
        for source in note_citations(section.sources(overview)):
            assert f'href="#source-{numbers.number(source)}"' in html, section.name


@pytest.mark.parametrize("column, words", [("size_rank", "a size rank for GII 2024"),
                                           ("intensity_rank", "an intensity rank for GII 2024")])
def test_a_ranking_the_data_lacks_is_named_with_its_article(fixture_tables, tmp_path, column, words):
    import dataclasses

    from cluster_profiles.narrate.profile import edition_info

    clusters = fixture_tables.clusters.copy()
    clusters[column] = pd.NA
    tables = dataclasses.replace(fixture_tables, clusters=clusters)
    overview = od.Overview(tables, edition_info(tables, 2024), tmp_path, tmp_path)
    assert words in " ".join(str(osec.ranking_section(overview, column)).split())
