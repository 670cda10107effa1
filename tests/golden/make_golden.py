"""Re-execute each notebook with its default parameters into its nbval golden.

Run it (``make golden``) after changing a notebook or the reports' wording, then review the diff.
Papermill's timing metadata is dropped so that a golden changes only when outputs do.
"""

import tempfile
from pathlib import Path

import nbformat
import papermill

from cluster_profiles import paths
from cluster_profiles.runner.kernels import new_kernel_manager, shutdown_kernel
from cluster_profiles.runner.kinds import NOTEBOOKS

GOLDEN_DIR = Path(__file__).parent
GOLDENS = {spec.notebook: GOLDEN_DIR / spec.golden for spec in NOTEBOOKS.values() if spec.golden}


def main() -> None:
    for template, golden in GOLDENS.items():
        with tempfile.TemporaryDirectory() as sockets:  # a fresh kernel for each golden
            manager = new_kernel_manager(sockets)
            try:
                executed = papermill.execute_notebook(str(template), None, progress_bar=False,
                                                      kernel_name="python3", cwd=str(paths.NOTEBOOKS_DIR), km=manager)
            finally:
                shutdown_kernel(manager)
        executed.metadata.pop("papermill", None)
        for cell in executed.cells:
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
        nbformat.write(executed, golden)
        print(f"Wrote {golden}")


if __name__ == "__main__":
    main()
