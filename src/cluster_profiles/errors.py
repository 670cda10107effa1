"""Exceptions with messages meant for the person running a report."""

from __future__ import annotations

from dataclasses import dataclass


class ClusterProfilesError(Exception):
    """Base class: every error the tool raises on purpose says what was wrong and where."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a data folder, located as precisely as the check allows."""

    file: str
    line: int | None  # line number in the file (the header is line 1); None for whole-file problems
    column: str | None
    found: str
    expected: str

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
        if self.column:
            place += f":{self.column}"
        return f"{place}: found {self.found}; expected {self.expected}"


class DataValidationError(ClusterProfilesError):
    """A data folder failed validation; ``problems`` lists every problem found, not only the first."""

    def __init__(self, data_dir: str, problems: list[Problem]):
        self.data_dir = data_dir
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or ""))
        shown = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"The data in {data_dir} is not valid ({len(self.problems)} problem"
            f"{'s' if len(self.problems) != 1 else ''}):\n{shown}"
        )


class UnknownClusterError(ClusterProfilesError):
    pass


class UnknownEditionError(ClusterProfilesError):
    pass


class ParameterError(ClusterProfilesError):
    pass


class RenderError(ClusterProfilesError):
    pass
