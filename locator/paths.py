"""Default locations, all relative to the repository that contains this package."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

# The database is a build artefact (rebuilt by `python -m locator import`), never committed.
DEFAULT_DB = REPO_ROOT / "build" / "locator.sqlite"
# The project's own copy of the reference data, refreshed from upstream by `refresh-reference`.
DEFAULT_SOURCE = REPO_ROOT / "reference"
# The shared upstream reference folder sits beside the repository checkout.
DEFAULT_UPSTREAM = REPO_ROOT.parent / "shared" / "reference"
