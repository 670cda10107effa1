"""Each notebook's parameters: one pydantic model per notebook kind, used by the notebook, the
renderer and the CLI (each notebook's ``parameters`` cell declares the same; a test checks it)."""

from __future__ import annotations

import os
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from cluster_profiles.errors import ParameterError
from cluster_profiles.names import VIA_COMMAND_LINE, VIA_MAKE, shorten

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


# each parameter as a person typed it: the console script's option and the make variable (None: make has none)
COMMAND_LINE_NAMES: dict[str, tuple[str, str | None]] = {
    "cluster": ("--cluster", "CLUSTER"), "clusters": ("--clusters", "CLUSTERS"), "edition": ("--edition", "EDITION"),
    "data_dir": ("--data-dir", "DATA"), "reports_dir": ("--reports-dir", None), "page_dir": ("--reports-dir", None),
    "records_dir": ("--records", "RECORDS"), "settings_path": ("--settings", "SETTINGS"),
    "radius_km_values": ("--radius-km", "RADII"), "min_people_values": ("--min-people", "MIN_PEOPLE"),
}


def spelled(name: str) -> str:
    """A parameter as the user gave it: the make variable (``CLUSTER``) when the command came from make,
    the option (``--cluster``) from the console script, else the notebook's parameter ('cluster')."""
    option, variable = COMMAND_LINE_NAMES.get(name, ("", None))
    if os.environ.get(VIA_MAKE) and variable:
        return variable
    if (os.environ.get(VIA_MAKE) or os.environ.get(VIA_COMMAND_LINE)) and option:
        return option
    return f"parameter {name!r}"


_KINDS_OF_VALUE = {"int": "a whole number", "float": "a number", "string": "text", "list": "a list",
                   "bool": "true or false"}


def _plain(item: ErrorDetails) -> str:
    """What was wrong with one value, in the words of the parameter (pydantic's own only as a last resort)."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind.endswith(("_type", "_parsing")) or kind in {"int_from_float"}:
        return f"must be {_KINDS_OF_VALUE.get(kind.split('_')[0], 'another kind of value')}"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"must be at least {context['ge']}" if "ge" in context else f"must be more than {context.get('gt')}"
    if kind in {"less_than_equal", "less_than"}:
        return f"must be at most {context['le']}" if "le" in context else f"must be less than {context.get('lt')}"
    if kind == "string_too_short":
        return "is empty"
    if kind == "string_too_long":
        return f"is too long (at most {context.get('max_length')} characters)"
    if kind == "too_short":
        return f"needs at least {context.get('min_length')} values"
    if kind == "too_long":
        return f"takes at most {context.get('max_length')} values"
    if kind == "value_error":  # the models' own validators (ValueError): their message is already plain
        return f": {context.get('error', item['msg'])}"
    return f"is not valid ({item['msg']})"


def check_parameters(model: type[Model], values: dict[str, object], what: str = "report") -> Model:
    """Check names and types against ``model``; an unknown name or a wrong type is an error, never a
    warning. ``what`` names the notebook kind in the message ("Invalid overview parameters"); each value
    is named as the user gave it (``spelled``)."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "parameters"
            if item["type"] == "extra_forbidden":
                known = ", ".join(model.model_fields)
                lines.append(f"unknown parameter {name!r} (the {what} takes: {known})")
            else:
                given = item.get("input")
                given = NAME_SEPARATOR.join(map(str, given)) if isinstance(given, list) else given
                shown = shorten(str(given))  # a long or invisible value, shortened and escaped
                where = f" (value {int(item['loc'][1]) + 1})" if len(item["loc"]) > 1 else ""
                plain = _plain(item)
                lines.append(f"{spelled(name)}{where}{'' if plain.startswith(':') else ' '}{plain} (got '{shown}')")
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
    if len(names) < 2:
        comma = " not ','" if "," in names[0] else ""
        raise ParameterError(f"{option} '{shorten(text)}' names one cluster: give two or more separated by "
                             f"'{NAME_SEPARATOR}'{comma} (names contain commas: 'San Jose–San Francisco, CA'), "
                             f"e.g. \"Hefei;Nanjing\".")
    return names
