"""Which rows of the data folder a page can read, by each table's scope (``schema.TableSpec.scope``).

A page's fingerprint is the text of these rows: a page is rendered again exactly when a row it can
read changed. Both the single render and the batch plan ask here, so the two agree on what a page
depends on.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from cluster_profiles.contract.schema import TABLES, TableSpec
from cluster_profiles.contract.tables import Tables


def rows_in_scope(tables: Tables, spec: TableSpec, edition: int, cluster: str | None = None) -> pd.DataFrame | None:
    """The rows of a table that a page about ``edition`` (and ``cluster``) can read, by the table's
    scope; None for cluster-scoped tables when the page is about no single cluster."""
    frame = tables.frame(spec.name)
    if spec.scope == "reference":
        return frame
    if spec.scope == "edition":
        return frame[frame["edition"].isin([edition, edition - 1])]
    if cluster is None:
        return None
    mine = frame["cluster"] == cluster
    if "edition" in frame.columns:
        mine &= frame["edition"] == edition
    return frame[mine]


def report_inputs(tables: Tables, cluster: str | None, edition: int) -> str:
    """The data rows a page can read, as text, table by table (see ``schema.SCOPES``)."""
    rows = _SHARED_ROWS.get()
    pieces = []
    for spec in TABLES.values():
        if rows is not None and rows.tables is tables:
            text = rows.csv(spec, edition, cluster)
        else:
            selected = rows_in_scope(tables, spec, edition, cluster)
            text = None if selected is None else selected.to_csv(index=False, lineterminator="\n")
        if text is not None:
            pieces.append(f"## {spec.file_name}\n{text}")
    return "\n".join(pieces)


@contextlib.contextmanager
def rows_written_once(tables: Tables) -> Iterator[None]:
    """Inside this block, ``report_inputs`` on ``tables`` writes each table as CSV once and picks each
    page's lines from it: the same text, for a plan of many pages (which would otherwise write every
    table once per page)."""
    token = _SHARED_ROWS.set(_RowsByScope(tables))
    try:
        yield
    finally:
        _SHARED_ROWS.reset(token)


class _RowsByScope:
    """``report_inputs`` for many pages of one ``Tables``: each table is written as CSV once, and a page's
    text is the header and its rows' lines, picked by the table's scope; the same text as writing
    ``rows_in_scope`` for each page."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._lines: dict[str, tuple[str, list[str]] | None] = {}
        self._groups: dict[str, dict[object, Any]] = {}
        self._texts: dict[tuple[str, int, str | None], str | None] = {}

    def csv(self, spec: TableSpec, edition: int, cluster: str | None) -> str | None:
        key = (spec.name, edition, cluster if spec.scope == "cluster" else None)
        if key not in self._texts:
            self._texts[key] = self._csv(spec, edition, cluster)
        return self._texts[key]

    def _csv(self, spec: TableSpec, edition: int, cluster: str | None) -> str | None:
        if spec.scope == "cluster" and cluster is None:
            return None
        if spec.name not in self._lines:
            text = self.tables.frame(spec.name).to_csv(index=False, lineterminator="\n")
            lines = text.split("\n")  # the header, one line per row, and "" after the last newline
            frame_rows = len(self.tables.frame(spec.name))
            self._lines[spec.name] = (lines[0], lines[1:-1]) if len(lines) == frame_rows + 2 else None
        written = self._lines[spec.name]
        if written is None:  # a value holds a line break: the rows are not one line each
            rows = rows_in_scope(self.tables, spec, edition, cluster)
            return None if rows is None else rows.to_csv(index=False, lineterminator="\n")
        header, lines = written
        if spec.scope == "reference":
            return "\n".join([header, *lines, ""])
        frame = self.tables.frame(spec.name)
        if spec.scope == "edition":
            positions = np.flatnonzero(frame["edition"].isin([edition, edition - 1]).to_numpy(dtype=bool, na_value=False))
        else:
            if spec.name not in self._groups:
                keys = ["cluster", "edition"] if "edition" in frame.columns else ["cluster"]
                self._groups[spec.name] = frame.groupby(keys, sort=False).indices
            group = (cluster, edition) if "edition" in frame.columns else cluster
            positions = self._groups[spec.name].get(group, np.array([], dtype=int))
        return "\n".join([header, *(lines[i] for i in positions), ""])


_SHARED_ROWS: contextvars.ContextVar[_RowsByScope | None] = contextvars.ContextVar("_SHARED_ROWS", default=None)
