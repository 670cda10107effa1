"""The report site: every page ``render-all`` makes, kind after kind, and the front page ``index.html``.

A site is one data folder's (``runner.roots``): its root records the folder, a render from another one is refused,
and a page the data no longer makes is removed when this tool wrote it, or else listed on the index as stale.
Each profile offers its data as a zip beside it, and the index the whole data folder (``runner.downloads``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cluster_profiles import paths
from cluster_profiles.contract.economies import economy_codes
from cluster_profiles.contract.folder_about import folder_about
from cluster_profiles.contract.tables import Tables
from cluster_profiles.files import write_files_atomically
from cluster_profiles.narrate.citations import gii_licence
from cluster_profiles.runner import roots
from cluster_profiles.runner.batch import BatchResult, output_path, plan_kind, render_many
from cluster_profiles.runner.downloads import DATA_ZIP, write_data_folder_zip
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


def economy_names(tables: Tables, code: str) -> str:
    """The economies of a cluster's code by name ('CN/HK' -> 'China / Hong Kong'); a code the economies table
    does not name is shown as it is."""
    names = dict(zip(tables.economies["code"], tables.economies["name"], strict=False))
    return " / ".join(str(names.get(part, part)) for part in economy_codes(code))


def index_entries(tables: Tables, reports_dir: Path) -> list[dict]:
    """One entry per rendered report whose cluster is in the data and that was made from it, the newest
    edition first, then by size rank."""
    clusters = tables.clusters.sort_values(["edition", "size_rank", "cluster"], ascending=[False, True, True],
                                           na_position="last")
    stale = _made_from_other_data(tables, reports_dir)
    entries = []
    for row in clusters.itertuples():
        href = str(paths.report_relpath(row.edition, row.cluster))
        if (reports_dir / href).is_file() and href not in stale:
            entries.append({
                "cluster": row.cluster, "economy": row.economy, "economy_name": economy_names(tables, row.economy),
                "edition": int(row.edition), "href": href,
                "size_rank": None if pd.isna(row.size_rank) else int(row.size_rank),
                "intensity_rank": None if pd.isna(row.intensity_rank) else int(row.intensity_rank),
            })
    return entries


def made_pages(tables: Tables) -> set[str]:
    """Every page the data makes (relative paths): each kind's instances in every edition, and the comparisons
    of clusters the data holds (a comparison the data no longer makes is not among them)."""
    pages = set()
    for spec in NOTEBOOKS.values():
        if spec.data_folder:
            pages |= {spec.relpath(parameters).as_posix()
                      for parameters in spec.instances(tables, tables.edition_list(), None)}
    return pages


def stale_pages(tables: Tables, reports_dir: Path, listed: list[str]) -> list[str]:
    """The pages in the root that the data does not make (another data folder's, a cluster since dropped, a
    comparison of a cluster no longer in the data) and that the index does not list: not this tool's to remove
    (not in the site file), so the index names them instead of leaving them unlisted."""
    made = made_pages(tables) | set(listed)
    found = [page.relative_to(reports_dir).as_posix() for page in sorted(reports_dir.glob("*/*.html"))
             + sorted(reports_dir.glob(f"*/{paths.COMPARE_FOLDER}/*.html")) + sorted(reports_dir.glob("overview-*.html"))]
    return [page for page in found if page not in made and not page.startswith("found/")]


def remove_pages_not_made(tables: Tables, reports_dir: Path) -> list[str]:
    """Remove the pages this tool wrote in the root (its site file) that the data no longer makes."""
    comparisons = {relpath.as_posix() for _, relpath in existing_pages(COMPARE, tables, reports_dir)}
    made = made_pages(tables) | comparisons
    return roots.remove_pages(reports_dir, tables.data_dir, roots.written_pages(reports_dir) - made)


def build_index(tables: Tables, reports_dir: Path | None = None) -> Path:
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    entries = index_entries(tables, reports_dir)
    editions = sorted({e["edition"] for e in entries}, reverse=True)  # the newest first: the index opens on it
    about = folder_about(tables)  # a computed folder's index makes no claim of WIPO's and carries no WIPO notice
    computed = about.title if about.computed else None
    overviews = [{"edition": parameters.edition, "href": str(relpath), "title": OVERVIEW.title(parameters, computed)}
                 for parameters, relpath in existing_pages(OVERVIEW, tables, reports_dir)]
    comparisons = [{"edition": parameters.edition, "href": str(relpath), "title": COMPARE.title(parameters, computed)}
                   for parameters, relpath in existing_pages(COMPARE, tables, reports_dir)]
    environment = Environment(loader=FileSystemLoader(paths.HTML_TEMPLATE_DIR),
                              autoescape=select_autoescape(["html", "j2"]))
    listed = [e["href"] for e in entries] + [o["href"] for o in overviews] + [c["href"] for c in comparisons]
    stale = stale_pages(tables, reports_dir, listed)
    data_dir = roots.data_folder_of(tables.data_dir)
    data_zip = DATA_ZIP if data_dir.is_dir() else None
    if data_zip:
        write_data_folder_zip(reports_dir, data_dir)
    html = environment.get_template("index.html.j2").render(
        reports=entries, editions=editions, overviews=overviews, comparisons=comparisons,
        licence=about.notice() if about.computed else gii_licence(), computed=about.computed, kicker=about.title,
        stale=stale, data_zip=data_zip, data_name=data_dir.name)
    target = paths.index_path(reports_dir)
    write_files_atomically({target: html})
    return target


def build_site(tables: Tables, reports_dir: Path | None = None, data_dir: str = "", editions: list[int] | None = None,
               economy: str | None = None, jobs: int | None = None, force: bool = False,
               progress: bool = True) -> BatchResult:
    """Every chosen page of each notebook kind, kind after kind (an overview links the profiles
    rendered before it), then the index; one summary for all."""
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    roots.claim(reports_dir, tables.data_dir)  # another data folder's site is refused before anything is written
    chosen = editions or tables.edition_list()
    result = BatchResult()
    for spec in NOTEBOOKS.values():
        tasks = plan_kind(spec, tables, chosen, economy, reports_dir)
        done = render_many(tasks, reports_dir, data_dir, jobs, force, progress)
        result.rendered += done.rendered
        result.skipped += done.skipped
        result.failed += done.failed
        written = done.rendered + done.skipped  # a failed page is recorded when it is first written
        roots.record_pages(reports_dir, tables.data_dir, [output_path(t, reports_dir).relative_to(reports_dir)
                                                          for t in written])
    remove_pages_not_made(tables, reports_dir)
    build_index(tables, reports_dir)
    return result
