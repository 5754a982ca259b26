"""Content negotiation: 406 when the `Accept` header allows no JSON type the mock writes.

The operation documents 406 ("The `Accept` header allows no media type the server can write"), as
DRF answers it, before authentication (DRF negotiates in `APIView.initial`, ahead of the
authenticators). The mock writes `application/json`; `application/problem+json` is accepted too,
because the spec documents it for the error bodies. Each type's quality is that of the most
specific media range matching it (RFC 9110 section 12.5.1): `application/json` beats
`application/*`, which beats `*/*`; `q=0` refuses. No header, or an empty one, accepts anything.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from course_users.mockserver.api.scenarios import header, routed
from course_users.mockserver.errors import NotAcceptable

WRITABLE = ("application/json", "application/problem+json")


def acceptable(accept: str | None) -> bool:
    """True when an Accept header value gives some type in WRITABLE a quality above zero."""
    if accept is None or not accept.strip():
        return True
    ranges = [_media_range(part) for part in accept.split(",") if part.strip()]
    return any(_quality(media_type, ranges) > 0 for media_type in WRITABLE)


def _media_range(text: str) -> tuple[str, float]:
    """`type/subtype` (lower-cased) and its q-value; a malformed q-value counts as 1."""
    media, *params = text.split(";")
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                quality = 1.0
            if not 0 <= quality <= 1:  # also NaN: q is 0..1 with up to three decimals
                quality = 1.0
    return media.strip().lower(), quality


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value of the most specific range matching `media_type` (0 when none does)."""
    kind = media_type.split("/")[0]
    by_specificity = {media_type: 3, f"{kind}/*": 2, "*/*": 1}
    best, quality = 0, 0.0
    for media, q in ranges:
        rank = by_specificity.get(media, 0)
        if rank > best or (rank == best and rank and q > quality):
            best, quality = rank, q
    return quality


class NegotiationMiddleware:
    """Raises NotAcceptable for routed API requests whose Accept header refuses JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and routed(scope) and not acceptable(header(scope, b"accept")):
            raise NotAcceptable("Could not satisfy the request Accept header.")
        await self.app(scope, receive, send)
