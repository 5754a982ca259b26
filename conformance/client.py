"""The HTTP layer: one place that talks to the server and remembers what it sent.

Every call returns an `Exchange` (request and answer together) so any check can turn the request
that exposed a bug into a ready-to-paste curl command.

The server is not trusted. The token goes only to the origin of the base URL: a link elsewhere is
never followed. Each answer must arrive whole within the timeout (in total, not per read) and
within `MAX_BODY_BYTES` once decompressed; JSON nested past what the parser allows is "not JSON",
never a crash; and the run as a whole stops at its deadline (`RunDeadlineExceeded`).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson

from course_users.conformance.errors import CannotRun
from course_users.conformance.redaction import NO_REDACTION, Redactor
from course_users.openapi.contract import CONTRACT

API_BASE_PATH = CONTRACT.base_path
USE_SETTINGS_TOKEN: Any = object()  # sentinel: send the run's own token
# A listing page of 100 members is ~30 KB; anything near this is not an answer worth reading.
MAX_BODY_BYTES = 8 * 1024 * 1024


class RunDeadlineExceeded(CannotRun):
    """The run reached its overall deadline before it could finish."""


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port made explicit, so equal origins compare equal."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unparsable port matches no origin
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port or default


def printable(text: str) -> str:
    """`text` with control characters escaped (`\\x1b`), safe for terminals and log lines."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    if unicodedata.category(char) in ("Zs",):
        return char
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def api_root(base_url: str, base_path: str = API_BASE_PATH) -> str:
    """Return the API root for a server URL: origin (plus any prefix) + /api/v2, no trailing slash.

    `http://h:8000`, `http://h:8000/` and `http://h:8000/api/v2/` all give `http://h:8000/api/v2`.
    """
    parts = urlsplit(base_url.strip())
    path = parts.path.rstrip("/")
    if not path.endswith(base_path.rstrip("/")):
        path = path + base_path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (status None when no HTTP answer came back)."""

    method: str
    url: str
    request_headers: dict[str, str]
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    body: Any = None
    error: str | None = None

    @property
    def is_json(self) -> bool:
        """Whether the answer parsed as JSON."""
        return self.body is not None

    def curl(self, redactor: Redactor = NO_REDACTION) -> str:
        """The request as a curl command a person can paste into a shell.

        A secret the redactor knows is written as `$VARIABLE`, which the shell expands.
        """
        parts = ["curl", "-sS", "-i"]
        for name, value in self.request_headers.items():
            parts += ["-H", f"{name}: {value}"]
        parts.append(self.url)
        return " ".join(redactor.shell_word(part) for part in parts)

    def summary(self, limit: int = 300) -> str:
        """What came back, in one line: status and the start of the body, control chars escaped."""
        if self.status is None:
            return f"no answer ({printable(self.error or '')})"
        text = " ".join(self.text[: limit * 4].split())
        if len(text) > limit:
            text = text[:limit] + "..."
        answer = f"HTTP {self.status} {printable(text)}".rstrip()
        return f"{answer} ({printable(self.error)})" if self.error else answer


class ApiClient:
    """Talks to one server's course users endpoint with a default bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        deadline: float | None = None,
    ) -> None:
        """`timeout` bounds each whole answer; `deadline` (time.monotonic()) bounds the run."""
        self.root = api_root(base_url)
        self.token = token
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.deadline = deadline
        self.requests = 0  # how many requests this client sent (reported as the run's cost)
        self._origin = origin(self.root)
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def members_url(self, course_id: str) -> str:
        """The absolute URL of a course's member listing (no query string)."""
        return f"{self.root}/course/{course_id}/users/"

    def same_origin(self, url: str) -> bool:
        """Whether `url` is on the base URL's origin (scheme, host and port)."""
        return origin(url) == self._origin

    def list_members(
        self,
        course_id: str,
        params: Sequence[tuple[str, str]] = (),
        token: Any = USE_SETTINGS_TOKEN,
        authorization: str | None = None,
    ) -> Exchange:
        """GET the member listing with query parameters in the given order (repeats allowed)."""
        url = str(httpx.URL(self.members_url(course_id), params=list(params)))
        return self.get(url, token=token, authorization=authorization)

    def get(
        self, url: str, token: Any = USE_SETTINGS_TOKEN, authorization: str | None = None
    ) -> Exchange:
        """GET an absolute URL (e.g. a `next` link) and record the exchange.

        `token=None` sends no Authorization header; `authorization` sends that header verbatim.
        A URL on another origin is not requested at all: the exchange says why.
        """
        headers = {"Accept": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token is not None:
            headers["Authorization"] = (
                f"Bearer {self.token if token is USE_SETTINGS_TOKEN else token}"
            )
        if not self.same_origin(url):
            return Exchange(
                "GET",
                url,
                {},
                None,
                error=f"not followed: {url} is not on {_show_origin(self._origin)}, "
                "the only origin the token is sent to",
            )
        try:
            raw = self.fetch(url, headers)
        except httpx.HTTPError as exc:
            return Exchange("GET", url, headers, None, error=f"{type(exc).__name__}: {exc}")
        answer = {name.lower(): value for name, value in raw.headers}
        text = _decode(raw.content, raw.charset)
        body = None if raw.problem else _parse_json(raw.content)
        return Exchange(
            "GET", raw.url, headers, raw.status, answer, text, body, error=raw.problem
        )  # fmt: skip

    def fetch(
        self,
        url: str,
        headers: dict[str, str],
        params: Sequence[tuple[str, str]] | dict[str, Any] | None = None,
    ) -> RawAnswer:
        """GET `url` on the base URL's origin, bounded in total time and decompressed bytes.

        Raises httpx.HTTPError when no answer came, RunDeadlineExceeded past the run's deadline.
        """
        if not self.same_origin(url):
            raise httpx.InvalidURL(f"{url} is not on {_show_origin(self._origin)}")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise RunDeadlineExceeded(
                f"the run reached its deadline after {self.requests} "
                f"request{'' if self.requests == 1 else 's'}"
            )
        self.requests += 1
        started = time.monotonic()
        with self._http.stream("GET", url, headers=headers, params=params) as response:
            data = bytearray()
            problem = None
            # Decompressed bytes, counted as they come: a slow drip or a bomb stops here.
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > self.max_body_bytes:
                    problem = f"body longer than {self.max_body_bytes} bytes, not read further"
                    break
                if time.monotonic() - started > self.timeout:
                    problem = f"body not complete within {self.timeout:g} s, not read further"
                    break
            return RawAnswer(
                url=str(response.request.url),
                request=response.request,
                status=response.status_code,
                reason=response.reason_phrase,
                http_version=response.http_version,
                headers=list(response.headers.items()),
                charset=response.charset_encoding,
                content=bytes(data[: self.max_body_bytes]),
                seconds=time.monotonic() - started,
                problem=problem,
            )


@dataclass(frozen=True)
class RawAnswer:
    """An answer as it came (up to the byte cap), for layers that judge it themselves."""

    url: str
    request: httpx.Request
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    charset: str | None
    content: bytes
    seconds: float
    problem: str | None  # why the body was not read whole (too long, too slow)


def _show_origin(value: tuple[str, str, int | None]) -> str:
    scheme, host, port = value
    return f"{scheme}://{host}:{port}"


def _decode(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace")


def _parse_json(data: bytes) -> Any:
    # orjson refuses nesting past 1024 levels with a ValueError, where json would recurse.
    try:
        return orjson.loads(data)
    except ValueError:
        return None
