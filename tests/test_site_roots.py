"""Issue 17 item 4, one site per data folder: each data folder's pages under their own root with their own index,
nothing of another folder overwritten, pages the data no longer makes removed (when this tool wrote them) or
listed as stale on the index. Issue 18 item 7: the index opens on the newest edition, names the economies and
offers the whole data folder."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_makefile import _make, project  # noqa: F401 - the Makefile in a fake environment (a fixture) and its runner

from cluster_profiles import cli, paths
from cluster_profiles.contract.load import load_tables
from cluster_profiles.names import VIA_MAKE
from cluster_profiles.runner import roots
from cluster_profiles.runner.batch import output_path, plan_kind
from cluster_profiles.runner.kinds import PROFILE
from cluster_profiles.runner.site import build_index, remove_pages_not_made

from bad_inputs import HOSTILE_MAKE_VALUES
from conftest import FIXTURE_DATA

HOSTILE_FOLDER_NAMES = ["my data", "it's \"quoted\"", "$(touch pwned-subshell)", "`touch pwned-tick`",
                        "données 数据 ☃", "-n --force", "back\\slash", "..a", "%", "数据"]


@pytest.fixture
def reports_home(tmp_path, monkeypatch):
    """The project's reports/ moved under tmp_path: the default roots are made beside it."""
    home = tmp_path / "project" / "reports"
    monkeypatch.setattr(paths, "REPORTS_DIR", home)
    return home


def _copy_data(target: Path) -> Path:
    import shutil

    shutil.copytree(FIXTURE_DATA, target)
    return target


def test_the_shipped_data_renders_into_reports_and_any_other_folder_into_its_own_root(reports_home, tmp_path):
    assert roots.default_reports_dir("") == roots.default_reports_dir(None) == reports_home
    assert roots.default_reports_dir(paths.DATA_DIR) == reports_home
    first, second = _copy_data(tmp_path / "first"), _copy_data(tmp_path / "second")
    one, two = roots.default_reports_dir(first), roots.default_reports_dir(second)
    assert one != two and reports_home not in {one, two}
    assert one.parent == two.parent == reports_home.parent and one.name.startswith("reports-")
    for root, folder in ((one, first), (two, second), (one, first)):  # the same folder again: its own root
        roots.claim(root, folder)
        roots.record_pages(root, folder, [])
    assert roots.site_data_dir(one) == str(first.resolve()) and roots.site_data_dir(two) == str(second.resolve())


@pytest.mark.parametrize("name", HOSTILE_FOLDER_NAMES)
def test_a_folder_of_any_name_gets_one_root_beside_reports(reports_home, tmp_path, name):
    folder = tmp_path / "in" / name
    folder.mkdir(parents=True)
    root = roots.default_reports_dir(folder)
    assert root.parent == reports_home.parent and root.name.startswith("reports-") and root != reports_home
    assert "/" not in root.name and all(ch.isalnum() or ch == "-" for ch in root.name)
    roots.claim(root, folder)
    roots.record_pages(root, folder, [])
    assert roots.site_data_dir(root) == str(folder.resolve())
    assert not list(tmp_path.rglob("pwned*"))


def test_a_root_of_another_data_folder_is_refused_naming_both(tmp_path):
    first, second = _copy_data(tmp_path / "first"), _copy_data(tmp_path / "second")
    root = tmp_path / "site"
    roots.claim(root, first)
    assert not root.exists()  # the site file is written with the first page: a failed render writes nothing
    roots.record_pages(root, first, [])
    with pytest.raises(roots.SiteRootError) as refused:
        roots.claim(root, second)
    message = str(refused.value)
    assert "\n" not in message and str(first.resolve()) in message and str(second.resolve()) in message
    assert "--reports-dir" in message
    (root / roots.SITE_FILE).write_text("{not json")
    with pytest.raises(roots.SiteRootError, match="not a site file"):
        roots.claim(root, first)


