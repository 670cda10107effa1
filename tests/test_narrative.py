"""Wording, table-driven: the same functions write every cluster's sentences."""

import pytest
from markupsafe import Markup

from cluster_profiles.narrate import narrative as n


@pytest.mark.parametrize("rank, words", [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"),
                                         (12, "twelfth"), (21, "twenty-first"), (26, "twenty-sixth")])
def test_ordinal_words(rank, words):
    assert n.ordinal_words(rank) == words


@pytest.mark.parametrize("rank, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (12, "12th"),
                                        (13, "13th"), (21, "21st"), (22, "22nd"), (36, "36th"), (48, "48th"),
                                        (100, "100th")])
def test_ordinal_number(rank, text):
    assert n.ordinal_number(rank) == text


@pytest.mark.parametrize("value, text", [(692, "692"), (7921, "7,921"), (127418, "127,418"), (0, "0")])
def test_thousands(value, text):
    assert n.thousands(value) == text


@pytest.mark.parametrize("value, text", [(54, "54%"), (3, "3%"), (22.7, "22.7%"), (0, "0%")])
def test_percent(value, text):
    assert n.percent(value) == text


@pytest.mark.parametrize("kwargs, text", [
    ({"economy_rank": 12, "economy_count": 26, "adjective": "Chinese", "in_top100": True},
     "Hefei is the twelfth-ranked cluster, out of 26 Chinese clusters, that falls within the top 100 S&amp;T clusters in 2024."),
    ({"economy_rank": 1, "economy_count": 3, "adjective": "Japanese", "in_top100": True},
     "Hefei is the first-ranked cluster, out of 3 Japanese clusters, that falls within the top 100 S&amp;T clusters in 2024."),
    ({"economy_rank": 1, "economy_count": 1, "adjective": "Egyptian", "in_top100": True},
     "Hefei is the only Egyptian cluster that falls within the top 100 S&amp;T clusters in 2024."),
    ({"economy_rank": 4, "economy_count": None, "adjective": "Chinese", "in_top100": True},
     "Hefei is the fourth-ranked Chinese cluster within the top 100 S&amp;T clusters in 2024."),
    ({"economy_rank": None, "economy_count": 4, "adjective": "Indian", "in_top100": True},
     "Hefei is one of 4 Indian clusters that fall within the top 100 S&amp;T clusters in 2024."),
    ({"economy_rank": None, "economy_count": None, "adjective": "Spanish", "in_top100": True},
     "Hefei is one of the top 100 S&amp;T clusters in 2024."),
    ({"economy_rank": None, "economy_count": 3, "adjective": "British", "in_top100": None},
     "Hefei appears in the GII 2024 data; whether it is among the top 100 S&amp;T clusters by size is not recorded."),
    ({"economy_rank": None, "economy_count": 1, "adjective": "Brazilian", "in_top100": False},
     "Hefei is not among the top 100 S&amp;T clusters in 2024."),
])
def test_lead_sentence_adapts_to_what_is_known(kwargs, text):
    assert str(n.lead_sentence("Hefei", 2024, **kwargs)) == text


@pytest.mark.parametrize("kwargs, text", [
    ({"pct": 692, "articles": 7921, "vc_deals": None, "per_million": True, "continues": True},
     ("It filed <strong>692 PCT applications</strong> and published <strong>7,921 scientific articles</strong>, "
     "both per 1 million inhabitants over the last five years, making it the:")),
    ({"pct": 7, "articles": 1115, "vc_deals": 21, "per_million": True, "continues": True},
     ("It filed <strong>7 PCT applications</strong>, published <strong>1,115 scientific articles</strong> and "
     "received <strong>21 venture-capital deals</strong>, all per 1 million inhabitants over the last five years, "
     "making it the:")),
    ({"pct": 1394, "articles": None, "vc_deals": None, "per_million": True, "continues": False},
     "It filed <strong>1,394 PCT applications</strong>, per 1 million inhabitants over the last five years."),
    ({"pct": 1636, "articles": 39016, "vc_deals": None, "per_million": False, "continues": True},
     ("It filed <strong>1,636 PCT applications</strong> and published <strong>39,016 scientific articles</strong>, "
     "in total (PCT applications 2019–2023; articles 2018–2022), making it the:")),
    ({"pct": 1, "articles": None, "vc_deals": None, "per_million": True, "continues": False},
     "It filed <strong>1 PCT application</strong>, per 1 million inhabitants over the last five years."),
])
def test_output_sentence(kwargs, text):
    windows = {"pct": "2019–2023", "articles": "2018–2022", "vc_deals": None}
    assert str(n.output_sentence(windows=windows, **kwargs)) == text


def test_output_sentence_without_figures_is_none():
    assert n.output_sentence(pct=None, articles=None, vc_deals=None, per_million=True, windows={}, continues=True) is None


