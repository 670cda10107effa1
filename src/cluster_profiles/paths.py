"""Every path the project uses: the project's folders and the layout of the reports folder.

The project's folders (``data/``, ``notebooks/``, ``reports/``, ``lab/``) sit in the project root: the
repository the package is installed from in editable mode (``pip install -e .``: two levels above this
file); for a regular install (a wheel), ``$CLUSTER_PROFILES_ROOT`` or else the current folder. The layout
of ``reports/`` (which file a report, an overview, a fingerprint goes to) is written here and only here;
the renderer, the batch, the index and the overview's links all ask these functions.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from cluster_profiles.errors import ClusterProfilesError
from cluster_profiles.names import slug

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_ENV = "CLUSTER_PROFILES_ROOT"


def project_root(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """Where ``data/``, ``notebooks/`` and ``reports/`` are (see the module's docstring)."""
    if environ.get(ROOT_ENV):
        return Path(environ[ROOT_ENV]).expanduser().resolve()
    checkout = PACKAGE_DIR.parents[1]
    if (checkout / "notebooks").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return Path.cwd().resolve()


REPO_ROOT = project_root()
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
REPORTS_DIR = REPO_ROOT / "reports"
LAB_DIR = REPO_ROOT / "lab"  # git-ignored working copies of the notebooks, what `make lab` opens
PROFILE_NOTEBOOK = NOTEBOOKS_DIR / "cluster_profile.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "edition_overview.ipynb"
COMPARE_NOTEBOOK = NOTEBOOKS_DIR / "compare_clusters.ipynb"
FIND_CLUSTERS_NOTEBOOK = NOTEBOOKS_DIR / "find_clusters.ipynb"
HTML_TEMPLATE_DIR = PACKAGE_DIR / "templates"
HTML_TEMPLATE_NAME = "report"
INDEX_NAME = "index.html"


class OutsideReportsError(ValueError):
    """A computed report path would leave the reports folder (a slug never should; this guards it)."""


def report_relpath(edition: int, cluster: str) -> PurePosixPath:
    """A cluster profile, relative to the reports folder: ``<edition>/<slug>.html``."""
    return PurePosixPath(str(int(edition))) / f"{slug(cluster)}.html"


def overview_relpath(edition: int) -> PurePosixPath:
    """An edition's overview, relative to the reports folder (beside the index): ``overview-<edition>.html``."""
    return PurePosixPath(f"overview-{int(edition)}.html")


COMPARE_FOLDER = "compare"
# A comparison's file name: its slugs joined, each up to 80 characters. Beside the page go files whose
# names add up to 35 characters to its stem (``.<stem>.failed.ipynb.<pid>.<random>.tmp`` while written),
# and a file name has at most 255 bytes: a longer stem is cut and ends with a hash of the whole list.
COMPARE_STEM_LIMIT = 200
COMPARE_HASH_LENGTH = 12


def compare_relpath(edition: int, clusters: list[str]) -> PurePosixPath:
    """A side-by-side comparison: ``<edition>/compare/<slug>--<slug>[--<slug>…].html``; a stem longer than
    ``COMPARE_STEM_LIMIT`` is cut there and ends with ``--<hash of all the slugs>``, so that different
    lists keep different names."""
    stem = "--".join(slug(c) for c in clusters)
    if len(stem) > COMPARE_STEM_LIMIT:
        digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:COMPARE_HASH_LENGTH]
        stem = f"{stem[:COMPARE_STEM_LIMIT - COMPARE_HASH_LENGTH - 2].rstrip('-')}--{digest}"
    return PurePosixPath(str(int(edition))) / COMPARE_FOLDER / f"{stem}.html"


def find_clusters_relpath(records_dir: Path | str) -> PurePosixPath:
    """The narrative of a clustering run: ``found/<slug of the records folder's name>.html``."""
    return PurePosixPath("found") / f"{slug(Path(records_dir).resolve().name)}.html"


