"""Every outcome of `cluster-profiles clusters` is a result: a run that finds little or nothing ends with exit 0, a
summary saying what was found and why not, and a data folder that validates; bad input ends with exit 2."""

from __future__ import annotations

import json
import re

import pytest

from cluster_profiles.cli import main
from cluster_profiles.compute.write import RUN_FILE
from cluster_profiles.contract.load import load_tables

from .degenerate import CASE_IDS, CASES, Case, hefei_below_the_default


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_command_ends_with_a_summary_and_a_valid_folder(case: Case, tmp_path, capsys):
    records, settings = case.write(tmp_path)
    folder = tmp_path
    arguments = ["clusters", "--records", str(records), "--out", str(folder / "out"), "--quiet",
                 *(["--settings", str(settings)] if settings else [])]
    assert main(arguments) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err
    out = printed.out
    assert f"Clusters found: {case.clusters:,} " in out
    tables = load_tables(folder / "out")  # validates, as `cluster-profiles validate` does
    assert len(tables.clusters) == case.clusters
    assert tables.edition_list() == [2024]  # the editions row names the run even when nothing was found
    run_info = json.loads((folder / "out" / RUN_FILE).read_text(encoding="utf-8"))
    assert {kind: why["reason"] for kind, why in run_info["no_cluster"].items()} == case.reasons
    for kind in case.reasons:
        assert f"No cluster of {'PCT applications' if kind == 'pct' else 'scientific articles'}: " in out
    for fact in case.facts:
        assert fact in out, fact
    assert not re.search(r"(?<![\d,])1 (rows|documents|clusters|points|addresses)\b", out)  # one of them is singular
    assert " rows rows" not in out and "documents rows" not in out
    if case.clusters:
        assert out.rstrip().endswith(f"Wrote {folder / 'out'}")
    else:
        assert "a valid data folder without any cluster" in out and "no profile to render" in out


def test_a_run_that_finds_nothing_replaces_an_earlier_run_that_found_clusters(tmp_path, capsys):
    """A stale folder would say clusters exist: the run that finds none leaves a folder that says so."""
    records = hefei_below_the_default().write(tmp_path / "records")
    (tmp_path / "low.toml").write_text("min_people = 300\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clusters", "--records", str(records), "--out", str(out), "--settings", str(tmp_path / "low.toml"),
                 "--quiet"]) == 0
    assert len(load_tables(out).clusters) == 1
    assert main(["clusters", "--records", str(records), "--out", str(out), "--quiet"]) == 0
    assert len(load_tables(out).clusters) == 0
    assert "without any cluster" in capsys.readouterr().out


@pytest.mark.parametrize(("make_input", "expected"), [
    (lambda tmp: tmp / "missing", "found no such folder"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "documents.csv: found no such file"),
], ids=["no such folder", "a folder without any table"])
def test_bad_records_exit_2_without_a_traceback_and_write_nothing(tmp_path, capsys, make_input, expected):
    records = make_input(tmp_path)
    assert main(["clusters", "--records", str(records), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    printed = capsys.readouterr()
    assert printed.err.startswith(f"error: The records in {records} are not valid") and expected in printed.err
    assert "Traceback" not in printed.err and printed.out == ""
    assert not (tmp_path / "out").exists()


def test_a_bad_setting_exits_2_naming_the_file_and_the_key(tmp_path, capsys):
    records = hefei_below_the_default().write(tmp_path / "records")
    (tmp_path / "bad.toml").write_text("min_people = 0\n", encoding="utf-8")
    assert main(["clusters", "--records", str(records), "--out", str(tmp_path / "out"),
                 "--settings", str(tmp_path / "bad.toml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err  # the wording is settings.py's
    assert str(tmp_path / "bad.toml") in err and "min_people" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", [c for c in CASES if c.reasons], ids=[i for c, i in zip(CASES, CASE_IDS) if c.reasons])
def test_the_summary_calls_the_documents_what_the_records_call_them(case: Case, tmp_path, capsys):
    """Records of US patent grants (their about.json says so) get no 'PCT applications' in the summary, and the
    folder's provenance names the records and the settings without a path of this machine."""
    from cluster_profiles.compute.about import merge_records_about

    records, settings = case.write(tmp_path)
    merge_records_about(records, "pct", one="US patent grant", many="US patent grants")
    assert main(["clusters", "--records", str(records), "--out", str(tmp_path / "out"), "--quiet",
                 *(["--settings", str(settings)] if settings else [])]) == 0
    out = capsys.readouterr().out
    for kind in case.reasons:
        assert f"No cluster of {'US patent grants' if kind == 'pct' else 'scientific articles'}: " in out
    assert "PCT application" not in out.replace("pct_window", "")
    provenance = (tmp_path / "out" / RUN_FILE).read_text(encoding="utf-8")
    assert str(tmp_path) not in provenance and json.loads(provenance)["records"] == records.name
