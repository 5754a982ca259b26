"""Check any server's GET /api/v2/course/{id}/users/ against the contract, schema and semantics.

The CLI (`python -m conformance`) and the tests share this small API:

    from course_users.conformance import Settings, run_suite
    report = run_suite(Settings(base_url="http://127.0.0.1:8000", token="...", course_id="1"))
    print(report.render()); report.exit_code
"""

from __future__ import annotations

from course_users.conformance.checks import all_check_names
from course_users.conformance.checks.base import CheckResult, Failure, Status
from course_users.conformance.errors import (
    CannotRun,
    ConformanceError,
    PreflightRejected,
    ServerUnreachable,
    SettingsError,
)
from course_users.conformance.report import Report
from course_users.conformance.settings import Settings
from course_users.conformance.suite import run_suite

__all__ = [
    "CannotRun",
    "CheckResult",
    "ConformanceError",
    "Failure",
    "PreflightRejected",
    "Report",
    "ServerUnreachable",
    "Settings",
    "SettingsError",
    "Status",
    "all_check_names",
    "run_suite",
]
