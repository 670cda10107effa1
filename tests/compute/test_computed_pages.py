"""Pages of folders computed from records say what they are, and every total on them has one stated basis.

Over a class of computed folders: the package's example generator (fractional counting, population), planted
records that call their patents "US patent grants" and give their own title, publisher and licence (no
population, so the lead gives totals), and planted records counted whole. Each folder's profiles, its overview
and a comparison are built from their sections (no kernel) and read as text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cluster_profiles.compute.about import merge_records_about
from cluster_profiles.compute.command import run
from cluster_profiles.compute.example import run_example
from cluster_profiles.contract.folder_about import folder_about
from cluster_profiles.contract.load import load_tables
from cluster_profiles.contract.vocabulary import OUTPUT_KEYS
from cluster_profiles.narrate import narrative
from cluster_profiles.narrate.profile import build_profile, clusters_of_edition
from cluster_profiles.pages.compare import data as compare_data
from cluster_profiles.pages.compare import sections as compare_sections
from cluster_profiles.pages.overview import sections as overview_sections
from cluster_profiles.pages.overview.data import Overview
from cluster_profiles.pages.profile import sections as profile_sections

from .test_pipeline import SETTINGS, planted
from html_text import visible_text

# What only a page of WIPO's published GII may say
WIPO_CLAIMS = ("GII 20", "Global Innovation Index 20", "top 100", "falls within", "GII data: WIPO", "WIPO, Global Innovation")
TOTAL_BASES = {"fractional": "fractional count", "whole": "whole documents"}  # words on the page: its basis


class Folder:
    def __init__(self, name: str, base: Path, records: Path, data: Path):
        self.name, self.base, self.records, self.data = name, base, records, data
        self.tables = load_tables(data)
        self.about = folder_about(self.tables)
        self.edition = self.tables.edition_list()[0]

    def profiles(self):
        return [build_profile(self.tables, name, self.edition) for name in clusters_of_edition(self.tables, self.edition)]


def _example(base: Path) -> Folder:
    run_example(base, progress=False)
    return Folder("example", base, base / "synthetic-records", base / "synthetic-data")


def _us_grants(base: Path) -> Folder:
    records = planted()
    records.population = []  # no figures per million: the lead gives the totals
    folder = records.write(base / "grants")
    merge_records_about(folder, "pct", title="Planted US grants", publisher="Test Office", licence="CC0 1.0",
                        url="https://example.org/grants", one="US patent grant", many="US patent grants")
    (base / "grants.toml").write_text(SETTINGS, encoding="utf-8")
    run(folder, base / "out", base / "grants.toml", progress=False)
    return Folder("us grants", base, folder, base / "out")


def _whole(base: Path) -> Folder:
    folder = planted().write(base / "whole-records")
    (base / "whole.toml").write_text(SETTINGS + 'counting = "whole"\n', encoding="utf-8")
    run(folder, base / "out", base / "whole.toml", progress=False)
    return Folder("whole", base, folder, base / "out")


@pytest.fixture(scope="module", params=[_example, _us_grants, _whole], ids=["example", "us-grants", "whole"])
def folder(request, tmp_path_factory) -> Folder:
    return request.param(tmp_path_factory.mktemp(request.param.__name__.strip("_")))


def profile_page(profile) -> str:
    return "".join(str(section.render(profile)) for section in profile_sections.PROFILE_SECTIONS)


def pages(folder: Folder) -> dict[str, str]:
    """Every profile, the overview and a comparison of the first two clusters, as HTML."""
    found = {f"profile {p.cluster}": profile_page(p) for p in folder.profiles()}
    overview = Overview(folder.tables, folder.profiles()[0].edition, None)
    found["overview"] = "".join(str(s.render(overview)) for s in overview_sections.OVERVIEW_SECTIONS)
    names = clusters_of_edition(folder.tables, folder.edition)[:2]
    comparison = compare_data.build_comparison(folder.tables, names, folder.edition)
    found["comparison"] = "".join(str(s.render(comparison)) for s in compare_sections.COMPARE_SECTIONS)
    return found


@pytest.fixture(scope="module")
def rendered(folder) -> dict[str, str]:
    return pages(folder)


def test_the_folder_says_what_it_is(folder):
    about = folder.about
    assert about.computed and about.records == folder.records.name
    assert len(about.records_sha256 or "") == 64 and len(about.settings_sha256 or "") == 64 and about.tool_version
    assert about.method and f"{'whole' if folder.name == 'whole' else 'fractional'} counting" in about.method
    if folder.name == "us grants":
        assert (about.title, about.publisher, about.licence) == ("Planted US grants", "Test Office", "CC0 1.0")
        assert about.counted("patents", 1) == "US patent grant"


def test_a_computed_page_claims_nothing_of_wipo_and_names_its_inputs_without_a_path(folder, rendered):
    about = folder.about
    for page, html in rendered.items():
        text = visible_text(html)
        assert not [claim for claim in WIPO_CLAIMS if claim in text], page
        assert "CC BY 4.0" not in text, page  # WIPO's licence; none of these records has it
        for path in (folder.base, folder.records.resolve(), folder.data.resolve()):
            assert str(path) not in html, page
        assert f"the records {folder.records.name} (sha256 {about.records_sha256[:12]})" in text, page
        assert about.title in text, page
    profile_text = visible_text(next(html for page, html in rendered.items() if page.startswith("profile")))
    assert "in these records" in profile_text and "Not WIPO data" in profile_text


def test_output_names_come_from_what_the_records_hold(folder, rendered):
    if folder.name != "us grants":
        pytest.skip("the records keep the standard nouns")
    for page, html in rendered.items():
        text = visible_text(html)
        assert "PCT" not in text, (page, text[max(0, text.find("PCT") - 80): text.find("PCT") + 40])
    assert "US patent grants" in visible_text(rendered["profile Hefei"])


def totals_on_page(profile, text: str) -> dict[str, list[tuple[str, str | None]]]:
    """Every total of documents of each output the page states, with the basis the same sentence or label
    states (None: no basis stated): the key figures' totals, and every '<number> <documents>' in a sentence
    that is not a figure per million inhabitants."""
    about = profile.about
    found: dict[str, list[tuple[str, str | None]]] = {output: [] for output in OUTPUT_KEYS}

    def basis(words: str) -> str | None:
        stated = [name for name, phrase in TOTAL_BASES.items() if phrase in words]
        return stated[0] if len(stated) == 1 else None

    frame = profile_sections.key_figures_frame(profile)
    for label, value in zip(frame["Figure"], frame["Value"]):
        for output in OUTPUT_KEYS:
            noun = about.counted(output)
            if str(label).lower().startswith(noun.lower() + " (") and "million" not in str(label):
                found[output].append((str(value), basis(str(label))))
    for sentence in re.split(r"(?<=[.:])\s+(?=[A-Z0-9])", text):
        if "per 1 million" in sentence:
            continue
        for output in OUTPUT_KEYS:
            for match in re.finditer(rf"(\d[\d,]*) {re.escape(about.counted(output))}\b", sentence):
                found[output].append((match.group(1), basis(sentence)))
    return found


def test_every_total_of_a_kind_is_one_number_or_says_its_basis(folder):
    checked = 0
    for profile in folder.profiles():
        text = visible_text(profile_page(profile))
        for output, totals in totals_on_page(profile, text).items():
            numbers = {number for number, _ in totals}
            if len(numbers) <= 1:
                continue
            checked += 1
            assert all(stated is not None for _, stated in totals), (profile.cluster, output, totals)
            for stated in {stated for _, stated in totals}:
                assert len({number for number, b in totals if b == stated}) == 1, (profile.cluster, output, totals)
    if folder.about.counting == "fractional":  # whole documents in the collaboration: some page's totals differ
        assert checked


def test_the_planted_hefei_states_both_of_its_totals(tmp_path):
    """The case the issue names: 102.5 applications counted fractionally, 105 whole documents touching it."""
    found = _us_grants(tmp_path)
    hefei = build_profile(found.tables, "Hefei", found.edition)
    text = visible_text(profile_page(hefei))
    assert f"{narrative.thousands(102.5)} US patent grants" in text  # the lead: no population, so totals
    assert "105 US patent grants with an inventor address in the cluster (whole documents)" in text
    assert "fractional count" in text


def test_no_part_of_a_computed_page_says_gii_not_its_title_nor_a_figures_alt_text(folder, rendered):
    """What visible_text leaves out: the HTML <title> and the figures' alt texts (read aloud by screen readers)."""
    from cluster_profiles.runner.kinds import COMPARE, OVERVIEW, PROFILE, computed_folder_title

    assert computed_folder_title(folder.data) == folder.about.title
    profile = folder.profiles()[0]
    names = clusters_of_edition(folder.tables, folder.edition)[:2]
    comparison = COMPARE.check({"clusters": names, "edition": folder.edition})
    titles = [PROFILE.title(profile, folder.about.title), OVERVIEW.title(profile, folder.about.title),
              COMPARE.title(comparison, folder.about.title)]
    assert all("GII" not in title and folder.about.title in title for title in titles), titles
    for page, html in rendered.items():
        alts = re.findall(r'alt="([^"]*)"', html)
        assert not [alt for alt in alts if "GII" in alt or "top 100" in alt or "top-100" in alt], page


def test_a_published_folder_has_no_computed_title(tmp_path):
    from cluster_profiles import paths
    from cluster_profiles.runner.kinds import computed_folder_title

    assert computed_folder_title(paths.DATA_DIR) is None and computed_folder_title(tmp_path / "absent") is None
    (tmp_path / "about.csv").write_bytes(b"\xff\xfe not text")
    assert computed_folder_title(tmp_path) is None  # the tables' validation names what is wrong with it
