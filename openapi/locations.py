"""Where the vendor docs are: the command line, else $COURSE_USERS_DOCS_DIR, else ../shared/docs."""

from __future__ import annotations

import os
from pathlib import Path

DOCS_ENV = "COURSE_USERS_DOCS_DIR"
REPO_ROOT: Path = Path(__file__).resolve().parent.parent


def docs_dir(explicit: str | Path | None = None) -> Path:
    """The docs directory: ``explicit`` if given, else the environment variable, else the default.

    The project holds no copy of the vendor pages; by default they sit next to the repository.
    """
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(DOCS_ENV)
    if from_env:
        return Path(from_env)
    return REPO_ROOT.parent / "shared" / "docs"
