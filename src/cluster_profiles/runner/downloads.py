"""The downloads of a site: each profile's data as one zip beside its page, and the whole data folder as one zip.

A profile's zip holds the rows of the data folder's tables that its page reads (the cluster's rows of its edition,
and of the previous edition where the page compares with it; the economies and the edition it names), each row
byte for byte as the data folder writes it, and a README.txt of their sources (each row's ``source`` as written).
Zips are deterministic (entries sorted, fixed timestamps and permissions: byte-identical on a rerun) and written
atomically; a zip whose bytes would not change is not written again.

Reads the CSV files with the standard library: a single render writes its page's zip without importing pandas.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cluster_profiles import paths
from cluster_profiles.contract.economies import economy_codes
from cluster_profiles.names import slug

DATA_ZIP = "data.zip"  # the whole data folder, beside the site's index
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: the same bytes on every run
# tables whose rows of the previous edition a profile reads too (the change since then): contract.schema's tables
# of scope "edition" (tests/test_downloads.py keeps the two in step)
PREVIOUS_EDITION_TABLES = frozenset({"clusters.csv", "editions.csv", "economy_cluster_counts.csv"})
ECONOMY_COLUMNS = {"economies.csv": "code"}  # the column naming an economy, where it is not "economy"
KINDS_WITH_DOWNLOAD = frozenset({"profile"})  # the page kinds that offer their data (the template links it)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip of ``entries`` (name -> bytes), sorted by name, with fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever it is made: the permissions below are read as Unix ones
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def write_bytes_atomically(target: Path, data: bytes) -> bool:
    """Write ``data`` to ``target`` through a temporary sibling (swept by ``files.sweep_leftovers`` if the process
    is killed); nothing is written when the file already holds these bytes. Returns whether it wrote."""
    try:
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(name, 0o644)  # mkstemp creates 0600; downloads are meant to be shared
        os.replace(name, target)
    finally:
        Path(name).unlink(missing_ok=True)
    return True


@dataclass
class _Table:
    header: list[str]
    header_line: str
    rows: list[tuple[list[str], str]]  # each row's values and its text as the file writes it


def _read_table(path: Path) -> _Table | None:
    """A CSV file's header and rows, each row with its exact text (a quoted value may span lines)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    pieces = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None
    start = reader.line_num
    rows = []
    try:
        for values in reader:
            if values:
                rows.append((values, "".join(pieces[start:reader.line_num])))
            start = reader.line_num
    except csv.Error:
        return None
    return _Table(header, "".join(pieces[:1]), rows)


def _column(table: _Table, name: str) -> int | None:
    return table.header.index(name) if name in table.header else None


class PageData:
    """The tables of one data folder, read once, and the zip of each profile's rows."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.tables = {path.name: table for path in sorted(self.data_dir.glob("*.csv"))
                       if path.is_file() and (table := _read_table(path)) is not None}

    def _economies(self, cluster: str, edition: int) -> set[str]:
        table = self.tables.get("clusters.csv")
        if table is None or None in (_column(table, "cluster"), _column(table, "economy"), _column(table, "edition")):
            return set()
        c, e, y = _column(table, "cluster"), _column(table, "economy"), _column(table, "edition")
        return {code for values, _ in table.rows if values[c] == cluster and values[y] == str(edition)  # type: ignore[index]
                for code in economy_codes(values[e])}  # type: ignore[index]

    def rows(self, cluster: str, edition: int) -> dict[str, tuple[_Table, list[tuple[list[str], str]]]]:
        """Each table's rows that the profile of ``cluster`` in ``edition`` reads, by file name."""
        economies = self._economies(cluster, edition)
        chosen = {}
        for name, table in self.tables.items():
            editions = {str(edition), str(edition - 1)} if name in PREVIOUS_EDITION_TABLES else {str(edition)}
            checks = [(index, wanted) for index, wanted in (
                (_column(table, "edition"), editions),
                (_column(table, "cluster"), {cluster}),
                (None if "cluster" in table.header else _column(table, ECONOMY_COLUMNS.get(name, "economy")), economies),
            ) if index is not None]
            chosen[name] = (table, [row for row in table.rows if all(row[0][i] in wanted for i, wanted in checks)])
        return chosen

    def profile_zip(self, cluster: str, edition: int, title: str = "") -> bytes:
        """The zip of a profile's rows (``<slug>-<edition>-data/<table>.csv``) and their README.txt."""
        folder = f"{slug(cluster)}-{int(edition)}-data"
        entries: dict[str, bytes] = {}
        lines = [title or f"The data of the profile of {cluster}, edition {edition}", "",
                 f"The rows of the data folder '{self.data_dir.name}' that this profile reads: the cluster's rows of "
                 f"edition {edition} (and of {edition - 1} where the page compares with it), the economies and the "
                 "edition it names. Each row is as the data folder writes it.", "", "Files:"]
        sources: list[str] = []
        for name, (table, rows) in sorted(self.rows(cluster, edition).items()):
            if not rows:
                continue
            entries[f"{folder}/{name}"] = (table.header_line + "".join(text for _, text in rows)).encode("utf-8")
            lines.append(f"  {name}: {len(rows)} row{'s' if len(rows) != 1 else ''}")
            source = _column(table, "source")
            if source is None:
                continue
            counted: dict[str, int] = {}
            for values, _ in rows:
                counted[values[source]] = counted.get(values[source], 0) + 1
            sources += ["", f"{name}:"] + [f"  - {text or '(no source given)'}" + (f"  [{n} rows]" if n > 1 else "")
                                           for text, n in counted.items()]
        lines += ["", "Sources, as each row's source column writes them:", *sources, "",
                  f"The whole data folder is one download on the site's index ({DATA_ZIP}).", ""]
        entries[f"{folder}/README.txt"] = "\n".join(lines).encode("utf-8")
        return zip_bytes(entries)

    def write_profile_zip(self, html_path: Path, cluster: str, edition: int) -> bool:
        """The profile's zip beside its page (``<page>.zip``); returns whether it was written."""
        return write_bytes_atomically(html_path.with_suffix(".zip"), self.profile_zip(cluster, edition))


def data_folder_zip(data_dir: Path) -> bytes:
    """Every file of the data folder (not its subfolders, hidden files or links) under ``<folder name>/``."""
    folder = Path(data_dir)
    entries = {f"{folder.name}/{path.name}": path.read_bytes() for path in sorted(folder.iterdir())
               if path.is_file() and not path.is_symlink() and not path.name.startswith(".")}
    return zip_bytes(entries)


def write_data_folder_zip(reports_dir: Path, data_dir: Path) -> Path:
    """The whole data folder as ``data.zip`` in the site's root."""
    target = paths.under(reports_dir, DATA_ZIP)
    write_bytes_atomically(target, data_folder_zip(data_dir))
    return target
