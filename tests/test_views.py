"""The shared HTML helpers: one escaping contract (text escaped, Markup kept) and the section layout macros."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from cluster_profiles.narrate import views as html
from cluster_profiles.narrate.citations import Citations

HOSTILE = "<script>alert('x')</script> & co"


def _soup(markup):
    return BeautifulSoup(str(markup), "html.parser")


def test_table_escapes_hostile_cells_headers_and_index():
    frame = pd.DataFrame({HOSTILE: [HOSTILE, "plain"], "n": [1, 2]}, index=pd.Index([HOSTILE, "b"], name="<i>idx</i>"))
    table = html.html_table(frame, index=True)
    assert "<script>" not in table and "<i>" not in table
    soup = _soup(table)
    assert soup.find("script") is None and soup.find("i") is None
    texts = [cell.get_text() for cell in soup.find_all(["td", "th"])]
    assert texts.count(HOSTILE) == 3  # the header, the cell and the index label, each shown as text
    assert "<i>idx</i>" in texts


def test_table_keeps_markup_cells_and_headers():
    link = Markup('<a href="https://example.org/">{}</a>').format(HOSTILE)
    frame = pd.DataFrame({Markup("<abbr>PCT</abbr>"): [link, "x < y"]})
    soup = _soup(html.html_table(frame))
    assert soup.find("abbr").get_text() == "PCT"
    anchor = soup.find("a")
    assert anchor["href"] == "https://example.org/" and anchor.get_text() == HOSTILE
    assert [td.get_text() for td in soup.find_all("td")] == [HOSTILE, "x < y"]


def test_table_escapes_text_of_any_pandas_text_dtype():
    frame = pd.DataFrame({"a": pd.array([HOSTILE, None], dtype="string"), "b": [None, "x"]})
    soup = _soup(html.html_table(frame))
    assert soup.find("script") is None
    assert [td.get_text() for td in soup.find_all("td")] == [HOSTILE, html.NOT_GIVEN, html.NOT_GIVEN, "x"]


def test_table_writes_what_pandas_writes_for_plain_text_and_numbers():
    frame = pd.DataFrame({"Name": ["A & B", "C"], "Count": [1.5, None], "Rank": [1, 2]})
    expected = frame.to_html(index=False, escape=True, border=0, classes="data-table", na_rep=html.NOT_GIVEN)
    assert html.html_table(frame) == expected


def test_table_without_header():
    soup = _soup(html.html_table(pd.DataFrame({"hidden": ["a"]}), css_class="data-table fields", header=False))
    assert soup.find("thead") is None and soup.find("table")["class"] == ["dataframe", "data-table", "fields"]


def test_missing_escapes_and_defaults_its_reason():
    shown = html.missing(HOSTILE, None)
    assert _soup(shown).find("script") is None
    assert _soup(shown).get_text() == f"Not in the data: {HOSTILE}. {html.DEFAULT_MISSING_REASON}"
    assert _soup(html.missing("x", "Because.")).get_text() == "Not in the data: x. Because."


def test_csv_download_escapes_its_file_name_and_label():
    link = _soup(html.csv_download(pd.DataFrame({"a": [1]}), '"><b>.csv', "<b>Get</b>")).find("a")
    assert link["download"] == '"><b>.csv' and link.get_text() == "<b>Get</b>"
    assert link["href"].startswith("data:text/csv;charset=utf-8;base64,")


def test_render_section_lays_out_blocks_in_order_and_escapes_text():
    view = html.SectionView("demo", [
        html.Heading(HOSTILE),
        html.Paragraph(HOSTILE),
        html.Paragraph(Markup("<em>kept</em>"), "note"),
        html.BulletList([HOSTILE, Markup("<b>bold</b>")], "ranks"),
        html.Missing("the <thing>", None),
        html.Table(pd.DataFrame({"h": [HOSTILE]})),
        html.Chart(Markup('<figure class="chart"></figure>')),
        html.Csv(pd.DataFrame({"a": [1]}), "demo.csv"),
        html.Heading("Sub", 3),
    ])
    shown = html.render_section(view, Markup('<p class="source">notes</p>'))
    assert "<script>" not in shown
    section = _soup(shown).find("section")
    assert section["class"] == ["demo"]
    tags = [child.name + ("." + ".".join(child["class"]) if child.get("class") else "") for child in section.children]
    assert tags == ["h2", "p", "p.note", "ul.ranks", "p.missing", "table.dataframe.data-table", "figure.chart", "p.download",
                    "h3", "p.source"]
    assert section.find("h2").get_text() == HOSTILE
    assert section.find("em").get_text() == "kept" and section.find("b").get_text() == "bold"
    assert section.find("p", class_="missing").get_text().startswith("Not in the data: the <thing>.")
    assert "\n" not in shown.replace(str(html.html_table(pd.DataFrame({"h": [HOSTILE]}))), "")


def test_render_section_without_blocks_or_note():
    assert html.render_section(html.SectionView("empty")) == Markup('<section id="empty" class="empty"></section>')


def test_render_section_refuses_what_is_not_a_block():
    with pytest.raises(TypeError, match="section 'demo': not a block"):
        html.render_section(html.SectionView("demo", ["<p>raw</p>"]))


def test_view_lists_its_blocks_by_kind():
    view = html.SectionView("demo", [html.Heading("a"), html.Missing("b"), html.Missing("c")], ["src"])
    assert view.kinds() == ["heading", "missing", "missing"]
    assert [m.what for m in view.of_kind("missing")] == ["b", "c"]


def test_a_box_lays_out_its_blocks_inside_a_div_and_escapes_them():
    view = html.SectionView("demo", [html.Box("quality", [html.Heading("Notes", 3), html.Paragraph(HOSTILE),
                                                          html.BulletList([HOSTILE, Markup("<i>kept</i>")])]),
                                     html.Paragraph("after")])
    section = _soup(html.render_section(view)).find("section")
    box = section.find("div")
    assert box["class"] == ["quality"] and [c.name for c in box.children] == ["h3", "p", "ul"]
    assert section.find("script") is None and box.find("p").get_text() == HOSTILE
    assert [li.get_text() for li in box.find_all("li")] == [HOSTILE, "kept"] and box.find("i") is not None
    assert [c.name for c in section.children] == ["a", "div", "p"]  # its link to itself first: it has no heading
    assert view.kinds() == ["box", "paragraph"] and [p.text for p in view.of_kind("paragraph")] == [HOSTILE, "after"]


def test_a_box_refuses_what_is_not_a_block():
    with pytest.raises(TypeError, match="section 'demo': not a block"):
        html.render_section(html.SectionView("demo", [html.Box("gaps", ["<p>raw</p>"])]))


def test_the_source_list_is_the_citations_list():
    cited = Citations.of([["https://example.org/a ; <b>Report</b>"]])
    view = html.SectionView("demo", [html.SourceList(cited)])
    assert html.render_section(view) == Markup('<section id="demo" class="demo"><a class="self-link gutter" href="#demo" '
                                               'aria-label="Link to this section: demo"></a>{}</section>'
                                               ).format(cited.list_html())
    assert _soup(html.render_section(view)).find("b") is None


def test_a_view_may_be_a_header_and_nothing_else_but_a_section():
    header = html.render_section(html.SectionView("report-title", [html.Heading(HOSTILE, 1)], element="header"))
    assert header.startswith('<header id="alert-x-co" class="report-title"><h1>') and header.endswith("co</h1></header>")
    with pytest.raises(ValueError, match="element 'script' is not one of"):
        html.render_section(html.SectionView("demo", [], element="script"))
