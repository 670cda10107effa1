"""The index lists the reports that exist, escapes names, and links the overviews."""

from bs4 import BeautifulSoup

from cluster_profiles.runner.site import build_index, index_entries


def test_index_lists_existing_reports_only(fixture_tables, tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "hefei.html").write_text("x")
    (tmp_path / "2024" / "shenzhen-hong-kong-guangzhou.html").write_text("x")
    (tmp_path / "overview-2024.html").write_text("x")
    entries = index_entries(fixture_tables, tmp_path)
    assert [e["cluster"] for e in entries] == ["Shenzhen–Hong Kong–Guangzhou", "Hefei"]
    page = BeautifulSoup(build_index(fixture_tables, tmp_path).read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in page.select("#reports a")]
    assert links == ["2024/shenzhen-hong-kong-guangzhou.html", "2024/hefei.html"]
    assert [a["href"] for a in page.find_all("a") if "overview" in a["href"]] == ["overview-2024.html"]
    hefei = page.select_one('tr[data-cluster="Hefei"]')
    assert hefei["data-size"] == "36" and hefei["data-intensity"] == "48"
    assert not page.find_all("script", src=True) and not page.find_all("link")


def test_index_escapes_names(fixture_tables, tmp_path):
    tables = fixture_tables.copy()  # the session's tables are shared: change a copy
    tables.clusters.loc[tables.clusters["cluster"] == "Hefei", "cluster"] = "<script>x</script>"
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "script-x-script.html").write_text("x")
    html = build_index(tables, tmp_path).read_text(encoding="utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
