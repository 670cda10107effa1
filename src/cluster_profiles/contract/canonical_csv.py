"""Reading and writing a data folder's canonical CSV: the only code that knows the file format.

Canonical CSV: UTF-8 without a byte-order mark, Unix line ends, one header line, the schema's
columns in the schema's order, empty cells for missing values, whole numbers without ``.0``. The
importer and anything that computes tables write through ``write_tables``, so a written folder
reads back to the same tables and diffs only where values changed.
"""

from __future__ import annotations

import io as _stdio
import math
import numbers
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cluster_profiles.errors import Problem
from cluster_profiles.files import write_files_atomically

if TYPE_CHECKING:  # the schema (pandera) is imported only to read or write a folder: not by a notebook's kernel
    from cluster_profiles.contract.schema import TableSpec
    from cluster_profiles.contract.tables import Tables

HEADER_LINES = 1  # data row i (0-based) sits on line i + 2 of the file
# The largest table file read: the shipped tables are 40 kB at most and a computed folder's a few MB; a file
# far beyond is not a table of clusters (or is one no page could show), refused before its bytes are read.
MAX_TABLE_BYTES = 64 * 1024 * 1024


def line_of(index: int) -> int:
    """The file line of the frame row at position ``index`` (the header is line 1)."""
    return int(index) + HEADER_LINES + 1


def show_value(value: object, limit: int = 60) -> str:
    """A value for an error message: quoted, and shortened when long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…'"


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file's text, or None with a problem when it is not UTF-8 text with Unix line ends (or is larger than
    ``MAX_TABLE_BYTES``, checked before reading)."""
    name = path.name
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        problems.append(Problem(name, None, None, f"a file of {size:,} bytes",
                                f"at most {MAX_TABLE_BYTES:,} bytes per table file"))
        return None
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, 1, None, "a UTF-8 byte-order mark at the start of the file",
                                "UTF-8 without a byte-order mark (re-save without BOM)"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, f"bytes that are not UTF-8 ({raw[error.start:error.start + 1]!r} at byte {error.start})",
                                "UTF-8 text (re-save the file as UTF-8)"))
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(name, line, None, "Windows (CRLF) or old Mac (CR) line ends",
                                "Unix (LF) line ends, so that files diff and hash the same everywhere"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "an empty file", "a header line and data rows"))
        return None
    if "\x00" in text:  # pandas' parser ends a value at a NUL: the rest of the cell would vanish unseen
        position = text.index("\x00")
        line = text[:position].count("\n") + 1
        problems.append(Problem(name, line, _column_at(text, position), "a NUL byte (\\x00)",
                                "text without NUL bytes (the file may be binary or truncated)"))
        return None
    return text


def _column_at(text: str, position: int) -> str | None:
    """The header name of the CSV field that holds character ``position`` (None if not a field)."""
    import csv

    header = next(csv.reader([text.split("\n", 1)[0]]))
    line_start = text.rfind("\n", 0, position) + 1
    fields_before = next(csv.reader([text[line_start:position]]), [""])
    index = len(fields_before) - 1 if fields_before else 0
    return header[index] if 0 <= index < len(header) else None


