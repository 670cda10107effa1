"""Modules imported in a thread of their own while the calling thread works.

The ``clusters`` command spends a second importing pandas, SciPy, pandera and matplotlib, and another reading and
validating the records in DuckDB, which releases Python's lock while it runs a query. ``BackgroundImport`` starts
the imports, the command reads the records meanwhile, and ``wait`` is called before the first use of the modules.

The thread imports only modules the calling thread does not import until ``wait`` returns (the caller's own
imports are done before the thread starts), so the two never wait on each other's import locks. A module that
fails to import is left out of ``sys.modules``, as any failed import is: the caller's own ``import`` after ``wait``
raises the error where the module is used.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Callable


class BackgroundImport:
    def __init__(self, *modules: str, then: Callable[[], object] | None = None):
        """Import ``modules`` in order, then call ``then`` (a cached loader whose result the caller needs next:
        it runs here only, and the caller's own call after ``wait`` finds the result cached)."""
        self.modules, self.then = modules, then
        self._collecting = gc.isenabled()
        gc.disable()  # see wait()
        self._thread = threading.Thread(target=self._import, name="background-import", daemon=True)
        self._thread.start()

    def _import(self) -> None:
        try:
            for module in self.modules:
                importlib.import_module(module)
            if self.then is not None:
                self.then()
        except Exception:  # noqa: BLE001, S110 - raised again by the caller's own import or call, where it is used
            pass

    def wait(self) -> None:
        """Until every module is imported (or one failed)."""
        self._thread.join()
        # Python's cyclic collector would walk the few hundred thousand objects the imports create again and again,
        # during the imports and after: it is paused while they run, and gc.freeze then moves what they made, which
        # lives as long as the process, out of its sight (as runner/preload.py does for a render's kernel)
        gc.freeze()
        if self._collecting:
            gc.enable()
