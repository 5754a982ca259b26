"""`python -m conformance`: check a server against the course users contract.

Exit status (the tools' shared table): 0 every check passed, 1 some check failed, 2 the suite
could not run or was called wrongly; the reason is one line, `conformance: error: <reason>`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from course_users.conformance import catalogue, jsonreport, junit
from course_users.conformance.errors import ConformanceError, SettingsError
from course_users.conformance.report import CannotRunReport, Report
from course_users.conformance.settings import OPTIONS, Settings, read_option
from course_users.conformance.suite import run_suite
from course_users.openapi.commandline import EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_OK, Parser, fail
from course_users.openapi.contract import CONTRACT

TOOL = "conformance"
EXIT_PASS, EXIT_FAIL = EXIT_OK, EXIT_FAILED  # the names a run's outcome goes by


def build_parser() -> argparse.ArgumentParser:
    """The command-line options; every value option also reads its CONFORMANCE_* variable."""
    parser = Parser(
        TOOL,
        prog="python -m conformance",
        description=f"Check a server's GET {CONTRACT.base_path}{CONTRACT.path} against the "
        "contract: schema (Schemathesis) and semantics (filtering, ordering, paging, auth).",
        epilog="Exit status: 0 all checks passed, 1 a check failed, 2 cannot run.",
    )
    OPTIONS.add_to(parser)
    parser.add_argument(
        "--check",
        dest="checks",
        action="append",
        metavar="PATTERN",
        help="run only checks matching this name, group or glob (repeatable): paging, 'auth.*'",
    )
    parser.add_argument(
        "--list-checks",
        action="store_true",
        help="print the checks (name and what each enforces; --check and --profile apply) and exit",
    )
    parser.add_argument(
        "--format",
        choices=("plain", "json"),
        help="with --list-checks: plain lines (default) or a JSON list with each check's basis",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.format is not None and not args.list_checks:
        return fail(TOOL, "--format only applies to --list-checks")
    if args.list_checks:
        try:
            return _output(_check_list(vars(args), args.format or "plain"), EXIT_PASS)
        except ConformanceError as exc:
            return fail(TOOL, exc)
    started = time.perf_counter()
    settings: Settings | None = None
    try:
        settings = Settings.from_sources(vars(args), os.environ)
        _check_writable(settings)
        report = run_suite(settings)
    except ConformanceError as exc:
        return _cannot_run(str(exc), vars(args), settings, started)
    except KeyboardInterrupt:
        return _cannot_run("interrupted", vars(args), settings, started)
    text = report.render(settings.verbosity)
    text += _write_reports(report, settings.junit_xml, settings.report_json)
    return _output(text, report.exit_code)


def _write_reports(
    report: Report | CannotRunReport, junit_xml: Path | None, report_json: Path | None
) -> str:
    """Write the --junit-xml and --report-json files; the lines saying where they went."""
    text = ""
    if junit_xml is not None:
        junit.write(report, junit_xml)
        text += f"JUnit XML written to {junit_xml}\n"
    if report_json is not None:
        jsonreport.write(report, report_json)
        text += f"JSON report written to {report_json}\n"
    return text


def _cannot_run(
    reason: str, options: Mapping[str, object], settings: Settings | None, started: float
) -> int:
    """Say why in one line on stderr, and still write the report files CI will look for."""
    fail(TOOL, reason)
    report = CannotRunReport(
        reason=reason,
        base_url=settings.base_url if settings else _known("base_url", options),
        course_id=settings.course_id if settings else _known("course_id", options),
        seed=settings.seed if settings else _known("seed", options),
        profile=(settings.profile if settings else _known("profile", options))
        or catalogue.CONTRACT,
        seconds=time.perf_counter() - started,
    )
    # A path in a missing directory (the reason itself, perhaps) cannot be written: skip it.
    junit_xml, report_json = (
        _writable(getattr(settings, name) if settings else _known(name, options))
        for name in ("junit_xml", "report_json")
    )
    try:
        text = _write_reports(report, junit_xml, report_json)
    except OSError as exc:
        fail(TOOL, f"could not write a report: {exc}")
    else:
        _output(text, EXIT_CANNOT_RUN)
    return EXIT_CANNOT_RUN


def _known(name: str, options: Mapping[str, object]) -> object:
    """One setting if it can be read on its own despite the error, else None."""
    try:
        return read_option(name, options, os.environ)
    except ConformanceError:
        return None


def _writable(path: object) -> Path | None:
    return path if isinstance(path, Path) and path.parent.resolve().is_dir() else None


def _check_list(options: dict[str, object], form: str) -> str:
    """The selected checks, as `name  description` lines or as a JSON list."""
    from course_users.conformance.checks import select

    profile = read_option("profile", options, os.environ) or catalogue.CONTRACT
    names = select(tuple(options.get("checks") or ()), profile)
    entries = [catalogue.entry(name) or catalogue.Entry(name, "", ()) for name in names]
    if form == "json":
        rows = [
            {"name": e.name, "description": e.description, "basis": list(e.basis),
             "profile": e.profile}
            for e in entries
        ]  # fmt: skip
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    width = max(len(name) for name in names)
    return "".join(f"{e.name:<{width}}  {e.description}\n" for e in entries)


def _output(text: str, code: int) -> int:
    """Write to stdout; a reader that went away (`| head -1`) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return code


def _check_writable(settings: Settings) -> None:
    # Fail before a long run, not after it, when a report file cannot be written.
    for flag, path in (
        ("--junit-xml", settings.junit_xml),
        ("--report-json", settings.report_json),
    ):
        if path is not None and not path.parent.resolve().is_dir():
            raise SettingsError(
                flag, f"{str(path)!r}: directory {str(path.parent)!r} does not exist"
            )


if __name__ == "__main__":
    raise SystemExit(main())
