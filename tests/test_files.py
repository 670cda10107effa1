"""Atomic writes and the CSV files offered for download (formula injection, issue 8 class 6)."""

from __future__ import annotations

import base64
import csv
import io
import re

import pandas as pd
import pytest

from cluster_profiles.files import download_csv, spreadsheet_safe
from cluster_profiles.narrate.views import csv_download

FORMULAS = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\")", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_text_that_a_spreadsheet_would_run_is_quoted(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "+3.5%", "−4", "1,234", "Hefei", "", 5, -3.2, None])
def test_numbers_and_plain_text_are_kept(value):
    assert spreadsheet_safe(value) == value


def test_download_csv_neutralises_text_cells_only():
    frame = pd.DataFrame({"organisation": FORMULAS[:4], "count": [-1, 2, 3, 4], "change": ["-3", "+2", "=1", "x"]})
    rows = list(csv.DictReader(io.StringIO(download_csv(frame))))
    assert [r["organisation"] for r in rows] == ["'" + v for v in FORMULAS[:4]]
    assert [r["count"] for r in rows] == ["-1", "2", "3", "4"]  # numbers, even negative ones, unchanged
    assert [r["change"] for r in rows] == ["-3", "+2", "'=1", "x"]
    assert frame.loc[0, "organisation"] == FORMULAS[0]  # the caller's frame is not changed


def test_the_page_shows_the_name_and_the_download_neutralises_it():
    frame = pd.DataFrame({"organisation": ["=cmd|' /C calc'!A0"], "count": [1]})
    html = str(csv_download(frame, "x.csv"))
    payload = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1)).decode("utf-8")
    assert "'=cmd|' /C calc'!A0" in payload
