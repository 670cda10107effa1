"""Issue 20, class 1: a command replaces or deletes only what it wrote (its manifest), never its input, never
through a symbolic link. Each case sets up an output folder next to the inputs, runs the command and checks that it
was refused with a clear line (exit 2) and that every byte of what it did not write is still there."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from records_fixtures import OPENALEX, PATENTSVIEW

from cluster_profiles.cli import main
from cluster_profiles.compute.adapters.folder import COMMAND as RECORDS_COMMAND
from cluster_profiles.compute.write import COMMAND, OutputFolderError, write_data_folder
from cluster_profiles.files import manifest_path, write_manifest

from .planted import Records

SOURCE = "Computed by cluster-profiles from the records folder r (sha256 0) with the settings s (sha256 0)"


def frames() -> dict[str, pd.DataFrame]:
    return {"editions": pd.DataFrame([{"edition": 2024, "metrics": "PCT applications", "source": SOURCE}]),
            "economies": pd.DataFrame([{"code": "CN", "name": "China", "adjective": "Chinese", "source": SOURCE}]),
            "clusters": pd.DataFrame([{"edition": 2024, "cluster": "Hefei", "economy": "CN", "size_rank": 1,
                                       "pct_applications": 5.0, "source": SOURCE}])}


def records(folder: Path) -> Path:
    r = Records()
    r.add("pct", 2020, [(31.8, 117.2, "Hefei", "CN")], ["USTC"], ["H01L 21/00"])
    return r.write(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (links not followed) and the target of every link."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


def computed_folder(out: Path) -> Path:
    """A folder an earlier `clusters` run wrote."""
    return write_data_folder(frames(), out, {"records_sha256": "0"})


def clusters(capsys, records_dir: Path, out: Path, *more: str) -> tuple[int, str]:
    code = main(["clusters", "--records", str(records_dir), "--out", str(out), "--quiet", *more])
    return code, capsys.readouterr().err


# (name, how the case is laid out: tmp_path -> (records folder, --out), the words of the refusal)
def _inside_out(tmp: Path) -> tuple[Path, Path]:  # the case: the records in a folder clusters wrote
    out = computed_folder(tmp / "O")
    return records(out / "records"), out


def _out_is_records(tmp: Path) -> tuple[Path, Path]:
    folder = records(tmp / "records")
    write_manifest(folder, COMMAND, {"documents.csv"})  # even a manifest claiming the records does not make it one
    return folder, folder


def _out_inside_records(tmp: Path) -> tuple[Path, Path]:
    folder = records(tmp / "records")
    return folder, computed_folder(folder / "computed")


def _records_through_a_link(tmp: Path) -> tuple[Path, Path]:  # the records reached by a link from elsewhere
    out = computed_folder(tmp / "O")
    real = records(out / "records")
    (tmp / "link").symlink_to(real)
    return tmp / "link", out


CLUSTERS_CASES = {
    "records inside the output": (_inside_out, "contains the input --records"),
    "output is the records": (_out_is_records, "is the input --records"),
    "output inside the records": (_out_inside_records, "is inside the input --records"),
    "records reached through a link into the output": (_records_through_a_link, "contains the input --records"),
}


@pytest.mark.parametrize("name", sorted(CLUSTERS_CASES))
def test_clusters_refuses_an_output_that_holds_or_is_its_input(capsys, tmp_path, name):
    layout, words = CLUSTERS_CASES[name]
    records_dir, out = layout(tmp_path)
    before = snapshot(tmp_path)
    code, err = clusters(capsys, records_dir, out)
    assert code == 2, err
    assert words in err and "Traceback" not in err and err.count("\n") == 1
    assert snapshot(tmp_path) == before


def test_clusters_refuses_an_output_holding_its_settings_file(capsys, tmp_path):
    folder = records(tmp_path / "records")
    out = computed_folder(tmp_path / "O")
    (out / "my.toml").write_text("min_people = 3\n")
    before = snapshot(tmp_path)
    code, err = clusters(capsys, folder, out, "--settings", str(out / "my.toml"))
    assert code == 2 and "contains the input --settings" in err
    assert snapshot(tmp_path) == before


def _foreign_file(out: Path) -> str:
    (out / "notes.txt").write_text("keep me")
    return "notes.txt"


def _hand_made_table(out: Path) -> str:  # a table of the schema's name that the command did not write
    manifest = manifest_path(out, COMMAND)
    manifest.write_text(manifest.read_text().replace('"clusters.csv",', ""))
    return "clusters.csv"


def _table_become_link(out: Path) -> str:  # a file it wrote, now a link to something else: never followed
    elsewhere = out.parent / "precious.csv"
    elsewhere.write_text("precious\n")
    (out / "clusters.csv").unlink()
    (out / "clusters.csv").symlink_to(elsewhere)
    return "clusters.csv"


def _table_become_folder(out: Path) -> str:
    (out / "gaps.csv").unlink()
    (out / "gaps.csv").mkdir()
    (out / "gaps.csv" / "inside.txt").write_text("x")
    return "gaps.csv/"


def _other_commands_manifest(out: Path) -> str:  # the records adapters' files are not the clusters command's
    (out / "documents.parquet").write_bytes(b"PAR1")
    write_manifest(out, RECORDS_COMMAND, {"documents.parquet"})
    return f"{manifest_path(out, RECORDS_COMMAND).name}, documents.parquet"


FOREIGN_CASES = {"a foreign file": _foreign_file, "a hand-made table": _hand_made_table,
                 "a table become a link": _table_become_link, "a table become a folder": _table_become_folder,
                 "another command's files": _other_commands_manifest}


@pytest.mark.parametrize("name", sorted(FOREIGN_CASES))
def test_a_computed_folder_holding_what_the_command_did_not_write_is_not_replaced(capsys, tmp_path, name):
    out = computed_folder(tmp_path / "O")
    shown = FOREIGN_CASES[name](out)
    folder = records(tmp_path / "records")
    before = snapshot(tmp_path)
    with pytest.raises(OutputFolderError) as caught:
        write_data_folder(frames(), out, {})
    assert f"holds {shown}" in str(caught.value) and "not written by `cluster-profiles clusters`" in str(caught.value)
    assert snapshot(tmp_path) == before
    code, err = clusters(capsys, folder, out)
    assert code == 2 and f"holds {shown}" in err and err.count("\n") == 1
    assert snapshot(tmp_path) == before


def test_an_output_given_as_a_link_or_a_file_is_refused(capsys, tmp_path):
    folder = records(tmp_path / "records")
    computed_folder(tmp_path / "real")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "file").write_text("x")
    before = snapshot(tmp_path)
    for out, words in ((tmp_path / "link", "is a symbolic link"), (tmp_path / "file", "is not a folder")):
        code, err = clusters(capsys, folder, out)
        assert code == 2 and words in err
    assert snapshot(tmp_path) == before


def test_a_rerun_removes_only_the_files_of_its_manifest(tmp_path):
    out = computed_folder(tmp_path / "O")
    (out / "stale.csv").write_text("from an older version\n")  # a file it wrote once, listed in its manifest
    manifest = manifest_path(out, COMMAND)
    manifest.write_text(manifest.read_text().replace('"files": [', '"files": [\n  "stale.csv",'))
    write_data_folder(frames(), out, {"records_sha256": "1"})
    assert not (out / "stale.csv").exists()
    assert (out / "clusters.csv").is_file() and '"1"' in (out / "compute_run.json").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging or old copy left beside


def test_an_unreadable_manifest_is_a_clear_error(tmp_path):
    out = computed_folder(tmp_path / "O")
    manifest_path(out, COMMAND).write_text("{not json")
    before = snapshot(tmp_path)
    with pytest.raises(OutputFolderError, match="not a manifest this tool can read"):
        write_data_folder(frames(), out, {})
    assert snapshot(tmp_path) == before


# --- the records adapters: they replace their four tables in --out, nothing else

def _patentsview(out: Path, tables: Path = PATENTSVIEW) -> list[str]:
    return ["records", "patentsview", "--tables", str(tables), "--out", str(out)]


def test_an_adapter_refuses_an_output_that_is_holds_or_is_inside_its_input(capsys, tmp_path):
    import shutil

    tables = tmp_path / "tables"
    shutil.copytree(PATENTSVIEW, tables)
    works = tmp_path / "snapshot" / "works"
    shutil.copytree(OPENALEX / "works", works)
    before = snapshot(tmp_path)
    for argv, words in [
        (_patentsview(tables, tables), "is the input --tables"),
        (_patentsview(tables / "records", tables), "is inside the input --tables"),
        (_patentsview(tmp_path, tables), "contains the input --tables"),
        (["records", "openalex", "--works", str(works), "--institutions", str(OPENALEX / "institutions"),
          "--out", str(tmp_path / "snapshot")], "contains the input --works"),
        (["records", "openalex", "--works", str(works), "--institutions", str(OPENALEX / "institutions"),
          "--out", str(works / "x")], "is inside the input --works"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1, err
    assert snapshot(tmp_path) == before


def _hand_made_records(out: Path) -> str:
    records(out)
    return "addresses.csv, classes.csv, documents.csv, organisations.csv"


def _adapter_table_become_link(out: Path) -> str:
    main(_patentsview(out))
    outside = out.parent / "outside.parquet"
    outside.write_bytes(b"precious")
    (out / "documents.parquet").unlink()
    (out / "documents.parquet").symlink_to(outside)
    return "documents.parquet"


@pytest.mark.parametrize("layout", [_hand_made_records, _adapter_table_become_link])
def test_an_adapter_replaces_only_table_files_it_wrote(capsys, tmp_path, layout):
    out = tmp_path / "records"
    shown = layout(out)
    (out / "population.csv").write_text("lat,lon,population\n")  # the user's: never touched, never in the way
    capsys.readouterr()
    before = snapshot(tmp_path)
    assert main(_patentsview(out)) == 2
    err = capsys.readouterr().err
    assert f"holds {shown}" in err and "not written by `cluster-profiles records`" in err
    assert snapshot(tmp_path) == before


def test_an_adapter_rerun_keeps_the_users_files_and_lists_what_it_wrote(tmp_path):
    out = tmp_path / "records"
    assert main(_patentsview(out)) == 0
    (out / "population.csv").write_text("lat,lon,population\n")
    (out / "README.txt").write_text("mine\n")
    assert main(_patentsview(out) + ["--format", "csv"]) == 0  # the Parquet files go, the CSV files come
    assert sorted(p.name for p in out.iterdir()) == sorted([
        manifest_path(out, RECORDS_COMMAND).name, "README.txt", "population.csv", "addresses.csv", "classes.csv",
        "documents.csv", "organisations.csv", "about.json"])  # about.json: what the records are (US patent grants)
    assert (out / "README.txt").read_text() == "mine\n"
