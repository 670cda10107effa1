"""IPC symbols to WIPO's 35 technology fields (METHOD.md §6 case 10), and documents split among fields."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from cluster_profiles.compute.fields import concordance, create_document_fields, field_of, normalise_ipc


def test_the_concordance_has_35_fields_and_the_2024_additions():
    table = concordance()
    assert sorted(table["field_number"].unique()) == list(range(1, 36))
    assert len(table) == 771
    assert {"H10", "G06V", "B64U"} <= set(table["prefix"])


@pytest.mark.parametrize(("code", "field"), [
    ("G01N 33/53", "Analysis of biological materials"),  # field 11: the main group overrides the subclass
    ("G01N 21/00", "Measurement"),                       # field 10
    ("A61K 8/02", "Organic fine chemistry"),             # cosmetics, not pharmaceuticals
    ("A61K 31/00", "Pharmaceuticals"),
    ("B01D 53/34", "Environmental technology"),
    ("B01D 1/00", "Chemical engineering"),
    ("C13B 10/00", "Food chemistry"),
    ("E01F 8/00", "Environmental technology"),
    ("E01F 9/00", "Civil engineering"),
    ("H04N 5/76", "Audio-visual technology"),
    ("H04N 1/00", "Telecommunications"),
    ("H10K 50/00", "Semiconductors"),                    # the one class-level pattern, H10
    ("H01L 21/8242", "Semiconductors"),
])
def test_longest_prefix_wins(code, field):
    assert field_of(code) == field


def test_symbols_are_normalised_before_matching():
    assert normalise_ipc("g01n  033/53") == "G01N33/53"
    assert field_of("G01N0033/53") == "Analysis of biological materials"
    assert field_of("Z99Z 1/00") is None


def test_a_document_is_split_equally_among_its_distinct_fields():
    con = duckdb.connect()
    con.register("d", pd.DataFrame({"doc_id": ["p1", "p2", "a1"], "kind": ["pct", "pct", "article"], "year": 2020}))
    con.execute("CREATE TABLE win_documents AS SELECT * FROM d")
    con.register("c", pd.DataFrame({"doc_id": ["p1", "p1", "p1", "p2", "a1", "a1"],
                                    "code": ["H01L 21/00", "H01L 29/00", "G06F 3/00", "ZZZ", "Chemistry", "Physics"]}))
    con.execute("CREATE TABLE classes AS SELECT * FROM c")
    create_document_fields(con)
    parts = con.execute("SELECT doc_id, field, part FROM document_fields ORDER BY doc_id, field").df()
    assert list(parts["doc_id"]) == ["a1", "a1", "p1", "p1"]  # p2's code maps to nothing
    assert list(parts["field"]) == ["Chemistry", "Physics", "Computer technology", "Semiconductors"]
    assert list(parts["part"]) == pytest.approx([0.5, 0.5, 0.5, 0.5])  # two H01L codes: one field
