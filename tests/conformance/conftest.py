"""Fixtures for the conformance suite's tests: a real mock process, healthy, and faulty proxies.

The mock comes from the shared `start_mock` launcher (tests/conftest.py): `python -m mockserver` on
a free 127.0.0.1 port with the default fixtures. Each fault (`tests.faults`) is a proxy in front of
that one mock, served in a thread of this process when a test first asks for it: no process per
fault, so nothing waits for 21 mocks to import Connexion at once on a 2-core machine.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from course_users.conformance import Settings
from tests.faults import FaultServers

# The command-line arguments the acceptance run uses, as Settings fields.
ACCEPTANCE = {
    "token": "manager-token",
    "course_id": "1",
    "forbidden_token": "member-token",
    "missing_course_id": "999999",
}


@pytest.fixture(scope="session")
def healthy_url(start_mock: Callable[..., Any]) -> str:
    """Origin of a mock without faults on the default fixtures."""
    return start_mock("--log-level", "warning").origin


@pytest.fixture(scope="session")
def fault_urls(healthy_url: str, serve_app: Callable[..., Any]) -> Iterator[FaultServers]:
    """Origin of a faulty server per fault name (`fault_urls[name]`) before the healthy mock."""
    with FaultServers(healthy_url, serve_app).running() as servers:
        yield servers


@pytest.fixture
def closed_url() -> str:
    """An origin on a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def settings_for() -> Callable[..., Settings]:
    """Build Settings for a server origin with the acceptance arguments, plus overrides."""

    def build(base_url: str, **overrides: Any) -> Settings:
        return Settings(base_url=base_url, **{**ACCEPTANCE, **overrides})

    return build
