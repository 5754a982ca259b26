"""One access-log line per request: client, method, path and query, status, duration.

Outermost ASGI wrapper, so it sees every answer (API, errors, docs, CORS preflight). Lines go to
stderr in the same shape as the other log records, but not through `logging`: a LogRecord, a
formatter and a flushed write per request cost a third of the mock's own per-request time. Lines
are collected and written once per event-loop turn instead (at once when idle, in one write for
many requests under load). Off when the `mockserver.access` logger is above INFO.

Paths, query strings, headers and fixture text are the client's or the file's, not ours: every
line written, here or through `logging`, has its control characters escaped (`printable`), so a
request for `/course/1%0aERROR%20forged/` cannot forge a second log line.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import time
import traceback
from types import TracebackType
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("mockserver.access")
_PREFIX = f"{'INFO':<8} "
# C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidi overrides (they
# reorder what a terminal shows), and the double quote that delimits the request in a line.
_UNPRINTABLE = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"]')


def printable(text: str) -> str:
    """`text` with control characters (and `"`) escaped as `\\xNN`/`\\uNNNN`: one safe line."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class OneLineFormatter(logging.Formatter):
    """Formats records with their message escaped, so a record is exactly one line.

    A traceback keeps its frames (our code's file names and lines) but the exception's own text,
    which may quote a request, becomes one escaped line.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message)
        return super().formatMessage(record)

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        kind, value, tb = ei
        if kind is None or value is None:
            return ""
        frames = "".join(traceback.format_tb(tb)).rstrip("\n")
        message = printable("".join(traceback.format_exception_only(kind, value)).strip())
        return f"Traceback (most recent call last):\n{frames}\n{message}"


def configure_logging(level: str) -> None:
    """One-line log records on stderr at the chosen level (access lines are INFO)."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(levelname)-8s %(message)s"))
    logging.basicConfig(handlers=[handler], level=level.upper(), force=True)


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
            request = printable(f"{client[0]} {scope['method']} {target}")
            address, _, request = request.partition(" ")
            self.lines.add(f'{_PREFIX}{address} "{request}" {status} {elapsed:.1f}ms\n')
