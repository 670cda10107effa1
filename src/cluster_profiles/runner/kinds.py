"""The kinds of notebook the project renders, declared once.

A kind is a notebook, its parameters model, where its page goes, its title, what it depends on
and which pages ``render-all`` makes of it. The renderer (``render.render``, ``page.render_page``), the batch (tasks and
fingerprints), the index and the nbval golden pairs all read this registry, so a new kind (a
comparison, a clustering run) is one ``register`` call and its notebook.

A single render imports this module before its kernel starts, and must not wait for pandas then: the
functions that read tables import what reads them (the profile, the scope of each table) when called.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cluster_profiles import paths
from cluster_profiles.contract.economies import primary_economy
from cluster_profiles.contract.vocabulary import ABOUT_TABLE, COMPUTED
from cluster_profiles.errors import ParameterError, UnknownEditionError
from cluster_profiles.fingerprints import records_digest
from cluster_profiles.names import find_cluster, resolve_cluster
from cluster_profiles.pages.parameters import (
    CompareParameters,
    FindClustersParameters,
    OverviewParameters,
    ReportParameters,
    check_parameters,
)

if TYPE_CHECKING:  # pandas is imported only when tables are loaded (see page.py)
    from cluster_profiles.contract.tables import Tables


def computed_folder_title(data_dir: str | Path | None) -> str | None:
    """The title a computed data folder gives itself in its ``about.csv`` (``contract.folder_about``), or None for
    published GII data: a computed page's HTML title must not say "GII". Read with the csv module, since a
    single render's command imports no pandas (tests/test_kinds.py checks it agrees with ``folder_about``)."""
    about = Path(data_dir or paths.DATA_DIR) / f"{ABOUT_TABLE}.csv"
    try:
        with about.open(encoding="utf-8", newline="") as file:
            row = next(csv.DictReader(file), None)
    except (OSError, UnicodeError, csv.Error):  # the tables' validation names what is wrong with the file
        return None
    if not row or (row.get("basis") or "").strip() != COMPUTED:
        return None
    return (row.get("title") or "").strip() or None


@dataclass(frozen=True)
class NotebookSpec:
    kind: str  # "profile", "overview", …: the name the batch and the index use
    notebook: Path  # the template papermill executes
    parameters: type[BaseModel]  # its parameters cell, as a pydantic model
    what: str  # how messages name one page of this kind ("report", "overview")
    relpath: Callable[[Any], PurePosixPath]  # checked parameters -> the page, relative to reports/
    # the HTML <title>, given the folder's own title when the data folder is computed (computed_folder_title)
    title: Callable[[Any, str | None], str]
    label: Callable[[Any], str]  # the page in progress and failure messages
    # check against the data before a kernel starts; canonical names (tables: None if not data_folder)
    prepare: Callable[[Any, Any], Any]
    inputs: Callable[[Tables, Any, Path], str]  # the data (and pages) it reads, as text: its fingerprint
    instances: Callable[[Tables, list[int], str | None], list[Any]]  # the pages `render-all` makes
    golden: str | None = None  # tests/golden/<golden>: the notebook executed with its defaults (nbval)
    index_links: bool = True  # the index lists the pages of this kind that exist
    # the pages of this kind in a reports folder, for a kind whose pages `render-all` does not make
    # (instances cannot list them): (parameters, relpath) pairs; None: the instances that exist
    existing: Callable[[Tables, Path], list[tuple[Any, PurePosixPath]]] | None = None
    data_folder: bool = True  # reads a data folder (data_dir): loaded and checked first; a single render
    # records a fingerprint of it. False: prepare gets None and checks the kind's own inputs
    # what prepare does, from the cluster names of each edition alone (no tables, no pandas): a single
    # render of this kind then checks its parameters from a stamp of the validated data folder
    prepare_names: Callable[[Any, dict[int, list[str]]], Any] | None = None
    updates_index: bool = False  # a single render of this kind updates the index, if there is one

    def check(self, values: dict[str, object] | BaseModel) -> Any:
        """Parameters checked against the model (a model instance is taken as it is)."""
        if isinstance(values, self.parameters):
            return values
        if isinstance(values, BaseModel):
            values = values.model_dump()
        return check_parameters(self.parameters, dict(values), self.what)

    def page(self, reports_dir: Path, parameters: Any) -> Path:
        return paths.under(reports_dir, self.relpath(parameters))


NOTEBOOKS: dict[str, NotebookSpec] = {}  # in rendering order: pages that link others come after them


def register(spec: NotebookSpec) -> NotebookSpec:
    NOTEBOOKS[spec.kind] = spec
    return spec


# ------------------------------------------------------------------------------------ profile


def _prepare_profile(tables: Tables, parameters: ReportParameters) -> ReportParameters:
    from cluster_profiles.narrate.profile import build_profile  # pandas: see the module's note

    profile = build_profile(tables, parameters.cluster, parameters.edition)  # resolves spelling, or fails
    return parameters.model_copy(update={"cluster": profile.cluster})


