"""The request's query string, parsed once per request and shared by whoever needs it.

The parameter validator, the dispatcher and the handler all read the query; parsing it (and
percent-decoding a JSON-list `statuses`) three times was a sixth of a request's cost. The parsed
form is kept in the ASGI scope, which Connexion passes unchanged from routing to the handler.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import Scope

_KEY = "mockserver.query"


def query_values(scope: Scope) -> dict[str, list[str]]:
    """Every query parameter's values in order, as sent (blank values kept)."""
    found = scope.get(_KEY)
    if found is None:
        found = {}
        query = scope.get("query_string", b"").decode("latin-1")
        for key, value in parse_qsl(query, keep_blank_values=True):
            found.setdefault(key, []).append(value)
        scope[_KEY] = found
    return found
