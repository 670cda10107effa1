"""JupyterLab without touching tracked files: users open git-ignored working copies of the notebooks.

The templates in ``notebooks/`` are what papermill runs. JupyterLab autosaves what it opens (outputs,
parameters, metadata), so ``make lab`` opens copies in ``lab/`` instead: created on first use,
refreshed from a template that changed only while the user has not touched the copy, and reset to the
templates on request (the replaced copy is kept as ``<name>.ipynb.bak``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cluster_profiles import paths
from cluster_profiles.errors import ClusterProfilesError

# Modules that moved when the package was cut into layers (contract, narrate, pages, runner): the names a
# working copy saved before then may still import. ``make lab`` says what to write instead; nothing rewrites
# a copy the user changed.
MOVED_MODULES = {
    "report": "pages.profile.notebook", "overview": "pages.overview.notebook", "compare": "pages.compare.notebook",
    "compute.report": "pages.clustering.notebook", "explore": "pages.profile.explore", "sections": "pages.profile.sections",
    "overview_data": "pages.overview.data", "overview_sections": "pages.overview.sections",
    "parameters": "pages.parameters", "profile": "narrate.profile", "narrative": "narrate.narrative",
    "citations": "narrate.citations", "html": "narrate.views", "figures": "narrate.figures",
    "maps": "narrate.maps.layout", "schema": "contract.schema", "outputs": "contract.vocabulary",
    "tables": "contract.tables", "io": "contract.canonical_csv", "validate": "contract.validate",
    "load": "contract.load", "quality": "contract.quality", "economies": "contract.economies",
    "importer": "contract.importer", "compute.tables": "compute.frames", "notebook_kinds": "runner.kinds",
    "render": "runner.render", "batch": "runner.batch", "site": "runner.site", "lab": "runner.lab",
}
_IMPORT_FROM_PACKAGE = re.compile(r"^\s*from cluster_profiles(?:\.(compute))? import ([\w ,]+?)\s*(?:#.*)?$")
_IMPORT_DOTTED = re.compile(r"\bcluster_profiles\.([\w.]+)")

MANIFEST_NAME = ".templates.json"  # per copy: the hash of the file as it was copied from its template
PROFILE_COPY = "cluster_profile.ipynb"  # the notebook `make lab` opens


@dataclass
class WorkingCopyResult:
    created: list[Path] = field(default_factory=list)
    refreshed: list[Path] = field(default_factory=list)  # the template changed; the copy was untouched
    kept: list[Path] = field(default_factory=list)  # the user changed the copy and the template changed
    reset: list[Path] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)  # what to change in a kept copy that imports a moved module

    def messages(self) -> list[str]:
        lines = [f"Created {p}" for p in self.created]
        lines += [f"Updated {p} from its changed template" for p in self.refreshed]
        lines += [f"Kept your {p}: its template has changed since; `make lab-reset` replaces it "
                  f"(your copy is kept as {p.name}.bak)" for p in self.kept]
        lines += [f"Reset {p} to its template (the previous copy is {p.name}.bak)" for p in self.reset]
        return lines + self.outdated


def _moved(old: str) -> str | None:
    """The new dotted name of a module that moved (``report`` -> ``pages.profile.notebook``), else None."""
    for name in sorted(MOVED_MODULES, key=len, reverse=True):
        if old == name or old.startswith(name + "."):
            return MOVED_MODULES[name] + old[len(name):]
    return None


def replacement_line(line: str) -> str | None:
    """The import line that does today what ``line`` did before the package moved into layers, or None
    when ``line`` imports nothing that moved."""
    found = _IMPORT_FROM_PACKAGE.match(line)
    indent = line[: len(line) - len(line.lstrip())]
    if found:
        prefix = "compute." if found.group(1) else ""
        lines, kept = [], []
        for part in (p.strip() for p in found.group(2).split(",") if p.strip()):
            name, _, alias = (s.strip() for s in part.partition(" as "))
            new = _moved(prefix + name)
            if new is None:
                kept.append(part)
                continue
            parent, _, leaf = new.rpartition(".")
            shown = alias or name
            lines.append(f"{indent}from cluster_profiles.{parent} import {leaf}" + ("" if leaf == shown else f" as {shown}"))
        if not lines:
            return None
        if kept:
            lines.insert(0, f"{indent}from cluster_profiles{'.compute' if prefix else ''} import {', '.join(kept)}")
        return "\n".join(lines)
    changed = _IMPORT_DOTTED.sub(lambda m: f"cluster_profiles.{_moved(m.group(1)) or m.group(1)}", line)
    return changed if changed != line and line.lstrip().startswith(("import ", "from ")) else None


def outdated_imports(copy: Path) -> list[str]:
    """What to change in a working copy whose code cells import modules that moved: one message per line."""
    try:
        cells = json.loads(copy.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    messages = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else str(source)).splitlines():
            new = replacement_line(line)
            if new is not None:
                messages.append(f"{copy}, cell {number}: the package's modules moved; replace `{line.strip()}` "
                                f"with `{'; '.join(part.strip() for part in new.splitlines())}`")
    return messages


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(work_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((work_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def prepare_working_copies(templates_dir: Path | None = None, work_dir: Path | None = None,
                           reset: bool = False) -> WorkingCopyResult:
    """Copy each template notebook into ``work_dir`` unless the user's copy there would be lost."""
    templates_dir = Path(templates_dir or paths.NOTEBOOKS_DIR)
    work_dir = Path(work_dir or paths.LAB_DIR)
    work_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(work_dir)
    result = WorkingCopyResult()
    for template in sorted(templates_dir.glob("*.ipynb")):
        copy = work_dir / template.name
        template_hash = _digest(template)
        if not copy.exists():
            result.created.append(copy)
        elif reset:
            shutil.copyfile(copy, copy.with_name(copy.name + ".bak"))
            result.reset.append(copy)
        elif _digest(copy) == template_hash:
            manifest[template.name] = template_hash
            continue
        elif _digest(copy) == manifest.get(template.name):  # untouched since copied; its template moved on
            result.refreshed.append(copy)
        else:
            if manifest.get(template.name) != template_hash:
                result.kept.append(copy)
            result.outdated += outdated_imports(copy)
            continue
        shutil.copyfile(template, copy)
        manifest[template.name] = template_hash
    (work_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return result


def jupyter_lab_command(open_path: Path, extra: list[str] | None = None, root: Path | None = None) -> list[str]:
    """JupyterLab rooted at the repository (or ``root``), on 127.0.0.1, opening ``open_path``.

    No token is passed on the command line (other users could read it from the process list):
    Jupyter generates one and prints the URL with it, or takes ``JUPYTER_TOKEN`` from the environment.
    """
    root = Path(root or paths.REPO_ROOT)
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers often run as root; Jupyter refuses that without the flag
    command += list(extra or [])
    command.append(str(open_path.relative_to(root) if root in open_path.parents else open_path))
    return command


# JupyterLab's defaults for `make lab`, read through JUPYTER_CONFIG_PATH (labconfig/default_setting_overrides.json):
# no "Would you like to get notified about official Jupyter news?" toast over the report on first start. A
# user's own settings still win (Settings > Notifications); their config folders are left untouched.
LAB_CONFIG_DIR = Path(__file__).parent / "lab_config"


def lab_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with the project's JupyterLab defaults first on JUPYTER_CONFIG_PATH (the rest kept)."""
    existing = [p for p in environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    return {**environ, "JUPYTER_CONFIG_PATH": os.pathsep.join([str(LAB_CONFIG_DIR), *existing])}


def start_lab(reset: bool = False, extra: list[str] | None = None) -> int:
    """Prepare the working copies, then replace this process with JupyterLab."""
    if importlib.util.find_spec("jupyterlab") is None:  # an extra: not in the lock file CI installs
        raise ClusterProfilesError("JupyterLab is not installed: `make lab` installs the project's `lab` extra "
                                   "(or: pip install -e '.[lab]').")
    result = prepare_working_copies(reset=reset)
    for line in result.messages():
        print(line)
    command = jupyter_lab_command(paths.LAB_DIR / PROFILE_COPY, extra)
    sys.stdout.flush()
    os.chdir(paths.REPO_ROOT)
    os.execve(command[0], command, lab_environment(os.environ))
    return 0  # not reached
