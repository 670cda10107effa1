"""The OpenAlex adapter on the layouts OpenAlex publishes (tests/fixtures/records/openalex-layouts/, written from
its documentation): the snapshot's JSON Lines (gzipped or not) and Parquet, API list responses, pretty-printed
JSON, the older type vocabulary; a work in two partitions, an author with two institutions, the social sciences
and humanities left out; and what is not one of these layouts, refused in one line naming the layouts expected."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from records_fixtures import RECORDS_FIXTURES, read_records

from cluster_profiles.cli import main
from cluster_profiles.compute.about import read_records_about
from cluster_profiles.compute.adapters.folder import RecordsInputError
from cluster_profiles.compute.adapters.openalex import DROPPED_OLDER, DROPPED_SSH, run_openalex

LAYOUTS = RECORDS_FIXTURES / "openalex-layouts"
INSTITUTIONS = LAYOUTS / "institutions"
EXPECTED_WORDS = ("expected OpenAlex works as JSON Lines", "API list responses", "pretty-printed JSON", "Parquet")


def run(works: Path, out: Path, **options):
    summary = run_openalex(works, INSTITUTIONS, out, **options)
    return summary, read_records(out)


def doc_ids(tables) -> list[str]:
    return tables["documents"]["doc_id"].tolist()


def parquet_copy(source: Path, target: Path) -> Path:
    """The snapshot's works as the Parquet snapshot holds them: one row per work, nested columns, each in its
    updated_date= folder (written with pyarrow; the abstract index, whose keys differ only in case, as text)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for part in sorted(source.rglob("part_*")):
        rows = [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows:
            row["abstract_inverted_index"] = json.dumps(row.get("abstract_inverted_index"))
        destination = target / part.parent.relative_to(source) / "part_0000.parquet"
        destination.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), destination)
    return target


# --- each layout is read -------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout, expected", [
    ("snapshot", ["W101", "W103"]),  # W102 is social sciences
    ("legacy", ["W201", "W203"]),  # journal-article and proceedings-article are articles; W202 economics by concept
    ("api", ["W301"]),  # W302 is economics
    ("pretty", ["W401", "W402"]),  # one work, and one list response, spread over lines
])
def test_each_published_layout_is_read(tmp_path, layout, expected):
    summary, tables = run(LAYOUTS / layout, tmp_path / "out")
    assert doc_ids(tables) == expected
    assert (tables["documents"]["kind"] == "article").all()
    assert len(tables["addresses"]) >= len(expected) and summary.written["documents"] == len(expected)


