"""Each chart's alt text, from its chart data: what the chart shows and every value, in the chart's order."""

import pandas as pd

from cluster_profiles.narrate import figures


def _top(**columns):
    base = {"rank": [1, 2], "organisation": ["A & Co", "B"], "count": [None, None], "share_pct": [None, None]}
    return pd.DataFrame({**base, **columns})


def test_organisation_alt_by_share_and_by_count():
    shares = figures.organisation_chart_data(_top(share_pct=[12.5, 3.0], count=[10, None]))
    assert figures.organisation_alt(shares, "top PCT applicants", "Hefei", 2024, "PCT applications") == (
        "Horizontal bar chart of the top PCT applicants in Hefei, GII 2024, by share of the cluster's "
        "PCT applications: 1. A & Co 12.5%; 2. B 3%")
    counts = figures.organisation_chart_data(_top(count=[1200, 30]))
    alt = figures.organisation_alt(counts, "top publishing organizations", "X", 2023, "articles")
    assert "by number of articles: 1. A & Co 1200; 2. B 30" in alt and "%" not in alt


def test_field_alt_keeps_each_output_and_its_order():
    fields = {"patents": pd.DataFrame({"field": ["Digital communication", "Other"], "share_pct": [20.0, 80.0]}),
              "articles": pd.DataFrame({"field": ["Chemistry"], "share_pct": [7.5]})}
    data = figures.field_chart_data(fields)
    alt = figures.field_alt(data, {"patents": "Patents", "articles": "Articles"})
    assert alt == ("Horizontal bar charts of the top fields by share: Patents: Digital communication 20%; Other 80% | "
                   "Articles: Chemistry 7.5%")


def test_collaboration_alt_names_only_the_known_shares():
    data = figures.collaboration_chart_data({"patents": 23.0, "articles": None})
    alt = figures.collaboration_alt(data, {"patents": "PCT applications", "articles": "Articles"}, "Cairo")
    assert alt == "Bar chart of the share of Cairo's output produced in collaboration: PCT applications 23%"


def test_peer_alt_lists_every_dot():
    data = pd.DataFrame({"cluster": ["Hefei", "Nanjing"], "size_rank": [9, 11]})
    assert figures.peer_alt(data, "Hefei", "GII 2024") == "Dot chart of size ranks in GII 2024, Hefei highlighted: Hefei 9; Nanjing 11"
