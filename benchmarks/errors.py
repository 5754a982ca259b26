"""The benchmark's own errors.

    BenchmarkError          a section cannot run (a tool is missing, a server did not start, ...)
    ├── ServerStartError    a server process exited or never answered 200 before its deadline
    └── ToolError           an external tool (wrk, npm, a helper CLI) failed or is missing

The CLI turns each into one line in the report and in the JSON; the other sections still run.
"""

from __future__ import annotations


class BenchmarkError(Exception):
    """A benchmark section cannot run; the message says what to fix."""


class ServerStartError(BenchmarkError):
    """A server process exited early or did not answer 200 before its start deadline."""


class ToolError(BenchmarkError):
    """An external tool the benchmark drives failed or is missing."""