def test_gzipped_and_parquet_snapshots_give_the_folder_the_json_lines_give(tmp_path):
    _, plain = run(LAYOUTS / "snapshot", tmp_path / "plain")
    packed = tmp_path / "gz"
    for part in (LAYOUTS / "snapshot").rglob("part_*"):
        target = packed / part.relative_to(LAYOUTS / "snapshot").with_suffix(".gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(part.read_bytes()))
    (packed / "manifest").write_text('{"entries": []}\n', encoding="utf-8")
    parquet = parquet_copy(LAYOUTS / "snapshot", tmp_path / "parquet")
    for works in (packed, parquet):
        summary, tables = run(works, tmp_path / f"from-{works.name}")
        assert summary.dropped == {DROPPED_OLDER: 1, DROPPED_SSH: 1}
        for table, frame in tables.items():
            pd.testing.assert_frame_equal(frame, plain[table], obj=f"{works.name} {table}")
    assert any("Parquet" in note for note in summary.notes)


def test_one_folder_may_mix_the_layouts(tmp_path):
    mixed = tmp_path / "mixed"
    for layout in ("snapshot", "legacy", "api", "pretty"):
        shutil.copytree(LAYOUTS / layout, mixed / layout)
    parquet_copy(LAYOUTS / "snapshot", tmp_path / "pq")
    newer = tmp_path / "pq" / "updated_date=2025-06-11" / "part_0000.parquet"
    (mixed / "again.parquet").write_bytes(newer.read_bytes())  # W101 and W103 once more, outside any partition
    summary, tables = run(mixed, tmp_path / "out")
    assert doc_ids(tables) == ["W101", "W103", "W201", "W203", "W301", "W401", "W402"]
    assert summary.dropped[DROPPED_OLDER] == 3  # W101 three times (two older), W103 twice (one older)
    assert tables["documents"].set_index("doc_id").loc["W101", "year"] == 2020


def test_api_responses_one_per_line_and_a_json_array_of_works_are_read(tmp_path):
    page = json.loads((LAYOUTS / "api" / "works_page_1.json").read_text(encoding="utf-8"))
    works = tmp_path / "works"
    works.mkdir()
    (works / "pages.jsonl").write_text(json.dumps(page) + "\n" + json.dumps({**page, "results": []}) + "\n",
                                       encoding="utf-8")
    (works / "array.json").write_text(json.dumps([json.loads((LAYOUTS / "pretty" / "W401.json").read_text())],
                                                 indent=1), encoding="utf-8")
    _, tables = run(works, tmp_path / "out")
    assert doc_ids(tables) == ["W301", "W401"]


def test_an_api_response_file_gzipped_and_without_a_suffix_is_read(tmp_path):
    works = tmp_path / "works"
    works.mkdir()
    (works / "page1").write_bytes(gzip.compress((LAYOUTS / "api" / "works_page_1.json").read_bytes()))
    summary, tables = run(works, tmp_path / "out")
    assert doc_ids(tables) == ["W301"] and summary.read == 2


# --- the newest version of a work ----------------------------------------------------------------------------

def test_a_work_in_two_partitions_is_read_from_the_newest(tmp_path):
    summary, tables = run(LAYOUTS / "snapshot", tmp_path / "out")
    assert summary.read == 4 and summary.dropped[DROPPED_OLDER] == 1
    documents = tables["documents"].set_index("doc_id")
    assert documents.loc["W101", "year"] == 2020  # the 2025-06-11 version; the 2023-10-29 one says 2019
    assert tables["addresses"].query("doc_id == 'W101'")["city"].tolist() == ["Bengaluru", "Delft"]


@pytest.mark.parametrize("older_first", [True, False])
def test_the_newest_is_by_updated_date_then_by_partition(tmp_path, older_first):
    source = (LAYOUTS / "snapshot" / "updated_date=2025-06-11" / "part_000").read_text().splitlines()[0]
    work = json.loads(source)
    works = tmp_path / "works"
    for partition, year, updated in (("2024-01-01", 2001, "2024-01-01T00:00:00"),
                                     ("2024-06-01", 2002, "2024-01-01T00:00:00" if older_first else "2023-01-01")):
        folder = works / f"updated_date={partition}"
        folder.mkdir(parents=True)
        (folder / "part_000").write_text(json.dumps({**work, "publication_year": year, "updated_date": updated})
                                         + "\n", encoding="utf-8")
    summary, tables = run(works, tmp_path / "out")
    # equal updated_date: the later partition wins; an earlier updated_date loses whatever its partition
    assert tables["documents"]["year"].tolist() == ([2002] if older_first else [2001])
    assert summary.dropped == {DROPPED_OLDER: 1}


# --- every institution of an author --------------------------------------------------------------------------

def test_an_author_with_two_institutions_has_a_row_at_each(tmp_path):
    summary, tables = run(LAYOUTS / "snapshot", tmp_path / "out")
    w103 = tables["addresses"].query("doc_id == 'W103'").set_index("seq")
    # Ravi Menon: IISc (IN) and TU Delft (NL); Lena Meier: ETH listed twice, one row; an author without any
    assert w103[["city", "economy"]].values.tolist() == [["Bengaluru", "IN"], ["Delft", "NL"], ["Zurich", "CH"],
                                                         [None, None]]
    fractions = 1 / tables["addresses"].groupby("doc_id")["seq"].transform("size")
    assert fractions[tables["addresses"]["doc_id"] == "W103"].tolist() == pytest.approx([1 / 4] * 4)
    assert any(note.startswith("1 author lists several institutions (1 in several economies)")
               for note in summary.notes)
    assert sorted(tables["organisations"].query("doc_id == 'W103'")["name"]) == [
        "Delft University of Technology", "ETH Zurich", "Indian Institute of Science"]


# --- the social sciences and humanities ------------------------------------------------------------------------

@pytest.mark.parametrize("layout, dropped", [("snapshot", "W102"), ("api", "W302"), ("legacy", "W202")])
def test_social_sciences_and_humanities_are_dropped_counted_and_kept_on_request(tmp_path, layout, dropped):
    summary, tables = run(LAYOUTS / layout, tmp_path / "out")
    assert dropped not in doc_ids(tables) and summary.dropped[DROPPED_SSH] == 1
    assert any(note.startswith("1 work dropped: social sciences and humanities") for note in summary.notes)
    kept_summary, kept = run(LAYOUTS / layout, tmp_path / "kept", keep_ssh=True)
    assert dropped in doc_ids(kept) and DROPPED_SSH not in kept_summary.dropped
    assert any("--keep-social-sciences" in note for note in kept_summary.notes)


def test_the_rule_reads_the_domain_before_the_concepts(tmp_path):
    work = json.loads((LAYOUTS / "legacy" / "updated_date=2022-06-01" / "part_000").read_text().splitlines()[1])
    assert work["concepts"][0]["display_name"] == "Economics"
    physical = {"id": "https://openalex.org/T1", "field": {"display_name": "Physics and Astronomy"},
                "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"}}
    social = {"domain": {"id": "https://openalex.org/domains/2", "display_name": "Social Sciences"}}
    works = tmp_path / "works"
    works.mkdir()
    lines = [{**work, "id": "https://openalex.org/W1", "primary_topic": physical},  # economics concept, S&T topic
             {**work, "id": "https://openalex.org/W2", "primary_topic": social, "concepts": []},
             {**work, "id": "https://openalex.org/W3", "concepts": [{"display_name": "Art", "level": 1, "score": 1.0},
                                                                     {"display_name": "Physics", "level": 0,
                                                                      "score": 0.1}]}]
    (works / "part_000").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    summary, tables = run(works, tmp_path / "out")
    assert doc_ids(tables) == ["W1", "W3"] and summary.dropped == {DROPPED_SSH: 1}


