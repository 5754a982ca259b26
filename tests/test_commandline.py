"""The five tools keep one command-line convention (`openapi.commandline`), run as a user runs them.

A bad option or environment variable exits 2 with one line `<tool>: error: <message>` naming it;
a failed verdict or bad data exits 1. The mock, the suite, the fixtures tool, the spec tool and the
benchmarks are each run as a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_users.openapi.bundle import SPEC_PATH
from course_users.openapi.docs_parser import ENDPOINT_PAGE
from course_users.openapi.locations import docs_dir

REPO = Path(__file__).resolve().parent.parent
RUN_ARGS = ["--base-url", "http://127.0.0.1:9", "--token", "t", "--course-id", "1"]

# (module, the tool's name in its error line, arguments, the option the line must name)
BAD_OPTIONS = [
    ("mockserver", "mockserver", ["--port", "abc"], "--port: 'abc'"),
    ("conformance", "conformance", [*RUN_ARGS, "--max-examples", "lots"], "--max-examples: 'lots'"),
    ("fixtures", "fixtures", ["generate", "--members", "2"], "--members: '2'"),
    ("openapi", "openapi", ["bundle"], "--out: missing"),
    ("benchmarks", "benchmarks", ["--only", "nope"], "--only: 'nope'"),
]
# (module, tool, arguments, the variable and its bad value)
BAD_VARIABLES = [
    ("mockserver", "mockserver", [], ("MOCKSERVER_WORKERS", "0")),
    ("conformance", "conformance", RUN_ARGS, ("CONFORMANCE_TIMEOUT", "soon")),
    ("fixtures", "fixtures", ["generate"], ("FIXTURES_GENERATE_COURSES", "0")),
    ("openapi", "openapi", ["generate"], ("OPENAPI_GENERATE_CHECK", "maybe")),
    ("benchmarks", "benchmarks", [], ("BENCHMARKS_LOADGEN", "fast")),
]
TOOLS = [(module, tool) for module, tool, _, _ in BAD_OPTIONS]


def run(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m module args` from the repository root, to completion."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def error_line(result: subprocess.CompletedProcess, tool: str) -> str:
    """The one line on stderr, checked to be in the shared format."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{tool}: error: "), lines[0]
    return lines[0]


class TestBadUsage:
    """Exit 2 and one line naming the option or variable, before any work."""

    @pytest.mark.parametrize(("module", "tool", "args", "named"), BAD_OPTIONS)
    def test_bad_option_value(self, module, tool, args, named):
        """A bad or missing option value is `<tool>: error: <option>: ...`, exit 2."""
        result = run(module, *args)
        assert result.returncode == 2
        assert named in error_line(result, tool)
        assert result.stdout == ""

    @pytest.mark.parametrize(("module", "tool", "args", "variable"), BAD_VARIABLES)
    def test_bad_environment_value(self, module, tool, args, variable):
        """A bad value of the tool's variable names the variable and the value, exit 2."""
        name, value = variable
        result = run(module, *args, env={name: value})
        assert result.returncode == 2
        assert f"{name}: {value!r}" in error_line(result, tool)
        assert result.stdout == ""

    @pytest.mark.parametrize(("module", "tool"), TOOLS)
    def test_unknown_option(self, module, tool):
        """An option no tool has is a one-line usage error, exit 2, without a usage dump."""
        result = run(module, "--no-such-option")
        assert result.returncode == 2
        error_line(result, tool)
        assert "usage:" not in result.stderr and result.stdout == ""


class TestVerdictOrData:
    """Exit 1 where a tool has a verdict or reads data: the verdict failed, or the data is bad."""

    def test_mock_with_bad_fixtures(self, tmp_path):
        """The mock refuses a broken fixture file: exit 1, one line naming it."""
        path = tmp_path / "broken.yaml"
        path.write_text("courses: [\n")
        result = run("mockserver", "--port", "0", "--fixtures", str(path))
        assert result.returncode == 1
        assert "broken.yaml" in error_line(result, "mockserver")

    def test_conformance_with_a_failed_check(self, mock_server):
        """A check the server fails (a creator's token as the forbidden one) is exit 1."""
        origin = mock_server.base_url.removesuffix("/api/v2/")
        result = run(
            "conformance",
            *["--base-url", origin, "--token", "manager-token", "--course-id", "1"],
            *["--forbidden-token", "creator-token", "--check", "auth.forbidden_403"],
            *["--seed", "1"],
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert "FAIL  auth.forbidden_403" in result.stdout

    def test_fixtures_with_a_bad_file(self, tmp_path):
        """`validate` on a file that is no dataset is exit 1, one line naming the file."""
        path = tmp_path / "bad.yaml"
        path.write_text("users: 5\ncourses: []\ntokens: {}\n")
        result = run("fixtures", "validate", str(path))
        assert result.returncode == 1
        assert str(path) in error_line(result, "fixtures")

    @pytest.mark.docs
    def test_spec_that_is_out_of_date(self, tmp_path):
        """`generate --check` on a spec that differs from what would be written is exit 1."""
        docs = docs_dir()
        if not (docs / f"{ENDPOINT_PAGE}.md").is_file():
            pytest.skip(f"vendor docs not found at {docs}")
        stale = tmp_path / "spec.yaml"
        stale.write_text(SPEC_PATH.read_text(encoding="utf-8").replace("1.0.0", "0.9.0"))
        result = run("openapi", "generate", "--check", "--out", str(stale))
        assert result.returncode == 1, result.stderr
        assert "out of date" in result.stdout
