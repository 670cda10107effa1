"""Validate tables held in memory: types, the declared schema and the source-URL policy, then the cross-checks
between tables (``crosschecks``).

``validate_frames`` takes one DataFrame per table (text read from CSV by ``io.read_folder``, or
typed values computed in memory) and returns ``Tables`` or raises ``DataValidationError`` with every
problem at once. Problems are located as ``file:line:column`` of the canonical CSV the frames are, or
would be written as (``io.write_tables``), so a computed folder can be checked before it is written.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
import pandas as pd
import pandera.pandas as pa

from cluster_profiles.contract.canonical_csv import canonical_cells, header_problems, line_of, show_value
from cluster_profiles.contract.crosschecks import cross_check
from cluster_profiles.contract.folder_about import ABOUT_TABLE, about_problems
from cluster_profiles.contract.schema import TABLES, TableSpec, numeric_columns
from cluster_profiles.contract.tables import Tables
from cluster_profiles.errors import DataValidationError, Problem

_show = show_value


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """A table with its columns and no rows (an optional table the folder does not have)."""
    return pd.DataFrame({column: pd.Series([], dtype=numeric_columns(spec).get(column, object))
                         for column in spec.columns})


def _as_text_column(values: pd.Series) -> pd.Series:
    """Text columns as the CSV reader gives them: strings, with NaN for missing or empty cells."""
    cells = canonical_cells(values)
    return pd.Series([c if c != "" else np.nan for c in cells], index=values.index, dtype=object)


def coerce_types(frame: pd.DataFrame, spec: TableSpec, problems: list[Problem]) -> pd.DataFrame | None:
    """The frame with the schema's column types: numbers from text or from other numeric types, text
    from anything else. Returns None (with problems) when columns are missing or undeclared."""
    header = header_problems(frame.columns, spec)
    if header:
        problems.extend(header)
        return None
    frame = frame.reset_index(drop=True)  # row i is line i + 2 of the canonical CSV
    numeric = numeric_columns(spec)
    for column in spec.columns:
        if column not in numeric:
            frame[column] = _as_text_column(frame[column])
    for column, dtype in numeric.items():
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            text_values, numbers = values, pd.to_numeric(values).astype("Float64")
        else:
            text_values = _as_text_column(values)
            numbers = pd.to_numeric(text_values, errors="coerce")
            for index in frame.index[text_values.notna() & numbers.isna()]:
                problems.append(Problem(spec.file_name, line_of(index), column,
                                        f"{_show(text_values[index])} ({_not_a_table_number(text_values[index])})",
                                        "a finite number" if dtype == "Float64" else "a finite whole number"))
        infinite = numbers.notna() & ~numbers.apply(lambda v: math.isfinite(v) if pd.notna(v) else True)
        for index in frame.index[infinite]:  # 'inf': a number to pandas, but not one a table can hold
            problems.append(Problem(spec.file_name, line_of(index), column,
                                    f"{_show(text_values[index])} (an infinite number)", "a finite number"))
        numbers = numbers.where(~infinite)
        if dtype == "Int64":
            fractional = numbers.notna() & (numbers != numbers.round())
            for index in frame.index[fractional]:
                problems.append(Problem(spec.file_name, line_of(index), column,
                                        f"{_show(text_values[index])}", "a whole number"))
            numbers = numbers.where(~fractional)
        frame[column] = numbers.astype(dtype)
    return frame


def _not_a_table_number(text: str) -> str:
    """Why a cell pandas could not read as a number is not one: 'nan', '1e400' and '2,069' differ."""
    try:
        value = float(text)
    except ValueError:
        return "not a number"
    return "'not a number' spelled as a value" if math.isnan(value) else "an infinite number (too large)"


def validate_frames(frames: Mapping[str, pd.DataFrame], data_dir: Path | None = None,
                    where: str | None = None) -> Tables:
    """Check one frame per table against the schema and against each other; return ``Tables``.

    A required table missing from ``frames`` is a problem; an optional one gets no rows. Raises
    ``DataValidationError`` naming ``where`` (the folder, by default ``data_dir``) with every problem.
    """
    where = where or (str(data_dir) if data_dir is not None else "the tables given")
    problems: list[Problem] = []
    checked: dict[str, pd.DataFrame] = {}
    for name in frames:
        if name not in TABLES:
            problems.append(Problem(f"{name}.csv", None, None, "a table the schema does not declare",
                                    f"only the tables {', '.join(TABLES)}"))
    for spec in TABLES.values():
        if spec.name not in frames:
            if spec.required:
                problems.append(Problem(spec.file_name, None, None, "no such file",
                                        f"{spec.file_name} ({spec.description})"))
            else:
                checked[spec.name] = empty_frame(spec)
            continue
        frame, table_problems = _check_table(frames[spec.name], spec)
        problems.extend(table_problems)
        if frame is not None and not table_problems:
            checked[spec.name] = frame
    if problems:
        raise DataValidationError(where, problems)
    tables = Tables(data_dir, checked)
    problems.extend(cross_check(tables))
    problems.extend(about_problems(tables.frame(ABOUT_TABLE)))
    if problems:
        raise DataValidationError(where, problems)
    return tables


# Tables checked before in this process, by content: validating a folder again after one table changed (an
# import, a fixed file, a corrected frame) re-checks that table only. Bounded; the result depends on nothing else.
_CHECKED: OrderedDict[bytes, tuple[pd.DataFrame | None, tuple[Problem, ...]]] = OrderedDict()
_CHECKED_KEPT = 64


def _content_key(frame: pd.DataFrame, spec: TableSpec) -> bytes:
    """Every cell's type and exact value (repr: a float's shortest round trip), column by column, in row order."""
    digest = hashlib.sha256(f"{spec.name}\0{len(frame)}\0".encode())
    for name in frame.columns:
        values = frame[name]
        digest.update(repr((name, str(values.dtype))).encode())
        digest.update(repr([(type(v).__name__, v) for v in values]).encode())
    return digest.digest()


def _check_table(frame: pd.DataFrame, spec: TableSpec) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One table's types (``coerce_types``) and schema checks: the typed frame, or the problems found."""
    key = _content_key(frame, spec)
    if key in _CHECKED:
        _CHECKED.move_to_end(key)
        checked, found = _CHECKED[key]
        return (None if checked is None else checked.copy()), list(found)
    problems: list[Problem] = []
    checked = coerce_types(frame, spec, problems)
    if checked is not None:
        problems += _schema_problems(checked, spec) + _proxied_sources(checked, spec)
    _CHECKED[key] = (None if checked is None else checked.copy(), tuple(problems))
    if len(_CHECKED) > _CHECKED_KEPT:
        _CHECKED.popitem(last=False)
    return checked, problems


