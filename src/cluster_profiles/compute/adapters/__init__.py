"""Adapters: write a records folder (documents, addresses, organisations, classes) from what users hold.

``openalex`` (DuckDB) and ``openalex_spark`` (PySpark) read the OpenAlex works snapshot; ``patentsview`` reads
PatentsView's bulk tables. All of them hand their tables to ``folder.write_records``, which owns the contract.
"""
