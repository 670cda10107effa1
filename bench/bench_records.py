"""Benchmark: the compute half on synthetic records, and the naive way on the same records, in one run.

1. Scaling: for 10^5, 10^6 and 10^7 address rows (``--sizes``), ``pipeline.compute`` (read and validate the
   records, window, round and aggregate in DuckDB, weighted DBSCAN per kind, merge, every per-cluster measure; all
   but writing the folder) in a fresh child process: wall time and peak memory (summed RSS of the child's process
   tree, sampled every 50 ms).
2. Against the naive way, on the same 10^6 rows (``--compare-rows``), three processes run one after the other,
   ``--repeat`` rounds (so that a change in the machine's load hits all three alike), each timed by this script
   from the process's start to its exit:
   - naive: pandas reads and aggregates the rows to their exact, unrounded coordinates; scikit-learn's weighted
     DBSCAN on those points; it writes each address row's label;
   - pipeline: the pipeline's own steps for the same clustering (DuckDB: read, window, round to ``grid_degrees``,
     aggregate; the same DBSCAN on the rounded points, on the grid's rows as find_clusters runs it);
   - command: ``cluster-profiles clusters --records ... --out ...`` as a user runs it: everything the pipeline
     does (validation, the merge, every measure, the tables) and writing the validated data folder.
   Two ratios, each the median over the rounds of that round's ratio: the work alone (naive against pipeline,
   each timed inside its process from after its imports until its clustering is done: neither validates) and
   the whole process (naive against command, both from start to exit, imports, reading and writing included).
   The agreement of the two clusterings over the address rows: the adjusted Rand index (a row's label is its
   kind and its cluster, or noise).

Synthetic records (seeded, ``--seed``): 300 metropolitan centres with Zipf shares and spreads of 2-8 km hold 90 %
of the distinct locations, the rest spread uniformly; there are rows / 5 distinct exact locations (geocoded
addresses), drawn with Pareto-skewed popularity; documents have 1-10 addresses, half PCT applications and half
articles, 5 % outside the windows, 1 % of addresses without coordinates. Run with ``make bench-records``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ECONOMIES = ["US", "CN", "JP", "DE", "KR", "FR", "GB", "IN", "CA", "IT", "NL", "CH", "SE", "ES", "AU", "BR"]
IPC_CODES = ["H01L 21/00", "G06F 3/00", "A61K 31/00", "C07D 401/00", "H04W 4/00", "B60L 53/00", "G01N 33/53"]
SCIENCE_FIELDS = ["Engineering", "Medicine", "Physics and Astronomy", "Chemistry", "Computer Science"]
METROS = 300
BACKGROUND_SHARE = 0.10
CHUNK_ROWS = 2_000_000


# ---------------------------------------------------------------- synthetic records
def make_records(folder: Path, rows: int, seed: int) -> Path:
    """A records folder (Parquet) with exactly ``rows`` address rows."""
    import duckdb
    import pyarrow as pa

    from cluster_profiles.compute.settings import load_settings

    settings = load_settings(None)
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    # places: distinct exact locations (6 decimals, as a geocoder returns them)
    n_places = max(rows // 5, 1000)
    metro_lat = rng.uniform(-35, 60, METROS)
    metro_lon = rng.uniform(-120, 140, METROS)
    metro_share = 1 / np.arange(1, METROS + 1)
    metro_share /= metro_share.sum()
    metro_sigma_km = rng.uniform(2, 8, METROS)
    in_metro = rng.random(n_places) >= BACKGROUND_SHARE
    metro = rng.choice(METROS, n_places, p=metro_share)
    spread_deg = metro_sigma_km[metro] / 111.2
    lat = np.where(in_metro, metro_lat[metro] + rng.normal(0, 1, n_places) * spread_deg, rng.uniform(-50, 65, n_places))
    lon = np.where(in_metro, metro_lon[metro] + rng.normal(0, 1, n_places) * spread_deg
                   / np.cos(np.radians(np.clip(metro_lat[metro], -80, 80))), rng.uniform(-150, 170, n_places))
    lat, lon = np.round(np.clip(lat, -89.9, 89.9), 6), np.round(np.clip(lon, -179.9, 179.9), 6)
    popularity = rng.pareto(1.5, n_places) + 1
    popularity /= popularity.sum()
    # documents with 1-10 addresses, cut to exactly `rows` rows
    sizes = rng.integers(1, 11, rows // 3 + 10)
    ends = np.cumsum(sizes)
    n_docs = int(np.searchsorted(ends, rows) + 1)
    sizes = sizes[:n_docs]
    sizes[-1] -= int(ends[n_docs - 1] - rows)
    kind_is_pct = rng.random(n_docs) < 0.5
    window_from = np.where(kind_is_pct, settings.pct_years[0], settings.article_years[0])
    window_to = np.where(kind_is_pct, settings.pct_years[1], settings.article_years[1])
    year = rng.integers(window_from, window_to + 1)
    outside = rng.random(n_docs) < 0.05
    year = np.where(outside, window_from - 3, year)
    con = duckdb.connect()
    documents = pa.table({"doc": np.arange(n_docs), "pct": kind_is_pct, "year": year.astype(np.int32)})
    con.register("documents_raw", documents)
    con.execute(f"COPY (SELECT 'D' || doc AS doc_id, CASE WHEN pct THEN 'pct' ELSE 'article' END AS kind, year "
                f"FROM documents_raw) TO '{folder / 'documents.parquet'}' (FORMAT parquet)")
    con.execute(f"""COPY (SELECT 'D' || doc AS doc_id, CASE WHEN pct THEN 'Organisation ' || (doc % 997)
                                 ELSE 'University ' || (doc % 991) END AS name,
                                 CASE WHEN pct THEN 'applicant' ELSE 'affiliation' END AS role FROM documents_raw)
                    TO '{folder / 'organisations.parquet'}' (FORMAT parquet)""")
    con.register("ipc", pa.table({"i": np.arange(len(IPC_CODES)), "code": IPC_CODES}))
    con.register("fields", pa.table({"i": np.arange(len(SCIENCE_FIELDS)), "code": SCIENCE_FIELDS}))
    con.execute(f"""COPY (SELECT 'D' || doc AS doc_id, coalesce(ipc.code, fields.code) AS code FROM documents_raw
                          LEFT JOIN ipc ON pct AND ipc.i = doc % {len(IPC_CODES)}
                          LEFT JOIN fields ON NOT pct AND fields.i = doc % {len(SCIENCE_FIELDS)})
                    TO '{folder / 'classes.parquet'}' (FORMAT parquet)""")
    # addresses, in chunks (bounded memory at 10^7 rows)
    doc_of_row_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    con.register("places", pa.table({"place": np.arange(n_places), "lat": lat, "lon": lon,
                                     "metro": np.where(in_metro, metro, -1)}))
    con.register("economies", pa.table({"i": np.arange(len(ECONOMIES)), "economy": ECONOMIES}))
    chunk_files = []
    doc_index = np.repeat(np.arange(n_docs), sizes)
    for number, start in enumerate(range(0, rows, CHUNK_ROWS)):
        stop = min(start + CHUNK_ROWS, rows)
        docs = doc_index[start:stop]
        chunk = pa.table({"doc": docs, "seq": (np.arange(start, stop) - doc_of_row_start[docs] + 1).astype(np.int32),
                          "place": rng.choice(n_places, stop - start, p=popularity),
                          "located": rng.random(stop - start) >= 0.01})
        con.register("chunk", chunk)
        target = folder / f".addresses-{number}.parquet"
        con.execute(f"""COPY (SELECT 'D' || doc AS doc_id, seq,
                                     CASE WHEN located THEN p.lat END AS lat, CASE WHEN located THEN p.lon END AS lon,
                                     CASE WHEN p.metro >= 0 THEN 'City ' || p.metro END AS city,
                                     CASE WHEN p.metro >= 0 THEN e.economy END AS economy
                              FROM chunk JOIN places p USING (place)
                              LEFT JOIN economies e ON e.i = p.metro % {len(ECONOMIES)})
                        TO '{target}' (FORMAT parquet)""")
        chunk_files.append(target)
    con.execute(f"COPY (SELECT * FROM read_parquet('{folder}/.addresses-*.parquet')) "
                f"TO '{folder / 'addresses.parquet'}' (FORMAT parquet)")
    for path in chunk_files:
        path.unlink()
    con.close()
    return folder


# ---------------------------------------------------------------- the measured work (child processes)
def child_compute(records: Path, result: Path) -> None:
    from cluster_profiles.compute import pipeline
    from cluster_profiles.compute.settings import load_settings

    start = time.perf_counter()
    computed = pipeline.compute(records, load_settings(None), progress=False)
    seconds = time.perf_counter() - start
    counts = computed.summary.counts
    result.write_text(json.dumps({"seconds": seconds, "clusters": computed.summary.clusters,
                                  "points": sum(counts.points.values()) if counts else 0}))


def child_ours(records: Path, result: Path) -> None:
    """The pipeline's steps for clustering: window, round, aggregate (DuckDB), weighted DBSCAN per kind.

    The records are read as they are, without the pipeline's validation pass (``records.read_records``, timed
    in the scaling table), since the naive way does not validate either."""
    from cluster_profiles.compute import clustering, pipeline, points
    from cluster_profiles.compute.grid_dbscan import grid_dbscan
    from cluster_profiles.compute.settings import load_settings

    settings = load_settings(None)
    start = time.perf_counter()
    with pipeline.work_database() as con:
        for table in ("documents", "addresses"):
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{records / table}.parquet')")
        points.window_documents(con, settings)
        points.address_rows(con, settings)
        labelled = []
        for kind in ("pct", "article"):
            frame = points.weighted_points(con, kind, settings.grid_degrees)
            labels = grid_dbscan(frame["lat_i"], frame["lon_i"], frame["lat"], frame["lon"], settings.grid_degrees,
                                 frame["people"], settings.radius_km, settings.min_people)
            if labels is None:  # off the grid's simple cases: the pairs' way, as find_clusters does
                labels = clustering.weighted_dbscan(frame["lat"], frame["lon"], frame["people"],
                                                    settings.radius_km, settings.min_people)
            frame["label"] = labels
            labelled.append(frame.assign(kind=kind))
        seconds = time.perf_counter() - start
        import pandas as pd

        con.register("cell_labels", pd.concat(labelled)[["kind", "lat_i", "lon_i", "label"]])
        labels = con.execute("SELECT CASE WHEN c.label < 0 THEN -1 ELSE c.label * 2 + (r.kind = 'pct')::INT END "
                             "FROM address_rows r JOIN cell_labels c USING (kind, lat_i, lon_i) "
                             "ORDER BY r.doc_id, r.seq").fetchnumpy()
    np.save(result.with_suffix(".npy"), next(iter(labels.values())))
    result.write_text(json.dumps({"seconds": seconds, "points": int(sum(len(f) for f in labelled))}))


def child_naive(records: Path, result: Path) -> None:
    """The naive way: pandas reads, windows and aggregates to exact coordinates; DBSCAN on the exact points."""
    import pandas as pd
    from sklearn.cluster import DBSCAN

    from cluster_profiles.compute.settings import load_settings

    settings = load_settings(None)
    start = time.perf_counter()
    documents = pd.read_parquet(records / "documents.parquet")
    addresses = pd.read_parquet(records / "addresses.parquet", columns=["doc_id", "seq", "lat", "lon"])
    window = {"pct": settings.pct_years, "article": settings.article_years}
    low = documents["kind"].map(lambda k: window[k][0])
    high = documents["kind"].map(lambda k: window[k][1])
    kept = documents[(documents["year"] >= low) & (documents["year"] <= high)]
    rows = addresses.merge(kept[["doc_id", "kind"]], on="doc_id").dropna(subset=["lat", "lon"])
    rows["label"] = -1
    exact_points = 0
    for kind in ("pct", "article"):
        of_kind = rows["kind"] == kind
        grouped = rows[of_kind].groupby(["lat", "lon"], sort=True).size().rename("people").reset_index()
        exact_points += len(grouped)
        model = DBSCAN(eps=settings.radius_km / 6371.0088, min_samples=int(settings.min_people), metric="haversine",
                       algorithm="ball_tree")
        grouped["label"] = model.fit(np.radians(grouped[["lat", "lon"]].to_numpy()),
                                     sample_weight=grouped["people"].to_numpy()).labels_
        labelled = rows.loc[of_kind, ["lat", "lon"]].merge(grouped, on=["lat", "lon"], how="left")["label"]
        flag = 1 if kind == "pct" else 0
        rows.loc[of_kind, "label"] = np.where(labelled < 0, -1, labelled * 2 + flag)
    seconds = time.perf_counter() - start
    labels = rows.sort_values(["doc_id", "seq"])["label"].to_numpy()
    np.save(result.with_suffix(".npy"), labels)
    result.write_text(json.dumps({"seconds": seconds, "points": exact_points}))


CHILDREN = {"compute": child_compute, "ours": child_ours, "naive": child_naive}


# ---------------------------------------------------------------- measuring
def _watch(process: psutil.Popen, started: float, what: str) -> tuple[float, float]:
    """Wait for ``process``, sampling the summed RSS of its tree: (wall seconds since ``started``, peak GiB)."""
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            for member in [process, *process.children(recursive=True)]:
                total += member.memory_info().rss
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.05)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{what} failed (exit {process.returncode})")
    return wall, peak / 2**30


def measure(role: str, records: Path, scratch: Path) -> dict:
    """Run one child; its wall time (from the parent) and peak RSS of its process tree, plus what it reported."""
    result = scratch / f"{role}-{records.name}.json"
    started = time.perf_counter()
    process = psutil.Popen([sys.executable, __file__, "--child", role, "--records", str(records),
                            "--result", str(result)])
    wall, peak_gib = _watch(process, started, f"the {role} run on {records}")
    report = json.loads(result.read_text())
    report.update(wall=wall, peak_gib=peak_gib, result=result)
    return report


def measure_command(records: Path, out: Path) -> dict:
    """``cluster-profiles clusters`` in a new process, as a user runs it: wall time from its start to its exit."""
    command = Path(sys.executable).with_name("cluster-profiles")
    started = time.perf_counter()
    process = psutil.Popen([str(command), "clusters", "--records", str(records), "--out", str(out), "--quiet"],
                           stdout=subprocess.DEVNULL)
    wall, peak_gib = _watch(process, started, f"cluster-profiles clusters on {records}")
    return {"wall": wall, "peak_gib": peak_gib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--compare-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the comparison (default 3)")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        CHILDREN[args.child](args.records, args.result)
        return

    from sklearn.metrics import adjusted_rand_score

    print(f"Benchmark: the compute half on synthetic records, {psutil.cpu_count()} cores, seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="bench-records-") as scratch_name:
        scratch = Path(scratch_name)
        folders: dict[int, Path] = {}
        for rows in sorted(set(args.sizes) | {args.compare_rows}):
            start = time.perf_counter()
            folders[rows] = make_records(scratch / f"records-{rows}", rows, args.seed)
            print(f"  generated {rows:>12,} address rows in {time.perf_counter() - start:6.1f} s", flush=True)

        print("\nScaling: pipeline.compute (read + validate, window, points, DBSCAN, merge, measures; no writing)")
        print(f"{'address rows':>14} {'points':>10} {'clusters':>9} {'wall':>9} {'peak memory':>12}")
        for rows in args.sizes:
            run = measure("compute", folders[rows], scratch)
            print(f"{rows:>14,} {run['points']:>10,} {run['clusters']:>9,} {run['wall']:>8.1f}s "
                  f"{run['peak_gib']:>10.2f} GiB", flush=True)
        print("(target: 10^7 rows within 2 GiB peak)")

        rows = args.compare_rows
        print(f"\nAgainst the naive way, {rows:,} address rows, same records, {args.repeat} rounds; each process "
              "timed from its start to its exit")
        print(f"{'round':>5} {'naive':>8} {'pipeline':>9} {'command':>8} {'work alone':>11} {'whole process':>14}")
        rounds = []
        for number in range(1, args.repeat + 1):
            naive = measure("naive", folders[rows], scratch)
            ours = measure("ours", folders[rows], scratch)
            command = measure_command(folders[rows], scratch / f"command-out-{number}")
            rounds.append((naive, ours, command))
            print(f"{number:>5} {naive['wall']:7.1f}s {ours['wall']:8.1f}s {command['wall']:7.1f}s "
                  f"{naive['seconds'] / ours['seconds']:10.1f}x {naive['wall'] / command['wall']:13.1f}x", flush=True)
        naive, ours, command = rounds[-1]
        naive_labels = np.load(naive["result"].with_suffix(".npy"))
        ours_labels = np.load(ours["result"].with_suffix(".npy"))
        agreement = adjusted_rand_score(naive_labels, ours_labels)
        median = statistics.median
        for name, runs, labels, what in (("naive", [r[0] for r in rounds], naive_labels, "pandas, exact points"),
                                         ("pipeline", [r[1] for r in rounds], ours_labels,
                                          "DuckDB, points at the grid")):
            clusters = len(set(labels.tolist()) - {-1})
            print(f"{name:<9} ({what}: {runs[-1]['points']:,}): median {median(r['wall'] for r in runs):.1f} s "
                  f"from start to exit, {median(r['seconds'] for r in runs):.1f} s of work; peak "
                  f"{max(r['peak_gib'] for r in runs):.2f} GiB; {clusters} clusters (per kind, before merging), "
                  f"{np.mean(labels >= 0):.1%} of rows in one")
        print(f"command   (cluster-profiles clusters, validation, measures and the data folder written): median "
              f"{median(r[2]['wall'] for r in rounds):.1f} s from start to exit; peak "
              f"{max(r[2]['peak_gib'] for r in rounds):.2f} GiB")
        print(f"ratio, the work alone (naive / pipeline, after the imports, neither validating): median "
              f"{median(r[0]['seconds'] / r[1]['seconds'] for r in rounds):.1f}x")
        print(f"ratio, the whole process (naive / cluster-profiles clusters, start to exit): median "
              f"{median(r[0]['wall'] / r[2]['wall'] for r in rounds):.1f}x (target: 10x or more)")
        print(f"agreement (adjusted Rand index over address rows): {agreement:.4f} (target: 0.99 or more)")

if __name__ == "__main__":
    main()
