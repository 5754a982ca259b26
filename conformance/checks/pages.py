"""Reading listing pages inside checks: an answer that is not a 200 envelope is a Mismatch."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from course_users.conformance import rules
from course_users.conformance.checks.base import Context, Mismatch
from course_users.conformance.client import Exchange
from course_users.conformance.query import Query


@dataclass(frozen=True)
class Page:
    """A 200 answer whose body is a listing envelope."""

    exchange: Exchange
    count: int
    next: str | None
    previous: str | None
    results: list[dict[str, Any]]

    @property
    def ids(self) -> list[int]:
        """Member ids in the order listed."""
        return [member.get("id") for member in self.results]


def fetch(ctx: Context, query: Query) -> Page:
    """GET the listing for `query`; Mismatch unless it is a 200 envelope."""
    return as_page(ctx.list_members(query.params()), query.describe())


def follow(ctx: Context, url: str, what: str) -> Page:
    """GET a `next`/`previous` link; Mismatch unless it is a 200 envelope."""
    return as_page(ctx.client.get(url), what)


def as_page(exchange: Exchange, what: str) -> Page:
    """Check the answer is a 200 listing envelope and unpack it."""
    if exchange.status != 200:
        raise Mismatch(f"HTTP 200 with a listing for {what}", exchange.summary(), exchange)
    body = exchange.body
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("count"), int)
        or not isinstance(body.get("results"), list)
        or not all(isinstance(m, dict) for m in body["results"])
        or not _is_link(body.get("next"))
        or not _is_link(body.get("previous"))
    ):
        raise Mismatch(
            "an envelope {count: int, next: url|null, previous: url|null, results: [...]}",
            exchange.summary(),
            exchange,
        )
    return Page(exchange, body["count"], body.get("next"), body.get("previous"), body["results"])


def fetch_all(ctx: Context, query: Query, max_pages: int = 10) -> tuple[list[Page], list[int]]:
    """Read a whole filtered listing by explicit offsets (pages of the cap), independent of links.

    The offset advances by what each page held, so a server that caps pages lower still works.
    """
    pages: list[Page] = []
    ids: list[int] = []
    offset = 0
    for _ in range(max_pages):
        page = fetch(ctx, query.with_page(rules.MAX_LIMIT, offset))
        pages.append(page)
        ids += page.ids
        offset += len(page.results)
        if not page.results or (len(page.results) < rules.MAX_LIMIT and offset >= page.count):
            break
    return pages, ids


# Why a check set a case aside (CheckResult.set_aside): the oracle's Selection was not exact.
CASE_MAPPING = (
    "cases with members whose search match depends on the database's upper-casing "
    "(PostgreSQL libc vs ICU: ß, ﬁ, ...): those members were not judged"
)

MAX_WALK_PAGES = 8  # pages one walk may take: the request budget of walking checks
MAX_LIMIT = rules.MAX_LIMIT


def walk_window(
    size: int, limit_pick: int, offset_pick: int, start_at_zero: bool = False
) -> tuple[int, int]:
    """A page size and start offset such that walking to the end takes <= MAX_WALK_PAGES pages.

    Small listings are walked whole with small pages (many page boundaries); a listing too big
    for the budget is walked over its last MAX_WALK_PAGES pages of MAX_LIMIT.
    """
    smallest = min(MAX_LIMIT, max(1, math.ceil(size / MAX_WALK_PAGES)))
    largest = max(smallest, min(MAX_LIMIT, math.ceil(size / 2)))
    limit = smallest + limit_pick % (largest - smallest + 1)
    first = max(0, size - MAX_WALK_PAGES * limit)
    if start_at_zero or offset_pick % 2 == 0:
        return limit, first
    # The other half start anywhere from there to the end (even past it).
    return limit, first + (offset_pick // 2) % (size - first + 1)


def _is_link(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.startswith(("http://", "https://")))


def id_diff(expected: set[int], got: list[int]) -> str:
    """Describe how a list of ids differs from the expected set, briefly."""
    got_set = set(got)
    parts = [members(len(got))]
    missing = sorted(expected - got_set)
    extra = sorted(got_set - expected)
    dupes = sorted({i for i in got if got.count(i) > 1})
    if missing:
        parts.append(f"missing ids {short_ids(missing)}")
    if extra:
        parts.append(f"unexpected ids {short_ids(extra)}")
    if dupes:
        parts.append(f"repeated ids {short_ids(dupes)}")
    return "; ".join(parts)


def members(count: int) -> str:
    """`1 member`, `3 members`."""
    return f"{count} member" + ("" if count == 1 else "s")


def link(value: str | None) -> str:
    """A link as JSON shows it (`null` for None)."""
    return "null" if value is None else value


def short_ids(ids: list[int], limit: int = 8) -> str:
    """`[1, 2, 3]`, or the first `limit` ids and how many there are in all."""
    shown = ", ".join(str(i) for i in ids[:limit])
    more = f", ... ({len(ids)} in all)" if len(ids) > limit else ""
    return f"[{shown}{more}]"
