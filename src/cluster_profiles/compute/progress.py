"""One progress bar per stage of a clustering run (tqdm), or none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _NoBar:
    """What a stage gets when no bar is shown (``--quiet``): tqdm is not even imported."""

    def update(self, count: int = 1) -> None:
        pass


class Stages:
    """``with stages.stage("read records"):`` shows a bar for the block, filled when it ends."""

    def __init__(self, show: bool):
        self.show = show
        if show:  # imported here, not at a stage's start: the clusters command imports its own modules first
            from tqdm.auto import tqdm

            self._tqdm = tqdm

    @contextmanager
    def stage(self, name: str, total: int = 1) -> Iterator[Any]:
        if not self.show:
            yield _NoBar()
            return
        bar = self._tqdm(total=total, desc=f"{name:<22}", leave=True, bar_format="{desc} {bar:20} {n_fmt}/{total_fmt} [{elapsed}]")
        try:
            yield bar
            bar.update(total - bar.n)
        finally:
            bar.close()
