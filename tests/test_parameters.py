import ast
import re

import nbformat
import pytest
from pydantic import BaseModel, Field

from cluster_profiles.errors import ParameterError
from cluster_profiles.pages.parameters import (
    CompareParameters,
    FindClustersParameters,
    OverviewParameters,
    ReportParameters,
    check_parameters,
    validate_parameters,
)
from cluster_profiles.runner.kinds import NOTEBOOKS


def test_defaults_render_hefei_2024():
    assert validate_parameters() == ReportParameters(cluster="Hefei", edition=2024, data_dir="")


@pytest.mark.parametrize("values, words", [
    ({"cluster": "Hefei", "editon": 2024}, "unknown parameter 'editon'"),
    ({"edition": "2024"}, "parameter 'edition' must be a whole number \\(got '2024'\\)"),
    ({"edition": 2024.0}, "parameter 'edition'"),
    ({"cluster": 42}, "parameter 'cluster' must be text \\(got '42'\\)"),
    ({"cluster": ""}, "parameter 'cluster' is empty"),
    ({"edition": 1999}, "parameter 'edition' must be at least 2016"),
])
def test_bad_parameters_are_errors(values, words):
    with pytest.raises(ParameterError, match=words):
        validate_parameters(**values)


def declared_parameters(source: str) -> dict[str, tuple[str, object]]:
    """A parameters cell's names, with the annotation as written (``int``, ``list[str]``) and the default."""
    declared = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name), "every parameter is typed"
        assert node.value is not None, f"{node.target.id} has a default"
        declared[node.target.id] = (ast.unparse(node.annotation), ast.literal_eval(node.value))
    return declared


def model_parameters(model: type[BaseModel]) -> dict[str, tuple[str, object]]:
    """The same for a pydantic model: ``list[str]`` for a list of names, ``int`` for a year."""
    def written(annotation: object) -> str:
        return annotation.__name__ if isinstance(annotation, type) else str(annotation)

    return {name: (written(field.annotation), field.get_default(call_default_factory=True))
            for name, field in model.model_fields.items()}


@pytest.mark.parametrize("spec", list(NOTEBOOKS.values()), ids=lambda spec: spec.kind)
def test_each_notebook_parameters_cell_matches_its_model(spec):
    """The parameters cell and the kind's model declare the same names, types and defaults."""
    notebook = nbformat.read(spec.notebook, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert declared_parameters(cell.source) == model_parameters(spec.parameters)
    assert all("  # " in line for line in cell.source.splitlines()), "every parameter has a help comment"


def test_list_parameters_are_read_from_the_cell_and_the_model():
    class Comparison(BaseModel):
        clusters: list[str] = Field(default_factory=lambda: ["Hefei", "Nanjing"])
        edition: int = 2024

    cell = 'clusters: list[str] = ["Hefei", "Nanjing"]  # names\nedition: int = 2024  # year'
    assert declared_parameters(cell) == model_parameters(Comparison) == {
        "clusters": ("list[str]", ["Hefei", "Nanjing"]), "edition": ("int", 2024)}
    assert declared_parameters('clusters: list[str] = ["Hefei"]') != model_parameters(Comparison)


@pytest.mark.parametrize("values, words", [
    ({"edition": 2024, "cluster": "Hefei"}, "Invalid overview parameters:\n  unknown parameter 'cluster' "
                                            "\\(the overview takes: edition, data_dir, reports_dir, page_dir\\)"),
    ({"edition": "2024"}, "parameter 'edition' must be a whole number"),
])
def test_overview_parameters_are_checked_with_their_own_model(values, words):
    with pytest.raises(ParameterError, match=words):
        check_parameters(OverviewParameters, values, "overview")


# a wrong value of every kind for every parameter of every notebook kind
_WRONG_VALUES = [None, "", "x" * 5000, -1, 10**6, 2.5, True, [], ["Hefei"], ["Hefei"] * 20, ["Hefei", " "], {"a": 1}]


@pytest.mark.parametrize("model", [ReportParameters, OverviewParameters, CompareParameters, FindClustersParameters],
                         ids=lambda m: m.__name__)
def test_no_pydantic_wording_reaches_the_user(model, monkeypatch):
    """Each error pydantic can give on these models is said in the parameter's words, for each way in."""
    library_words = re.compile(r"Input should|should have|after validation|valid (integer|string|list)|"
                               r"greater than or equal|less than or equal|String should|type=|pydantic")
    seen = 0
    for via in ({}, {"CLUSTER_PROFILES_VIA_COMMAND_LINE": "1"}, {"CLUSTER_PROFILES_VIA_MAKE": "1"}):
        for name in ("CLUSTER_PROFILES_VIA_COMMAND_LINE", "CLUSTER_PROFILES_VIA_MAKE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in via.items():
            monkeypatch.setenv(name, value)
        for field in model.model_fields:
            for value in _WRONG_VALUES:
                try:
                    check_parameters(model, {field: value})
                except ParameterError as error:
                    seen += 1
                    assert not library_words.search(str(error)), str(error)
                    assert "is not valid (" not in str(error), str(error)  # the last resort: a type not translated
    assert seen > 20


def test_a_comparison_of_one_name_explains_the_separator():
    from cluster_profiles.pages.parameters import split_names

    with pytest.raises(ParameterError, match="names one cluster: give two or more separated by ';' not ','"):
        split_names("Hefei,Nanjing")
    with pytest.raises(ParameterError, match="names one cluster: give two or more separated by ';' \\("):
        split_names("Hefei")
