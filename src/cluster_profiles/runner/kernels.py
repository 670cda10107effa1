"""Start a render's kernel before anything else, so that it boots while the command imports the rest.

A single render pays for two things that do not depend on each other: the kernel (a new process,
then pandas, seaborn and matplotlib imported in it) and the command's own imports (papermill,
nbconvert, pandas, pandera) and checks. Started first, the kernel boots on another core while this
process imports and validates; the notebook then runs in it (papermill uses a kernel manager it is
given, and leaves its shutdown to us). This module imports only jupyter_client, on purpose.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

# What every notebook of the project imports in its first cell (cluster_profiles.pages.profile.notebook, by way of
# cluster_profiles.runner.preload), sent to the kernel as soon as it starts (silently: no execution count, no
# output). The notebook's own import then finds it loaded, as in the batch renderer's warm kernels,
# whose output a test shows to equal a fresh kernel's.
PRELOAD = "__import__('cluster_profiles.runner.preload').runner.preload.import_report()"  # binds no name in the notebook


def signal_when_parent_dies(signum: int, parent: int) -> bool:
    """Linux: have ``signum`` sent to this process when its parent dies, even by SIGKILL (prctl
    PR_SET_PDEATHSIG). False if ``parent`` was gone before that took effect (the caller acts then)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signum, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    return os.getppid() == parent


def _dies_with(parent: int) -> None:
    """Run in the kernel's process just before it starts (Linux): it is killed when ``parent`` dies.

    ipykernel notices a dead parent only by polling, a second or more later; a kernel still starting then
    writes its connection file again, re-creating the socket folder a later run has already swept
    (tests/test_faults.py caught it). Killed with the command, it cannot.
    """
    import signal

    if not signal_when_parent_dies(signal.SIGKILL, parent):
        os._exit(1)


@contextlib.contextmanager
def early_kernel(cwd: Path, preload: str = PRELOAD) -> Iterator[object]:
    """A started kernel's manager (IPC sockets in a private temporary folder), shut down on exit."""
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from cluster_profiles.files import kernel_dir

    with kernel_dir() as socket_dir:  # named after this process: swept by a later run if this one is killed
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc")
        manager.ip = os.path.join(socket_dir, "kernel")
        manager.connection_file = os.path.join(socket_dir, "kernel.json")  # its key, in the same private folder
        # started from this thread (no event loop runs here), so "parent" is this command itself
        dies_with_us = {"preexec_fn": functools.partial(_dies_with, os.getpid())} if sys.platform == "linux" else {}
        run_sync(manager.start_kernel)(cwd=str(cwd), **dies_with_us)
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        try:
            # the shell channel is all this needs: no heartbeat thread, no output subscription
            client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            if preload:
                # queued by zmq until the kernel listens; the kernel runs it before any later request
                client.execute(preload, silent=True, store_history=False)
            yield manager
        finally:
            client.stop_channels()
            client.context.destroy(linger=0)  # this client's own zmq context, and its file descriptors
            if manager.has_kernel:
                run_sync(manager.shutdown_kernel)(now=True)
