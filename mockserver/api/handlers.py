"""The operation handler: request arguments in, a store query, the paginated envelope out.

Connexion has validated the arguments against the spec before this runs and
`mockserver.api.security` has authenticated the token; errors raised here (`CourseNotFound`,
`Forbidden`, `BadParameter`) become responses at the one boundary in `mockserver.serving.app`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import orjson
from connexion.context import scope as request_scope
from starlette.responses import Response

from course_users.mockserver.api.paging import RequestUrl, next_link, previous_link
from course_users.mockserver.api.params import parse_search, parse_statuses
from course_users.mockserver.api.querystring import query_values
from course_users.mockserver.api.state import AppState
from course_users.mockserver.data.store import (
    DEFAULT_ORDERING,
    MANAGING_STATUSES,
    Page,
    Query,
)
from course_users.mockserver.errors import CourseNotFound, Forbidden
from course_users.openapi.contract import CONTRACT

OPERATION_ID = CONTRACT.operation_id
MAX_ID_DIGITS = len(str(2**63 - 1))
_SEARCH_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mock-search")


class CourseUsersHandlers:
    """Handlers bound to the app's state (the resolver maps operationIds to these methods)."""

    def __init__(self, state: AppState) -> None:
        """Bind to `state`, whose store may be swapped by a reload at any time."""
        self.state = state

    def operations(self) -> dict[str, Any]:
        """operationId -> handler, for the resolver."""
        return {OPERATION_ID: self.get_course_dashboard_users}

    async def get_course_dashboard_users(
        self,
        id: str,
        limit: int = CONTRACT.default_limit,
        offset: int = 0,
        search: str | None = None,
        ordering: str = DEFAULT_ORDERING,
        token_info: dict | None = None,
        scope: dict | None = None,
        **_validated: Any,  # statuses: read raw below, since absent and default must differ
    ) -> Response:
        """GET /course/{id}/users/: the course's members, filtered, ordered and paginated.

        `scope` is passed by `mockserver.api.dispatch`; through Connexion's own path it comes from
        Connexion's request context.
        """
        state = self.state
        if scope is None:
            scope = request_scope._get_current_object()
        course_id = parse_course_id(id)
        course = state.store.course(course_id)
        _check_access(course.role, token_info or {})
        page_limit = min(limit, state.settings.max_limit)
        query = build_query(
            course_id=course_id,
            statuses=_raw_values(scope, "statuses"),
            search=search,
            ordering=ordering,
            offset=offset,
            limit=page_limit,
        )
        if course.answers_at_once(query):
            page = course.page(query)
        else:
            page = await run_search(course.page, query)
        url = request_url(scope, proxy_headers=state.settings.proxy_headers)
        body = {
            "count": page.count,
            "next": next_link(url, offset=offset, limit=page_limit, count=page.count),
            "previous": previous_link(url, offset=offset, limit=page_limit),
            "results": page.items,
        }
        return Response(orjson.dumps(body), media_type="application/json")


def build_query(
    *,
    course_id: int,
    statuses: list[str] | None,
    search: str | None,
    ordering: str,
    offset: int,
    limit: int,
) -> Query:
    """The store query for validated arguments."""
    return Query(
        course_id=course_id,
        statuses=parse_statuses(statuses),
        terms=parse_search(search),
        ordering=ordering,
        offset=offset,
        limit=limit,
    )


async def run_search(compute: Callable[[Query], Page], query: Query) -> Page:
    """`compute(query)` on the search thread, so the event loop keeps serving meanwhile.

    Only for searches the store does not answer at once (`CourseIndex.answers_at_once`). The
    worst search the limits allow (`mockserver.api.params`) costs tens of milliseconds on a
    big course (50 one-letter terms: 50 ms at 200,000 members); on the loop it would delay every
    other request by as much. One thread: searches queue behind each other rather than
    multiplying threads, and the store's search cache is only ever written from it.
    """
    return await asyncio.get_running_loop().run_in_executor(_SEARCH_THREAD, compute, query)


def parse_course_id(text: str) -> int:
    """The course id a validated `id` (ASCII digits) names; CourseNotFound past any fixture id.

    Fixture ids are at most 2**63 - 1 (`fixtures/fixture.schema.json`), 19 digits: a longer id
    names no course, and converting it could exceed Python's 4,300-digit int limit.
    """
    digits = text.lstrip("0") or "0"
    if len(digits) > MAX_ID_DIGITS:
        raise CourseNotFound(f"{digits[:20]}... ({len(digits)} digits)")
    return int(digits)


def _check_access(role_of: Callable[[int | None], str | None], token_info: dict) -> None:
    """Forbidden unless the token's user is the course's creator or a manager."""
    if role_of(token_info.get("sub")) not in MANAGING_STATUSES:
        raise Forbidden(
            "You do not have permission to list this course's members: "
            "only its creator and managers may."
        )


def _raw_values(scope: dict, name: str) -> list[str] | None:
    """Every value of a query parameter as sent, or None when absent."""
    values = query_values(scope).get(name)
    return list(values) if values else None


def request_url(scope: dict, *, proxy_headers: bool) -> RequestUrl:
    """The request's absolute URL parts, from X-Forwarded-* only when proxy headers are trusted."""
    headers = dict(scope.get("headers") or ())
    scheme = scope.get("scheme", "http")
    host = headers.get(b"host", b"").decode("latin-1")
    if proxy_headers:
        forwarded_proto = headers.get(b"x-forwarded-proto")
        forwarded_host = headers.get(b"x-forwarded-host")
        if forwarded_proto:
            scheme = forwarded_proto.decode("latin-1").split(",")[0].strip()
        if forwarded_host:
            host = forwarded_host.decode("latin-1").split(",")[0].strip()
    if not host:
        server_host, server_port = scope.get("server") or ("localhost", 80)
        host = f"{server_host}:{server_port}"
    raw_path = scope.get("raw_path")
    if raw_path:
        path = raw_path.decode("latin-1")
    else:
        path = quote(scope.get("root_path", "") + scope.get("path", ""))
    return RequestUrl(
        scheme=scheme, host=host, path=path, query=scope.get("query_string", b"").decode("latin-1")
    )
