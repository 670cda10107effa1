"""Writing outputs so that a failure never leaves a half-written file or destroys a good one."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cluster_profiles.errors import ClusterProfilesError, RenderError
from cluster_profiles.names import shorten

if TYPE_CHECKING:
    import pandas as pd


def write_files_atomically(contents: Mapping[Path, str | bytes], marker: tuple[Path, str] | None = None) -> None:
    """Write every file (text as UTF-8, or bytes: a PDF) to a temporary sibling, then move them all into place.

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
            if isinstance(text, bytes):
                with os.fdopen(handle, "wb") as binary:
                    binary.write(text)
            else:
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
    import pandas as pd  # here, not at the top: writing files must not import pandas (see runner/page.py)

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in safe.columns]
    return safe.to_csv(index=False)


# --- Temporary folders a command creates: named after their owner, removed on exit, on a signal or by the next run

TEMPORARY_PREFIX = "cluster-profiles-"  # + what + "-" + the owning process id + "-" + random
_TEMPORARY_NAME = re.compile(rf"\A\.?{re.escape(TEMPORARY_PREFIX)}([a-z0-9-]+?)-(\d+)-[^/]*\Z")


def temporary_owner(name: str) -> tuple[str, int] | None:
    """(what, pid) of a temporary named by ``temporary_folder``, or None for any other name."""
    match = _TEMPORARY_NAME.match(name)
    return (match.group(1), int(match.group(2))) if match else None


def sweep_temporaries(parent: Path, what: str | None = None) -> list[Path]:
    """Remove the temporaries in ``parent`` (of kind ``what``, or every kind) whose process no longer exists."""
    import shutil

    removed: list[Path] = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return removed
    for entry in entries:
        owner = temporary_owner(entry.name)
        if owner is None or (what is not None and owner[0] != what) or not _process_is_gone(owner[1]):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextmanager
def temporary_folder(what: str, parent: Path | None = None) -> Iterator[Path]:
    """A private folder for one command's work (a DuckDB database, staged tables, unpacked inputs), in ``parent``
    (default: the system's temporary folder; then hidden, a dot first, since ``parent`` is a user's folder).

    Named ``cluster-profiles-<what>-<pid>-<random>``: removed when the block ends, also when a termination signal
    (SIGTERM, SIGHUP, SIGINT) stops the command; a ``kill -9`` leaves it, and the next command that makes one of
    the same kind in the same place removes it, since its process is gone.
    """
    import shutil

    folder_parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    sweep_temporaries(folder_parent, what)
    hidden = "." if parent is not None else ""
    folder = Path(tempfile.mkdtemp(prefix=f"{hidden}{TEMPORARY_PREFIX}{what}-{os.getpid()}-", dir=folder_parent))
    try:
        with exit_on_termination():
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


TERMINATION_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")


@contextmanager
def exit_on_termination() -> Iterator[None]:
    """Within the block a termination signal raises ``SystemExit(128 + signal)``, so that every ``finally`` and
    ``with`` on the way out runs (temporaries removed) and the command exits as a killed one would, without a
    traceback. A library that turns the exception into its own (DuckDB: "Query interrupted") is overruled on the
    way out. Only a signal still at its default is taken: a kernel's or a batch worker's own handler (and
    IPython's Ctrl-C, which interrupts a cell) stays in charge, and a killed process's temporaries are swept by the
    next run. Only the main thread can take signals; elsewhere the block changes nothing."""
    import builtins
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        raise SystemExit(128 + signum)

    previous = {}
    for name in TERMINATION_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:
            continue
        default = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
        if signal.getsignal(number) is default and not (number == signal.SIGINT and getattr(builtins, "__IPYTHON__",
                                                                                              False)):
            previous[number] = signal.signal(number, stop)
    try:
        yield
    except BaseException as error:
        if received and not isinstance(error, SystemExit):
            raise SystemExit(128 + received[0]) from None
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:  # a signal that came while the block was leaving without an exception
        raise SystemExit(128 + received[0])


# --- Output folders: a command replaces or deletes only what it wrote there, as its manifest says

MANIFEST_PREFIX = ".cluster-profiles-"  # + the command + ".json": the names of the files that command wrote here


class OutputFolderError(ClusterProfilesError):
    """An output folder a command refuses to write: it would replace or delete what the command did not write."""


def manifest_path(folder: Path, command: str) -> Path:
    return Path(folder) / f"{MANIFEST_PREFIX}{command}.json"