@pytest.mark.parametrize("rank, text", [
    (36, "36th largest science and technology cluster in 2024"),
    (1, "largest science and technology cluster in 2024"),
    (2, "2nd largest science and technology cluster in 2024"),
])
def test_size_rank_line(rank, text):
    assert n.size_rank_line(rank, 2024) == text


def test_intensity_rank_line():
    assert n.intensity_rank_line(48, 2024) == "48th S&T cluster by intensity (relative to population density) in 2024"


@pytest.mark.parametrize("output, share, partners, text", [
    ("patents", 3, ["Shenzhen-Hong Kong-Guangzhou", "Shanghai-Suzhou", "Beijing"],
     ("3% of Hefei&#39;s PCT patent applications are filed in collaboration with other inventors, with "
     "<strong>Shenzhen-Hong Kong-Guangzhou</strong>, <strong>Shanghai-Suzhou</strong> and <strong>Beijing</strong> "
     "emerging as the top collaborative locations.")),
    ("articles", 61, ["Beijing", "Shanghai-Suzhou", "Shenzhen-Hong Kong-Guangzhou"],
     ("61% of Hefei&#39;s scientific articles are published in collaboration with other organizations, with the top "
     "three collaborating locations being <strong>Beijing</strong>, <strong>Shanghai-Suzhou</strong> and "
     "<strong>Shenzhen-Hong Kong-Guangzhou</strong>.")),
    ("articles", 57, ["Barcelona", "Valencia"],
     ("57% of Hefei&#39;s scientific articles are published in collaboration with other organizations, with the top "
     "two collaborating locations being <strong>Barcelona</strong> and <strong>Valencia</strong>.")),
    ("patents", 23, [], "23% of Hefei&#39;s PCT patent applications are filed in collaboration with other inventors."),
    ("articles", None, ["Beijing", "Shanghai"],
     ("Hefei&#39;s top collaborating locations for scientific articles are <strong>Beijing</strong> and "
     "<strong>Shanghai</strong>; the share produced in collaboration is not in the data.")),
])
def test_collaboration_sentence(output, share, partners, text):
    assert str(n.collaboration_sentence("Hefei", output, share, partners)) == text


def test_collaboration_sentence_without_data_is_none():
    assert n.collaboration_sentence("Hefei", "patents", None, []) is None


def test_hostile_names_are_escaped():
    html = n.lead_sentence("<script>alert(1)</script>", 2024, economy_rank=None, economy_count=None,
                           adjective="<b>", in_top100=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    partners = n.collaboration_sentence("x", "patents", 5, ['"><img src=x onerror=alert(1)>'])
    assert "<img" not in partners


def test_join_words():
    assert n.join_words(["A"]) == "A"
    assert n.join_words(["A", "B"]) == "A and B"
    assert n.join_words(["A", "B", "C"]) == "A, B and C"
    assert n.join_words([Markup("<b>A</b>"), "<i>"]) == "<b>A</b> and &lt;i&gt;"


@pytest.mark.parametrize("before, after, text", [(11, 9, "up 2 places"), (3, 4, "down 1 place"), (5, 5, "unchanged"),
                                                 (95, 83, "up 12 places")])
def test_rank_move(before, after, text):
    assert n.rank_move(before, after) == text


@pytest.mark.parametrize("kwargs, text", [
    ({"deals": 6916, "per_million": None, "share": 2.9, "rank": None, "window": None},
     "Shenzhen received <strong>6,916 venture-capital deals</strong> in total, <strong>2.9%</strong> of all "
     "venture-capital deals."),
    ({"deals": 672, "per_million": 39, "share": None, "rank": None, "window": "2020–2024"},
     "Shenzhen received <strong>672 venture-capital deals</strong> in total (2020–2024), <strong>39</strong> per 1 "
     "million inhabitants."),
    ({"deals": None, "per_million": 830, "share": None, "rank": None, "window": None},
     "Shenzhen received <strong>830 venture-capital deals</strong> per 1 million inhabitants."),
    ({"deals": None, "per_million": None, "share": 6.9, "rank": 1, "window": None},
     "Shenzhen accounted for <strong>6.9%</strong> of all venture-capital deals worldwide. It is the "
     "<strong>1st</strong> cluster by venture-capital deals."),
    ({"deals": None, "per_million": None, "share": None, "rank": 3, "window": None},
     "Shenzhen is the <strong>3rd</strong> cluster by venture-capital deals."),
    ({"deals": 1, "per_million": None, "share": None, "rank": None, "window": None},
     "Shenzhen received <strong>1 venture-capital deal</strong> in total."),
])
def test_venture_capital_sentence_from_whatever_is_known(kwargs, text):
    assert str(n.venture_capital_sentence("Shenzhen", **kwargs)) == text


def test_no_venture_capital_figure_no_sentence():
    assert n.venture_capital_sentence("X", deals=None, per_million=None, share=None, rank=None, window=None) is None
