"""What every page kind's sections are made of: a ``Section`` names the ``show_*`` function its
notebook calls, how the section is rendered and what it cites; a page's registry of sections, in
notebook order, is where its numbered citations come from. ``show_html`` puts a section in the notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from markupsafe import Markup

from cluster_profiles.narrate.citations import Citations

Page = TypeVar("Page")  # the page model a notebook builds: ClusterProfile, Overview, Comparison


@dataclass(frozen=True)
class Section(Generic[Page]):
    """A section of a page: the ``show_<name>`` function the notebook calls and what it cites."""

    name: str  # the notebook cell calls ``<module>.show_<name>``
    render: Callable[[Page], Markup]
    sources: Callable[[Page], list[str]]
    argument: str | None = None  # a second argument the notebook passes (an output, a ranking's column)


def registry_citations(sections: Iterable[Section[Page]], page: Page) -> Citations:
    """A page's numbered citations: in the order its sections, as registered, cite them."""
    return Citations.of(section.sources(page) for section in sections)


def show_html(markup: object) -> None:
    """Display escaped HTML from a section function as a notebook output."""
    from IPython.display import HTML, display  # needed only where a section is shown

    display(HTML(str(markup)))
