"""Validating tables held in memory: the same problems, at the lines the canonical CSV would have."""

import pandas as pd
import pandera.pandas as pa
import pytest

from cluster_profiles.contract import schema, scope
from cluster_profiles.contract.canonical_csv import read_folder
from cluster_profiles.contract.schema import TABLES, TableSpec
from cluster_profiles.contract.validate import Tables, proxy_kind, validate_frames
from cluster_profiles.errors import DataValidationError


def typed_frames(tables: Tables) -> dict[str, pd.DataFrame]:
    """Frames as a computation would build them: plain numpy dtypes, not the loader's."""
    frames = {}
    for name in tables.frames:
        frame = tables.frame(name).copy()
        for column in schema.numeric_columns(TABLES[name]):
            frame[column] = frame[column].astype("float64")
        frames[name] = frame
    return frames


def test_in_memory_frames_validate_like_the_folder(tables):
    checked = validate_frames(typed_frames(tables))
    for name in TABLES:
        pd.testing.assert_frame_equal(checked.frame(name), tables.frame(name).reset_index(drop=True))
    assert checked.data_dir is None


def test_text_frames_from_the_reader_validate(data_copy):
    frames, problems = read_folder(data_copy)
    assert not problems
    assert validate_frames(frames, data_dir=data_copy).edition_list() == [2023, 2024, 2025]


def test_in_memory_problems_are_located_as_in_the_written_file(tables):
    frames = typed_frames(tables)
    clusters = frames["clusters"]
    at = clusters.index[(clusters["edition"] == 2024) & (clusters["cluster"] == "Hefei")][0]
    clusters.loc[at, "size_rank"] = 36.5
    clusters.loc[at, "economy"] = "ZZ"
    frames["top_fields"].loc[0, "cluster"] = "Atlantis"
    with pytest.raises(DataValidationError) as caught:
        validate_frames(frames)
    places = {f"{p.file}:{p.line}:{p.column}" for p in caught.value.problems}
    assert f"clusters.csv:{at + 2}:size_rank" in places
    with pytest.raises(DataValidationError) as caught:  # the cross-checks run once the types are right
        clusters.loc[at, "size_rank"] = 36
        validate_frames(frames)
    places = {f"{p.file}:{p.line}:{p.column}" for p in caught.value.problems}
    assert f"clusters.csv:{at + 2}:economy" in places and "top_fields.csv:2:cluster" in places


def test_missing_and_unknown_tables(tables):
    frames = typed_frames(tables)
    del frames["gaps"]
    frames["surprise"] = pd.DataFrame()
    with pytest.raises(DataValidationError) as caught:
        validate_frames(frames)
    found = {(p.file, p.found) for p in caught.value.problems}
    assert ("gaps.csv", "no such file") in found and ("surprise.csv", "a table the schema does not declare") in found


LOCATIONS = TableSpec(
    "test_locations", ("cluster", "city"),
    pa.DataFrameSchema({"cluster": pa.Column(str), "city": pa.Column(str), "latitude": pa.Column("Float64"),
                        "source": pa.Column(str)}, strict=True, unique=["cluster", "city"]),
    scope="reference", required=False, description="test table without an edition column")


@pytest.fixture
def with_locations(monkeypatch):
    monkeypatch.setitem(TABLES, LOCATIONS.name, LOCATIONS)


def test_a_table_without_an_edition_column(tables, with_locations):
    frames = typed_frames(tables) | {"test_locations": pd.DataFrame(
        {"cluster": ["Hefei", "Atlantis"], "city": ["Hefei", "Atlantis"], "latitude": [31.8, 0.0],
         "source": ["a gazetteer", "a gazetteer"]})}
    with pytest.raises(DataValidationError) as caught:
        validate_frames(frames)
    assert [str(p) for p in caught.value.problems] == [
        "test_locations.csv:3:cluster: found 'Atlantis'; expected a cluster listed in clusters.csv (any edition)"]
    frames["test_locations"] = frames["test_locations"].iloc[:1]
    checked = validate_frames(frames)
    assert list(checked.test_locations["city"]) == ["Hefei"]
    inputs = scope.report_inputs(checked, "Hefei", 2024)  # a reference table: every page reads all of it
    assert "## test_locations.csv\ncluster,city,latitude,source\nHefei,Hefei,31.8,a gazetteer" in inputs
    assert "## test_locations.csv" in scope.report_inputs(checked, None, 2024)


