"""What every page kind's sections are made of (pages/sections.py)."""

from __future__ import annotations

from markupsafe import Markup

from cluster_profiles.pages import sections
from cluster_profiles.pages.sections import Section, registry_citations


def test_a_pages_citations_are_numbered_in_its_registrys_order():
    page = {"first": ["https://b.example/1"], "second": ["https://a.example/2", "https://b.example/1"]}
    registry = [Section("first", lambda p: Markup(""), lambda p: p["first"]),
                Section("second", lambda p: Markup(""), lambda p: p["second"])]
    cited = registry_citations(registry, page)
    assert cited.entries == ("https://b.example/1", "https://a.example/2")
    assert registry_citations(list(reversed(registry)), page).entries == ("https://a.example/2", "https://b.example/1")


def test_show_html_displays_the_markup_as_html(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    sections.show_html(Markup("<p>{}</p>").format("a & b"))
    assert [type(o).__name__ for o in shown] == ["HTML"] and shown[0].data == "<p>a &amp; b</p>"
