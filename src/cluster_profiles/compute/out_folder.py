"""Which ``--out`` folder the ``clusters`` command may write, checked before any work (no pandas, no pandera:
a wrong ``--out`` fails at once)."""

from __future__ import annotations

from pathlib import Path

from cluster_profiles import paths
from cluster_profiles.files import OutputFolderError, check_output_folder, real_path

COMMAND = "clusters"  # the command whose manifest a computed folder holds


def check_target(out_dir: Path, inputs: dict[str, Path | None] | None = None) -> None:
    """Refuse, before any work, a folder this command must not replace (``files.check_output_folder``):
    the shipped data, a folder that is, holds or is inside an input (``{"--records": path}``), a
    folder holding files this command did not write."""
    out_dir = Path(out_dir)
    if real_path(out_dir) == real_path(paths.DATA_DIR):
        raise OutputFolderError(f"--out {out_dir}: is the project's shipped data folder; choose another --out")
    check_output_folder(out_dir, COMMAND, inputs or {})