def test_an_optional_table_may_be_absent(tables, with_locations):
    checked = validate_frames(typed_frames(tables))
    assert checked.test_locations.empty and list(checked.test_locations.columns) == LOCATIONS.columns


def test_scope_needs_its_columns():
    columns = pa.DataFrameSchema({"cluster": pa.Column(str)})
    with pytest.raises(ValueError, match="needs the column"):
        TableSpec("t", ("cluster",), columns, scope="edition")
    with pytest.raises(ValueError, match="not one of"):
        TableSpec("t", ("cluster",), columns, scope="global")  # type: ignore[arg-type]


def test_tables_can_be_rebuilt_with_one_frame_replaced(tables):
    from dataclasses import replace

    fewer = tables.clusters.iloc[:3]
    changed = replace(tables, clusters=fewer)
    assert changed.clusters is fewer and changed.economies is tables.economies
    assert tables.clusters is not fewer  # the original is untouched
    with pytest.raises(AttributeError, match="no table 'nonsense'"):
        changed.nonsense  # noqa: B018


@pytest.mark.parametrize("url, kind, original", [
    ("https://proxy.svarstad.net/proxy?url=https%3A%2F%2Fwww.linkedin.com%2Ftop-content%2F",
     "a URL-fetching proxy", "https://www.linkedin.com/top-content/"),
    ("https://web.archive.org/web/20240901000000/https://www.wipo.int/gii", "an archive copy", "https://www.wipo.int/gii"),
    ("https://archive.ph/AbCdE", "an archive copy", None),
    ("https://www-wipo-int.translate.goog/gii?_x_tr_sl=en&_x_tr_tl=de", "a translation proxy", None),
    ("https://webcache.googleusercontent.com/search?q=cache:https://www.wipo.int/gii", "a search-engine cache",
     "https://www.wipo.int/gii"),
])
def test_copies_served_by_a_proxy_cache_or_archive_are_recognised(url, kind, original):
    assert proxy_kind(url) == (kind, original)


@pytest.mark.parametrize("url", [
    "https://www.wipo.int/web/global-innovation-index/2025/innovation-clusters",
    "https://example.org/share?url=https://www.wipo.int/gii",  # a URL in the query, but no proxy
    "http://203.198.47.105:8089/docDetail.jsp?channel=2803&id=100480217",
    "https://www.archive-news.org/gii",
])
def test_publisher_urls_are_not_taken_for_proxies(url):
    assert proxy_kind(url) is None


@pytest.mark.parametrize("table, column, value, expected", [
    # checks the schema gives a message of its own
    ("clusters", "cluster", "A" * 201, f"a name of 1 to {schema.MAX_NAME_LENGTH} characters"),
    ("clusters", "cluster", " Hefei", "no leading or trailing spaces"),
    ("top_organisations", "organisation", "<b>Acme</b>",
     "plain text: no HTML tags (< >), backticks or Markdown (**, __, [text](link))"),
    ("clusters", "cluster", "He\u202efei", "no control, invisible or bidirectional-override characters "
                                           "(U+0000-U+001F, U+202A-U+202E, U+2066-U+2069, zero-width spaces)"),
    ("clusters", "cluster", "---", "a name with at least one letter or digit"),
    ("clusters", "note", "see \u202etxt.exe", "no control, invisible or bidirectional-override characters "
                                              "(tabs and line breaks are allowed here)"),
    ("clusters", "pct_applications", 1e300,
     "a value of at most 100,000,000 (larger counts are implausible for a cluster: a typing or unit error?)"),
    # pandera's built-in checks, said in words from their name and arguments
    ("clusters", "pct_applications", -5.0, "a value of 0 or more"),
    ("clusters", "size_rank", 101, "a value from 1 to 100"),
    ("clusters", "in_top100", "maybe", "one of ['true', 'false']"),
    ("cluster_locations", "geonames_id", 0, "a value greater than 0"),
    ("economies", "code", "C1", "a two-letter ISO code in capitals, such as DE"),
    ("clusters", "cluster", None, "a value (this column is required)"),
])
def test_each_schema_check_says_what_the_cell_should_hold(fixture_tables, table, column, value, expected):
    frames = typed_frames(fixture_tables)
    frames[table].loc[0, column] = value
    with pytest.raises(DataValidationError) as caught:
        validate_frames(frames)
    assert [(p.file, p.line, p.column, p.expected) for p in caught.value.problems] == [(f"{table}.csv", 2, column, expected)]

