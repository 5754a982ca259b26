"""Bearer-token authentication, plugged into Connexion's security middleware via `security_map`.

Connexion finds the handler for `bearerAuth` (`type: http, scheme: bearer`) in the map we pass, so
the committed spec carries no Python paths. Every failure is our `Unauthenticated` (401 with
`WWW-Authenticate: Bearer` and a detail saying what to fix), never Connexion's generic problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.security import BearerSecurityHandler

from mockserver.errors import Unauthenticated
from mockserver.state import AppState


def bearer_handler_class(state: AppState) -> type[BearerSecurityHandler]:
    """A Connexion bearer security handler class that checks tokens against `state.store`."""

    class MockBearerHandler(BearerSecurityHandler):
        def get_fn(self, security_scheme: dict, required_scopes: list) -> Callable[[Any], dict]:
            return lambda request: authenticate(state, request.headers.get("authorization"))

    return MockBearerHandler


def authenticate(state: AppState, header: str | None) -> dict[str, Any]:
    """Token info `{"sub": user_id}` for a valid Authorization header, else Unauthenticated."""
    challenge = {"WWW-Authenticate": "Bearer"}
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if not header or not header.strip():
        raise Unauthenticated(
            "Authentication credentials were not provided: send 'Authorization: Bearer <token>'.",
            headers=challenge,
        )
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Unauthenticated(
            "Malformed Authorization header: expected 'Bearer <token>'.", headers=challenge
        )
    user_id = state.store.user_for_token(token)
    if user_id is None:
        raise Unauthenticated(
            "Invalid token: it belongs to no user of this mock's fixtures.", headers=challenge
        )
    return {"sub": user_id}
