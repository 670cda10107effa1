"""The validated tables of a data folder: a plain container, without the validation machinery.

Kept apart from ``validate`` so that code that only reads validated tables (the notebooks' kernels,
which may get them from the cache) imports pandas and not pandera.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True, init=False)
class Tables:
    """The validated tables of one data folder, as typed pandas DataFrames: one attribute per table
    of ``schema.TABLES`` (``tables.clusters``), or ``tables.frame(name)``.

    Built as ``Tables(data_dir, frames)`` or ``Tables(data_dir, clusters=…, …)``; the second form
    also makes ``dataclasses.replace(tables, clusters=other)`` work.
    """

    data_dir: Path | None
    frames: Mapping[str, pd.DataFrame]

    def __init__(self, data_dir: Path | None, frames: Mapping[str, pd.DataFrame] | None = None,
                 **named: pd.DataFrame) -> None:
        object.__setattr__(self, "data_dir", data_dir)
        object.__setattr__(self, "frames", {**(frames or {}), **named})

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = self.__dict__.get("frames")  # absent while unpickling
        if frames is not None and name in frames:
            return frames[name]
        raise AttributeError(f"{type(self).__name__} has no table {name!r}")

    def frame(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def copy(self) -> Tables:
        copied = Tables(self.data_dir, {name: frame.copy() for name, frame in self.frames.items()})
        copied.__dict__["_origin"] = self.__dict__.get("_origin", self)
        return copied

    def unmodified_origin(self) -> Tables:
        """The tables this one was copied from, while every frame still equals its original (a caller may modify
        its copy); else itself. Whatever is worked out from a data folder once (its data-quality findings) is kept
        with the original, and every unmodified copy of it, one per page in a warm kernel, finds it there."""
        origin = self.__dict__.get("_origin")
        if origin is None or origin.frames.keys() != self.frames.keys():
            return self
        if all(frame.equals(origin.frames[name]) for name, frame in self.frames.items()):
            return origin
        return self

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "_origin"}

    def edition_list(self) -> list[int]:
        return sorted(int(e) for e in self.editions["edition"])
