"""Forwarding one request to the upstream and reading its answer, bounded in time and bytes.

The request goes out as the client sent it: the same path and query string bytes, and of its
headers only `Authorization` and `Accept` (the token goes to the upstream and nowhere else). Two
standard headers are added, `X-Forwarded-Host` and `X-Forwarded-Proto`: an upstream that trusts
them (Django's USE_X_FORWARDED_HOST, the mock's --proxy-headers) builds its `next`/`previous`
links on the proxy's origin, so a UI following them stays behind the proxy. No
`Accept-Encoding` is sent, so the body comes back as the upstream wrote it, uncompressed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from mockserver.errors import ApiError

# httpx logs every request at INFO; the access log already has one line per request.
logging.getLogger("httpx").setLevel(logging.WARNING)
MAX_UPSTREAM_BYTES = 8 * 1024 * 1024  # far above a page of 100 members (~40 KB)
UPSTREAM_TIMEOUT_S = 30.0
FORWARDED_REQUEST_HEADERS = (b"authorization", b"accept")
# Not passed back: hop-by-hop and framing headers (the proxy frames its own answer), and CORS
# headers (the mock's CORS layer answers for the proxy's origin).
_DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "content-length", "content-encoding",
        "date", "server",
    }
)  # fmt: skip


class UpstreamUnreachable(ApiError):
    """No answer: the connection failed or broke off (502)."""

    status = 502


class UpstreamTooLarge(ApiError):
    """The upstream's body is larger than the proxy reads (502)."""

    status = 502


class UpstreamTimeout(ApiError):
    """The upstream gave no whole answer within the timeout (504)."""

    status = 504


class ContractViolated(ApiError):
    """--proxy-strict: the upstream's answer breaks the contract (502)."""

    status = 502


@dataclass(frozen=True, slots=True)
class Answer:
    """The upstream's answer: status, headers to pass back, and the body bytes as sent."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header (lower-case `name`), or None."""
        return next((value for key, value in self.headers if key == name), None)


class Upstream:
    """One upstream API root, with a connection pool shared by every request."""

    def __init__(self, api_root: str, *, timeout: float = UPSTREAM_TIMEOUT_S) -> None:
        self.api_root = api_root.rstrip("/")
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The pooled client, made on first use (inside the server's event loop)."""
        if self._client is None:
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
            self._client = httpx.AsyncClient(timeout=self.timeout, limits=limits)
        return self._client

    async def close(self) -> None:
        """Close the pool (at shutdown)."""
        if self._client is not None:
            await self._client.aclose()

    async def forward(
        self, raw_target: bytes, headers: list[tuple[bytes, bytes]], forwarded: tuple[str, str]
    ) -> Answer:
        """GET `raw_target` (the path under the API root and the query, as bytes) upstream.

        `headers` are the client's; `forwarded` is the (proto, host) the client called.
        """
        request = self.client.build_request("GET", self.url(raw_target))
        for name in ("accept", "accept-encoding", "user-agent"):
            del request.headers[name]
        for name, value in headers:
            if name in FORWARDED_REQUEST_HEADERS:
                request.headers[name.decode("latin-1")] = value.decode("latin-1")
        request.headers["x-forwarded-proto"], request.headers["x-forwarded-host"] = forwarded
        try:
            response = await self.client.send(request, stream=True)
            try:
                body = await self._read(response)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise UpstreamTimeout(
                f"The upstream {self.api_root} gave no answer within {self.timeout:g} s."
            ) from None
        except httpx.HTTPError as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            raise UpstreamUnreachable(
                f"The upstream {self.api_root} could not be reached: {reason[:200]}."
            ) from None
        kept = tuple(
            (name, value)
            for name, value in response.headers.multi_items()
            if name not in _DROPPED_RESPONSE_HEADERS and not name.startswith("access-control-")
        )
        return Answer(response.status_code, kept, body)

    def url(self, raw_target: bytes) -> httpx.URL:
        """The upstream URL for a path-and-query under the API root, its bytes kept as sent."""
        root = httpx.URL(self.api_root)
        return root.copy_with(raw_path=root.raw_path.rstrip(b"/") + raw_target)

    async def _read(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_UPSTREAM_BYTES:
                raise UpstreamTooLarge(
                    f"The upstream {self.api_root} answered more than "
                    f"{MAX_UPSTREAM_BYTES:,} bytes; the proxy reads no more."
                )
            chunks.append(chunk)
        return b"".join(chunks)
