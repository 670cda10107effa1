"""The find-clusters page's sizes chart (figures.cluster_sizes_*): its data, its alt text and its drawing."""

from __future__ import annotations

import pandas as pd

from cluster_profiles.narrate import figures


def sizes(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"cluster": [f"C{i}" for i in range(rows)], "economy": ["CN"] * rows,
                         "pct_share_pct": [40.0 - i for i in range(rows)],
                         "pub_share_pct": [float("nan") if i == 1 else 10.0 for i in range(rows)]})


def test_the_chart_data_labels_each_cluster_with_its_economy_and_keeps_the_order():
    data = figures.cluster_sizes_chart_data(sizes(3))
    assert list(data["label"]) == ["C0 (CN)", "C1 (CN)", "C2 (CN)"]
    assert list(data["pub_share_pct"]) == [10.0, 0.0, 10.0]  # a share the run has not: no bar, not a gap
    assert list(data["total_share_pct"]) == [50.0, 39.0, 48.0]
    assert len(figures.cluster_sizes_chart_data(sizes(40), top=30)) == 30


def test_no_cluster_no_chart():
    assert figures.cluster_sizes_chart_data(sizes(0)) is None


def test_the_alt_text_gives_every_bar():
    alt = figures.cluster_sizes_alt(figures.cluster_sizes_chart_data(sizes(2)))
    assert alt == ("Horizontal stacked bars of the 2 largest clusters' world shares, PCT applications then scientific "
                   "articles: C0 (CN) 40% + 10% = 50%; C1 (CN) 39% + 0% = 39%")


def test_the_drawing_is_a_figure_with_its_alt_and_caption_and_the_same_bytes_each_time():
    data = figures.cluster_sizes_chart_data(sizes(3))
    first = figures.draw_cluster_sizes(data, "the alt & more", "the caption")
    assert first.startswith('<figure class="chart"><img src="data:image/png;base64,')
    assert 'alt="the alt &amp; more"' in first and "<figcaption>the caption</figcaption>" in first
    assert figures.draw_cluster_sizes(data, "the alt & more", "the caption") == first
