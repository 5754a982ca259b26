"""`python -m mockserver --proxy URL` over real HTTP: transparent in front of a correct backend,
loud in front of a faulty one.

The correct backend is the mock itself (with --proxy-headers, so its links lead back through the
proxy). The faulty ones are one small in-test server in front of that mock: the bearer token picks
the bug (`bug-<name>` is forwarded as the manager's token), so one proxy process and one strict
proxy judge them all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from course_users.conformance import Settings, run_suite
from tests.conftest import MockServer
from tests.faults.proxy import Answer

TOKEN = "manager-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ACCEPTANCE = {
    "token": TOKEN,
    "course_id": "1",
    "forbidden_token": "member-token",
    "missing_course_id": "999999",
}
FORWARDED = ("authorization", "accept", "x-forwarded-host", "x-forwarded-proto")


@pytest.fixture(scope="module")
def upstream(start_mock: Callable[..., MockServer]) -> MockServer:
    """A correct backend: the mock, building its links from X-Forwarded-Host/-Proto."""
    return start_mock("--log-level", "warning", "--proxy-headers")


@pytest.fixture(scope="module")
def proxy(start_mock: Callable[..., MockServer], upstream: MockServer) -> MockServer:
    """The proxy in front of the correct backend."""
    return start_mock("--proxy", upstream.origin, "--cors-origin", "https://app.example.test")


class TestInFrontOfACorrectBackend:
    """The mock as upstream: answers pass unchanged and nothing is reported."""

    QUERIES = (
        "course/1/users/",
        "course/1/users/?limit=5&offset=7&ordering=last_active_at",
        'course/1/users/?statuses=["joined","manager","invited"]&search=ro&limit=3',
        "course/1/users/?statuses=invited&statuses=requested&ordering=-last_active_at&offset=3",
        "course/1/users/?limit=1000&offset=100000",
        "course/999999/users/",
        "course/1/users/?search=%22a%20b%22&ordering=joined_at",
    )

    @pytest.mark.parametrize("path", QUERIES)
    def test_answers_are_byte_identical_to_the_upstream(
        self, proxy: MockServer, upstream: MockServer, path: str
    ) -> None:
        """Body bytes, status and content type are the upstream's answer to the same request."""
        through = httpx.get(proxy.url(path), headers=AUTH, timeout=30)
        forwarded = {"X-Forwarded-Host": f"127.0.0.1:{proxy.port}", "X-Forwarded-Proto": "http"}
        direct = httpx.get(upstream.url(path), headers={**AUTH, **forwarded}, timeout=30)
        assert through.status_code == direct.status_code
        assert through.headers["content-type"] == direct.headers["content-type"]
        assert through.content == direct.content
        assert through.headers["x-contract-violations"] == "0"

    def test_errors_pass_with_their_headers(self, proxy: MockServer) -> None:
        """A 401 comes back as the upstream sent it, WWW-Authenticate included."""
        answer = httpx.get(proxy.url("course/1/users/"), timeout=30)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.headers["x-contract-violations"] == "0"

    def test_links_lead_back_through_the_proxy(self, proxy: MockServer) -> None:
        """An upstream trusting X-Forwarded-Host builds next on the proxy's origin."""
        body = httpx.get(proxy.url("course/1/users/?limit=2"), headers=AUTH, timeout=30).json()
        assert body["next"].startswith(f"http://127.0.0.1:{proxy.port}/api/v2/course/1/users/?")

    def test_conformance_and_schemathesis_runs_report_nothing(self, proxy: MockServer) -> None:
        """The whole suite (Schemathesis' schema layer and every semantic check) passes through
        the proxy, and the proxy saw no violation in any of its answers."""
        before = proxy.violations()["total"]
        report = run_suite(Settings(base_url=proxy.origin, seed=2, **ACCEPTANCE))
        assert report.passed, report.render()
        assert {r.name.split(".")[0] for r in report.results} >= {"schema", "paging", "auth"}
        assert proxy.violations()["total"] == before == 0, proxy.violations()["recent"][:3]

    def test_invalid_request_is_the_mocks_400_and_not_forwarded(
        self, proxy: MockServer, upstream: MockServer
    ) -> None:
        """A request the contract refuses gets the mock's one-line 400, naming the parameter."""
        answer = httpx.get(proxy.url("course/1/users/?limit=0"), headers=AUTH, timeout=30)
        assert answer.status_code == 400
        assert answer.json() == {"detail": "limit: 0 is less than the minimum of 1"}
        assert "x-contract-violations" not in answer.headers

    def test_token_is_never_logged(self, proxy: MockServer) -> None:
        """The proxy's log holds requests but never the bearer token."""
        httpx.get(proxy.url("course/1/users/?limit=1"), headers=AUTH, timeout=30)
        assert "/api/v2/course/1/users/?limit=1" in proxy.log()
        assert TOKEN not in proxy.log()

    def test_cors_exposes_the_violations_header(self, proxy: MockServer) -> None:
        """A browser on an allowed origin gets CORS headers that let it read the count."""
        headers = {**AUTH, "Origin": "https://app.example.test"}
        answer = httpx.get(proxy.url("course/1/users/?limit=1"), headers=headers, timeout=30)
        assert answer.headers["access-control-allow-origin"] == "https://app.example.test"
        exposed = answer.headers["access-control-expose-headers"].lower()
        assert "x-contract-violations" in exposed

    def test_prefer_code_is_answered_by_the_proxy(self, proxy: MockServer) -> None:
        """Prefer: code=503 serves the documented example, as in mock mode."""
        headers = {**AUTH, "Prefer": "code=503, delay=10"}
        answer = httpx.get(proxy.url("course/1/users/"), headers=headers, timeout=30)
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "120"


