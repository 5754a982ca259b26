"""The 21 bugs, each a function of (request, upstream) -> answer, written from outside the mock.

Four techniques, from the least to the most work:

- rewrite the answer (count-wrong, next-missing, the error variants): one call, one edit;
- rewrite the request (ordering, statuses forms): the mock serves the wrong query, and the links
  get the client's own query back, as a backend that misreads its parameters still links to them;
- serve another page's rows (offset-off-by-one, limit-ignored): the envelope of the request as
  sent, the `results` of the shifted one;
- recompute the listing (search rules, tie and null order): the mock's own listing without the
  part the bug gets wrong, walked page by page, then filtered or re-ordered here.

A bug only touches GETs of the list endpoint; everything else is forwarded as it is.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from course_users.fixtures.model import Dataset
from course_users.mockserver.api.paging import RequestUrl, next_link, previous_link
from course_users.mockserver.api.params import is_json_list, parse_search
from course_users.mockserver.data.store import MANAGING_STATUSES
from course_users.openapi import load_spec
from course_users.openapi.search_rule import full_upper
from tests.faults.proxy import Answer, Bug, Incoming, Query, Upstream

IGNORED_LIMIT = 20  # what limit-ignored always serves
# Pages of the walk: the mock caps them at its --max-limit, and the walk steps by what it got.
WALK_LIMIT = 1000
PAST_END = "Invalid page: the offset is past the last member."
SERVER_ERROR = "A server error occurred."
Member = dict
Page = dict


def _parameters() -> dict[str, dict]:
    operation = load_spec()["paths"]["/course/{id}/users/"]["get"]
    return {param["name"]: param["schema"] for param in operation["parameters"]}


_PARAMETERS = _parameters()
DEFAULT_LIMIT: int = _PARAMETERS["limit"]["default"]
DEFAULT_ORDERING: str = _PARAMETERS["ordering"]["default"]
ORDERINGS: tuple[str, ...] = tuple(_PARAMETERS["ordering"]["enum"])
ALL_STATUSES = json.dumps(_PARAMETERS["statuses"]["items"]["anyOf"][0]["enum"])


# --- helpers -------------------------------------------------------------------------------------


def _int(text: str | None, default: int) -> int | None:
    """A validated integer parameter's value (None when the mock will refuse it anyway)."""
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def _link_page(link: str) -> tuple[RequestUrl, int, int | None]:
    """A link's URL parts, its limit and its offset (None when absent)."""
    parts = urlsplit(link)
    params = parse_qs(parts.query)
    offset = params.get("offset")
    url = RequestUrl(parts.scheme, parts.netloc, parts.path, parts.query)
    return url, int(params["limit"][-1]), int(offset[-1]) if offset else None


def _relink(link: str | None, query: Query) -> str | None:
    """The link with `query`'s parameters instead of its own, keeping its limit and offset."""
    if link is None:
        return None
    url, limit, offset = _link_page(link)
    return RequestUrl(url.scheme, url.host, url.path, query.text).with_page(limit, offset)


def _request_url(request: Incoming) -> RequestUrl:
    return RequestUrl("http", request.header("host") or "", request.path, request.query.text)


async def _page(request: Incoming, upstream: Upstream) -> tuple[Answer, Page | None]:
    """The upstream's answer, and its envelope when it is a list page."""
    answer = await upstream.send(request)
    if request.course_id is None or not answer.is_page:
        return answer, None
    return answer, answer.json()


async def _listing(request: Incoming, upstream: Upstream, query: Query) -> tuple[list[Member], int]:
    """Every member `query` selects, in the mock's order, and the largest page the mock serves."""
    base = query.without("limit", "offset")
    members: list[Member] = []
    served = WALK_LIMIT
    while True:
        walked = base.plus("limit", WALK_LIMIT).plus("offset", len(members))
        answer = await upstream.send(request.with_query(walked))
        if not answer.is_page:
            raise RuntimeError(f"walking the listing got {answer.status}: {answer.body[:200]!r}")
        body = answer.json()
        if not members and len(body["results"]) < body["count"]:
            served = len(body["results"])
        members += body["results"]
        if not body["results"] or len(members) >= body["count"]:
            return members, served


