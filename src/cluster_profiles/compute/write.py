"""Step 6 of the method: write a complete data folder in the schema the reports read.

The tables are validated in memory with the project's validator (``validate.validate_frames``,
the same checks as ``cluster-profiles validate``), written as canonical CSV (``io.write_tables``) to
a temporary folder beside the target, and only then moved into place. A target that exists is
replaced only if an earlier run of this command wrote it (it holds ``RUN_FILE``), so ``--out data``
cannot wipe the shipped tables; a failure leaves the previous folder as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from cluster_profiles import paths
from cluster_profiles.contract.canonical_csv import write_tables
from cluster_profiles.contract.schema import TABLES
from cluster_profiles.contract.validate import Tables, validate_frames
from cluster_profiles.errors import ClusterProfilesError

RUN_FILE = "compute_run.json"  # provenance of a computed folder: records, settings, hashes, summary
WORLD_SHARE_DECIMALS = 3  # a cluster's share of the world is small: 0.012 %
SHARE_DECIMALS = 1  # shares within a cluster, as the GII profiles print them (to a whole percent)
COUNT_DECIMALS = 3  # fractional counts
COORDINATE_DECIMALS = 4  # about 10 m, as data/README.md asks of cluster_locations


class OutputFolderError(ClusterProfilesError):
    pass


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


def check_target(out_dir: Path) -> None:
    """Refuse to replace a folder this command did not write."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"{out_dir}: exists and is not a folder; choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / RUN_FILE).is_file():
        raise OutputFolderError(f"{out_dir}: exists and was not written by `cluster-profiles clusters` "
                                f"(no {RUN_FILE} in it); choose a new folder or empty it")
    if out_dir.resolve() == paths.DATA_DIR.resolve():
        raise OutputFolderError(f"{out_dir}: is the project's shipped data folder; choose another --out")


def write_data_folder(frames: dict[str, pd.DataFrame], out_dir: str | Path, run_info: dict) -> Path:
    """Validate every table of the schema (absent frames: no rows), write, move into place."""
    out_dir = Path(out_dir)
    check_target(out_dir)
    tables = validated_tables(frames)  # nothing is written when this raises
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        write_tables(tables, staging)
        (staging / RUN_FILE).write_text(json.dumps(run_info, indent=2, sort_keys=True, default=str) + "\n",
                                        encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp creates 0700; a data folder is meant to be shared
        _replace(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def _replace(staging: Path, out_dir: Path) -> None:
    """Move ``staging`` to ``out_dir``; an older ``out_dir`` is moved aside first and removed after."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
        old.rmdir()
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError:
        if old is not None:
            os.replace(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
