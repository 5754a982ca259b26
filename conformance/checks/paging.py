"""Paging checks: count, page sizes, and `next`/`previous` links that walk the listing exactly."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, parse_qsl, urlsplit

from hypothesis import strategies as st

from course_users.conformance import rules
from course_users.conformance.checks import strategies
from course_users.conformance.checks.base import (
    Check,
    CheckResult,
    Context,
    Mismatch,
    property_check,
)
from course_users.conformance.checks.ordering import keys, verdict_walk
from course_users.conformance.checks.pages import (
    CASE_MAPPING,
    MAX_WALK_PAGES,
    Page,
    fetch,
    follow,
    link,
    members,
    walk_window,
)
from course_users.conformance.oracle import Oracle
from course_users.conformance.query import Query

# Explicit examples: the biggest listing (several pages) and a small one.
JOINED = Query(statuses=(rules.STATUSES.joined,), form="plain")
MANAGERS = Query(statuses=(rules.STATUSES.manager,), form="plain")
LIMITS = st.integers(1, rules.MAX_LIMIT)  # every page size the contract serves as asked


@dataclass(frozen=True)
class Walk:
    """The pages met following `next` from a first page; `ended` is False if links never stopped."""

    start: int
    pages: list[Page]
    ended: bool


def walk_next(ctx: Context, query: Query, offset: int, limit: int) -> Walk:
    """Fetch one page, then follow `next` links (at most MAX_WALK_PAGES + 2 pages)."""
    pages = [fetch(ctx, query.with_page(limit, offset))]
    while pages[-1].next is not None:
        if len(pages) >= MAX_WALK_PAGES + 2:
            return Walk(offset, pages, ended=False)
        pages.append(follow(ctx, pages[-1].next, f"the `next` link of page {len(pages)}"))
    return Walk(offset, pages, ended=True)


def verdict_next_null(pages: list[Page], start: int) -> tuple[int, str] | None:
    """None when `next` is null on exactly the page that reaches `count`; else (page, why)."""
    position = start
    for index, page in enumerate(pages):
        position += len(page.results)
        at_end = position >= page.count
        if page.next is None and not at_end:
            return index, (
                f"next=null after member {position} of count={page.count} "
                f"({page.count - position} not listed yet)"
            )
        if page.next is not None and at_end:
            return (
                index,
                f"next={page.next} although this page reaches the end (count={page.count})",
            )
    return None


def expected_page_size(size: int, limit: int, offset: int) -> int:
    """How many members a page holds: min(limit, members left), none at or past the end."""
    return max(0, min(limit, size - offset))


def verdict_link_limit(url: str | None, limit: int) -> str | None:
    """None when a link carries `limit=<limit>` (or is null); else what it carries."""
    if url is None:
        return None
    found = parse_qs(urlsplit(url).query, keep_blank_values=True).get("limit")
    if found == [str(limit)]:
        return None
    shown = "no limit" if not found else "limit=" + ",".join(found)
    return f"{shown} in {url} (the page size is {limit})"


def verdict_link_page(url: str, request_query: str, offset: int | None) -> str | None:
    """None when a link is the request's query with only `limit`/`offset` changed.

    The other parameters (statuses, search, ordering, any other) are kept with their values,
    in any order; `offset` is `offset`, or absent when `offset` is None (a previous link back
    to the first page). The link's `limit` is `verdict_link_limit`'s business.
    """
    link_pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    kept = sorted((k, v) for k, v in parse_qsl(request_query, keep_blank_values=True)
                  if k not in PAGE_KEYS)  # fmt: skip
    carried = sorted((k, v) for k, v in link_pairs if k not in PAGE_KEYS)
    if carried != kept:
        lost = sorted(set(kept) - set(carried))
        added = sorted(set(carried) - set(kept))
        parts = [f"lost {_pairs(lost)}" if lost else "", f"added {_pairs(added)}" if added else ""]
        changed = "; ".join(part for part in parts if part) or "changed repeated parameters"
        return f"{url} does not keep the request's other parameters ({changed})"
    offsets = [v for k, v in link_pairs if k == "offset"]
    wanted = [] if offset is None else [str(offset)]
    if offsets != wanted:
        shown = f"offset={','.join(offsets)}" if offsets else "no offset"
        expected = "no offset" if offset is None else f"offset={offset}"
        return f"{url} has {shown}, expected {expected}"
    return None


PAGE_KEYS = frozenset({"limit", "offset"})


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs[:4]) + (", ..." if len(pairs) > 4 else "")


def _walk_args() -> st.SearchStrategy[tuple[Query, int, int]]:
    """A filter, a pick for the page size and a pick for the start offset."""
    return st.tuples(
        strategies.basic_query(ordering=True),
        st.integers(0, 1000),
        st.integers(0, 1000),
    )


def count_matches_oracle(ctx: Context) -> CheckResult:
    """`count` equals the number of oracle members the filter selects, under every filter."""
    name = "paging.count_matches_oracle"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(query: Query) -> None:
        page = fetch(ctx, query.with_page(1, 0))
        expected = oracle.selection(query.effective_statuses, query.search)
        if not expected.exact:
            ctx.set_aside(CASE_MAPPING)
        low, high = len(expected.sure), len(expected.most)
        if not low <= page.count <= high:
            wanted = f"count={low}" if low == high else f"count from {low} to {high}"
            raise Mismatch(f"{wanted} for {query.describe()}", f"count={page.count}", page.exchange)

    strategy = st.one_of(strategies.basic_query(), strategies.filtered_query(oracle))
    return property_check(ctx, name, strategy, body, [JOINED, MANAGERS])


def count_stable(ctx: Context) -> CheckResult:
    """`count` is the same on the first page, a middle page and past the end."""
    name = "paging.count_stable"

    def body(args: tuple[Query, int, int]) -> None:
        query, limit, offset = args
        first = fetch(ctx, query.with_page(limit, 0))
        size = max(first.count, 0)  # a negative count must fail below, not crash the modulo
        for other_offset in (offset % (size + 1), size + offset):
            other = fetch(ctx, query.with_page(limit, other_offset))
            if other.count != first.count:
                raise Mismatch(
                    f"count={first.count} on every page (as at offset 0)",
                    f"count={other.count} at offset {other_offset}",
                    other.exchange,
                    first.exchange,
                )

    strategy = st.tuples(strategies.basic_query(), LIMITS, st.integers(0, 400))
    return property_check(ctx, name, strategy, body, [(JOINED, 20, 40)])


def page_size_le_limit(ctx: Context) -> CheckResult:
    """A page never holds more than `limit` members."""
    name = "paging.page_size_le_limit"

    def body(args: tuple[Query, int, int]) -> None:
        query, limit, offset = args
        page = fetch(ctx, query.with_page(limit, offset))
        if len(page.results) > limit:
            raise Mismatch(
                f"at most limit={limit} members", members(len(page.results)), page.exchange
            )

    strategy = st.tuples(strategies.basic_query(), st.integers(1, 60), st.integers(0, 300))
    explicit = [(MANAGERS, limit, 0) for limit in (1, 5)]
    return property_check(ctx, name, strategy, body, explicit)


def page_full_unless_last(ctx: Context) -> CheckResult:
    """A page holds min(limit, members left) members: only the last page may be short."""
    name = "paging.page_full_unless_last"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        query, limit, offset_pick = args
        size = oracle.size(query.effective_statuses, query.search)
        offset = offset_pick % (size + 2)
        page = fetch(ctx, query.with_page(limit, offset))
        expected = expected_page_size(size, limit, offset)
        if len(page.results) != expected:
            raise Mismatch(
                f"{members(expected)} (limit={limit}, offset={offset}, {size} in the listing)",
                members(len(page.results)),
                page.exchange,
            )

    strategy = st.tuples(strategies.basic_query(), LIMITS, st.integers(0, 1000))
    explicit = [(MANAGERS, 50, 0)]
    return property_check(ctx, name, strategy, body, explicit)


def limit_capped_100(ctx: Context) -> CheckResult:
    """A limit above the cap gives at most the cap of members, and the links carry the cap."""
    name = "paging.limit_capped_100"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int]) -> None:
        query, limit = args
        size = oracle.size(query.effective_statuses, query.search)
        page = fetch(ctx, query.with_page(limit, 0))
        expected = min(rules.MAX_LIMIT, size)
        if len(page.results) != expected:
            raise Mismatch(
                f"{members(expected)} for limit={limit} (pages are capped at {rules.MAX_LIMIT})",
                members(len(page.results)),
                page.exchange,
            )
        for url in (page.next, page.previous):
            if verdict_link_limit(url, rules.MAX_LIMIT) is not None:
                wanted = f"links that carry limit={rules.MAX_LIMIT}"
                raise Mismatch(wanted, f"link {url}", page.exchange)

    strategy = st.tuples(strategies.basic_query(), st.integers(rules.MAX_LIMIT + 1, 10**6))
    explicit = [(MANAGERS, 1000)]
    return property_check(ctx, name, strategy, body, explicit, max_examples=10)


def walk_visits_each_once(ctx: Context) -> CheckResult:
    """Following `next` from any offset with any limit lists each remaining member exactly once."""
    name = "paging.walk_visits_each_once"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        query, limit_pick, offset_pick = args
        expected = oracle.ids(query.effective_statuses, query.search)
        limit, offset = walk_window(len(expected), limit_pick, offset_pick)
        walk = walk_next(ctx, query, offset, limit)
        what = f"each of the {members(max(0, len(expected) - offset))} from offset {offset} once"
        if not walk.ended:
            raise Mismatch(
                what,
                f"`next` links still going after {len(walk.pages)} pages of {limit}",
                walk.pages[-1].exchange,
            )
        found = verdict_walk(expected, [page.ids for page in walk.pages], offset)
        if found is not None:
            raise Mismatch(what, found[1], walk.pages[found[0]].exchange)

    explicit = [(JOINED, 0, 0), (MANAGERS, 3, 0)]
    return property_check(ctx, name, _walk_args(), body, explicit)


def _page_in_window(
    ctx: Context, oracle: Oracle, args: tuple[Query, int, int]
) -> tuple[Query, int, int, Page]:
    """(query, limit, offset, page) for a page somewhere in a walkable window of the listing."""
    query, limit_pick, offset_pick = args
    size = oracle.size(query.effective_statuses, query.search)
    limit, offset = walk_window(size, limit_pick, offset_pick)
    return query, limit, offset, fetch(ctx, query.with_page(limit, offset))


def previous_leads_back(ctx: Context) -> CheckResult:
    """`previous` gives the page before (null at offset 0), and next-then-previous returns here."""
    name = "paging.previous_leads_back"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        query, limit, offset, page = _page_in_window(ctx, oracle, args)
        if offset == 0 and page.previous is not None:
            raise Mismatch("previous=null at offset 0", f"previous={page.previous}", page.exchange)
        if offset > 0:
            if page.previous is None:
                raise Mismatch(
                    f"a previous link at offset {offset}", "previous=null", page.exchange
                )
            back = follow(ctx, page.previous, "the `previous` link")
            before = fetch(ctx, query.with_page(limit, max(0, offset - limit)))
            if _keys(query, back) != _keys(query, before):
                raise Mismatch(
                    f"the page at offset {max(0, offset - limit)} ({_describe(query, before)})",
                    f"{_describe(query, back)} from previous={page.previous}",
                    page.exchange,
                    back.exchange,
                )
        if page.next is not None:
            forward = follow(ctx, page.next, "the `next` link")
            if forward.previous is None:
                raise Mismatch(
                    "a previous link on the page `next` leads to", "previous=null", forward.exchange
                )
            again = follow(ctx, forward.previous, "the `previous` link of the next page")
            if _keys(query, again) != _keys(query, page):
                raise Mismatch(
                    f"next then previous to return to this page ({_describe(query, page)})",
                    f"{_describe(query, again)} from previous={forward.previous}",
                    page.exchange,
                    forward.exchange,
                )

    explicit = [(JOINED, 0, 41)]
    return property_check(ctx, name, _walk_args(), body, explicit)


def _keys(query: Query, page: Page) -> tuple[int, list[object]]:
    """What identifies a page regardless of how ties are ordered: its size and sort keys."""
    field, _ = rules.ordering_key(query.effective_ordering)
    return len(page.results), list(keys(page.results, field))


def _describe(query: Query, page: Page) -> str:
    field, _ = rules.ordering_key(query.effective_ordering)
    values = keys(page.results, field)
    shown = ", ".join(v.strftime("%Y-%m-%dT%H:%M:%SZ") if v else "null" for v in values[:3])
    return f"{members(len(values))}, {field} {shown}{', ...' if len(values) > 3 else ''}"


def links_same_origin(ctx: Context) -> CheckResult:
    """`next` and `previous` stay on the server's origin; a link elsewhere is never followed."""
    name = "paging.links_same_origin"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        page = _page_in_window(ctx, oracle, args)[3]
        for which, url in (("next", page.next), ("previous", page.previous)):
            if url is not None and not ctx.client.same_origin(url):
                raise Mismatch(
                    f"a `{which}` link on the origin of the request ({ctx.client.root})",
                    f"{which}={url} (not followed: the token is sent to the base URL only)",
                    page.exchange,
                )

    explicit = [(JOINED, 0, 41), (MANAGERS, 0, 1)]
    return property_check(ctx, name, _walk_args(), body, explicit, max_examples=10)


