"""Benchmark: one `cluster-profiles render` against the floor every fresh render pays, in the same run.

Floor: start a kernel, import pandas, seaborn and matplotlib.pyplot in it, shut it down (jupyter_client,
from this process). Render: the `cluster-profiles render` command, a new process each time, as a user
runs it. The runs alternate (floor, render, floor, ...) so that a change in the machine's load hits
both alike; the script prints the median of each and their ratio. Run with `make bench-single`
(N=5 runs each by default: `make bench-single N=9`).

What is measured is a rerun, as a user makes it: the first render (not counted) writes the reports
folder's validated-data stamp and fills the on-disk cache (``cluster_profiles.cache``: the validated
tables and the map's basemap), both in this run's temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

BIN = Path(sys.executable).parent
CACHE_ENV = "CLUSTER_PROFILES_CACHE"  # cluster_profiles.cache.ENV, without importing the package here
FLOOR_CODE = "import pandas, seaborn, matplotlib.pyplot"
TARGET = 1.8


def floor_once() -> float:
    """Seconds to start a kernel, import the plotting stack in it and shut it down."""
    start = time.perf_counter()
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=120)
        reply = client.execute_interactive(FLOOR_CODE, timeout=120, output_hook=lambda message: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the floor's imports failed: {reply['content']}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return time.perf_counter() - start


def render_once(cluster: str, edition: int, reports: Path) -> float:
    """Seconds for one `cluster-profiles render`, a new process, as a user runs it."""
    start = time.perf_counter()
    subprocess.run([str(BIN / "cluster-profiles"), "render", "--cluster", cluster, "--edition", str(edition),
                    "--reports-dir", str(reports)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--cluster", default="Hefei")
    parser.add_argument("--edition", type=int, default=2024)
    args = parser.parse_args()
    floors, renders = [], []
    with tempfile.TemporaryDirectory(prefix="bench-single-") as out:
        os.environ[CACHE_ENV] = str(Path(out) / "cache")  # this run's own cache, not the user's
        render_once(args.cluster, args.edition, Path(out))  # warm the disk cache and bytecode, not counted
        floor_once()
        for _ in range(args.runs):
            floors.append(floor_once())
            renders.append(render_once(args.cluster, args.edition, Path(out)))
        written = Path(out) / str(args.edition)
        if not any(written.glob("*.html")):
            raise SystemExit("the render wrote no report")
    floor, render = statistics.median(floors), statistics.median(renders)
    print(f"Benchmark: one render ({args.cluster}, GII {args.edition}), {args.runs} runs each, alternating")
    print(f"floor (kernel start + import pandas, seaborn, matplotlib.pyplot + shutdown): median {floor:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in floors)})")
    print(f"cluster-profiles render:                                                  median {render:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in renders)})")
    print(f"ratio render / floor: {render / floor:.2f} (target: {TARGET} or less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
