"""The HTTP layer: one place that talks to the server and remembers what it sent.

Every call returns an `Exchange` (request and answer together) so any check can turn the request
that exposed a bug into a ready-to-paste curl command.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

API_BASE_PATH = "/api/v2"
USE_SETTINGS_TOKEN: Any = object()  # sentinel: send the run's own token


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

    def curl(self) -> str:
        """The request as a curl command a person can paste into a shell."""
        parts = ["curl", "-sS", "-i"]
        for name, value in self.request_headers.items():
            parts += ["-H", f"{name}: {value}"]
        parts.append(self.url)
        return " ".join(shlex.quote(part) for part in parts)

    def summary(self, limit: int = 300) -> str:
        """What came back, in one line: status and the start of the body."""
        if self.status is None:
            return f"no answer ({self.error})"
        text = " ".join(self.text.split())
        if len(text) > limit:
            text = text[:limit] + "..."
        return f"HTTP {self.status} {text}".rstrip()


class ApiClient:
    """Talks to one server's course users endpoint with a default bearer token."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.root = api_root(base_url)
        self.token = token
        self.requests = 0  # how many requests this client sent (reported as the run's cost)
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
        """
        headers = {"Accept": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token is not None:
            headers["Authorization"] = (
                f"Bearer {self.token if token is USE_SETTINGS_TOKEN else token}"
            )
        self.requests += 1
        try:
            response = self._http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            return Exchange("GET", url, headers, None, error=f"{type(exc).__name__}: {exc}")
        return Exchange(
            "GET",
            str(response.request.url),
            headers,
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.text,
            _parse_json(response.text),
        )


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
