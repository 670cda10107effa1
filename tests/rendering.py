"""Render a profile in a test: the package's one render path (``runner.render.render``) for the profile kind,
with where the page and its executed notebook went."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cluster_profiles import paths
from cluster_profiles.runner.kinds import PROFILE
from cluster_profiles.runner.render import render


@dataclass(frozen=True)
class RenderedProfile:
    cluster: str
    edition: int
    html_path: Path
    notebook_path: Path


def render_profile(parameters: dict[str, object], *, reports_dir: Path, notebook: Path | None = None,
                   kernel_manager=None) -> RenderedProfile:
    html_path, checked = render(PROFILE, parameters, reports_dir=reports_dir, notebook=notebook,
                                kernel_manager=kernel_manager)
    return RenderedProfile(checked.cluster, checked.edition, html_path, paths.executed_notebook_path(html_path))
