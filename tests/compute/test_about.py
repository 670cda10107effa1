"""A records folder's about.json: defaults without it, one-line errors naming file and key, atomic merges."""

from __future__ import annotations

import json

import pytest

from cluster_profiles.cli import main
from cluster_profiles.compute.about import (
    ABOUT_FILE,
    DEFAULT_NOUNS,
    AboutError,
    KindNoun,
    RecordsAbout,
    merge_records_about,
    read_records_about,
)
from cluster_profiles.compute.example import write_example_records


def test_a_folder_without_the_file_gets_the_kinds_standard_nouns(tmp_path):
    about = read_records_about(tmp_path)
    assert about == RecordsAbout()
    assert about.noun("pct", 1) == "PCT application" and about.noun("pct", 2) == "PCT applications"
    assert about.noun("article", 1) == "scientific article" and about.noun("article", 0) == "scientific articles"
    assert about.title is None and about.licence is None


def test_merge_writes_what_read_gives_back(tmp_path):
    merge_records_about(tmp_path, "pct", title="PatentsView grants", publisher="USPTO", licence="CC BY 4.0",
                        url="https://patentsview.org/", one="US patent grant", many="US patent grants")
    merge_records_about(tmp_path, "article", title="Newer title")
    about = read_records_about(tmp_path)
    assert about.title == "Newer title" and about.publisher == "USPTO"
    assert about.nouns["pct"] == KindNoun("US patent grant", "US patent grants")
    assert about.nouns["article"] == DEFAULT_NOUNS["article"]
    assert json.loads((tmp_path / ABOUT_FILE).read_text())["nouns"] == {
        "pct": {"one": "US patent grant", "many": "US patent grants"}}
    assert [p.name for p in tmp_path.iterdir()] == [ABOUT_FILE]  # no temporary left beside it


@pytest.mark.parametrize(("content", "key"), [
    ('{"title": 3}', "'title'"),
    ('{"titel": "x"}', "'titel'"),
    ('{"licence": ""}', "'licence'"),
    ('{"publisher": "<b>WIPO</b>"}', "'publisher'"),
    ('{"title": "two\\nlines"}', "'title'"),
    ('{"url": "ftp://x"}', "'url'"),
    ('{"nouns": {"patent": {"one": "a", "many": "b"}}}', "'nouns.patent'"),
    ('{"nouns": {"pct": {"one": "a"}}}', "'nouns.pct'"),
    ('{"nouns": {"pct": {"one": "a", "many": 2}}}', "'nouns.pct.many'"),
    ('{"nouns": []}', "'nouns'"),
    ('["title"]', "at the top"),
    ('{"title": "x",\n "publisher": }', f"{ABOUT_FILE}:2:"),
])
def test_a_malformed_file_is_one_line_naming_the_file_and_key(tmp_path, content, key):
    (tmp_path / ABOUT_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(AboutError) as caught:
        read_records_about(tmp_path)
    message = str(caught.value)
    assert "\n" not in message and ABOUT_FILE in message and key in message


def test_a_bad_merge_leaves_the_file_as_it_was(tmp_path):
    merge_records_about(tmp_path, title="Kept")
    before = (tmp_path / ABOUT_FILE).read_bytes()
    with pytest.raises(AboutError):
        merge_records_about(tmp_path, "pct", one="a `code` noun")
    with pytest.raises(AboutError):
        merge_records_about(tmp_path, "patents", one="x")
    assert (tmp_path / ABOUT_FILE).read_bytes() == before



def test_a_malformed_file_exits_2_from_the_command(tmp_path, capsys):

    records = tmp_path / "records"
    write_example_records(records)
    (records / ABOUT_FILE).write_text('{"licence": 4}', encoding="utf-8")
    assert main(["clusters", "--records", str(records), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert "about.json" in error and "'licence'" in error and len(error.splitlines()) == 1
    assert not (tmp_path / "out").exists()