def _prepare_profile_names(parameters: ReportParameters, names: dict[int, list[str]]) -> ReportParameters:
    """The edition and the cluster's canonical name, checked against the names of each edition."""
    if parameters.edition not in names:
        raise UnknownEditionError.for_edition(parameters.edition, sorted(names))
    cluster = resolve_cluster(parameters.cluster, names[parameters.edition], parameters.edition, names)
    return parameters.model_copy(update={"cluster": cluster})


def _profile_inputs(tables: Tables, parameters: ReportParameters, reports_dir: Path) -> str:
    from cluster_profiles.contract.scope import report_inputs  # pandas: see the module's note

    return report_inputs(tables, parameters.cluster, parameters.edition)


def _profile_instances(tables: Tables, editions: list[int], economy: str | None) -> list[ReportParameters]:
    """Every (cluster, edition) of the chosen editions (and economy), in ranking order."""
    clusters = tables.clusters
    if editions:
        clusters = clusters[clusters["edition"].isin(editions)]
    if economy:
        wanted = economy.upper()
        clusters = clusters[[primary_economy(code) == wanted or wanted in code.split("/")
                             for code in clusters["economy"]]]
    clusters = clusters.sort_values(["edition", "size_rank", "cluster"], na_position="last")
    return [ReportParameters(cluster=str(row.cluster), edition=int(row.edition), data_dir="") for row in clusters.itertuples()]


PROFILE = register(NotebookSpec(
    kind="profile",
    notebook=paths.PROFILE_NOTEBOOK,
    parameters=ReportParameters,
    what="report",
    relpath=lambda p: paths.report_relpath(p.edition, p.cluster),
    title=lambda p, computed: f"{p.cluster}: " + (f"{computed} ({p.edition})" if computed
                                                  else f"GII {p.edition} S&T cluster profile"),
    label=lambda p: f"{p.cluster} (GII {p.edition})",
    prepare=_prepare_profile,
    prepare_names=_prepare_profile_names,
    inputs=_profile_inputs,
    instances=_profile_instances,
    golden="cluster_profile_hefei_2024.ipynb",
))


# ----------------------------------------------------------------------------------- overview


def _prepare_overview(tables: Tables, parameters: OverviewParameters) -> OverviewParameters:
    from cluster_profiles.narrate.profile import edition_info  # pandas: see the module's note

    edition_info(tables, parameters.edition)  # an unknown edition fails here
    return parameters


def _overview_inputs(tables: Tables, parameters: OverviewParameters, reports_dir: Path) -> str:
    """The edition's rows, and which cluster reports exist (the overview links them)."""
    from cluster_profiles.contract.scope import report_inputs  # pandas: see the module's note

    linked = sorted(p.name for p in (Path(reports_dir) / str(parameters.edition)).glob("*.html"))
    return "\n".join([report_inputs(tables, None, parameters.edition), *linked])


OVERVIEW = register(NotebookSpec(
    kind="overview",
    notebook=paths.OVERVIEW_NOTEBOOK,
    parameters=OverviewParameters,
    what="overview",
    relpath=lambda p: paths.overview_relpath(p.edition),
    title=lambda p, computed: (f"{computed} ({p.edition}): the clusters at a glance" if computed
                               else f"GII {p.edition}: the top 100 S&T clusters at a glance"),
    label=lambda p: f"GII {p.edition} overview",
    prepare=_prepare_overview,
    inputs=_overview_inputs,
    instances=lambda tables, editions, economy: [OverviewParameters(edition=e, data_dir="", reports_dir="", page_dir="")
                                                 for e in (editions or tables.edition_list())],
    golden="edition_overview_2024.ipynb",
))


# ------------------------------------------------------------------------------ find-clusters


def _prepare_find_clusters(tables: Tables | None, parameters: FindClustersParameters) -> FindClustersParameters:
    """The records folder and the settings validated (every problem at once); both paths made absolute."""
    # DuckDB and the settings model: only for this kind, and not before a render's kernel starts
    from cluster_profiles.compute.records import validate_records
    from cluster_profiles.compute.settings import load_settings

    if not parameters.records_dir.strip():
        raise ParameterError("records_dir is empty: give the records folder to cluster")
    records = Path(parameters.records_dir).resolve()
    validate_records(records)
    load_settings(parameters.settings_path or None)
    settings = str(Path(parameters.settings_path).resolve()) if parameters.settings_path else ""
    return parameters.model_copy(update={"records_dir": str(records), "settings_path": settings})


def _find_clusters_inputs(tables: Tables | None, parameters: FindClustersParameters, reports_dir: Path) -> str:
    """Every byte of the records folder's files and of the settings file, and the thresholds tried."""
    settings = Path(parameters.settings_path) if parameters.settings_path else None
    return f"{records_digest(Path(parameters.records_dir), settings)}\n{parameters.model_dump_json()}"


