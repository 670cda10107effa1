"""A data folder's about.csv: optional (without it, WIPO's published GII), one row, checked like every table."""

from __future__ import annotations

import shutil

import pytest

from cluster_profiles.contract.canonical_csv import write_tables
from cluster_profiles.contract.folder_about import PUBLISHED_GII, folder_about
from cluster_profiles.contract.load import load_tables
from cluster_profiles.errors import DataValidationError

from conftest import FIXTURE_DATA

HEADER = ("basis,title,publisher,licence,url,method,records,records_sha256,settings,settings_sha256,tool_version,"
          "counting,patents_one,patents_many,articles_one,articles_many,source\n")
SHA = "a" * 64
COMPUTED = (f"computed,My clusters,Office,CC0 1.0,https://example.org,DBSCAN,recs,{SHA},s.toml,{SHA},0.1.0,whole,,,,,"
            "records recs\n")


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def test_a_folder_without_it_is_the_published_gii(folder):
    about = folder_about(load_tables(folder))
    assert about == PUBLISHED_GII and not about.computed
    assert (about.title, about.publisher, about.licence) == ("Global Innovation Index", "WIPO", "CC BY 4.0")
    assert about.counted("patents") == "PCT applications" and about.counted("articles", 1) == "scientific article"


def test_a_computed_row_is_read_with_its_nouns(folder):
    (folder / "about.csv").write_text(HEADER + COMPUTED.replace(",,,,,records", ",US patent grant,US patent grants,,,records"),
                                      encoding="utf-8")
    about = folder_about(load_tables(folder))
    assert about.computed and about.title == "My clusters" and about.counting == "whole"
    assert about.counted("patents", 1) == "US patent grant" and about.counted("articles") == "scientific articles"
    assert about.output("patents").organisations_heading == "Top applicants of US patent grants"
    assert about.source_line() == ("Computed with cluster-profiles 0.1.0 from the records recs (sha256 aaaaaaaaaaaa) "
                                   "with the settings s.toml (sha256 aaaaaaaaaaaa)")


@pytest.mark.parametrize(("rows", "expected"), [
    (COMPUTED + COMPUTED.replace("computed,", "published,"), "about.csv:3"),  # two rows
    (COMPUTED.replace(f",recs,{SHA},", f",,{SHA},"), "about.csv:2:records"),  # computed without its records
    (COMPUTED.replace(",whole,", ",,"), "about.csv:2:counting"),
    (COMPUTED.replace(",whole,", ",halves,"), "about.csv:2:counting"),
    (COMPUTED.replace(",records recs", ","), "about.csv:2:source"),
    (COMPUTED.replace(f",{SHA},s.toml", ",abc,s.toml"), "about.csv:2:records_sha256"),
    (COMPUTED.replace("computed,", "guessed,"), "about.csv:2:basis"),
    (COMPUTED.replace(",,,,,records", ",US patent grant,,,,records"), "about.csv:2:patents_many"),
    (COMPUTED.replace(",,,,,records", ",<b>grant</b>,grants,,,records"), "about.csv:2:patents_one"),
])
def test_a_wrong_row_is_a_located_problem(folder, rows, expected):
    (folder / "about.csv").write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load_tables(folder)
    assert expected in str(caught.value)


def test_a_published_row_needs_no_provenance(folder):
    (folder / "about.csv").write_text(HEADER + "published,Global Innovation Index,WIPO,CC BY 4.0" + "," * 12 + ",WIPO\n",
                                      encoding="utf-8")
    tables = load_tables(folder)
    assert not folder_about(tables).computed
    write_tables(tables, folder)  # canonical: the written table reads back the same
    assert folder_about(load_tables(folder)) == folder_about(tables)
