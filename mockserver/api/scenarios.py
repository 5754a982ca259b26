"""Unhappy-path scenarios for UI work: Prism-compatible `Prefer` header, latency, error rate.

- `Prefer: code=403` answers with that documented response and its example body (a status the
  operation does not document is a 400 saying so); `code=200` serves the real, computed answer.
- `Prefer: example=pastTheEnd` answers the documented 200 with that named example (Prism's
  convention); with `code=N` it picks among that response's examples. An unknown name is a 400
  naming the known ones.
- `Prefer: delay=500` waits 500 ms first. They combine: `Prefer: code=503, delay=2000`.
- `--latency MS|MIN-MAX` delays every API request; `--error-rate F` answers that fraction of API
  requests with a simulated 500 or 503.

Runs as a Connexion middleware after routing (it needs the operation) and before security, so a
forced 401 or 403 does not need a valid token.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from course_users.mockserver.api.state import AppState
from course_users.mockserver.errors import BadParameter, SimulatedFailure

MAX_DELAY_MS = 60_000
SUCCESS = 200  # the response `example=` picks from when no `code=` is given
_EXAMPLE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


@dataclass(frozen=True, slots=True)
class CannedResponse:
    """A documented response: status, example body, documented headers' examples."""

    status: int
    body: bytes  # the `example`, or the first of the named `examples`
    headers: tuple[tuple[bytes, bytes], ...]
    named: dict[str, bytes] = field(default_factory=dict)  # the `examples`, by name

    def example(self, name: str) -> bytes:
        """The body of the named example; a 400 naming the known ones when there is none."""
        try:
            return self.named[name]
        except KeyError:
            known = ", ".join(self.named) or "none"
            reason = f"is not an example of the {self.status} response (known: {known})"
            raise BadParameter("Prefer", f"example={name}", reason) from None


def canned_responses(spec: dict, operation_id: str) -> dict[int, CannedResponse]:
    """Every documented response of the operation with a JSON example, by status code."""
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return {
                    int(code): _canned(int(code), response)
                    for code, response in operation.get("responses", {}).items()
                    if code.isdigit()
                }
    raise KeyError(operation_id)


def _canned(status: int, response: dict) -> CannedResponse:
    media = response.get("content", {}).get("application/json", {})
    named = {
        name: orjson.dumps(item.get("value")) for name, item in media.get("examples", {}).items()
    }
    example = media.get("example")
    if example is None and media.get("examples"):
        example = next(iter(media["examples"].values())).get("value")
    headers = [(b"content-type", b"application/json")]
    for name, header in response.get("headers", {}).items():
        value = header.get("example", header.get("schema", {}).get("example"))
        if value is not None:
            headers.append((name.lower().encode("latin-1"), str(value).encode("latin-1")))
    return CannedResponse(status, orjson.dumps(example), tuple(headers), named)


@dataclass(frozen=True, slots=True)
class Preference:
    """What a `Prefer` header asks for."""

    code: int | None = None
    delay_ms: int = 0
    example: str | None = None


def parse_prefer(value: str) -> Preference:
    """Parse `code=N`, `example=NAME` and `delay=MS` out of a Prefer header (others are ignored)."""
    code: int | None = None
    delay = 0
    example: str | None = None
    for part in value.replace(";", ",").split(","):
        key, _, raw = part.strip().partition("=")
        key, raw = key.strip().lower(), raw.strip().strip('"')
        if key == "code":
            code = _small_number(raw, 3)
            if code is None:
                raise BadParameter("Prefer", part.strip(), "is not code=<HTTP status>")
        elif key == "delay":
            found = _small_number(raw, len(str(MAX_DELAY_MS)))
            if found is None or found > MAX_DELAY_MS:
                raise BadParameter("Prefer", part.strip(), f"is not delay=<0..{MAX_DELAY_MS} ms>")
            delay = found
        elif key == "example":
            if not _EXAMPLE_NAME.fullmatch(raw):
                raise BadParameter("Prefer", part.strip()[:120], "is not example=<name>")
            example = raw
    return Preference(code, delay, example)


def _small_number(text: str, max_digits: int) -> int | None:
    """`text` as an int when it is 1 to `max_digits` ASCII digits, else None.

    `str.isdigit()` alone is not enough: it is true for superscripts (which `int()` refuses) and
    other non-ASCII digits, and for 5,000 digits, past `int()`'s conversion limit (issue #11).
    """
    if not (0 < len(text) <= max_digits and text.isascii() and text.isdigit()):
        return None
    return int(text)


class ScenarioMiddleware:
    """Applies Prefer, --latency and --error-rate to requests routed to an operation."""

    def __init__(
        self, app: ASGIApp, *, state: AppState, responses: dict[int, CannedResponse]
    ) -> None:
        self.app = app
        self.state = state
        self.responses = responses
        settings = state.settings
        self.active_by_settings = settings.latency != (0, 0) or settings.error_rate > 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not routed(scope):
            await self.app(scope, receive, send)
            return
        prefer = header(scope, b"prefer")
        if prefer is None and not self.active_by_settings:
            await self.app(scope, receive, send)  # the common case costs one header scan
            return
        preference = parse_prefer(prefer) if prefer else Preference()
        await self._delay(preference)
        self._maybe_fail()
        if preference.example is not None:
            await self._send_canned(preference.code or SUCCESS, send, preference.example)
            return
        if preference.code is not None and preference.code != SUCCESS:
            await self._send_canned(preference.code, send)
            return
        await self.app(scope, receive, send)

    async def _delay(self, preference: Preference) -> None:
        low, high = self.state.settings.latency
        milliseconds = preference.delay_ms + (self.state.rng.uniform(low, high) if high else 0)
        if milliseconds:
            await asyncio.sleep(milliseconds / 1000)

    def _maybe_fail(self) -> None:
        rate = self.state.settings.error_rate
        if rate and self.state.rng.random() < rate:
            raise SimulatedFailure(self.state.rng.choice((500, 503)))

    async def _send_canned(self, code: int, send: Send, example: str | None = None) -> None:
        canned = self.responses.get(code)
        if canned is None:
            documented = ", ".join(str(c) for c in sorted(self.responses))
            raise BadParameter(
                "Prefer",
                f"code={code}",
                f"is not a documented response of this operation ({documented})",
            )
        body = canned.body if example is None else canned.example(example)
        await send(
            {
                "type": "http.response.start",
                "status": canned.status,
                "headers": list(canned.headers),
            }
        )
        await send({"type": "http.response.body", "body": body})


def routed(scope: Scope) -> bool:
    """True when Connexion's router matched an operation of the spec."""
    routing: dict[str, Any] = scope.get("extensions", {}).get("connexion_routing", {})
    return routing.get("operation_id") is not None


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (lower-case `name`), or None when absent."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
