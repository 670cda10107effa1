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