# --- Faulty backends ---------------------------------------------------------------------------


def _edit_results(edit: Callable[[list[dict[str, Any]]], None]) -> Callable[[Answer], None]:
    def bug(answer: Answer) -> None:
        if answer.status == 200:
            body = answer.json()
            edit(body["results"])
            answer.set_json(body)

    return bug


def _edit_body(edit: Callable[[dict[str, Any]], None]) -> Callable[[Answer], None]:
    def bug(answer: Answer) -> None:
        if answer.status == 200:
            body = answer.json()
            edit(body)
            answer.set_json(body)

    return bug


def _invited(results: list[dict[str, Any]]) -> None:
    results[0]["join_status"] = "invited"


def _null_in_middle(results: list[dict[str, Any]]) -> None:
    nulls = [m for m in results if m["last_active_at"] is None]
    results.remove(nulls[0])
    results.insert(len(results) // 2, nulls[0])


def _ties_descending(results: list[dict[str, Any]]) -> None:
    nulls = [m for m in results if m["last_active_at"] is None]
    start = results.index(nulls[0])
    results[start : start + len(nulls)] = sorted(nulls, key=lambda m: -m["id"])


def _next_drops_filters(body: dict[str, Any]) -> None:
    body["next"] = body["next"].split("?")[0] + "?limit=5&offset=5"


def _previous_here(body: dict[str, Any]) -> None:
    body["previous"] = body["next"].replace("offset=15", "offset=10")


def _past_end_member(body: dict[str, Any]) -> None:
    body["results"] = [{"id": 1, "username": "x", "real_name": "", "avatar": None,
                        "join_status": "manager", "user_completion_rate": 0,
                        "last_active_at": None, "joined_at": "2024-01-01T00:00:00Z"}]  # fmt: skip


def _no_challenge(answer: Answer) -> None:
    answer.drop_header("www-authenticate")


def _html_500(answer: Answer) -> None:
    answer.status = 500
    answer.set_header("content-type", "text/html")
    answer.body = b"<h1>Server Error (500)</h1>"


def _drop_avatar(results: list[dict[str, Any]]) -> None:
    del results[0]["avatar"]


@dataclass(frozen=True)
class Fault:
    """A bug, a request that exercises it, and the check the proxy must name."""

    bug: Callable[[Answer], None]
    path: str
    check: str
    token: bool = True
    rewrite_query: Callable[[str], str] | None = None


FAULTS: dict[str, Fault] = {
    "ordering-reversed": Fault(
        _edit_results(list.reverse),
        "course/1/users/?ordering=joined_at&limit=10&offset=1",
        "ordering.monotonic",
    ),
    "default-ordering-ascending": Fault(
        _edit_results(list.reverse),
        "course/1/users/?limit=10&offset=2",
        "ordering.default_is_-joined_at",
    ),
    "invited-leaks-into-joined": Fault(
        _edit_results(_invited),
        "course/1/users/?statuses=joined&limit=4",
        "filtering.statuses_match_oracle",
    ),
    "default-statuses-all": Fault(
        _edit_results(_invited), "course/1/users/?limit=6", "filtering.default_statuses"
    ),
    "search-ignored": Fault(
        lambda answer: None,
        "course/1/users/?search=zzqx&limit=3",
        "filtering.search_matches_rule",
        rewrite_query=lambda q: q.replace("search=zzqx&", ""),
    ),
    "nulls-in-the-middle": Fault(
        _edit_results(_null_in_middle),
        'course/1/users/?statuses=["joined","invited"]&ordering=last_active_at&limit=100&offset=150',
        "ordering.nulls_contiguous",
    ),
    "ties-by-id-descending": Fault(
        _edit_results(_ties_descending),
        'course/1/users/?statuses=["joined","invited"]&ordering=-last_active_at&limit=30',
        "ordering.ties_by_id_ascending",
    ),
    "limit-ignored": Fault(
        lambda answer: None,
        "course/1/users/?limit=3&offset=4",
        "paging.page_size_le_limit",
        rewrite_query=lambda q: q.replace("limit=3&", ""),
    ),
    "max-limit-not-applied": Fault(
        _edit_results(lambda results: results.append(dict(results[0], id=100_000))),
        "course/1/users/?limit=150&statuses=joined",
        "paging.limit_capped_100",
    ),
    "count-wrong": Fault(
        _edit_body(lambda body: body.update(count=len(body["results"]))),
        "course/1/users/?limit=5&offset=0&ordering=last_active_at",
        "paging.next_null_exactly_at_end",
    ),
    "next-drops-filters": Fault(
        _edit_body(_next_drops_filters),
        "course/1/users/?statuses=invited&limit=5",
        "paging.walk_visits_each_once",
    ),
    "previous-wrong": Fault(
        _edit_body(_previous_here),
        "course/1/users/?limit=5&offset=10&statuses=joined",
        "paging.previous_leads_back",
    ),
    "offset-past-end-shows-a-page": Fault(
        _edit_body(_past_end_member),
        "course/1/users/?offset=100000&limit=7",
        "paging.offset_past_end_empty",
    ),
    "www-authenticate-missing": Fault(
        _no_challenge, "course/1/users/?limit=8", "auth.www_authenticate", token=False
    ),
    "html-server-error": Fault(
        _html_500, "course/1/users/?limit=9", "schema.content_type_conformance"
    ),
    "avatar-left-out": Fault(
        _edit_results(_drop_avatar),
        "course/1/users/?limit=11",
        "schema.response_schema_conformance",
    ),
}


# Bugs only a sequence of requests shows (TestCountMemory), besides the one-request FAULTS.
BUGS: dict[str, Fault] = {
    **FAULTS,
    "count-drifts": Fault(
        _edit_body(lambda body: body.update(count=body["count"] + 7)),
        "course/1/users/?statuses=requested&search=e&limit=2&offset=1",
        "paging.count_stable",
    ),
}


def faulty_backend(upstream: str) -> Starlette:
    """Forwards to the correct backend; the bearer token `bug-<name>` picks the bug."""

    async def forward(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        name = auth.removeprefix("Bearer bug-") if auth.startswith("Bearer bug-") else None
        fault = BUGS.get(name) if name else None
        headers = {k: v for k, v in request.headers.items() if k in FORWARDED}
        if fault is not None:
            headers["authorization"] = f"Bearer {TOKEN}" if fault.token else ""
        query = request.url.query
        if fault is not None and fault.rewrite_query is not None:
            query = fault.rewrite_query(query)
        url = upstream + request.url.path + (f"?{query}" if query else "")
        async with httpx.AsyncClient() as client:
            got = await client.get(url, headers={k: v for k, v in headers.items() if v})
        keep = ("content-type", "www-authenticate")
        answer = Answer(got.status_code, [(k, got.headers[k]) for k in keep if k in got.headers],
                        got.content)  # fmt: skip
        if fault is not None:
            fault.bug(answer)
        return Response(answer.body, answer.status, headers=dict(answer.headers))

    async def slow(request: Request) -> Response:
        await asyncio.sleep(5)
        return Response(b"{}", media_type="application/json")

    async def huge(request: Request) -> Response:
        return Response(b" " * (9 * 1024 * 1024), media_type="application/json")

    async def echo(request: Request) -> Response:
        """What arrived: the request target's bytes and every header, with a cookie set."""
        scope = request.scope
        query = scope["query_string"]
        target = scope["raw_path"] + (b"?" + query if query else b"")
        seen = {"target": target.decode("latin-1"), "headers": request.headers.items()}
        response = Response(orjson.dumps(seen), media_type="application/json")
        response.set_cookie("session", "upstream-cookie")
        return response

    return Starlette(
        routes=[
            Route("/slow/{path:path}", slow),
            Route("/huge/{path:path}", huge),
            Route("/echo/{path:path}", echo),
            Route("/{path:path}", forward),
        ]
    )


@pytest.fixture(scope="module")
def faulty_origin(serve_app: Callable[..., Any], upstream: MockServer) -> Iterator[str]:
    with serve_app(faulty_backend(upstream.origin)) as root:
        yield root.removesuffix("/api/v2/")


@pytest.fixture(scope="module")
def watchful(start_mock: Callable[..., MockServer], faulty_origin: str) -> MockServer:
    return start_mock("--proxy", faulty_origin, wait=False)


@pytest.fixture(scope="module")
def strict(start_mock: Callable[..., MockServer], faulty_origin: str) -> MockServer:
    return start_mock("--proxy", faulty_origin, "--proxy-strict", wait=False)


def _call(server: MockServer, name: str) -> httpx.Response:
    fault = FAULTS[name]
    server.wait_ready()
    headers = {"Authorization": f"Bearer bug-{name}"}
    return httpx.get(server.url(fault.path), headers=headers, timeout=60)


def _target(server: MockServer, name: str) -> str:
    return str(httpx.URL(server.url(FAULTS[name].path)).raw_path.decode())


class TestInFrontOfFaultyBackends:
    """Each bug is named by the check it breaks: in the header, the log and the endpoint."""

    def test_there_are_at_least_eight_faults(self) -> None:
        """The issue asks for eight single-fault backends; each names a catalogued check."""
        from course_users.conformance import catalogue

        assert len(FAULTS) >= 8
        assert all(catalogue.entry(fault.check) for fault in FAULTS.values())

    @pytest.mark.parametrize("name", list(FAULTS))
    def test_fault_is_reported(self, watchful: MockServer, strict: MockServer, name: str) -> None:
        """The violation is in X-Contract-Violations, logged once with its basis, listed by the
        endpoint; the strict proxy answers the same request with a 502 naming it."""
        check = FAULTS[name].check
        answer = _call(watchful, name)
        count, _, names = answer.headers["x-contract-violations"].partition("; ")
        assert int(count) >= 1 and check in names.split(", "), answer.headers
        target = _target(watchful, name)
        lines = [
            line
            for line in watchful.log().splitlines()
            if f"contract violation {check}:" in line and f"GET {target} " in line
        ]
        recent = watchful.violations()["recent"]
        listed = [v for v in recent if v["check"] == check and v["request"] == f"GET {target}"]
        assert listed and listed[0]["basis"], recent[-5:]
        assert len(lines) == len(listed), watchful.log()[-3000:]  # each one logged once
        assert all("basis: " in line and "bug-" not in line for line in lines)

        refused = _call(strict, name)
        assert refused.status_code == 502
        assert refused.headers["content-type"] == "application/json"
        assert check in refused.json()["detail"]
        assert check in refused.headers["x-contract-violations"]


class TestCountMemory:
    """`count` is compared with earlier answers for the same filter; the memory is bounded."""

    def test_count_disagreeing_with_an_earlier_answer_is_reported(
        self, watchful: MockServer
    ) -> None:
        """The same filter answered with another count is paging.count_stable."""
        watchful.wait_ready()
        path = "course/1/users/?statuses=requested&search=e&limit=2"
        first = httpx.get(watchful.url(path), headers=AUTH, timeout=60)
        assert first.headers["x-contract-violations"] == "0"
        bug = {"Authorization": "Bearer bug-count-drifts"}
        later = httpx.get(watchful.url(path + "&offset=1"), headers=bug, timeout=60)
        assert "paging.count_stable" in later.headers["x-contract-violations"]

    def test_remembered_filters_are_capped(self) -> None:
        """Past MAX_REMEMBERED_FILTERS filters the least recently used are forgotten."""
        from course_users.mockserver.proxy.semantics import Request as Seen
        from course_users.mockserver.proxy.upstream import Answer as Upstream
        from course_users.mockserver.proxy.watch import MAX_REMEMBERED_FILTERS, ContractWatch
        from course_users.openapi import load_spec

        watch = ContractWatch(load_spec()["paths"]["/course/{id}/users/"]["get"])
        body = b'{"count": 0, "next": null, "previous": null, "results": []}'
        answer = Upstream(200, (("content-type", "application/json"),), body)
        for number in range(MAX_REMEMBERED_FILTERS + 50):
            seen = Seen(
                "http://127.0.0.1/api/v2/course/1/users/", f"search=t{number}",
                frozenset({"joined"}), True, "Bearer x", ("http", "127.0.0.1", 80),
            )  # fmt: skip
            assert watch.judge("1", seen, answer, "/x") == []
        assert len(watch.counts) == MAX_REMEMBERED_FILTERS


class TestUpstreamTrouble:
    """An upstream that cannot answer gives a clear 502/504, never a 500 or a traceback."""

    def test_unreachable_upstream_is_a_502(
        self, start_mock: Callable[..., MockServer], closed_origin: str
    ) -> None:
        """Nothing listening: 502 whose detail names the upstream."""
        server = start_mock("--proxy", closed_origin)
        answer = httpx.get(server.url("course/1/users/"), headers=AUTH, timeout=30)
        assert answer.status_code == 502
        assert answer.json()["detail"].startswith(f"The upstream {closed_origin}/api/v2 could not")
        assert "Traceback" not in server.log()
        server.stop()

    def test_slow_upstream_is_a_504_and_huge_body_a_502(
        self, start_mock: Callable[..., MockServer], faulty_origin: str
    ) -> None:
        """Past --proxy-timeout: 504; a body past the read bound: 502 saying so."""
        slow = start_mock("--proxy", f"{faulty_origin}/slow", "--proxy-timeout", "0.5")
        answer = httpx.get(slow.url("course/1/users/"), headers=AUTH, timeout=30)
        assert answer.status_code == 504
        assert "no answer within 0.5 s" in answer.json()["detail"]
        slow.stop()
        huge = start_mock("--proxy", f"{faulty_origin}/huge")
        answer = httpx.get(huge.url("course/1/users/"), headers=AUTH, timeout=30)
        assert answer.status_code == 502
        assert "bytes; the proxy reads no more" in answer.json()["detail"]
        assert "Traceback" not in huge.log() + slow.log()
        huge.stop()

    def test_only_the_token_and_accept_are_forwarded_with_the_target_as_sent(
        self, start_mock: Callable[..., MockServer], faulty_origin: str
    ) -> None:
        """The upstream sees the path and query bytes as the client sent them, Authorization,
        Accept and X-Forwarded-*; no cookie, user agent or encoding, and no cookie it set on an
        earlier answer comes back to it."""
        server = start_mock("--proxy", f"{faulty_origin}/echo")
        target = "/api/v2/course/1/users/?statuses=%5B%22joined%22%5D&search=a%20b&limit=2"
        headers = {**AUTH, "Accept": "application/json", "Cookie": "ui=1", "User-Agent": "ui",
                   "Accept-Encoding": "gzip", "X-Request-Id": "7"}  # fmt: skip
        for _ in range(2):  # the second request would carry a cookie jar's cookie
            answer = httpx.get(server.origin + target, headers=headers, timeout=30)
            seen = answer.json()
            assert seen["target"] == "/echo" + target
            assert dict(seen["headers"]) == {
                "host": faulty_origin.removeprefix("http://"),
                "authorization": AUTH["Authorization"],
                "accept": "application/json",
                "x-forwarded-host": f"127.0.0.1:{server.port}",
                "x-forwarded-proto": "http",
            }
            assert "session=upstream-cookie" in answer.headers["set-cookie"]
        server.stop()

    def test_error_injection_still_works(
        self, start_mock: Callable[..., MockServer], closed_origin: str
    ) -> None:
        """--error-rate 1 answers every request itself with a simulated 500 or 503."""
        server = start_mock("--proxy", closed_origin, "--error-rate", "1")
        answer = httpx.get(server.url("course/1/users/"), headers=AUTH, timeout=30)
        assert answer.status_code in (500, 503)
        assert "Simulated" in answer.json()["detail"]
        server.stop()


@pytest.fixture
def closed_origin() -> str:
    from tests.conftest import free_port

    return f"http://127.0.0.1:{free_port()}"


class TestOptions:
    """The proxy options fail by name, in one line."""

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--proxy", "ftp://x"), "--proxy: 'ftp://x' is not an http:// or https:// URL"),
            (("--proxy-strict",), "--proxy-strict: True needs --proxy URL"),
            (("--proxy", "http://a", "--members", "5"), "--members: cannot be combined"),
            (("--proxy", "http://u:secret@a"), "(value not shown) holds credentials"),
        ],
    )
    def test_bad_combination_is_one_line(self, args: tuple[str, ...], message: str) -> None:
        """Exit 2 with one stderr line naming the option; a credential is never echoed."""
        import subprocess
        import sys

        from tests.conftest import REPO

        done = subprocess.run(
            [sys.executable, "-m", "course_users.mockserver", *args],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
        assert "secret" not in done.stderr
