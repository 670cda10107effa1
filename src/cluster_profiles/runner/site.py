"""The report site: every page ``render-all`` makes, kind after kind, and the front page ``index.html``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cluster_profiles import paths
from cluster_profiles.contract.tables import Tables
from cluster_profiles.files import write_files_atomically
from cluster_profiles.narrate.citations import gii_licence
from cluster_profiles.runner.batch import BatchResult, output_path, plan_kind, render_many
from cluster_profiles.runner.kinds import COMPARE, NOTEBOOKS, OVERVIEW, PROFILE, existing_pages


def _made_from_other_data(tables: Tables, reports_dir: Path) -> set[str]:
    """The profiles in ``reports_dir`` whose fingerprint proves they were made from other inputs than these
    tables' (another data folder, rows since changed, a render that failed and left the previous page): the
    index would show this data's ranks beside a page that shows other numbers. A page without a fingerprint
    (copied by hand) is not judged."""
    stale = set()
    for task in plan_kind(PROFILE, tables, tables.edition_list(), None, reports_dir):
        html = output_path(task, reports_dir)
        try:
            marker = paths.fingerprint_path(html).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError):
            marker = ""
        if marker not in {task.fingerprint, task.single_render} - {""}:
            stale.add(str(html.relative_to(reports_dir)))
    return stale


def index_entries(tables: Tables, reports_dir: Path) -> list[dict]:
    """One entry per rendered report whose cluster is in the data and that was made from it, sorted by edition
    then size rank."""
    clusters = tables.clusters.sort_values(["edition", "size_rank", "cluster"], na_position="last")
    stale = _made_from_other_data(tables, reports_dir)
    entries = []
    for row in clusters.itertuples():
        href = str(paths.report_relpath(row.edition, row.cluster))
        if (reports_dir / href).is_file() and href not in stale:
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
                                                                   comparisons=comparisons, licence=gii_licence())
    target = paths.index_path(reports_dir)
    write_files_atomically({target: html})
    return target


def build_site(tables: Tables, reports_dir: Path | None = None, data_dir: str = "", editions: list[int] | None = None,
               economy: str | None = None, jobs: int | None = None, force: bool = False,
               progress: bool = True) -> BatchResult:
    """Every chosen page of each notebook kind, kind after kind (an overview links the profiles
    rendered before it), then the index; one summary for all."""
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    chosen = editions or tables.edition_list()
    result = BatchResult()
    for spec in NOTEBOOKS.values():
        tasks = plan_kind(spec, tables, chosen, economy, reports_dir)
        done = render_many(tasks, reports_dir, data_dir, jobs, force, progress)
        result.rendered += done.rendered
        result.skipped += done.skipped
        result.failed += done.failed
    build_index(tables, reports_dir)
    return result
