"""``cluster-profiles records openalex|openalex-api|patentsview``: write a records folder from what a user holds."""

from __future__ import annotations

import argparse
from pathlib import Path

from cluster_profiles.compute.adapters.folder import FORMATS


def nonempty_path(text: str) -> Path:
    """An argparse type: a path, refused when empty (an empty path would mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path")
    return Path(text)


def _openalex(args: argparse.Namespace) -> int:
    years = tuple(args.years) if args.years else None
    options = dict(years=years, types=tuple(args.types), fmt=args.format, keep_ssh=args.keep_social_sciences)
    if args.engine == "spark":
        # PySpark (and a JVM) only for the engine that needs it
        from cluster_profiles.compute.adapters.openalex_spark import run_openalex_spark

        summary = run_openalex_spark(args.works, args.institutions, args.out, master=args.spark_master, **options)
    else:
        from cluster_profiles.compute.adapters.openalex import run_openalex  # DuckDB: only for this command

        summary = run_openalex(args.works, args.institutions, args.out, memory_limit=args.memory_limit, **options)
    print("\n".join(summary.lines()))
    return 0


def _openalex_api(args: argparse.Namespace) -> int:
    # requests, DuckDB: only for this command
    from cluster_profiles.compute.adapters.openalex_api import make_selection, run_openalex_api

    selection = make_selection(countries=args.countries, institutions=args.institutions, bbox=args.bbox,
                               years=args.years, types=args.types)
    summary = run_openalex_api(selection, args.out, mailto=args.mailto, fmt=args.format,
                               memory_limit=args.memory_limit, keep_ssh=args.keep_social_sciences,
                               per_page=args.per_page, progress=not args.quiet, api_root=args.api_root)
    print("\n".join(summary.lines()))
    return 0


def _patentsview(args: argparse.Namespace) -> int:
    from cluster_profiles.compute.adapters.patentsview import run_patentsview  # DuckDB: only for this command

    years = tuple(args.years) if args.years else None
    summary = run_patentsview(args.tables, args.out, years=years, patent_types=tuple(args.patent_types),
                              fmt=args.format, memory_limit=args.memory_limit, pct_route_only=args.pct_route_only)
    print("\n".join(summary.lines()))
    return 0


def _geocoded_patents(args: argparse.Namespace) -> int:
    from cluster_profiles.compute.adapters.geocoded_patents import run_geocoded_patents  # DuckDB: this command only

    years = tuple(args.years) if args.years else None
    summary = run_geocoded_patents(args.tables, args.out, years=years, filing_types=args.filing_types,
                                   inventors_only=args.inventors_only, fmt=args.format, memory_limit=args.memory_limit)
    print("\n".join(summary.lines()))
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=nonempty_path, required=True,
                        help="the records folder to write (created; rows of the other kind already there are kept)")
    parser.add_argument("--years", type=int, nargs=2, metavar=("FIRST", "LAST"),
                        help="keep documents of these years only, inclusive (default: all; the clustering's "
                             "settings window the years again)")
    parser.add_argument("--format", choices=FORMATS, default="parquet", help="file format of the tables")
    parser.add_argument("--memory-limit", default=None,
                        help="DuckDB memory limit, e.g. 4GB (default: DuckDB's, 80%% of RAM); it spills beyond")


def add_records_command(commands: argparse._SubParsersAction) -> None:
    records = commands.add_parser("records", help="write a records folder (the compute half's input) from an "
                                                  "OpenAlex snapshot, the OpenAlex API or PatentsView tables")
    sources = records.add_subparsers(dest="source", required=True)

    openalex = sources.add_parser("openalex", help="articles from OpenAlex works: the snapshot (JSON Lines, .gz or "
                                                   "not, or Parquet), API list responses or pretty-printed JSON")
    openalex.add_argument("--works", type=nonempty_path, required=True,
                          help="the works entity folder (updated_date=*/part_*.gz), API responses saved one per file, "
                               "or one such file")
    openalex.add_argument("--institutions", type=nonempty_path, required=True,
                          help="the institutions entity folder or file (for coordinates: geo.latitude/longitude)")
    openalex.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                          help="duckdb (default, one machine) or spark (pip install 'cluster-profiles[spark]')")
    openalex.add_argument("--spark-master", default="local[2]", help="Spark master URL for --engine spark")
    openalex.add_argument("--types", nargs="+", default=["article"],
                          help="OpenAlex work types kept (default: article; the older journal-article and "
                               "proceedings-article are read as article)")
    openalex.add_argument("--keep-social-sciences", action="store_true",
                          help="keep works in the social sciences and humanities (WIPO leaves them out; default: "
                               "dropped, counted in the summary)")
    _common(openalex)
    openalex.set_defaults(run=_openalex)

    api = sources.add_parser("openalex-api", help="articles fetched from the OpenAlex API (needs the internet) for "
                                                  "countries, institutions or a bounding box; resumable")
    api.add_argument("--countries", nargs="+", metavar="CODE",
                     help="works with an author's institution in these countries (ISO codes: CN HK); with --bbox, "
                          "the countries whose institutions are looked through (default: those the box meets)")
    api.add_argument("--institutions", nargs="+", metavar="ID",
                     help="works of these institutions: OpenAlex ids (I27837315) or ROR ids (00f54p054)")
    api.add_argument("--bbox", type=float, nargs=4, metavar=("WEST", "SOUTH", "EAST", "NORTH"),
                     help="works with an author's institution inside this box (degrees; institutions' coordinates)")
    api.add_argument("--types", nargs="+", default=["article"], help="OpenAlex work types kept (default: article)")
    api.add_argument("--keep-social-sciences", action="store_true",
                     help="keep works in the social sciences and humanities (default: dropped, as by WIPO)")
    api.add_argument("--mailto", default=None, help="your email, for OpenAlex's polite pool (default: $OPENALEX_EMAIL); "
                                                    "an API key is read from $OPENALEX_API_KEY only")
    api.add_argument("--per-page", type=int, default=100, help="works per request, 1-200 (default: 100)")
    api.add_argument("--api-root", default="https://api.openalex.org", help=argparse.SUPPRESS)  # a mirror, tests
    api.add_argument("--quiet", action="store_true", help="no progress bars")
    _common(api)
    api.set_defaults(run=_openalex_api)

    patentsview = sources.add_parser("patentsview", help="US patent grants from PatentsView's bulk tables "
                                                         "(written as kind 'pct', the patent layer)")
    patentsview.add_argument("--tables", type=nonempty_path, required=True,
                             help="folder with g_patent, g_inventor_disambiguated, g_location_disambiguated, "
                                  "g_assignee_disambiguated, g_ipc_at_issue or g_cpc_current, optionally g_pct_data "
                                  "(.tsv or .tsv.zip)")
    patentsview.add_argument("--patent-types", nargs="+", default=["utility"],
                             help="g_patent.patent_type values kept (default: utility)")
    patentsview.add_argument("--pct-route-only", action="store_true",
                             help="keep only the grants that came by the PCT route (a row in g_pct_data)")
    _common(patentsview)
    patentsview.set_defaults(run=_patentsview)

    geocoded = sources.add_parser("geocoded-patents", help="first filings worldwide, inventors geocoded: de "
                                                           "Rassenfosse, Kozak & Seliger (2019), Harvard Dataverse, "
                                                           "CC BY 4.0 (written as kind 'pct', the patent layer)")
    geocoded.add_argument("--tables", type=nonempty_path, required=True,
                          help="geoc_inv.txt (or geoc_inv_person.txt; .zip as downloaded, or .gz) or its folder")
    geocoded.add_argument("--filing-types", nargs="+", choices=("priority", "pct", "continual", "tech_rel", "single"),
                          help="keep the filings of these types (the dataset's type column; default: all)")
    geocoded.add_argument("--inventors-only", action="store_true",
                          help="leave out the filings located by their applicants' address (source 4-6)")
    _common(geocoded)
    geocoded.set_defaults(run=_geocoded_patents)
