"""Defaults checks: leaving `limit` or `offset` out, the `previous` link back to offset 0, the
time zone date-times are written in, and the course's one creator.

The default page size is the spec's (`openapi.contract`), not restated here. Where the spec leaves a
choice the checks do not judge: a link may carry the default limit or leave it out, and members
tied on the ordering key may come in any order (pages are compared by their keys).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from course_users.conformance.checks.ordering import keys
from course_users.conformance.checks.pages import Page, fetch, link, members
from course_users.conformance.query import Query
from course_users.openapi.contract import CONTRACT

DEFAULT_STATUSES_QUERY = Query()  # no parameter at all: the default statuses
JOINED = Query(statuses=(rules.STATUSES.joined,), form="plain")
CREATOR = Query(statuses=(rules.STATUSES.creator,), form="plain")


def _filters() -> st.SearchStrategy[Query]:
    """The default statuses or one status in the plain form: filters the docs alone allow."""
    return st.one_of(st.just(DEFAULT_STATUSES_QUERY), strategies.basic_query())


def _link_params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def limit_default(ctx: Context) -> CheckResult:
    """Leaving `limit` out gives min(default, members left) members; links keep the default."""
    name = "defaults.limit_default"
    assert ctx.oracle is not None
    oracle = ctx.oracle
    default = CONTRACT.default_limit

    def body(args: tuple[Query, int]) -> None:
        query, offset_pick = args
        size = oracle.size(query.effective_statuses, query.search)
        offset = offset_pick % size if size else 0  # within the listing: no past-the-end page
        page = fetch(ctx, query.with_page(None, offset))
        expected = min(default, size - offset)
        if len(page.results) != expected:
            raise Mismatch(
                f"{members(expected)} without a limit (default {default}; offset={offset}, "
                f"{size} in the listing)",
                members(len(page.results)),
                page.exchange,
            )
        for url in (page.next, page.previous):
            # A link may leave the limit out (the default applies again) or carry the default.
            if url is not None and _link_params(url).get("limit", [str(default)]) != [str(default)]:
                raise Mismatch(
                    f"links without a limit or with limit={default}", f"link {url}", page.exchange
                )

    strategy = st.tuples(_filters(), st.integers(0, 1000))
    explicit = [(DEFAULT_STATUSES_QUERY, 0), (JOINED, 0), (JOINED, 30)]
    return property_check(ctx, name, strategy, body, explicit)


def offset_default(ctx: Context) -> CheckResult:
    """Leaving `offset` out gives the same page as offset=0."""
    name = "defaults.offset_default"

    def body(args: tuple[Query, int | None]) -> None:
        query, limit = args
        omitted = fetch(ctx, query.with_page(limit, None))
        zero = fetch(ctx, query.with_page(limit, 0))
        if _signature(query, omitted, zero.count) != _signature(query, zero, zero.count):
            raise Mismatch(
                f"the page at offset=0 ({_describe(query, zero)})",
                f"{_describe(query, omitted)} without an offset",
                omitted.exchange,
                zero.exchange,
            )

    strategy = st.tuples(_filters(), st.one_of(st.none(), st.integers(1, rules.MAX_LIMIT)))
    explicit = [(DEFAULT_STATUSES_QUERY, None), (JOINED, 7)]
    return property_check(ctx, name, strategy, body, explicit)


def _signature(query: Query, page: Page, whole: int) -> tuple[object, ...]:
    """What identifies a first page whatever the order of ties: count, sort keys, and the
    members themselves when the page holds the whole listing."""
    field, _ = rules.ordering_key(query.effective_ordering)
    ids = frozenset(page.ids) if len(page.results) >= whole else None
    return page.count, keys(page.results, field), ids


def _describe(query: Query, page: Page) -> str:
    field, _ = rules.ordering_key(query.effective_ordering)
    return f"count={page.count}, {members(len(page.results))} by {field}"


def previous_omits_zero_offset(ctx: Context) -> CheckResult:
    """A `previous` link that leads back to offset 0 carries no `offset` parameter."""
    name = "defaults.previous_omits_zero_offset"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int, int]) -> None:
        query, limit, offset_pick = args
        size = oracle.size(query.effective_statuses, query.search)
        if size < 2:
            return  # no page after the first inside the listing
        offset = 1 + offset_pick % min(limit, size - 1)  # 1..limit: the page before starts at 0
        page = fetch(ctx, query.with_page(limit, offset))
        if page.previous is None:
            return  # a missing link is paging.previous_leads_back's verdict, not this one's
        if "offset" in _link_params(page.previous):
            raise Mismatch(
                f"a previous link without `offset` (it would be 0) at offset={offset}, "
                f"limit={limit}",
                f"previous={link(page.previous)}",
                page.exchange,
            )

    strategy = st.tuples(_filters(), st.integers(1, rules.MAX_LIMIT), st.integers(0, 1000))
    explicit = [(JOINED, 20, 19), (JOINED, 20, 4), (DEFAULT_STATUSES_QUERY, 1, 0)]
    return property_check(ctx, name, strategy, body, explicit)


def datetimes_utc(ctx: Context) -> CheckResult:
    """Every joined_at and last_active_at is written in UTC (`Z` or `+00:00`, both accepted)."""
    name = "defaults.datetimes_utc"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int]) -> None:
        query, offset_pick = args
        size = oracle.size(query.effective_statuses, query.search)
        page = fetch(ctx, query.with_page(rules.MAX_LIMIT, offset_pick % size if size else 0))
        for member in page.results:
            for field in ("joined_at", "last_active_at"):
                problem = _not_utc(member.get(field))
                if problem is not None:
                    raise Mismatch(
                        f"{field} in UTC, e.g. 2023-04-05T10:20:30Z",
                        f"member {member.get('id')}: {field}={member.get(field)!r} ({problem})",
                        page.exchange,
                    )

    explicit = [(Query(statuses=(status,), form="plain"), 0) for status in rules.JOIN_STATUSES]
    strategy = st.tuples(strategies.basic_query(), st.integers(0, 1000))
    return property_check(ctx, name, strategy, body, explicit, max_examples=10)


def _not_utc(value: Any) -> str | None:
    if value is None:
        return None  # a null last_active_at is the schema's business
    try:
        offset = rules.parse_datetime(value).utcoffset()
    except (TypeError, ValueError, AttributeError):
        return "not an ISO 8601 date-time"
    if offset is None:
        return "no time zone"
    return None if not offset else f"UTC offset {offset}"


def one_creator(ctx: Context) -> CheckResult:
    """`statuses=creator` lists exactly one member, whose join_status is creator."""
    name = "defaults.one_creator"

    def body(query: Query) -> None:
        page = fetch(ctx, query)
        statuses = [member.get("join_status") for member in page.results]
        if page.count != 1 or statuses != [rules.STATUSES.creator]:
            raise Mismatch(
                f"count=1 and one member with join_status {rules.STATUSES.creator!r} (a course "
                "has one creator, who cannot leave it)",
                f"count={page.count}, join_status of the members listed: {statuses}",
                page.exchange,
            )

    return property_check(ctx, name, st.just(CREATOR), body, max_examples=1)


CHECKS = (
    Check("defaults.limit_default", limit_default),
    Check("defaults.offset_default", offset_default, needs_oracle=False),
    Check("defaults.previous_omits_zero_offset", previous_omits_zero_offset),
    Check("defaults.datetimes_utc", datetimes_utc),
    Check("defaults.one_creator", one_creator, needs_oracle=False),
)
