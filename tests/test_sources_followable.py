"""Sources a reader can follow: every source cell of the shipped data and every note a page shows names a
publication by its web address, never a path inside the project or a label glued before a URL, and no
page lists one publication twice (issue 18, item 5)."""

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from cluster_profiles.contract import citation_form, quality
from cluster_profiles.contract.load import load_tables
from cluster_profiles.narrate import citations as c
from cluster_profiles.narrate.profile import build_profile
from cluster_profiles.pages.overview import notebook as ov
from cluster_profiles.pages.overview import sections as osec
from cluster_profiles.pages.profile import sections

DATA = Path(__file__).resolve().parents[1] / "data"
GII_2023_DOI = "https://doi.org/10.34667/tind.48220"


def _source_cells():
    for path in sorted(DATA.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in (col for col in frame.columns if col == "source" or col.endswith("_url")):
            for line, cell in enumerate(frame[column], start=2):
                yield f"{path.name}:{line}:{column}", cell


@pytest.mark.parametrize(("cell", "why"), [
    ("WIPO, GII 2024, S&T cluster profile of Hefei (reference/gii2024-hefei-profile.md)", "path"),
    ("https://a.example/x (see data/clusters.csv)", "path"),
    ("notes in /work/shared/profiles", "path"),
    ("~23%: https://a.example/x", "label"),
    ("https://b.example ; release: https://a.example/x", "label"),
    ("rank also https://a.example/x", "label"),
    ("https://a.example/x ; http://www.a.example/x/ (per million)", "already cites"),
])
def test_an_unfollowable_source_is_found(cell, why):
    found = citation_form.problems(cell)
    assert found and why in found[0]


@pytest.mark.parametrize("cell", [
    "https://a.example/data/x.html (a folder named data in the URL itself)",
    f"WIPO, Global Innovation Index 2023, Appendix Table 3, p. 248, {GII_2023_DOI} (also at https://b.example/245)",
    "https://a.example/x (Kyodo: a quote with a colon) ; https://b.example/y",
    "",
])
def test_a_followable_source_passes(cell):
    assert citation_form.problems(cell) == []


def test_every_source_cell_of_the_data_is_followable():
    problems = [f"{where}: {problem}" for where, cell in _source_cells() for problem in citation_form.problems(cell)]
    assert problems == []


def test_the_data_quality_notes_name_an_unfollowable_source(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for path in DATA.glob("*.csv"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    editions = folder / "editions.csv"
    editions.write_text(editions.read_text(encoding="utf-8").replace(
        "https://dpma.de/service/presse/pressemitteilungen/26092024/index.html (for the release date)",
        "release: https://dpma.de/service/presse/pressemitteilungen/26092024/index.html"), encoding="utf-8")
    notes = [str(f) for f in quality.unfollowable_sources(load_tables(folder))]
    assert [n for n in notes if n.startswith("editions.csv:3:source:")], notes
    assert quality.unfollowable_sources(load_tables(DATA)) == []


def test_the_gii_2023_appendix_is_cited_by_wipo_s_doi_with_its_page():
    clusters = pd.read_csv(DATA / "clusters.csv", dtype=str, keep_default_na=False)
    appendix = clusters[clusters["source"].str.contains("Appendix Table 3", regex=False)]
    assert len(appendix) >= 30
    for cell in appendix["source"]:
        cited = [p for p in citation_form.citations_of(cell) if "Appendix Table 3" in p][0]
        assert cited.startswith("WIPO, Global Innovation Index 2023, Appendix Table 3, p. ")
        assert citation_form.URL.search(cited).group(0) == GII_2023_DOI  # the copy it was read in comes after
    assert not clusters["source"].str.contains(r"(?:^| ; )https://fliphtml5", regex=True).any()


def _sources_and_notes(html: str) -> tuple[list[str], list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    return ([li.get_text(" ", strip=True) for li in soup.select("ol.sources > li")],
            [p.get_text(" ", strip=True) for p in soup.select("p.source")])


def _check_page(html: str) -> None:
    entries, notes = _sources_and_notes(html)
    assert entries
    keys = [citation_form.citation_key(entry) for entry in entries]
    assert len(keys) == len(set(keys)), "a publication is listed twice"
    for entry in entries:
        assert citation_form.URL.search(entry), f"not a publication with a web address: {entry}"
        assert citation_form.problems(entry) == [], entry
        notes_in_entry = re.findall(r"\(([^()]*)\)", entry)
        assert not re.search(r"\) ; \(", entry), f"notes glued together: {entry}"
        for note in notes_in_entry:
            items = [item.strip() for item in note.split(";")]
            assert len(items) == len(set(items)), f"a note repeated: {entry}"
    for note in notes:
        labels = re.findall(r"\]\s+([^\[,]+?)(?=,\s*\[|$)", note)
        assert len(labels) == len(set(labels)), f"one publisher named twice in a note: {note}"


@pytest.mark.parametrize(("cluster", "edition"), [("Hefei", 2024), ("Cairo", 2024), ("Shenzhen–Hong Kong–Guangzhou", 2025),
                                                  ("Beijing", 2023), ("Cairo", 2025), ("Mexico City", 2025)])
def test_every_note_of_a_profile_is_a_followable_publication(cluster, edition):
    profile = build_profile(load_tables(DATA), cluster, edition)
    _check_page("".join(str(s.render(profile)) for s in sections.PROFILE_SECTIONS))


@pytest.mark.parametrize("edition", [2023, 2024, 2025])
def test_every_note_of_an_overview_is_a_followable_publication(edition):
    overview = ov.load_overview(edition=edition, data_dir=str(DATA))
    _check_page("".join(str(part) for part in (osec.title(overview), osec.ranking_section(overview, "size_rank"),
                                               osec.ranking_section(overview, "intensity_rank"),
                                               osec.economies_section(overview), osec.rank_changes_section(overview),
                                               osec.notes_section(overview))))


def test_hefei_s_main_source_is_wipo_s_page():
    profile = build_profile(load_tables(DATA), "Hefei", 2024)
    first = sections.report_citations(profile).entries[0]
    assert first.startswith("WIPO, Global Innovation Index 2024, S&T cluster profile of Hefei")
    assert c.host(first) == "wipo.int" and c.is_primary(first)


def test_citations_of_one_publication_merge_their_notes_once():
    cited = c.Citations.of([["https://a.example/x (Tokyo: 5 deals) ; https://b.example"],
                            ["http://www.a.example/x/ (Seoul: 3 deals)", "https://a.example/x (Tokyo: 5 deals)"]])
    assert cited.entries == ("https://a.example/x (Tokyo: 5 deals; Seoul: 3 deals)", "https://b.example")


def test_a_publisher_is_named_once_in_a_note_with_all_its_numbers():
    cited = c.Citations.of([["https://v.example/1 ; https://w.example/1 ; https://v.example/2"]])
    note = BeautifulSoup(str(cited.note(["https://v.example/1 ; https://w.example/1 ; https://v.example/2"])),
                         "html.parser").get_text()
    assert note == "Sources: [1], [2]\u00a0v.example, [3]\u00a0w.example"


def test_a_named_publication_is_labelled_by_its_publisher_and_title():
    doi = f"WIPO, Global Innovation Index 2023, Appendix Table 3, p. 248, {GII_2023_DOI} (also at https://b.example/245)"
    assert c.label(doi) == "WIPO, Global Innovation Index 2023"
    assert c.is_primary(doi)
    assert c.row_citations(f"https://press.example/a ; {doi}")[0] == doi
