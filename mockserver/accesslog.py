"""One access-log line per request: client, method, path and query, status, duration.

Outermost ASGI wrapper, so it sees every answer (API, errors, docs, CORS preflight). The line is
only formatted when the `mockserver.access` logger is enabled (off under --log-level warning).
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("mockserver.access")


def configure_logging(level: str) -> None:
    """Plain one-line log records on stderr at the chosen level (access lines are INFO)."""
    logging.basicConfig(format="%(levelname)-8s %(message)s", level=level.upper(), force=True)


class AccessLogMiddleware:
    """Logs `127.0.0.1 "GET /api/v2/course/1/users/?limit=5" 200 1.3ms` per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            query = scope.get("query_string", b"")
            target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
            client = scope.get("client") or ("-", 0)
            elapsed = (time.perf_counter() - started) * 1000
            logger.info('%s "%s %s" %d %.1fms', client[0], scope["method"], target, status, elapsed)