def written_files(folder: Path, command: str) -> set[str]:
    """The names of the files ``command`` wrote in ``folder`` (its manifest); empty when it has none."""
    import json

    manifest = manifest_path(folder, command)
    if manifest.is_symlink() or not manifest.is_file():
        return set()
    try:
        names = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputFolderError(f"{manifest}: not a manifest this tool can read (a JSON object with a 'files' list); "
                            "remove it, or choose another output folder") from None
    if not isinstance(names, list) or not all(isinstance(n, str) and n and "/" not in n for n in names):
        raise OutputFolderError(f"{manifest}: its 'files' must be a list of file names")
    return set(names)


def write_manifest(folder: Path, command: str, names: set[str]) -> None:
    """Record (atomically) that ``command`` wrote these files in ``folder``."""
    import json

    text = json.dumps({"written_by": f"cluster-profiles {command}", "files": sorted(names)}, indent=1) + "\n"
    write_files_atomically({manifest_path(folder, command): text})


def real_path(path: Path) -> Path:
    """``path`` made absolute with every symbolic link resolved, also when it does not exist yet."""
    return Path(os.path.realpath(Path(path).expanduser()))


def _overlap(out_dir: Path, source: Path) -> str | None:
    out_real, source_real = real_path(out_dir), real_path(source)
    if out_real == source_real:
        return "is"
    if source_real.is_relative_to(out_real):
        return "contains"
    if out_real.is_relative_to(source_real):
        return "is inside"
    return None


def check_output_folder(out_dir: Path, command: str, inputs: dict[str, Path | None], *,
                        replaced: set[str] | None = None, option: str = "--out") -> set[str]:
    """Refuse an output folder that ``command`` must not write, before any work; returns the names its manifest
    lists (what it wrote there before).

    Refused: a file or a symbolic link given as the folder; a folder that is, contains or is inside one of the
    ``inputs`` (option -> path: ``{"--records": …}``); and a folder holding a file the command did not write where
    it would replace or delete one: anywhere in the folder when it replaces the whole folder (``replaced`` None),
    else at the names in ``replaced``. A file it wrote that has since become a symbolic link or a folder counts as
    one it did not write: nothing is ever followed out of the folder.
    """
    out_dir = Path(out_dir)
    shown = str(out_dir)
    if out_dir.is_symlink():
        raise OutputFolderError(f"{option} {shown}: is a symbolic link; give the folder it points to")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"{option} {shown}: exists and is not a folder; choose another {option}")
    for input_option, source in inputs.items():
        if source is None:
            continue
        relation = _overlap(out_dir, Path(source))
        if relation is not None:
            raise OutputFolderError(f"{option} {shown}: {relation} the input {input_option} {source}; writing there "
                                f"would replace what is read, choose an {option} apart from it")
    if not out_dir.is_dir():
        return set()
    _sweep_half_written(out_dir)
    known = written_files(out_dir, command)
    unknown = []
    for entry in sorted(out_dir.iterdir()):
        if entry.name == manifest_path(out_dir, command).name:
            continue
        if replaced is not None and entry.name not in replaced:
            continue
        if entry.name not in known or entry.is_symlink() or not entry.is_file():
            unknown.append(entry.name + ("/" if entry.is_dir() and not entry.is_symlink() else ""))
    if unknown:
        listed = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        one = len(unknown) == 1
        raise OutputFolderError(f"{option} {shown}: holds {listed}, which {'was' if one else 'were'} not written by "
                                f"`cluster-profiles {command}` (not in {manifest_path(out_dir, command).name}); it "
                                f"replaces only what it wrote: choose a new folder, or move {'it' if one else 'them'} "
                                "away")
    return known


def _sweep_half_written(folder: Path) -> None:
    """Remove the ``.<name>.<pid>.<random>.tmp`` files ``write_files_atomically`` left in ``folder`` when its
    process was killed (a manifest being rewritten), once that process is gone."""
    for entry in folder.glob(".*.tmp"):
        match = re.search(r"\.(\d+)\.[^.]+\.tmp\Z", entry.name)
        if match and entry.is_file() and not entry.is_symlink() and _process_is_gone(int(match.group(1))):
            entry.unlink(missing_ok=True)


def remove_written(folder: Path, command: str) -> bool:
    """Remove from ``folder`` the files ``command``'s manifest lists (regular files only, never through a link),
    the manifest, then the folder if nothing else is left. Returns whether the folder is gone."""
    folder = Path(folder)
    for name in written_files(folder, command):
        entry = folder / name
        if entry.is_file() and not entry.is_symlink():
            entry.unlink()
    manifest_path(folder, command).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        return False
    return True
