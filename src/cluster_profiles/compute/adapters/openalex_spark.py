"""OpenAlex works snapshot -> records folder, on Apache Spark: the same mapping as ``openalex`` (read its docstring).

The same layouts too, but for Parquet: JSON Lines are read as they are, API responses and pretty-printed JSON
rewritten as JSON Lines first (``openalex_input``); a Parquet file is refused in one line that points to the DuckDB
engine, which reads it.

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
    describe_records,
    exact_path,
    scratch_beside,
    sql_string,
    write_records,
)
from cluster_profiles.compute.adapters.openalex import (
    ABOUT,
    DROPPED_OLDER,
    DROPPED_SSH,
    OPENALEX_PREFIX,
    SSH_CONCEPTS,
    SSH_DOMAIN_ID,
    SSH_DOMAIN_NAME,
    TYPE_VOCABULARY,
    WORK_FIELDS,
    normal_type,
    openalex_notes,
    snapshot_inputs,
)
from cluster_profiles.compute.adapters.openalex_input import prepare_works
from cluster_profiles.files import TEMPORARY_PREFIX, sweep_temporaries

SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "DOUBLE": "DOUBLE"}


def spark_type(spec: object) -> str:
    """A Spark DDL type from ``openalex.WORK_FIELDS``' structure: ``[{"a": "VARCHAR"}]`` -> ``ARRAY<STRUCT<a: STRING>>``."""
    if isinstance(spec, list):
        return f"ARRAY<{spark_type(spec[0])}>"
    if isinstance(spec, dict):
        return "STRUCT<" + ", ".join(f"{name}: {spark_type(inner)}" for name, inner in spec.items()) + ">"
    return SPARK_TYPES[str(spec)]


WORK_SCHEMA = ", ".join(f"{name} {spark_type(spec)}" for name, spec in WORK_FIELDS.items())
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
                       keep_ssh: bool = False) -> AdapterSummary:
    """``openalex.run_openalex`` on Spark: same arguments and output."""
    work_files, institution_files = snapshot_inputs(works, institutions, years)
    out_dir = Path(out_dir)
    check_records_out(out_dir, {"--works": Path(works), "--institutions": Path(institutions)})
    with scratch_beside(out_dir, "openalex-spark") as scratch:
        prepared = prepare_works(work_files, scratch, parquet_allowed=False, engine="spark")
        institution_inputs = prepare_works(institution_files, scratch, parquet_allowed=False, engine="spark",
                                           entity="institutions")
        spark, created = spark_session(master, scratch / "spark")
        try:
            parts, dropped, counts = _extract(spark, prepared.jsonl, institution_inputs.jsonl, scratch / "parts",
                                              years, types, keep_ssh)
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
            summary.notes.extend(openalex_notes(prepared, keep_ssh=keep_ssh,
                                                dropped_ssh=summary.dropped.get(DROPPED_SSH, 0), **counts))
            describe_records(con, out_dir, fmt, "article", **ABOUT)
        finally:
            con.close()
    summary.out_dir = str(out_dir)
    return summary


def _parts_query(folder: Path, table: str) -> str:
    if any(folder.glob("*.parquet")):
        return f"SELECT * FROM read_parquet({sql_string(exact_path(folder) + '/*.parquet')}, hive_partitioning = false)"
    # Spark may write no part file for an empty result: an empty table of the right columns
    columns = ", ".join(f'CAST(NULL AS {type_}) AS "{name}"' for name, type_ in RECORD_COLUMNS[table])
    return f"SELECT {columns} WHERE false"


