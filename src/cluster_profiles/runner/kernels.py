"""Kernels: how a render starts, reuses and stops the Jupyter kernel its notebook runs in.

Two uses. A single render starts its kernel before anything else (``early_kernel``), so that it boots
while the command imports the rest; a batch worker keeps one warm kernel for all its pages
(``worker_kernel``), restarted after a failure, killed with the worker.


A single render pays for two things that do not depend on each other: the kernel (a new process,
then pandas, seaborn and matplotlib imported in it) and the command's own imports (papermill,
nbconvert, pandas, pandera) and checks. Started first, the kernel boots on another core while this
process imports and validates; the notebook then runs in it (papermill uses a kernel manager it is
given, and leaves its shutdown to us). This module imports only jupyter_client, on purpose.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

from cluster_profiles.files import kernel_dir

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
    writes its connection file again, re-creating the socket folder a later run has already swept.
    Killed with the command, it cannot.
    """
    if not signal_when_parent_dies(signal.SIGKILL, parent):
        os._exit(1)


@contextlib.contextmanager
def early_kernel(cwd: Path, preload: str = PRELOAD) -> Iterator[object]:
    """A started kernel's manager (IPC sockets in a private temporary folder), shut down on exit."""
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_core.utils import run_sync

    with kernel_dir() as socket_dir:  # named after this process: swept by a later run if this one is killed
        manager = new_kernel_manager(socket_dir)
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
            shutdown_kernel(manager)


def new_kernel_manager(socket_dir: str):
    """A kernel manager that talks to its kernel over Unix sockets in ``socket_dir``.

    IPC instead of TCP: nothing listens on a network port, and ipykernel does not warn about
    unencrypted TCP on every start. The caller owns ``socket_dir`` and removes it.
    """
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(kernel_name="python3", transport="ipc")
    manager.ip = os.path.join(socket_dir, "kernel")
    # the connection file holds the kernel's key: keep it in the same private folder, removed with it
    manager.connection_file = os.path.join(socket_dir, "kernel.json")
    return manager


# A kernel's client, kept connected between the pages run in that kernel. nbclient makes a new client for every
# notebook and waits for it to be ready, which ends by listening to the kernel's output channel until it has been
# quiet for 0.2 s: a fixed fifth of a second per page of a batch. Messages left from an earlier page are harmless to
# a kept client: nbclient reads only the replies to the requests it sends.
KEPT_CLIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # kernel manager -> its connected client


def shutdown_kernel(manager) -> None:
    from jupyter_core.utils import run_sync

    client = KEPT_CLIENTS.pop(manager, None) if manager is not None else None
    if client is not None:
        with contextlib.suppress(Exception):  # the kernel is going: a client that cannot close cleanly goes too
            client.stop_channels()
    if manager is not None and manager.has_kernel:
        run_sync(manager.shutdown_kernel)(now=True)


# ------------------------------------------------------------------ a batch worker's warm kernel

_WORKER_KERNEL = None  # the warm kernel manager of this worker process
_WORKER_SOCKETS = None  # the temporary folder holding its IPC sockets


def shutdown_worker_kernel() -> None:
    """Discard this worker's kernel (the next page gets a fresh one) and its socket folder."""
    global _WORKER_KERNEL, _WORKER_SOCKETS

    if _WORKER_KERNEL is not None:
        # the kernel is being discarded: if it is already dead, that is what we want
        with contextlib.suppress(Exception):
            shutdown_kernel(_WORKER_KERNEL)
        _WORKER_KERNEL = None
    if _WORKER_SOCKETS is not None:
        _WORKER_SOCKETS.cleanup()
        _WORKER_SOCKETS = None


def _kill_worker_kernel() -> None:
    """SIGKILL this worker's kernel and its process group, without talking to it."""
    provisioner = getattr(_WORKER_KERNEL, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    pgid = getattr(provisioner, "pgid", None)
    with contextlib.suppress(ProcessLookupError, PermissionError, TypeError):
        if pgid:
            os.killpg(pgid, signal.SIGKILL)
        elif pid:
            os.kill(pid, signal.SIGKILL)


def worker_dies_with_parent() -> None:
    """Run first in each worker: when the parent dies (even by SIGKILL), the worker gets SIGTERM (Linux
    prctl PR_SET_PDEATHSIG), and on SIGTERM it kills its kernel and exits. The kernel itself also
    exits when its parent is gone (ipykernel polls its parent process)."""

    def stop(signum, frame):
        # No orderly shutdown here: it runs jupyter_client's async code inside a signal handler, which
        # can raise mid-render and leave the worker alive. Kill the kernel's process group
        # (jupyter_client starts it in a new session) and leave at once.
        _kill_worker_kernel()
        if _WORKER_SOCKETS is not None:
            with contextlib.suppress(Exception):
                _WORKER_SOCKETS.cleanup()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    if sys.platform.startswith("linux"):
        parent = multiprocessing.parent_process()
        if not signal_when_parent_dies(signal.SIGTERM, parent.pid if parent and parent.pid else os.getppid()):
            os.kill(os.getpid(), signal.SIGTERM)  # the parent died before that took effect


def worker_kernel():
    """This worker's kernel manager, started on first use, restarted if its kernel died."""
    global _WORKER_KERNEL, _WORKER_SOCKETS

    from jupyter_core.utils import run_sync

    if _WORKER_KERNEL is not None and _WORKER_KERNEL.has_kernel and not run_sync(_WORKER_KERNEL.is_alive)():
        shutdown_worker_kernel()
    if _WORKER_KERNEL is None:
        _WORKER_SOCKETS = kernel_dir()
        _WORKER_KERNEL = new_kernel_manager(_WORKER_SOCKETS.name)
        # multiprocessing workers exit without running atexit hooks; Finalize runs on their exit
        multiprocessing.util.Finalize(None, shutdown_worker_kernel, exitpriority=10)
    return _WORKER_KERNEL
