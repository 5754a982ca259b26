"""Shared fixtures: a launcher for the real mock server (`python -m mockserver`) as a subprocess.

    def test_x(start_mock):
        server = start_mock("--max-limit", "10", env={"MOCKSERVER_FAULT": "count-wrong"})
        httpx.get(server.url("course/1/users/"), headers=server.auth("creator-token"))

Each server listens on a free 127.0.0.1 port, is waited for until it answers, and is terminated
when the test session (or the `start_mock` user's scope) ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

REPO = Path(__file__).resolve().parents[1]
# A readiness wait, not a performance bound: on a loaded 2-core runner a mock can take minutes to
# load and index; a mock that fails exits, and that is reported at once.
STARTUP_TIMEOUT_S = 300.0


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MockServer:
    """A running `python -m mockserver` process and how to reach it."""

    process: subprocess.Popen
    port: int
    log_path: Path
    args: tuple[str, ...] = field(default=())

    @property
    def base_url(self) -> str:
        """The API root, e.g. http://127.0.0.1:PORT/api/v2/."""
        return f"http://127.0.0.1:{self.port}/api/v2/"

    def url(self, path: str) -> str:
        """An absolute URL under the API root."""
        return self.base_url + path.lstrip("/")

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        """The Authorization header for a bearer token."""
        return {"Authorization": f"Bearer {token}"}

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the server answers (for servers started with wait=False)."""
        wait_until_answering(self, timeout)

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop within 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def launch_mock(
    *args: str,
    env: dict[str, str] | None = None,
    log_dir: Path,
    wait: bool = True,
    cwd: Path = REPO,
) -> MockServer:
    """Start `python -m mockserver --port <free> *args` in `cwd`; by default wait for it."""
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix=f"mock-{port}-", suffix=".log", dir=log_dir)[1])
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "--port", str(port), *args],
            cwd=cwd,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = MockServer(process=process, port=port, log_path=log_path, args=args)
    if wait:
        wait_until_answering(server)
    return server


def wait_until_answering(server: MockServer, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Poll the spec URL until it answers 200; fail with the server's output if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"mock exited with {server.process.returncode}:\n{server.log()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url("openapi.json"), timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    server.stop()
    pytest.fail(f"mock did not answer within {timeout} s:\n{server.log()}")


@pytest.fixture(scope="session")
def start_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., MockServer]]:
    """Factory starting real mock servers for the session; all are terminated at its end."""
    log_dir = tmp_path_factory.mktemp("mock-logs")
    started: list[MockServer] = []

    def start(
        *args: str, env: dict[str, str] | None = None, wait: bool = True, cwd: Path = REPO
    ) -> MockServer:
        server = launch_mock(*args, env=env, log_dir=log_dir, wait=wait, cwd=cwd)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@contextlib.contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on a free port; yield the API root URL.

    For tests that need many servers at once: cheaper than a process each (imports are shared).
    """
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)  # signal handlers are only installed on the main thread
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"in-thread server on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/api/v2/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve_app() -> Callable[[object], contextlib.AbstractContextManager[str]]:
    """`with serve_app(asgi_app) as base_url:` runs the app in a uvicorn thread."""
    return serve_in_thread


@pytest.fixture(scope="session")
def mock_server(start_mock: Callable[..., MockServer]) -> MockServer:
    """One mock on the default fixtures, shared by every test that only reads from it."""
    return start_mock("--log-level", "warning")
