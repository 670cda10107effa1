import pytest

from cluster_profiles.cli import main

from conftest import FIXTURE_DATA


def test_list_prints_an_edition(capsys):
    assert main(["list", "--edition", "2024", "--data-dir", str(FIXTURE_DATA)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["2024", "1", "Tokyo–Yokohama", "JP"]
    assert any("\tHefei\t" in line for line in lines)


@pytest.mark.parametrize("edition", ["2019", "2016", "2100"])
def test_list_of_an_edition_the_data_does_not_hold_is_an_error_naming_the_ones_it_does(capsys, edition):
    assert main(["list", "--edition", edition, "--data-dir", str(FIXTURE_DATA)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"Unknown GII edition {edition}. The data has editions: 2023, 2024, 2025." in captured.err


def test_validate_reports_ok_and_problems(capsys, data_copy):
    assert main(["validate"]) == 0
    assert "valid" in capsys.readouterr().out
    (data_copy / "economies.csv").write_text("code,name\n", encoding="utf-8")
    assert main(["validate", "--data-dir", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert "economies.csv:1:adjective: found no such column" in err


@pytest.mark.parametrize("argv, words", [
    (["render", "--cluster", "Hefie"], "Did you mean 'Hefei'?"),
    (["render", "--edition", "1999"], "--edition must be at least 2016 (got '1999')"),
])
def test_render_errors_exit_non_zero(tmp_path, capsys, argv, words):
    assert main(argv + ["--reports-dir", str(tmp_path)]) == 2
    assert words in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_wrong_type_on_the_command_line_is_an_argparse_error_in_plain_words(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["render", "--edition", "twenty"])
    assert caught.value.code == 2
    assert "error: --edition must be a whole number (got 'twenty')" in capsys.readouterr().err


def test_validate_of_a_clean_folder_ends_its_line(tmp_path, capsys, monkeypatch):
    """No dangling colon when there is no note to list; plurals that agree with their numbers."""
    from cluster_profiles.contract import quality

    monkeypatch.setattr(quality, "findings", lambda tables: [])
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("no data-quality notes.") and ":" not in out.split(";")[-1]
    assert "cluster rows, editions" in out


def test_records_commands_write_a_folder_and_refuse_bad_input(tmp_path, capsys):
    from records_fixtures import OPENALEX, PATENTSVIEW, read_records

    out = tmp_path / "records"
    assert main(["records", "openalex", "--works", str(OPENALEX / "works"), "--institutions",
                 str(OPENALEX / "institutions"), "--out", str(out), "--years", "2018", "2022"]) == 0
    assert main(["records", "patentsview", "--tables", str(PATENTSVIEW), "--out", str(out), "--format", "parquet"]) == 0
    printed = capsys.readouterr().out
    assert "read 5 documents; dropped 1 not of the kept types, 1 outside the years" in printed
    assert "not PCT applications" in printed
    assert read_records(out)["documents"].groupby("kind").size().to_dict() == {"article": 3, "pct": 3}
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["records", "patentsview", "--tables", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "missing: no such folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["records", "openalex", "--works", "", "--institutions", "x", "--out", str(out)])
    assert exit_.value.code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_find_clusters_checks_the_records_before_starting_a_kernel(tmp_path, capsys):
    assert main(["find-clusters", "--records", str(tmp_path / "missing"), "--reports-dir", str(tmp_path / "r")]) == 2
    assert "missing" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_bad_economy_code_is_explained_without_a_regular_expression(tmp_path, capsys):
    """Every text rule of the data says what it wants in words (contract/schema's checks carry them)."""
    import csv
    import shutil

    from cluster_profiles import paths

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data, ignore=shutil.ignore_patterns("*.md"))
    with (data / "clusters.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    rows[0]["economy"] = "Germany"
    with (data / "clusters.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert main(["validate", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "clusters.csv:2:economy: found 'Germany'; expected two-letter ISO codes in capitals, such as DE" in err
    assert "pattern" not in err and "[A-Z]" not in err and "\\Z" not in err


def test_no_text_rule_of_the_data_is_a_bare_regular_expression():
    from cluster_profiles.contract import schema

    rules = [(f"{table.file_name}:{column}", check.error) for table in schema.TABLES.values()
             for column, spec in table.schema.columns.items() for check in spec.checks if check.name == "str_matches"]
    assert len(rules) > 10
    assert [where for where, error in rules if str(error).startswith("str_matches")] == []


def test_folders_named_in_the_environment_are_resolved_where_the_command_was_typed(tmp_path, monkeypatch):
    """A kernel runs in notebooks/ and inherits the environment: a relative folder must not move with it."""
    import os

    from cluster_profiles import cli

    monkeypatch.chdir(tmp_path)
    environ = {"CLUSTER_PROFILES_CACHE": "my-cache", "CLUSTER_PROFILES_ROOT": "~/project", "XDG_CACHE_HOME": "",
               "PATH": "/usr/bin"}
    cli.resolve_path_variables(environ)
    assert environ["CLUSTER_PROFILES_CACHE"] == str(tmp_path / "my-cache")
    assert environ["CLUSTER_PROFILES_ROOT"] == os.path.expanduser("~/project")
    assert environ["XDG_CACHE_HOME"] == "" and environ["PATH"] == "/usr/bin"  # unset or not a folder of ours: kept
    off = {"CLUSTER_PROFILES_CACHE": "off"}
    cli.resolve_path_variables(off)
    assert off == {"CLUSTER_PROFILES_CACHE": "off"}


def test_the_command_module_imports_neither_pandas_nor_pandera():
    """Every command starts by importing cli and what it imports at module level (the records commands' options
    too): a render must not wait a second for pandas and pandera before its kernel starts."""
    import subprocess
    import sys

    code = ("import sys, cluster_profiles.cli\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'duckdb', 'numpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
