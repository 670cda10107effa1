"""Re-execute the profile notebook with its default parameters into the nbval golden.

Run it (``make golden``) after changing the notebook or the report's wording, then review the diff.
Papermill's timing metadata is dropped so that the golden changes only when outputs do.
"""

import sys
from pathlib import Path

import nbformat
import papermill

from cluster_profiles import paths


def main(target: str) -> None:
    executed = papermill.execute_notebook(str(paths.PROFILE_NOTEBOOK), None, progress_bar=False,
                                          kernel_name="python3", cwd=str(paths.NOTEBOOKS_DIR))
    executed.metadata.pop("papermill", None)
    for cell in executed.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(executed, target)
    print(f"Wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).with_name("cluster_profile_hefei_2024.ipynb")))
