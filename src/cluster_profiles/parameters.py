"""The report's parameters: one declaration, used by the notebook, the renderer and the CLI."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ParameterError


class ReportParameters(BaseModel):
    """Parameters of ``notebooks/cluster_profile.ipynb`` (its ``parameters`` cell declares the same)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    cluster: str = Field("Hefei", min_length=1, max_length=200,
                         description="cluster name as in data/clusters.csv (case and dash style are ignored)")
    edition: int = Field(2024, ge=2016, le=2100, description="GII edition year")
    data_dir: str = Field("", max_length=4096,
                          description="folder of data tables; empty for the project's data/")


def validate_parameters(**values: object) -> ReportParameters:
    """Check names and types; an unknown name or a wrong type is an error, never a warning."""
    try:
        return ReportParameters.model_validate(values)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            name = ".".join(str(p) for p in item["loc"]) or "parameters"
            if item["type"] == "extra_forbidden":
                known = ", ".join(ReportParameters.model_fields)
                lines.append(f"unknown parameter {name!r} (the report takes: {known})")
            else:
                lines.append(f"parameter {name!r}: {item['msg']} (got {item.get('input')!r})")
        raise ParameterError("Invalid report parameters:\n  " + "\n  ".join(lines)) from None