def _schema_problems(frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    try:
        spec.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    problems = []
    for case in cases.itertuples(index=False):
        index = case.index
        line = None if index is None or (isinstance(index, float) and math.isnan(index)) else line_of(index)
        check = str(case.check)
        column = None if case.column is None else str(case.column)
        if check == "multiple_fields_uniqueness":
            key_values = ", ".join(f"{k}={frame.at[index, k]}" for k in spec.key) if line else ""
            problems.append(Problem(spec.file_name, line, ", ".join(spec.key),
                                    f"a duplicate key ({key_values})",
                                    f"one row per {' + '.join(spec.key)}"))
            continue
        problems.append(Problem(spec.file_name, line, column, _show(case.failure_case),
                                _describe_check(check)))
    # pandera reports a duplicate key once per column of the key: keep one per line
    return sorted(set(problems))


# A source must name the publisher's own page, not a copy served by a cache, a translation proxy, an
# archive or a URL-fetching proxy: such a copy may differ from the original, disappear, or (for a proxy)
# belong to nobody the reader knows. Hosts by what they are; a URL whose query holds another URL on a
# host or path that says "proxy" is a proxy whatever its host.
PROXY_HOSTS: dict[str, str] = {
    "webcache.googleusercontent.com": "a search-engine cache",
    "cc.bingj.com": "a search-engine cache",
    "translate.googleusercontent.com": "a translation proxy",
    "translate.goog": "a translation proxy",
    "translate.google.com": "a translation proxy",
    "web.archive.org": "an archive copy",
    "archive.org": "an archive copy",
    "archive.ph": "an archive copy",
    "archive.is": "an archive copy",
    "archive.today": "an archive copy",
    "archive.li": "an archive copy",
    "archive.md": "an archive copy",
    "archive.vn": "an archive copy",
    "ghostarchive.org": "an archive copy",
    "12ft.io": "a reader proxy",
    "r.jina.ai": "a reader proxy",
}
SOURCE_COLUMNS = ("source", "report_url")
_URL = re.compile(r"https?://[^\s<>\"']+")


def proxy_kind(url: str) -> tuple[str, str | None] | None:
    """(what the URL is, the original URL it carries if any) when ``url`` is served by a cache, archive,
    translation or URL-fetching proxy rather than the publisher; None for an ordinary URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    carried = next((unquote(v) for _, v in parse_qsl(parts.query) if re.match(r"https?://", unquote(v))), None)
    if carried is None:  # an archive's copy names the original in its path: /web/2024/https://…
        match = re.search(r"https?://\S+", unquote(parts.path) + ("?" + parts.query if parts.query else ""))
        carried = match.group(0) if match else None
    for known, kind in PROXY_HOSTS.items():
        if host == known or host.endswith("." + known):
            return kind, carried
    if carried is not None and ("proxy" in host or "proxy" in parts.path.lower()):
        return "a URL-fetching proxy", carried
    return None


def _proxied_sources(frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    problems = []
    for column in SOURCE_COLUMNS:
        if column not in frame.columns:
            continue
        for index, value in frame[column].items():
            if not isinstance(value, str):
                continue
            for url in _URL.findall(value):
                found = proxy_kind(url.rstrip(".,;)"))
                if found is None:
                    continue
                kind, original = found
                problems.append(Problem(spec.file_name, line_of(index), column,
                                        f"{_show(url, 80)}, {kind}",
                                        "the publisher's own URL" + (f" ({_show(original, 80)})" if original else "")
                                        + ", not a cached, archived, translated or proxied copy"))
    return problems


# pandera reports a built-in check by its name and arguments ("in_range(1, 100)"); a check the schema declares
# with its own message (``error=``, a sentence) reports that message instead, which is shown as it is.
_PANDERA_CHECK_NAME = re.compile(r"[a-z_]+(\(.*\))?", re.DOTALL)


def _describe_check(check: str) -> str:
    """What a failed check expected, in words."""
    if not _PANDERA_CHECK_NAME.fullmatch(check):
        return check
    if check == "not_nullable":
        return "a value (this column is required)"
    if check.startswith("in_range"):
        low, high = check[len("in_range("):-1].split(", ")
        return f"a value from {low} to {high}"
    if check.startswith("isin"):
        return f"one of {check[len('isin('):-1]}"
    if check.startswith("greater_than("):
        return f"a value greater than {check[len('greater_than('):-1]}"
    if check.startswith("greater_than_or_equal_to("):
        return f"a value of {check[len('greater_than_or_equal_to('):-1]} or more"
    if check.startswith("str_matches"):
        return f"text matching the pattern {check[len('str_matches('):-1]}"
    return f"a value that passes the check {check}"
