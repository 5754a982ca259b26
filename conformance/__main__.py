"""`python -m conformance`: check a server against the course users contract.

Exit status: 0 every check passed, 1 some check failed, 2 the suite could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from conformance import catalogue, jsonreport, junit
from conformance.errors import ConformanceError, SettingsError
from conformance.settings import OPTIONS, Settings, read_option
from conformance.suite import run_suite

EXIT_PASS, EXIT_FAIL, EXIT_CANNOT_RUN = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2 like every other 'cannot run'."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"conformance: error: {message}\n")
        raise SystemExit(EXIT_CANNOT_RUN)


def build_parser() -> argparse.ArgumentParser:
    """The command-line options; every value option also reads its CONFORMANCE_* variable."""
    parser = _Parser(
        prog="python -m conformance",
        description="Check a server's GET /api/v2/course/{id}/users/ against the contract: "
        "schema (Schemathesis) and semantics (filtering, ordering, paging, auth).",
        epilog="Exit status: 0 all checks passed, 1 a check failed, 2 cannot run.",
    )
    for spec in OPTIONS:
        if spec.switch:
            parser.add_argument(
                spec.flag,
                dest=spec.name,
                action="store_const",
                const="yes",
                help=f"{spec.help} [env {spec.env}]",
            )
            continue
        parser.add_argument(
            spec.flag,
            dest=spec.name,
            metavar=spec.name.upper(),
            help=f"{spec.help} [env {spec.env}]",
        )
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
        sys.stderr.write("conformance: error: --format only applies to --list-checks\n")
        return EXIT_CANNOT_RUN
    try:
        if args.list_checks:
            return _output(_check_list(vars(args), args.format or "plain"), EXIT_PASS)
        settings = Settings.from_sources(vars(args), os.environ)
        _check_writable(settings)
        report = run_suite(settings)
    except ConformanceError as exc:
        sys.stderr.write(f"conformance: cannot run: {exc}\n")
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        sys.stderr.write("conformance: cannot run: interrupted\n")
        return EXIT_CANNOT_RUN
    text = report.render()
    if settings.junit_xml is not None:
        junit.write(report, settings.junit_xml)
        text += f"JUnit XML written to {settings.junit_xml}\n"
    if settings.report_json is not None:
        jsonreport.write(report, settings.report_json)
        text += f"JSON report written to {settings.report_json}\n"
    return _output(text, report.exit_code)


def _check_list(options: dict[str, object], form: str) -> str:
    """The selected checks, as `name  description` lines or as a JSON list."""
    from conformance.checks import select

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
