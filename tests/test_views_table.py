"""html_table writes each text exactly once escaped, whatever pandas version lays the table out."""

from __future__ import annotations

import pandas as pd
import pytest
from markupsafe import Markup
from pandas.io.formats import html as pandas_html

from cluster_profiles.narrate.views import NOT_GIVEN, html_table


@pytest.fixture
def pandas_3_cells(monkeypatch):
    """pandas 2 as pandas 3 writes a cell: every two spaces become two non-breaking spaces."""
    original = pandas_html.HTMLFormatter._write_cell

    def write_cell(self, s, kind="td", indent=0, tags=None):
        before = len(self.elements)
        original(self, s, kind=kind, indent=indent, tags=tags)
        self.elements[before:] = [e.replace("  ", "&nbsp;&nbsp;") if e.strip().startswith(f"<{kind}")
                                  else e for e in self.elements[before:]]

    monkeypatch.setattr(pandas_html.HTMLFormatter, "_write_cell", write_cell)


TEXTS = ["Two  spaces", "A <b>name</b> & co", Markup('<a  href="#n1">note</a>'), "  padded  "]


@pytest.mark.parametrize("pandas_like", ["installed", "pandas 3"])
def test_texts_reach_the_page_escaped_and_unchanged(request, pandas_like):
    if pandas_like == "pandas 3":
        request.getfixturevalue("pandas_3_cells")
    frame = pd.DataFrame({"Name  of it": TEXTS, "count": [1, 2, 3, 4], "rank": [1.0, None, 3.0, 4.0]})
    html = str(html_table(frame))
    assert "<th>Name  of it</th>" in html
    assert "<td>Two  spaces</td>" in html
    assert "<td>A &lt;b&gt;name&lt;/b&gt; &amp; co</td>" in html
    assert '<td><a  href="#n1">note</a></td>' in html  # Markup as it is: its HTML intact
    assert "<td>padded</td>" in html  # outer spaces dropped, as pandas always did
    assert f"<td>{NOT_GIVEN}</td>" in html and "<td>3.0</td>" in html  # numbers and gaps still pandas'
    assert "cell" not in html.replace("cellpadding", "")  # no placeholder left behind


def test_a_text_that_looks_like_a_placeholder_stays_itself():
    frame = pd.DataFrame({"a": ["cell0cell", "x"], "b": ["y", "cell1cell"]})
    html = str(html_table(frame))
    assert "<td>cell0cell</td>" in html and "<td>cell1cell</td>" in html and "<td>x</td>" in html
