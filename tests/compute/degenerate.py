"""Records folders where little or nothing is found: the class of runs that must end in a result, not a crash.

Each case says how many clusters the run finds, why each kind of document without a cluster has none (the
reason constants of ``compute.pipeline``), and the facts that both the ``clusters`` command's summary and the
find-clusters page must state. Shared by tests/compute/test_nothing_found.py and tests/pages/clustering/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cluster_profiles.compute.pipeline import BELOW_THRESHOLD, NO_COORDINATES, NO_DOCUMENTS, OUTSIDE_WINDOW

from .planted import Records, offset

HEFEI, BASEL = (31.82, 117.23), (47.56, 7.59)
THRESHOLD_300 = "min_people = 300\n"


def hefei_below_the_default() -> Records:
    """300 inventors and 400 authors around Hefei: far below the default 4,500."""
    r = Records()
    r.blob("pct", 2020, HEFEI, 100, 3, "Hefei", "CN", organisations=["USTC"], codes=["H01L 21/00"], seed=1)
    r.blob("article", 2019, HEFEI, 200, 2, "Hefei", "CN", organisations=["USTC"], codes=["Physics"], seed=2)
    return r


def scattered() -> Records:
    """30 applications of 2 inventors each, 100 km apart along a parallel: no two within any small radius."""
    r = Records()
    for step in range(30):
        place = (*offset(*HEFEI, 0, 100.0 * step), "Somewhere", "CN")
        r.add("pct", 2020, [place, place], ["Org"], ["H01L 21/00"])
    return r


def one_point() -> Records:
    r = Records()
    r.add("pct", 2020, [(*HEFEI, "Hefei", "CN")], ["USTC"], ["H01L 21/00"])
    return r


def outside_the_windows() -> Records:
    """Applications of 2001-2003 and articles of 2005, with the default windows 2019-2023 and 2018-2022."""
    r = Records()
    for year in (2001, 2002, 2003):
        r.add("pct", year, [(*HEFEI, "Hefei", "CN")], ["USTC"], ["H01L 21/00"])
    r.add("article", 2005, [(*HEFEI, "Hefei", "CN")], ["USTC"], ["Physics"])
    return r


def patents_clustered_articles_not() -> Records:
    """300 inventors around Hefei (a cluster at min_people 300), 200 authors around Basel (not)."""
    r = Records()
    r.blob("pct", 2020, HEFEI, 100, 3, "Hefei", "CN", organisations=["USTC"], codes=["H01L 21/00"], seed=1)
    r.blob("article", 2020, BASEL, 100, 2, "Basel", "CH", organisations=["Roche"], codes=["Chemistry"], seed=3)
    return r


def articles_only() -> Records:
    r = Records()
    r.blob("article", 2020, BASEL, 200, 2, "Basel", "CH", organisations=["Roche"], codes=["Chemistry"], seed=3)
    return r


def without_coordinates() -> Records:
    r = Records()
    for _ in range(3):
        r.add("pct", 2020, [(None, None, "Hefei", "CN"), (None, None, "Hefei", "CN")], ["USTC"], ["H01L 21/00"])
    return r


@dataclass(frozen=True)
class Case:
    name: str
    records: Callable[[], Records]
    settings: str  # the settings TOML's text; empty for the shipped defaults
    clusters: int
    reasons: dict[str, str]  # kind -> why it has no cluster, for every kind without one
    facts: tuple[str, ...] = ()  # stated by the command's summary and by the page alike

    def write(self, folder: Path) -> tuple[Path, Path | None]:
        """The records folder and the settings file (None: the defaults) under ``folder``."""
        records = self.records().write(folder / "records")
        if not self.settings:
            return records, None
        settings = folder / "settings.toml"
        settings.write_text(self.settings, encoding="utf-8")
        return records, settings


CASES = [
    Case("no cluster", hefei_below_the_default, "", 0, {"pct": BELOW_THRESHOLD, "article": BELOW_THRESHOLD},
         ("300 inventors within 15 km", "400 authors within 15 km", "near Hefei (31.76° N, 117.22° E)", "4,500",
          "min_people at most 300", "min_people at most 400", "no radius_km would")),
    Case("one cluster", hefei_below_the_default, THRESHOLD_300, 1, {}),
    Case("all noise", scattered, "min_people = 3\n", 0, {"pct": BELOW_THRESHOLD, "article": NO_DOCUMENTS},
         ("2 inventors within 15 km", "min_people at most 2", "radius_km above 15", "60 inventors located",
          "no scientific articles")),
    Case("one point", one_point, "", 0, {"pct": BELOW_THRESHOLD, "article": NO_DOCUMENTS},
         ("1 inventor within 15 km", "min_people at most 1", "only 1 inventor located", "no scientific articles")),
    Case("every record outside the windows", outside_the_windows, "", 0,
         {"pct": OUTSIDE_WINDOW, "article": OUTSIDE_WINDOW},
         ("2019–2023", "2001–2003", "pct_years", "2018–2022", "2005", "article_years")),
    Case("articles without a cluster", patents_clustered_articles_not, THRESHOLD_300, 1, {"article": BELOW_THRESHOLD},
         ("200 authors within 15 km", "near Basel", "min_people at most 200")),
    Case("no patents at all", articles_only, THRESHOLD_300, 1, {"pct": NO_DOCUMENTS}, ("no PCT applications",)),
    Case("empty tables", Records, "", 0, {"pct": NO_DOCUMENTS, "article": NO_DOCUMENTS},
         ("no PCT applications", "no scientific articles")),
    Case("no coordinates", without_coordinates, "", 0, {"pct": NO_COORDINATES, "article": NO_DOCUMENTS},
         ("none of the 6 addresses", "no scientific articles")),
]
CASE_IDS = [case.name for case in CASES]
