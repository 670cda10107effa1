"""Working copies for JupyterLab: created once, never overwriting the user's edits, reset on request."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cluster_profiles import paths
from cluster_profiles.runner import lab


def _notebook(source: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                                  "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _templates(tmp_path: Path) -> Path:
    templates = tmp_path / "notebooks"
    templates.mkdir()
    (templates / "a.ipynb").write_text(_notebook("x = 1"), encoding="utf-8")
    (templates / "b.ipynb").write_text(_notebook("y = 2"), encoding="utf-8")
    return templates


def test_first_use_copies_every_template(tmp_path):
    templates, work = _templates(tmp_path), tmp_path / "lab"
    result = lab.prepare_working_copies(templates, work)
    assert sorted(p.name for p in result.created) == ["a.ipynb", "b.ipynb"]
    assert (work / "a.ipynb").read_text() == (templates / "a.ipynb").read_text()
    again = lab.prepare_working_copies(templates, work)
    assert not (again.created or again.refreshed or again.kept or again.reset)


def test_a_changed_copy_is_never_overwritten(tmp_path):
    templates, work = _templates(tmp_path), tmp_path / "lab"
    lab.prepare_working_copies(templates, work)
    (work / "a.ipynb").write_text(_notebook("x = 'mine'"), encoding="utf-8")
    (templates / "a.ipynb").write_text(_notebook("x = 3"), encoding="utf-8")  # the template moves on too
    result = lab.prepare_working_copies(templates, work)
    assert result.kept == [work / "a.ipynb"]
    assert "mine" in (work / "a.ipynb").read_text()
    assert any("make lab-reset" in line for line in result.messages())


def test_an_untouched_copy_follows_its_template(tmp_path):
    templates, work = _templates(tmp_path), tmp_path / "lab"
    lab.prepare_working_copies(templates, work)
    (templates / "b.ipynb").write_text(_notebook("y = 3"), encoding="utf-8")
    result = lab.prepare_working_copies(templates, work)
    assert result.refreshed == [work / "b.ipynb"]
    assert "y = 3" in (work / "b.ipynb").read_text()


def test_reset_restores_the_templates_and_keeps_a_backup(tmp_path):
    templates, work = _templates(tmp_path), tmp_path / "lab"
    lab.prepare_working_copies(templates, work)
    (work / "a.ipynb").write_text(_notebook("x = 'mine'"), encoding="utf-8")
    result = lab.prepare_working_copies(templates, work, reset=True)
    assert work / "a.ipynb" in result.reset
    assert (work / "a.ipynb").read_text() == (templates / "a.ipynb").read_text()
    assert "mine" in (work / "a.ipynb.bak").read_text()


def test_lab_command_roots_at_the_repository_on_localhost_without_a_token_in_argv():
    command = lab.jupyter_lab_command(paths.LAB_DIR / lab.PROFILE_COPY, ["--no-browser"])
    assert f"--ServerApp.root_dir={paths.REPO_ROOT}" in command
    assert "--ServerApp.ip=127.0.0.1" in command
    assert command[-1] == "lab/cluster_profile.ipynb"
    assert "--no-browser" in command
    assert not any("token" in part.lower() for part in command)


def test_the_working_copies_are_git_ignored():
    ignored = (paths.REPO_ROOT / ".gitignore").read_text().splitlines()
    assert f"{paths.LAB_DIR.name}/" in ignored


def test_the_lab_environment_puts_the_project_defaults_first_and_keeps_the_rest(tmp_path):
    environment = lab.lab_environment({"JUPYTER_CONFIG_PATH": f"/a{os.pathsep}/b", "OTHER": "x"})
    assert environment["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(lab.LAB_CONFIG_DIR), "/a", "/b"]
    assert environment["OTHER"] == "x"
    assert lab.lab_environment({})["JUPYTER_CONFIG_PATH"] == str(lab.LAB_CONFIG_DIR)


def test_jupyterlab_reads_no_news_prompt_from_the_project_defaults(monkeypatch, tmp_path):
    settings_utils = pytest.importorskip("jupyterlab_server.settings_utils")  # the `lab` extra
    key = "@jupyterlab/apputils-extension:notification"
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH"):
        monkeypatch.setenv(name, str(tmp_path / name))  # no user or outside configuration in the way
    before, _ = settings_utils._get_overrides(str(tmp_path))
    assert before.get(key, {}).get("fetchNews") is None
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", lab.lab_environment(os.environ)["JUPYTER_CONFIG_PATH"])
    after, _ = settings_utils._get_overrides(str(tmp_path))
    assert after[key]["fetchNews"] == "false"


# --------------------------------------------------------------- copies saved before the package moved into layers

@pytest.mark.parametrize("old, name", [
    ("from cluster_profiles import report", "report"),
    ("from cluster_profiles import overview as ov", "ov"),
    ("from cluster_profiles import compare", "compare"),
    ("from cluster_profiles.compute import report as fc", "fc"),
    ("from cluster_profiles import explore", "explore"),
    ("from cluster_profiles import paths, figures  # two at once", "figures"),
    ("import cluster_profiles.narrative as words", "words"),
    ("from cluster_profiles.load import load_tables", "load_tables"),
    ("    from cluster_profiles.schema import TABLES", "TABLES"),
])
def test_an_old_import_gets_a_replacement_that_imports_the_same_name(old, name):
    new = lab.replacement_line(old)
    assert new is not None and "cluster_profiles" in new
    namespace: dict[str, object] = {}
    exec(compile(new.strip() if old.startswith(" ") else new, "<cell>", "exec"), namespace)  # what the user pastes
    assert name in namespace


@pytest.mark.parametrize("line", ["from cluster_profiles import paths", "from cluster_profiles.pages.profile import "
                                  "notebook as report", "x = 'from cluster_profiles import report'", "import pandas"])
def test_a_current_import_or_other_code_needs_no_change(line):
    assert lab.replacement_line(line) is None


def test_a_kept_copy_with_an_old_import_is_told_exactly_what_to_change(tmp_path):
    templates, work = _templates(tmp_path), tmp_path / "lab"
    lab.prepare_working_copies(templates, work)
    mine = _notebook("from cluster_profiles import report\nprofile = report.load_profile('Hefei', 2024)")
    (work / "a.ipynb").write_text(mine, encoding="utf-8")
    result = lab.prepare_working_copies(templates, work)
    assert (work / "a.ipynb").read_text(encoding="utf-8") == mine  # never rewritten
    [message] = result.outdated
    assert str(work / "a.ipynb") in message and "cell 1" in message
    assert "`from cluster_profiles.pages.profile import notebook as report`" in message
    assert message in result.messages()
    (work / "b.ipynb").write_text(_notebook("from cluster_profiles.pages.profile import notebook as report"))
    assert lab.prepare_working_copies(templates, work).outdated == [message]  # a current copy is not reported