def _envelope(
    request: Incoming, members: list[Member], offset: int, limit: int
) -> dict[str, object]:
    """The page of `members` at [offset, offset + limit), linked as the mock links pages."""
    url = _request_url(request)
    return {
        "count": len(members),
        "next": next_link(url, offset=offset, limit=limit, count=len(members)),
        "previous": previous_link(url, offset=offset, limit=limit),
        "results": members[offset : offset + limit],
    }


def _edit_page(edit: Callable[[Incoming, Page], None]) -> Bug:
    """A bug that edits the envelope of every list page."""

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        answer, page = await _page(request, upstream)
        if page is not None:
            edit(request, page)
            answer.set_json(page)
        return answer

    return bug


def _misread(rewrite: Callable[[Query], Query]) -> Bug:
    """A bug that serves a rewritten query, linking with the query as sent."""

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        if request.course_id is None:
            return await upstream.send(request)
        answer, page = await _page(request.with_query(rewrite(request.query)), upstream)
        if page is not None:
            page["next"] = _relink(page["next"], request.query)
            page["previous"] = _relink(page["previous"], request.query)
            answer.set_json(page)
        return answer

    return bug


def _rows_of(rewrite: Callable[[Query], Query | None]) -> Bug:
    """A bug that answers with the envelope as sent and the rows of a rewritten query."""

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        answer, page = await _page(request, upstream)
        shifted = rewrite(request.query) if page is not None else None
        if page is not None and shifted is not None:
            _, other = await _page(request.with_query(shifted), upstream)
            page["results"] = other["results"] if other else page["results"]
            answer.set_json(page)
        return answer

    return bug


# --- request rewriting ---------------------------------------------------------------------------


def _ordering_ignored(query: Query) -> Query:
    if query.last("ordering") in ORDERINGS:
        return query.setting("ordering", DEFAULT_ORDERING)
    return query


def _reversed(ordering: str) -> str:
    return ordering[1:] if ordering.startswith("-") else "-" + ordering


def _ordering_reversed(query: Query) -> Query:
    current = query.last("ordering") or DEFAULT_ORDERING
    return query.setting("ordering", _reversed(current)) if current in ORDERINGS else query


def _wrong_default_statuses(query: Query) -> Query:
    return query if query.values("statuses") else query.plus("statuses", ALL_STATUSES)


def _json_statuses_ignored(query: Query) -> Query:
    return query.keep(lambda p: p.name != "statuses" or not is_json_list(p.value))


def _repeated_statuses_last_wins(query: Query) -> Query:
    pieces = [param for param in query.params if param.name == "statuses"]
    return query.keep(lambda p: p.name != "statuses" or p is pieces[-1])


def _offset_plus_one(query: Query) -> Query | None:
    offset = _int(query.last("offset"), 0)
    return None if offset is None else query.setting("offset", offset + 1)


def _limit_ignored(query: Query) -> Query | None:
    return query.setting("limit", IGNORED_LIMIT)


# --- answer rewriting ----------------------------------------------------------------------------


def _count_wrong(request: Incoming, page: Page) -> None:
    page["count"] = len(page["results"])


def _next_missing(request: Incoming, page: Page) -> None:
    page["next"] = None


def next_wrong_offset(request: Incoming, page: Page) -> None:
    if page["next"]:
        url, limit, offset = _link_page(page["next"])
        page["next"] = url.with_page(limit, (offset or 0) + 1)


def _previous_wrong(request: Incoming, page: Page) -> None:
    if page["previous"]:
        url, limit, _ = _link_page(page["previous"])
        page["previous"] = url.with_page(limit, _int(request.query.last("offset"), 0))


async def _past_end_404(request: Incoming, upstream: Upstream) -> Answer:
    answer, page = await _page(request, upstream)
    offset = _int(request.query.last("offset"), 0) or 0
    if page is not None and offset > 0 and offset >= page["count"]:
        answer.status = 404
        answer.set_json({"detail": PAST_END})
    return answer


