"""`python -m tests.faults --fault NAME --upstream ORIGIN`: serve a running mock with one bug.

For trying a check by hand against a known bug, e.g. the conformance report of `previous-wrong`:

    python -m mockserver --port 8000 &
    python -m tests.faults --fault previous-wrong --upstream http://127.0.0.1:8000 --port 8001
    python -m conformance --base-url http://127.0.0.1:8001 --token manager-token --course-id 1

Bad usage (an unknown fault, a missing option, a bad port) is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import uvicorn

from course_users.fixtures import DEFAULT_FIXTURES, FixtureError, load_dataset
from tests.faults import FAULTS, UnknownFault, fault_app

PROG = "tests.faults"


class UsageError(Exception):
    """Bad command-line usage; str() is the one line to print."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=f"python -m {PROG}", description=__doc__.splitlines()[0])
    parser.add_argument("--fault", required=True, help=f"one of: {', '.join(FAULTS)}")
    parser.add_argument("--upstream", required=True, help="the mock's origin, http://HOST:PORT")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--fixtures", type=Path, default=DEFAULT_FIXTURES, help="the file the mock serves"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; 2 on bad usage."""
    try:
        options = _parser().parse_args(argv)
        app = fault_app(options.fault, options.upstream, load_dataset(options.fixtures))
    except (UsageError, FixtureError) as error:
        return _fail(str(error))
    except UnknownFault as error:
        return _fail(f"--fault: {error}")
    print(f"{PROG}: {options.fault} ({FAULTS[options.fault]}) in front of {options.upstream}")
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning")
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
