"""PatentsView folders without the IPC table (CPC mapped to IPC main groups) and with g_pct_data (the grants that came
by the PCT route), on tests/fixtures/records/patentsview-cpc/ (PatentsView's column layout); the kind of document
carried into the folder's about.json."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from records_fixtures import PATENTSVIEW, RECORDS_FIXTURES, read_records

from cluster_profiles.cli import main
from cluster_profiles.compute.about import read_records_about
from cluster_profiles.compute.adapters.folder import RecordsInputError
from cluster_profiles.compute.adapters.openalex import run_openalex
from cluster_profiles.compute.adapters.patentsview import run_patentsview
from cluster_profiles.compute.fields import field_of

CPC = RECORDS_FIXTURES / "patentsview-cpc"
PCT_ROUTE = "not by the PCT route (no g_pct_data row)"


def test_a_cpc_only_folder_gives_ipc_main_groups_and_counts_what_has_no_ipc(tmp_path):
    summary = run_patentsview(CPC, tmp_path / "out")
    classes = read_records(tmp_path / "out")["classes"]
    assert classes.values.tolist() == [["US10000001", "G01N 33/00"], ["US10000001", "H01L 21/00"],
                                       ["US10000002", "G01N 21/00"], ["US10000004", "A61K 31/00"]]
    note = next(note for note in summary.notes if note.startswith("classes from g_cpc_current"))
    assert "section Y 1" in note and "2000-series indexing 1" in note  # Y02E10/50 and G06F2203/04809
    # the WIPO fields come out as from the IPC symbols at issue (fields are defined down to main groups)
    assert [field_of(code) for code in classes["code"]] == [field_of(code) for code in (
        "G01N 33/53", "H01L 21/8242", "G01N 21/00", "A61K 31/495")]
    assert field_of("G01N 33/00") != field_of("G01N 21/00")  # the main group decides here


def test_the_ipc_table_is_read_when_both_are_there(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(CPC, tables)
    shutil.copy(PATENTSVIEW / "g_ipc_at_issue.tsv", tables)
    summary = run_patentsview(tables, tmp_path / "out", years=(2018, 2022))
    assert read_records(tmp_path / "out")["classes"]["code"].tolist() == ["G01N 33/53", "H01L 21/8242", "G01N 21/00"]
    assert not any(note.startswith("classes from g_cpc_current") for note in summary.notes)


def test_zipped_cpc_tables_are_read(tmp_path):
    zips = tmp_path / "zips"
    zips.mkdir()
    for source in CPC.glob("*.tsv"):
        with zipfile.ZipFile(zips / f"{source.name}.zip", "w") as archive:
            archive.write(source, source.name)
    run_patentsview(zips, tmp_path / "from-zip")
    run_patentsview(CPC, tmp_path / "plain")
    assert all(frame.equals(read_records(tmp_path / "plain")[table])
               for table, frame in read_records(tmp_path / "from-zip").items())


def test_without_ipc_or_cpc_both_are_named(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(CPC, tables)
    (tables / "g_cpc_current.tsv").unlink()
    with pytest.raises(RecordsInputError, match=r"missing g_ipc_at_issue.tsv \(or g_cpc_current.tsv"):
        run_patentsview(tables, tmp_path / "out")


def test_a_cpc_table_without_its_symbol_column_is_refused_at_its_header(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(CPC, tables)
    text = (tables / "g_cpc_current.tsv").read_text().replace("cpc_group", "cpc_symbol")
    (tables / "g_cpc_current.tsv").write_text(text)
    with pytest.raises(RecordsInputError, match=r"g_cpc_current.tsv:1: missing column cpc_group"):
        run_patentsview(tables, tmp_path / "out")


def test_g_pct_data_tells_the_pct_route_grants_apart(tmp_path):
    summary = run_patentsview(CPC, tmp_path / "all", years=(2010, 2022))
    assert "2 of the 3 grants came by the PCT route (g_pct_data)" in " ".join(summary.notes)
    assert read_records_about(tmp_path / "all").noun("pct", 2) == "US patent grants"
    only = run_patentsview(CPC, tmp_path / "pct", years=(2010, 2022), pct_route_only=True)
    assert read_records(tmp_path / "pct")["documents"]["doc_id"].tolist() == ["US10000001", "US10000004"]
    assert only.dropped[PCT_ROUTE] == 1  # US10000002 was filed directly at the USPTO
    about = read_records_about(tmp_path / "pct")
    assert (about.noun("pct", 1), about.noun("pct", 2)) == ("US patent grant by the PCT route",
                                                             "US patent grants by the PCT route")
    assert (about.publisher, about.licence) == ("USPTO PatentsView", "CC BY 4.0")


def test_pct_route_only_needs_g_pct_data(capsys, tmp_path):
    assert main(["records", "patentsview", "--tables", str(PATENTSVIEW), "--out", str(tmp_path / "out"),
                 "--pct-route-only"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --pct-route-only: ") and "missing g_pct_data.tsv" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_folder_of_patents_and_articles_names_both_sources(tmp_path):
    out = tmp_path / "records"
    run_patentsview(CPC, out)
    run_openalex(RECORDS_FIXTURES / "openalex" / "works", RECORDS_FIXTURES / "openalex" / "institutions", out)
    about = read_records_about(out)
    assert about.publisher == "USPTO PatentsView; OurResearch (OpenAlex)"
    assert about.licence == "CC BY 4.0; CC0 1.0"
    assert about.url == "https://patentsview.org/download/data-download-tables"
    assert (about.noun("pct"), about.noun("article")) == ("US patent grants", "scientific articles")
    run_patentsview(CPC, out)  # a rerun adds nothing twice
    assert read_records_about(out).publisher == "USPTO PatentsView; OurResearch (OpenAlex)"


def test_a_malformed_about_json_is_refused_before_anything_is_written(capsys, tmp_path):
    out = tmp_path / "records"
    run_patentsview(CPC, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "about.json").write_text('{"title": ', encoding="utf-8")
    assert main(["records", "patentsview", "--tables", str(CPC), "--out", str(out), "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / 'about.json'}:1:") and err.count("\n") == 1, err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "about.json"} == {
        name: content for name, content in before.items() if name != "about.json"}


def test_a_comma_separated_table_is_refused_naming_the_tab_separated_layout(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(CPC, tables)
    (tables / "g_cpc_current.tsv").write_text((CPC / "g_cpc_current.tsv").read_text().replace("\t", ","))
    with pytest.raises(RecordsInputError, match=r"g_cpc_current.tsv:1: found a comma-separated header; expected "
                                                r"PatentsView's bulk table layout, tab-separated"):
        run_patentsview(tables, tmp_path / "out")
