"""Each notebook's parameters: one pydantic model per notebook kind, used by the notebook, the
renderer and the CLI (each notebook's ``parameters`` cell declares the same; a test checks it)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ParameterError
from .names import shorten

Model = TypeVar("Model", bound=BaseModel)


class ReportParameters(BaseModel):
    """Parameters of ``notebooks/cluster_profile.ipynb`` (its ``parameters`` cell declares the same)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    cluster: str = Field("Hefei", min_length=1, max_length=200,
                         description="cluster name as in data/clusters.csv (case and dash style are ignored)")
    edition: int = Field(2024, ge=2016, le=2100, description="GII edition year")
    data_dir: str = Field("", max_length=4096,
                          description="folder of data tables; empty for the project's data/")


class OverviewParameters(BaseModel):
    """Parameters of ``notebooks/edition_overview.ipynb``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    edition: int = Field(2024, ge=2016, le=2100, description="GII edition year")
    data_dir: str = Field("", max_length=4096, description="folder of data tables; empty for data/")
    reports_dir: str = Field("", max_length=4096,
                             description="folder of rendered reports, to link the clusters that have one")
    page_dir: str = Field("", max_length=4096,
                          description="folder the page is opened from, for its relative links; empty: this "
                                      "notebook's folder")


def check_parameters(model: type[Model], values: dict[str, object], what: str = "report") -> Model:
    """Check names and types against ``model``; an unknown name or a wrong type is an error, never a
    warning. ``what`` names the notebook kind in the message ("Invalid overview parameters")."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            name = ".".join(str(p) for p in item["loc"]) or "parameters"
            if item["type"] == "extra_forbidden":
                known = ", ".join(model.model_fields)
                lines.append(f"unknown parameter {name!r} (the {what} takes: {known})")
            else:
                shown = shorten(str(item.get("input")))  # a long or invisible value, shortened and escaped
                lines.append(f"parameter {name!r}: {item['msg']} (got '{shown}')")
        raise ParameterError(f"Invalid {what} parameters:\n  " + "\n  ".join(lines)) from None


def validate_parameters(**values: object) -> ReportParameters:
    """The profile's parameters, checked (see ``check_parameters``)."""
    return check_parameters(ReportParameters, values, "report")
