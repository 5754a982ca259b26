"""`next` and `previous` links the way Django REST Framework's LimitOffsetPagination builds them.

Both start from the request's absolute URL, keep every other query parameter (DRF re-encodes the
query with its keys sorted, and so do we), set `limit` to the effective page size, and set or drop
`offset`. No HTTP objects here: the caller passes the URL parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from mockserver.faults import NO_FAULT, Fault


@dataclass(frozen=True, slots=True)
class RequestUrl:
    """The parts of the request URL the links are built from."""

    scheme: str
    host: str
    path: str
    query: str

    def with_params(self, changes: dict[str, int | None]) -> str:
        """This URL with `changes` applied (None removes the parameter), keys sorted like DRF."""
        params: dict[str, list[str]] = {}
        for key, value in parse_qsl(self.query, keep_blank_values=True):
            params.setdefault(key, []).append(value)
        for key, change in changes.items():
            if change is None:
                params.pop(key, None)
            else:
                params[key] = [str(change)]
        query = urlencode(sorted(params.items()), doseq=True)
        return f"{self.scheme}://{self.host}{self.path}" + (f"?{query}" if query else "")


def next_link(
    url: RequestUrl, *, offset: int, limit: int, count: int, fault: Fault = NO_FAULT
) -> str | None:
    """The next page's URL, or None when this page reaches the end."""
    if offset + limit >= count or fault.on("next-missing"):
        return None
    step = limit + 1 if fault.on("next-wrong-offset") else limit
    return url.with_params({"limit": limit, "offset": offset + step})


def previous_link(
    url: RequestUrl, *, offset: int, limit: int, fault: Fault = NO_FAULT
) -> str | None:
    """The previous page's URL (without `offset` when it would be 0), or None on the first page."""
    if offset <= 0:
        return None
    if fault.on("previous-wrong"):
        return url.with_params({"limit": limit, "offset": offset})
    if offset - limit <= 0:
        return url.with_params({"limit": limit, "offset": None})
    return url.with_params({"limit": limit, "offset": offset - limit})
