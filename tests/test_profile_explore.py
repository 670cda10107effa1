"""The cluster picker: its lists come from the data, and changing it changes the profile shown."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("ipywidgets")

from cluster_profiles import paths
from cluster_profiles.errors import UnknownClusterError  # noqa: E402
from cluster_profiles.narrate.profile import build_profile  # noqa: E402
from cluster_profiles.pages.profile import explore  # noqa: E402


@pytest.fixture
def sketch(monkeypatch):
    """The picker's wiring without drawing: its profile is a stand-in naming the cluster and edition (a real
    profile, every section drawn, is what test_the_picker_displays_as_a_widget shows)."""
    from markupsafe import Markup

    monkeypatch.setattr(explore, "profile_html", lambda p: Markup("<p>{} (GII {})</p>").format(p.cluster, p.edition))


def _ranked(tables, edition):
    rows = tables.clusters[(tables.clusters["edition"] == edition)].sort_values(["size_rank", "cluster"],
                                                                                 na_position="last")
    return list(rows["cluster"])


def test_the_lists_are_what_the_data_holds(fixture_tables, sketch):
    picker = explore.ClusterPicker(fixture_tables)
    assert list(picker.edition.options) == fixture_tables.edition_list()
    assert picker.edition.value == fixture_tables.edition_list()[-1]
    values = [value for _, value in picker.cluster.options]
    assert values == _ranked(fixture_tables, picker.edition.value)


def test_changing_the_cluster_changes_the_profile(fixture_tables, sketch):
    edition = fixture_tables.edition_list()[-1]
    first, second = _ranked(fixture_tables, edition)[:2]
    picker = explore.ClusterPicker(fixture_tables, edition, first)
    shown = picker.profile.value
    assert first in shown and str(explore.profile_html(build_profile(fixture_tables, first, edition))) == shown
    picker.cluster.value = second
    assert picker.profile.value != shown
    assert picker.profile.value == str(explore.profile_html(build_profile(fixture_tables, second, edition)))


def test_changing_the_edition_refills_the_list_and_keeps_the_cluster_when_it_can(fixture_tables, sketch):
    editions = fixture_tables.edition_list()
    in_all = [c for c in _ranked(fixture_tables, editions[-1])
              if all(c in _ranked(fixture_tables, e) for e in editions[-2:])]
    if not in_all:
        pytest.skip("no cluster of the fixture is in the last two editions")
    picker = explore.ClusterPicker(fixture_tables, editions[-1], in_all[0])
    picker.edition.value = editions[-2]
    assert [v for _, v in picker.cluster.options] == _ranked(fixture_tables, editions[-2])
    assert picker.cluster.value == in_all[0]
    assert f"GII {editions[-2]}" in picker.profile.value or str(editions[-2]) in picker.profile.value
    only_last = [c for c in _ranked(fixture_tables, editions[-1]) if c not in _ranked(fixture_tables, editions[-2])]
    if only_last:
        picker.edition.value = editions[-1]
        picker.cluster.value = only_last[0]
        picker.edition.value = editions[-2]  # not in that edition: the list's first cluster instead
        assert picker.cluster.value == _ranked(fixture_tables, editions[-2])[0]


def test_a_typed_cluster_is_resolved_or_refused(fixture_tables, sketch):
    edition = fixture_tables.edition_list()[-1]
    name = _ranked(fixture_tables, edition)[0]
    assert explore.ClusterPicker(fixture_tables, edition, name.upper()).cluster.value == name
    with pytest.raises(UnknownClusterError):
        explore.ClusterPicker(fixture_tables, edition, "Atlantis")


def test_the_picker_displays_as_a_widget(fixture_tables):
    picker = explore.ClusterPicker(fixture_tables)
    assert "application/vnd.jupyter.widget-view+json" in picker._repr_mimebundle_()
    shown = picker.profile.value  # drawn: the sections of the report, charts and map included
    assert picker.cluster.value in shown and shown.count("<img") >= 2 and 'class="sources"' in shown


def test_the_explore_notebook_calls_the_picker_and_the_list():
    cells = json.loads((paths.NOTEBOOKS_DIR / "explore.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "explore.picker()" in code and "report.list_clusters(" in code
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")  # a template: no outputs
