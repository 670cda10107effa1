"""data/README.md documents exactly the tables and columns the loader enforces."""

import re

from cluster_profiles import paths
from cluster_profiles.contract.schema import TABLES


def documented_tables() -> dict[str, list[str]]:
    text = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    tables = {}
    for block in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        name = block.split("\n", 1)[0].strip()
        # rows of the column tables, not their "| column | type | ..." header
        tables[name] = re.findall(r"^\| ([a-z0-9_]+) \| (?!type \|)", block, flags=re.MULTILINE)
    return tables


def test_data_dictionary_matches_schema():
    documented = documented_tables()
    assert set(documented) == {spec.file_name for spec in TABLES.values()}
    for spec in TABLES.values():
        assert documented[spec.file_name] == spec.columns, spec.file_name


def test_shipped_files_match_schema_column_order():
    for spec in TABLES.values():
        if not spec.required and not (paths.DATA_DIR / spec.file_name).exists():
            continue  # an optional table (a computed folder's footprints): the shipped data need not have it
        header = (paths.DATA_DIR / spec.file_name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == spec.columns
