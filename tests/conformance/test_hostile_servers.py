"""The suite against servers that attack it: it never leaks the token, hangs, blows up or crashes.

Each hostile server is a small ASGI app on its own loopback port. The suite runs against it as a
backend's CI would; the test asserts the bounded outcome: the verdict or the one-line reason,
and that nothing reached another origin. Time limits here are hang guards (pytest-timeout and
subprocess timeouts, minutes), not performance bounds.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from course_users.conformance import Settings, run_suite
from course_users.conformance.checks import Status
from course_users.conformance.client import MAX_BODY_BYTES
from course_users.conformance.errors import CannotRun

MEMBER = {
    "id": 1,
    "username": "only-member",
    "real_name": "Only Member",
    "avatar": None,
    "join_status": "joined",
    "user_completion_rate": 0,
    "last_active_at": None,
    "joined_at": "2023-01-01T00:00:00Z",
}
# Headroom over the suite's own footprint (Python, Hypothesis, Schemathesis: ~200 MB): a body cap
# that failed would read hundreds of MB to GBs here.
PEAK_RSS_LIMIT_MB = 700


def app(handler: Callable[[Request], object]) -> Starlette:
    """An ASGI app answering every path with `handler`."""
    return Starlette(routes=[Route("/{path:path}", handler)])


def envelope(count: int, next_url: str | None, results: list[dict] | None = None) -> dict:
    return {"count": count, "next": next_url, "previous": None, "results": results or [MEMBER]}


async def endless_listing(request: Request) -> Response:
    """count=10**12, one member a page, and always a `next` link one further."""
    offset = int(request.query_params.get("offset", "0"))
    return JSONResponse(envelope(10**12, str(request.url.include_query_params(offset=offset + 1))))


class Recorder:
    """A listener on another origin that only counts what reaches it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []

    async def __call__(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        return JSONResponse(envelope(1, None))


# The CLI in a child process that reports its own peak RSS on its last stdout line. VmHWM, not
# ru_maxrss: Linux carries ru_maxrss across exec, so it could be the parent's (pytest's) peak.
CLI_WITH_PEAK = """
import re, sys
from course_users.conformance.__main__ import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
print("peak_kb=" + re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
sys.exit(code)
"""


def run_cli(root: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the conformance CLI in a child process; return it and the child's peak RSS in MB."""
    process = subprocess.run(
        [sys.executable, "-c", CLI_WITH_PEAK, "--base-url", root, "--token", "secret-token",
         "--course-id", "1", "--seed", "1", *extra],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    peak_kb = int(process.stdout.strip().splitlines()[-1].removeprefix("peak_kb="))
    return process, peak_kb / 1024


class TestCredentialsStayHome:
    def test_links_to_another_origin_are_never_followed(self, serve_app):
        """A `next` link to another port fails its own check and the token never travels."""
        recorder = Recorder()
        with serve_app(app(recorder)) as foreign:

            async def listing(request: Request) -> Response:
                return JSONResponse(envelope(3, foreign + "course/1/users/?limit=1&offset=1"))

            with serve_app(app(listing)) as root:
                settings = Settings(root, "secret-token", "1", seed=1, max_examples=5,
                                    checks=("oracle", "paging"))  # fmt: skip
                report = run_suite(settings)
        assert recorder.requests == []
        assert report.result("paging.links_same_origin").status is Status.FAIL
        assert "not followed" in report.result("paging.links_same_origin").failure.got


class TestBoundedRuns:
    def test_endless_next_links_end_in_a_verdict(self, serve_app):
        """count=10**12 and always one more page: the oracle stops walking and the run ends."""

        with serve_app(app(endless_listing)) as root:
            report = run_suite(Settings(root, "t", "1", seed=1, checks=("oracle",)))
        assert report.result("oracle.listing_consistent").status is Status.FAIL

    def test_slow_drip_body_is_cut_at_the_timeout(self, serve_app):
        """Headers at once, then a byte every 0.5 s: each read is quick, the answer is not."""

        async def drip(request: Request) -> Response:
            async def chunks() -> AsyncIterator[bytes]:
                yield b'{"count": 1, '
                for _ in range(600):
                    await asyncio.sleep(0.5)
                    yield b" "

            return StreamingResponse(chunks(), media_type="application/json")

        with serve_app(app(drip)) as root, pytest.raises(CannotRun, match="not complete within"):
            run_suite(Settings(root, "t", "1", seed=1, timeout=2, checks=("oracle",)))

    def test_run_deadline_stops_an_endless_run(self, serve_app):
        """--run-timeout ends a run that would go on for hours as 'cannot run'."""

        with serve_app(app(endless_listing)) as root:
            process, _ = run_cli(root, "--run-timeout", "3")
        assert process.returncode == 2
        assert "conformance: error: the run reached its deadline" in process.stderr


class TestBoundedMemory:
    @pytest.mark.parametrize("shape", ["endless-chunks", "huge-json", "gzip-bomb"])
    def test_huge_bodies_are_not_read_past_the_cap(self, serve_app, shape):
        """An endless, a 1 GB or a compressed 256 MB body: cannot run, in bounded memory."""
        with serve_app(app(huge_body(shape))) as root:
            process, peak_mb = run_cli(root, "--check", "auth")
        assert process.returncode == 2, process.stderr
        assert f"body longer than {MAX_BODY_BYTES} bytes" in process.stderr
        assert "Traceback" not in process.stderr
        assert peak_mb < PEAK_RSS_LIMIT_MB

    def test_deeply_nested_json_is_not_json_not_a_crash(self, serve_app):
        """100,000 nested `[`: the first call is not a listing, said in one line, no traceback."""

        async def nested(request: Request) -> Response:
            return Response(b"[" * 100_000, media_type="application/json")

        with serve_app(app(nested)) as root:
            process, _ = run_cli(root)
        assert process.returncode == 2
        assert "did not return a member listing" in process.stderr
        assert "Traceback" not in process.stderr and "RecursionError" not in process.stderr


class TestSanitizedOutput:
    def test_terminal_escapes_from_the_server_are_escaped(self, serve_app):
        """An ESC sequence in an error body reaches the report as `\\x1b`, not as a control."""

        async def shouting(request: Request) -> Response:
            return Response("\x1b[2J\x1b[31mgotcha\x07", status_code=500)

        with serve_app(app(shouting)) as root:
            process, _ = run_cli(root)
        assert process.returncode == 2
        assert "\x1b" not in process.stderr and "\x07" not in process.stderr
        assert "\\x1b[2J" in process.stderr


class TestSecretsStayOutOfReports:
    def test_no_report_carries_the_token(self, serve_app, tmp_path):
        """A server echoing the Authorization header: stdout, JUnit and JSON show $VARIABLE."""

        async def echoing(request: Request) -> Response:
            echoed = {"detail": request.headers.get("authorization", "")}
            if "offset" in request.query_params:
                return JSONResponse(echoed, status_code=500)
            return JSONResponse(envelope(3, None))

        junit, report = tmp_path / "j.xml", tmp_path / "r.json"
        with serve_app(app(echoing)) as root:
            process, _ = run_cli(
                root, "--check", "paging", "--max-examples", "3",
                "--forbidden-token", "other-secret", "--junit-xml", str(junit),
                "--report-json", str(report),
            )  # fmt: skip
        assert process.returncode == 1, process.stdout + process.stderr
        for text in (process.stdout, process.stderr, junit.read_text(), report.read_text()):
            assert "secret-token" not in text and "other-secret" not in text
        assert "$CONFORMANCE_TOKEN" in process.stdout


def huge_body(shape: str) -> Callable[[Request], object]:
    """An endpoint answering with a body far over the suite's cap, in one of three shapes."""
    megabyte = b" " * (1 << 20)

    async def endless() -> AsyncIterator[bytes]:
        yield b'{"count": 1, "results": ['
        while True:
            yield megabyte

    async def gigabyte() -> AsyncIterator[bytes]:
        yield b'{"count": 1, "pad": "'
        for _ in range(1024):
            yield b"x" * (1 << 20)
        yield json.dumps(envelope(1, None))[1:].encode()

    async def handler(request: Request) -> Response:
        if shape == "gzip-bomb":
            return Response(
                gzip_bomb(256), media_type="application/json", headers={"content-encoding": "gzip"}
            )
        return StreamingResponse(
            endless() if shape == "endless-chunks" else gigabyte(), media_type="application/json"
        )

    return handler


@functools.cache
def gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MB of spaces gzipped (about 1 KB each), built without holding them."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as stream:
        for _ in range(megabytes):
            stream.write(b" " * (1 << 20))
    return out.getvalue()
