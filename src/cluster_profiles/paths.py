"""Every path the project uses, derived from this file's location.

The package is installed in editable mode (``pip install -e .``), so the repository's
``data/``, ``notebooks/`` and ``reports/`` folders sit two levels above this file.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
REPORTS_DIR = REPO_ROOT / "reports"
PROFILE_NOTEBOOK = NOTEBOOKS_DIR / "cluster_profile.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "edition_overview.ipynb"
HTML_TEMPLATE_DIR = PACKAGE_DIR / "templates"
HTML_TEMPLATE_NAME = "report"
