"""Server processes: a free port, start, wait until it answers, stop for sure; and one-off commands.

    port = free_port()
    command = [sys.executable, "-m", "course_users.mockserver", "--port", str(port)]
    server = ServerProcess("the mock", command, port, log_path)
    with running(server, f"http://127.0.0.1:{port}/api/v2/openapi.json"):
        ...                                   # started, answering; stopped afterwards

The one way the self-check, the tests and the benchmarks run servers. Each server runs in its own
session (process group), so stopping it reaches its children too (uvicorn workers, gunicorn's,
Prism's); its output goes to a log file. A server that exits before answering is reported at once
with the end of its log; the readiness wait itself is long, for a loaded machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

# A readiness wait, not a performance bound: on a loaded 2-core runner a mock can take minutes to
# load and index; a server that fails exits, and that is reported at once.
STARTUP_TIMEOUT_S = 300.0
STOP_GRACE_S = 10.0
POLL_INTERVAL_S = 0.1


class ServerDidNotStart(Exception):
    """A server exited before answering, or did not answer in time; str() is one line.

    ``log`` holds everything the server printed, for callers that show more than one line.
    """

    def __init__(self, message: str, log: str) -> None:
        super().__init__(message)
        self.log = log


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A server command, where it listens and logs; once started, its process."""

    name: str
    command: Sequence[str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    # Seconds from start() to the first answer wait_ready() accepted.
    startup_s: float | None = None
    _started_at: float = 0.0

    @property
    def pid(self) -> int:
        """The process id of the server's main process."""
        if self.process is None:
            raise RuntimeError(f"{self.name} is not started")
        return self.process.pid

    def start(self, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> None:
        """Launch the command in its own session; `env` is added to this process's environment."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with self.log_path.open("wb") as log:
            self._started_at = time.monotonic()
            self.process = subprocess.Popen(
                list(self.command), cwd=cwd, env=environment, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def wait_ready(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        any_status: bool = False,
        timeout_s: float = STARTUP_TIMEOUT_S,
    ) -> float:
        """Poll `url` until it answers 200 (any status with `any_status`); return the startup s.

        Raises ServerDidNotStart as soon as the process exits, or when `timeout_s` has passed.
        """
        deadline = time.monotonic() + timeout_s
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"{self.name} exited with {self.process.returncode} before answering: "
                    f"{self.log_tail()}",
                    self.log(),
                )
            status, last = http_status(url, headers)
            if status == 200 or (any_status and status is not None):
                self.startup_s = time.monotonic() - self._started_at
                return self.startup_s
            time.sleep(POLL_INTERVAL_S)
        raise ServerDidNotStart(
            f"{self.name} did not answer at {url} within {timeout_s:.0f} s (last: {last}); "
            f"log: {self.log_tail()}",
            self.log(),
        )

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL if it has not exited within the grace time."""
        if self.process is None:
            return
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=STOP_GRACE_S)
        _signal_group(self.process, signal.SIGKILL)  # children a dead leader left behind

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 3) -> str:
        """The log's last lines on one line, for one-line error messages."""
        tail = [line.strip() for line in self.log().strip().splitlines()[-lines:]]
        return " | ".join(tail) or "(no output)"


def http_status(url: str, headers: Mapping[str, str] | None = None) -> tuple[int | None, str]:
    """GET `url`: its status (None when nothing answered) and a short note for messages."""
    try:
        response = httpx.get(url, headers=dict(headers or {}), timeout=2)
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"
    return response.status_code, f"HTTP {response.status_code}"


@contextlib.contextmanager
def running(
    server: ServerProcess,
    ready_url: str,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    any_status: bool = False,
    timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[ServerProcess]:
    """Start `server`, wait until `ready_url` answers, and stop it whatever happens."""
    try:
        server.start(cwd, env)
        server.wait_ready(ready_url, headers=headers, any_status=any_status, timeout_s=timeout_s)
        yield server
    finally:
        server.stop()


def run_command(
    command: Sequence[str],
    cwd: Path | None,
    timeout_s: float,
    env: Mapping[str, str] | None = None,
) -> tuple[int, float, str]:
    """Run a command to completion in its own group: (exit code, seconds, output).

    `env` replaces the environment (None: this process's). On the timeout the whole group is
    killed (an npm install's children too) and the exit code is -1.
    """
    started = time.monotonic()
    process = subprocess.Popen(
        list(command), cwd=cwd, env=None if env is None else dict(env), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        output, _ = process.communicate()
        text = output.decode(errors="replace") + f"\n(killed after {timeout_s:.0f} s)"
        return -1, time.monotonic() - started, text
    finally:
        _signal_group(process, signal.SIGKILL)
    return process.returncode, time.monotonic() - started, output.decode(errors="replace")


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
