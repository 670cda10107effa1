"""Step 6 of the method: write a complete data folder in the schema the reports read.

The tables are validated in memory with the project's validator (``validate.validate_frames``,
the same checks as ``cluster-profiles validate``), written as canonical CSV (``io.write_tables``) to
a temporary folder beside the target, and only then moved into place. The folder holds a manifest
of what this command wrote (``files.manifest_path``); a target that exists is replaced only if it
holds nothing else (so ``--out data`` cannot wipe the shipped tables, nor ``--out`` a folder holding
the records), and only the files of its manifest are removed. A failure leaves the previous folder
as it was.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd

from cluster_profiles.compute.about import DEFAULT_NOUNS
from cluster_profiles.compute.out_folder import COMMAND, check_target
from cluster_profiles.contract.canonical_csv import write_tables
from cluster_profiles.contract.folder_about import FolderAbout, tool_version
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.contract.validate import Tables, validate_frames
from cluster_profiles.contract.vocabulary import ABOUT_TABLE, COMPUTED, NOUN_COLUMNS, RECORD_KINDS
from cluster_profiles.files import (
    OutputFolderError,
    check_output_folder,
    remove_written,
    temporary_folder,
    write_manifest,
)

__all__ = ["COMMAND", "RUN_FILE", "OutputFolderError", "about_frame", "check_target", "schema_frames",
           "validated_tables", "write_data_folder"]

RUN_FILE = "compute_run.json"  # provenance of a computed folder: records, settings, hashes, summary
WORLD_SHARE_DECIMALS = 3  # a cluster's share of the world is small: 0.012 %
SHARE_DECIMALS = 1  # shares within a cluster, as the GII profiles print them (to a whole percent)
COUNT_DECIMALS = 3  # fractional counts
RUN_FACTS = {"records", "records_sha256", "settings_name", "settings_sha256", "settings"}  # about.csv's sources
COORDINATE_DECIMALS = 4  # about 10 m, as data/README.md asks of cluster_locations


def decimals_of(table: str, column: str) -> int | None:
    """How many decimals a computed number keeps in the data folder (None: text or whole numbers)."""
    dtype = str(TABLES[table].schema.columns[column].dtype)
    if dtype != "Float64":
        return None
    if column in ("latitude", "longitude"):
        return COORDINATE_DECIMALS
    if column.endswith("_pct"):
        return WORLD_SHARE_DECIMALS if table == "clusters" else SHARE_DECIMALS
    return COUNT_DECIMALS


def schema_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table with exactly the schema's columns (absent ones empty), numbers rounded for print."""
    shaped = {}
    for name, spec in TABLES.items():
        frame = frames.get(name, pd.DataFrame(columns=spec.columns))
        out = pd.DataFrame(index=frame.index)
        for column in spec.columns:
            values = frame[column] if column in frame.columns else pd.Series(pd.NA, index=frame.index, dtype=object)
            decimals = decimals_of(name, column)
            if decimals is not None:
                values = pd.to_numeric(values, errors="coerce").astype("Float64").round(decimals)
            out[column] = values
        shaped[name] = out.reset_index(drop=True)
    return shaped


def validated_tables(frames: dict[str, pd.DataFrame]) -> Tables:
    """The computed tables, checked like a data folder (raises ``DataValidationError``)."""
    return validate_frames(schema_frames(frames), where="the computed tables")


def method_text(run_info: dict) -> str:
    """How the clusters were made, in one sentence, from the run's resolved settings."""
    settings, nouns = run_info["settings"], (run_info.get("records_about") or {}).get("nouns", {})
    windows = "; ".join(f"{nouns.get(kind, {}).get('many', DEFAULT_NOUNS[kind].many)} {years[0]}–{years[1]}"
                        for kind, years in (("pct", settings["pct_years"]), ("article", settings["article_years"])))
    return (f"Weighted DBSCAN of the records' inventor and author addresses within {settings['radius_km']:g} km, "
            f"at least {settings['min_people']:,} people, clusters merged within {settings['merge_km']:g} km; "
            f"{settings['counting']} counting; windows {windows}; up to {settings['top_n']} of the clusters ranked, by "
            "the sum of their shares of the records' documents.")


def about_frame(run_info: dict) -> pd.DataFrame:
    """The folder's ``about.csv`` row (``contract.folder_about``): the records' own description (their
    ``about.json``, in ``run_info["records_about"]``) and the run's provenance from ``compute_run.json``'s facts,
    naming the records and the settings by name and hash, never by path."""
    described = run_info.get("records_about") or {}
    records = run_info["records"]
    nouns = described.get("nouns", {})
    row = {
        "basis": COMPUTED,
        "title": described.get("title") or f"S&T clusters computed from the records {records}",
        "publisher": described.get("publisher"), "licence": described.get("licence"), "url": described.get("url"),
        "method": method_text(run_info),
        "records": records, "records_sha256": run_info["records_sha256"],
        "settings": run_info["settings_name"], "settings_sha256": run_info["settings_sha256"],
        "tool_version": tool_version(), "counting": run_info["settings"]["counting"],
    }
    row["source"] = FolderAbout(**{key: row[key] for key in ("basis", "records", "records_sha256", "settings",
                                                             "settings_sha256", "tool_version")}).source_line()
    for kind, output in RECORD_KINDS.items():
        one, many = NOUN_COLUMNS[output]
        row[one], row[many] = (nouns[kind]["one"], nouns[kind]["many"]) if kind in nouns else (None, None)
    return pd.DataFrame([row])


def write_data_folder(frames: dict[str, pd.DataFrame], out_dir: str | Path, run_info: dict,
                      inputs: dict[str, Path | None] | None = None) -> Path:
    """Validate every table of the schema (absent frames: no rows), write, move into place."""
    out_dir = Path(out_dir)
    check_target(out_dir, inputs)
    if RUN_FACTS <= run_info.keys():  # a run's facts (a bare write of tables, as some tests do, has none to state)
        frames = {**frames, ABOUT_TABLE: about_frame(run_info)}
    tables = validated_tables(frames)  # nothing is written when this raises
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with temporary_folder("staging", parent=out_dir.parent) as scratch:
        staging = scratch / "data"
        staging.mkdir()
        write_tables(tables, staging)
        (staging / RUN_FILE).write_text(json.dumps(run_info, indent=2, sort_keys=True, default=str) + "\n",
                                        encoding="utf-8")
        write_manifest(staging, COMMAND, {p.name for p in staging.iterdir()})
        os.chmod(staging, 0o755)  # a data folder is meant to be shared
        _replace(staging, out_dir, scratch)
    return out_dir


def _replace(staging: Path, out_dir: Path, scratch: Path) -> None:
    """Move ``staging`` to ``out_dir``. An older ``out_dir`` is moved aside first, then its files this command
    wrote are removed; it is checked again just before, so that nothing written there meanwhile is lost."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    check_output_folder(out_dir, COMMAND, {})
    old = scratch / "previous"
    os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError:
        os.replace(old, out_dir)
        raise
    if not remove_written(old, COMMAND):  # something arrived after the check: keep it beside the new folder
        os.replace(old, out_dir.with_name(f"{out_dir.name}.previous-{time.strftime('%Y%m%d-%H%M%S')}"))