FIND_CLUSTERS = register(NotebookSpec(
    kind="find-clusters",
    notebook=paths.FIND_CLUSTERS_NOTEBOOK,
    parameters=FindClustersParameters,
    what="clustering narrative",
    relpath=lambda p: paths.find_clusters_relpath(p.records_dir),
    title=lambda p, computed: f"Clusters found in {Path(p.records_dir).name}",
    label=lambda p: f"the clustering of {p.records_dir}",
    prepare=_prepare_find_clusters,
    inputs=_find_clusters_inputs,
    instances=lambda tables, editions, economy: [],  # one page per records folder asked for: render-all makes none
    index_links=False,  # the index lists the GII pages; a clustering run is a working page
    data_folder=False,
))


def existing_pages(spec: NotebookSpec, tables: Tables, reports_dir: Path) -> list[tuple[Any, PurePosixPath]]:
    """The pages of a kind that exist in ``reports_dir``: those ``render-all`` would make, or for a
    kind rendered only on demand (a comparison), those its ``existing`` finds."""
    if spec.existing is not None:
        return spec.existing(tables, Path(reports_dir))
    pages = []
    for parameters in spec.instances(tables, tables.edition_list(), None):
        relpath = spec.relpath(parameters)
        if (Path(reports_dir) / relpath).is_file():
            pages.append((parameters, relpath))
    return pages


# --------------------------------------------------------------------------------- comparison


def _prepare_comparison(tables: Tables, parameters: CompareParameters) -> CompareParameters:
    # pandas: see the module's note
    from cluster_profiles.narrate.profile import edition_info
    from cluster_profiles.pages.compare.data import resolve_clusters

    edition_info(tables, parameters.edition)  # an unknown edition fails here, before any name
    names = resolve_clusters(tables, parameters.clusters, parameters.edition)  # canonical, each once, or fails
    return parameters.model_copy(update={"clusters": names})


def _comparison_inputs(tables: Tables, parameters: CompareParameters, reports_dir: Path) -> str:
    """Each cluster's rows in every edition (the page shows its ranks across editions)."""
    from cluster_profiles.contract.scope import report_inputs  # pandas: see the module's note

    return "\n".join(report_inputs(tables, cluster, edition)
                     for cluster in parameters.clusters for edition in tables.edition_list())


def executed_parameters(notebook: Path) -> dict[str, object]:
    """The parameters papermill injected into an executed notebook (its ``injected-parameters`` cell),
    as literal values; empty when the file is missing or unreadable."""
    import ast
    import json

    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    values: dict[str, object] = {}
    for cell in cells:
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else str(source))
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    values[node.targets[0].id] = ast.literal_eval(node.value)
        except (SyntaxError, ValueError):
            return {}
    return values


def _existing_comparisons(tables: Tables, reports_dir: Path) -> list[tuple[CompareParameters, PurePosixPath]]:
    """The comparisons in ``reports_dir`` whose clusters are all in the data, read from the executed
    notebook beside each page (its injected parameters), by edition then file name."""
    from cluster_profiles.narrate.profile import clusters_of_edition  # pandas: see the module's note

    found = []
    for page in sorted(Path(reports_dir).glob(f"*/{paths.COMPARE_FOLDER}/*.html")):
        values = executed_parameters(paths.executed_notebook_path(page))
        try:
            edition = int(page.parent.parent.name)
            parameters = CompareParameters.model_validate({"clusters": values.get("clusters"), "edition": edition})
        except ValueError:  # a page this code did not write (pydantic's ValidationError is one): not listed
            continue
        if values.get("edition") != edition or edition not in tables.edition_list():
            continue
        known = clusters_of_edition(tables, edition)
        names = [find_cluster(name, known) for name in parameters.clusters]
        if all(names):
            found.append((parameters.model_copy(update={"clusters": names}), page.relative_to(reports_dir).as_posix()))
    return [(parameters, PurePosixPath(relpath)) for parameters, relpath in found]


COMPARE = register(NotebookSpec(
    kind="compare",
    notebook=paths.COMPARE_NOTEBOOK,
    parameters=CompareParameters,
    what="comparison",
    relpath=lambda p: paths.compare_relpath(p.edition, p.clusters),
    title=lambda p, computed: (f"{', '.join(p.clusters[:-1])} and {p.clusters[-1]} side by side, "
                               + (f"{computed} ({p.edition})" if computed else f"GII {p.edition}")),
    label=lambda p: f"{' vs '.join(p.clusters)} (GII {p.edition})",
    prepare=_prepare_comparison,
    inputs=_comparison_inputs,
    instances=lambda tables, editions, economy: [],  # rendered on demand (`make compare`), not by render-all
    golden="compare_clusters_hefei_nanjing_wuhan_2024.ipynb",
    existing=_existing_comparisons,
    updates_index=True,
))
