import ast

import nbformat
import pytest
from pydantic import BaseModel, Field

from cluster_profiles.errors import ParameterError
from cluster_profiles.pages.parameters import (
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
    ({"edition": "2024"}, "parameter 'edition': Input should be a valid integer"),
    ({"edition": 2024.0}, "parameter 'edition'"),
    ({"cluster": 42}, "parameter 'cluster': Input should be a valid string"),
    ({"cluster": ""}, "parameter 'cluster'"),
    ({"edition": 1999}, "greater than or equal to 2016"),
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
    ({"edition": "2024"}, "parameter 'edition': Input should be a valid integer"),
])
def test_overview_parameters_are_checked_with_their_own_model(values, words):
    with pytest.raises(ParameterError, match=words):
        check_parameters(OverviewParameters, values, "overview")
