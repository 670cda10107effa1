"""Step 6 of the method: write a complete data folder in the schema the reports read.

The tables are written to a temporary folder beside the target, validated there with the project's
loader (the same checks as ``cluster-profiles validate``), and only then moved into place. A target
that exists is replaced only if an earlier run of this command wrote it (it holds ``RUN_FILE``), so
``--out data`` cannot wipe the shipped tables; a failure leaves the previous folder as it was.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .. import paths
from ..errors import ClusterProfilesError
from ..load import load_tables
from ..schema import TABLES

RUN_FILE = "compute_run.json"  # provenance of a computed folder: records, settings, hashes, summary
WORLD_SHARE_DECIMALS = 3  # a cluster's share of the world is small: 0.012 %
SHARE_DECIMALS = 1  # shares within a cluster, as the GII profiles print them (to a whole percent)
COUNT_DECIMALS = 3  # fractional counts


class OutputFolderError(ClusterProfilesError):
    pass


def format_number(value: object, decimals: int) -> str:
    """A CSV cell: empty for missing, no exponent, no trailing zeros (1666.667, 2, 0.5)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):.{decimals}f}"  # type: ignore[arg-type]  # a number: the schema declares the column.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def table_csv(name: str, frame: pd.DataFrame) -> str:
    """The CSV text of a data-folder table: the schema's columns in its order, numbers formatted."""
    spec = TABLES[name]
    out = pd.DataFrame(index=frame.index)
    for column, declared in spec.schema.columns.items():
        values = frame[column] if column in frame.columns else pd.Series(pd.NA, index=frame.index)
        dtype = str(declared.dtype)
        if dtype == "Int64":
            out[column] = [format_number(v, 0) for v in values]
        elif dtype == "Float64":
            decimals = 4 if column in ("latitude", "longitude") else (WORLD_SHARE_DECIMALS if name == "clusters" else SHARE_DECIMALS) if column.endswith("_pct") \
                else COUNT_DECIMALS
            out[column] = [format_number(v, decimals) for v in values]
        else:
            out[column] = ["" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
                           for v in values]
    return out.to_csv(index=False, lineterminator="\n")


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
    """Write every table of the schema (missing frames: header only), validate, move into place."""
    out_dir = Path(out_dir)
    check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for name, spec in TABLES.items():
            frame = frames.get(name, pd.DataFrame(columns=spec.columns))
            (staging / spec.file_name).write_text(table_csv(name, frame), encoding="utf-8", newline="\n")
        (staging / RUN_FILE).write_text(json.dumps(run_info, indent=2, sort_keys=True, default=str) + "\n",
                                        encoding="utf-8")
        load_tables(staging)  # raises DataValidationError: then nothing is moved into place
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
