"""Batch rendering: planning, fingerprints, incremental rebuilds, failure isolation, warm = fresh."""

from __future__ import annotations

import pytest
from rendering import render_profile as render_report

from cluster_profiles import fingerprints
from cluster_profiles.contract import scope
from cluster_profiles.contract.load import load_tables
from cluster_profiles.pages.parameters import ReportParameters
from cluster_profiles.runner import batch

from bad_inputs import HEFEI_TOP1, _rewrite, _set


def _fingerprints(tables) -> dict[tuple[str, int], str]:
    return {(t.cluster, t.edition): t.fingerprint for t in batch.plan(tables, code_hash="code")}


def test_plan_covers_every_cluster_and_filters(fixture_tables):
    everything = batch.plan(fixture_tables, code_hash="code")
    assert len(everything) == len(fixture_tables.clusters)
    assert [t.cluster for t in batch.plan(fixture_tables, [2025], "EG", code_hash="code")] == ["Cairo"]
    chinese_2024 = batch.plan(fixture_tables, [2024], "cn", code_hash="code")
    assert "Shenzhen–Hong Kong–Guangzhou" in {t.cluster for t in chinese_2024}  # CN/HK counts for CN
    again = batch.plan(fixture_tables, [2024], "cn", code_hash="code")  # a subset: a full plan costs seconds
    assert [t.fingerprint for t in again] == [t.fingerprint for t in chinese_2024]


def test_fingerprint_follows_the_rows_a_report_reads(data_copy):
    before = _fingerprints(load_tables(data_copy))
    _rewrite(data_copy / "top_organisations.csv", _set("top_organisations.csv", HEFEI_TOP1, "count", "2070")[1])
    after = _fingerprints(load_tables(data_copy))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {("Hefei", 2024)}



def _inputs_in_a_plan(tables, pages: list[tuple[str | None, int]]) -> list[str]:
    """What ``report_inputs`` gives for each page while ``plan_kind`` plans (a kind whose one page reads them all)."""
    from dataclasses import replace

    from cluster_profiles.runner.kinds import PROFILE

    texts: list[str] = []
    spec = replace(PROFILE, instances=lambda *_: [ReportParameters(cluster="Hefei", edition=2024)],
                   inputs=lambda t, p, _: texts.extend(scope.report_inputs(t, c, e) for c, e in pages) or "")
    batch.plan_kind(spec, tables, code_hash="code")
    return texts


def test_a_plan_gives_each_page_the_inputs_it_would_get_alone(fixture_tables):
    """A plan writes each table once and picks each page's lines: the same text as ``rows_in_scope`` written
    page by page, also when a value holds a line break (no line per row) and for a cluster without rows."""
    from dataclasses import replace

    top = fixture_tables.top_organisations.copy()
    top.loc[top.index[0], "organisation"] = 'Two\nlines, "quoted"'
    broken_line = (str(top["cluster"].iloc[0]), int(top["edition"].iloc[0]))
    pages = [("Hefei", 2024), broken_line, ("Cairo", 2025), ("Atlantis", 2024), (None, 2024), (None, 2025)]
    for tables in (fixture_tables, replace(fixture_tables, top_organisations=top)):
        alone = [scope.report_inputs(tables, cluster, edition) for cluster, edition in pages]
        assert _inputs_in_a_plan(tables, pages) == alone
    assert 'Two\nlines, ""quoted""' in alone[1] and "Two" not in alone[2]  # Cairo reads no other top list


def test_fingerprint_follows_the_code(fixture_tables):
    [cairo_a] = batch.plan(fixture_tables, [2025], "EG", code_hash="a")
    [cairo_b] = batch.plan(fixture_tables, [2025], "EG", code_hash="b")
    assert cairo_a.fingerprint != cairo_b.fingerprint


@pytest.mark.kernel
def test_incremental_build_and_failure_isolation(tmp_path):
    tables = load_tables()
    tasks = batch.plan(tables, [2024, 2025], "EG")  # Cairo 2024 and 2025
    broken = batch.Task("profile", ReportParameters(cluster="Atlantis", edition=2024), "0" * 64)
    first = batch.render_many([*tasks, broken], tmp_path, jobs=2, progress=False)
    assert [t.cluster for t in first.rendered] == ["Cairo", "Cairo"]
    assert [t.cluster for t, _ in first.failed] == ["Atlantis"] and not first.ok
    assert "FAILED Atlantis (GII 2024): Unknown cluster 'Atlantis' in GII 2024" in batch.summary(first)
    second = batch.render_many(tasks, tmp_path, jobs=2, progress=False)
    assert second.rendered == [] and len(second.skipped) == 2
    (tmp_path / "2025" / "cairo.html").unlink()
    third = batch.render_many(tasks, tmp_path, jobs=2, progress=False)
    assert [t.edition for t in third.rendered] == [2025]


