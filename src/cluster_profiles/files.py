"""Writing outputs so that a failure never leaves a half-written file or destroys a good one."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pandas as pd


def write_files_atomically(contents: dict[Path, str]) -> None:
    """Write every file to a temporary sibling, then move them all into place.

    A failure before the moves leaves every target as it was; the temporary files are removed.
    """
    temporaries: dict[Path, Path] = {}
    try:
        for target, text in contents.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            temporaries[target] = Path(name)
            os.chmod(name, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        for target, temporary in temporaries.items():
            os.replace(temporary, target)
    finally:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)


# A spreadsheet runs a cell that starts with one of these as a formula (=cmd|' /C calc'!A0);
# OWASP's CSV-injection guidance: prefix such a text cell with a single quote, which Excel, LibreOffice
# and Google Sheets show as plain text. A cell that is only a signed number (-12, +3.5%) runs nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+\-\u2212]?\d[\d,.]*%?\Z")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet will execute (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def download_csv(frame: pd.DataFrame) -> str:
    """A table as CSV for people to download and open in a spreadsheet: text cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in safe.columns]
    return safe.to_csv(index=False)
