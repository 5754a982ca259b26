"""The JSON report (`--report-json FILE`): the run and every check, with its basis, for tools.

The shape is stable; a key is only ever added (`format` names the version):

    {
      "format": "conformance-report/1",
      "run": {"base_url": str|null, "course_id": str|null, "seed": int|null,
              "profile": "docs"|"contract", "seconds": float, "requests": int,
              "counts": {"PASS": int, "FAIL": int, "SKIP": int},
              "set_aside": int, "exit_code": 0|1|2, "cannot_run": str|null},
      "checks": [
        {"name": str, "description": str, "basis": [str, ...], "profile": "docs"|"contract",
         "status": "PASS"|"FAIL"|"SKIP", "cases": int, "seconds": float,
         "skip_reason": str|null,
         "set_aside": [{"reason": str, "count": int}, ...],
         "failure": null | {"expected": str, "got": str, "reproduce": [curl, ...]}}
      ]
    }

`basis` entries are `docs:<page>:<line>` or `decision:<id>` (see conformance.catalogue);
`run.set_aside` is the sum of every check's set-aside counts. `run.cannot_run` is null when the
run gave verdicts; when it could not run (exit 2: settings, server unreachable, token rejected,
setup mistake, deadline) it is the one-line reason, `exit_code` is 2 and `checks` is empty;
`base_url`, `course_id` and `seed` are null only when the run stopped before they were known.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from course_users.conformance import catalogue
from course_users.conformance.checks.base import CheckResult, Status
from course_users.conformance.redaction import Redactor
from course_users.conformance.report import CannotRunReport, Report

FORMAT = "conformance-report/1"


def to_json(report: Report) -> dict[str, Any]:
    """The report as the documented JSON object."""
    counts = {str(status): count for status, count in report.counts().items()}
    run = _run(report, report.requests, counts, report.set_aside, None)
    return {
        "format": FORMAT,
        "run": run,
        "checks": [_check(result, report.redactor) for result in report.results],
    }


def cannot_run_json(report: CannotRunReport) -> dict[str, Any]:
    """A run that could not run, in the same shape: the reason, exit code 2, no checks."""
    counts = {str(status): 0 for status in Status}
    return {"format": FORMAT, "run": _run(report, 0, counts, 0, report.reason), "checks": []}


def _run(
    report: Report | CannotRunReport,
    requests: int,
    counts: dict[str, int],
    set_aside: int,
    cannot_run: str | None,
) -> dict[str, Any]:
    """The `run` object, in the documented key order, for a run with or without a verdict."""
    return {
        "base_url": report.base_url,
        "course_id": report.course_id,
        "seed": report.seed,
        "profile": report.profile,
        "seconds": round(report.seconds, 3),
        "requests": requests,
        "counts": counts,
        "set_aside": set_aside,
        "exit_code": report.exit_code,
        "cannot_run": cannot_run,
    }


def _check(result: CheckResult, redactor: Redactor) -> dict[str, Any]:
    entry = catalogue.entry(result.name)
    failure = result.failure
    return {
        "name": result.name,
        "description": entry.description if entry else "",
        "basis": list(entry.basis) if entry else [],
        "profile": entry.profile if entry else catalogue.CONTRACT,
        "status": str(result.status),
        "cases": result.cases,
        "seconds": round(result.seconds, 3),
        "skip_reason": result.reason if result.status is Status.SKIP else None,
        "set_aside": [{"reason": reason, "count": count} for reason, count in result.set_aside],
        "failure": None
        if failure is None
        else {
            "expected": redactor.scrub(failure.expected),
            "got": redactor.scrub(failure.got),
            "reproduce": failure.curls(redactor),
        },
    }


def write(report: Report | CannotRunReport, path: Path) -> None:
    """Write the JSON report (UTF-8, indented, keys in the documented order)."""
    body = cannot_run_json(report) if isinstance(report, CannotRunReport) else to_json(report)
    text = json.dumps(body, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
