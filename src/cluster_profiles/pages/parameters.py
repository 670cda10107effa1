"""Each notebook's parameters: one pydantic model per notebook kind, used by the notebook, the
renderer and the CLI (each notebook's ``parameters`` cell declares the same; a test checks it)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cluster_profiles.errors import ParameterError
from cluster_profiles.names import shorten

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


MAX_COMPARED = 8  # clusters side by side: more columns than this no longer fit a page


class CompareParameters(BaseModel):
    """Parameters of ``notebooks/compare_clusters.ipynb``: two or more clusters of one edition."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    clusters: list[str] = Field(default_factory=lambda: ["Hefei", "Nanjing", "Wuhan"], min_length=2,
                                max_length=MAX_COMPARED,
                                description="two or more cluster names as in data/clusters.csv (any spelling)")
    edition: int = Field(2024, ge=2016, le=2100, description="GII edition year")
    data_dir: str = Field("", max_length=4096, description="folder of data tables; empty for data/")
    reports_dir: str = Field("", max_length=4096,
                             description="folder of rendered reports, to link the clusters that have one")
    page_dir: str = Field("", max_length=4096,
                          description="folder the page is opened from, for its relative links; empty: this "
                                      "notebook's folder")

    @field_validator("clusters")
    @classmethod
    def _names_are_given(cls, names: list[str]) -> list[str]:
        for number, name in enumerate(names, start=1):
            if not name.strip():
                raise ValueError(f"name {number} of {len(names)} is empty")
            if len(name) > 200:
                raise ValueError(f"name {number} is {len(name)} characters long; a cluster name has at most 200")
        return names


class FindClustersParameters(BaseModel):
    """Parameters of ``notebooks/find_clusters.ipynb`` (the narrative of a clustering run)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    records_dir: str = Field("", max_length=4096, description="the records folder: documents, addresses, "
                                                                "organisations, classes (CSV or Parquet)")
    settings_path: str = Field("", max_length=4096,
                               description="a settings TOML (the keys of default_settings.toml); empty for the defaults")
    radius_km_values: list[float] = Field(default_factory=lambda: [10.0, 20.0],
                                          description="other radii to try, each with the settings' min_people")
    min_people_values: list[int] = Field(default_factory=lambda: [3000, 6000],
                                         description="other core thresholds to try, each with the settings' radius_km")


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


NAME_SEPARATOR = ";"  # cluster names contain commas ("San Jose–San Francisco, CA"), never a semicolon


def split_names(text: str, option: str = "--clusters") -> list[str]:
    """'Hefei;Nanjing; Wuhan' -> ['Hefei', 'Nanjing', 'Wuhan']; an empty name ('A;;B', 'A;') is an error."""
    names = [part.strip() for part in str(text).split(NAME_SEPARATOR)]
    if not any(names):
        raise ParameterError(f"{option} is empty: give two or more cluster names separated by "
                             f"'{NAME_SEPARATOR}' (e.g. \"Hefei;Nanjing\").")
    for number, name in enumerate(names, start=1):
        if not name:
            raise ParameterError(f"{option} '{shorten(text)}': name {number} of {len(names)} is empty "
                                 f"(two '{NAME_SEPARATOR}' in a row, or one at an end?).")
    return names
