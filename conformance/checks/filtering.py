"""Filtering checks: `statuses` and `search` select exactly the oracle's matching members."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance import rules
from conformance.checks import strategies
from conformance.checks.base import Check, CheckResult, Context, Mismatch, property_check
from conformance.checks.pages import fetch, id_diff
from conformance.query import Query

PAGE = 100


def verdict_first_page(expected: set[int], got: list[int], page_size: int) -> str | None:
    """None when a first page of `page_size` fits the expected members; else what differs.

    Only members the filter selects, each once; and all of them when they fit on the page.
    Judging one page keeps paging bugs (offsets, ties) out of the filtering verdict.
    """
    unexpected = set(got) - expected
    repeated = len(set(got)) != len(got)
    fits = len(expected) <= page_size
    if unexpected or repeated or (fits and set(got) != expected):
        # Members missing from a partial first page prove nothing, so only name them if all fit.
        return id_diff(expected if fits else expected | set(got), got)
    return None


def _expect_selection(ctx: Context, query: Query) -> None:
    assert ctx.oracle is not None
    expected = ctx.oracle.ids(query.effective_statuses, query.search)
    page = fetch(ctx, query.with_page(PAGE, None))
    problem = verdict_first_page(expected, page.ids, PAGE)
    if problem is not None:
        raise Mismatch(
            f"only the {len(expected)} oracle members matching {query.describe()}"
            + (" (all of them)" if len(expected) <= PAGE else f" (first {PAGE} of them)"),
            problem,
            page.exchange,
        )


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
    explicit = [(("joined",), None), (("joined", "manager"), None), (rules.JOIN_STATUSES, None)]
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
    ]
    return [
        Query(statuses=rules.JOIN_STATUSES, form="json", search=value)
        for value in values
        if value.strip()
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

    explicit = [("joined", "manager")]
    strategy = strategies.statuses(min_size=2)
    return property_check(ctx, name, strategy, body, explicit, max_examples=5)


CHECKS = (
    Check("filtering.statuses_match_oracle", statuses_match_oracle),
    Check("filtering.statuses_forms_agree", statuses_forms_agree),
    Check("filtering.default_statuses", default_statuses),
    Check("filtering.search_matches_rule", search_matches_rule),
    Check("filtering.comma_form_400", comma_form_400, needs_oracle=False),
)