def under(reports_dir: Path, relpath: PurePosixPath | str) -> Path:
    """``relpath`` inside ``reports_dir``, refusing any path that would leave it."""
    root = Path(reports_dir).resolve()
    target = (root / relpath).resolve()
    if root not in target.parents:
        raise OutsideReportsError(f"Refusing to write outside {root}: {target}")
    return target


def report_path(reports_dir: Path, edition: int, cluster: str) -> Path:
    return under(reports_dir, report_relpath(edition, cluster))


def index_path(reports_dir: Path) -> Path:
    return under(reports_dir, INDEX_NAME)


def executed_notebook_path(html_path: Path) -> Path:
    """The executed notebook kept beside a report (its outputs are the report's)."""
    return html_path.with_suffix(".ipynb")


def fingerprint_path(html_path: Path) -> Path:
    """The file beside a report that records the hash of the inputs it was rendered from."""
    return html_path.with_name(f".{html_path.stem}.inputs")


def failed_notebook_path(html_path: Path) -> Path:
    """Where a failed render leaves its executed notebook, error outputs included, for debugging."""
    return html_path.with_name(f"{html_path.stem}.failed.ipynb")


def link(from_page: PurePosixPath, to_page: PurePosixPath) -> str:
    """A relative link between two pages of the reports folder (both relative to its root)."""
    depth = len(from_page.parent.parts)
    return str(PurePosixPath(*([".."] * depth), to_page)) if depth else str(to_page)


class UserPathError(ClusterProfilesError):
    """A path given on the command line that cannot be used: the message is one line naming the option."""


def checked_path(value: str | os.PathLike[str], option: str, kind: str = "", must_exist: bool = False) -> Path:
    """A path the user gave (``option``: its command-line name), made absolute once, here.

    Every failure of the system to look at the path (a symbolic link loop, a name longer than the system
    allows, a parent that is a file or cannot be searched, a NUL byte) becomes a ``UserPathError`` of one
    line; ``kind`` ("folder" or "file") also refuses an existing path of the other kind and, for a folder, one
    that cannot be listed. A path that does not exist yet is returned absolute (a reports folder is made), unless
    ``must_exist``.
    """
    shown = repr(str(value)) if any(not ch.isprintable() for ch in str(value)) else str(value)
    shown = shown if len(shown) <= 120 else shown[:119] + "…"

    def refuse(what: str) -> UserPathError:
        return UserPathError(f"{option} {shown}: {what}" if not what.startswith("is ") else f"{option} {shown} {what}")

    try:
        path = Path(value)
        exists = path.exists()  # follows links; raises for a loop on Python 3.11, returns False on 3.13
        if not exists and path.is_symlink():
            os.stat(path)  # a loop (ELOOP) or a link to nothing: say which
        resolved = path.resolve()
        if exists and kind == "folder":
            if not resolved.is_dir():
                raise refuse("is a file, not a folder; give a folder")
            with os.scandir(resolved):
                pass
        elif exists and kind == "file" and resolved.is_dir():
            raise refuse("is a folder, not a file; give a file")
        elif not exists and any(parent.exists() and not parent.is_dir() for parent in resolved.parents):
            raise refuse("a path through a file (a part of it is not a folder)")
    except FileNotFoundError:  # a link to nothing: the same as no such path
        exists = False
        resolved = Path(os.path.abspath(value))
    except RuntimeError:  # Path.resolve() on a symbolic link loop (Python < 3.13)
        raise refuse("a symbolic link loop: it cannot be read") from None
    except UserPathError:
        raise
    except ValueError:  # an embedded NUL byte
        raise refuse("a name with a NUL byte") from None
    except OSError as error:
        import errno

        reasons = {errno.ELOOP: "a symbolic link loop: it cannot be read", errno.ENAMETOOLONG: "a name longer than the system allows",
                   errno.ENOTDIR: "a path through a file (a part of it is not a folder)",
                   errno.EACCES: "a folder that cannot be read (permission denied)"}
        raise refuse(reasons.get(error.errno or 0, error.strerror or str(error))) from None
    if must_exist and not exists:
        raise refuse(f"no such {kind or 'file or folder'}")
    return resolved