def test_the_projects_reports_from_before_sites_were_recorded_stay_the_shipped_datas(reports_home, tmp_path):
    """reports/ with pages but no site file was made from the shipped data: another folder may not take it."""
    (reports_home / "2024").mkdir(parents=True)
    (reports_home / "2024" / "hefei.html").write_text("<p>made from data/</p>")
    mine = _copy_data(tmp_path / "mine")
    with pytest.raises(roots.SiteRootError) as refused:
        roots.claim(reports_home, mine)
    assert str(paths.DATA_DIR.resolve()) in str(refused.value) and str(mine.resolve()) in str(refused.value)
    roots.claim(reports_home, "")  # the shipped data may
    roots.claim(reports_home.with_name("elsewhere"), mine)  # and another folder elsewhere, without a site file
    empty = tmp_path / "other" / "reports"
    empty.mkdir(parents=True)
    roots.claim(empty, mine)


@pytest.mark.parametrize("command", [["render-all"], ["render", "--cluster", "Hefei"],
                                     ["compare", "--clusters", "Hefei;Nanjing"]])
def test_the_command_refuses_another_folders_root_before_writing_anything(tmp_path, capsys, monkeypatch, command):
    first, second = _copy_data(tmp_path / "first"), _copy_data(tmp_path / "second")
    root = tmp_path / "site"
    roots.record_pages(root, first, ["2024/hefei.html"])
    before = sorted(p.name for p in root.rglob("*"))
    code = cli.main([*command, "--edition", "2024", "--data-dir", str(second), "--reports-dir", str(root)])
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1, error
    assert str(first.resolve()) in error and str(second.resolve()) in error and "Traceback" not in error
    assert sorted(p.name for p in root.rglob("*")) == before
    monkeypatch.setenv(VIA_MAKE, "1")  # from make, in make's words
    assert cli.main([*command, "--edition", "2024", "--data-dir", str(second), "--reports-dir", str(root)]) == 2
    error = capsys.readouterr().err
    assert "REPORTS" in error and "--reports-dir" not in error


def _page(root: Path, relpath: str, companions: bool = True) -> Path:
    html = root / relpath
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("<html></html>")
    if companions:
        for suffix in roots.PAGE_COMPANIONS:
            html.with_suffix(suffix).write_text("x")
        paths.fingerprint_path(html).write_text("f\n")
    return html


def _drop_cluster(data: Path, cluster: str) -> None:
    """The data folder without one cluster: its rows gone from every table."""
    for table in data.glob("*.csv"):
        text = table.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if "cluster" not in rows[0]:
            continue
        column = rows[0].index("cluster")
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([rows[0], *(r for r in rows[1:] if r[column] != cluster)])
        table.write_text(out.getvalue(), encoding="utf-8")


def test_a_dropped_clusters_pages_are_removed_and_others_listed_as_stale(tmp_path):
    data = _copy_data(tmp_path / "data")
    root = tmp_path / "site"
    written = ["2024/cairo.html", "2025/cairo.html", "2024/hefei.html", "2024/compare/cairo--hefei.html"]
    pages = [_page(root, relpath) for relpath in written]
    roots.record_pages(root, data, written)
    by_hand = _page(root, "2024/atlantis.html", companions=False)  # not written by this tool: never removed
    outside = tmp_path / "outside.html"
    outside.write_text("keep")
    record = json.loads((root / roots.SITE_FILE).read_text())
    record["pages"].append("../outside.html")  # a site file edited by hand: nothing outside the root is touched
    (root / roots.SITE_FILE).write_text(json.dumps(record))
    _drop_cluster(data, "Cairo")
    tables = load_tables(data)
    removed = remove_pages_not_made(tables, root)
    assert sorted(removed) == ["2024/cairo.html", "2024/compare/cairo--hefei.html", "2025/cairo.html"]
    for html in pages[:2] + pages[3:]:
        assert not any(p.exists() for p in (html, paths.fingerprint_path(html),
                                            *(html.with_suffix(s) for s in roots.PAGE_COMPANIONS)))
    assert pages[2].is_file() and by_hand.is_file() and outside.read_text() == "keep"
    assert roots.written_pages(root) == {"2024/hefei.html", "../outside.html"}
    index = BeautifulSoup(build_index(tables, root).read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in index.select("#stale a")] == ["2024/atlantis.html"]
    assert "cairo" not in str(index)


