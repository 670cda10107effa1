"""Writing outputs so that a failure never leaves a half-written file or destroys a good one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_files_atomically(contents: dict[Path, str]) -> None:
    """Write every file to a temporary sibling, then move them all into place.

    A failure before the moves leaves every target as it was; the temporary files are removed.
    """
    temporaries: dict[Path, Path] = {}
    try:
        for target, text in contents.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            temporaries[target] = Path(name)
            os.chmod(name, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        for target, temporary in temporaries.items():
            os.replace(temporary, target)
    finally:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