def _extract(spark, work_files, institution_files, parts: Path, years, types, keep_ssh: bool,
             ) -> tuple[Path, dict[str, int], dict[str, int]]:
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    def short_id(column):
        return F.regexp_replace(column, f"^{OPENALEX_PREFIX}", "")

    def normal(column):
        expression = F.when(F.lit(False), F.lit(None))
        for old, new in TYPE_VOCABULARY.items():
            expression = expression.when(column == old, F.lit(new))
        return expression.otherwise(column)

    # Load
    if work_files:
        works = (spark.read.schema(WORK_SCHEMA).option("mode", "FAILFAST")
                 .json([hadoop_path(f) for f in work_files]).withColumn("filename", F.input_file_name()))
    else:  # every file was empty
        works = spark.createDataFrame([], f"{WORK_SCHEMA}, filename STRING")
    partition = F.regexp_extract("filename", r"updated_date=([0-9-]+)[^=]*$", 1)
    newest_first = Window.partitionBy(short_id(F.col("id"))).orderBy(
        F.col("updated_date").desc_nulls_last(), partition.desc_nulls_last(), F.col("filename").desc())
    topic = F.col("primary_topic")
    level0 = F.filter("concepts", lambda c: (c["level"] == 0) & c["score"].isNotNull())
    top_score = F.array_max(F.transform(level0, lambda c: c["score"]))
    top_concept = F.get(F.filter(level0, lambda c: c["score"] == top_score), 0)["display_name"]
    has_domain = topic["domain"]["id"].isNotNull() | topic["domain"]["display_name"].isNotNull()
    ssh = (F.when(has_domain, F.coalesce(topic["domain"]["id"] == SSH_DOMAIN_ID, F.lit(False))
                  | F.coalesce(topic["domain"]["display_name"] == SSH_DOMAIN_NAME, F.lit(False)))
           .otherwise(F.array_contains(F.array(*[F.lit(name) for name in SSH_CONCEPTS]), top_concept)))
    kept_types = sorted({normal_type(t) for t in types})
    dropped_reason = (F.when(F.col("doc_id").isNull() | (F.trim("doc_id") == ""), "without an id")
                      .when(F.col("version") > 1, DROPPED_OLDER)
                      .when(F.col("type").isNull() | ~normal(F.col("type")).isin(kept_types), "not of the kept types")
                      .when(F.col("publication_year").isNull(), "without a publication year"))
    if years:
        dropped_reason = dropped_reason.when(~F.col("publication_year").between(years[0], years[1]),
                                             "outside the years")
    if not keep_ssh:
        dropped_reason = dropped_reason.when(F.coalesce(ssh, F.lit(False)), DROPPED_SSH)
    judged = (works.withColumn("doc_id", short_id(F.col("id")))
              .withColumn("version", F.row_number().over(newest_first))
              .select("doc_id", F.col("publication_year").alias("year"), "authorships",
                      topic["field"]["display_name"].alias("field"), dropped_reason.alias("dropped"),
                      (normal(F.col("type")) != F.col("type")).alias("older_vocabulary"),
                      ssh.isNull().alias("field_unknown")))
    judged = judged.persist(StorageLevel.MEMORY_AND_DISK)  # parsed once, used by the counts and four tables
    dropped = {row["dropped"] or "": row["count"] for row in judged.groupBy("dropped").count().collect()}
    kept = judged.where(F.col("dropped").isNull())
    counted = kept.agg(F.count(F.when(F.col("older_vocabulary"), 1)).alias("older"),
                       F.count(F.when(F.col("field_unknown"), 1)).alias("unknown")).collect()[0]

    newest = F.coalesce(F.col("updated_date"), F.lit(""))
    institutions = (spark.read.schema(INSTITUTION_SCHEMA).option("mode", "FAILFAST")
                    .json([hadoop_path(f) for f in institution_files]) if institution_files
                    else spark.createDataFrame([], INSTITUTION_SCHEMA))
    geo = (institutions
           .where(F.col("id").isNotNull())
           .groupBy(short_id(F.col("id")).alias("institution_id"))
           .agg(F.max_by("display_name", newest).alias("geo_name"),
                F.max_by("geo.latitude", newest).alias("lat"),
                F.max_by("geo.longitude", newest).alias("lon"),
                F.max_by("geo.city", newest).alias("city"),
                F.max_by(F.coalesce("geo.country_code", "country_code"), newest).alias("geo_economy")))

    # Process: one row per author and institution (see openalex's docstring)
    authors = kept.select("doc_id", F.posexplode("authorships").alias("position", "author")) \
        .withColumn("author_index", F.col("position") + 1).drop("position")
    first_listing = Window.partitionBy(
        "doc_id", "author_index",
        F.coalesce(short_id(F.col("institution.id")), F.concat(F.lit("#"), F.col("position").cast("string")))
    ).orderBy("position")
    affiliations = (authors.select("doc_id", "author_index",
                                   F.posexplode("author.institutions").alias("position", "institution"))
                    .withColumn("position", F.col("position") + 1)
                    .withColumn("listing", F.row_number().over(first_listing))
                    .where(F.col("listing") == 1).drop("listing"))
    countries = F.col("author.countries")
    places = (authors.join(affiliations, ["doc_id", "author_index"], "left")
              .join(geo, short_id(F.col("institution.id")) == geo["institution_id"], "left")
              .select("doc_id", "author_index", "position", "lat", "lon", "city",
                      F.upper(F.coalesce("geo_economy", "institution.country_code",
                                         F.when((F.size(countries) == 1) | F.col("position").isNull(),
                                                F.get(countries, 0)))).alias("economy"),
                      F.coalesce("institution.display_name", "geo_name").alias("name"))
              .withColumn("seq", F.row_number().over(Window.partitionBy("doc_id").orderBy(
                  "author_index", F.col("position").asc_nulls_first()))))
    places = places.persist(StorageLevel.MEMORY_AND_DISK)
    per_author = (places.groupBy("doc_id", "author_index")
                  .agg(F.count(F.lit(1)).alias("rows"), F.countDistinct("economy").alias("economies"))
                  .where(F.col("rows") > 1))
    several = per_author.agg(F.count(F.lit(1)).alias("several"),
                             F.count(F.when(F.col("economies") > 1, 1)).alias("economies")).collect()[0]
    tables = {
        "documents": kept.select("doc_id", F.lit("article").alias("kind"), "year"),
        "addresses": places.select("doc_id", "seq", "lat", "lon", "city", "economy"),
        "organisations": places.where(F.col("name").isNotNull() & (F.trim("name") != ""))
        .select("doc_id", "name", F.lit("affiliation").alias("role")).distinct(),
        "classes": kept.where(F.col("field").isNotNull() & (F.trim("field") != ""))
        .select("doc_id", F.col("field").alias("code")),
    }

    # Save: Parquet parts, one folder per table
    for table, frame in tables.items():
        frame.write.mode("overwrite").parquet(str(parts / table))
    places.unpersist()
    judged.unpersist()
    counts = {"older": counted["older"], "unknown": counted["unknown"], "several": several["several"],
              "economies": several["economies"]}
    return parts, dropped, counts
