"""OpenAlex works snapshot -> records folder, on Apache Spark: the same mapping as ``openalex`` (read its docstring).

For the one step that outgrows a machine: parsing the raw snapshot (about 330 GB of gzipped JSON Lines). Spark
parses, filters, explodes and joins (on a cluster in real use: ``master`` is the cluster's URL; ``local[N]`` on one
machine); it writes the four tables as Parquet parts, which are then written into the records folder through the
same writer as the DuckDB engine (``folder.write_records``: contract types, sort order, keeping other kinds), so the
two engines give equal folders. Needs ``pip install 'cluster-profiles[spark]'`` and Java 17.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cluster_profiles.compute.adapters.folder import (
    RECORD_COLUMNS,
    AdapterSummary,
    Format,
    RecordsInputError,
    addresses_without_coordinates,
    check_records_out,
    connect,
    exact_path,
    scratch_beside,
    sql_string,
    write_records,
)
from cluster_profiles.compute.adapters.openalex import OPENALEX_PREFIX, snapshot_inputs
from cluster_profiles.files import TEMPORARY_PREFIX, sweep_temporaries

WORK_SCHEMA = ("id STRING, publication_year INT, type STRING, "
               "authorships ARRAY<STRUCT<author_position: STRING, countries: ARRAY<STRING>, "
               "institutions: ARRAY<STRUCT<id: STRING, display_name: STRING, country_code: STRING>>>>, "
               "primary_topic STRUCT<field: STRUCT<display_name: STRING>>")
INSTITUTION_SCHEMA = ("id STRING, display_name STRING, country_code STRING, updated_date STRING, "
                      "geo STRUCT<city: STRING, country_code: STRING, latitude: DOUBLE, longitude: DOUBLE>")
# Spark's own start-up chatter (log4j INFO/WARN) is noise for a command-line user: errors only.
QUIET_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_session(master: str = "local[2]", scratch: Path | None = None):
    """A Spark session: the active one if there is one (a cluster's, or a test's), else a new, quiet one.

    For ``local[...]`` masters everything stays on this machine: bound to 127.0.0.1, no web UI, temporary files
    under ``scratch``. Returns ``(session, created)``; the caller stops the session only if it created it.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RecordsInputError("--engine spark needs PySpark: pip install 'cluster-profiles[spark]' "
                                "(and Java 17, e.g. Debian's openjdk-17-jre-headless)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if scratch is None:  # a session that outlives this call: named after the process, swept once it is gone
        sweep_temporaries(Path(tempfile.gettempdir()), "spark")
        scratch = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}spark-{os.getpid()}-"))
    scratch.mkdir(parents=True, exist_ok=True)
    log_config = scratch / "log4j2.properties"
    log_config.write_text(QUIET_LOG4J, encoding="utf-8")
    java_options = f"-Dlog4j2.configurationFile=file:{log_config} -Djava.io.tmpdir={scratch}"
    builder = (SparkSession.builder.master(master).appName("cluster-profiles records openalex")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.extraJavaOptions", java_options)
               .config("spark.local.dir", str(scratch)))
    if master.startswith("local"):
        builder = (builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.sql.shuffle.partitions", str(_local_threads(master))))
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session, True


def hadoop_path(path: Path) -> str:
    """``path`` as Spark's readers take it to mean exactly this file: absolute (a colon is not read as a scheme),
    each character of Hadoop's glob syntax escaped with a backslash (Spark expands ``*?[]{}`` like DuckDB)."""
    return re.sub(r"([\\*?\[\]{}])", r"\\\1", os.path.abspath(path))


def _local_threads(master: str) -> int:
    """``local[3]`` -> 3, ``local[*]``/``local`` -> the cores: one shuffle partition per thread on one machine
    (Spark's default of 200 costs seconds of task overhead on small inputs)."""
    inside = master[len("local["):-1] if master.startswith("local[") else "*"
    return int(inside) if inside.isdigit() else (os.cpu_count() or 1)


def run_openalex_spark(works: Path, institutions: Path, out_dir: Path, *, years: tuple[int, int] | None = None,
                       types: Sequence[str] = ("article",), fmt: Format = "parquet", master: str = "local[2]",
                       ) -> AdapterSummary:
    """``openalex.run_openalex`` on Spark: same arguments and output."""
    work_files, institution_files = snapshot_inputs(works, institutions, years)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--works": Path(works), "--institutions": Path(institutions)})
    with scratch_beside(out_dir, "openalex-spark") as scratch:
        spark, created = spark_session(master, scratch / "spark")
        try:
            parts, dropped = _extract(spark, work_files, institution_files, scratch / "parts", years, types)
        except Exception as error:
            if "pyspark" not in type(error).__module__ and "py4j" not in type(error).__module__:
                raise
            first_line = str(error).strip().splitlines()[0]
            raise RecordsInputError(f"{works} / {institutions}: cannot read the snapshot: {first_line}") from None
        finally:
            if created:
                spark.stop()
        con = connect(None, scratch)
        try:
            tables = {table: _parts_query(parts / table, table) for table in RECORD_COLUMNS}
            summary = AdapterSummary(source=f"OpenAlex works {works} (Spark)")
            for reason, count in sorted(dropped.items()):
                summary.read += count
                if reason:
                    summary.dropped[reason] = count
            summary.written = write_records(con, "article", tables, out_dir, fmt)
            summary.addresses_without_coordinates = addresses_without_coordinates(con, out_dir, fmt, "article")
        finally:
            con.close()
    summary.out_dir = str(out_dir)
    summary.notes.append("science fields are OpenAlex's primary_topic.field (26 fields), not WIPO's grouping")
    return summary


def _parts_query(folder: Path, table: str) -> str:
    if any(folder.glob("*.parquet")):
        return f"SELECT * FROM read_parquet({sql_string(exact_path(folder) + '/*.parquet')}, hive_partitioning = false)"
    # Spark may write no part file for an empty result: an empty table of the right columns
    columns = ", ".join(f'CAST(NULL AS {type_}) AS "{name}"' for name, type_ in RECORD_COLUMNS[table])
    return f"SELECT {columns} WHERE false"


def _extract(spark, work_files, institution_files, parts: Path, years, types) -> tuple[Path, dict[str, int]]:
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    def short_id(column):
        return F.regexp_replace(column, f"^{OPENALEX_PREFIX}", "")

    # Load
    works = (spark.read.schema(WORK_SCHEMA).option("mode", "FAILFAST")
             .json([hadoop_path(f) for f in work_files]))
    dropped_reason = (F.when(F.col("type").isNull() | ~F.col("type").isin(list(types)), "not of the kept types")
                      .when(F.col("publication_year").isNull(), "without a publication year"))
    if years:
        dropped_reason = dropped_reason.when(~F.col("publication_year").between(years[0], years[1]),
                                             "outside the years")
    judged = works.select(short_id(F.col("id")).alias("doc_id"), F.col("publication_year").alias("year"),
                          "authorships", F.col("primary_topic.field.display_name").alias("field"),
                          dropped_reason.alias("dropped"))
    judged = judged.persist(StorageLevel.MEMORY_AND_DISK)  # parsed once, used by the counts and four tables
    dropped = {row["dropped"] or "": row["count"] for row in judged.groupBy("dropped").count().collect()}
    kept = judged.where(F.col("dropped").isNull())

    newest = F.coalesce(F.col("updated_date"), F.lit(""))
    geo = (spark.read.schema(INSTITUTION_SCHEMA).option("mode", "FAILFAST")
           .json([hadoop_path(f) for f in institution_files])
           .where(F.col("id").isNotNull())
           .groupBy(short_id(F.col("id")).alias("institution_id"))
           .agg(F.max_by("display_name", newest).alias("geo_name"),
                F.max_by("geo.latitude", newest).alias("lat"),
                F.max_by("geo.longitude", newest).alias("lon"),
                F.max_by("geo.city", newest).alias("city"),
                F.max_by(F.coalesce("geo.country_code", "country_code"), newest).alias("geo_economy")))

    # Process
    authors = kept.select("doc_id", F.posexplode("authorships").alias("position", "author")) \
        .withColumn("seq", F.col("position") + 1).drop("position")
    affiliations = authors.select(
        "doc_id", "seq", F.get(F.col("author.countries"), 0).alias("author_country"),
        F.posexplode("author.institutions").alias("institution_position", "institution"))
    located = (affiliations.join(geo, short_id(F.col("institution.id")) == geo["institution_id"], "left")
               .select("doc_id", "seq", (F.col("institution_position") + 1).alias("position"), "lat", "lon", "city",
                       F.coalesce("geo_economy", "institution.country_code", "author_country").alias("economy"),
                       F.coalesce("institution.display_name", "geo_name").alias("name")))
    # the first institution with coordinates, else the first institution (for its economy)
    preference = F.when(F.col("lat").isNull() | F.col("lon").isNull(), 1000000).otherwise(0) + F.col("position")
    best = (located.withColumn("rank", F.row_number().over(
        Window.partitionBy("doc_id", "seq").orderBy(preference)))
        .where(F.col("rank") == 1)
        .select("doc_id", "seq", "lat", "lon", "city", F.col("economy").alias("place_economy")))
    tables = {
        "documents": kept.select("doc_id", F.lit("article").alias("kind"), "year"),
        "addresses": authors.join(best, ["doc_id", "seq"], "left").select(
            "doc_id", "seq", "lat", "lon", "city",
            F.upper(F.coalesce("place_economy", F.get(F.col("author.countries"), 0))).alias("economy")),
        "organisations": located.where(F.col("name").isNotNull() & (F.trim("name") != ""))
        .select("doc_id", "name", F.lit("affiliation").alias("role")).distinct(),
        "classes": kept.where(F.col("field").isNotNull() & (F.trim("field") != ""))
        .select("doc_id", F.col("field").alias("code")),
    }

    # Save: Parquet parts, one folder per table
    for table, frame in tables.items():
        frame.write.mode("overwrite").parquet(str(parts / table))
    judged.unpersist()
    return parts, dropped