def test_another_folders_pages_in_a_root_without_a_site_file_are_listed_not_removed(fixture_tables, tmp_path):
    root = tmp_path / "reports"
    _page(root, "2024/my-computed-cluster.html")
    _page(root, "2024/hefei.html")
    assert remove_pages_not_made(fixture_tables, root) == []
    index = BeautifulSoup(build_index(fixture_tables, root).read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in index.select("#stale a")] == ["2024/my-computed-cluster.html"]
    assert (root / "2024" / "my-computed-cluster.html").is_file()


def test_the_index_opens_on_the_newest_edition_names_economies_and_offers_the_data_folder(fixture_tables, tmp_path):
    root = tmp_path / "site"
    tasks = {(t.cluster, t.edition): t for t in plan_kind(PROFILE, fixture_tables, None, None, root)}
    chosen = [("Hefei", 2024), ("Shenzhen–Hong Kong–Guangzhou", 2025), ("Cairo", 2025), ("Tokyo–Yokohama", 2023)]
    for key in chosen:
        html = output_path(tasks[key], root)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text("x")
    page = BeautifulSoup(build_index(fixture_tables, root).read_text(encoding="utf-8"), "html.parser")
    options = page.select("#edition option")
    assert [o.get_text() for o in options][:3] == ["2025", "2024", "2023"] and options[0].has_attr("selected")
    editions = [int(tr["data-edition"]) for tr in page.select("#reports tbody tr")]
    assert editions == sorted(editions, reverse=True)
    cells = {tr["data-cluster"]: tr.find_all("td")[1].get_text(" ", strip=True) for tr in page.select("#reports tbody tr")}
    assert cells["Hefei"] == "China (CN)" and cells["Cairo"] == "Egypt (EG)"
    names = dict(zip(fixture_tables.economies["code"], fixture_tables.economies["name"], strict=True))
    assert cells["Shenzhen–Hong Kong–Guangzhou"] == f"{names['CN']} / {names['HK']} (CN/HK)"  # Hong Kong, China
    link = page.select_one('a[href="data.zip"]')
    assert link is not None and link["download"] == f"{FIXTURE_DATA.name}.zip"
    names = zipfile.ZipFile(root / "data.zip").namelist()
    assert f"{FIXTURE_DATA.name}/clusters.csv" in names


# ------------------------------------------------------------------------------------ with kernels


@pytest.mark.kernel
def test_a_site_is_incremental_offers_each_profiles_data_and_drops_a_cluster_the_data_no_longer_has(tmp_path):
    from cluster_profiles.runner.site import build_site

    data = _copy_data(tmp_path / "computed data")
    root = tmp_path / "site"
    first = build_site(load_tables(data), root, str(data), editions=[2025], economy="EG", jobs=1, progress=False)
    assert first.ok and [t.kind for t in first.rendered] == ["profile", "overview"]
    page = root / "2025" / "cairo.html"
    link = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("p.page-download a")
    assert link is not None and link["href"] == "cairo.zip" and (root / "2025" / "cairo.zip").is_file()
    assert "2025/cairo.html" in roots.written_pages(root) and roots.site_data_dir(root) == str(data.resolve())
    zipped, stamp = (root / "2025" / "cairo.zip").read_bytes(), (root / "2025" / "cairo.zip").stat().st_mtime_ns
    again = build_site(load_tables(data), root, str(data), editions=[2025], economy="EG", jobs=1, progress=False)
    assert again.rendered == [] and len(again.skipped) == 2  # nothing rendered again, the zip not rewritten
    assert (root / "2025" / "cairo.zip").read_bytes() == zipped and (root / "2025" / "cairo.zip").stat().st_mtime_ns == stamp
    _drop_cluster(data, "Cairo")
    build_site(load_tables(data), root, str(data), editions=[2025], economy="EG", jobs=1, progress=False)
    assert not [p.name for p in (root / "2025").iterdir() if p.name.startswith(("cairo", ".cairo"))]
    assert "cairo" not in (root / "index.html").read_text(encoding="utf-8")


