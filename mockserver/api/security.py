"""Bearer-token authentication, plugged into Connexion's security middleware via `security_map`.

Connexion finds the handler for `bearerAuth` (`type: http, scheme: bearer`) in the map we pass, so
the committed spec carries no Python paths. Every failure is our `Unauthenticated` (401 with
`WWW-Authenticate: Bearer` and a detail saying what to fix), never Connexion's generic problem.

`ScopeSecurityMiddleware` stands in the `middlewares` list where Connexion's SecurityMiddleware
stood, with the same verification function (Connexion's, over the handlers of our security_map);
it hands that function a view of the ASGI scope instead of a ConnexionRequest, which wraps a
Starlette Request and proxies every attribute read through `__getattr__`: a fifth of the
middleware's cost, for the one header our handler reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.security import BearerSecurityHandler
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from course_users.mockserver.api.scenarios import header
from course_users.mockserver.api.state import AppState
from course_users.mockserver.errors import Unauthenticated
from course_users.openapi.contract import CONTRACT


def bearer_handler_class(state: AppState) -> type[BearerSecurityHandler]:
    """A Connexion bearer security handler class that checks tokens against `state.store`."""

    class MockBearerHandler(BearerSecurityHandler):
        def get_fn(self, security_scheme: dict, required_scopes: list) -> Callable[[Any], dict]:
            return lambda request: authenticate(state, header(request.scope, b"authorization"))

    return MockBearerHandler


def authenticate(state: AppState, header: str | None) -> dict[str, Any]:
    """Token info `{"sub": user_id}` for a valid Authorization header, else Unauthenticated."""
    challenge = {"WWW-Authenticate": CONTRACT.challenge}
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if not header or not header.strip():
        raise Unauthenticated(
            "Authentication credentials were not provided: send 'Authorization: Bearer <token>'.",
            headers=challenge,
        )
    if not CONTRACT.is_auth_scheme(scheme) or not token or " " in token:
        raise Unauthenticated(
            "Malformed Authorization header: expected 'Bearer <token>'.", headers=challenge
        )
    user_id = state.store.user_for_token(token)
    if user_id is None:
        raise Unauthenticated(
            "Invalid token: it belongs to no user of this mock's fixtures.", headers=challenge
        )
    return {"sub": user_id}


class ScopeRequest:
    """The parts of a request that Connexion's verification function and our handler read."""

    __slots__ = ("scope",)

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @property
    def context(self) -> dict[str, Any]:
        """Where the verification function leaves `user` and `token_info`, as Connexion's does."""
        return self.scope.setdefault("extensions", {}).setdefault("connexion_context", {})

    @property
    def headers(self) -> Headers:
        return Headers(scope=self.scope)


class _ScopeSecurityOperation(SecurityOperation):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.security:
            await self.verification_fn(ScopeRequest(scope))
        await self.next_app(scope, receive, send)


class _ScopeSecurityAPI(SecurityAPI):
    def make_operation(self, operation: Any) -> SecurityOperation:
        return _ScopeSecurityOperation.from_operation(
            operation,
            next_app=self.next_app,
            security_handler_factory=self.security_handler_factory,
        )


class ScopeSecurityMiddleware(SecurityMiddleware):
    """Connexion's SecurityMiddleware, verifying over a ScopeRequest."""

    api_cls = _ScopeSecurityAPI
