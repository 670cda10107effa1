"""The report site's front page: ``reports/index.html``, built from the reports that exist."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cluster_profiles import paths
from cluster_profiles.contract.tables import Tables
from cluster_profiles.files import write_files_atomically
from cluster_profiles.runner.kinds import COMPARE, OVERVIEW, existing_pages


def index_entries(tables: Tables, reports_dir: Path) -> list[dict]:
    """One entry per rendered report whose cluster is in the data, sorted by edition then size rank."""
    clusters = tables.clusters.sort_values(["edition", "size_rank", "cluster"], na_position="last")
    entries = []
    for row in clusters.itertuples():
        href = str(paths.report_relpath(row.edition, row.cluster))
        if (reports_dir / href).is_file():
            entries.append({
                "cluster": row.cluster, "economy": row.economy, "edition": int(row.edition), "href": href,
                "size_rank": None if pd.isna(row.size_rank) else int(row.size_rank),
                "intensity_rank": None if pd.isna(row.intensity_rank) else int(row.intensity_rank),
            })
    return entries


def build_index(tables: Tables, reports_dir: Path | None = None) -> Path:
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    entries = index_entries(tables, reports_dir)
    editions = sorted({e["edition"] for e in entries})
    overviews = [{"edition": parameters.edition, "href": str(relpath), "title": OVERVIEW.title(parameters)}
                 for parameters, relpath in existing_pages(OVERVIEW, tables, reports_dir)]
    comparisons = [{"edition": parameters.edition, "href": str(relpath), "title": COMPARE.title(parameters)}
                   for parameters, relpath in existing_pages(COMPARE, tables, reports_dir)]
    environment = Environment(loader=FileSystemLoader(paths.HTML_TEMPLATE_DIR),
                              autoescape=select_autoescape(["html", "j2"]))
    html = environment.get_template("index.html.j2").render(reports=entries, editions=editions, overviews=overviews,
                                                                   comparisons=comparisons)
    target = paths.index_path(reports_dir)
    write_files_atomically({target: html})
    return target
