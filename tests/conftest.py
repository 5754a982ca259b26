"""Shared fixtures: a launcher for the real mock server (`python -m mockserver`) as a subprocess.

    def test_x(start_mock):
        server = start_mock("--max-limit", "10", env={"MOCKSERVER_LOG_LEVEL": "warning"})
        httpx.get(server.url("course/1/users/"), headers=server.auth("creator-token"))

Each server listens on a free 127.0.0.1 port, is waited for until it answers, and is terminated
when the test session (or the `start_mock` user's scope) ends.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from course_users.conformance.servers import (
    STARTUP_TIMEOUT_S,
    ServerDidNotStart,
    ServerProcess,
    free_port,
)
from course_users.openapi.contract import CONTRACT

REPO = Path(__file__).resolve().parents[1]


@dataclass
class MockServer:
    """A running `python -m mockserver` process (a conformance.servers one) and how to reach it."""

    server: ServerProcess
    args: tuple[str, ...] = ()

    @property
    def process(self) -> subprocess.Popen:
        """The server's main process."""
        assert self.server.process is not None
        return self.server.process

    @property
    def port(self) -> int:
        """The 127.0.0.1 port it listens on."""
        return self.server.port

    @property
    def log_path(self) -> Path:
        """Where its stdout and stderr go."""
        return self.server.log_path

    @property
    def origin(self) -> str:
        """Scheme, host and port: what `--proxy` and the conformance suite are given."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The API root, e.g. http://127.0.0.1:PORT/api/v2/."""
        return f"{self.origin}{CONTRACT.base_path}/"

    def url(self, path: str) -> str:
        """An absolute URL under the API root."""
        return self.base_url + path.lstrip("/")

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        """The Authorization header for a bearer token."""
        return {"Authorization": f"Bearer {token}"}

    def violations(self) -> dict[str, Any]:
        """What a proxy-mode mock recorded: its `__contract__/violations` document."""
        return httpx.get(self.url("__contract__/violations"), timeout=30).json()

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.server.log()

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the server answers (for servers started with wait=False)."""
        wait_until_answering(self, timeout)

    def stop(self) -> None:
        """Terminate the process group (kill it if it does not stop within the grace time)."""
        self.server.stop()


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
    command = [sys.executable, "-m", "course_users.mockserver", "--port", str(port), *args]
    process = ServerProcess("mock", command, port, log_path)
    process.start(cwd, env)
    server = MockServer(process, args)
    if wait:
        wait_until_answering(server)
    return server


def wait_until_answering(server: MockServer, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Wait until the spec URL answers 200; fail with the server's output if it exits first."""
    try:
        server.server.wait_ready(server.url("openapi.json"), timeout_s=timeout)
    except ServerDidNotStart as exc:
        server.stop()
        pytest.fail(f"{exc}\n{exc.log}")


@pytest.fixture(scope="session")
def start_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., MockServer]]:
    """Factory starting real mock servers for the session; all are terminated at its end."""
    log_dir = tmp_path_factory.mktemp("mock-logs")
    # The session's own startup cache: tests leave nothing in the user's ~/.cache.
    cache = {"MOCKSERVER_CACHE_DIR": str(tmp_path_factory.mktemp("mock-startup-cache"))}
    started: list[MockServer] = []

    def start(
        *args: str, env: dict[str, str] | None = None, wait: bool = True, cwd: Path = REPO
    ) -> MockServer:
        server = launch_mock(
            *args, env={**cache, **(env or {})}, log_dir=log_dir, wait=wait, cwd=cwd
        )
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