@pytest.mark.kernel
def test_a_warm_kernel_renders_what_a_fresh_kernel_renders(tmp_path):
    """Nanjing then Hefei in one reused kernel must give the bytes of Hefei in a fresh kernel."""
    tables = load_tables()
    by_name = {(t.cluster, t.edition): t for t in batch.plan(tables, [2024])}
    tasks = [by_name[("Nanjing", 2024)], by_name[("Hefei", 2024)]]
    result = batch.render_many(tasks, tmp_path / "warm", jobs=1, progress=False)
    assert result.ok and len(result.rendered) == 2
    fresh = render_report({"cluster": "Hefei", "edition": 2024}, reports_dir=tmp_path / "fresh")
    for suffix in (".html", ".ipynb"):
        warm_bytes = (tmp_path / "warm" / "2024" / f"hefei{suffix}").read_bytes()
        assert warm_bytes == fresh.html_path.with_suffix(suffix).read_bytes(), suffix


def test_notebook_fingerprint_ignores_metadata_and_outputs_but_not_sources(tmp_path):
    import json

    from cluster_profiles import paths

    original = json.loads(paths.PROFILE_NOTEBOOK.read_text(encoding="utf-8"))
    base = fingerprints.notebook_digest(paths.PROFILE_NOTEBOOK)
    opened = json.loads(json.dumps(original))  # what JupyterLab writes after opening and running it
    opened["metadata"]["widgets"] = {"state": {}}
    opened["metadata"]["language_info"]["version"] = "3.11.9"
    for cell in opened["cells"]:
        cell["metadata"]["execution"] = {"iopub.status.busy": "2026-11-29T10:00:00"}
        if cell["cell_type"] == "code":
            cell["execution_count"] = 7
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
    copy = tmp_path / "opened.ipynb"
    copy.write_text(json.dumps(opened, indent=2), encoding="utf-8")
    assert fingerprints.notebook_digest(copy) == base
    edited = json.loads(json.dumps(original))
    edited["cells"][2]["source"] = ["profile = None"]
    copy.write_text(json.dumps(edited), encoding="utf-8")
    assert fingerprints.notebook_digest(copy) != base


def test_the_summary_names_the_kept_notebook_of_a_failed_render():
    task = batch.Task("profile", ReportParameters(cluster="Hefei", edition=2024, data_dir=""), "0" * 64)
    reason = ("The notebook failed for Hefei (GII 2024): RuntimeError: x\n  in cell 5 (In [4]): boom()\n"
              "  executed notebook kept at: /r/2024/hefei.failed.ipynb")
    text = batch.summary(batch.BatchResult(failed=[(task, reason)]))
    assert text.splitlines() == ["0 rendered, 0 up to date, 1 failed",
                                 "  FAILED Hefei (GII 2024): The notebook failed for Hefei (GII 2024): RuntimeError: x",
                                 "    executed notebook kept at: /r/2024/hefei.failed.ipynb"]


def _as_a_single_render_left_it(tables, task, reports_dir, data_dir: str) -> None:
    """A page, its executed notebook and the marker ``render`` (the single path) writes beside them."""
    from cluster_profiles import paths
    from cluster_profiles.runner.render import single_render_fingerprint

    html = batch.output_path(task, reports_dir)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("page")
    paths.executed_notebook_path(html).write_text("{}")
    checked = task.spec.prepare(tables, task.spec.check({**task.parameters.model_dump(), "data_dir": data_dir}))
    paths.fingerprint_path(html).write_text(single_render_fingerprint(checked, task.spec.notebook) + "\n")


def test_a_page_a_single_render_made_is_up_to_date_for_the_batch(data_copy, tmp_path, monkeypatch):
    """`make report` then `make reports`: the page is not rendered again; other data or code makes it stale."""
    from cluster_profiles import paths

    monkeypatch.chdir(data_copy.parent)
    tables = load_tables(data_copy)
    [hefei] = [t for t in batch.plan_kind(batch.PROFILE, tables, [2024], reports_dir=tmp_path)
               if t.cluster == "Hefei"]
    _as_a_single_render_left_it(tables, hefei, tmp_path, "data")  # the folder as the user typed it, relative
    [planned] = [t for t in batch.plan_kind(batch.PROFILE, tables, [2024], reports_dir=tmp_path)
                 if t.cluster == "Hefei"]
    assert planned.single_render and batch.is_current(planned, tmp_path)
    result = batch.render_many([planned], tmp_path, jobs=1, progress=False)
    assert result.rendered == [] and result.skipped == [planned]
    marker = paths.fingerprint_path(batch.output_path(planned, tmp_path))
    assert marker.read_text().strip() == planned.fingerprint  # the batch's own from now on

    _as_a_single_render_left_it(tables, hefei, tmp_path, "data")
    _rewrite(data_copy / "top_organisations.csv", _set("top_organisations.csv", HEFEI_TOP1, "count", "2070")[1])
    changed = load_tables(data_copy)
    [stale] = [t for t in batch.plan_kind(batch.PROFILE, changed, [2024], reports_dir=tmp_path)
               if t.cluster == "Hefei"]
    assert not stale.single_render and not batch.is_current(stale, tmp_path)


