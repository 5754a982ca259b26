"""Stoplight Prism 5 mocks the bundled spec (installed from npm on first use, as in benchmarks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.artifacts import Artifacts
from benchmarks.errors import ToolError
from course_users.conformance.servers import ServerDidNotStart, ServerProcess, free_port, running
from course_users.openapi import load_spec
from course_users.openapi.locations import REPO_ROOT

AUTH = {"Authorization": "Bearer any-token"}


def _prism() -> Path:
    """Prism from the benchmarks' npm cache, installed there on first use (as the benchmarks do).

    Skips only where Prism cannot be had at all (no npm and none on PATH, or the registry
    refused the install), so that wherever npm works this test really runs.
    """
    try:
        executable, _version = Artifacts(REPO_ROOT, REPO_ROOT / "benchmarks" / ".cache").prism()
        return executable
    except ToolError as error:
        found = shutil.which("prism")
        if found:
            return Path(found)
        pytest.skip(f"Stoplight Prism not available: {error}")


@pytest.fixture(scope="module")
def prism_url(run_cli, tmp_path_factory) -> Iterator[str]:
    """Base URL of ``prism mock`` serving the bundle on a free 127.0.0.1 port."""
    executable = _prism()
    folder = tmp_path_factory.mktemp("prism")
    bundle = folder / "course_users.json"
    assert run_cli("bundle", "--out", bundle).code == 0
    port = free_port()
    command = [str(executable), "mock", "-h", "127.0.0.1", "-p", str(port), str(bundle)]
    server = ServerProcess("prism", command, port, folder / "prism.log")
    # Prism ignores a relative server URL, so it routes the path without the /api/v2 prefix.
    url = f"http://127.0.0.1:{port}/course/1/users/"
    try:
        with running(server, url, headers=AUTH, any_status=True):
            yield url
    except ServerDidNotStart as error:
        pytest.fail(f"{error}\n{error.log}")


def _first_page_example() -> dict:
    operation = load_spec()["paths"]["/course/{id}/users/"]["get"]
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    return examples["firstPage"]["value"]


class TestPrismMock:
    """Prism validates requests against the spec and answers with its examples."""

    @pytest.mark.parametrize(
        "query",
        [
            "",
            "statuses=joined",
            "statuses=%5B%22joined%22%2C%22manager%22%5D",
            "statuses=joined&statuses=manager",
            "statuses=%5B%5D",
        ],
    )
    def test_documented_requests_get_the_example_page(self, prism_url, query):
        """Every documented statuses form is accepted and answered with the first example."""
        response = httpx.get(f"{prism_url}?{query}", headers=AUTH, timeout=10)
        assert response.status_code == 200, response.text
        assert response.json() == _first_page_example()

    @pytest.mark.parametrize(
        "query", ["statuses=joined,manager", "statuses=owner", "limit=0", "ordering=name"]
    )
    def test_invalid_requests_get_400(self, prism_url, query):
        """Undocumented forms and out-of-range values are rejected with the 400 example."""
        response = httpx.get(f"{prism_url}?{query}", headers=AUTH, timeout=10)
        assert response.status_code == 400
        assert "detail" in response.json()

    def test_missing_token_gets_401_with_challenge(self, prism_url):
        """Without a token Prism answers 401 with ``WWW-Authenticate: Bearer``."""
        response = httpx.get(prism_url, timeout=10)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
