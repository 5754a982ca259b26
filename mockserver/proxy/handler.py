"""The operation's handler in proxy mode, and the endpoint listing the last violations.

By the time the handler runs, the mock's own layers have done their part: routing, the 406 for
an Accept without JSON, `Prefer` / --latency / --error-rate, and the parameters' validation. A
request the contract refuses (a bad `limit`, the comma form of `statuses`, a NUL in `search`) is
answered by the proxy with the mock's usual 400 and not forwarded: it is the UI's bug, and the
answer names the parameter in the same words as in mock mode. Authentication is the upstream's:
the token is forwarded, never checked (nor logged) here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import quote

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from course_users.conformance.client import origin
from course_users.mockserver.api.handlers import OPERATION_ID, request_url
from course_users.mockserver.api.params import parse_search, parse_statuses
from course_users.mockserver.api.querystring import query_values
from course_users.mockserver.api.scenarios import header
from course_users.mockserver.proxy.semantics import Request
from course_users.mockserver.proxy.upstream import ContractViolated, Upstream
from course_users.mockserver.proxy.watch import HEADER, ContractWatch, Violation, header_value


class ProxyHandlers:
    """The proxy's handler for the operation: validate, forward, judge, answer."""

    def __init__(
        self,
        *,
        upstream: Upstream,
        watch: ContractWatch,
        base_path: str,
        strict: bool,
        proxy_headers: bool,
    ) -> None:
        self.upstream = upstream
        self.watch = watch
        self.base_path = base_path.encode("latin-1")
        self.strict = strict
        self.proxy_headers = proxy_headers
        self.upstream_origin = origin(upstream.api_root)

    def operations(self) -> dict[str, Any]:
        """operationId -> handler, for the resolver."""
        return {OPERATION_ID: self.get_course_dashboard_users}

    async def get_course_dashboard_users(
        self, id: str, scope: dict | None = None, **_validated: Any
    ) -> Response:
        """Forward a valid request upstream and answer with the upstream's answer, judged."""
        if scope is None:
            from connexion.context import scope as request_scope

            scope = request_scope._get_current_object()
        raw_statuses = query_values(scope).get("statuses")
        statuses = parse_statuses(list(raw_statuses) if raw_statuses else None)
        parse_search(_last(query_values(scope).get("search")))  # the mock's 400s, not forwarded
        client_url = request_url(scope, proxy_headers=self.proxy_headers)
        answer = await self.upstream.forward(
            self._target(scope), scope["headers"], (client_url.scheme, client_url.host)
        )
        query = scope.get("query_string", b"").decode("latin-1")
        request = Request(
            url=f"{client_url.scheme}://{client_url.host}{client_url.path}",
            query=query,
            statuses=statuses,
            statuses_given=raw_statuses is not None,
            authorization=header(scope, b"authorization"),
            upstream_origin=self.upstream_origin,
        )
        shown = client_url.path + (f"?{query}" if query else "")
        violations = self.watch.judge(id, request, answer, shown)
        if self.strict and violations:
            raise ContractViolated(strict_detail(violations), headers=_violations(violations))
        response = Response(answer.body, answer.status)
        response.raw_headers += [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
        ]
        response.raw_headers.append((HEADER.encode(), header_value(violations).encode()))
        return response

    def _target(self, scope: Scope) -> bytes:
        """The path under the API root and the query string, as the client sent them."""
        raw_path = scope.get("raw_path") or quote(scope["path"]).encode("latin-1")
        path = raw_path.removeprefix(self.base_path)
        query = scope.get("query_string", b"")
        return path + (b"?" + query if query else b"")


def _last(values: list[str] | None) -> str | None:
    return values[-1] if values else None


def _violations(violations: list[Violation]) -> dict[str, str]:
    return {HEADER: header_value(violations)}


def strict_detail(violations: list[Violation]) -> str:
    """The 502's detail: the first violation in full, then the names of the others."""
    first = violations[0]
    text = f"The upstream's answer breaks the contract: {first.check}: {first.detail}"
    others = list(dict.fromkeys(v.check for v in violations[1:]))
    if others:
        text += f" (and {len(violations) - 1} more: {', '.join(others)})"
    return text + f"; upstream status {first.status}."


class ViolationsEndpoint:
    """Serves `GET <base>/__contract__/violations` (the watch's summary), passes the rest on;
    at the server's shutdown, closes the upstream's pool (`on_shutdown`) before saying it is
    done, so no connection is left for the interpreter's exit to complain about."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        watch: ContractWatch,
        base_path: str,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self.watch = watch
        self.path = f"{base_path}/__contract__/violations"
        self.on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.on_shutdown is not None:
            await self.app(scope, receive, partial(self._lifespan_send, send))
            return
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            body = orjson.dumps(
                {"detail": f"Method {scope['method']} is not allowed here; use GET."}
            )
            response = Response(body, 405, media_type="application/json", headers={"Allow": "GET"})
        else:
            body = orjson.dumps(self.watch.summary())
            response = Response(
                body, 200, media_type="application/json", headers={"Cache-Control": "no-store"}
            )
        await response(scope, receive, send)

    async def _lifespan_send(self, send: Send, message: Message) -> None:
        if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            assert self.on_shutdown is not None
            await self.on_shutdown()
        await send(message)
