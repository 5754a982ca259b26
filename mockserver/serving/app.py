"""`create_app(settings)`: the one place that assembles the mock.

    AccessLogMiddleware                 one log line per request
    └── OriginGate -> CORSMiddleware    local + --cors-origin, preflight allows Authorization
        └── front door                  /api/v2/ui/, openapi.json, openapi.bundled.json -> docs
            └── Connexion AsyncApp      everything else, through this middleware list:
                ServerErrorMiddleware, ExceptionMiddleware (our error handlers),
                RoutingMiddleware, NegotiationMiddleware (406 for an Accept without JSON),
                ScenarioMiddleware (Prefer / latency / error rate),
                ScopeSecurityMiddleware (Connexion's SecurityMiddleware over a scope view, with
                our bearer handler), ValidationMiddleware (Connexion's
                RequestValidationMiddleware, with our URI parser and one-line validator built
                once per operation), DirectDispatchMiddleware (awaits the resolved handler: see
                mockserver.api.dispatch) -> CourseUsersHandlers; operations it does not know go on
                through LifespanMiddleware, ContextMiddleware and Connexion's own application

In proxy mode (`--proxy URL`, mockserver.proxy) the same assembly serves, with three changes:
the operation's handler forwards to the upstream and judges its answer, SecurityMiddleware is left
out (the upstream authenticates), and GET /api/v2/__contract__/violations sits in front of the
front door.

Left out of Connexion's default list on purpose: SwaggerUIMiddleware (the docs are served in front)
and ResponseValidationMiddleware (the tests validate every response against the spec instead of
paying for it on every request).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import re
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import orjson
from connexion import AsyncApp
from connexion.exceptions import ProblemException, ResolverError
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from course_users.mockserver.api.dispatch import DirectDispatchMiddleware
from course_users.mockserver.api.handlers import OPERATION_ID, CourseUsersHandlers
from course_users.mockserver.api.negotiation import NegotiationMiddleware
from course_users.mockserver.api.scenarios import ScenarioMiddleware, canned_responses
from course_users.mockserver.api.security import ScopeSecurityMiddleware, bearer_handler_class
from course_users.mockserver.api.state import AppState
from course_users.mockserver.api.validation import (
    OneLineParameterValidator,
    StatusesURIParser,
    ValidationMiddleware,
)
from course_users.mockserver.errors import ApiError
from course_users.mockserver.serving.accesslog import AccessLogMiddleware, configure_logging
from course_users.mockserver.serving.cors import cors_options
from course_users.mockserver.serving.docs import SPEC_PATHS, docs_app, unresolved_spec
from course_users.mockserver.serving.reloading import watch_fixtures
from course_users.mockserver.settings import Settings
from course_users.openapi.contract import CONTRACT

logger = logging.getLogger("mockserver")


def create_app(settings: Settings, state: AppState | None = None) -> ASGIApp:
    """The mock as an ASGI app; loads and indexes the dataset unless `state` is given."""
    from course_users.openapi import (
        load_spec,  # the spec package is a sibling; imported where it is used
    )

    spec = load_spec()
    base_path = spec["servers"][0]["url"].rstrip("/")
    if settings.proxy is not None:
        from course_users.mockserver.proxy.app import (
            proxy_parts,  # only proxy mode needs aiohttp and the checks
        )

        state, operations, wrap = proxy_parts(settings, spec, base_path)
    else:
        state = state or AppState.load(settings)
        operations, wrap = CourseUsersHandlers(state).operations(), _unwrapped
    api = _connexion_app(state, copy.deepcopy(spec), operations)
    docs = docs_app(served=unresolved_spec(), bundled=spec, base_path=base_path)
    front = wrap(FrontDoor(docs=docs, api=api, base_path=base_path))
    cors = OriginGate(
        front,
        cors=CORSMiddleware(
            front,
            **cors_options(settings.cors_origin),
            allow_methods=["GET", "OPTIONS"],
            allow_headers=["Authorization", "Prefer", "Accept", "Content-Type"],
            expose_headers=["WWW-Authenticate", "Retry-After", *EXPOSED_IN_PROXY_MODE],
            max_age=600,
        ),
    )
    return AccessLogMiddleware(cors)


# Exposed whether or not the mock is a proxy: a UI reading it sees null from the plain mock.
EXPOSED_IN_PROXY_MODE = ("X-Contract-Violations",)


def _unwrapped(app: ASGIApp) -> ASGIApp:
    return app


def create_app_from_environment() -> ASGIApp:
    """Factory for uvicorn workers: settings come from the MOCKSERVER_* environment."""
    settings = Settings.load()
    configure_logging(settings.log_level)
    return create_app(settings)


class FrontDoor:
    """Sends the docs paths to the docs app and everything else to the API."""

    def __init__(self, *, docs: ASGIApp, api: ASGIApp, base_path: str) -> None:
        self.docs = docs
        self.api = api
        self.docs_paths = (f"{base_path}/ui", *(f"{base_path}/{path}" for path in SPEC_PATHS))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.docs_paths):
            await self.docs(scope, receive, send)
        else:
            await self.api(scope, receive, send)


class OriginGate:
    """Runs CORS only for requests with an Origin header: browsers send one on every cross-origin
    call, and skipping Starlette's CORS wrapper for the rest (curl, tests, benchmarks) saves its
    header parsing and send wrapping on each of them."""

    def __init__(self, app: ASGIApp, *, cors: ASGIApp) -> None:
        self.app = app
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(name == b"origin" for name, _ in scope["headers"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class HandlerResolver(Resolver):
    """Maps operationIds to bound handlers (no Python paths in the spec)."""

    def __init__(self, handlers: dict[str, Callable[..., Any]]) -> None:
        super().__init__()
        self.handlers = handlers

    def resolve_function_from_operation_id(self, operation_id: str) -> Callable[..., Any]:
        try:
            return self.handlers[operation_id]
        except KeyError:
            raise ResolverError(f"No handler for operationId {operation_id!r}") from None


def _connexion_app(state: AppState, spec: dict, operations: dict[str, Any]) -> AsyncApp:
    """The Connexion app: our middleware list, resolver, security handler, parser and validator.

    In proxy mode there is no SecurityMiddleware: the upstream authenticates.
    """
    security = [] if state.settings.proxy is not None else [ScopeSecurityMiddleware]
    app = AsyncApp(
        __name__,
        middlewares=[
            partial(ServerErrorMiddleware, handler=_unexpected_error),
            ExceptionMiddleware,
            RoutingMiddleware,
            NegotiationMiddleware,
            partial(
                ScenarioMiddleware, state=state, responses=canned_responses(spec, OPERATION_ID)
            ),
            *security,
            ValidationMiddleware,
            # Before Lifespan and Context: what it serves needs neither Connexion's context
            # variables nor its application; what it does not know goes on through both.
            partial(DirectDispatchMiddleware, spec=spec, handlers=operations),
            LifespanMiddleware,
            ContextMiddleware,
        ],
        lifespan=partial(_lifespan, state),
        resolver=HandlerResolver(operations),
        uri_parser_class=StatusesURIParser,
        validator_map={"parameter": OneLineParameterValidator},
        security_map={CONTRACT.auth_scheme: bearer_handler_class(state)},
    )
    app.add_api(spec)
    app.add_error_handler(ApiError, _api_error)
    app.add_error_handler(ProblemException, _problem)
    app.add_error_handler(HTTPException, _http_exception)
    app.add_error_handler(Exception, _unexpected_error)
    return app


@contextlib.asynccontextmanager
async def _lifespan(state: AppState, _app: Any) -> AsyncIterator[None]:
    """Runs the fixture watcher for --reload while the server is up."""
    settings = state.settings
    if not settings.reload:
        yield
        return
    from course_users.fixtures import DEFAULT_FIXTURES

    stop = asyncio.Event()
    task = asyncio.create_task(watch_fixtures(state, settings.fixtures or DEFAULT_FIXTURES, stop))
    try:
        yield
    finally:
        stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# The one boundary where errors become responses: every body is {"detail": "..."} as JSON.


def _json_error(
    status: int, detail: str, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        body=orjson.dumps({"detail": detail}),
        headers=dict(headers or {}),
    )


def _api_error(_request: ConnexionRequest, error: ApiError) -> ConnexionResponse:
    return _json_error(error.status, error.detail, error.headers)


def _problem(_request: ConnexionRequest, problem: ProblemException) -> ConnexionResponse:
    # Connexion's own problems (e.g. an unsupported media type); its multi-line texts become one.
    detail = " ".join(str(problem.detail or problem.title or "Request failed.").split())
    return _json_error(problem.status, detail, problem.headers)


def _http_exception(request: ConnexionRequest, error: HTTPException) -> ConnexionResponse:
    if error.status_code == 404:
        detail = (
            f"Nothing is served at {request.url.path}; "
            f"the mock answers GET {CONTRACT.base_path}{CONTRACT.path} "
            f"(docs at {CONTRACT.base_path}/ui/)."
        )
    elif error.status_code == 405:
        detail = f"Method {request.method} is not allowed here; use GET."
    else:
        detail = re.sub(r"\s+", " ", str(error.detail))
    return _json_error(error.status_code, detail, error.headers)


def _unexpected_error(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    logger.error("Unexpected error: %r", error, exc_info=error)
    return _json_error(500, "A server error occurred; the mock's log has the details.")
