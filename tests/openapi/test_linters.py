"""Spectral (spectral:oas) and Redocly CLI (recommended) find nothing in the spec or its bundle.

Both run with the repo's own configuration (.spectral.yaml, redocly.yaml), which records each
by-design exception with its reason; they are installed from npm on first use into
benchmarks/.cache/, as Prism is. The bundle is written to build/lint/ because both linters
scope their per-file exceptions by paths relative to the repo.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.artifacts import Artifacts
from benchmarks.errors import ToolError
from course_users.openapi.bundle import SPEC_PATH
from course_users.openapi.locations import REPO_ROOT

BUNDLE = REPO_ROOT / "build" / "lint" / "course_users.bundle.json"
# Redocly CLI would otherwise send usage data and look for updates: the lint must stay offline.
REDOCLY_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
ERROR, WARNING = 0, 1  # Spectral's severities (then 2 info, 3 hint)


def _tool(name: str) -> Path:
    """The linter from the benchmarks' npm cache, installed there on first use.

    Skips only where npm cannot install it at all, so that wherever npm works this test runs.
    """
    try:
        executable, _version = Artifacts(REPO_ROOT, REPO_ROOT / "benchmarks" / ".cache").npm_tool(
            name
        )
    except ToolError as error:
        pytest.skip(f"{name} not available: {error}")
    return executable


def _run(command: list[str | Path]) -> str:
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=REPO_ROOT,
        env={**os.environ, **REDOCLY_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.stdout.strip(), f"no report (exit {completed.returncode}):\n{completed.stderr}"
    return completed.stdout


@pytest.fixture(scope="module")
def bundle(run_cli) -> Path:
    """The bundle of the committed spec, written where the linters' configs expect it."""
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    result = run_cli("bundle", "--out", BUNDLE)
    assert result.code == 0, result.err
    return BUNDLE


def _spectral(spec: Path) -> list[dict]:
    report = _run([_tool("spectral"), "lint", "--format", "json", "--quiet", spec])
    return [r for r in json.loads(report) if r["severity"] in (ERROR, WARNING)]


def _redocly(spec: Path) -> dict:
    report = _run([_tool("redocly"), "lint", "--format", "json", spec])
    return json.loads(report[report.index("{") :])


def _findings(results: list[dict]) -> list[str]:
    return [f"{r['code']} at {'.'.join(map(str, r['path']))}: {r['message']}" for r in results]


class TestSpectral:
    """Spectral's spectral:oas ruleset, with the exceptions in .spectral.yaml."""

    def test_committed_spec_has_no_errors_or_warnings(self):
        """The committed spec gives Spectral nothing to report."""
        assert _findings(_spectral(SPEC_PATH)) == []

    def test_bundle_has_no_errors_or_warnings(self, bundle):
        """The bundle gives Spectral nothing to report."""
        assert _findings(_spectral(bundle)) == []


class TestRedocly:
    """Redocly CLI's recommended ruleset, with the exceptions in redocly.yaml."""

    def test_committed_spec_has_no_errors_or_warnings(self):
        """The committed spec gives Redocly nothing to report."""
        report = _redocly(SPEC_PATH)
        assert (report["totals"]["errors"], report["totals"]["warnings"]) == (0, 0), report

    def test_bundle_has_no_errors_or_warnings(self, bundle):
        """The bundle gives Redocly nothing to report."""
        report = _redocly(bundle)
        assert (report["totals"]["errors"], report["totals"]["warnings"]) == (0, 0), report