@pytest.mark.kernel
def test_through_make_a_folder_of_any_name_gets_its_own_site_and_another_folders_is_refused(tmp_path):
    """The real Makefile and command, in a project folder under tmp_path (its notebooks linked)."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    home = tmp_path / "project"
    home.mkdir()
    shutil.copy(paths.REPO_ROOT / "Makefile", home)
    shutil.copy(paths.REPO_ROOT / "pyproject.toml", home)
    (home / "requirements").mkdir()
    shutil.copy(paths.REPO_ROOT / "requirements" / "lock-py311.txt", home / "requirements")
    (home / "notebooks").symlink_to(paths.NOTEBOOKS_DIR)
    (home / "data").symlink_to(FIXTURE_DATA)
    bin_dir = home / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "cluster-profiles").write_text(f"#!/bin/sh\nexec {sys.executable} -m cluster_profiles.cli \"$@\"\n")
    (bin_dir / "cluster-profiles").chmod(0o755)
    for extra in ("render", "compute", "spark", "lab", "dev"):
        (home / "venv" / f".installed-{extra}").touch()
    hostile = _copy_data(tmp_path / "it's \"my\" $(touch pwned) données")
    other = _copy_data(tmp_path / "other")
    environment = {k: v for k, v in os.environ.items() if k not in {"CONDA_PREFIX", "MAKEFLAGS", "MFLAGS"}}
    environment |= {"VIRTUAL_ENV": str(home / "venv"), "CLUSTER_PROFILES_ROOT": str(home)}

    def make(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(["make", "--no-print-directory", *argv], cwd=home, env=environment,
                              capture_output=True, text=True, timeout=300)

    done = make("report", "CLUSTER=Cairo", "EDITION=2025", f"DATA={hostile}")
    assert done.returncode == 0, done.stderr
    [root] = [p for p in home.iterdir() if p.name.startswith("reports-")]
    assert (root / "2025" / "cairo.html").is_file() and (root / "2025" / "cairo.zip").is_file()
    assert not (home / "reports").exists() and not list(tmp_path.rglob("pwned"))
    refused = make("reports", f"DATA={other}", f"REPORTS={root}")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, refused.stderr  # one line says what was wrong (a progress line may come before it)
    assert errors[0].startswith("error: REPORTS ") and str(hostile.resolve()) in errors[0] \
        and str(other.resolve()) in errors[0], refused.stderr


# ------------------------------------------------------------------------------------ through make, no kernel


@pytest.mark.parametrize("value", HOSTILE_MAKE_VALUES, ids=range(len(HOSTILE_MAKE_VALUES)))
def test_reports_and_data_arrive_as_literal_arguments_through_make(project, value):  # noqa: F811
    for target in ("report", "reports", "compare", "find-clusters"):
        [argv] = _make(project, target, f"REPORTS={value}", f"DATA={value}", "CLUSTERS=Hefei;Wuhan", "RECORDS=r")
        assert argv[argv.index("--reports-dir") + 1] == value, target
    assert not list(project.rglob("*pwned*"))


def test_without_reports_make_passes_no_reports_folder(project):  # noqa: F811
    """The command derives the root from the data folder (tested above): make adds nothing of its own."""
    for target in ("report", "reports", "compare"):
        [argv] = _make(project, target, "DATA=some folder", "CLUSTERS=Hefei;Wuhan")
        assert "--reports-dir" not in argv


def test_a_computed_folders_index_says_what_the_folder_is_and_makes_no_claim_of_wipos(tmp_path):
    from cluster_profiles.compute.example import DATA_FOLDER, run_example

    run_example(tmp_path / "example", 2024, progress=False)
    tables = load_tables(tmp_path / "example" / DATA_FOLDER)
    page = BeautifulSoup(build_index(tables, tmp_path / "site").read_text(encoding="utf-8"), "html.parser")
    text = page.get_text(" ")
    assert "Global Innovation Index" not in text and "WIPO, Global" not in text and "GII " not in text
    assert "Not WIPO data" in text and page.select_one(".kicker").get_text() != "Global Innovation Index"
    published = BeautifulSoup(build_index(load_tables(FIXTURE_DATA), tmp_path / "published").read_text(
        encoding="utf-8"), "html.parser")
    assert published.select_one(".kicker").get_text() == "Global Innovation Index"
    assert "licensed CC BY 4.0" in published.get_text(" ")
