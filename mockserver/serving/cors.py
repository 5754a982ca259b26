"""Which browser origins may call the mock: local ones always, plus `--cors-origin` values.

A value is an exact origin (`http://192.168.1.5:5173`), a pattern with `*` for one or more host
labels or for the port (`https://*.example.test`, `http://10.0.0.7:*`), or `*` alone: any origin,
answered `Access-Control-Allow-Origin: *` (no credentials; the bearer token is a header, so none
are needed). The matching itself is Starlette's `CORSMiddleware` (`allow_origins` for exact
origins, one `allow_origin_regex` for the local rule and the patterns).
"""

from __future__ import annotations

import re
from typing import Any

from course_users.openapi.commandline import InvalidValue

LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"
ANY_ORIGIN = "*"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = rf"(?:\*|{_LABEL}|\[[0-9A-Fa-f:.]+\])"  # a DNS label, an IP literal, or `*`
_ORIGIN = re.compile(rf"https?://(?:{_HOST}\.)*{_HOST}(?::(?:\d{{1,5}}|\*))?")
_EXPLAIN = "is not an origin (scheme://host[:port], a pattern like https://*.example.test, or *)"


def parse_origins(text: str) -> tuple[str, ...]:
    """Comma-separated origins and patterns from `text`; a bad one is an InvalidValue quoting it."""
    origins = tuple(part.strip() for part in text.split(",") if part.strip())
    for origin in origins:
        if origin != ANY_ORIGIN and not _ORIGIN.fullmatch(origin):
            raise InvalidValue(_EXPLAIN, quoted=origin)
    return origins


def cors_options(origins: tuple[str, ...]) -> dict[str, Any]:
    """`allow_origins` / `allow_origin_regex` for Starlette's CORSMiddleware."""
    if ANY_ORIGIN in origins:
        return {"allow_origins": [ANY_ORIGIN]}
    exact = [origin for origin in origins if "*" not in origin]
    patterns = [_pattern_regex(origin) for origin in origins if "*" in origin]
    regex = "|".join([f"(?:{LOCAL_ORIGINS})", *patterns])
    return {"allow_origins": exact, "allow_origin_regex": regex}


def _pattern_regex(pattern: str) -> str:
    """`https://*.example.test` as a regex: `*` is one or more host labels, or any port."""
    found = re.fullmatch(r"(https?)://(.+?)(?::(\d+|\*))?", pattern)
    assert found is not None  # parse_origins let it through
    scheme, host, port = found.groups()
    host_regex = re.escape(host).replace(r"\*", rf"{_LABEL}(?:\.{_LABEL})*")
    port_regex = "" if port is None else r":\d+" if port == "*" else ":" + port
    return f"(?:{scheme}://{host_regex}{port_regex})"
