"""A batch worker's start: its kernel boots, and imports the report module, while the worker imports the renderer.

``runner.batch`` gives ``start_worker`` to its process pool as the initializer, so each worker runs it
first, before it imports the renderer (pandas, papermill, nbconvert) to unpickle its first page: the kernel
(a process that imports pandas, seaborn and matplotlib) then boots on another core meanwhile, as a single
render's does (``kernels.early_kernel``), with the same preload (``runner.preload``: seaborn without its
unused scipy parts, the imports' objects out of the collector's sight for every page the kernel renders).
This module imports only jupyter_client and the kernel helpers, on purpose.
"""

from __future__ import annotations

from pathlib import Path

from cluster_profiles.runner.kernels import PRELOAD, worker_dies_with_parent, worker_kernel

_CLIENT = None  # the client that sent the preload: kept open so that zmq delivers it once the kernel listens


def start_worker(cwd: str, warm_kernel: bool = True) -> None:
    """Run first in each worker: it dies with its parent, and its warm kernel (if it keeps one) starts now,
    in ``cwd``."""
    global _CLIENT
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_core.utils import run_sync

    worker_dies_with_parent()
    if not warm_kernel:
        return
    manager = worker_kernel()
    run_sync(manager.start_kernel)(cwd=str(Path(cwd)))
    _CLIENT = BlockingKernelClient()
    _CLIENT.load_connection_info(manager.get_connection_info())
    # the shell channel is all this needs: no heartbeat thread, no output subscription
    _CLIENT.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    _CLIENT.execute(PRELOAD, silent=True, store_history=False)  # queued until the kernel listens, run first
