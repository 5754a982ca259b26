"""Forwarding one request to the upstream and reading its answer, bounded in time and bytes.

The request goes out as the client sent it: the same path and query string bytes, and of its
headers only `Authorization` and `Accept` (the token goes to the upstream and nowhere else). Two
standard headers are added, `X-Forwarded-Host` and `X-Forwarded-Proto`: an upstream that trusts
them (Django's USE_X_FORWARDED_HOST, the mock's --proxy-headers) builds its `next`/`previous`
links on the proxy's origin, so a UI following them stays behind the proxy. No
`Accept-Encoding` is sent, so the body comes back as the upstream wrote it, uncompressed.

The client is aiohttp's, one session with one connection pool for the process: under load the
forwarding hop was most of the proxy's CPU with httpx (its transport probes each pooled socket
and retries a failing `import sniffio` several times per request), and aiohttp's C parser and
plain asyncio streams cost a fraction of that. Nothing is kept across requests but connections:
no cookie jar, no redirects followed (the answer, a 3xx too, is the upstream's), no netrc.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_from_bytes

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from course_users.mockserver.errors import ApiError

MAX_UPSTREAM_BYTES = 8 * 1024 * 1024  # far above a page of 100 members (~40 KB)
MAX_HEADER_LINE_BYTES = 16 * 1024  # h11's bound on a header block, which httpx had
UPSTREAM_TIMEOUT_S = 30.0
POOL_SIZE = 64
# Below the keep-alive timeout of common servers (uvicorn 5 s), so a pooled connection is
# dropped by the proxy before the upstream closes it under a request.
KEEPALIVE_S = 4.0
FORWARDED_REQUEST_HEADERS = (b"authorization", b"accept")
# The client's defaults the upstream must not see: it gets the client's Accept or none.
_SKIPPED_DEFAULT_HEADERS = ("Accept", "Accept-Encoding", "User-Agent")
# A request target's printable ASCII goes out as sent; anything else, percent-encoded.
_TARGET_SAFE = bytes(range(0x21, 0x7F))
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
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The pooled session, made on first use (inside the server's event loop)."""
        if self._session is None:
            proxy, proxy_auth = env_proxy(self.api_root)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=POOL_SIZE, keepalive_timeout=KEEPALIVE_S, ttl_dns_cache=60
                ),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_SKIPPED_DEFAULT_HEADERS,
                proxy=proxy,
                proxy_auth=proxy_auth,
                max_line_size=MAX_HEADER_LINE_BYTES,
                max_field_size=MAX_HEADER_LINE_BYTES,
            )
        return self._session

    async def close(self) -> None:
        """Close the pool (at shutdown)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def forward(
        self, raw_target: bytes, headers: list[tuple[bytes, bytes]], forwarded: tuple[str, str]
    ) -> Answer:
        """GET `raw_target` (the path under the API root and the query, as bytes) upstream.

        `headers` are the client's; `forwarded` is the (proto, host) the client called.
        """
        sent = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in headers
            if name in FORWARDED_REQUEST_HEADERS
        }
        sent["X-Forwarded-Proto"], sent["X-Forwarded-Host"] = forwarded
        try:
            async with self.session.get(
                self.url(raw_target), headers=sent, allow_redirects=False
            ) as response:
                body = await self._read(response)
                return Answer(response.status, _passed_back(response.raw_headers), body)
        except TimeoutError:
            raise UpstreamTimeout(
                f"The upstream {self.api_root} gave no answer within {self.timeout:g} s."
            ) from None
        except aiohttp.ClientError as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            raise UpstreamUnreachable(
                f"The upstream {self.api_root} could not be reached: {reason[:200]}."
            ) from None

    def url(self, raw_target: bytes) -> URL:
        """The upstream URL for a path-and-query under the API root, its bytes kept as sent."""
        target = quote_from_bytes(raw_target, safe=_TARGET_SAFE)
        return URL(self.api_root + target, encoded=True)

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > MAX_UPSTREAM_BYTES:
                raise UpstreamTooLarge(
                    f"The upstream {self.api_root} answered more than "
                    f"{MAX_UPSTREAM_BYTES:,} bytes; the proxy reads no more."
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _passed_back(raw: tuple[tuple[bytes, bytes], ...]) -> tuple[tuple[str, str], ...]:
    """The headers to pass back, names lower-cased, bytes read as latin-1 (so they go out as
    they came in)."""
    kept = []
    for name, value in raw:
        lowered = name.decode("latin-1").lower()
        if lowered not in _DROPPED_RESPONSE_HEADERS and not lowered.startswith("access-control-"):
            kept.append((lowered, value.decode("latin-1")))
    return tuple(kept)


def env_proxy(url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """The HTTP(S)_PROXY the environment names for `url` (NO_PROXY honoured), as httpx read it."""
    try:
        return get_env_proxy_for_url(URL(url))
    except LookupError:
        return None, None
