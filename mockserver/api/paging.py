"""`next` and `previous` links the way Django REST Framework's LimitOffsetPagination builds them.

Both start from the request's absolute URL, keep every other query parameter (DRF re-encodes the
query with its keys sorted, and so do we), set `limit` to the effective page size, and set or drop
`offset`. No HTTP objects here: the caller passes the URL parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode


@dataclass(frozen=True, slots=True)
class RequestUrl:
    """The parts of the request URL the links are built from."""

    scheme: str
    host: str
    path: str
    query: str

    def with_page(self, limit: int, offset: int | None) -> str:
        """This URL with `limit` and `offset` set (None drops offset), keys sorted like DRF."""
        pairs = [*_kept_pairs(self.query), ("limit", f"limit={limit}")]
        if offset is not None:
            pairs.append(("offset", f"offset={offset}"))
        pairs.sort(key=_first)  # stable: a repeated key keeps its values' order, as in DRF
        query = "&".join(encoded for _, encoded in pairs)
        return f"{self.scheme}://{self.host}{self.path}?{query}"


def _first(pair: tuple[str, str]) -> str:
    return pair[0]


@lru_cache(maxsize=1024)
def _kept_pairs(query: str) -> tuple[tuple[str, str], ...]:
    """The query's parameters other than limit/offset, each encoded once (cached per query)."""
    return tuple(
        (key, urlencode({key: value}))
        for key, value in parse_qsl(query, keep_blank_values=True)
        if key not in _PAGE_KEYS
    )


_PAGE_KEYS = frozenset({"limit", "offset"})


def next_link(url: RequestUrl, *, offset: int, limit: int, count: int) -> str | None:
    """The next page's URL, or None when this page reaches the end."""
    if offset + limit >= count:
        return None
    return url.with_page(limit, offset + limit)


def previous_link(url: RequestUrl, *, offset: int, limit: int) -> str | None:
    """The previous page's URL (without `offset` when it would be 0), or None on the first page."""
    if offset <= 0:
        return None
    if offset - limit <= 0:
        return url.with_page(limit, None)
    return url.with_page(limit, offset - limit)