async def _www_authenticate_missing(request: Incoming, upstream: Upstream) -> Answer:
    answer = await upstream.send(request)
    if answer.status == 401:
        answer.drop_header("www-authenticate")
    return answer


def _missing_course_500(courses: Iterable[int]) -> Bug:
    known = frozenset(courses)

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        answer = await upstream.send(request)
        if (
            answer.status == 404
            and request.course_id is not None
            and request.course_id not in known
        ):
            answer.status = 500
            answer.set_json({"detail": SERVER_ERROR})
        return answer

    return bug


def _served_as_manager(refused: int, tokens: Mapping[int, str]) -> Bug:
    """A bug that answers a refused (401 or 403) listing as it would answer a course manager."""
    fallback = next(iter(tokens.values()), None)

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        answer = await upstream.send(request)
        course = request.course_id
        token = tokens.get(course, fallback) if course is not None else None
        if answer.status == refused and token is not None:
            return await upstream.send(request.with_token(token))
        return answer

    return bug


def managing_tokens(dataset: Dataset) -> dict[int, str]:
    """A token of the creator or of a manager, per course that has one."""
    found: dict[int, str] = {}
    for token, user_id in sorted(dataset.tokens.items()):
        for course_id, course in dataset.courses.items():
            roles = {m.user_id: m.join_status for m in course.members}
            if roles.get(user_id) in MANAGING_STATUSES:
                found.setdefault(course_id, token)
    return found


# --- recomputed listings -------------------------------------------------------------------------

Matcher = Callable[[Member, tuple[str, ...]], bool]


def case_sensitive(member: Member, terms: tuple[str, ...]) -> bool:
    return all(term in member["username"] or term in member["real_name"] for term in terms)


def username_only(member: Member, terms: tuple[str, ...]) -> bool:
    return all(full_upper(term) in full_upper(member["username"]) for term in terms)


def any_term(member: Member, terms: tuple[str, ...]) -> bool:
    fields = (full_upper(member["username"]), full_upper(member["real_name"]))
    return any(full_upper(term) in field for term in terms for field in fields)


def _search_by(matches: Matcher) -> Bug:
    """A bug that searches with `matches` instead of the contract's rule."""

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        answer, page = await _page(request, upstream)
        terms = parse_search(request.query.last("search")) if page is not None else ()
        if page is None or not terms:
            return answer
        members, served = await _listing(request, upstream, request.query.without("search"))
        found = [member for member in members if matches(member, terms)]
        offset = _int(request.query.last("offset"), 0) or 0
        limit = _page_size(page, _int(request.query.last("limit"), DEFAULT_LIMIT), served)
        answer.set_json(_envelope(request, found, offset, limit))
        return answer

    return bug


def _page_size(page: Page, requested: int | None, served: int) -> int:
    """The mock's page size for the request: its links say it; else the request's, capped.

    `served` is the first walk page's size when the listing took several pages (the mock's cap),
    else the walk's own limit; with no links and one walk page, every member fits either way.
    """
    for link in (page["next"], page["previous"]):
        if link:
            return _link_page(link)[1]
    return min(requested or DEFAULT_LIMIT, served)


def _reorder(order: Callable[[list[Member], str], list[Member]], orderings: set[str]) -> Bug:
    """A bug that serves the same window of the listing, re-ordered by `order`."""

    async def bug(request: Incoming, upstream: Upstream) -> Answer:
        answer, page = await _page(request, upstream)
        ordering = request.query.last("ordering") or DEFAULT_ORDERING
        if page is None or ordering not in orderings:
            return answer
        members, _ = await _listing(request, upstream, request.query)
        offset = _int(request.query.last("offset"), 0) or 0
        page["results"] = order(members, ordering)[offset : offset + len(page["results"])]
        answer.set_json(page)
        return answer

    return bug


def _sort_value(member: Member, ordering: str) -> str | None:
    return member[ordering.lstrip("-")]


