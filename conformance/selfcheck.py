"""`python -m conformance.selfcheck`: the suite against a freshly started mock (make/tox target).

Starts `python -m mockserver` on a free 127.0.0.1 port with the default fixtures, runs the suite
with the issue's acceptance arguments (extra arguments are passed on and win, e.g. `--seed 3` or
`--check paging`), stops the mock, and exits with the suite's status.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from course_users.conformance.__main__ import main
from course_users.conformance.servers import ServerDidNotStart, ServerProcess, free_port, running
from course_users.openapi.commandline import fail
from course_users.openapi.contract import CONTRACT

# The default dataset's tokens and courses (fixtures/default.yaml), as the README's command uses.
ACCEPTANCE_ARGS = (
    "--token", "manager-token", "--course-id", "1",
    "--forbidden-token", "member-token", "--missing-course-id", "999999",
)  # fmt: skip


@contextlib.contextmanager
def running_mock(port: int) -> Iterator[str]:
    """Run the mock on `port` for the duration of the block; yield its origin URL."""
    command = [sys.executable, "-m", "course_users.mockserver", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess("the mock", command, port, Path(folder) / "mock.log")
        with running(server, f"{origin}{CONTRACT.base_path}/openapi.json"):
            yield origin


def run(argv: Sequence[str] | None = None) -> int:
    """Start the mock, run the suite against it with `argv` added, return the exit status."""
    extra = list(sys.argv[1:] if argv is None else argv)
    try:
        with running_mock(free_port()) as origin:
            return main(["--base-url", origin, *ACCEPTANCE_ARGS, *extra])
    except ServerDidNotStart as exc:
        return fail("conformance.selfcheck", exc)


if __name__ == "__main__":
    raise SystemExit(run())
