"""Filtering checks: `statuses` and `search` select exactly the oracle's matching members."""

from __future__ import annotations

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
    CASE_MAPPING,
    Page,
    fetch,
    id_diff,
    members,
    short_ids,
)
from course_users.conformance.query import Query

PAGE = rules.MAX_LIMIT
# Pages of the cap read per filtered listing: enough for every listing of the default dataset, and
# a bound on a server whose `count` runs away.
MAX_PAGES = 10


def verdict_listing(
    expected: rules.Selection, pages: list[list[int]], page_size: int
) -> str | None:
    """None when the pages of a filtered listing fit the selection; else what differs.

    Every page may hold only members the filter may select, and the first page none twice. When
    all the members it may select fit on the first page, that page must hold every member all
    correct servers select. Members missing from a longer listing prove nothing about filtering
    (paging bugs lose members at page boundaries): the paging checks judge those.
    """
    first = pages[0] if pages else []
    listed = [member_id for ids in pages for member_id in ids]
    unexpected = sorted(set(listed) - expected.most)
    repeated = sorted({i for i in first if first.count(i) > 1})
    fits = len(expected.most) <= page_size
    missing = sorted(expected.sure - set(first)) if fits else []
    if not (unexpected or repeated or missing):
        return None
    parts = [members(len(first)) + " on the first page"]
    if len(pages) > 1:
        parts[0] += f", {members(len(listed))} on {len(pages)} pages"
    if missing:
        parts.append(f"missing ids {short_ids(missing)}")
    if unexpected:
        parts.append(f"unexpected ids {short_ids(unexpected)}")
    if repeated:
        parts.append(f"repeated ids {short_ids(repeated)}")
    return "; ".join(parts)


def read_listing(ctx: Context, query: Query) -> list[Page]:
    """The first page at the cap (no offset sent), then the rest of the listing by offsets."""
    pages = [fetch(ctx, query.with_page(PAGE, None))]
    offset = len(pages[0].results)
    while offset < pages[0].count and len(pages) < MAX_PAGES and pages[-1].results:
        pages.append(fetch(ctx, query.with_page(PAGE, offset)))
        offset += len(pages[-1].results)
    return pages


def _expect_selection(ctx: Context, query: Query) -> None:
    assert ctx.oracle is not None
    expected = ctx.oracle.selection(query.effective_statuses, query.search)
    if not expected.exact:
        ctx.set_aside(CASE_MAPPING)
    pages = read_listing(ctx, query)
    problem = verdict_listing(expected, [page.ids for page in pages], PAGE)
    if problem is not None:
        described = f"only the {len(expected.sure)} oracle members matching {query.describe()}"
        if expected.maybe:
            described += (
                f" (and any of {len(expected.maybe)} whose match depends on the database's "
                "upper-casing)"
            )
        raise Mismatch(described, problem, _telling_page(pages, expected).exchange)


def _telling_page(pages: list[Page], expected: rules.Selection) -> Page:
    """The first page listing a member the filter does not select, else the first page."""
    for page in pages:
        if set(page.ids) - expected.most:
            return page
    return pages[0]


def statuses_match_oracle(ctx: Context) -> CheckResult:
    """Any set of statuses, in any form, lists exactly the oracle's members with those statuses."""
    name = "filtering.statuses_match_oracle"
    explicit = [Query(statuses=(), form="json")]
    explicit += [Query(statuses=(status,), form="plain") for status in rules.JOIN_STATUSES]
    explicit.append(Query(statuses=rules.JOIN_STATUSES, form="json"))
    strategy = strategies.statuses_query()
    return property_check(ctx, name, strategy, lambda q: _expect_selection(ctx, q), explicit)


def statuses_forms_agree(ctx: Context) -> CheckResult:
    """The plain, JSON-list, repeated and mixed forms of the same statuses give the same page."""
    name = "filtering.statuses_forms_agree"

    def body(args: tuple[tuple[str, ...], str | None]) -> None:
        chosen, search = args
        forms = ("plain", "json", "repeated") if len(chosen) == 1 else ("json", "repeated", "mixed")
        first = None
        for form in forms:
            page = fetch(ctx, Query(statuses=chosen, form=form, search=search, limit=PAGE))
            if first is None:
                first = (form, page)
                continue
            # Counts always; members only when they all fit (a page boundary may cut ties).
            same_members = page.count > PAGE or set(page.ids) == set(first[1].ids)
            if page.count != first[1].count or not same_members:
                raise Mismatch(
                    f"the same answer as the {first[0]} form (count={first[1].count})",
                    f"{form} form: count={page.count}, {id_diff(set(first[1].ids), page.ids)}",
                    page.exchange,
                    first[1].exchange,
                )

    strategy = st.tuples(strategies.statuses(min_size=1), strategies.maybe_search(ctx.oracle))
    joined, manager = rules.STATUSES.joined, rules.STATUSES.manager
    explicit = [((joined,), None), ((joined, manager), None), (rules.JOIN_STATUSES, None)]
    return property_check(ctx, name, strategy, body, explicit)


