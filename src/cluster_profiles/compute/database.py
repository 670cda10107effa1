"""The DuckDB database a clustering run works in: in memory, spilling to a temporary folder.

In memory rather than in a database file: each table is written once and read a few times within one run, and a
database file compresses and checkpoints the pages of every table it is given (a sixth of a 10^6-row run). Beyond
``DUCKDB_MEMORY_LIMIT`` DuckDB moves blocks to the folder all the same, so large records spill instead of filling
memory. This module imports DuckDB only: the ``clusters`` command opens the database and reads the records before
the rest of the pipeline (pandas, SciPy, pandera) is imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

DUCKDB_MEMORY_LIMIT = "1GB"  # DuckDB's own buffers; the rest of a 2 GiB budget is DBSCAN's and pandas'
# while DBSCAN runs, DuckDB moves its tables to the spill folder beyond this, giving its memory to DBSCAN's pairs
# (10^7 address rows: 1.56 GiB at the peak instead of 2.18)
DUCKDB_MEMORY_WHILE_CLUSTERING = "300MB"


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit lowered to ``limit`` (it spills what it holds beyond) while the block runs."""
    con.execute("SET memory_limit = ?", [limit])
    try:
        yield
    finally:
        con.execute("SET memory_limit = ?", [DUCKDB_MEMORY_LIMIT])


@contextmanager
def work_database() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB database that spills to a temporary folder (removed afterwards) when its tables and
    intermediates outgrow ``DUCKDB_MEMORY_LIMIT``."""
    from cluster_profiles.files import temporary_folder  # named after this process: a killed run's is swept

    with temporary_folder("duckdb") as folder:
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET memory_limit = ?", [DUCKDB_MEMORY_LIMIT])
            con.execute("SET temp_directory = ?", [str(Path(folder) / "spill")])
            yield con
        finally:
            con.close()