# --- both type vocabularies ----------------------------------------------------------------------------------

def test_the_older_type_vocabulary_is_read_as_the_current_one(tmp_path):
    summary, tables = run(LAYOUTS / "legacy", tmp_path / "out")
    assert doc_ids(tables) == ["W201", "W203"] and summary.dropped["not of the kept types"] == 1  # the book chapter
    assert any("older vocabulary" in note for note in summary.notes)
    _, by_old_name = run(LAYOUTS / "legacy", tmp_path / "old-name", types=("journal-article",))
    assert doc_ids(by_old_name) == ["W201", "W203"]


# --- what the records folder says about itself ---------------------------------------------------------------

def test_the_folder_names_openalex_and_its_licence(tmp_path):
    run(LAYOUTS / "api", tmp_path / "out")
    about = read_records_about(tmp_path / "out")
    assert (about.publisher, about.licence, about.url) == ("OurResearch (OpenAlex)", "CC0 1.0", "https://openalex.org")
    assert about.noun("article", 2) == "scientific articles"


# --- what is not one of these layouts ------------------------------------------------------------------------

UNKNOWN = {
    "a CSV export": ("works.csv", b"id,display_name,publication_year\nhttps://openalex.org/W1,Title,2020\n"),
    "a RIS export": ("works.ris", b"TY  - JOUR\nTI  - Title\nER  - \n"),
    "an XML file": ("works.xml", b"<?xml version='1.0'?><works/>\n"),
    "institutions given as works": ("part_000", (INSTITUTIONS / "part_000").read_bytes()),
    "a group_by response": ("groups.json", b'{"meta": {"count": 2}, "results": [{"key": "article", "count": 2}],'
                                           b' "group_by": []}'),
    "a JSON number": ("n.json", b"42\n"),
    "a Parquet file of something else": ("other.parquet", None),
    "a gzip file that is not one": ("part_000.gz", b"\x1f\x8bnot really gzip"),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN))
def test_an_unknown_layout_is_refused_naming_the_layouts_expected(capsys, tmp_path, case):
    name, content = UNKNOWN[case]
    works = tmp_path / "works"
    works.mkdir()
    if content is None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"title": ["x"], "year": [2020]}), works / name)
    else:
        (works / name).write_bytes(content)
    assert main(["records", "openalex", "--works", str(works), "--institutions", str(INSTITUTIONS),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {works / name}") and err.count("\n") == 1, err
    assert all(words in err for words in EXPECTED_WORDS), err
    assert not (tmp_path / "out").exists()


def test_an_empty_works_file_gives_an_empty_folder_that_says_so(tmp_path):
    works = tmp_path / "works"
    works.mkdir()
    (works / "part_000").write_bytes(b"")
    summary, tables = run(works, tmp_path / "out")
    assert summary.read == 0 and tables["documents"].empty


def test_a_broken_pretty_file_is_refused_at_its_line(tmp_path):
    works = tmp_path / "works"
    works.mkdir()
    text = (LAYOUTS / "pretty" / "W401.json").read_text(encoding="utf-8")
    (works / "W401.json").write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(RecordsInputError, match=r"W401\.json:\d+:\d+: found malformed JSON") as error:
        run_openalex(works, INSTITUTIONS, tmp_path / "out")
    assert "pretty-printed JSON" in str(error.value)


@pytest.mark.parametrize("layout", ["parquet", "api", "pretty", "gz"])
def test_institutions_are_read_in_the_same_layouts(tmp_path, layout):
    _, plain = run(LAYOUTS / "snapshot", tmp_path / "plain")
    rows = [json.loads(line) for line in (INSTITUTIONS / "part_000").read_text(encoding="utf-8").splitlines()]
    folder = tmp_path / "institutions" / "updated_date=2025-01-01"
    folder.mkdir(parents=True)
    if layout == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), folder / "part_0000.parquet")
    elif layout == "api":
        (folder / "page.json").write_text(json.dumps({"meta": {"count": len(rows)}, "results": rows}))
    elif layout == "pretty":
        for row in rows:
            (folder / f"{row['id'][-3:]}.json").write_text(json.dumps(row, indent=2))
    else:
        (folder / "part_000.gz").write_bytes(gzip.compress((INSTITUTIONS / "part_000").read_bytes()))
    summary = run_openalex(LAYOUTS / "snapshot", tmp_path / "institutions", tmp_path / "out")
    for table, frame in read_records(tmp_path / "out").items():
        pd.testing.assert_frame_equal(frame, plain[table], obj=table)
    assert summary.addresses_without_coordinates == 1


def test_works_given_as_institutions_are_refused_naming_the_institutions_layouts(tmp_path):
    with pytest.raises(RecordsInputError, match=r"part_000:1: found a JSON object with the id "
                                                r"'https://openalex.org/W101', not an institution .*expected OpenAlex "
                                                r"institutions as JSON Lines"):
        run_openalex(LAYOUTS / "snapshot", LAYOUTS / "snapshot" / "updated_date=2023-10-29", tmp_path / "out")
