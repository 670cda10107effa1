"""One vocabulary for the two outputs: the schema, the profile and the checks all use it."""

import pytest

from cluster_profiles.contract import schema
from cluster_profiles.contract import vocabulary as outputs


def test_every_output_the_schema_accepts_has_its_words():
    assert schema.OUTPUTS == list(outputs.OUTPUTS)
    for key, output in outputs.OUTPUTS.items():
        assert output.key == key
        assert output.total_column in schema.TABLES["clusters"].columns


@pytest.mark.parametrize("table, output, expected", [
    ("top_organisations", "patents", "top PCT applicants"),
    ("top_organisations", "articles", "top publishing organizations"),
    ("top_fields", "patents", "top technology fields"),
    ("top_fields", "articles", "top science fields"),
])
def test_list_names(table, output, expected):
    assert outputs.list_name(table, output) == expected


def test_a_list_that_is_not_a_top_list_is_an_error():
    with pytest.raises(KeyError):
        outputs.list_name("clusters", "patents")