def default_statuses(ctx: Context) -> CheckResult:
    """Leaving `statuses` out lists exactly the oracle's managers and joined members."""
    name = "filtering.default_statuses"
    strategy = strategies.maybe_search(ctx.oracle).map(lambda s: Query(statuses=None, search=s))
    return property_check(
        ctx, name, strategy, lambda q: _expect_selection(ctx, q), [Query(statuses=None)]
    )


def search_matches_rule(ctx: Context) -> CheckResult:
    """`search` lists exactly the members whose username or real name contains every term."""
    name = "filtering.search_matches_rule"
    assert ctx.oracle is not None
    strategy = st.builds(
        lambda chosen, value: Query(statuses=chosen, form="json", search=value),
        st.one_of(st.just(rules.JOIN_STATUSES), strategies.statuses(min_size=1)),
        strategies.search(ctx.oracle),
    )
    return property_check(
        ctx, name, strategy, lambda q: _expect_selection(ctx, q), _search_examples(ctx)
    )


def _search_examples(ctx: Context) -> list[Query]:
    """Hand-picked searches from the data: case-flipped, username-only, name-only, two terms."""
    assert ctx.oracle is not None
    members = sorted(ctx.oracle.members.values(), key=lambda m: m["id"])
    if len(members) < 2:
        return []
    first, second = members[0], members[-1]
    values = [
        str(first.get("real_name", "")).swapcase(),
        str(first.get("username", "")).upper(),
        # Two terms from two different members: only members matching BOTH may be listed.
        f"{str(first.get('real_name', ''))[:3]} {str(second.get('username', ''))[:3]}",
        # A quoted phrase is one term, its space included (DRF 3.15+ search_smart_split).
        f'"{first.get("real_name", "")}"',
        # A lone quote is an empty phrase: it filters nothing.
        "'",
    ]
    return [
        Query(statuses=rules.JOIN_STATUSES, form="json", search=value)
        for value in values
        if value.strip() and value != '""'
    ]


def comma_form_400(ctx: Context) -> CheckResult:
    """The undocumented comma form (`statuses=joined,manager`) is refused with 400."""
    name = "filtering.comma_form_400"

    def body(chosen: tuple[str, ...]) -> None:
        exchange = ctx.list_members([("statuses", ",".join(chosen))])
        if exchange.status != 400:
            raise Mismatch(
                f"HTTP 400 for the undocumented comma form statuses={','.join(chosen)}",
                exchange.summary(),
                exchange,
            )

    explicit = [(rules.STATUSES.joined, rules.STATUSES.manager)]
    strategy = strategies.statuses(min_size=2)
    return property_check(ctx, name, strategy, body, explicit, max_examples=5)


def search_nul_400(ctx: Context) -> CheckResult:
    """A `search` value holding a NUL character is refused with 400 (decision search-rule)."""
    name = "filtering.search_nul_400"

    def body(value: str) -> None:
        exchange = ctx.list_members([("search", value)])
        if exchange.status != 400:
            raise Mismatch(
                f"HTTP 400 for search={value!r} (a NUL character)", exchange.summary(), exchange
            )

    strategy = st.builds(
        lambda before, after: f"{before}\x00{after}",
        st.one_of(st.just(""), strategies.free_text()),
        st.one_of(st.just(""), strategies.free_text()),
    )
    return property_check(ctx, name, strategy, body, ["a\x00b"], max_examples=5)


CHECKS = (
    Check("filtering.statuses_match_oracle", statuses_match_oracle),
    Check("filtering.statuses_forms_agree", statuses_forms_agree),
    Check("filtering.default_statuses", default_statuses),
    Check("filtering.search_matches_rule", search_matches_rule),
    Check("filtering.comma_form_400", comma_form_400, needs_oracle=False),
    Check("filtering.search_nul_400", search_nul_400, needs_oracle=False),
)
