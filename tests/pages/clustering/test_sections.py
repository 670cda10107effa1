"""The find-clusters page's sections (pages/clustering/sections.py): views laid out by the shared macros, text
escaped, the same bytes from the same records, and every outcome of a run narrated, nothing found included."""

from __future__ import annotations

import re

import pytest
from compute.degenerate import CASE_IDS, CASES, THRESHOLD_300, Case, hefei_below_the_default
from compute.planted import Records
from markupsafe import Markup

from cluster_profiles import paths
from cluster_profiles.narrate.views import render_section
from cluster_profiles.pages.clustering import data, notebook, sections

from html_text import visible_text

VARIANTS = {"min_people_values": [5000]}  # finds nothing in every case
KIND_NOUNS = {"pct": "PCT applications", "article": "scientific articles"}


def page_html(run: data.ClusteringRun) -> str:
    return "".join(str(section.render(run)) for section in sections.CLUSTERING_SECTIONS)


def load(case: Case, folder) -> data.ClusteringRun:
    records, settings = case.write(folder)
    return data.load_run(str(records), str(settings or ""), **VARIANTS)


@pytest.fixture(scope="module", params=CASES, ids=CASE_IDS)
def degenerate(request, tmp_path_factory):
    case: Case = request.param
    return case, load(case, tmp_path_factory.mktemp("degenerate"))


def test_the_page_says_what_was_found_and_why_not_as_the_command_does(degenerate):
    case, run = degenerate
    html = page_html(run)
    text = visible_text(html)
    summary = str(run.base.summary)  # what `cluster-profiles clusters` prints for the same run
    assert run.base.summary.clusters == case.clusters
    assert {kind: missing.reason for kind, missing in run.base.summary.no_cluster.items()} == case.reasons
    if case.clusters:
        assert f"These settings found {case.clusters} cluster" in text
    else:
        assert "These settings found no cluster." in text
    for kind in case.reasons:
        assert f"No cluster of {KIND_NOUNS[kind]}:" in text
    for fact in case.facts:
        assert fact in text, fact
        assert fact in summary, fact


def test_every_section_is_shown_whatever_was_found(degenerate):
    case, run = degenerate
    views = [sections.title_view(run), sections.outcome_view(run), sections.read_view(run),
             sections.thresholds_view(run), sections.sizes_view(run), sections.movement_view(run)]
    assert [section.render(run) for section in sections.CLUSTERING_SECTIONS] == [render_section(v) for v in views]
    sizes = sections.sizes_view(run)
    assert sizes.kinds() == (["heading", "chart", "table"] if case.clusters else ["heading", "paragraph"])
    movement = visible_text(sections.movement(run))
    if case.clusters:
        assert "noise" in movement  # min_people = 5000 finds nothing: every cluster is noise there
    else:
        assert "The settings found no cluster, so there is no top ten to follow" in movement


def test_a_variant_that_finds_nothing_says_why(degenerate):
    case, run = degenerate
    text = visible_text(sections.thresholds(run))
    if case.clusters:
        assert "With min_people = 5000, no cluster was found:" in text
        assert "a core point needs 5,000 (the setting min_people)" in text
    elif set(case.reasons.values()) <= {"no_documents", "outside_window", "no_coordinates"}:
        # the records, not the thresholds, leave nothing to cluster: said once, above
        assert "With min_people = 5000, no cluster was found either, for the same reasons as with the settings." in text
    else:
        assert "With min_people = 5000, no cluster was found:" in text
        assert "a core point needs 5,000" in text  # the variant's own threshold


def test_the_same_records_give_the_same_bytes(tmp_path):
    """Two runs, two loads: the page (tables, chart, sentences) is byte-identical; no random ids."""
    case = next(c for c in CASES if c.name == "articles without a cluster")
    first, second = load(case, tmp_path / "first"), load(case, tmp_path / "first")
    assert page_html(first) == page_html(second)
    assert "<figure" in page_html(first)


