"""Fixtures for the conformance suite's tests: real mock processes, healthy and fault-injected.

Servers come from the shared `start_mock` launcher (tests/conftest.py): `python -m mockserver` on
a free 127.0.0.1 port with the default fixtures. The fault-injected ones are started all at once,
so their start-up (importing Connexion) overlaps instead of adding up on this 2-core machine.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from conformance import Settings
from mockserver.faults import FAULTS

# The command-line arguments the acceptance run uses, as Settings fields.
ACCEPTANCE = {
    "token": "manager-token",
    "course_id": "1",
    "forbidden_token": "member-token",
    "missing_course_id": "999999",
}


def origin(server: Any) -> str:
    """The server's origin (what --base-url takes), e.g. http://127.0.0.1:PORT."""
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture(scope="session")
def healthy_url(start_mock: Callable[..., Any]) -> str:
    """Origin of a mock without faults on the default fixtures."""
    return origin(start_mock("--log-level", "warning"))


@pytest.fixture(scope="session")
def fault_urls(start_mock: Callable[..., Any]) -> dict[str, str]:
    """Origin of one running mock per MOCKSERVER_FAULT name."""
    servers = {
        name: start_mock("--log-level", "warning", env={"MOCKSERVER_FAULT": name}, wait=False)
        for name in FAULTS
    }
    for server in servers.values():
        server.wait_ready()
    return {name: origin(server) for name, server in servers.items()}


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
