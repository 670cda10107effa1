"""The registry of notebook kinds: each kind's pages, titles, checks and inputs come from one spec."""

from pathlib import PurePosixPath

import pytest
from pydantic import BaseModel, ConfigDict

from cluster_profiles import paths
from cluster_profiles.contract import scope
from cluster_profiles.errors import DataValidationError, ParameterError, UnknownClusterError, UnknownEditionError
from cluster_profiles.pages.parameters import ReportParameters
from cluster_profiles.runner import batch
from cluster_profiles.runner.kinds import FIND_CLUSTERS, NOTEBOOKS, OVERVIEW, PROFILE, NotebookSpec, existing_pages


def test_profiles_and_overviews_are_registered_in_rendering_order():
    assert list(NOTEBOOKS)[:2] == ["profile", "overview"]  # an overview links the profiles made before it
    assert PROFILE.notebook == paths.PROFILE_NOTEBOOK and OVERVIEW.notebook == paths.OVERVIEW_NOTEBOOK


def test_profile_parameters_are_checked_then_resolved_in_the_data(tables):
    checked = PROFILE.prepare(tables, PROFILE.check({"cluster": "shenzhen-hong kong-guangzhou", "edition": 2024}))
    assert checked.cluster == "Shenzhen–Hong Kong–Guangzhou"
    assert PROFILE.relpath(checked) == PurePosixPath("2024/shenzhen-hong-kong-guangzhou.html")
    assert PROFILE.title(checked, None) == "Shenzhen–Hong Kong–Guangzhou: GII 2024 S&T cluster profile"
    assert PROFILE.label(checked) == "Shenzhen–Hong Kong–Guangzhou (GII 2024)"
    with pytest.raises(ParameterError, match="Invalid report parameters"):
        PROFILE.check({"cluster": "Hefei", "year": 2024})
    with pytest.raises(UnknownClusterError):
        PROFILE.prepare(tables, PROFILE.check({"cluster": "Atlantis", "edition": 2024}))


def test_overview_parameters_and_page(tables):
    checked = OVERVIEW.prepare(tables, OVERVIEW.check({"edition": 2025}))
    assert OVERVIEW.relpath(checked) == PurePosixPath("overview-2025.html")
    assert OVERVIEW.title(checked, None) == "GII 2025: the top 100 S&T clusters at a glance"
    with pytest.raises(ParameterError, match="Invalid overview parameters"):
        OVERVIEW.check({"edition": 2024, "cluster": "Hefei"})
    with pytest.raises(UnknownEditionError):
        OVERVIEW.prepare(tables, OVERVIEW.check({"edition": 2019}))


def test_instances_are_what_render_all_makes(tables):
    assert [p.edition for p in OVERVIEW.instances(tables, [], None)] == tables.edition_list()
    egyptian = PROFILE.instances(tables, [2025], "EG")
    assert egyptian == [ReportParameters(cluster="Cairo", edition=2025)]


def test_an_overview_depends_on_the_reports_it_links(tables, tmp_path):
    parameters = OVERVIEW.check({"edition": 2024})
    before = OVERVIEW.inputs(tables, parameters, tmp_path)
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "hefei.html").write_text("x")
    assert OVERVIEW.inputs(tables, parameters, tmp_path) != before
    assert [str(r) for _, r in existing_pages(PROFILE, tables, tmp_path)] == ["2024/hefei.html"]


def test_find_clusters_is_a_kind_that_reads_records_not_the_data_folder(tmp_path):
    records = tmp_path / "My Records"
    with pytest.raises(ParameterError, match="records_dir is empty"):
        FIND_CLUSTERS.prepare(None, FIND_CLUSTERS.check({}))
    with pytest.raises(DataValidationError, match="My Records"):
        FIND_CLUSTERS.prepare(None, FIND_CLUSTERS.check({"records_dir": str(records)}))
    checked = FIND_CLUSTERS.check({"records_dir": str(records), "radius_km_values": [25.0]})
    assert FIND_CLUSTERS.relpath(checked) == PurePosixPath("found/my-records.html")
    assert FIND_CLUSTERS.title(checked, None) == "Clusters found in My Records"
    assert not FIND_CLUSTERS.data_folder and not FIND_CLUSTERS.index_links and not FIND_CLUSTERS.golden
    assert FIND_CLUSTERS.instances(None, [2024], None) == []  # render-all makes none
    with pytest.raises(ParameterError, match="Invalid clustering narrative parameters"):
        FIND_CLUSTERS.check({"records_dir": "x", "radius_km": 10})


class PairParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    clusters: list[str] = ["Hefei", "Nanjing"]
    edition: int = 2024
    data_dir: str = ""


PAIRS = NotebookSpec(
    kind="pair", notebook=paths.PROFILE_NOTEBOOK, parameters=PairParameters, what="comparison",
    relpath=lambda p: paths.compare_relpath(p.edition, p.clusters), title=lambda p, computed: " and ".join(p.clusters),
    label=lambda p: " vs ".join(p.clusters), prepare=lambda tables, p: p,
    inputs=lambda tables, p, reports_dir: scope.report_inputs(tables, None, p.edition),
    instances=lambda tables, editions, economy: [PairParameters()],
)


def test_a_third_kind_with_list_parameters_plans_like_the_others(tables, tmp_path, monkeypatch):
    monkeypatch.setitem(NOTEBOOKS, PAIRS.kind, PAIRS)
    tasks = batch.plan_kind(PAIRS, tables, [2024], reports_dir=tmp_path, code_hash="code")
    assert [t.label for t in tasks] == ["Hefei vs Nanjing"]
    assert len({tasks[0], batch.Task("pair", PairParameters(), tasks[0].fingerprint)}) == 1  # hashable with a list
    assert batch.output_path(tasks[0], tmp_path) == (tmp_path / "2024" / "compare" / "hefei--nanjing.html").resolve()
    assert not batch.is_current(tasks[0], tmp_path)
