"""The mock's proxy mode in front of the DRF example on PostgreSQL, over real HTTP.

In front of the product backend (trusting X-Forwarded-Host, so its links lead back through the
proxy) the whole conformance run, Schemathesis' schema layer included, passes and the proxy
reports nothing; answers are byte for byte the backend's. In front of a backend with one
deliberate fault, a request that exercises it is reported under the check named for the fault,
and the strict proxy answers it with a 502.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from course_users.conformance import Settings, run_suite
from tests.conftest import MockServer
from tests.examples.drf import BackendUnavailable

TOKEN = "manager-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ACCEPTANCE = {
    "token": TOKEN,
    "course_id": "1",
    "forbidden_token": "member-token",
    "missing_course_id": "999999",
}
TRUST_PROXY = {"DJANGO_USE_X_FORWARDED_HOST": "true"}
ALL = '["creator","manager","joined","invited","requested"]'

# A fault of examples/drf_backend/faults.py, a request exercising it, the check it breaks.
FAULTS: dict[str, tuple[str, str]] = {
    "ordering-ignored": ("course/1/users/?ordering=joined_at&limit=10", "ordering.monotonic"),
    "ties-by-id-descending": (
        'course/1/users/?statuses=["joined","invited"]&ordering=-last_active_at&limit=30',
        "ordering.ties_by_id_ascending",
    ),
    "nulls-in-the-middle": (
        f"course/1/users/?statuses={ALL}&ordering=last_active_at&limit=100",
        "ordering.nulls_contiguous",
    ),
    "default-ordering-ascending": ("course/1/users/?limit=10", "ordering.default_is_-joined_at"),
    "invited-leaks-into-joined": (
        "course/1/users/?statuses=joined&limit=100",
        "filtering.statuses_match_oracle",
    ),
    "default-statuses-all": ("course/1/users/?limit=100", "filtering.default_statuses"),
    "json-list-ignored": (
        'course/1/users/?statuses=["invited"]&limit=20',
        "filtering.statuses_match_oracle",
    ),
    "next-drops-filters": (
        "course/1/users/?statuses=invited&limit=5",
        "paging.walk_visits_each_once",
    ),
    "count-excludes-you": (
        "course/1/users/?statuses=manager&limit=100",
        "paging.page_full_unless_last",
    ),
    "max-limit-not-applied": (
        "course/1/users/?limit=150&statuses=joined",
        "paging.limit_capped_100",
    ),
    "previous-not-clamped": ("course/1/users/?limit=20&offset=5", "paging.previous_leads_back"),
    "offset-past-end-shows-last-page": (
        "course/1/users/?offset=100000&limit=7",
        "paging.offset_past_end_empty",
    ),
    "course-get-not-404": ("course/999999/users/", "schema.not_a_server_error"),
    "headers-dropped-on-errors": ("course/1/users/?limit=3", "auth.www_authenticate"),
}
WITHOUT_TOKEN = {"headers-dropped-on-errors"}


@pytest.fixture(scope="module")
def trusting_drf(default_db: dict[str, str], start_backend: Callable[..., Any]) -> Iterator[str]:
    """The product backend, building links from X-Forwarded-Host."""
    try:
        with start_backend({**default_db, **TRUST_PROXY}) as found:
            yield found
    except BackendUnavailable as exc:
        pytest.fail(f"DRF example unavailable: {exc}", pytrace=False)


@pytest.fixture(scope="module")
def proxy(start_mock: Callable[..., MockServer], trusting_drf: str) -> Iterator[MockServer]:
    server = start_mock("--proxy", trusting_drf)
    yield server
    server.stop()


class TestInFrontOfTheProductBackend:
    """No violation, and the backend's own bytes."""

    @pytest.mark.parametrize(
        "path",
        [
            "course/1/users/",
            f"course/1/users/?statuses={ALL}&ordering=last_active_at&limit=7&offset=250",
            "course/1/users/?search=ro&statuses=joined&statuses=invited",
            "course/999999/users/",
        ],
    )
    def test_answers_are_byte_identical(
        self, proxy: MockServer, trusting_drf: str, path: str
    ) -> None:
        """Status, content type and body bytes are the backend's answer to the same request."""
        through = httpx.get(proxy.url(path), headers=AUTH, timeout=60)
        forwarded = {"X-Forwarded-Host": f"127.0.0.1:{proxy.port}", "X-Forwarded-Proto": "http"}
        direct = httpx.get(
            f"{trusting_drf}/api/v2/{path}", headers={**AUTH, **forwarded}, timeout=60
        )
        assert (through.status_code, through.content) == (direct.status_code, direct.content)
        assert through.headers["content-type"] == direct.headers["content-type"]
        assert through.headers["x-contract-violations"] == "0"

    @pytest.mark.timeout(900)
    def test_conformance_run_through_the_proxy_reports_nothing(self, proxy: MockServer) -> None:
        """Every check passes through the proxy, and the proxy saw no violation."""
        report = run_suite(Settings(base_url=proxy.origin, seed=1, **ACCEPTANCE))
        assert report.passed, report.render()
        assert "schema.response_schema_conformance" in {r.name for r in report.results}
        summary = proxy.violations()
        assert summary["total"] == 0, summary["recent"][:3]


class TestInFrontOfFaultyBackends:
    """Each fault is named by its check in the header, the log and the endpoint; strict: 502."""

    @pytest.mark.parametrize("fault", list(FAULTS))
    @pytest.mark.timeout(600)
    def test_fault_is_reported(
        self,
        default_db: dict[str, str],
        start_backend: Callable[..., Any],
        start_mock: Callable[..., MockServer],
        fault: str,
    ) -> None:
        """The request exercising the fault is reported under its check, and refused by strict."""
        path, check = FAULTS[fault]
        headers = {} if fault in WITHOUT_TOKEN else AUTH
        try:
            with start_backend(default_db, fault) as backend:
                watchful = start_mock("--proxy", backend, wait=False)
                strict = start_mock("--proxy", backend, "--proxy-strict", wait=False)
                try:
                    watchful.wait_ready()
                    strict.wait_ready()
                    answer = httpx.get(watchful.url(path), headers=headers, timeout=60)
                    refused = httpx.get(strict.url(path), headers=headers, timeout=60)
                    summary = watchful.violations()
                    log = watchful.log()
                finally:
                    watchful.stop()
                    strict.stop()
        except BackendUnavailable as exc:
            pytest.fail(f"DRF example with fault {fault} unavailable: {exc}", pytrace=False)
        assert check in answer.headers["x-contract-violations"].split("; ", 1)[-1].split(", ")
        listed = [v for v in summary["recent"] if v["check"] == check]
        assert listed, summary
        lines = [line for line in log.splitlines() if f"contract violation {check}:" in line]
        assert len(lines) == len(listed) and all("basis: " in line for line in lines), log[-3000:]
        assert TOKEN not in log
        assert refused.status_code == 502
        assert check in refused.json()["detail"]
