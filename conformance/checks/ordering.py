"""Ordering checks: each ordering is monotonic, nulls sit at one end, ties never break paging."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
from course_users.conformance.checks.pages import (
    Page,
    fetch,
    fetch_all,
    id_diff,
    members,
    walk_window,
)
from course_users.conformance.query import Query

NULLABLE_FIELD = "last_active_at"  # the one ordering field that may be null (the item schema's)
# The orderings on it, ascending and descending, as the spec lists them.
_NULLABLE_ORDERINGS = tuple(o for o in rules.ORDERINGS if o.lstrip("-") == NULLABLE_FIELD)


def verdict_monotonic(items: Sequence[dict[str, Any]], ordering: str) -> tuple[int, str] | None:
    """None when the non-null keys never go backwards; else (index, what went wrong).

    Keys are compared as datetimes, not strings: `...T10:00:00Z` and `...T10:00:00+00:00` are equal.
    """
    field, descending = rules.ordering_key(ordering)
    previous: tuple[int, datetime] | None = None
    for index, member in enumerate(items):
        raw = member.get(field)
        if raw is None:
            continue
        try:
            key = rules.parse_datetime(raw)
        except (TypeError, ValueError):
            return index, f"member {member.get('id')} has {field}={raw!r}, not a date-time"
        if previous is not None:
            before_index, before = previous
            wrong = key > before if descending else key < before
            if wrong:
                return index, (
                    f"member {items[before_index].get('id')} ({field} {before.isoformat()}) "
                    f"listed before member {member.get('id')} ({field} {key.isoformat()})"
                )
        previous = (index, key)
    return None


def keys(items: Sequence[dict[str, Any]], field: str) -> list[datetime | None]:
    """The parsed `field` of each member (None for null or unparsable)."""
    out: list[datetime | None] = []
    for member in items:
        try:
            out.append(rules.parse_datetime(member[field]) if member.get(field) else None)
        except (TypeError, ValueError):
            out.append(None)
    return out


def _show(values: Sequence[datetime | None], limit: int = 4) -> str:
    shown = [v.strftime("%Y-%m-%dT%H:%M:%SZ") if v else "null" for v in values[:limit]]
    return ", ".join(shown) + (", ..." if len(values) > limit else "") if shown else "no members"


def verdict_nulls_contiguous(items: Sequence[dict[str, Any]], field: str) -> str | None:
    """None when members with a null `field` form one block at the start or the end."""
    nulls = [i for i, member in enumerate(items) if member.get(field) is None]
    if not nulls or len(nulls) == len(items):
        return None
    block = nulls == list(range(nulls[0], nulls[0] + len(nulls)))
    at_an_end = nulls[0] == 0 or nulls[-1] == len(items) - 1
    if block and at_an_end:
        return None
    return (
        f"{members(len(nulls))} with null {field} at positions {nulls[:6]}"
        f"{'...' if len(nulls) > 6 else ''} of {len(items)} (not one block at either end)"
    )


def verdict_walk(
    expected: set[int], walked: list[list[int]], start: int = 0
) -> tuple[int, str] | None:
    """None when pages list each member from `start` on exactly once; else (page index, why).

    From offset 0 the pages must list exactly the expected set; from a later offset, as many
    distinct expected members as remain.
    """
    seen: dict[int, int] = {}
    for page_index, ids in enumerate(walked):
        for member_id in ids:
            if member_id in seen:
                return page_index, (
                    f"member {member_id} listed on page {seen[member_id] + 1} and again on "
                    f"page {page_index + 1}"
                )
            seen[member_id] = page_index
    flat = [i for ids in walked for i in ids]
    if start == 0 and set(flat) != expected:
        return len(walked) - 1, id_diff(expected, flat)
    remaining = max(0, len(expected) - start)
    if start > 0 and (not set(flat) <= expected or len(flat) != remaining):
        return len(walked) - 1, f"{id_diff(expected & set(flat), flat)} (wanted {remaining})"
    return None


def verdict_ties_by_id(items: Sequence[dict[str, Any]], ordering: str) -> tuple[int, str] | None:
    """None when members with equal keys (both null too) are listed by id ascending.

    Keys are equal as date-times (`...Z` and `...+00:00` are the same instant).
    """
    field, _ = rules.ordering_key(ordering)
    values = [_tie_key(member, field) for member in items]
    for index in range(1, len(items)):
        before, member = items[index - 1], items[index]
        tied = values[index] is not None and values[index - 1] == values[index]
        if tied and _id(member) < _id(before):
            shown = before.get(field) if before.get(field) is not None else "null"
            return index, (
                f"member {before.get('id')} listed before member {member.get('id')}, both with "
                f"{field}={shown}"
            )
    return None


def _tie_key(member: dict[str, Any], field: str) -> tuple[str, datetime | None] | None:
    """What members tie on: their parsed key, or null; None for a key that is neither."""
    raw = member.get(field)
    if raw is None:
        return ("null", None)
    try:
        return ("time", rules.parse_datetime(raw))
    except (TypeError, ValueError, AttributeError):
        return None


def _id(member: dict[str, Any]) -> int:
    value = member.get("id")
    return value if isinstance(value, int) else 0


def monotonic(ctx: Context) -> CheckResult:
    """Every ordering lists members with their key never going backwards (nulls aside)."""
    name = "ordering.monotonic"

    def body(query: Query) -> None:
        pages, _ = fetch_all(ctx, query, max_pages=2)
        items = [member for page in pages for member in page.results]
        found = verdict_monotonic(items, query.effective_ordering)
        if found is not None:
            index, problem = found
            raise Mismatch(
                f"members in {query.effective_ordering} order", problem, _page_of(pages, index)
            )

    strategy = strategies.filtered_query(ctx.oracle, min_statuses=1, ordering=True)
    explicit = [
        Query(statuses=rules.JOIN_STATUSES, form="json", ordering=o) for o in rules.ORDERINGS
    ]
    return property_check(ctx, name, strategy, body, explicit)


def ties_by_id_ascending(ctx: Context) -> CheckResult:
    """Members tied on the ordering key are listed by user id ascending, on every page."""
    name = "ordering.ties_by_id_ascending"

    def body(query: Query) -> None:
        pages, _ = fetch_all(ctx, query, max_pages=3)
        for page in pages:
            found = verdict_ties_by_id(page.results, query.effective_ordering)
            if found is not None:
                raise Mismatch(
                    f"members tied on {rules.ordering_key(query.effective_ordering)[0]} listed by "
                    "id ascending",
                    found[1],
                    page.exchange,
                )

    strategy = strategies.filtered_query(ctx.oracle, min_statuses=1, ordering=True)
    explicit = [
        Query(statuses=rules.JOIN_STATUSES, form="json", ordering=o) for o in rules.ORDERINGS
    ]
    explicit.append(Query(statuses=rules.JOIN_STATUSES, form="json"))
    return property_check(ctx, name, strategy, body, explicit)


def nulls_contiguous(ctx: Context) -> CheckResult:
    """Members with null last_active_at form one block at the start or at the end."""
    name = "ordering.nulls_contiguous"

    def body(query: Query) -> None:
        pages, _ = fetch_all(ctx, query)
        items = [member for page in pages for member in page.results]
        problem = verdict_nulls_contiguous(items, NULLABLE_FIELD)
        if problem is not None:
            raise Mismatch(
                "null last_active_at members in one block at either end", problem, pages[0].exchange
            )

    strategy = st.builds(
        lambda q, o: Query(q.statuses, q.form, q.search, o),
        strategies.filtered_query(ctx.oracle, min_statuses=1),
        st.sampled_from(_NULLABLE_ORDERINGS),
    )
    explicit = [
        Query(statuses=rules.JOIN_STATUSES, form="json", ordering=o) for o in _NULLABLE_ORDERINGS
    ]
    return property_check(ctx, name, strategy, body, explicit)


def default_is_joined_at_desc(ctx: Context) -> CheckResult:
    """Leaving `ordering` out gives the same page as `ordering=<the spec's default>`."""
    name = "ordering.default_is_-joined_at"
    default = rules.DEFAULT_ORDERING
    field = rules.ordering_key(default)[0]

    def body(args: tuple[Query, int, int]) -> None:
        query, limit, offset = args
        plain = fetch(ctx, query.with_page(limit, offset))
        explicit = fetch(
            ctx, Query(query.statuses, query.form, query.search, default, limit, offset)
        )
        # Compare the keys, not the ids: members tied on the key may come in either order.
        if keys(plain.results, field) != keys(explicit.results, field):
            raise Mismatch(
                f"the {field} sequence of ordering={default} "
                f"({_show(keys(explicit.results, field))})",
                f"{_show(keys(plain.results, field))} without ordering",
                plain.exchange,
                explicit.exchange,
            )

    strategy = st.tuples(
        strategies.filtered_query(ctx.oracle), st.integers(1, rules.MAX_LIMIT), st.integers(0, 120)
    )
    explicit = [(Query(statuses=rules.JOIN_STATUSES, form="json"), rules.MAX_LIMIT, 0)]
    return property_check(ctx, name, strategy, body, explicit)


def ties_stable_across_pages(ctx: Context) -> CheckResult:
    """Paging by offsets in any ordering lists every member once, in the one-page order."""
    name = "ordering.ties_stable_across_pages"
    assert ctx.oracle is not None
    oracle = ctx.oracle

    def body(args: tuple[Query, int]) -> None:
        query, pick = args
        expected = oracle.ids(query.effective_statuses, query.search)
        limit, start = walk_window(len(expected), pick, 0, start_at_zero=True)
        pages = [
            fetch(ctx, query.with_page(limit, offset))
            for offset in range(start, max(len(expected), start + 1), limit)
        ]
        found = verdict_walk(expected, [page.ids for page in pages], start)
        if found is not None:
            index, problem = found
            raise Mismatch(
                f"each of the {members(len(expected) - start)} from offset {start} exactly once "
                f"across pages of {limit}",
                problem,
                pages[index].exchange,
            )
        if 0 < len(expected) <= rules.MAX_LIMIT:
            whole = fetch(ctx, query.with_page(rules.MAX_LIMIT, 0))
            walked = [i for page in pages for i in page.ids]
            if whole.ids != walked:
                first = _first_difference(whole.ids, walked)
                raise Mismatch(
                    "pages of a listing in the same order as the listing on one page",
                    f"position {first}: member {walked[first]} in pages of {limit}, "
                    f"member {whole.ids[first]} on one page"
                    if len(whole.ids) == len(walked)
                    else f"{members(len(whole.ids))} on one page, {len(walked)} in pages",
                    pages[first // limit].exchange,
                    whole.exchange,
                )

    orderings = st.sampled_from(
        # Bias towards the nullable field: its nulls form the biggest group of ties.
        (*_NULLABLE_ORDERINGS, *_NULLABLE_ORDERINGS, *rules.ORDERINGS)
    )
    strategy = st.tuples(
        st.builds(
            lambda q, o: Query(q.statuses, q.form, q.search, o), strategies.basic_query(), orderings
        ),
        st.integers(0, 1000),
    )
    explicit = [
        (Query(statuses=(rules.STATUSES.joined,), form="plain", ordering=o), 0)
        for o in _NULLABLE_ORDERINGS
    ]
    return property_check(ctx, name, strategy, body, explicit)


def _first_difference(left: Sequence[int], right: Sequence[int]) -> int:
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return index
    return min(len(left), len(right)) - 1


def _page_of(pages: Sequence[Page], index: int) -> Any:
    for page in pages:
        if index < len(page.results):
            return page.exchange
        index -= len(page.results)
    return pages[-1].exchange


CHECKS = (
    Check("ordering.monotonic", monotonic),
    Check("ordering.ties_by_id_ascending", ties_by_id_ascending),
    Check("ordering.nulls_contiguous", nulls_contiguous),
    Check("ordering.default_is_-joined_at", default_is_joined_at_desc),
    Check("ordering.ties_stable_across_pages", ties_stable_across_pages),
)
