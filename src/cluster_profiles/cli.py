"""The ``cluster-profiles`` command: render a report, list clusters, validate a data folder."""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import re
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import NoReturn

from cluster_profiles import cache, paths
from cluster_profiles.compute.adapters.commands import add_records_command, nonempty_path
from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.files import check_reports_dir
from cluster_profiles.names import VIA_COMMAND_LINE, VIA_MAKE, shorten
from cluster_profiles.runner.roots import default_reports_dir

# When the command is done, Python's last garbage collection walks every object its imports made (pandas,
# papermill, nbconvert): 0.3-0.4 s after a render, a tenth of it. Frozen at exit, they are freed without
# that walk (memory is released by the process exit all the same).
atexit.register(gc.freeze)


def skip_unused_iri_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax``, when installed (JupyterLab's dependencies bring it).

    jsonschema imports it eagerly for its 'iri' format checks, and importing it compiles about 35 Lark
    grammars: 1 s or more, a fifth of a render (python-jsonschema/jsonschema#1428). No notebook schema uses
    that format, and jsonschema skips a checker whose module cannot be imported.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # None: importing it raises ImportError


def _render(args: argparse.Namespace) -> int:
    # each command imports what it runs when it runs: the command starts fast
    from cluster_profiles.runner.kinds import PROFILE
    from cluster_profiles.runner.page import render_page  # the kernel starts first, the rest is imported while it boots

    browser = _pdf_browser(args)  # a missing browser fails before anything is rendered
    skip_unused_iri_checker()
    html_path = render_page(PROFILE, {"cluster": args.cluster, "edition": args.edition,
                                      "data_dir": args.data_dir or ""}, _reports_dir(args))
    print(f"Wrote {html_path}")
    if browser is not None:
        from cluster_profiles.runner.pdf import write_pdf  # only with --pdf

        print(f"Wrote {write_pdf(html_path, args.paper, browser)}")
    index = paths.index_path(_reports_dir(args))
    if index.is_file():
        print(f"Index: {index.resolve()}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    # each command imports what it runs when it runs: the command starts fast
    from cluster_profiles.pages.parameters import split_names

    names = split_names(args.clusters)  # an empty name (';;') fails here, before anything is loaded
    skip_unused_iri_checker()
    # after the names are checked: a bad one fails before anything is imported
    from cluster_profiles.runner.kinds import COMPARE
    from cluster_profiles.runner.page import render_page

    html_path = render_page(COMPARE, {"clusters": names, "edition": args.edition, "data_dir": args.data_dir or ""},
                            _reports_dir(args))
    print(f"Wrote {html_path}")
    index = paths.index_path(_reports_dir(args))
    if index.is_file():
        print(f"Index: {index.resolve()}")
    return 0


def _reports_dir(args: argparse.Namespace) -> Path:
    """The reports folder given, or the data folder's own (``reports/`` for the shipped data, else
    ``reports-<folder name>/``: see runner.roots)."""
    return Path(args.reports_dir) if args.reports_dir else default_reports_dir(args.data_dir)


def _find_clusters(args: argparse.Namespace) -> int:
    # each command imports what it runs when it runs: the command starts fast
    from cluster_profiles.runner.kinds import FIND_CLUSTERS
    from cluster_profiles.runner.page import render_page

    values: dict[str, object] = {"records_dir": str(args.records), "settings_path": str(args.settings or "")}
    if args.radius_km is not None:
        values["radius_km_values"] = [float(v) for v in args.radius_km]
    if args.min_people is not None:
        values["min_people_values"] = [int(v) for v in args.min_people]
    skip_unused_iri_checker()
    print(f"Wrote {render_page(FIND_CLUSTERS, values, args.reports_dir)}")
    return 0


def _render_all(args: argparse.Namespace) -> int:
    from cluster_profiles.contract.load import load_tables  # pandas and pandera: only for the commands that read data
    from cluster_profiles.runner.batch import summary
    from cluster_profiles.runner.site import build_site

    tables = load_tables(args.data_dir or None)
    editions = [args.edition] if args.edition else None
    if args.edition and args.edition not in tables.edition_list():
        from cluster_profiles.narrate.profile import edition_info  # only to word the error

        edition_info(tables, args.edition)  # raises the unknown-edition error
    reports_dir = _reports_dir(args)
    check_reports_dir(reports_dir)  # before any worker or kernel starts
    _pdf_browser(args)  # a missing browser fails before anything is rendered
    result = build_site(tables, reports_dir, args.data_dir or "", editions, args.economy, args.jobs, args.force,
                        progress=not args.quiet)
    if args.pdf:
        from cluster_profiles.runner.batch import write_pdfs  # only with --pdf

        result.failed += write_pdfs(result.rendered + result.skipped, reports_dir, args.paper, args.jobs, args.force,
                                    progress=not args.quiet)
    print(summary(result))
    print(f"Index: {reports_dir.resolve() / 'index.html'}")
    return 0 if result.ok else 1


def _pdf_browser(args: argparse.Namespace) -> Path | None:
    """The browser that prints the PDFs when --pdf is given (runner.pdf: a missing one is an error naming what
    to install), else None."""
    if not args.pdf:
        return None
    from cluster_profiles.runner.pdf import find_chromium  # only with --pdf

    return find_chromium()


def add_pdf_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", action="store_true", help="also write a PDF beside each page (<page>.pdf), printed "
                                                           "by headless Chromium, offline")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="the PDF's paper (default: a4)")


def _list(args: argparse.Namespace) -> int:
    from cluster_profiles.contract.load import load_tables  # pandas and pandera: only for the commands that read data

    tables = load_tables(args.data_dir)
    clusters = tables.clusters
    if args.edition is not None:
        from cluster_profiles.narrate.profile import edition_info  # only to word the error

        edition_info(tables, args.edition)  # an edition the data does not hold is an error, not an empty list
        clusters = clusters[clusters["edition"] == args.edition]
    for row in clusters.sort_values(["edition", "size_rank", "cluster"], na_position="last").itertuples():
        rank = "" if row.size_rank is None or str(row.size_rank) == "<NA>" else int(row.size_rank)
        print(f"{row.edition}\t{rank}\t{row.cluster}\t{row.economy}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from cluster_profiles.contract.load import load_tables  # pandas and pandera: only for the commands that read data
    from cluster_profiles.contract.quality import findings

    tables = load_tables(args.data_dir)
    notes = findings(tables)
    rows, editions = len(tables.clusters), tables.edition_list()
    print(f"{tables.data_dir}: valid ({rows} cluster row{'s' if rows != 1 else ''}, "
          f"edition{'s' if len(editions) != 1 else ''} {', '.join(map(str, editions))}); "
          + (f"{len(notes)} data-quality note{'s' if len(notes) != 1 else ''} (shown in the reports, not errors):"
             if notes else "no data-quality notes."))
    for note in notes:
        print(f"  {note}")
    return 0


def _import_ranking(args: argparse.Namespace) -> int:
    # each command imports what it runs when it runs: the command starts fast
    from cluster_profiles.contract.importer import import_ranking

    result = import_ranking(args.file, args.edition, args.source, args.data_dir, replace=args.replace, sheet=args.sheet)
    print(f"Imported {args.file}: {len(result.added)} added, {len(result.updated)} updated, "
          f"{len(result.unchanged)} unchanged; {args.data_dir or paths.DATA_DIR} validates.")
    return 0


def _lab(args: argparse.Namespace) -> int:
    # each command imports what it runs when it runs: the command starts fast
    from cluster_profiles.runner.lab import start_lab

    return start_lab(extra=args.jupyter_args)


def _lab_reset(args: argparse.Namespace) -> int:
    # each command imports what it runs when it runs: the command starts fast
    from cluster_profiles.runner.lab import prepare_working_copies

    for line in prepare_working_copies(reset=True).messages():
        print(line)
    return 0


def _clusters(args: argparse.Namespace) -> int:
    from cluster_profiles.compute.command import run  # DuckDB, and the rest while it reads: only for this command

    summary = run(args.records, args.out, args.settings, progress=not args.quiet)
    print(summary)
    return 0


def _example(args: argparse.Namespace) -> int:
    from cluster_profiles.compute.example import DATA_FOLDER, run_example  # pandas, DuckDB: only for this command

    summary = run_example(args.out, args.seed, progress=not args.quiet)
    print(summary)
    print(f"Its site: cluster-profiles render-all --data-dir {args.out / DATA_FOLDER} --reports-dir reports-example")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cluster-profiles", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    render = commands.add_parser("render", help="render one cluster profile to reports/<edition>/<cluster>.html")
    render.add_argument("--cluster", default="Hefei", help="cluster name as in data/clusters.csv (default: Hefei)")
    render.add_argument("--edition", type=int, default=2024, help="GII edition year (default: 2024)")
    render.add_argument("--data-dir", default="", help="folder of data tables (default: the project's data/)")
    render.add_argument("--reports-dir", type=Path, default=None,
                        help="where the pages go (default: reports/ for the shipped data, reports-<folder name>/ for "
                             "another data folder); one folder per data folder")
    add_pdf_options(render)
    render.set_defaults(run=_render)

    compare = commands.add_parser("compare", help="two or more clusters of one edition side by side, to "
                                                  "reports/<edition>/compare/<slug>--<slug>….html")
    compare.add_argument("--clusters", required=True,
                         help='cluster names separated by ";" (names contain commas): "Hefei;Nanjing;Wuhan"')
    compare.add_argument("--edition", type=int, default=2024, help="GII edition year (default: 2024)")
    compare.add_argument("--data-dir", default="", help="folder of data tables (default: the project's data/)")
    compare.add_argument("--reports-dir", type=Path, default=None,
                         help="where the pages go (default: reports/ for the shipped data, reports-<folder name>/ for "
                              "another data folder); one folder per data folder")
    compare.set_defaults(run=_compare)

    batch = commands.add_parser("render-all", help="render every cluster and edition (or a chosen edition or economy) "
                                                   "in parallel, the edition overviews and the index")
    batch.add_argument("--edition", type=int, default=None, help="only this GII edition")
    batch.add_argument("--economy", default=None, help="only clusters of this economy code (e.g. CN)")
    batch.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    batch.add_argument("--force", action="store_true", help="render even the reports whose inputs have not changed")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.add_argument("--data-dir", default="", help="folder of data tables (default: the project's data/)")
    batch.add_argument("--reports-dir", type=Path, default=None,
                       help="where the pages go (default: reports/ for the shipped data, reports-<folder name>/ for "
                            "another data folder); one folder per data folder")
    add_pdf_options(batch)
    batch.set_defaults(run=_render_all)

    listing = commands.add_parser("list", help="list the clusters in the data")
    listing.add_argument("--edition", type=int, default=None)
    listing.add_argument("--data-dir", default=None)
    listing.set_defaults(run=_list)

    validate = commands.add_parser("validate", help="check a data folder and report every problem")
    validate.add_argument("--data-dir", default=None, help="folder to check (default: the project's data/)")
    validate.set_defaults(run=_validate)

    lab = commands.add_parser("lab", help="JupyterLab at the repository root on 127.0.0.1, opening git-ignored "
                                          "working copies of the notebooks in lab/ (created on first use)")
    lab.add_argument("jupyter_args", nargs="*", help="options passed on to jupyter lab (e.g. --no-browser)")
    lab.set_defaults(run=_lab)

    lab_reset = commands.add_parser("lab-reset", help="reset the working copies in lab/ to the notebooks' templates "
                                                      "(each replaced copy is kept as <name>.ipynb.bak)")
    lab_reset.set_defaults(run=_lab_reset)

    importer = commands.add_parser("import-ranking", help="merge a GII appendix ranking table (CSV or .xlsx) into clusters.csv")
    importer.add_argument("file", type=Path, help="the appendix table, with its printed column headers")
    importer.add_argument("--edition", type=int, required=True, help="GII edition of the table")
    importer.add_argument("--source", required=True, help="citation for the table (URL and page)")
    importer.add_argument("--data-dir", type=Path, default=None, help="folder to update (default: data/)")
    importer.add_argument("--replace", action="store_true", help="overwrite values that differ from the table")
    importer.add_argument("--sheet", default=None, help="the workbook's sheet to read (default: the one visible sheet "
                                                        "that holds the table; hidden sheets only when named)")
    importer.set_defaults(run=_import_ranking)

    add_records_command(commands)
    clusters = commands.add_parser("clusters", help="find the clusters in a records folder and write a data folder "
                                                    "(see README: the compute half)")
    clusters.add_argument("--records", type=Path, required=True,
                          help="records folder: documents, addresses, organisations, classes[, population] (CSV or Parquet)")
    clusters.add_argument("--out", type=Path, required=True, help="data folder to write (replaced only if a "
                                                                  "previous run of this command wrote it)")
    clusters.add_argument("--settings", type=Path, default=None,
                          help="TOML settings file (default: the shipped compute/default_settings.toml)")
    clusters.add_argument("--quiet", action="store_true", help="no progress bars")
    clusters.set_defaults(run=_clusters)
    example = commands.add_parser("example", help="write a SYNTHETIC records folder from a seeded generator and "
                                                  "compute its clusters: OUT/synthetic-records, OUT/synthetic-data")
    example.add_argument("--out", type=Path, required=True, help="folder for the records and the data folder")
    example.add_argument("--seed", type=int, default=2024, help="the generator's seed (default: 2024)")
    example.add_argument("--quiet", action="store_true", help="no progress bars")
    example.set_defaults(run=_example)
    find = commands.add_parser("find-clusters", help="render the narrative of a clustering run on a records folder "
                                                     "(notebooks/find_clusters.ipynb) to reports/found/<folder>.html")
    find.add_argument("--records", type=nonempty_path, required=True, help="the records folder")
    find.add_argument("--settings", type=nonempty_path, default=None,
                      help="settings TOML (default: the shipped defaults)")
    find.add_argument("--radius-km", type=float, nargs="*", default=None,
                      help="other radii to try (default: the notebook's, 10 and 20)")
    find.add_argument("--min-people", type=int, nargs="*", default=None,
                      help="other core thresholds to try (default: the notebook's, 3000 and 6000)")
    find.add_argument("--reports-dir", type=Path, default=paths.REPORTS_DIR, help="where reports are written")
    find.set_defaults(run=_find_clusters)
    return parser


# Every path option, and what it must be when it exists: checked once, before a command looks at it
# (the records' own reader says which tables a missing records folder lacks)
PATH_OPTIONS = {"data_dir": ("--data-dir", "folder", True), "reports_dir": ("--reports-dir", "folder", False),
                "records": ("--records", "folder", False), "settings": ("--settings", "file", False),
                "file": ("the table file", "file", True), "out": ("--out", "", False)}


def check_path_options(args: argparse.Namespace) -> None:
    """Each path the user gave can be looked at (``paths.checked_path``), or a one-line error names its option.
    The values are kept as typed: a command resolves them itself (``--out`` must not follow a link)."""
    for attribute, (option, kind, must_exist) in PATH_OPTIONS.items():
        value = getattr(args, attribute, None)
        if value is not None and str(value) != "":
            paths.checked_path(value, option, kind, must_exist)


# each option as make spells it: a command run by make (names.VIA_MAKE) names the variable the user set
MAKE_VARIABLES = {"--cluster": "CLUSTER", "--clusters": "CLUSTERS", "--edition": "EDITION", "--data-dir": "DATA",
                  "--economy": "ECONOMY", "--jobs": "JOBS", "--records": "RECORDS", "--out": "OUT",
                  "--settings": "SETTINGS", "--works": "WORKS", "--institutions": "INSTITUTIONS", "--tables": "TABLES",
                  "--engine": "ENGINE", "--years": "YEARS", "--format": "FORMAT", "--radius-km": "RADII",
                  "--min-people": "MIN_PEOPLE", "--paper": "PAPER", "--source": "SOURCE", "the table file": "FILE",
                  "--reports-dir": "REPORTS", "--countries": "COUNTRIES", "--bbox": "BBOX", "--mailto": "MAILTO",
                  "--pct-route-only": "PCT_ROUTE_ONLY"}
_OPTION = re.compile("|".join(rf"(?<![\w-]){re.escape(option)}(?![\w-])" for option in MAKE_VARIABLES))


def in_users_words(message: str) -> str:
    """``message`` with each option named as the user gave it: the make variable when make ran the command."""
    if not os.environ.get(VIA_MAKE):
        return message
    return _OPTION.sub(lambda found: MAKE_VARIABLES[found.group(0)], message)


class _Parser(argparse.ArgumentParser):
    """argparse, its errors in plain words and, from make, naming the make variable (no usage text)."""

    def error(self, message: str) -> NoReturn:
        message = re.sub(r"^argument ([^:]+): invalid (int|float) value: (.*)$",
                         lambda m: f"{m[1].split('/')[-1]} must be {'a whole number' if m[2] == 'int' else 'a number'}"
                                   f" (got {m[3]})", message)
        message = re.sub(r"^the following arguments are required: (.*)$", r"give \1", message)
        if os.environ.get(VIA_MAKE):
            self.exit(2, f"error: {in_users_words(message)}\n")
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


# Folders named in the environment. A relative one means the folder where the user typed the command; the
# kernels and batch workers run elsewhere (notebooks/) and inherit the environment, so it is made absolute here.
PATH_VARIABLES = (cache.ENV, paths.ROOT_ENV, "XDG_CACHE_HOME")


def resolve_path_variables(environ: MutableMapping[str, str]) -> None:
    for name in PATH_VARIABLES:
        value = environ.get(name, "")
        if value and value.strip().lower() != "off":  # '~' is the user's home, as a shell would read it
            environ[name] = os.path.abspath(os.path.expanduser(value))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "lab":
        args.jupyter_args = [*args.jupyter_args, *rest]  # options for jupyter lab itself
    resolve_path_variables(os.environ)
    # a parameter's error names the option given here (pages.parameters.spelled), while this command runs
    previous = os.environ.get(VIA_COMMAND_LINE)
    os.environ[VIA_COMMAND_LINE] = "1"
    try:
        check_path_options(args)
        return args.run(args)
    except ClusterProfilesError as error:
        print(f"error: {in_users_words(str(error))}", file=sys.stderr)
        return 2
    except OSError as error:  # a folder or file the system refuses: say which, not a traceback
        where = f" ({shorten(str(error.filename))})" if error.filename else ""
        print(f"error: {error.strerror or error}{where}; nothing was written.", file=sys.stderr)
        return 2
    finally:
        if previous is None:
            os.environ.pop(VIA_COMMAND_LINE, None)
        else:
            os.environ[VIA_COMMAND_LINE] = previous


if __name__ == "__main__":  # also guards the worker processes, which start by importing __main__
    sys.exit(main())
