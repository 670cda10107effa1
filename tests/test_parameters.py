import ast

import nbformat
import pytest

from cluster_profiles import paths
from cluster_profiles.errors import ParameterError
from cluster_profiles.parameters import ReportParameters, validate_parameters


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


def test_notebook_parameters_cell_matches_the_model():
    """The parameters cell and ReportParameters must declare the same names, types and defaults."""
    notebook = nbformat.read(paths.PROFILE_NOTEBOOK, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    declared = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.AnnAssign), "every parameter is typed"
        declared[node.target.id] = (node.annotation.id, ast.literal_eval(node.value))
    fields = ReportParameters.model_fields
    assert set(declared) == set(fields)
    for name, (type_name, default) in declared.items():
        assert type_name == fields[name].annotation.__name__
        assert default == fields[name].default
    lines = cell.source.splitlines()
    assert all("  # " in line for line in lines), "every parameter has a help comment"


def test_overview_parameters_cell_matches_its_model():
    from cluster_profiles.overview import OverviewParameters

    notebook = nbformat.read(paths.OVERVIEW_NOTEBOOK, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    declared = {node.target.id: (node.annotation.id, ast.literal_eval(node.value))
                for node in ast.parse(cell.source).body}
    fields = OverviewParameters.model_fields
    assert declared == {name: (f.annotation.__name__, f.default) for name, f in fields.items()}
