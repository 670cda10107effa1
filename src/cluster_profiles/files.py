"""Writing outputs so that a failure never leaves a half-written file or destroys a good one."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def write_files_atomically(contents: dict[Path, str], marker: tuple[Path, str] | None = None) -> None:
    """Write every file to a temporary sibling, then move them all into place.

    A failure before the moves leaves every target as it was; the temporary files are removed (and
    a killed process's are swept by the next run, see ``sweep_leftovers``). ``marker`` (a report's
    fingerprint) says the set is complete: the old one is removed before the first move and the new
    one moved last, so a run killed between two moves leaves no marker and the set is rebuilt.
    """
    temporaries: dict[Path, Path] = {}
    if marker is not None:
        contents = {**{t: v for t, v in contents.items() if t != marker[0]}, marker[0]: marker[1]}
    try:
        for target, text in contents.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
            temporaries[target] = Path(name)  # before writing: a full disk fails the write, and it must go
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(name, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        if marker is not None:
            marker[0].unlink(missing_ok=True)
        for target, temporary in temporaries.items():
            os.replace(temporary, target)
    finally:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)


KERNEL_DIR_PREFIX = "cluster-profiles-kernel-"  # + the owning process id + "-": sockets and connection file


def kernel_dir() -> tempfile.TemporaryDirectory:
    """A private folder (0700) for one kernel's IPC sockets and its connection file (which holds the
    kernel's key), named after this process so that a later run can sweep it if this one is killed."""
    return tempfile.TemporaryDirectory(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-")


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, but another user's
        return False
    return False


def sweep_leftovers(reports_dir: Path | None = None) -> list[Path]:
    """Remove what a killed run left behind: kernel folders in the temp folder and half-written
    ``.<name>.<pid>.<random>.tmp`` files in ``reports_dir``, in both cases only of processes that no
    longer exist (a render running beside this one keeps its files). Returns what was removed."""
    import shutil

    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*-*"):
        pid = folder.name[len(KERNEL_DIR_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and folder.is_dir() and _process_is_gone(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if reports_dir is not None and reports_dir.is_dir():
        for temporary in reports_dir.rglob(".*.tmp"):
            match = re.search(r"\.(\d+)\.[^.]+\.tmp\Z", temporary.name)
            if match and _process_is_gone(int(match.group(1))):
                temporary.unlink(missing_ok=True)
                removed.append(temporary)
    return removed


def check_reports_dir(reports_dir: Path) -> Path:
    """The reports folder, created if need be and proven writable before any kernel starts."""
    from cluster_profiles.errors import RenderError
    from cluster_profiles.names import shorten

    shown = shorten(str(reports_dir))
    if reports_dir.exists() and not reports_dir.is_dir():
        raise RenderError(f"The reports folder {shown} is a file, not a folder; give --reports-dir a folder.")
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=reports_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise RenderError(f"Cannot write reports in {shown}: {error.strerror or error}.") from None
    sweep_leftovers(reports_dir)  # what a killed run left: half-written files, kernel folders and keys
    return reports_dir


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
    import pandas as pd  # here, not at the top: writing files must not import pandas (see single.py)

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in safe.columns]
    return safe.to_csv(index=False)