def shuffle_ties(members: list[Member], ordering: str) -> list[Member]:
    """Members with the same sort value (ties, and the nulls together) in a random order."""
    noise = {member["id"]: random.random() for member in members}
    groups: dict[str | None, int] = {}
    for member in members:  # the mock's order: equal values are adjacent
        groups.setdefault(_sort_value(member, ordering), len(groups))
    return sorted(members, key=lambda m: (groups[_sort_value(m, ordering)], noise[m["id"]]))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(text: str) -> int:
    return (datetime.fromisoformat(text) - _EPOCH) // timedelta(microseconds=1)


def nulls_in_middle(members: list[Member], ordering: str) -> list[Member]:
    """Never-active members given the instant halfway between the oldest and newest activity."""
    known = [_microseconds(m["last_active_at"]) for m in members if m["last_active_at"]]
    middle = (min(known) + max(known)) // 2 if known else 0
    sign = -1 if ordering.startswith("-") else 1

    def key(member: Member) -> tuple[int, int]:
        value = member["last_active_at"]
        return sign * (_microseconds(value) if value else middle), member["id"]

    return sorted(members, key=key)


# --- the catalogue -------------------------------------------------------------------------------

FAULTS: dict[str, str] = {
    "ordering-ignored": "every request is ordered by -joined_at",
    "ordering-reversed": "ascending and descending are swapped",
    "wrong-default-statuses": "no statuses parameter selects every status",
    "json-statuses-ignored": "a JSON-list statuses value is treated as absent",
    "repeated-statuses-last-wins": "only the last of repeated statuses values is used",
    "offset-off-by-one": "rows start at offset + 1",
    "limit-ignored": "every page has 20 items",
    "count-wrong": "count is the number of items on the page",
    "search-case-sensitive": "search compares case-sensitively",
    "search-username-only": "search ignores real_name",
    "search-any-term": "search terms are ORed",
    "unstable-ties": "ties are ordered at random on every request",
    "nulls-in-middle": "null last_active_at sorts halfway between the oldest and newest values",
    "next-missing": "next is always null",
    "next-wrong-offset": "next skips one row (offset + limit + 1)",
    "previous-wrong": "previous points at the current page",
    "past-end-404": "an offset past the end answers 404",
    "forbidden-not-enforced": "plain members and outsiders get the list instead of 403",
    "auth-not-enforced": "a missing or unknown token is served as the course creator",
    "www-authenticate-missing": "401 responses lack the WWW-Authenticate header",
    "missing-course-500": "an unknown course answers 500",
}


def bugs_for(dataset: Dataset) -> dict[str, Bug]:
    """Each fault's bug, for a mock serving `dataset` (the auth bugs need its managers' tokens)."""
    tokens = managing_tokens(dataset)
    active = {"last_active_at", "-last_active_at"}
    bugs: dict[str, Bug] = {
        "ordering-ignored": _misread(_ordering_ignored),
        "ordering-reversed": _misread(_ordering_reversed),
        "wrong-default-statuses": _misread(_wrong_default_statuses),
        "json-statuses-ignored": _misread(_json_statuses_ignored),
        "repeated-statuses-last-wins": _misread(_repeated_statuses_last_wins),
        "offset-off-by-one": _rows_of(_offset_plus_one),
        "limit-ignored": _rows_of(_limit_ignored),
        "count-wrong": _edit_page(_count_wrong),
        "search-case-sensitive": _search_by(case_sensitive),
        "search-username-only": _search_by(username_only),
        "search-any-term": _search_by(any_term),
        "unstable-ties": _reorder(shuffle_ties, set(ORDERINGS)),
        "nulls-in-middle": _reorder(nulls_in_middle, active),
        "next-missing": _edit_page(_next_missing),
        "next-wrong-offset": _edit_page(next_wrong_offset),
        "previous-wrong": _edit_page(_previous_wrong),
        "past-end-404": _past_end_404,
        "forbidden-not-enforced": _served_as_manager(403, tokens),
        "auth-not-enforced": _served_as_manager(401, tokens),
        "www-authenticate-missing": _www_authenticate_missing,
        "missing-course-500": _missing_course_500(dataset.courses),
    }
    assert bugs.keys() == FAULTS.keys()
    return bugs
