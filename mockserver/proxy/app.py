"""What proxy mode changes in the assembly (`mockserver.serving.app.create_app` calls this).

    ViolationsEndpoint          GET /api/v2/__contract__/violations, in front of the front door
    Connexion AsyncApp          the mock's middleware list without SecurityMiddleware
    -> ProxyHandlers            forward, judge, answer

The state holds an empty dataset: in proxy mode the data is the upstream's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.types import ASGIApp

from course_users.conformance.client import api_root
from course_users.fixtures.model import Dataset
from course_users.mockserver.api.state import AppState
from course_users.mockserver.data.store import Store
from course_users.mockserver.proxy.handler import ProxyHandlers, ViolationsEndpoint
from course_users.mockserver.proxy.upstream import Upstream
from course_users.mockserver.proxy.watch import ContractWatch
from course_users.mockserver.settings import Settings
from course_users.openapi.contract import CONTRACT


def proxy_parts(
    settings: Settings, spec: dict[str, Any], base_path: str
) -> tuple[AppState, dict[str, Any], Callable[[ASGIApp], ASGIApp]]:
    """(state, operation handlers, wrapper of the front door) for `--proxy`."""
    assert settings.proxy is not None
    root = upstream_root(settings.proxy, base_path)
    empty = Dataset(users={}, courses={}, tokens={}, source=f"proxy to {root}")
    state = AppState(settings, Store(empty), random.Random(settings.seed))
    watch = ContractWatch(_operation(spec))
    upstream = Upstream(root, timeout=settings.proxy_timeout)
    handlers = ProxyHandlers(
        upstream=upstream,
        watch=watch,
        base_path=base_path,
        strict=settings.proxy_strict,
        proxy_headers=settings.proxy_headers,
    )
    return (
        state,
        handlers.operations(),
        partial(ViolationsEndpoint, watch=watch, base_path=base_path, on_shutdown=upstream.close),
    )


def upstream_root(url: str, base_path: str) -> str:
    """The upstream's API root: its origin (and any prefix) plus the spec's base path, as the
    conformance suite's --base-url is read."""
    return api_root(url, base_path)


def _operation(spec: dict[str, Any]) -> dict[str, Any]:
    from course_users.mockserver.api.handlers import OPERATION_ID

    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == OPERATION_ID:
                return operation
    raise KeyError(OPERATION_ID)


def proxy_banner(settings: Settings) -> str:
    """The startup text in proxy mode: where to call, what is forwarded where, how it is checked."""
    from course_users.mockserver.serving.accesslog import printable

    assert settings.proxy is not None
    base = settings.base_url
    root = upstream_root(settings.proxy, CONTRACT.base_path)
    strict = "a 502 naming it" if settings.proxy_strict else "passed on, with the header"
    lines = [
        f"Course users proxy: checking {printable(root)} against the contract",
        f"  API:        {base}course/<id>/users/",
        f"  Forwarded:  to {printable(root)}/course/<id>/users/ (Authorization and Accept only)",
        f"  Violations: header X-Contract-Violations, the log, {base}__contract__/violations",
        f"  On a violation: {strict}",
        f"  Swagger UI: {base}ui/",
    ]
    if settings.cors_origin:
        lines.append(f"  CORS:       local origins, {', '.join(settings.cors_origin)}")
    return "\n".join(lines)
