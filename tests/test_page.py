"""One page from the command line (runner/page.py): checks before any kernel, kernel first, the same page as a
plain render."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import psutil
import pytest

from cluster_profiles import paths
from cluster_profiles.errors import DataValidationError, UnknownClusterError, UnknownEditionError
from cluster_profiles.fingerprints import data_folder_digest as data_digest
from cluster_profiles.runner.kinds import PROFILE
from cluster_profiles.runner.page import STAMP_NAME, render_page


def render_one(parameters, reports_dir):
    return render_page(PROFILE, parameters, reports_dir)


@pytest.mark.slow
def test_same_report_as_render_report_first_run_and_rerun(hefei_report, tmp_path):
    for _ in range(2):  # the first run validates here and writes the stamp; the rerun trusts the stamp
        html_path = render_one({"cluster": "hefei", "edition": 2024, "data_dir": ""}, reports_dir=tmp_path)
        assert html_path == tmp_path.resolve() / "2024" / "hefei.html"  # the canonical name's page
        assert html_path.read_bytes() == hefei_report.html_path.read_bytes()
        assert paths.executed_notebook_path(html_path).read_bytes() == hefei_report.notebook_path.read_bytes()
    stamp = json.loads((tmp_path / STAMP_NAME).read_text())
    assert stamp["digest"] == data_digest(paths.DATA_DIR) and "Hefei" in stamp["names_by_edition"]["2024"]


@pytest.mark.parametrize("parameters, error", [
    ({"cluster": "Hefie", "edition": 2024, "data_dir": ""}, UnknownClusterError),
    ({"cluster": "Hefei", "edition": 2019, "data_dir": ""}, UnknownEditionError),
    ({"cluster": "Hefei", "edition": 2024, "data_dir": "/nonexistent"}, DataValidationError),
])
def test_bad_input_fails_before_a_kernel_and_writes_nothing(tmp_path, parameters, error):
    # no kernel: under `make check` (--no-kernels) starting one fails the test
    with pytest.raises(error):
        render_one(parameters, reports_dir=tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("parameters, error", [
    ({"cluster": "Hefie", "edition": 2024}, UnknownClusterError),
    ({"cluster": "Hefei", "edition": 2019}, UnknownEditionError),
])
def test_bad_input_fails_before_a_kernel_when_the_data_is_stamped(tmp_path, parameters, error):
    names = {"2024": ["Hefei", "Nanjing"], "2025": ["Hefei"]}
    stamp = {"data_dir": str(paths.DATA_DIR), "digest": data_digest(paths.DATA_DIR), "names_by_edition": names}
    (tmp_path / STAMP_NAME).write_text(json.dumps(stamp))
    with pytest.raises(error) as caught:
        render_one({**parameters, "data_dir": ""}, reports_dir=tmp_path)
    assert "2024, 2025" in str(caught.value) or "Did you mean 'Hefei'" in str(caught.value)  # from the stamp
    assert [p.name for p in tmp_path.iterdir()] == [STAMP_NAME]


def test_a_changed_data_folder_is_validated_again(tmp_path, data_copy):
    reports = tmp_path / "reports"
    names = {"2024": ["Hefei"]}
    reports.mkdir()
    stamp = {"data_dir": str(data_copy), "digest": data_digest(data_copy), "names_by_edition": names}
    (reports / STAMP_NAME).write_text(json.dumps(stamp))
    with (data_copy / "clusters.csv").open("a", encoding="utf-8") as table:
        table.write("not,a,valid,row\n")
    with pytest.raises(DataValidationError):  # the stamp no longer matches: validated again, and refused
        render_one({"cluster": "Hefei", "edition": 2024, "data_dir": str(data_copy)}, reports_dir=reports)
    shutil.rmtree(reports)


@pytest.mark.slow
def test_the_command_process_imports_neither_pandas_nor_pandera_on_a_rerun(tmp_path):
    code = ("import sys\nfrom cluster_profiles.cli import main\n"
            f"assert main(['render', '--reports-dir', {str(tmp_path)!r}]) == 0\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'seaborn', 'rfc3987_syntax') if sys.modules.get(m)))")
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # writes the stamp
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "2024" / "hefei.html").is_file()
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before  # no kernel left behind