def test_text_from_the_records_is_escaped(tmp_path):
    """The records refuse HTML tags in names (records.py), so the hostile text here is what they accept: an
    ampersand and quotes in a city, and a folder name with a tag in it."""
    city = "Tom & Jerry's \"Town\""
    r = Records()
    r.blob("pct", 2020, (31.82, 117.23), 100, 3, city, "CN", organisations=["USTC"], codes=["H01L 21/00"], seed=1)
    r.blob("article", 2020, (47.56, 7.59), 10, 2, city, "CH", seed=2)  # below the threshold: its densest place
    records = r.write(tmp_path / "<b>records")
    (tmp_path / "settings.toml").write_text(THRESHOLD_300, encoding="utf-8")
    run = data.load_run(str(records), str(tmp_path / "settings.toml"), min_people_values=[5000])
    html = page_html(run)
    assert "<b>" not in html and "Clusters found in &lt;b&gt;records</h1>" in html
    assert "Tom & Jerry" not in html
    # text: the densest place of the settings' articles, of the variant's two kinds, the chart's alt
    assert html.count("Tom &amp; Jerry&#39;s &#34;Town&#34;") == 4
    assert html.count("Tom &amp; Jerry's \"Town\"") == 2  # table cells (escaped as pandas does): sizes, movement
    assert "Clusters found in <b>records" in visible_text(html) and city in visible_text(html)


def test_the_sections_are_in_notebook_order_and_each_has_its_show_function():
    from notebook_cells import show_calls

    assert show_calls(paths.FIND_CLUSTERS_NOTEBOOK) == [(s.name, None) for s in sections.CLUSTERING_SECTIONS]
    assert sorted(name for name in notebook.__all__ if name.startswith("show_")) == sorted(
        f"show_{s.name}" for s in sections.CLUSTERING_SECTIONS)


def test_the_found_sentence_counts_clusters_and_kinds(tmp_path):
    run = load(next(c for c in CASES if c.name == "one cluster"), tmp_path)
    assert sections.found_sentence(run.base.summary) == (
        "These settings found 1 cluster: DBSCAN found 1 cluster of PCT applications and 1 of scientific articles, "
        "joined where they lie within 5 km; 1 of them has a size rank (the setting top_n ranks the first 100).")
    assert isinstance(sections.outcome(run), Markup)


@pytest.mark.kernel
def test_find_clusters_renders_a_page_for_a_run_that_finds_nothing(tmp_path, capsys):
    """The command on records where the default settings find nothing: exit 0 and a page saying why, the same
    bytes when rendered again."""
    from cluster_profiles.cli import main

    records = hefei_below_the_default().write(tmp_path / "records")
    arguments = ["find-clusters", "--records", str(records), "--reports-dir", str(tmp_path / "reports")]
    assert main(arguments) == 0
    html_path = tmp_path / "reports" / "found" / "records.html"
    first = html_path.read_bytes()
    text = visible_text(first.decode("utf-8"))
    assert "These settings found no cluster." in text and "300 inventors within 15 km" in text
    assert "With min_people = 3000, no cluster was found:" in text and "Traceback" not in text
    for heading in ("What the settings found", "What was read and dropped", "How many clusters, at which thresholds",
                    "The clusters' sizes", "How the top ten move"):
        assert heading in text
    html_path.unlink()
    assert main(arguments) == 0
    assert html_path.read_bytes() == first


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_find_clusters_renders_every_outcome(case: Case, tmp_path):
    """The command on each degenerate record set: exit 0 and a page that says what was found and why not."""
    from cluster_profiles.cli import main

    records, settings = case.write(tmp_path)
    arguments = ["find-clusters", "--records", str(records), "--reports-dir", str(tmp_path / "reports"),
                 "--min-people", "5000", "--radius-km",  # no other radius: one variant, which finds nothing
                 *(["--settings", str(settings)] if settings else [])]
    assert main(arguments) == 0
    text = visible_text((tmp_path / "reports" / "found" / "records.html").read_text(encoding="utf-8"))
    assert "Traceback" not in text and "Error" not in text
    assert ("These settings found no cluster." if not case.clusters else
            f"These settings found {case.clusters} cluster") in text
    for kind in case.reasons:
        assert f"No cluster of {KIND_NOUNS[kind]}:" in text
    for fact in case.facts:
        assert fact in text, fact


@pytest.mark.parametrize("case", [c for c in CASES if c.reasons], ids=[i for c, i in zip(CASES, CASE_IDS) if c.reasons])
def test_the_page_calls_the_documents_what_the_records_call_them(case: Case, tmp_path):
    """As the clusters command's summary does: records of US patent grants get no 'PCT applications' on the page."""
    from cluster_profiles.compute.about import merge_records_about

    records, settings = case.write(tmp_path)
    merge_records_about(records, "pct", one="US patent grant", many="US patent grants")
    html = page_html(data.load_run(str(records), str(settings or ""), **VARIANTS))
    text = visible_text(html)
    for kind in case.reasons:
        assert f"No cluster of {'US patent grants' if kind == 'pct' else 'scientific articles'}: " in text
    assert "PCT application" not in text and "PCT application" not in " ".join(re.findall(r'alt="([^"]*)"', html))
