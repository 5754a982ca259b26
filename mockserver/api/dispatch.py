"""Calling the resolved handler straight from Connexion's middleware list, once validated.

Measured (README "Performance", `benchmarks/store_bench.py --app`): after Connexion has routed,
authenticated and validated a request, its AsyncApp spends about two thirds of the remaining time
re-decorating the handler on every request (a new decorator object, `inspect.signature`, the URI
parser run again, argument names sanitised one by one). This middleware, right after validation
in the `middlewares` list we pass to AsyncApp, does that work once at startup instead: for each
operation it knows its handler (from the same resolver Connexion uses), the query parameters,
their types and defaults; per request it parses the query string once (already validated, so
the integer conversions cannot fail; arrays are never comma-split, as in our URI parser) and
awaits the handler. Operations it does not know fall through to Connexion's own path unchanged:
its Lifespan and Context middlewares come after this one, since setting Connexion's four context
variables per request is of use only to handlers that read them, and ours are passed the scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from course_users.mockserver.api.querystring import query_values

Handler = Callable[..., Awaitable[Response]]
_CASTS: dict[str, Callable[[str], Any]] = {"integer": int, "number": float}


class _Operation:
    """One operation's handler and how to turn its query string into keyword arguments."""

    def __init__(self, handler: Handler, parameters: list[dict]) -> None:
        self.handler = handler
        self.path_names = [p["name"] for p in parameters if p["in"] == "path"]
        self.query: dict[str, tuple[str, Any]] = {}
        for param in parameters:
            if param["in"] == "query":
                schema = param.get("schema", {})
                self.query[param["name"]] = (schema.get("type", "string"), schema.get("default"))

    def arguments(self, scope: Scope) -> dict[str, Any]:
        """Keyword arguments for the handler, as Connexion would pass them."""
        found = query_values(scope)
        kwargs: dict[str, Any] = {}
        for name, (kind, default) in self.query.items():
            values = found.get(name)
            if values is None:
                if default is not None:
                    kwargs[name] = default
            elif kind == "array":
                kwargs[name] = list(values)  # arrays here are exploded, never comma-split
            else:
                cast = _CASTS.get(kind)
                kwargs[name] = cast(values[-1]) if cast else values[-1]
        path_params = scope.get("path_params", {})
        for name in self.path_names:
            kwargs[name] = path_params[name]
        return kwargs


class DirectDispatchMiddleware:
    """Awaits the resolved handler for routed, validated requests (after validation)."""

    def __init__(self, app: ASGIApp, *, spec: dict, handlers: dict[str, Handler]) -> None:
        self.app = app
        self.operations: dict[str, _Operation] = {}
        for path_item in spec.get("paths", {}).values():
            shared = path_item.get("parameters", [])
            for operation in path_item.values():
                if isinstance(operation, dict) and operation.get("operationId") in handlers:
                    parameters = [*shared, *operation.get("parameters", [])]
                    handler = handlers[operation["operationId"]]
                    self.operations[operation["operationId"]] = _Operation(handler, parameters)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extensions = scope.get("extensions") or {}
        routing = extensions.get("connexion_routing") or {}
        operation = (
            self.operations.get(routing.get("operation_id")) if scope["type"] == "http" else None
        )
        if operation is None:
            await self.app(scope, receive, send)
            return
        kwargs = operation.arguments(scope)
        context = extensions.get("connexion_context") or {}
        response = await operation.handler(
            **kwargs, token_info=context.get("token_info"), scope=scope
        )
        await response(scope, receive, send)