def read_table_text(path: Path, spec: TableSpec, problems: list[Problem]) -> pd.DataFrame | None:
    """One table as text (every cell a string, empty cells missing), its header checked against the schema."""
    text = read_text(path, problems)
    if text is None:
        return None
    try:
        frame = pd.read_csv(_stdio.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        problems.append(Problem(path.name, None, None, f"text that is not valid CSV ({error})",
                                "comma-separated values with one header line"))
        return None
    header = header_problems(frame.columns, spec)
    problems.extend(header)
    return None if header else frame


def header_problems(columns: Iterable[object], spec: TableSpec) -> list[Problem]:
    """A header's missing and undeclared columns, located on line 1 of the table's file."""
    columns = list(columns)
    missing = [c for c in spec.columns if c not in columns]
    extra = [c for c in columns if c not in spec.columns]
    return ([Problem(spec.file_name, 1, column, "no such column in the header",
                     f"the columns {', '.join(spec.columns)}") for column in missing]
            + [Problem(spec.file_name, 1, str(column), "a column the schema does not declare",
                       f"only the columns {', '.join(spec.columns)}") for column in extra])


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Every table file of ``folder`` as text frames, with the problems that stopped a file being read.

    A missing optional table is simply absent from the result; validation gives it no rows.
    """
    from cluster_profiles.contract.schema import TABLES  # pandera: a load answered by the cache reads no schema

    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for spec in TABLES.values():
        path = folder / spec.file_name
        if not path.is_file():
            if spec.required:
                problems.append(Problem(spec.file_name, None, None, "no such file",
                                        f"{spec.file_name} ({spec.description})"))
            continue
        frame = read_table_text(path, spec, problems)
        if frame is not None:
            frames[spec.name] = frame
    return frames, problems


EXACT_INTEGERS = 2**53  # beyond, a float no longer holds every whole number: canonical_cell writes its repr


def canonical_cell(value: object) -> str:
    """A value as canonical CSV writes it: '' for missing, 2069 not 2069.0, 10.1 as 10.1."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Real):  # Python and numpy numbers alike
        number = float(value)
        if number.is_integer() and abs(number) < EXACT_INTEGERS:
            return str(int(number))
        return repr(number)
    return str(value)


def canonical_cells(values: pd.Series) -> list[str]:
    """``canonical_cell`` of every value of a column, the same text. A column of floats or whole numbers is
    formatted without asking each value its type (a computed folder's footprints are thousands of rows: a
    tenth of a second a write, and as much again when the same frames are validated)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return [canonical_cell(v) for v in values]
    if pd.api.types.is_float_dtype(dtype):
        floats = values.to_numpy(dtype="float64", na_value=math.nan).tolist()
        return ["" if x != x else str(int(x)) if x.is_integer() and abs(x) < EXACT_INTEGERS else repr(x)
                for x in floats]
    if pd.api.types.is_integer_dtype(dtype):
        whole = values.astype(object).where(values.notna(), None).tolist()
        return ["" if v is None else str(v) if -EXACT_INTEGERS < v < EXACT_INTEGERS else canonical_cell(v)
                for v in whole]
    return [canonical_cell(v) for v in values]


def canonical_csv(frame: pd.DataFrame, spec: TableSpec) -> str:
    """The table as canonical CSV text (columns in the schema's order, rows in the frame's order)."""
    text = pd.DataFrame({column: canonical_cells(frame[column]) for column in spec.columns}, columns=spec.columns)
    return text.to_csv(index=False, lineterminator="\n")


def write_tables(tables: Tables, folder: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Write validated tables to ``folder`` as canonical CSV, all files at once or none.

    Takes ``Tables`` (what ``validate.validate_frames`` returns), so nothing invalid is written.
    ``names`` limits the write to some tables (the importer rewrites clusters.csv only).
    """
    from cluster_profiles.contract.schema import TABLES  # pandera: see read_folder

    folder = Path(folder)
    chosen = list(names) if names is not None else list(TABLES)
    contents = {folder / TABLES[name].file_name: canonical_csv(tables.frame(name), TABLES[name]) for name in chosen}
    write_files_atomically(_changed(contents))
    return list(contents)


def write_text_tables(frames: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write text frames (as ``read_folder`` gives them, the caller having validated the folder they make) with
    each cell's text as it is: a rewrite changes only the cells that changed ('9.0' is not made '9')."""
    from cluster_profiles.contract.schema import TABLES  # pandera: see read_folder

    contents = {Path(folder) / TABLES[name].file_name: canonical_csv(frame.fillna(""), TABLES[name])
                for name, frame in frames.items()}
    write_files_atomically(_changed(contents))
    return list(contents)


def _changed(contents: dict[Path, str]) -> dict[Path, str]:
    """Only the files whose bytes would change: an unchanged file is not rewritten (nor its time touched)."""
    changed = {}
    for path, text in contents.items():
        try:
            if path.read_bytes() == text.encode("utf-8"):
                continue
        except OSError:
            pass
        changed[path] = text
    return changed

