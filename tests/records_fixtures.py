"""The hand-written record fixtures (tests/fixtures/records/) and copies of them in other layouts, for the adapters."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import pandas as pd

RECORDS_FIXTURES = Path(__file__).parent / "fixtures" / "records"
OPENALEX = RECORDS_FIXTURES / "openalex"
PATENTSVIEW = RECORDS_FIXTURES / "patentsview"
TABLES = ("documents", "addresses", "organisations", "classes")


def gzipped_snapshot(target: Path) -> Path:
    """The OpenAlex fixture as the snapshot ships it: every part file gzipped, named part_NNN.gz, plus a manifest."""
    for source in OPENALEX.rglob("part_*"):
        destination = target / source.relative_to(OPENALEX).with_suffix(".gz")
        destination.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as plain, gzip.open(destination, "wb") as packed:
            shutil.copyfileobj(plain, packed)
    (target / "works" / "manifest").write_text('{"entries": []}\n', encoding="utf-8")
    return target


def zipped_tables(target: Path) -> Path:
    """The PatentsView fixture as downloaded: one <table>.tsv.zip per table."""
    target.mkdir(parents=True, exist_ok=True)
    for source in PATENTSVIEW.glob("*.tsv"):
        with zipfile.ZipFile(target / f"{source.name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(source, source.name)
    return target


def read_records(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table of a records folder (Parquet or CSV), rows sorted, for comparisons."""
    frames = {}
    for table in TABLES:
        parquet, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
        frame = pd.read_parquet(parquet) if parquet.exists() else pd.read_csv(csv, keep_default_na=False,
                                                                               na_values=[""])
        frames[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames
