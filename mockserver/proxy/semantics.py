"""What one exchange can prove about the contract's meaning, with the suite's own verdicts.

The rules are the conformance suite's (`conformance.rules`, `openapi.search_rule`) and so are the
verdict functions (`conformance.checks.ordering`, `.paging`, `.auth`): the proxy judges live
traffic by the sentences the suite judges a test run by, and names the same check. A search
match that depends on the database's upper-casing (Match.EITHER) is never a violation.

Only what one answer proves is judged: a member listed that the filter excludes, never one
missing (it may be on another page); the order within the page; the page's size against
`limit`, the cap and `count`; the links against the request. `count` across answers is the
watch's business (mockserver.proxy.watch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from course_users.conformance import rules
from course_users.conformance.checks.auth import verdict_error_body
from course_users.conformance.checks.ordering import (
    verdict_monotonic,
    verdict_nulls_contiguous,
    verdict_ties_by_id,
)
from course_users.conformance.checks.pages import Page, members
from course_users.conformance.checks.paging import (
    expected_page_size,
    verdict_link_limit,
    verdict_link_page,
    verdict_next_null,
)
from course_users.conformance.client import Exchange, origin
from course_users.openapi.contract import CONTRACT
from course_users.openapi.search_rule import Match

Finding = tuple[str, str]  # (check name, what is wrong)
DEFAULT_LIMIT = CONTRACT.default_limit
SHOWN_MEMBERS = 3


@dataclass(frozen=True)
class Request:
    """The request as the watch sees it: already valid against the contract."""

    url: str  # the absolute URL the client called (the proxy's origin)
    query: str  # the query string as sent, decoded from latin-1
    statuses: frozenset[str]  # the effective statuses (the default when absent)
    statuses_given: bool
    authorization: str | None
    upstream_origin: tuple[str, str, int | None]

    @cached_property
    def _pairs(self) -> tuple[tuple[str, str], ...]:
        # Parsed once: the verdicts ask for the parameters a dozen times per answer.
        return tuple(parse_qsl(self.query, keep_blank_values=True))

    def values(self, name: str) -> list[str]:
        """Every value of a query parameter, in order."""
        return [v for k, v in self._pairs if k == name]

    def last(self, name: str) -> str | None:
        """The value a server uses for a single-valued parameter (the last), or None."""
        found = self.values(name)
        return found[-1] if found else None

    @property
    def search(self) -> str | None:
        return self.last("search")

    @property
    def ordering(self) -> str:
        return self.last("ordering") or rules.DEFAULT_ORDERING

    @property
    def limit(self) -> int | None:
        value = self.last("limit")
        return None if value is None else int(value)

    @property
    def offset(self) -> int:
        value = self.last("offset")
        return 0 if value is None else int(value)

    @property
    def page_size(self) -> int:
        """The effective page size: limit (or the contract's default), capped."""
        return min(self.limit or DEFAULT_LIMIT, rules.MAX_LIMIT)


def judge_auth(request: Request, status: int, headers: Callable[[str], str | None]) -> list:
    """401 for a missing or malformed credential, with `WWW-Authenticate: Bearer`."""
    findings: list[Finding] = []
    credential = (request.authorization or "").strip()
    scheme, _, token = credential.partition(" ")
    if not credential and status != 401:
        findings.append(("auth.missing_token_401", f"HTTP {status} to a request without a token"))
    elif credential and status != 401 and not (CONTRACT.is_auth_scheme(scheme) and token.strip()):
        findings.append(
            (
                "auth.unknown_token_401",
                f"HTTP {status} to a credential that is not 'Bearer <token>'",
            )
        )
    if status == 401:
        challenge = headers("www-authenticate") or ""
        if not CONTRACT.names_auth_scheme(challenge):
            shown = repr(challenge[:60]) if challenge else "none"
            findings.append(("auth.www_authenticate", f"a 401 with WWW-Authenticate {shown}"))
    return findings


def judge_error(status: int, content_type: str | None, body: Any) -> list[Finding]:
    """Errors are JSON `{"detail": ...}` without member data; no 5xx but a documented 503."""
    findings: list[Finding] = []
    if status >= 500 and status != 503:  # 503 is the documented "down for a while"
        findings.append(("schema.not_a_server_error", f"HTTP {status} to a valid request"))
    if status >= 400:
        exchange = Exchange("GET", "", {}, status, {"content-type": content_type or ""}, "", body)
        problem = verdict_error_body(exchange)
        if problem is not None:
            findings.append(("auth.error_body_has_detail_no_members", problem))
    return findings


def judge_listing(request: Request, body: dict[str, Any]) -> list[Finding]:
    """Every one-exchange semantic finding for a 200 listing (its schema already valid)."""
    items: list[dict[str, Any]] = body["results"]
    return [
        *_filters(request, items),
        *_order(request, items),
        *_page(request, body),
        *_links(request, body),
    ]


def _filters(request: Request, items: Sequence[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    outside = [m for m in items if m.get("join_status") not in request.statuses]
    if outside:
        check = (
            "filtering.statuses_match_oracle"
            if request.statuses_given
            else "filtering.default_statuses"
        )
        wanted = ", ".join(sorted(request.statuses)) or "none"
        findings.append((check, f"{_listed(outside, 'join_status')} for statuses {wanted}"))
    search = request.search
    if search:
        unmatched = [m for m in items if rules.search_match(m, search) is Match.NO]
        if unmatched:
            findings.append(
                (
                    "filtering.search_matches_rule",
                    f"{_listed(unmatched, 'username')} not matching search={search[:80]!r}",
                )
            )
    return findings


def _listed(found: Sequence[dict[str, Any]], field: str) -> str:
    shown = ", ".join(f"member {m.get('id')} ({field} {m.get(field)!r})" for m in found[:3])
    more = f" and {members(len(found) - SHOWN_MEMBERS)} more" if len(found) > SHOWN_MEMBERS else ""
    return f"{shown}{more} listed"


def _order(request: Request, items: Sequence[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    ordering = request.ordering
    monotonic = verdict_monotonic(items, ordering)
    if monotonic is not None:
        check = (
            "ordering.monotonic" if request.last("ordering") else "ordering.default_is_-joined_at"
        )
        findings.append((check, f"{monotonic[1]} (ordering {ordering})"))
    field, _ = rules.ordering_key(ordering)
    if field == "last_active_at":
        nulls = verdict_nulls_contiguous(items, field)
        if nulls is not None:
            findings.append(("ordering.nulls_contiguous", nulls))
    ties = verdict_ties_by_id(items, ordering)
    if ties is not None:
        findings.append(("ordering.ties_by_id_ascending", ties[1]))
    return findings


def _page(request: Request, body: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    listed = len(body["results"])
    limit, size = request.limit, request.page_size
    if listed > size:
        if limit is None:
            why = f"{members(listed)} with no limit (default {DEFAULT_LIMIT})"
            check = "defaults.limit_default"
        elif limit > rules.MAX_LIMIT:
            check, why = "paging.limit_capped_100", f"{members(listed)} for limit={limit}"
        else:
            check, why = "paging.page_size_le_limit", f"{members(listed)} for limit={limit}"
        findings.append((check, why))
    count, offset = body["count"], request.offset
    expected = expected_page_size(count, size, offset)
    if listed <= size and listed != expected:
        if offset >= count:
            findings.append(
                ("paging.offset_past_end_empty", f"{members(listed)} at offset {offset} of {count}")
            )
        else:
            findings.append(
                (
                    "paging.page_full_unless_last",
                    f"{members(listed)} at offset {offset} with count={count} and page size "
                    f"{size} (expected {expected})",
                )
            )
    return findings


def _links(request: Request, body: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    size, offset = request.page_size, request.offset
    page = Page(Exchange("GET", request.url, {}, 200), body["count"], body["next"],
                body["previous"], body["results"])  # fmt: skip
    next_null = verdict_next_null([page], offset)
    if next_null is not None:
        findings.append(("paging.next_null_exactly_at_end", next_null[1]))
    allowed = {origin(request.url), request.upstream_origin}
    for which, url in (("next", page.next), ("previous", page.previous)):
        if url is not None and origin(url) not in allowed:
            findings.append(("paging.links_same_origin", f"{which}={url}"))
    findings += _link_limits(request, page)
    if page.next is not None:
        problem = verdict_link_page(page.next, request.query, offset + size)
        if problem is not None:
            findings.append(("paging.walk_visits_each_once", f"next: {problem}"))
    if (page.previous is None) != (offset <= 0):
        shown = "null" if page.previous is None else page.previous
        findings.append(("paging.previous_leads_back", f"previous={shown} at offset {offset}"))
    elif page.previous is not None:
        back = offset - size if offset - size > 0 else None
        problem = verdict_link_page(page.previous, request.query, back)
        if problem is not None:
            check = (
                "defaults.previous_omits_zero_offset"
                if back is None and request_has_zero_offset(page.previous)
                else "paging.previous_leads_back"
            )
            findings.append((check, f"previous: {problem}"))
    return findings


def _link_limits(request: Request, page: Page) -> list[Finding]:
    limit = request.limit
    check = (
        "defaults.limit_default"
        if limit is None
        else "paging.limit_capped_100"
        if limit > rules.MAX_LIMIT
        else "paging.walk_visits_each_once"
    )
    findings: list[Finding] = []
    for which, url in (("next", page.next), ("previous", page.previous)):
        problem = verdict_link_limit(url, request.page_size)
        if problem is not None:
            findings.append((check, f"{which}: {problem}"))
    return findings


def request_has_zero_offset(url: str) -> bool:
    """Whether a link carries `offset=0`."""
    return ("offset", "0") in parse_qsl(urlsplit(url).query, keep_blank_values=True)