def test_a_single_render_of_a_page_that_lists_the_reports_folder_is_rendered_again(tmp_path):
    """The overview links the profiles that exist: a single render's marker does not say which did."""
    from cluster_profiles.runner.kinds import OVERVIEW

    tables = load_tables()
    [overview] = batch.plan_kind(OVERVIEW, tables, [2024], reports_dir=tmp_path)
    _as_a_single_render_left_it(tables, overview, tmp_path, "")
    [alone] = batch.plan_kind(OVERVIEW, tables, [2024], reports_dir=tmp_path)
    assert alone.single_render  # nothing else in the folder: the same inputs
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "hefei.html").write_text("a profile")
    [with_a_profile] = batch.plan_kind(OVERVIEW, tables, [2024], reports_dir=tmp_path)
    assert not with_a_profile.single_render and not batch.is_current(with_a_profile, tmp_path)


@pytest.mark.kernel
def test_make_report_then_make_reports_renders_nothing_again(tmp_path):
    """The real single path (``page.render_page``, the stamp's fast path on the second page), then a plan."""
    from cluster_profiles.runner.kinds import PROFILE
    from cluster_profiles.runner.page import render_page

    render_page(PROFILE, {"cluster": "cairo", "edition": 2024}, reports_dir=tmp_path)  # validates, writes the stamp
    render_page(PROFILE, {"cluster": "Cairo", "edition": 2025}, reports_dir=tmp_path)  # from the stamp, no pandas
    tasks = batch.plan_kind(PROFILE, load_tables(), [2024, 2025], "EG", reports_dir=tmp_path)
    assert [t.cluster for t in tasks] == ["Cairo", "Cairo"]
    result = batch.render_many(tasks, tmp_path, jobs=1, progress=False)
    assert result.rendered == [] and len(result.skipped) == 2


def test_the_bar_is_labelled_and_gives_no_pace_until_each_worker_has_warmed_up():
    """The first page of each worker includes its kernel's start: no rate or time left from it."""
    import io

    shown = io.StringIO()
    bar = batch.PagesBar(total=10, desc="Profiles", unit="page", warm_after=2, file=shown, mininterval=0)
    now = [0.0]
    bar._time = lambda: now[0]
    bar.start_t = bar.last_print_t = 0.0
    lines = []
    for seconds in (20.0, 20.5, 21.0, 21.5):  # both kernels start in 20 s, then a page every half second
        now[0] = seconds
        bar.update()
        lines.append(shown.getvalue().split("\r")[-1].strip())
    bar.close()
    assert all(line.startswith("Profiles:") for line in lines)
    assert "<" not in lines[0] and "<" not in lines[1] and "page/s" not in lines[1]
    assert "page/s" in lines[3] and "<" in lines[3]
    rate = float(lines[3].split("page/s")[0].split()[-1])
    assert rate > 1.0, lines  # the pace after the warm-up (pages every half second), not 4 pages in 21 s


@pytest.mark.kernel
def test_pages_run_in_one_kernel_share_one_client_until_the_kernel_is_shut_down(tmp_path):
    """A warm kernel's pages reuse the client that connected for the first one (nbclient would connect anew and
    wait a fifth of a second for each); shutting the kernel down closes that client."""
    from jupyter_core.utils import run_sync

    from cluster_profiles import paths
    from cluster_profiles.runner.execute import execute_to_files
    from cluster_profiles.runner.kernels import KEPT_CLIENTS, new_kernel_manager, shutdown_kernel

    manager = new_kernel_manager(str(tmp_path))
    run_sync(manager.start_kernel)()
    try:
        clients = []
        for cluster in ("Nanjing", "Hefei"):
            execute_to_files(paths.PROFILE_NOTEBOOK, {"cluster": cluster, "edition": 2024, "data_dir": ""},
                             tmp_path / f"{cluster}.html", cluster, what=cluster, kernel_manager=manager)
            clients.append(KEPT_CLIENTS[manager])
        assert clients[0] is clients[1] and clients[0].channels_running
    finally:
        shutdown_kernel(manager)
    assert manager not in KEPT_CLIENTS and not clients[0].channels_running
    assert "Hefei is the twelfth-ranked cluster" in (tmp_path / "Hefei.html").read_text(encoding="utf-8")
