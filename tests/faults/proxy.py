"""A forwarding ASGI app: every request goes to a real mock, and one bug may change the exchange.

The proxy keeps the query string as sent (pieces are dropped or added, never re-encoded), sends the
client's Host header on, so the mock's `next`/`previous` links point back at the proxy and a walk
through the pages stays on the faulty server, and passes every other header both ways except the
hop-by-hop ones and those describing the body's encoding (the body is re-sent decoded).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from urllib.parse import unquote_plus, urlencode

import httpx
from starlette.types import Receive, Scope, Send

# Not passed on: hop-by-hop headers, and what describes a body the proxy re-sends decoded.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "accept-encoding",
        "date",
        "server",
    }
)
_LISTING = re.compile(r"^/api/v2/course/([0-9]+)/users/$")
MAX_ID_DIGITS = 19  # fixture ids are at most 2**63 - 1


@dataclass(frozen=True, slots=True)
class Param:
    """One `name=value` piece of a query string: decoded, and as sent."""

    name: str
    value: str
    raw: str

    @classmethod
    def make(cls, name: str, value: str | int) -> Param:
        return cls(name, str(value), urlencode({name: value}))


@dataclass(frozen=True, slots=True)
class Query:
    """A query string as its pieces, in order; edits keep the other pieces byte for byte."""

    params: tuple[Param, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Query:
        pieces = []
        for raw in text.split("&"):
            if raw:
                name, _, value = raw.partition("=")
                pieces.append(Param(unquote_plus(name), unquote_plus(value), raw))
        return cls(tuple(pieces))

    @property
    def text(self) -> str:
        return "&".join(param.raw for param in self.params)

    def values(self, name: str) -> list[str]:
        return [param.value for param in self.params if param.name == name]

    def last(self, name: str) -> str | None:
        """The value the mock uses for a scalar parameter sent more than once (Connexion: last)."""
        values = self.values(name)
        return values[-1] if values else None

    def keep(self, wanted: Callable[[Param], bool]) -> Query:
        return Query(tuple(param for param in self.params if wanted(param)))

    def without(self, *names: str) -> Query:
        return self.keep(lambda param: param.name not in names)

    def plus(self, name: str, value: str | int) -> Query:
        return Query((*self.params, Param.make(name, value)))

    def setting(self, name: str, value: str | int) -> Query:
        """This query with every `name` piece replaced by one `name=value`."""
        return self.without(name).plus(name, value)


@dataclass(frozen=True, slots=True)
class Incoming:
    """A request as the proxy received it."""

    method: str
    path: str
    query: Query
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def with_query(self, query: Query) -> Incoming:
        return replace(self, query=query)

    def with_token(self, token: str) -> Incoming:
        kept = tuple((key, value) for key, value in self.headers if key != "authorization")
        return replace(self, headers=(*kept, ("authorization", f"Bearer {token}")))

    @property
    def course_id(self) -> int | None:
        """The course of a GET on the list endpoint, None for any other request."""
        found = _LISTING.match(self.path)
        if self.method != "GET" or found is None:
            return None
        digits = found.group(1).lstrip("0") or "0"
        return int(digits) if len(digits) <= MAX_ID_DIGITS else -1  # -1: no such course


@dataclass(slots=True)
class Answer:
    """What the proxy is about to send back; a bug edits it."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def json(self) -> dict:
        return json.loads(self.body)

    def set_json(self, value: object) -> None:
        # Compact, as the mock writes it (orjson), so only the edited values differ.
        self.body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    def drop_header(self, name: str) -> None:
        self.headers = [(key, value) for key, value in self.headers if key != name]

    def set_header(self, name: str, value: str) -> None:
        self.drop_header(name)
        self.headers.append((name, value))

    @property
    def is_page(self) -> bool:
        """A 200 JSON answer: the envelope with `count`, `next`, `previous`, `results`."""
        content_type = next((v for k, v in self.headers if k == "content-type"), "")
        return self.status == 200 and content_type.startswith("application/json")


class Upstream:
    """The real mock the proxy forwards to, over one HTTP client per event loop."""

    def __init__(self, origin: str) -> None:
        self.origin = origin.rstrip("/")
        self._client: httpx.AsyncClient | None = None

    async def send(self, request: Incoming) -> Answer:
        if self._client is None:  # created here: it belongs to the server thread's event loop
            self._client = httpx.AsyncClient(timeout=60)
        query = request.query.text
        url = self.origin + request.path + (f"?{query}" if query else "")
        headers = [(key, value) for key, value in request.headers if key not in _NOT_FORWARDED]
        got = await self._client.request(
            request.method, httpx.URL(url), headers=headers, content=request.body or None
        )
        kept = [(k, v) for k, v in got.headers.multi_items() if k not in _NOT_FORWARDED]
        return Answer(got.status_code, kept, got.content)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


Bug = Callable[[Incoming, Upstream], Awaitable[Answer]]
Edit = Callable[[Incoming, Answer], None]


def editing(edit: Edit, rewrite_query: Callable[[str], str] = lambda query: query) -> Bug:
    """A bug that forwards the request (its query string rewritten) and lets `edit` change the
    answer: the shape of most one-off bugs in the suite's own tests."""

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        query = Query.parse(rewrite_query(request.query.text))
        answer = await upstream.send(request.with_query(query))
        edit(request, answer)
        return answer

    return bug


class FaultProxy:
    """An ASGI app answering every request through `bug`, which forwards it to `upstream`."""

    def __init__(self, bug: Bug, upstream: Upstream) -> None:
        self.bug = bug
        self.upstream = upstream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            answer = await self.bug(await _incoming(scope, receive), self.upstream)
            await _respond(answer, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.upstream.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _incoming(scope: Scope, receive: Receive) -> Incoming:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
    return Incoming(
        method=scope["method"],
        path=path.partition("?")[0],
        query=Query.parse(scope.get("query_string", b"").decode("latin-1")),
        headers=headers,
        body=body,
    )


async def _respond(answer: Answer, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
