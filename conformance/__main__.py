"""`python -m conformance`: check a server against the course users contract.

Exit status: 0 every check passed, 1 some check failed, 2 the suite could not run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from conformance import junit
from conformance.errors import ConformanceError, SettingsError
from conformance.settings import OPTIONS, Settings
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
        "--list-checks", action="store_true", help="print every check name and exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.list_checks:
        from conformance.checks import all_check_names

        print("\n".join(all_check_names()))
        return EXIT_PASS
    try:
        settings = Settings.from_sources(vars(args), os.environ)
        _check_writable(settings)
        report = run_suite(settings)
    except ConformanceError as exc:
        sys.stderr.write(f"conformance: cannot run: {exc}\n")
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        sys.stderr.write("conformance: cannot run: interrupted\n")
        return EXIT_CANNOT_RUN
    sys.stdout.write(report.render())
    if settings.junit_xml is not None:
        junit.write(report, settings.junit_xml)
        sys.stdout.write(f"JUnit XML written to {settings.junit_xml}\n")
    return EXIT_PASS if report.passed else EXIT_FAIL


def _check_writable(settings: Settings) -> None:
    # Fail before a long run, not after it, when the report file cannot be written.
    path = settings.junit_xml
    if path is not None and not path.parent.resolve().is_dir():
        raise SettingsError(
            "--junit-xml", f"{str(path)!r}: directory {str(path.parent)!r} does not exist"
        )


if __name__ == "__main__":
    raise SystemExit(main())
