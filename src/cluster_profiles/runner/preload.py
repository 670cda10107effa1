"""What a render's kernel runs first: the report module (pandas, seaborn, matplotlib), imported at once.

``early_kernel`` sends ``import_report()`` to the kernel as soon as it starts, before papermill connects; the notebook's own ``from cluster_profiles.pages.profile import notebook as report`` then finds everything loaded. Two
things make this import cheaper than a plain one, with the same charts (a test renders both ways and
compares the pages byte for byte):

- seaborn imports two parts of scipy when it is imported: ``scipy.stats`` for kernel density estimates
  (``seaborn/_statistics.py``) and ``scipy.cluster`` for clustermap's dendrograms (``seaborn/matrix.py``).
  No chart of this project draws either, and the two imports are about half of the plotting stack's
  (1.3 s of 2.5 s here). seaborn supports running without scipy (it then uses its own copy of
  ``gaussian_kde`` and refuses clustermap), so these modules are kept out while seaborn is imported, and
  importable as usual right after: only seaborn's own KDE and clustermap, in that kernel, behave as
  without scipy.
- Python's cyclic garbage collector would walk the few hundred thousand objects these imports create
  again and again, during the imports and every drawing after. It is paused during the imports, and
  ``gc.freeze`` then moves those objects, which live as long as the kernel, out of its sight; the
  notebook's own objects are collected as usual. Cyclic garbage made by the imports themselves (a few
  MB at most) stays until the kernel exits.
"""

from __future__ import annotations

import gc
import importlib
import sys

# seaborn's optional scipy imports (each in a try/except ImportError in seaborn itself)
UNUSED_BY_THE_CHARTS = ("scipy.stats", "scipy.cluster")


def import_report(module: str = "cluster_profiles.pages.profile.notebook") -> None:
    """Import ``module`` (the report module) without seaborn's optional scipy parts, the collector paused."""
    hidden = [] if "seaborn" in sys.modules else [m for m in UNUSED_BY_THE_CHARTS if m not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # None: importing it raises ImportError
    gc.disable()
    try:
        try:
            importlib.import_module(module)
        except ImportError:
            if not hidden:
                raise
            _unhide(hidden)  # a seaborn that needs them after all: import as everyone does
            importlib.import_module(module)
    finally:
        _unhide(hidden)
        gc.freeze()
        gc.enable()


def _unhide(names: list[str]) -> None:
    for name in names:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]
