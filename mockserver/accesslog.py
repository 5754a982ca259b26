"""One access-log line per request: client, method, path and query, status, duration.

Outermost ASGI wrapper, so it sees every answer (API, errors, docs, CORS preflight). Lines go to
stderr in the same shape as the other log records, but not through `logging`: a LogRecord, a
formatter and a flushed write per request cost a third of the mock's own per-request time. Lines
are collected and written once per event-loop turn instead (at once when idle, in one write for
many requests under load). Off when the `mockserver.access` logger is above INFO.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("mockserver.access")
_PREFIX = f"{'INFO':<8} "


def configure_logging(level: str) -> None:
    """Plain one-line log records on stderr at the chosen level (access lines are INFO)."""
    logging.basicConfig(format="%(levelname)-8s %(message)s", level=level.upper(), force=True)


class _BatchedLines:
    """Writes queued lines to a stream once per event-loop turn."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pending: list[str] = []

    def add(self, line: str) -> None:
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(line)

    def flush(self) -> None:
        lines, self.pending = self.pending, []
        try:
            self.stream.write("".join(lines))
            self.stream.flush()
        except (
            OSError,
            ValueError,
        ):  # stderr closed or gone: losing log lines must not fail requests
            pass


class AccessLogMiddleware:
    """Logs `127.0.0.1 "GET /api/v2/course/1/users/?limit=5" 200 1.3ms` per HTTP request."""

    def __init__(self, app: ASGIApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.lines = _BatchedLines(stream or sys.stderr)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            query = scope["query_string"]
            target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
            client = scope.get("client") or ("-", 0)
            elapsed = (time.perf_counter() - started) * 1000
            self.lines.add(
                f'{_PREFIX}{client[0]} "{scope["method"]} {target}" {status} {elapsed:.1f}ms\n'
            )
