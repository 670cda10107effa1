"""The ``clusters`` command: read a records folder, find the clusters, write a validated data folder.

``run`` reads the records into DuckDB while the rest of the pipeline (pandas, SciPy, pandera, matplotlib: a
second of imports) is imported in a thread of its own (``background.BackgroundImport``): DuckDB releases Python's
lock while it reads and validates, so the two share the machine's cores instead of taking turns. This module and
what it imports before the reading (the settings, the records reader, the database) import neither pandas nor
pandera; ``tests/compute/test_command_imports.py`` keeps it so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cluster_profiles.compute.background import BackgroundImport
from cluster_profiles.compute.database import work_database
from cluster_profiles.compute.out_folder import check_target
from cluster_profiles.compute.progress import Stages
from cluster_profiles.compute.records import read_records
from cluster_profiles.compute.settings import load_settings, settings_label

if TYPE_CHECKING:
    from cluster_profiles.compute.pipeline import Summary

# what the steps after the reading import, in the order they need it (matplotlib: the economy check's shapes)
PIPELINE_MODULES = ("cluster_profiles.compute.pipeline", "cluster_profiles.compute.frames", "matplotlib.path")


def _economy_shapes() -> None:
    """The country shapes the economy check tests the addresses against (cached: 0.1 s to decode)."""
    # in the background thread, after the imports: pandas and SciPy come with the precision module
    from cluster_profiles.compute.precision import SHAPES_RESOLUTION
    from cluster_profiles.contract.natural_earth import basemap

    basemap(SHAPES_RESOLUTION)


def run(records_dir: str | Path, out_dir: str | Path, settings_path: str | Path | None = None,
        progress: bool = True) -> Summary:
    """Read ``records_dir``, find the clusters, write a validated data folder to ``out_dir``."""
    settings = load_settings(settings_path)
    inputs = {"--records": Path(records_dir), "--settings": Path(settings_path) if settings_path else None}
    check_target(Path(out_dir), inputs)  # before the work, so a wrong --out fails at once
    stages = Stages(progress)  # tqdm, when the bars are shown: before the thread starts importing (see background.py)
    imports = BackgroundImport(*PIPELINE_MODULES, then=_economy_shapes)
    try:
        with work_database() as con:
            with stages.stage("read records"):
                info = read_records(con, records_dir)
            imports.wait()
            from cluster_profiles.compute.pipeline import compute_read  # imported by the thread meanwhile

            computed = compute_read(con, info, settings, settings_label(settings_path), progress)
    finally:
        imports.wait()  # bad records: the thread's imports end before the error does (no import cut short at exit)
    from cluster_profiles.compute.write import write_data_folder  # pandera: imported by the thread with the pipeline

    with stages.stage("write + validate"):
        write_data_folder(computed.frames, out_dir, computed.summary.as_dict(), inputs)
    computed.summary.out_dir = Path(out_dir)
    return computed.summary
