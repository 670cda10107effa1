"""The adapter for the geocoded worldwide patent data (de Rassenfosse, Kozak & Seliger 2019, Harvard Dataverse,
CC BY 4.0) on tests/fixtures/records/geocoded/geoc_inv.txt, written in the published layout: 5 first filings,
8 inventor rows (one located by its applicants, one from 2012, a city holding a comma)."""

from __future__ import annotations

import gzip
import zipfile

import pytest
from records_fixtures import RECORDS_FIXTURES, read_records

from cluster_profiles.cli import main
from cluster_profiles.compute.about import read_records_about
from cluster_profiles.compute.adapters.folder import RecordsInputError
from cluster_profiles.compute.adapters.geocoded_patents import run_geocoded_patents

GEOCODED = RECORDS_FIXTURES / "geocoded"
INVENTORS = GEOCODED / "geoc_inv.txt"


@pytest.fixture
def records(tmp_path):
    summary = run_geocoded_patents(GEOCODED, tmp_path / "records", years=(2015, 2022))
    return summary, read_records(tmp_path / "records")


def test_first_filings_in_the_years_with_one_address_per_inventor_row(records):
    summary, tables = records
    assert summary.read == 5 and summary.dropped == {"outside the years": 1}  # the 2012 Tokyo filing
    assert tables["documents"].values.tolist() == [["PATSTAT-448071234", "pct", 2019], ["PATSTAT-503118877", "pct", 2018],
                                                   ["PATSTAT-512330981", "pct", 2020], ["PATSTAT-530006612", "pct", 2021]]
    addresses = tables["addresses"]
    assert addresses.groupby("doc_id").size().tolist() == [3, 1, 1, 2]
    assert sorted(addresses.query("doc_id == 'PATSTAT-448071234'")["economy"]) == ["GB", "GB", "US"]
    korea = addresses.query("doc_id == 'PATSTAT-530006612'").set_index("seq")
    assert korea.loc[1, "city"] == "Suwon, Gyeonggi-do" and korea.loc[2, "city"] is None  # quoted comma; empty city
    assert korea.loc[2, ["lat", "lon"]].tolist() == [37.42, 127.1265]
    assert tables["organisations"].empty and tables["classes"].empty
    assert any("not PCT applications" in note for note in summary.notes)


def test_the_folder_says_these_are_first_filings_under_cc_by(records, tmp_path):
    about = read_records_about(tmp_path / "records")
    assert (about.noun("pct", 1), about.noun("pct", 2)) == ("first patent filing", "first patent filings")
    assert about.licence == "CC BY 4.0" and about.url == "https://doi.org/10.7910/DVN/OTTBDX"


def test_filings_located_by_their_applicants_are_counted_and_left_out_on_request(records, tmp_path):
    summary, _ = records
    assert any(note.startswith("1 kept filing is located by the applicants' address") for note in summary.notes)
    only = run_geocoded_patents(INVENTORS, tmp_path / "inventors", years=(2015, 2022), inventors_only=True)
    assert only.dropped["located by the applicants' address (source 4-6)"] == 1
    assert "PATSTAT-503118877" not in read_records(tmp_path / "inventors")["documents"]["doc_id"].tolist()


def test_filing_types_are_kept_on_request(tmp_path):
    summary = run_geocoded_patents(INVENTORS, tmp_path / "out", filing_types=["pct"])
    assert read_records(tmp_path / "out")["documents"]["doc_id"].tolist() == ["PATSTAT-503118877",
                                                                               "PATSTAT-530006612"]
    assert summary.dropped == {"not of the kept filing types": 3}
    assert read_records_about(tmp_path / "out").noun("pct", 2) == "PCT first filings"
    with pytest.raises(RecordsInputError, match="--filing-types bogus"):
        run_geocoded_patents(INVENTORS, tmp_path / "again", filing_types=["bogus"])


@pytest.mark.parametrize("packing", ["zip", "gz", "person"])
def test_the_downloaded_zip_a_gzipped_copy_and_the_person_file_are_read(tmp_path, records, packing):
    _, plain = records
    folder = tmp_path / "download"
    folder.mkdir()
    text = INVENTORS.read_text(encoding="utf-8")
    if packing == "zip":
        with zipfile.ZipFile(folder / "geoc_inv.zip", "w") as archive:
            archive.writestr("geoc_inv.txt", text)
    elif packing == "gz":
        (folder / "geoc_inv.txt.gz").write_bytes(gzip.compress(text.encode()))
    else:  # geoc_inv_person.txt: person_id after appln_id
        lines = text.splitlines()
        rows = [lines[0].replace("appln_id,", "appln_id,person_id,", 1)]
        rows += [line.replace(",", f",{900 - number},", 1) for number, line in enumerate(lines[1:])]
        (folder / "geoc_inv_person.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_geocoded_patents(folder, tmp_path / "out", years=(2015, 2022))
    tables = read_records(tmp_path / "out")
    assert tables["documents"].equals(plain["documents"])
    if packing == "person":  # seq follows person_id: the Walnut Creek inventor (899) after the Cambridge ones
        first = tables["addresses"].query("doc_id == 'PATSTAT-448071234'").sort_values("seq")
        assert first["city"].tolist() == ["Cambridge", "Walnut Creek", "Cambridge"]
    else:
        assert tables["addresses"].equals(plain["addresses"])


UNKNOWN = {
    "tab-separated": lambda text: text.replace(",", "\t"),
    "without coordinates": lambda text: text.replace("lat,lng", "latitude,longitude", 1),
    "a PATSTAT table": lambda text: "appln_id,person_id,applt_seq_nr,invt_seq_nr\n1,2,0,1\n",
    "empty": lambda text: "",
}


@pytest.mark.parametrize("case", sorted(UNKNOWN))
def test_an_unknown_layout_is_refused_naming_the_published_one(capsys, tmp_path, case):
    path = tmp_path / "geoc_inv.txt"
    path.write_text(UNKNOWN[case](INVENTORS.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["records", "geocoded-patents", "--tables", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:1: found the header") and err.count("\n") == 1, err
    assert "expected geoc_inv.txt of de Rassenfosse, Kozak & Seliger" in err and "appln_id,patent_office" in err
    assert not (tmp_path / "out").exists()


def test_applicant_locations_are_refused(tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "geoc_app.txt").write_text(INVENTORS.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(RecordsInputError, match="only applicant locations"):
        run_geocoded_patents(folder, tmp_path / "out")
    with pytest.raises(RecordsInputError, match="holds applicant locations"):
        run_geocoded_patents(folder / "geoc_app.txt", tmp_path / "out")
    with pytest.raises(RecordsInputError, match="no such file or folder"):
        run_geocoded_patents(tmp_path / "nowhere", tmp_path / "out")


def test_the_command_writes_a_folder_the_records_reader_accepts(capsys, tmp_path):
    from cluster_profiles.compute.records import validate_records

    assert main(["records", "geocoded-patents", "--tables", str(GEOCODED), "--out", str(tmp_path / "out"),
                 "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    assert "read 5 documents; dropped none" in printed
    assert validate_records(tmp_path / "out").rows["addresses"] == 8
