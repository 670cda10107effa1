"""The settings of the cluster method: one TOML file, validated by a frozen, strict pydantic model.

The shipped defaults are ``default_settings.toml`` beside this module; a user's file may give any
subset of the keys. Every default names its source and says whether a source confirms it or it is
an assumption (``PROVENANCE``, and the comments of the TOML file). A run records the hash of the
resolved settings (every key, defaults filled in) in the ``source`` of every row it writes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from cluster_profiles.contract.vocabulary import EDITIONS_RANGE
from cluster_profiles.errors import ClusterProfilesError

DEFAULT_SETTINGS_NAME = "default_settings.toml"
METHOD = "../shared/data-sources/records/METHOD.md"
GII_2024_APPENDIX_IV = ("WIPO GII 2024 Appendix IV, https://wipo.int/web-publications/global-innovation-index-2024/en/"
                        "appendix-iv-global-innovation-index-science-and-technology-cluster-methodology.html")
KIPO_2024 = "KIPO 2024 (https://busan.fnnews.com/news/202408280830276984)"
HEFEI_PROFILE = "the GII 2024 Hefei profile's layout (tests/fixtures/gii2024-hefei-profile.md)"


class SettingsError(ClusterProfilesError):
    """A settings file that cannot be read or holds a wrong value."""


@dataclass(frozen=True)
class Provenance:
    source: str
    confirmed: bool  # False: an assumption, to be checked against WIPO's own text

    @property
    def status(self) -> str:
        return "confirmed" if self.confirmed else "assumption"


PROVENANCE: dict[str, Provenance] = {
    "edition": Provenance("a label of the output (the GII year the run stands for)", True),
    "pct_years": Provenance(GII_2024_APPENDIX_IV + ": PCT applications published 2019–2023", True),
    "article_years": Provenance(GII_2024_APPENDIX_IV + ": articles published 2018–2022", True),
    "grid_degrees": Provenance("rounding is WIPO's (its 2025 map shows 'rounded locations', Mewburn Ellis 2025); "
                               f"the 0.01° precision is ours ({METHOD} §4.2: ARI 0.996 against exact points)", False),
    "radius_km": Provenance(KIPO_2024 + ": 4,500 inventors/authors within a 15 km radius", True),
    "min_people": Provenance(KIPO_2024 + ": 4,500 inventors/authors within a 15 km radius", True),
    "merge_km": Provenance(KIPO_2024 + ": a cluster within 5 km of another is merged with it", True),
    "merge_within_kind": Provenance(f"not stated: whether the 5 km rule also joins two clusters of one kind "
                                    f"({METHOD} §1.2)", False),
    "counting": Provenance(f"fractional counting is recalled from WIPO Working Paper 34, not verified ({METHOD} §1.2)",
                           False),
    "economy_min_share": Provenance(f"WIPO's threshold was not found; 10 % as suggested in {METHOD} §1.2", False),
    "city_min_share": Provenance("WIPO's naming rule was not found; 10 % like the economy threshold", False),
    "max_cities": Provenance("the GII tables' names hold at most three cities (Shenzhen–Hong Kong–Guangzhou)", True),
    "top_n": Provenance(GII_2024_APPENDIX_IV + ": the top 100 clusters are ranked", True),
    "organisations_listed": Provenance(HEFEI_PROFILE + ": three top applicants and publishing organizations", True),
    "fields_listed": Provenance(HEFEI_PROFILE + ": seven fields and 'Other'", True),
    "partners_listed": Provenance(HEFEI_PROFILE + ": three top collaborating locations", True),
    "drop_economy_mismatch": Provenance("ours: an address whose point lies in another economy than it declares is "
                                        "probably a geocoding error (real-data-review.md: an inventor's 'Macau' placed "
                                        "in France made a cluster labelled FR); WIPO's handling was not found, so the "
                                        "default keeps them and the run reports them", False),
    "population_buffer_km": Provenance(f"WIPO's population layer and footprint were not found ({METHOD} §1.2); "
                                       "about one 0.01° grid cell", False),
}


class Settings(BaseModel):
    """Every rule of the cluster method as a named value (see ``default_settings.toml``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    edition: int = Field(ge=EDITIONS_RANGE[0], le=EDITIONS_RANGE[1], description="GII year the output stands for")
    pct_years: tuple[int, int] = Field(description="publication years of PCT applications, inclusive")
    article_years: tuple[int, int] = Field(description="publication years of articles, inclusive")
    grid_degrees: float = Field(gt=0, le=1, description="rounding grid before clustering (degrees)")
    radius_km: float = Field(gt=0, le=500, description="DBSCAN radius, great-circle km")
    min_people: int = Field(ge=1, le=10**9, description="address rows within radius_km that make a core point (own weight counts)")
    merge_km: float = Field(ge=0, le=500, description="clusters whose nearest points are this close merge")
    merge_within_kind: bool = Field(description="apply merge_km between two clusters of one kind too")
    counting: Literal["fractional", "whole"] = Field(description="how a document's output is counted")
    economy_min_share: float = Field(gt=0, le=1, description="share of output an economy needs to be in the label")
    city_min_share: float = Field(ge=0, le=1, description="share of output a city needs to be in the name")
    max_cities: int = Field(ge=1, le=10, description="most cities in a name")
    top_n: int = Field(ge=1, le=100, description="clusters ranked (the data schema's ranks run 1-100)")
    organisations_listed: int = Field(ge=1, le=49, description="top applicants / organisations listed")
    fields_listed: int = Field(ge=1, le=49, description="top fields listed before 'Other'")
    partners_listed: int = Field(ge=1, le=50, description="top partner clusters listed")
    population_buffer_km: float = Field(ge=0, le=100, description="population point to footprint distance (km)")
    drop_economy_mismatch: bool = Field(description="keep addresses whose point lies in another economy than the "
                                                    "declared one out of the clusters")

    @field_validator("pct_years", "article_years", mode="before")
    @classmethod
    def _window(cls, value: object) -> object:
        # TOML has arrays, not tuples: accept a two-element list of whole years, first <= last
        if isinstance(value, list | tuple):
            if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise ValueError("two whole years, first and last (e.g. [2019, 2023])")
            if value[0] > value[1]:
                raise ValueError("the first year no later than the last (e.g. [2019, 2023])")
            return tuple(value)
        return value

    @field_validator("grid_degrees", "radius_km", "merge_km", "economy_min_share", "city_min_share",
                     "population_buffer_km", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        # strict mode refuses an int for a float field; 15 and 15.0 mean the same radius
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, float) and not math.isfinite(value):  # TOML has nan and inf
            raise ValueError("a finite number")
        return value

    def hash(self) -> str:
        """sha256 of the resolved settings (canonical JSON): equal values, equal hash, whatever the file."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def window(self, kind: str) -> tuple[int, int]:
        return self.pct_years if kind == "pct" else self.article_years


def default_settings_text() -> str:
    return resources.files(__package__).joinpath(DEFAULT_SETTINGS_NAME).read_text(encoding="utf-8")


_TOML_PLACE = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$")


def _parse_toml(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        place = _TOML_PLACE.match(message)
        if place:
            what, line, column = place.groups()
            raise SettingsError(f"{where}:{line}:{column}: found what is not TOML ({what[:1].lower() + what[1:]}); "
                                "expected lines of key = value, e.g. radius_km = 15") from None
        raise SettingsError(f"{where}: found what is not TOML ({message}); expected lines of key = value") from None


def load_settings(path: str | Path | None = None) -> Settings:
    """The shipped defaults, overridden by the keys of ``path`` (a TOML file) when given."""
    values = _parse_toml(default_settings_text(), DEFAULT_SETTINGS_NAME)
    where, text = DEFAULT_SETTINGS_NAME, ""
    if path is not None:
        path = Path(path)
        where = str(path)
        if path.is_dir():
            raise SettingsError(f"--settings {path}: is a folder; give a settings file (TOML)")
        if not path.is_file():
            raise SettingsError(f"--settings {path}: no such settings file")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise SettingsError(f"--settings {path}: cannot be read ({error.strerror})") from None
        try:
            text = raw.decode("utf-8-sig")  # a byte-order mark first, as some editors write, is not TOML's
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            raise SettingsError(f"{where}:{line}:{column}: found the byte 0x{raw[error.start]:02x}, which is not "
                                "UTF-8 text; expected UTF-8 text (save the file as UTF-8)") from None
        values.update(_parse_toml(text, where))
    return settings_from_dict(values, where, text)


def _expected(item: ErrorDetails) -> str:
    """pydantic's message for one wrong value, in the words of a settings file."""
    kind, context = item["type"], item.get("ctx") or {}
    bounds = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"),
              "less_than": ("below", "lt"), "greater_than": ("above", "gt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"a number {words} {context.get(key)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "a whole number (no quotes, no decimals)"
    if kind in ("float_type", "float_parsing"):
        return "a number (no quotes)"
    if kind in ("bool_type", "bool_parsing"):
        return "true or false"
    if kind == "literal_error":
        return f"one of {context.get('expected')}"
    if kind == "value_error":
        return str(context.get("error", item["msg"]))
    if kind in ("tuple_type", "list_type"):
        return "two whole years, first and last (e.g. [2019, 2023])"
    return str(item["msg"])


def _line_of(key: str, text: str) -> int | None:
    """The line of ``key = …`` in a settings file's text (None for a default or a computed value)."""
    match = re.search(rf"^[ \t]*({re.escape(key)}[ \t]*=|\[[ \t]*{re.escape(key)}[ \t]*\])", text, flags=re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def settings_from_dict(values: dict, where: str = "settings", text: str = "") -> Settings:
    """Validate ``values``; every wrong key is listed, one line each, at its line of the file ``where`` (``text``),
    with the value found and what was expected."""
    try:
        return Settings(**values)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            key = str(item["loc"][0]) if item["loc"] else "settings"
            line = _line_of(key, text)
            place = f"{where}:{line}" if line else where
            if item["type"] == "extra_forbidden":
                lines.append(f"{place}: {key}: found an unknown key; expected one of {', '.join(Settings.model_fields)}")
            else:
                shown = repr(item.get("input"))
                shown = shown if len(shown) <= 60 else shown[:59] + "…"
                lines.append(f"{place}: {key}: found {shown}; expected {_expected(item)}")
        raise SettingsError("\n".join(lines)) from None


def with_overrides(settings: Settings, **changes: object) -> Settings:
    """A copy of ``settings`` with some values changed, validated like a file."""
    return settings_from_dict({**settings.model_dump(), **changes})


def settings_label(settings_path: str | Path | None) -> str:
    """How a run names its settings in its summary: the file's full path, or the default settings by name."""
    return str(Path(settings_path).resolve()) if settings_path else f"the default settings ({DEFAULT_SETTINGS_NAME})"
