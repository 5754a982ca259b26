"""Fixtures for the contract tests: the vendor docs (found, never copied into the repo) and the CLI.

The docs come from $COURSE_USERS_DOCS_DIR, else <repo>/../shared/docs; tests that need them skip
with the reason when neither exists (a clone outside this workspace). Altered copies of the pages
are written into each test's tmp_path only.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_users.openapi.locations import DOCS_ENV, REPO_ROOT, docs_dir

ENDPOINT = "course/get_course_dashboard_users.md"
ITEM = "schemas/course_user_dashboard.md"
COURSE = "schemas/course.md"
ERRORS = "errors/errors.md"


@pytest.fixture(scope="session")
def vendor_docs() -> Path:
    """The vendor docs directory, or skip: the project holds no copy of the pages."""
    path = docs_dir()
    if not (path / ENDPOINT).is_file():
        pytest.skip(f"vendor docs not found at {path} (set {DOCS_ENV} to the docs directory)")
    return path


@pytest.fixture
def altered_docs(vendor_docs: Path, tmp_path: Path) -> Callable[..., Path]:
    """Copy the docs into tmp_path, apply ``{page: [(old, new), ...]}`` edits, return the copy.

    Every ``old`` text must occur in the page, so an edit can never silently do nothing.
    """

    def alter(edits: dict[str, list[tuple[str, str]]]) -> Path:
        copy = tmp_path / "docs"
        shutil.copytree(vendor_docs, copy)
        for path in copy.rglob("*"):
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
        for page, replacements in edits.items():
            file = copy / page
            text = file.read_text(encoding="utf-8")
            for old, new in replacements:
                assert old in text, f"{page} no longer contains {old!r}"
                text = text.replace(old, new, 1)
            file.write_text(text, encoding="utf-8")
        return copy

    return alter


@dataclass(frozen=True)
class Result:
    """A finished ``python -m openapi`` run."""

    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., Result]:
    """Run ``python -m openapi ARGS`` as a real process from the repo root."""

    def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
        completed = subprocess.run(
            [sys.executable, "-m", "course_users.openapi", *map(str, args)],
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that read the vendor docs with ``docs`` so ``-m "not docs"`` can skip them."""
    here = Path(__file__).parent
    for item in items:
        uses_docs = {"vendor_docs", "altered_docs"} & set(getattr(item, "fixturenames", ()))
        if uses_docs and here in item.path.parents:
            item.add_marker(pytest.mark.docs)