def next_null_exactly_at_end(ctx: Context) -> CheckResult:
    """`next` is null on the page that reaches `count`, and on no page before it."""
    name = "paging.next_null_exactly_at_end"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        query, limit_pick, offset_pick = args
        size = oracle.size(query.effective_statuses, query.search)
        limit, offset = walk_window(size, limit_pick, offset_pick)
        walk = walk_next(ctx, query, offset, limit)
        found = verdict_next_null(walk.pages, offset)
        if found is not None:
            raise Mismatch(
                "next=null exactly on the last page", found[1], walk.pages[found[0]].exchange
            )

    explicit = [(JOINED, 0, 0), (MANAGERS, 0, 0)]
    return property_check(ctx, name, _walk_args(), body, explicit)


def offset_past_end_empty(ctx: Context) -> CheckResult:
    """An offset at or past the end gives 200, no members, the same count and next=null."""
    name = "paging.offset_past_end_empty"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        query, extra, limit = args
        size = oracle.size(query.effective_statuses, query.search)
        page = fetch(ctx, query.with_page(limit, size + extra))
        if page.results or page.count != size or page.next is not None:
            raise Mismatch(
                f"results=[], count={size}, next=null at offset {size + extra}",
                f"{members(len(page.results))}, count={page.count}, next={link(page.next)}",
                page.exchange,
            )

    strategy = st.tuples(strategies.basic_query(), st.integers(0, 500), LIMITS)
    explicit = [(JOINED, 0, 20), (MANAGERS, 1000, 20)]
    return property_check(ctx, name, strategy, body, explicit)


CHECKS = (
    Check("paging.count_matches_oracle", count_matches_oracle),
    Check("paging.count_stable", count_stable),
    Check("paging.page_size_le_limit", page_size_le_limit),
    Check("paging.page_full_unless_last", page_full_unless_last),
    Check("paging.limit_capped_100", limit_capped_100),
    Check("paging.walk_visits_each_once", walk_visits_each_once),
    Check("paging.previous_leads_back", previous_leads_back),
    Check("paging.links_same_origin", links_same_origin),
    Check("paging.next_null_exactly_at_end", next_null_exactly_at_end),
    Check("paging.offset_past_end_empty", offset_past_end_empty),
)
