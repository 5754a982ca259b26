"""`python -m conformance.selfcheck`: the suite against a freshly started mock (make/tox target).

Starts `python -m mockserver` on a free 127.0.0.1 port with the default fixtures, runs the suite
with the issue's acceptance arguments (extra arguments are passed on and win, e.g. `--seed 3` or
`--check paging`), stops the mock, and exits with the suite's status.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from conformance.__main__ import EXIT_CANNOT_RUN, main

# A readiness wait, not a performance bound: on a loaded 2-core runner a mock can take minutes to
# load and index; a mock that fails exits, and that is reported at once.
STARTUP_TIMEOUT_S = 300.0
# The default dataset's tokens and courses (fixtures/default.yaml), as the README's command uses.
ACCEPTANCE_ARGS = (
    "--token", "manager-token", "--course-id", "1",
    "--forbidden-token", "member-token", "--missing-course-id", "999999",
)  # fmt: skip


class MockDidNotStart(Exception):
    """The mock exited or did not answer in time; str() is the one-line reason."""


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_mock(port: int) -> Iterator[str]:
    """Run the mock on `port` for the duration of the block; yield its origin URL."""
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "mock.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "mockserver", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "warning"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        try:
            origin = f"http://127.0.0.1:{port}"
            _wait_until_answering(process, origin, log_path)
            yield origin
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_answering(process: subprocess.Popen[bytes], origin: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lines = log_path.read_text(errors="replace").strip().splitlines() or ["no output"]
            raise MockDidNotStart(f"the mock exited with {process.returncode}: {lines[-1]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{origin}/api/v2/openapi.json", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise MockDidNotStart(f"the mock did not answer within {STARTUP_TIMEOUT_S:.0f} s")


def run(argv: Sequence[str] | None = None) -> int:
    """Start the mock, run the suite against it with `argv` added, return the exit status."""
    extra = list(sys.argv[1:] if argv is None else argv)
    try:
        with running_mock(free_port()) as origin:
            return main(["--base-url", origin, *ACCEPTANCE_ARGS, *extra])
    except MockDidNotStart as exc:
        sys.stderr.write(f"conformance.selfcheck: cannot run: {exc}\n")
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    raise SystemExit(run())
