"""Numbered citations: the primary source first, each citation once, numbered in order of first
citation, every note linked to an entry of the list at the end."""

from bs4 import BeautifulSoup

from cluster_profiles.narrate import citations as c
from cluster_profiles.narrate.profile import build_profile
from cluster_profiles.pages.overview import notebook as ov
from cluster_profiles.pages.overview import sections as osec
from cluster_profiles.pages.profile import sections

from conftest import FIXTURE_DATA

PRESS = "https://press.example/a (a newspaper)"
WIPO = "https://www.wipo.int/en/web/global-innovation-index/w/blogs/2025/x"
OTHER = "https://other.example/b"


def test_wipo_is_cited_first_and_the_press_keeps_its_order():
    assert c.row_citations(f"{PRESS} ; {OTHER} ; {WIPO}") == [WIPO, PRESS, OTHER]
    assert c.row_citations(f"{OTHER} ; {PRESS}") == [OTHER, PRESS]
    assert c.row_citations("WIPO, Global Innovation Index 2024, profile of Hefei ; " + PRESS)[0].startswith("WIPO,")


def test_primary_means_wipo_s_own_host_not_a_look_alike():
    assert c.is_primary("https://wipo.int/x") and c.is_primary("https://www3.wipo.int/x (PDF)")
    assert not c.is_primary("https://wipo.int.example.com/x")
    assert not c.is_primary("https://notwipo.int/x")
    assert not c.is_primary("https://news.example/wipo.int/x")
    assert not c.is_primary("A blog quoting WIPO: https://blog.example/y")


def test_each_citation_is_numbered_once_in_order_of_first_citation():
    cited = c.Citations.of([[f"{PRESS} ; {WIPO}"], [OTHER, PRESS], [f"{WIPO} ; {OTHER}"]])
    assert cited.entries == (WIPO, PRESS, OTHER)
    assert [cited.number(x) for x in (WIPO, PRESS, OTHER)] == [1, 2, 3]
    assert c.Citations.of([[]]).entries == () and c.Citations.of([]).note([]) == ""


def test_a_note_shows_numbers_and_hosts_and_links_to_the_list():
    cited = c.Citations.of([[f"{PRESS} ; {WIPO}"], [OTHER]])
    note = BeautifulSoup(str(cited.note([OTHER, f"{PRESS} ; {WIPO}"])), "html.parser")
    assert note.get_text() == "Sources: [3]\u00a0other.example, [1]\u00a0wipo.int, [2]\u00a0press.example"
    assert [a["href"] for a in note.select("a.cite")] == ["#source-3", "#source-1", "#source-2"]
    listed = BeautifulSoup(str(cited.list_html()), "html.parser").select("ol.sources > li")
    assert [li["id"] for li in listed] == ["source-1", "source-2", "source-3"]
    assert listed[1].get_text() == PRESS and listed[1].a["href"] == "https://press.example/a"


def test_hostile_source_text_is_escaped():
    hostile = 'https://x.example/"><script>alert(1)</script> ; <img src=x onerror=alert(1)>'
    cited = c.Citations.of([[hostile]])
    html = str(cited.note([hostile])) + str(cited.list_html())
    assert "<script>" not in html and "<img" not in html


def _check_notes_link_to_the_list(html: str) -> int:
    """Every note number links to an existing entry whose position is that number; no entry twice."""
    soup = BeautifulSoup(html, "html.parser")
    entries = soup.select("ol.sources > li")
    ids = [li["id"] for li in entries]
    assert len(ids) == len(set(ids)) and len(entries) > 0
    texts = [li.get_text() for li in entries]
    assert len(texts) == len(set(texts))  # the list holds no duplicates
    markers = soup.select("a.cite")
    assert markers
    for marker in markers:
        target = marker["href"].removeprefix("#")
        assert target in ids
        assert marker.get_text() == f"[{ids.index(target) + 1}]"
    first_seen = list(dict.fromkeys(int(m.get_text().strip("[]")) for m in markers))
    assert first_seen == sorted(first_seen)  # numbered in order of first citation
    return len(entries)


def test_every_note_of_a_profile_links_to_the_list_in_order_of_first_citation(fixture_tables):
    for cluster, edition in [("Hefei", 2024), ("Barcelona", 2025), ("London", 2025), ("Kuala Lumpur", 2024)]:
        profile = build_profile(fixture_tables, cluster, edition)
        html = "".join(str(s.render(profile)) for s in sections.PROFILE_SECTIONS)
        assert _check_notes_link_to_the_list(html) == len(sections.report_citations(profile).entries)


def test_every_note_of_an_overview_links_to_the_list(fixture_tables):
    overview = ov.load_overview(edition=2025, data_dir=str(FIXTURE_DATA))
    html = "".join(str(part) for part in (osec.title(overview), osec.ranking_section(overview, "size_rank"),
                                          osec.ranking_section(overview, "intensity_rank"),
                                          osec.economies_section(overview), osec.concentration_section(overview),
                                          osec.rank_changes_section(overview), osec.notes_section(overview)))
    _check_notes_link_to_the_list(html)


def test_a_wipo_source_is_cited_before_the_press_in_a_report(fixture_tables):
    profile = build_profile(fixture_tables, "Barcelona", 2025)
    profile.row["source"] = f"{PRESS} ; {OTHER} ; {WIPO}"
    note = BeautifulSoup(str(sections.lead(profile)), "html.parser").select_one("p.source")
    assert [a.next_sibling.strip(", \u00a0") for a in note.select("a.cite")][:3] == [
        "wipo.int", "press.example", "other.example"]
    assert sections.report_citations(profile).entries[:3] == (WIPO, PRESS, OTHER)


def test_two_citations_of_one_url_are_one_entry_keeping_both_notes():
    cited = c.Citations.of([["https://a.example/x (intensity 26th) ; https://a.example/x"],
                            ["https://a.example/x (per million)"]])
    assert cited.entries == ("https://a.example/x (intensity 26th; per million)",)
    assert cited.number("https://a.example/x") == 1


def test_quotes_in_chinese_japanese_and_korean_are_marked_with_their_language():
    assert c.cjk_language("https://x.example (宁德因一家企业跻身创新强度前五)") == "zh"
    assert c.cjk_language("Kyodo: 大阪―神戸―京都と名古屋が選ばれ、それぞれ11位と28位") == "ja"
    assert c.cjk_language("서울의 VC 거래 글로벌 점유율은 3.1%") == "ko"
    assert c.cjk_language("https://plain.example (São Paulo, Göteborg)") is None
    html = str(c.linked("https://oita-press.example/x (Kyodo: 大阪―神戸―京都と名古屋が選ばれ、それぞれ11位と28位)"))
    assert '<span lang="ja">大阪―神戸―京都と名古屋が選ばれ、それぞれ11位と28位</span>' in html
    assert '<a href="https://oita-press.example/x"' in html
    assert str(c.linked("<b>合肥</b>")) == '&lt;b&gt;<span lang="zh">合肥</span>&lt;/b&gt;'
