"""Exceptions with messages meant for the person running a report."""

from __future__ import annotations

from dataclasses import dataclass


class ClusterProfilesError(Exception):
    """Base class: every error the tool raises on purpose says what was wrong and where.

    ``cli_hint`` and ``notebook_hint`` say what to do next where the error is read: a command in a
    terminal (``str(error)``), a call that works in a notebook (``notebook_message()``).
    """

    def __init__(self, message: str, *, cli_hint: str = "", notebook_hint: str = ""):
        self.message, self.cli_hint, self.notebook_hint = message, cli_hint, notebook_hint
        super().__init__(" ".join(part for part in (message, cli_hint) if part))

    def notebook_message(self) -> str:
        return " ".join(part for part in (self.message, self.notebook_hint) if part)

    def _render_traceback_(self) -> list[str]:
        """How IPython shows this error in a notebook: the message alone, no traceback frames.

        These errors are about the user's input, not the code; the frames would only push the
        useful line to the bottom. Unexpected errors do not have this method and keep theirs.
        """
        lines = self.notebook_message().splitlines() or [""]
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {lines[0]}", *lines[1:]]


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

    NOTEBOOK_PROBLEMS = 10  # a notebook shows the first problems; `cluster-profiles validate` lists them all

    def notebook_message(self) -> str:
        shown = "\n".join(f"  {p}" for p in self.problems[:self.NOTEBOOK_PROBLEMS])
        more = len(self.problems) - self.NOTEBOOK_PROBLEMS
        rest = (f"\n  … and {more} more: report.validate_data({self.data_dir!r}) lists them all"
                if more > 0 else "")
        return (f"The data in {self.data_dir} is not valid ({len(self.problems)} problem"
                f"{'s' if len(self.problems) != 1 else ''}):\n{shown}{rest}")


class UnknownClusterError(ClusterProfilesError):
    pass


class UnknownEditionError(ClusterProfilesError):
    @classmethod
    def for_edition(cls, edition: object, known: list[int]) -> UnknownEditionError:
        return cls(f"Unknown GII edition {edition!r}. The data has editions: {', '.join(map(str, known))}.")


class ParameterError(ClusterProfilesError):
    pass


class RenderError(ClusterProfilesError):
    """A render failed. For a failing notebook cell: which cell, its source, the last frames of its
    traceback, and where the executed notebook (with the error output) was kept for debugging."""

    def __init__(self, message: str, cell_index: int | None = None, cell_source: str | None = None,
                 traceback: tuple[str, ...] = (), failed_notebook: str | None = None):
        super().__init__(message)
        self.cell_index = cell_index
        self.cell_source = cell_source
        self.traceback = tuple(traceback)
        self.failed_notebook = failed_notebook

    def __reduce__(self):  # batch workers send errors between processes
        return type(self), (self.message, self.cell_index, self.cell_source, self.traceback, self.failed_notebook)
