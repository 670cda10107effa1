"""The compute half: from record-level data (a records folder) to the data tables the reports read.

records -> window, address rows, rounded weighted points (DuckDB) -> weighted DBSCAN per kind and
merge (SciPy) -> per-cluster measures (DuckDB) -> names and economy labels -> a validated data
folder, written atomically. ``command.run`` does it all (the ``clusters`` command); each step is a function of
its own module.
``adapters`` write a records folder from what users hold (OpenAlex, PatentsView).
"""
