"""Pages do not depend on pandas' string inference (the default from pandas 3 on).

With it, a column of ``Markup`` built into a new DataFrame becomes pandas' ``str`` dtype, which drops the
Markup: the cell is then escaped as text and the page shows raw HTML (a link as ``<a class="cite" ...>``,
``Xi'an`` as ``Xi&#39;an``). pandas 2.3 has the same inference behind ``future.infer_string``, so each
section is rendered both ways here, on the fixture data, and must come out the same.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_profiles.narrate.profile import build_profile, clusters_of_edition, edition_info
from cluster_profiles.pages.overview import data as overview_data
from cluster_profiles.pages.overview import sections as overview_sections
from cluster_profiles.pages.profile import sections

pytestmark = pytest.mark.slow  # every section drawn twice, maps included: about a minute


def _both_ways(render, subject) -> tuple[str, str]:
    plain = str(render(subject))
    with pd.option_context("future.infer_string", True):
        inferred = str(render(subject))
    return plain, inferred


@pytest.mark.parametrize("section", overview_sections.OVERVIEW_SECTIONS,
                         ids=lambda s: f"{s.name}-{s.argument}" if s.argument else s.name)
def test_each_overview_section_is_the_same_with_string_inference(fixture_tables, section, tmp_path):
    for year in fixture_tables.edition_list():
        overview = overview_data.Overview(fixture_tables, edition_info(fixture_tables, year), None, tmp_path)
        plain, inferred = _both_ways(section.render, overview)
        assert inferred == plain, f"{section.name} of {year} differs with pandas' string inference"


@pytest.mark.parametrize("section", sections.PROFILE_SECTIONS,
                         ids=lambda s: f"{s.name}-{s.argument}" if s.argument else s.name)
def test_each_profile_section_is_the_same_with_string_inference(fixture_tables, section):
    for year in fixture_tables.edition_list():
        for cluster in clusters_of_edition(fixture_tables, year)[:3]:
            plain, inferred = _both_ways(section.render, build_profile(fixture_tables, cluster, year))
            assert inferred == plain, f"{section.name} of {cluster} {year} differs with pandas' string inference"
